#!/bin/sh
# build-driver.sh [BUILD_DIR [OUT]] — compiles bench/khabar_driver (or OUT,
# e.g. to keep one driver per build for bench/index_ab.sh) against the
# library built in BUILD_DIR (default: build). Then, as root:
#   PEERS_EXTRA="khabar=$PWD/bench/khabar_driver" ../shared/bench/peers/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-$here/khabar_driver}
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
   -I"$here/../include" "$here/khabar_driver.c" "$build/libkhabar.a" \
   $(pkg-config --libs libutf8proc jansson zlib libzstd libxml-2.0 libarchive libmicrohttpd) \
   -lstemmer -lm -lpthread -o "$out"
echo "built $out"
