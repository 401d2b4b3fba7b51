#!/bin/sh
# Lanyard → OpenWrt/hostapd: fetches this AP group's wpa_psk_file and reloads hostapd
# (`hostapd_cli reload_wpa_psk`) only when the file changed (ETag / 304). Run it from cron,
# e.g. every minute:  * * * * * /usr/bin/lanyard-psk-fetch.sh
#
# Settings (environment, or the file named by LANYARD_PSK_CONF, default /etc/lanyard-psk.conf):
#   LANYARD_URL         https://wifi.example.com (the controllers listener, behind TLS)
#   LANYARD_TOKEN_FILE  file holding the AP group's token (mode 0600; never on a command line)
#   PSK_FILE            hostapd's wpa_psk_file (default /etc/hostapd.wpa_psk)
#   HOSTAPD_IFACES      interfaces to reload (default: every interface hostapd_cli lists)
#   HOSTAPD_CLI         default hostapd_cli
# Needs curl (opkg install curl). Exit status: 0 unchanged or updated, 1 on any failure (the
# file in place is kept).
set -eu

CONF=${LANYARD_PSK_CONF:-/etc/lanyard-psk.conf}
# shellcheck disable=SC1090
[ -r "$CONF" ] && . "$CONF"
: "${LANYARD_URL:?set LANYARD_URL}"
: "${LANYARD_TOKEN_FILE:?set LANYARD_TOKEN_FILE}"
PSK_FILE=${PSK_FILE:-/etc/hostapd.wpa_psk}
ETAG_FILE=${ETAG_FILE:-$PSK_FILE.etag}
HOSTAPD_CLI=${HOSTAPD_CLI:-hostapd_cli}

umask 077
tmp="$PSK_FILE.lanyard.$$"
trap 'rm -f "$tmp" "$tmp.headers" "$tmp.auth"' EXIT INT TERM

# The token goes to curl in a header file, so no process listing shows it.
printf 'Authorization: Bearer %s\n' "$(cat "$LANYARD_TOKEN_FILE")" >"$tmp.auth"
etag=""
if [ -s "$ETAG_FILE" ] && [ -f "$PSK_FILE" ]; then
    etag=$(cat "$ETAG_FILE")
    printf 'If-None-Match: %s\n' "$etag" >>"$tmp.auth"
fi

status=$(curl --silent --show-error --max-time 20 --proto =https,http \
    -H "@$tmp.auth" -D "$tmp.headers" -o "$tmp" -w '%{http_code}' \
    "${LANYARD_URL%/}/openwrt/wpa_psk_file") || status=000

case "$status" in
304)
    exit 0
    ;;
200)
    new_etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]:[[:space:]]*//p' "$tmp.headers" | tr -d '\r')
    mv -f "$tmp" "$PSK_FILE"
    printf '%s' "$new_etag" >"$ETAG_FILE"
    ifaces=${HOSTAPD_IFACES:-$("$HOSTAPD_CLI" interface 2>/dev/null | sed -n '2,$p')}
    for iface in $ifaces; do
        "$HOSTAPD_CLI" -i "$iface" reload_wpa_psk >/dev/null
    done
    logger -t lanyard-psk "wpa_psk_file updated ($new_etag), hostapd reloaded" 2>/dev/null || true
    exit 0
    ;;
*)
    echo "lanyard-psk-fetch: ${LANYARD_URL%/}/openwrt/wpa_psk_file answered $status" >&2
    exit 1
    ;;
esac
