# lib.sh — helpers for the CLI tests (sourced). Each test runs in a fresh
# temporary directory, counts its checks, and ends with `finish`, which
# prints "N passed, N failed" and sets the exit status.
set -u
: "${KHABAR:?KHABAR must name the built khabar tool}"
KH_SOURCE_DIR=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
KH_SHARED_DIR=${KH_SHARED_DIR:-$KH_SOURCE_DIR/../shared}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }

# expect_status WANT DESCRIPTION -- command...
expect_status() {
  local want=$1 what=$2
  shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else fail "$what: exit $got, want $want; stderr: $(head -c 500 "$WORK/err")"; fi
}

# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
  if grep -qE -- "$2" "$1"; then ok; else fail "$3: /$2/ not in $(basename "$1"): $(head -c 500 "$1")"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

need_shared() {
  if [ ! -e "$KH_SHARED_DIR/$1" ]; then
    echo "SKIP: $KH_SHARED_DIR/$1 not found"
    exit 77
  fi
}
