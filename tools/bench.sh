#!/usr/bin/env bash
# `make bench`: one dream step of Inception-v3 to mixed_5 at 640x360 (forward, objective, gradient to the
# image), ours beside TensorFlow 2.21 and PyTorch 2.15 (channels_last), f32 and bf16, 1 and 2 threads,
# measured in the same run. Each figure is the median of BENCH_ROUNDS rounds, ours and the peers'
# interleaved in every round, and each ratio is the median of the rounds' own ratios: the host
# sometimes gives the two vCPUs one core's worth of time for minutes, and then both sides of a ratio
# feel it.
#   BIN=.build/release/dreamvideo BENCH_ROUNDS=5 BENCH_VIDEO=1 BENCH_HISTORIC=1 bash tools/bench.sh
# BASE_BIN=/path/to/an/older/dreamvideo adds its figures as a column (before/after, in the same rounds).
# The peers are the team's scripts beside the checkout (../shared/bench/tf_peer.py, torch_peer.py; or
# TF_PEER=..., TORCH_PEER=...), run in virtual environments under the user cache
# (${DREAMVIDEO_CACHE:-${XDG_CACHE_HOME:-~/.cache}/dreamvideo}/peers), created here when missing:
# they are the benchmark's dependencies, never the tool's.
set -euo pipefail

BIN=${BIN:-.build/release/dreamvideo}
here=$(cd "$(dirname "$0")/.." && pwd)
TF_PEER=${TF_PEER:-$here/../shared/bench/tf_peer.py}
TORCH_PEER=${TORCH_PEER:-${PEER:-$here/../shared/bench/torch_peer.py}}
for p in "$TF_PEER" "$TORCH_PEER"; do
  [ -f "$p" ] || { echo "error: the peer script $p is missing; set TF_PEER=/path/to/tf_peer.py and TORCH_PEER=/path/to/torch_peer.py" >&2; exit 1; }
done
ROUNDS=${BENCH_ROUNDS:-5}
LAYER=mixed_5
SIZE=640x360
ITERS=${BENCH_ITERATIONS:-10}
CACHE=${DREAMVIDEO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo}
PEERS=$CACHE/peers
TF_VERSION=2.21.0
TORCH_VERSION=2.15.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$BIN" ] || { echo "error: $BIN is missing; run make build first" >&2; exit 1; }

# A venv with one pinned package, made once (PyTorch's wheels with their CUDA libraries are ~3 GB).
venv() {
  local dir=$1 module=$2 package=$3 version=$4
  if ! "$dir/bin/python" -c "import $module, sys; sys.exit($module.__version__.split('+')[0] != '$version')" 2>/dev/null; then
    echo "installing $package==$version into $dir (the benchmark's dependency only)" >&2
    command -v python3 >/dev/null || { echo "error: python3 is missing (apt-get install python3 python3-venv)" >&2; exit 1; }
    [ -x "$dir/bin/python" ] || /usr/bin/python3 -m venv "$dir" || {
      echo "error: could not create a virtual environment at $dir (apt-get install python3-venv)" >&2; exit 1; }
    "$dir/bin/pip" install -q "$package==$version" >&2 || { echo "error: pip could not install $package==$version into $dir" >&2; exit 1; }
  fi
}
venv "$PEERS/tf-2.21" tensorflow tensorflow-cpu "$TF_VERSION"
venv "$PEERS/torch-2.15" torch torch "$TORCH_VERSION"
TF_PY=$PEERS/tf-2.21/bin/python
TORCH_PY=$PEERS/torch-2.15/bin/python

# The value of `name: value` in a run's output.
field() { sed -n "s/^$1: //p" | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "PASS" : "FAIL" }'; }
# Ratios of runs made side by side in the same round, then their median.
paired() { local -n a=$1 b=$2; local i out=(); for i in "${!a[@]}"; do out+=("$(ratio "${a[$i]}" "${b[$i]}")"); done; median "${out[@]}"; }

ours() { peer "$BIN" bench --model inception_v3 --layer $LAYER --size $SIZE --iterations "$ITERS" "$@"; }
# Every build and peer runs as a user would start it: without the OpenMP waiting the Makefile exports
# for the tests (OMP_WAIT_POLICY, GOMP_SPINCOUNT). A build of ours then sets its own (a BASE_BIN from
# before keeps its older choice) and the peers keep their defaults (PyTorch's bundled libgomp would
# otherwise read ours).
peer() { env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$@"; }
tf() { peer env TF_ENABLE_ONEDNN_OPTS=1 "$TF_PY" "$TF_PEER" iter --layer mixed5 --size $SIZE --iters "$ITERS" "$@" 2>/dev/null; }
torch() { peer "$TORCH_PY" "$TORCH_PEER" iter --layer $LAYER --size $SIZE --iters "$ITERS" --channels-last "$@" 2>/dev/null; }

flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1)
wanted=""
for f in avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16 amx_bf16 amx_tile; do
  case " $flags " in *" $f "*) wanted+="$f " ;; esac
done
cpuinfo() { sed -n "s/^$1[[:space:]]*: //p" /proc/cpuinfo | head -1; }
echo "cpu: $(cpuinfo 'model name'), family $(cpuinfo 'cpu family') model $(cpuinfo model) stepping $(cpuinfo stepping), $(nproc) vCPUs"
echo "cpu flags that matter: ${wanted% }"
# The vector units' most (tools/peak_flops.c: chains of AVX-512 FMAs and bf16 dot products), so the
# step's convolutions can be read as a share of what the cores can do at all.
declare -A peak
cc=$(command -v cc || command -v clang || true)
if [ -n "$cc" ] && "$cc" -O2 "$here/tools/peak_flops.c" -o "$work/peak_flops" -lpthread 2>/dev/null; then
  for th in 1 2; do
    "$work/peak_flops" "$th" >"$work/peak_$th" || true
    peak[f32_$th]=$(field f32_gflop_per_s <"$work/peak_$th"); peak[bf16_$th]=$(field bf16_gflop_per_s <"$work/peak_$th")
  done
  echo "cpu peak (tools/peak_flops.c): f32 ${peak[f32_1]:-?} GFLOP/s on 1 thread, ${peak[f32_2]:-?} on 2; bf16 ${peak[bf16_1]:-none} on 1, ${peak[bf16_2]:-none} on 2"
else
  echo "cpu peak: not measured (no C compiler for tools/peak_flops.c)"
fi
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); ours: dreamvideo $("$BIN" --version 2>/dev/null | head -1) ($(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')) on oneDNN $("$BIN" bench --size 160x96 --iterations 1 --threads 1 | field onednn)"
echo "peers: TensorFlow $("$TF_PY" -c 'import tensorflow as t; print(t.__version__)' 2>/dev/null) (oneDNN on), PyTorch $("$TORCH_PY" -c 'import torch; print(torch.__version__)' 2>/dev/null) (channels_last; bf16 = autocast)"
echo

configs=("f32 1" "f32 2" "bf16 1" "bf16 2")
declare -A o t p b
BASE_BIN=${BASE_BIN:-}
echo "bench: $ROUNDS rounds of ours, TensorFlow and PyTorch interleaved ($ITERS steps each: inception_v3 to $LAYER at $SIZE)" >&2
for r in $(seq "$ROUNDS"); do
  line="  round $r:"
  for c in "${configs[@]}"; do
    set -- $c; prec=$1 th=$2; k="${prec}_$th"
    ours --threads "$th" --precision "$prec" >"$work/ours_$k"
    o[$k]+="$(field median_ms_per_iteration <"$work/ours_$k") "
    t[$k]+="$(tf --threads "$th" --precision "$prec" | field median_ms_per_iteration) "
    p[$k]+="$(torch --threads "$th" --precision "$prec" | field median_ms_per_iteration) "
    [ -z "$BASE_BIN" ] || b[$k]+="$(peer "$BASE_BIN" bench --model inception_v3 --layer $LAYER --size $SIZE --iterations "$ITERS" --threads "$th" --precision "$prec" | field median_ms_per_iteration) "
    line+=" $prec/$th ours $(echo ${o[$k]} | awk '{print $NF}') tf $(echo ${t[$k]} | awk '{print $NF}') torch $(echo ${p[$k]} | awk '{print $NF}')${BASE_BIN:+ base $(echo ${b[$k]} | awk '{print $NF}')};"
  done
  echo "$line" >&2
done

printf '%-22s %12s %14s %14s %10s %10s\n' "ms per step (median)" ours "TF $TF_VERSION" "PyTorch $TORCH_VERSION" "TF/ours" "torch/ours"
declare -A rt rp
for c in "${configs[@]}"; do
  set -- $c; prec=$1 th=$2; k="${prec}_$th"
  read -ra oa <<<"${o[$k]}"; read -ra ta <<<"${t[$k]}"; read -ra pa <<<"${p[$k]}"
  rt[$k]=$(paired ta oa); rp[$k]=$(paired pa oa)
  printf '%-22s %12s %14s %14s %9.2fx %9.2fx' "$prec, $th thread$([ "$th" = 1 ] || echo s)" \
    "$(median "${oa[@]}")" "$(median "${ta[@]}")" "$(median "${pa[@]}")" "${rt[$k]}" "${rp[$k]}"
  if [ -n "$BASE_BIN" ]; then read -ra ba <<<"${b[$k]}"; printf '   base %s ms, base/ours %.2fx' "$(median "${ba[@]}")" "$(paired ba oa)"; fi
  echo
done
read -ra o1 <<<"${o[f32_1]}"; read -ra o2 <<<"${o[f32_2]}"; read -ra b1 <<<"${o[bf16_1]}"; read -ra b2 <<<"${o[bf16_2]}"
s32=$(paired o1 o2); s16=$(paired b1 b2)
echo
echo "targets at the default thread count (2), ratios paired by round:"
echo "  f32 vs TensorFlow 2 threads:  $(printf %.2f "${rt[f32_2]}")x  (>= 1.8x) $(verdict "${rt[f32_2]}" 1.8)"
echo "  bf16 vs TensorFlow 2 threads: $(printf %.2f "${rt[bf16_2]}")x  (>= 2x)   $(verdict "${rt[bf16_2]}" 2)"
echo "  f32 vs PyTorch 2 threads:     $(printf %.2f "${rp[f32_2]}")x  (>= 1.8x) $(verdict "${rp[f32_2]}" 1.8)"
echo "  bf16 vs PyTorch 2 threads:    $(printf %.2f "${rp[bf16_2]}")x  (>= 2x)   $(verdict "${rp[bf16_2]}" 2)"
echo "  our 2 threads vs our 1:       f32 $(printf %.2f "$s32")x, bf16 $(printf %.2f "$s16")x  (>= 1.7x) $(verdict "$s32" 1.7) $(verdict "$s16" 1.7)"
echo
echo "ours, f32 2 threads (last round):"
sed -n 's/^\(parallel\|convolution_algorithms\|convolution_kernels\|gflop_per_iteration\|achieved_gflop_per_s\|peak_rss_mb\): /  \1: /p' "$work/ours_f32_2"
echo "ours, f32 1 thread: $(sed -n 's/^convolution_algorithms: //p' "$work/ours_f32_1")"
# FLOP counted as direct convolution does them: Winograd's fewer multiplies can take a share past 100%.
gflop=$(field gflop_per_iteration <"$work/ours_f32_2")
if [ -n "$gflop" ] && [ -n "${peak[f32_1]:-}" ]; then
  line="ours at the median step, GFLOP/s as a share of the cpu peak:"
  for c in "${configs[@]}"; do
    set -- $c; k="${1}_$2"; read -ra oa <<<"${o[$k]}"
    [ -n "${peak[$k]:-}" ] && line+=" $1/$2 $(awk -v g="$gflop" -v ms="$(median "${oa[@]}")" -v p="${peak[$k]}" 'BEGIN { printf "%.0f (%.0f%%)", g / ms * 1000, g / ms * 1000 / p * 100 }');"
  done
  echo "${line%;}"
fi

# Debian's PyTorch 1.13 (AVX2, generic BLAS), the peer of earlier versions of this table.
if [ "${BENCH_HISTORIC:-0}" = 1 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  h=()
  for r in $(seq "$ROUNDS"); do
    h+=("$(peer /usr/bin/python3 "$TORCH_PEER" iter --layer $LAYER --size $SIZE --iters "$ITERS" --threads 2 2>/dev/null | field median_ms_per_iteration)")
  done
  echo "historic: Debian's PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), f32, 2 threads: $(median "${h[@]}") ms"
fi

# A whole render: 5 frames of the classic recipe (every frame dreamed in full), whole-process wall time.
if [ "${BENCH_VIDEO:-0}" = 1 ]; then
  IMAGE=${BENCH_IMAGE:-examples/logo.png}
  VIDEO="--layer mixed_3 --octaves 3 --octave-scale 1.4 --steps 10 --zoom 1.05 --size $SIZE"
  pv=(); ov=()
  for r in $(seq "$ROUNDS"); do
    pv+=("$("$TORCH_PY" "$TORCH_PEER" video --frames 5 $VIDEO --threads 2 --channels-last | field median_s_per_frame)")
    t0=$(date +%s.%N)
    "$BIN" "$IMAGE" --schedule classic $VIDEO --frames 5 -o "$work/bench.mp4" --overwrite 2>/dev/null
    ov+=("$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", (b - a) / 5 }')")
  done
  echo "video, 5 classic frames (s per frame, 2 threads, f32): ours $(median "${ov[@]}"), PyTorch $(median "${pv[@]}"), $(printf %.2f "$(paired pv ov)")x"
fi
