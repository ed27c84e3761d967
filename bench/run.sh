#!/usr/bin/env bash
# Runs every benchmark in bench/ in turn (make bench).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for b in "$root"/bench/*.sh; do
  case "$(basename "$b")" in run.sh|build-driver.sh) continue ;; esac
  echo "### $(basename "$b")"
  bash "$b" || status=1
  echo
done
exit $status
