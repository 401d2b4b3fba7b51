#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a FRESH stack, before its services start:
# PostgreSQL first (`pg_restore` into an empty database), then NATS (`lanyard restore nats`,
# which also has the relay publish again whatever the log holds past the NATS file's last
# event). Then start the services: provision works the restored webhooks (those it had
# committed are recognised and acknowledged), and the relay catches the events stream up.
# docs/operations.md, "Backups and restore".
#
#   LANYARD_CONFIG=/etc/lanyard/lanyard.toml DATABASE_URL=postgres://…/empty scripts/restore.sh DIR
set -euo pipefail

die() { echo "restore: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: scripts/restore.sh DIR"
dir=$1
[[ -f $dir/postgres.dump && -f $dir/nats.jsonl ]] || die "$dir holds no backup (postgres.dump, nats.jsonl)"
[[ -n ${DATABASE_URL:-} ]] || die "set DATABASE_URL to the EMPTY database to restore into"
lanyard=${LANYARD_BIN:-lanyard}
pg_restore=${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_restore
[[ -x $pg_restore ]] || pg_restore=$(command -v pg_restore) || die "pg_restore not found (set PG_BINDIR)"
psql=$(dirname "$pg_restore")/psql

tables=$("$psql" -Atq "$DATABASE_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ||
    die "cannot connect to DATABASE_URL"
[[ $tables == 0 ]] || die "the database is not empty ($tables tables): restore into a new one"
"$pg_restore" --no-owner --exit-on-error --single-transaction --dbname "$DATABASE_URL" "$dir/postgres.dump"
"$lanyard" restore nats --from "$dir/nats.jsonl"
echo "restore: done; start the services"
