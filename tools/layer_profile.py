#!/usr/bin/env python3
"""Where a dream step's time goes, primitive by primitive: runs `dreamvideo bench` with oneDNN's
verbose mode (ONEDNN_VERBOSE=1 prints each execution with its time) and sums the executions of every
primitive (kind, kernel, forward or backward, shape) per step, the warm-up step left out.

Usage: tools/layer_profile.py [--bin .build/release/dreamvideo] [--top 30] [bench options...]
  e.g. tools/layer_profile.py --threads 2 --precision bf16 --layer mixed_5 --size 640x360
Standard library only. Verbose printing adds a little to each execution: compare runs of this tool
with each other, not with `make bench`. The convolutions' GFLOP/s by algorithm (FLOP as direct
convolution counts them) can be read against the cores' peak from tools/peak_flops.c.
"""
import collections
import os
import re
import subprocess
import sys


def main(argv):
    binary, top, rest = ".build/release/dreamvideo", 30, []
    i = 0
    while i < len(argv):
        if argv[i] == "--bin":
            binary, i = argv[i + 1], i + 2
        elif argv[i] == "--top":
            top, i = int(argv[i + 1]), i + 2
        else:
            rest.append(argv[i])
            i += 1
    if not any(a == "--model" for a in rest):
        rest = ["--model", "inception_v3", "--layer", "mixed_5", "--size", "640x360"] + rest
    iterations = 4
    cmd = [binary, "bench", "--iterations", str(iterations)] + rest
    env = dict(os.environ, ONEDNN_VERBOSE="1")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{out.stderr.strip()}")
    steps = iterations + 1
    runs = collections.defaultdict(list)
    summary = {}
    for line in out.stdout.splitlines():
        if line.startswith("onednn_verbose,exec,"):
            f = line.split(",")
            # kind, kernel, propagation, problem (shapes); the time in ms is last.
            runs[(f[3], f[4], f[5], f[-2])].append(float(f[-1]))
        elif ": " in line and not line.startswith("onednn_verbose"):
            k, v = line.split(": ", 1)
            summary[k] = v
    per_step = []
    for key, times in runs.items():
        if len(times) < steps:
            continue  # built once (weights), not part of a step
        n = len(times) // steps
        per_step.append((sum(times[-n * (steps - 1):]) / (steps - 1), n, key))
    total = sum(t for t, _, _ in per_step)
    print(f"{' '.join(cmd[1:])}: {total:.1f} ms a step in primitives "
          f"(bench median {summary.get('median_ms_per_iteration', '?')} ms with verbose printing)")
    kinds = collections.Counter()
    for t, _, (kind, _, prop, _) in per_step:
        kinds[f"{kind} {prop}"] += t
    for k, t in kinds.most_common():
        print(f"  {t:8.2f} ms {100 * t / total:5.1f}%  {k}")
    # Convolutions' arithmetic rate by algorithm, FLOP counted as direct convolution does them (2 per
    # multiply-add), to read against tools/peak_flops.c: Winograd does fewer multiplies, so its rate
    # can pass the peak.
    rates = collections.defaultdict(lambda: [0.0, 0])
    for t, n, (kind, impl, _, problem) in per_step:
        if kind == "convolution":
            d = dict((k, int(v)) for k, v in re.findall(r"([a-z]+)(\d+)", problem))
            flop = 2 * d["oh"] * d["ow"] * d["oc"] * d["ic"] // d.get("g", 1) * d["kh"] * d["kw"] * n
            r = rates["winograd" if "wino" in impl else "direct"]
            r[0] += t
            r[1] += flop
    for name, (t, flop) in sorted(rates.items()):
        print(f"  convolutions, {name}: {t:.1f} ms, {flop / 1e9:.2f} GFLOP, {flop / t / 1e6:.0f} GFLOP/s")
    print(f"the {top} costliest primitives (ms a step, executions a step):")
    for t, n, (kind, impl, prop, problem) in sorted(per_step, reverse=True)[:top]:
        print(f"  {t:8.2f} x{n:<2} {kind} {prop} {impl} {problem}")


if __name__ == "__main__":
    main(sys.argv[1:])
