#!/usr/bin/env bash
# Real photos for the tests: Debian's darknet package ships dog.jpg, eagle.jpg and others.
# Extracted from the .deb without installing it (the program itself is not needed).
set -euo pipefail
dest=${1:-${DREAMVIDEO_TESTDATA:-${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/testdata}}
if [ -f "$dest/dog.jpg" ] && [ -f "$dest/eagle.jpg" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && apt-get download darknet >/dev/null 2>&1 ) || {
  echo "error: could not download Debian's darknet package for the test photos; run 'apt-get update' and retry" >&2
  exit 1
}
dpkg-deb -x "$work"/darknet_*.deb "$work/x"
mkdir -p "$dest"
cp "$work"/x/usr/share/darknet/data/*.jpg "$dest/"
echo "test photos in $dest"
