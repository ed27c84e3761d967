#!/bin/bash
# test_serve_docs.sh — runs the examples of docs/api.md: every "$ " line of
# its console blocks, in order, against a server on the sample data with
# writes on, and checks the first line of the output against the line the
# document shows (a shown line ending in "…" is a prefix; took_ms and score vary).
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
SRC=${KH_SOURCE_DIR:?}
if ! command -v curl >/dev/null; then
  echo "SKIP: curl is not installed (scripts/test-packages.txt)"
  exit 77
fi
T=$(mktemp -d)
source "$SRC/tests/cli/serve_lib.sh"
trap 'stop_servers; rm -rf "$T"' EXIT
fails=0
checks=0

"$K" ingest --index "$T/news" --quiet "$SRC/examples/text" "$SRC/examples/feeds" || { echo "FAIL: ingest"; exit 1; }
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token.txt"
start_server docs --index "$T/news" --write-token-file "$T/token.txt"

mask() { sed -E 's/"(took_ms|score)":[0-9.]+/"\1":N/g'; }
cmd="" in_block=0
while IFS= read -r line; do
  case $line in
  '```console') in_block=1; continue ;;
  '```') in_block=0; cmd=""; continue ;;
  esac
  [ $in_block = 1 ] || continue
  if [ "${line#\$ }" != "$line" ]; then
    cmd=${line#\$ }
    continue
  fi
  [ -n "$cmd" ] || continue
  checks=$((checks + 1))
  got=$(cd "$T" && bash -c "${cmd//http:\/\/127.0.0.1:8080/$URL_docs}" 2>&1 | head -n 1 | tr -d '\r' | mask)
  want=$(printf '%s\n' "$line" | mask)
  if [ "${want%…}" != "$want" ]; then
    [ "${got#"${want%…}"}" != "$got" ] || { echo "FAIL: $cmd"; echo "  want prefix: ${want%…}"; echo "  got: $got"; fails=$((fails + 1)); }
  else
    [ "$got" = "$want" ] || { echo "FAIL: $cmd"; echo "  want: $want"; echo "  got:  $got"; fails=$((fails + 1)); }
  fi
  cmd=""
done <"$SRC/docs/api.md"
[ $checks -ge 10 ] || { echo "FAIL: only $checks examples found in docs/api.md"; fails=$((fails + 1)); }
echo "$((checks - fails)) passed, $fails failed"
exit $((fails > 0))
