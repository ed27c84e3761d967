#!/usr/bin/env bash
# Installs the Debian packages khabar needs to build and test, when missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential make cmake pkg-config clang python3 gzip zstd
  libutf8proc-dev libstemmer-dev libxml2-dev libjansson-dev libarchive-dev
  libzstd-dev zlib1g-dev libmicrohttpd-dev
)
# Extra packages some tests use (added by the stages that need them).
if [ -f "$(dirname "$0")/test-packages.txt" ]; then
  while read -r p; do
    [ -n "$p" ] && [ "${p#\#}" = "$p" ] && packages+=("$p")
  done < "$(dirname "$0")/test-packages.txt"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "khabar: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "khabar: missing packages: ${missing[*]}; run this as root or install sudo" >&2
    exit 1
  fi
  sudo="sudo"
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
