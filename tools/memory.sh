#!/usr/bin/env bash
# Resident memory of a real render, sampled from /proc while it runs: the peak, and the growth from
# early on (frame FRAMES/5) to the end. PNG=1 writes PNGs instead of an MP4.
#   SIZE=640x360 FRAMES=300 OCTAVES=1 STEPS=1 LAYER=mixed_3 bash tools/memory.sh
# With LIMIT_MB (and MAX_GROWTH, in percent) it also says whether the render stayed within them.
set -euo pipefail

BIN=${BIN:-.build/release/dreamvideo}
IMAGE=${IMAGE:-examples/logo.png}
SIZE=${SIZE:-640x360}
FRAMES=${FRAMES:-300}
OCTAVES=${OCTAVES:-1}
STEPS=${STEPS:-1}
LAYER=${LAYER:-mixed_3}
EXTRA=${EXTRA:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=("$IMAGE" --schedule classic --layer "$LAYER" --frames "$FRAMES" --octaves "$OCTAVES" --steps "$STEPS" --size "$SIZE")
if [ "${PNG:-0}" = 1 ]; then args+=(--frames-dir "$work"); else args+=(-o "$work/out.mp4" --overwrite); fi
echo "command: $BIN ${args[*]} $EXTRA" | sed "s|$work|/tmp|g"
start=$(date +%s.%N)
# The command re-executes itself once (same pid) to set how OpenMP threads wait: /proc/<pid> stays valid.
"$BIN" "${args[@]}" $EXTRA 2>"$work/progress" &
pid=$!
hwm=0
while kill -0 "$pid" 2>/dev/null; do
  if read -r rss peak < <(awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r + 0, h + 0 }' "/proc/$pid/status" 2>/dev/null); then
    [ "$peak" -gt "$hwm" ] && hwm=$peak
    echo "$(grep -c '^frame' "$work/progress" || true) $rss" >>"$work/samples"
  fi
  sleep 0.2
done
status=0; wait "$pid" || status=$?
[ "$status" = 0 ] || { echo "error: the render failed:" >&2; tail -3 "$work/progress" >&2; exit 1; }
end=$(date +%s.%N)

# The curve, one sample per tenth of the frames.
awk -v n="$FRAMES" '{ k = int($1 * 10 / n); if (!(k in seen)) { seen[k] = 1; printf "%s frame %d: %.0f MB\n", (k ? "" : "rss_curve:\n"), $1, $2 / 1024 } }' "$work/samples" | sed 's/^f/  f/'
# x264 (preset medium) holds ~50 frames in its lookahead before it emits any: memory rises until
# about frame 60 whatever the dream does. So "early" is a fifth of the way in.
early=$(( FRAMES / 5 > 1 ? FRAMES / 5 : 1 ))
# Median RSS while frames early...early*1.5 were made, and over the last 10% of frames.
awk -v a="$early" -v b="$(( early + (early + 1) / 2 ))" -v c="$(( FRAMES - FRAMES / 10 ))" -v hwm="$hwm" -v secs="$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')" -v frames="$FRAMES" '
  $1 >= a && $1 <= b { e[++ne] = $2 }
  $1 >= c { l[++nl] = $2 }
  function med(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }; return n ? v[int((n + 1) / 2)] : 0 }
  END {
    x = med(e, ne); y = med(l, nl)
    printf "seconds_per_frame: %.3f\n", secs / frames
    printf "rss_early_mb: %.0f\n", x / 1024
    printf "rss_late_mb: %.0f\n", y / 1024
    printf "growth_percent: %.1f\n", x ? (y - x) * 100 / x : 0
    printf "peak_rss_mb: %.0f\n", hwm / 1024
  }' "$work/samples" | tee "$work/figures"
value() { sed -n "s/^$1: //p" "$work/figures"; }
if [ -n "${LIMIT_MB:-}" ]; then
  awk -v p="$(value peak_rss_mb)" -v l="$LIMIT_MB" 'BEGIN { printf "peak under %d MB: %s\n", l, (p < l) ? "PASS" : "FAIL" }'
fi
if [ -n "${MAX_GROWTH:-}" ]; then
  awk -v g="$(value growth_percent)" -v m="$MAX_GROWTH" 'BEGIN { printf "growth under %s%%: %s\n", m, (g < m) ? "PASS" : "FAIL" }'
fi
