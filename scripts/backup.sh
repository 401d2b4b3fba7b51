#!/usr/bin/env bash
# Backs up a Lanyard installation into DIR (created, mode 0700): what only NATS holds
# (`lanyard backup nats`: the webhook stream, the events stream, the installations bucket) and
# then PostgreSQL (`pg_dump`, custom format). NATS first: every event in the NATS file is then
# in the database dump too, and a webhook in the file that provision committed before the dump
# is recognised as processed after a restore. docs/operations.md, "Backups and restore".
#
#   LANYARD_CONFIG=/etc/lanyard/lanyard.toml DATABASE_URL=postgres://… scripts/backup.sh DIR
#
# LANYARD_BIN: the lanyard binary (default: lanyard on PATH); PG_BINDIR: where pg_dump is
# (default: PostgreSQL 15's, else PATH). The NATS identity is `ops` (ops.nk in
# nats.credentials_dir).
set -euo pipefail

die() { echo "backup: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: scripts/backup.sh DIR"
dir=$1
[[ -n ${DATABASE_URL:-} ]] || die "set DATABASE_URL to the database to back up (database.url)"
lanyard=${LANYARD_BIN:-lanyard}
pg_dump=${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_dump
[[ -x $pg_dump ]] || pg_dump=$(command -v pg_dump) || die "pg_dump not found (set PG_BINDIR)"

# Everything written here is readable by its owner only, from the moment it exists.
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
"$lanyard" backup nats --out "$dir/nats.jsonl"
"$pg_dump" --format=custom --no-owner --file "$dir/postgres.dump" "$DATABASE_URL"
date -u +%Y-%m-%dT%H:%M:%SZ > "$dir/taken_at"
echo "backup: $dir (nats.jsonl, postgres.dump)"
