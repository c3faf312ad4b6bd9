#!/usr/bin/env bash
# `make bench`: dreamvideo's figures beside the PyTorch peer's (../shared/bench/torch_peer.py, or PEER=...), measured in the
# same run. Each figure is the median of BENCH_ROUNDS runs, ours and the peer's interleaved, because
# the host sometimes gives the two vCPUs only one core's worth of time for minutes at a stretch.
#   BIN=.build/release/dreamvideo  PEER=../shared/bench/torch_peer.py  BENCH_ROUNDS=3  bash tools/bench.sh
set -euo pipefail

BIN=${BIN:-.build/release/dreamvideo}
# The peer is the team's shared script, kept outside this repository beside the checkout.
PEER=${PEER:-$(cd "$(dirname "$0")/.." && pwd)/../shared/bench/torch_peer.py}
if [ ! -f "$PEER" ]; then
  echo "error: the PyTorch peer script is not at $PEER; set PEER=/path/to/torch_peer.py" >&2
  exit 1
fi
ROUNDS=${BENCH_ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
IMAGE=${BENCH_IMAGE:-examples/logo.png}
LAYER=mixed_5
SIZE=640x360
# The classic preset: every frame dreamed in full (no warm start, no cadence, no colour pull), as the peer does.
VIDEO="--layer mixed_3 --octaves 3 --octave-scale 1.4 --steps 10 --zoom 1.05 --size $SIZE --threads 1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$BIN" ] || { echo "error: $BIN is missing; run make build first" >&2; exit 1; }
# PyTorch is the benchmark's dependency, never the tool's.
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch for the peer (the benchmark's dependency only)"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch >/dev/null
fi

# The value of `name: value` in a run's output.
field() { sed -n "s/^$1: //p" | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# PASS when ratio >= target.
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "PASS" : "FAIL" }'; }
now() { date +%s.%N; }

ours() { "$BIN" bench --model inception_v3 --layer $LAYER --size $SIZE --iterations 10 "$@"; }
peer_iter() { "$PYTHON" "$PEER" iter --layer $LAYER --size $SIZE --iters 10 --threads 1; }

declare -a peer1 f32_1 f32_2 bf16_1 peer_video our_video bf16_video gflops rss
echo "bench: $ROUNDS rounds, ours and the peer's interleaved (one dream step: inception_v3 to $LAYER at $SIZE)" >&2
for r in $(seq "$ROUNDS"); do
  peer1+=("$(peer_iter | field median_ms_per_iteration)")
  ours --threads 1 --precision f32 >"$work/f32_1"
  f32_1+=("$(field median_ms_per_iteration <"$work/f32_1")")
  gflops+=("$(field achieved_gflop_per_s <"$work/f32_1")")
  rss+=("$(field peak_rss_mb <"$work/f32_1")")
  f32_2+=("$(ours --threads 2 --precision f32 | field median_ms_per_iteration)")
  bf16_1+=("$(ours --threads 1 --precision bf16 | field median_ms_per_iteration)")
  echo "  round $r: peer ${peer1[-1]} ms, f32 1 thread ${f32_1[-1]} ms, f32 2 threads ${f32_2[-1]} ms, bf16 1 thread ${bf16_1[-1]} ms" >&2
done

echo "video: 5 frames of the classic recipe ($VIDEO), a real render to MP4 vs torch_peer.py video" >&2
for r in $(seq "$ROUNDS"); do
  peer_video+=("$("$PYTHON" "$PEER" video --frames 5 $VIDEO | field median_s_per_frame)")
  # Ours: the whole process's wall time (model loading, primitive creation and encoding included) per frame.
  t0=$(now)
  "$BIN" "$IMAGE" --schedule classic $VIDEO --frames 5 -o "$work/bench.mp4" --overwrite 2>/dev/null
  our_video+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 5 }')")
  t0=$(now)
  "$BIN" "$IMAGE" --schedule classic $VIDEO --frames 5 --precision bf16 -o "$work/bench.mp4" --overwrite 2>/dev/null
  bf16_video+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", (b - a) / 5 }')")
  echo "  round $r: peer ${peer_video[-1]} s/frame, ours ${our_video[-1]} s/frame (bf16 ${bf16_video[-1]})" >&2
done

p1=$(median "${peer1[@]}"); o1=$(median "${f32_1[@]}"); o2=$(median "${f32_2[@]}"); b1=$(median "${bf16_1[@]}")
pv=$(median "${peer_video[@]}"); ov=$(median "${our_video[@]}"); bv=$(median "${bf16_video[@]}")
# Ratios of runs made side by side in the same round, then their median: a slow spell of the host
# then weighs on both sides of a ratio.
paired() { local -n a=$1 b=$2; local i out=(); for i in "${!a[@]}"; do out+=("$(ratio "${a[$i]}" "${b[$i]}")"); done; median "${out[@]}"; }
r1=$(paired peer1 f32_1); rb=$(paired peer1 bf16_1); r2=$(paired f32_1 f32_2); rv=$(paired peer_video our_video); rbv=$(paired peer_video bf16_video)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "machine: $cpu, $(nproc) vCPUs, $(date -u +%Y-%m-%d)"
echo "peer: $("$PYTHON" -c 'import torch; print("PyTorch", torch.__version__)'), 1 thread"
printf '%-34s %10s %10s %8s  %s\n' "figure (median of $ROUNDS rounds)" ours peer ratio "target (ratio: median of the rounds' ratios)"
printf '%-34s %10s %10s %7sx  %s\n' "step f32, 1 thread (ms)" "$o1" "$p1" "$(printf %.2f "$r1")" ">= 1.8x  $(verdict "$r1" 1.8)"
printf '%-34s %10s %10s %7sx  %s\n' "step bf16, 1 thread (ms)" "$b1" "$p1" "$(printf %.2f "$rb")" ">= 3x vs peer f32  $(verdict "$rb" 3)"
printf '%-34s %10s %10s %7sx  %s\n' "step f32, 2 threads (ms)" "$o2" "-" "$(printf %.2f "$r2")" "> 1x vs our 1 thread  $(verdict "$r2" 1.0001)"
printf '%-34s %10s %10s %7sx  %s\n' "video, 5 frames (s per frame)" "$ov" "$pv" "$(printf %.2f "$rv")" ">= 1.8x  $(verdict "$rv" 1.8)"
printf '%-34s %10s %10s %7sx  %s\n' "video bf16, 5 frames (s per frame)" "$bv" "$pv" "$(printf %.2f "$rbv")" "(no target)"
echo "ours, f32 1 thread: $(median "${gflops[@]}") GFLOP/s achieved ($(ours --iterations 1 --threads 1 | field gflop_per_iteration) GFLOP a step, counted from the graph), peak RSS $(median "${rss[@]}") MB"
