#!/usr/bin/env bash
# Builds the libFuzzer targets against the real module sources and runs them.
#
# usage: Fuzz/run.sh [schedule|image|all] [seconds per target]   (default: all, 600)
#   Fuzz/run.sh all 600    the 10-minute run per target
#   Fuzz/run.sh all 30     the brief run CI does (.ci/run: make fuzz FUZZ_SECONDS=30)
# A crash leaves its input as Fuzz/artifacts/<target>/crash-*; replay it with
#   .build/fuzz/bin/fuzz-<target> Fuzz/artifacts/<target>/crash-...
# The modules are built by SwiftPM with coverage instrumentation (-sanitize=fuzzer) and bounds and
# overflow checks on (debug configuration, optimised), in their own build folder; each target's
# main.swift is then linked with them and libFuzzer's driver.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
seconds=${2:-600}
case "$which" in schedule|image) targets=("$which") ;; all) targets=(schedule image) ;;
    *) echo "usage: Fuzz/run.sh [schedule|image|all] [seconds]" >&2; exit 2 ;; esac

build=.build/fuzz
swift build -c debug --build-path "$build" --target Encode \
    -Xswiftc -sanitize=fuzzer -Xswiftc -O >&2
objs=$(ls "$build"/debug/{Net,FrameLoop,Encode}.build/*.o)
libs=$(pkg-config --libs libavformat libavcodec libswscale libavutil libpng16 libturbojpeg)
mkdir -p "$build/bin"
for t in "${targets[@]}"; do
    swiftc -sanitize=fuzzer -parse-as-library -O -module-name "Fuzz_$t" \
        -I "$build/debug/Modules" -I Sources/CDNNL -I Sources/CFFmpeg -I Sources/CPNG -I Sources/CTurboJPEG \
        Fuzz/$t/main.swift $objs -ldnnl $libs -o "$build/bin/fuzz-$t"
done
status=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus" "Fuzz/artifacts/$t"
    echo "fuzzing $t for ${seconds}s (seeds: Fuzz/corpus/$t, working corpus: $corpus)" >&2
    # -rss_limit_mb: a decoder that allocates past the memory limit it was given is a bug too.
    "$build/bin/fuzz-$t" "$corpus" "Fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=1024 \
        -max_len=65536 -dict="Fuzz/$t.dict" -print_final_stats=1 -artifact_prefix="Fuzz/artifacts/$t/" 2>"$build/fuzz-$t.log" \
        || { status=1; echo "fuzz-$t FAILED; see $build/fuzz-$t.log and Fuzz/artifacts/$t/" >&2; }
    grep -E "^stat::number_of_executed_units|^Done|^#[0-9]+.*DONE" "$build/fuzz-$t.log" >&2 || true
done
exit $status
