# serve_lib.sh — helpers for the tests of `khabar serve` (sourced, after
# setting T to a temporary directory). The server always listens on
# 127.0.0.1 with --port 0 (a free port the kernel picks, read back from the
# line the server prints), and is stopped by the test's EXIT trap.

SERVE_PIDS=()

# start_server NAME ARGS... — starts khabar serve; sets URL_<NAME> and PID_<NAME>.
start_server() {
  local name=$1
  shift
  "$K" serve --host 127.0.0.1 --port 0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  local pid=$!
  SERVE_PIDS+=("$pid")
  local url=""
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$T/$name.out" 2>/dev/null | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$url" ]; then
    echo "FAIL: server $name did not start: $(cat "$T/$name.err")"
    exit 1
  fi
  printf -v "URL_$name" '%s' "${url%/}"
  printf -v "PID_$name" '%s' "$pid"
}

stop_servers() {
  for pid in "${SERVE_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${SERVE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null
  done
}

# req METHOD URL [curl args...] — sets CODE; body in $T/body, headers in $T/head.
req() {
  local method=$1 url=$2
  shift 2
  CODE=$(curl -s --path-as-is -X "$method" -o "$T/body" -D "$T/head" -w '%{http_code}' "$@" "$url")
}

header() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }

# enc TEXT — TEXT percent-encoded for a URL path segment or query value.
enc() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
    [a-zA-Z0-9.~_-]) out+=$c ;;
    *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  echo "$out"
}
