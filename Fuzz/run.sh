#!/usr/bin/env bash
# Builds the libFuzzer targets against the real module sources, with AddressSanitizer, and runs them.
#
# usage: Fuzz/run.sh [TARGET|all] [seconds per target]   (default: all, 600)
#   targets: schedule image checkpoint weights video metrics
#   Fuzz/run.sh all 600    the 10-minute run per target (make fuzz)
#   Fuzz/run.sh all 30     the brief run CI does (.ci/run: make fuzz FUZZ_SECONDS=30)
# A crash leaves its input as Fuzz/artifacts/<target>/crash-* (git-ignored); replay it with
#   .build/fuzz/bin/fuzz-<target> Fuzz/artifacts/<target>/crash-...
# The modules are built by SwiftPM with coverage instrumentation and AddressSanitizer
# (-sanitize=fuzzer,address) and with bounds and overflow checks on (debug configuration, optimised),
# in their own build folder; each target's main.swift is then linked with them and libFuzzer's driver.
# ASan reports what a bounds check cannot see: an out-of-bounds read through an unsafe pointer (the
# image loops), a use after free, a C library reading past a buffer we gave it.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(schedule image checkpoint weights video metrics)
which=${1:-all}
seconds=${2:-600}
if [ "$which" = all ]; then targets=("${all[@]}")
elif [[ " ${all[*]} " == *" $which "* ]]; then targets=("$which")
else echo "usage: Fuzz/run.sh [${all[*]// /|}|all] [seconds]" >&2; exit 2; fi

build=.build/fuzz
sanitize=-sanitize=fuzzer,address
# Each target links only the modules it imports (and what they depend on): the schedule, image, video and
# metrics targets link neither Net nor oneDNN.
swift build -c debug --build-path "$build" --target Media -Xswiftc "$sanitize" -Xswiftc -O >&2
swift build -c debug --build-path "$build" --target FrameLoop -Xswiftc "$sanitize" -Xswiftc -O >&2
media_libs=$(pkg-config --libs libavformat libavcodec libswscale libavutil libpng16 libturbojpeg)
# Net's SHA-256 is swift-crypto's: its Swift module and the BoringSSL objects under it.
crypto="Crypto CryptoBoringWrapper CCryptoBoringSSLShims CCryptoBoringSSL"
mkdir -p "$build/bin"
for t in "${targets[@]}"; do
    case $t in
        schedule) modules="Files Imaging Schedule"; libs= ;;
        image|video) modules="Files Imaging Media"; libs=$media_libs ;;
        weights) modules="Files Net $crypto"; libs=-ldnnl ;;
        checkpoint) modules="Files Imaging Schedule Net FrameLoop $crypto"; libs=-ldnnl ;;
        metrics) modules="Imaging"; libs= ;;
    esac
    # A Swift module's objects are those of the sources SwiftPM compiled this time (its `sources` list):
    # objects of files since moved to another module stay in the old folder and must not be linked.
    objs=$(for m in $modules; do
        if [ -f "$build/debug/$m.build/sources" ]; then
            while read -r src; do src=${src#\'}; src=${src%\'}; echo "$build/debug/$m.build/$(basename "$src").o"; done < "$build/debug/$m.build/sources"
        else
            find "$build/debug/$m.build" -name '*.o'
        fi
    done)
    swiftc "$sanitize" -parse-as-library -O -module-name "Fuzz_$t" \
        -I "$build/debug/Modules" -I Sources/CDNNL -I Sources/CFFmpeg -I Sources/CPNG -I Sources/CTurboJPEG \
        Fuzz/$t/main.swift $objs $libs -o "$build/bin/fuzz-$t"
done
# detect_leaks=0: FFmpeg and libpng keep small one-time tables for the process's life; a leak per input
# would show as growing memory, which -rss_limit_mb catches.
# The Swift runtime's own backtracer would hold a crash for many seconds; libFuzzer reports it.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
status=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus" "Fuzz/artifacts/$t"
    dict=(); [ -f "Fuzz/$t.dict" ] && dict=(-dict="Fuzz/$t.dict")
    echo "fuzzing $t for ${seconds}s (seeds: Fuzz/corpus/$t, working corpus: $corpus)" >&2
    # -rss_limit_mb (also the largest single allocation): a decoder that allocates past the memory
    # limit it was given is a bug too. 2048 leaves room for ASan's own shadow memory and quarantine.
    "$build/bin/fuzz-$t" "$corpus" "Fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -max_len=65536 "${dict[@]}" -print_final_stats=1 -artifact_prefix="Fuzz/artifacts/$t/" 2>"$build/fuzz-$t.log" \
        || { status=1; echo "fuzz-$t FAILED; see $build/fuzz-$t.log and Fuzz/artifacts/$t/" >&2; }
    grep -E "^stat::number_of_executed_units|^Done|^#[0-9]+.*DONE" "$build/fuzz-$t.log" >&2 || true
    echo "  corpus: $(ls "$corpus" | wc -l) inputs" >&2
done
exit $status
