#!/bin/sh
# build-driver.sh [BUILD_DIR] — compiles bench/khabar_driver against the
# library built in BUILD_DIR (default: build). Then, as root:
#   PEERS_EXTRA="khabar=$PWD/bench/khabar_driver" ../shared/bench/peers/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
   -I"$here/../include" "$here/khabar_driver.c" "$build/libkhabar.a" \
   $(pkg-config --libs libutf8proc jansson zlib libzstd libxml-2.0 libarchive libmicrohttpd) \
   -lstemmer -lm -lpthread -o "$here/khabar_driver"
echo "built $here/khabar_driver"
