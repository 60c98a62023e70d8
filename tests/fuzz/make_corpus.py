#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/), which are committed.

Each seed is a readable case encoded in the target's input format, so that fuzzing starts from
valid problems and the edges around them rather than from noise:
  geometry: op byte, seed byte, then integers in FuzzInput's encoding (fuzz_input.hpp): a tag byte
            0..19 for the values -2..17, or 0xF0 followed by 8 little-endian bytes for any value.
  npy:      .npy files of every accepted form and of the rejected forms next to them, built by
            hand (no NumPy needed); with NumPy importable, a few np.save files are added too.
  idx:      IDX files, plain and gzip, accepted and refused (see tests/fuzz/idx_fuzz.cpp).
  keras_json: the smaller Keras models of tests/analysis/keras_models, minified (under 4096 bytes,
            scripts/fuzz.sh's -max_len), and the unsafe ones that must be refused.
  model_spec: spec strings of every layer type, the docs' examples and some mistakes.
  checkpoint: a 2-byte little-endian manifest length, the manifest, the data file.
Run: python3 tests/fuzz/make_corpus.py [TARGET...]   (default: all). It writes these seeds and
keeps the other files of the folders: inputs the fuzzer found, committed as they were.
"""
import base64
import gzip
import json
import pathlib
import struct
import sys
import zlib

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

CONV, DEPTHWISE, POOL, TRANSPOSE, CONV1D = range(5)
VALID, SAME, EXPLICIT = 0, 1, 2


def integer(v):
    if -2 <= v <= 17:
        return bytes([v + 2])
    return bytes([0xF0]) + struct.pack("<q", v)


def ints(*values):
    return b"".join(integer(v) for v in values)


def int_list(values):
    return bytes([len(values)]) + ints(*values)


def padding(kind, pads=()):
    return bytes([kind]) + ints(*pads)


def conv(inp, flt, strides=(1,), dilation=(1,), pad=(VALID,), groups=1, bias=0, relu=0, seed=1):
    return (bytes([CONV, seed]) + ints(*inp) + ints(*flt) + int_list(strides) + int_list(dilation)
            + padding(pad[0], pad[1:]) + ints(groups) + bytes([bias, relu]))


def depthwise(inp, flt, strides=(1,), dilation=(1,), pad=(VALID,), seed=2):
    return (bytes([DEPTHWISE, seed]) + ints(*inp) + ints(*flt) + int_list(strides)
            + int_list(dilation) + padding(pad[0], pad[1:]))


def pool(inp, size, strides=None, pad=(VALID,), seed=3):
    s = bytes([0]) if strides is None else bytes([1]) + int_list(strides)
    return bytes([POOL, seed]) + ints(*inp) + int_list(size) + s + padding(pad[0], pad[1:])


def transpose(inp, flt, strides=(1,), dilation=(1,), pad=(VALID,), output_padding=None,
              output_size=None, seed=4):
    extras = (1 if output_padding else 0) | (2 if output_size else 0)
    out = (bytes([TRANSPOSE, seed]) + ints(*inp) + ints(*flt) + int_list(strides)
           + int_list(dilation) + padding(pad[0], pad[1:]) + bytes([extras]))
    if output_padding:
        out += ints(*output_padding)
    if output_size:
        out += ints(*output_size)
    return out


def conv1d(inp, flt, stride=1, dilation=1, pad=(VALID,), groups=1, seed=5):
    kind = {VALID: 0, SAME: 1, "causal": 2, EXPLICIT: 3}[pad[0]]
    return (bytes([CONV1D, seed]) + ints(*inp) + ints(*flt) + ints(stride, dilation)
            + bytes([kind]) + ints(*pad[1:]) + ints(groups))


BIG = 2**62
GEOMETRY = {
    "conv_valid_stride2": conv((1, 7, 7, 3), (3, 3, 3, 4), strides=(2,)),
    "conv_same_even": conv((2, 6, 8, 2), (3, 3, 2, 5), strides=(2, 3), pad=(SAME,), bias=1),
    "conv_explicit_dilated": conv((1, 9, 9, 2), (3, 2, 2, 3), dilation=(2, 3),
                                  pad=(EXPLICIT, 1, 2, 0, 3), relu=1),
    "conv_groups": conv((1, 5, 5, 4), (3, 3, 2, 6), groups=2, pad=(SAME,)),
    "conv_stride_4form": conv((1, 8, 8, 1), (2, 2, 1, 1), strides=(1, 2, 2, 1)),
    "conv_stride_gt_kernel": conv((1, 11, 11, 1), (2, 2, 1, 2), strides=(4,)),
    "conv_kernel_eq_input": conv((1, 4, 4, 3), (4, 4, 3, 2)),
    "conv_empty_batch": conv((0, 5, 5, 2), (3, 3, 2, 4)),
    "conv_zero_stride": conv((1, 5, 5, 1), (3, 3, 1, 1), strides=(0,)),
    "conv_huge_stride_same": conv((1, 5, 5, 1), (3, 3, 1, 1), strides=(2**63 - 1,), pad=(SAME,)),
    "conv_huge_kernel_same": conv((1, 5, 5, 1), (BIG, 1, 1, 1), pad=(SAME,)),
    "conv_overflow_channels": conv((1, 2, 2, 6), (1, 1, BIG, 3), groups=3),
    "depthwise_same": depthwise((1, 6, 5, 3), (3, 3, 3, 2), strides=(2,), pad=(SAME,)),
    "depthwise_dilated": depthwise((2, 9, 9, 2), (2, 3, 2, 1), dilation=(2,)),
    "depthwise_zero_channels": depthwise((1, 3, 3, 0), (1, 1, 0, 1)),
    "pool_default_strides": pool((1, 6, 6, 2), (2,)),
    "pool_same_odd": pool((2, 7, 5, 3), (3, 2), strides=(2,), pad=(SAME,)),
    "pool_stride_gt_pool": pool((1, 9, 9, 1), (2,), strides=(3,), pad=(SAME,)),
    "pool_explicit_refused": pool((1, 4, 4, 1), (2,), pad=(EXPLICIT, 1, 1, 1, 1)),
    "pool_huge_window_same": pool((1, 3, 3, 1), (2**20,), strides=(1,), pad=(SAME,)),
    "transpose_valid_stride2": transpose((1, 3, 3, 2), (3, 3, 4, 2), strides=(2,)),
    "transpose_same_output_padding": transpose((1, 4, 3, 1), (3, 3, 2, 1), strides=(2,),
                                               pad=(SAME,), output_padding=(1, 0)),
    "transpose_output_size": transpose((2, 3, 3, 1), (2, 2, 1, 1), strides=(3,),
                                       output_size=(9, 8)),
    "transpose_explicit_dilated": transpose((1, 2, 4, 1), (3, 2, 1, 1), strides=(2, 1),
                                            dilation=(2,), pad=(EXPLICIT, 1, 0, 2, 1)),
    "conv1d_causal": conv1d((1, 9, 2), (3, 2, 3), dilation=2, pad=("causal",)),
    "conv1d_same_stride": conv1d((2, 10, 4), (4, 2, 2), stride=3, pad=(SAME,), groups=2),
    "conv1d_explicit": conv1d((1, 5, 1), (2, 1, 1), pad=(EXPLICIT, 3, 0)),
    # Inputs the fuzzer found, kept so that every run replays them.
    "found_conv1d_huge_stride_two_channels": conv1d((1, 9, 2), (3, 2, 3),
                                                    stride=6891991767705452543, dilation=9,
                                                    pad=("causal",)),
    # conv1d [5, 1, 17] * [17, 17, 2], explicit pads (2^60 + 3, 3): columns entirely in padding.
    "found_conv1d_window_in_padding_only": bytes.fromhex(
        "2c01a78f3b3b3b40ff040c4024400440578f8fef030567050408446e"),
    # Conv2D whose dilation leaves one valid filter row: the tile's filter-row step overflowed.
    "conv_huge_dilation_one_valid_row": bytes.fromhex(
        "00010306260506060504011301ffff54ed92d065830704032d250503040303030403feffffff54ed"),
    # Empty outputs over a huge extent: the oracle once looped over their positions.
    "found_empty_output_huge_extent_1": bytes.fromhex(
        "03ffffffffffff00000404022a03040403030131cecdcd310c0b03fd02fffb000b0a"),
    "found_empty_output_huge_extent_2": bytes.fromhex("02030305ff02070400ffff0201028e"),
    # depthwise [1, 6, 5, 3] * [3, 3, 3, 10], width stride 577306298220019711, dilation 3, explicit
    # pads (3, 3, 2, ~5.1e18): nine columns, eight of them in the padding only; their pointer step
    # (stride x channels) overflowed before it was asked for only where pixels read input.
    "found_depthwise_long_stride_padding_only": base64.b64decode(
        "AQIDCAcFBQUFhAH//////wQBAwgHBQUFBQT///9U/0WlX0elAwE="),
    # Found once the fuzzer ran the Conv2D backward kernels: a depthwise layer of an empty batch
    # whose image is 2^61 wide (its plan was sized by one image), a problem without products whose
    # reference walked every output position, and a dilation far beyond a 3x3 input (the
    # few-channel filter gradient's padded copy asked for 7 GB).
    "found_backward_empty_batch_wide_image": base64.b64decode("D+XQp///////sywrLCssKysmKyss"),
    "found_backward_no_products_long_output": base64.b64decode("uStc1dArKywrXSsrKysrKysqKyvw"),
    "found_backward_dilation_far_beyond_input": base64.b64decode(
        "uaOzWystuSstbgEGK+Z9KyswqzMr+GArKy0r4DMrbgEG"),
    # conv2d [1, 0, 2^32 - 1, 1] * [1, 1, 1, 302], explicit pads (8, 1, 1, 17): an input of no
    # values whose padding gives two output columns; the depthwise plan was sized by its width.
    "found_backward_input_of_no_rows": base64.b64decode(
        "uW+jFtUrKyvL4i4y19Sjb7kyK6Oz"),
}


def npy(header, data=b"", major=1, minor=0, pad=True):
    text = header.encode("latin-1")
    size_field = 2 if major == 1 else 4
    if pad:  # as np.save: spaces and a newline so that the data starts at a multiple of 64
        total = 6 + 2 + size_field + len(text) + 1
        text += b" " * (-total % 64) + b"\n"
    length = struct.pack("<H" if major == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([major, minor]) + length + text + data


def header(descr, shape, fortran=False):
    return "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


def f4(*values):
    return struct.pack("<%df" % len(values), *values)


def f8(*values):
    return struct.pack("<%dd" % len(values), *values)


NPY = {
    "f4_2x3": npy(header("<f4", "(2, 3)"), f4(1, 2, 3, 4, 5, 6)),
    "f4_nhwc": npy(header("<f4", "(1, 2, 2, 1)"), f4(0.5, -1, float("nan"), float("inf"))),
    "f4_scalar": npy(header("<f4", "()"), f4(7)),
    "f4_empty": npy(header("<f4", "(0,)")),
    "f4_zero_dims": npy(header("<f4", "(3, 0, 2)")),
    "f8_rounding": npy(header("<f8", "(3,)"), f8(1e300, -1e-300, 0.1)),
    "v2_header": npy(header("<f4", "(2,)"), f4(1, 2), major=2),
    "v3_header": npy(header("<f4", "(1,)"), f4(3), major=3),
    "double_quotes_no_trailing_comma": npy(
        '{"descr": "<f4", "shape": (2,), "fortran_order": False}', f4(1, 2)),
    "python2_long": npy(header("<f4", "(2L, 1L)"), f4(1, 2)),
    "fortran_refused": npy(header("<f4", "(2, 2)", fortran=True), f4(1, 2, 3, 4)),
    "big_endian_refused": npy(header(">f4", "(1,)"), struct.pack(">f", 1)),
    "object_refused": npy(header("|O", "(1,)"), b"\x80\x04N."),
    "int_refused": npy(header("<i4", "(2,)"), struct.pack("<2i", 1, 2)),
    "structured_refused": npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                              f4(1)),
    "truncated_data": npy(header("<f4", "(4,)"), f4(1, 2)),
    "huge_shape_tiny_file": npy(header("<f4", "(1000000000, 1000000000, 2)")),
    "overflowing_shape": npy(header("<f4", "(4294967296, 4294967296, 4294967296)")),
    "nine_dims_refused": npy(header("<f4", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), f4(1)),
    "bad_version": npy(header("<f4", "(1,)"), f4(1), major=4),
    "header_past_end": b"\x93NUMPY\x01\x00\xff\xff{'descr'",
    "not_npy": b"PK\x03\x04 this is a zip file",
}


def numpy_seeds():
    try:
        import io
        import numpy as np
    except ImportError:
        return {}
    seeds = {}
    for name, array in {
        "np_f4_4d": np.arange(24, dtype="<f4").reshape(1, 2, 3, 4),
        "np_f8_2d": np.linspace(-1, 1, 6).reshape(2, 3),
        "np_object_pickle": np.array([{"a": 1}, None], dtype=object),
    }.items():
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=True)
        seeds[name] = buffer.getvalue()
    return seeds


def write(target, seeds):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(seeds.items()):
        (folder / name).write_bytes(data)
    kept = sum(1 for f in folder.iterdir() if f.name not in seeds)
    print(f"{folder}: {len(seeds)} seeds written, {kept} other files kept")


def idx(type_code, dims, data=b"", rank=None):
    rank = len(dims) if rank is None else rank
    return bytes([0, 0, type_code, rank]) + b"".join(struct.pack(">I", d) for d in dims) + data


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


LABELS = idx(0x08, [10], bytes([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]))
IMAGES = idx(0x08, [2, 3, 3], bytes(range(0, 180, 10)))
IDX = {
    "u8_labels": LABELS,
    "u8_images": IMAGES,
    "u8_images_gz": gz(IMAGES),
    "u8_labels_gz": gz(LABELS),
    "u8_two_gzip_members": gz(IMAGES[:9]) + gz(IMAGES[9:]),
    "u8_zero_extent": idx(0x08, [0, 28, 28]),
    "u8_rank4": idx(0x08, [1, 2, 2, 1], bytes([1, 2, 3, 4])),
    "i8_refused": idx(0x09, [2], b"\xff\x01"),
    "i16_refused_gz": gz(idx(0x0B, [2], b"\x00\x01\xff\xfe")),
    "i32_refused": idx(0x0C, [1], b"\x00\x00\x00\x07"),
    "f32_refused": idx(0x0D, [2], struct.pack(">2f", 1.5, -2)),
    "f64_refused": idx(0x0E, [1], struct.pack(">d", 0.25)),
    "bad_magic": b"\x00\x01\x08\x01\x00\x00\x00\x01\x00",
    "unknown_type": idx(0x0A, [1], b"\x00"),
    "rank0": idx(0x08, []),
    "rank9": idx(0x08, [1] * 9, b"\x00"),
    "truncated_dims": idx(0x08, [2, 3])[:9],
    "truncated_data": idx(0x08, [2, 3], b"\x01\x02"),
    "trailing_data": idx(0x08, [1], b"\x01\x02"),
    "overflow_dims": idx(0x08, [0xFFFFFFFF] * 3),
    "overflow_f64": idx(0x0E, [0x80000000, 0x80000000]),
    "huge_declared_gz": gz(idx(0x08, [60000, 28, 28], b"\x00" * 16)),
    "bomb_gz": gz(idx(0x08, [16], bytes(64 << 10))),
    "cut_gz": gz(LABELS)[:-5],
    "bad_crc_gz": gz(LABELS)[:-8] + b"\xde\xad\xbe\xef" + gz(LABELS)[-4:],
    "garbage_after_gz": gz(LABELS) + b"\x00\x00junk",
    "empty": b"",
}

KERAS_MODELS = HERE.parent / "analysis" / "keras_models"


def keras_json_seeds():
    seeds = {}
    for path in sorted(KERAS_MODELS.glob("*.json")) + sorted((KERAS_MODELS / "unsafe").glob("*.json")):
        if path.name.endswith(".expected.json") or path.name == "manifest.json":
            continue
        text = json.dumps(json.loads(path.read_text()), separators=(",", ":")).encode()
        if len(text) <= 4096:
            seeds[path.stem] = text
    seeds["not_an_object"] = b"[1, 2, 3]"
    seeds["deep"] = b"[" * 100 + b"]" * 100
    seeds["bad_json"] = b'{"class_name": "Sequential", "config": {"layers": [}'
    return seeds


MODEL_SPEC = {
    "docs_intro": "input(28,28,1)\nconv(32, 3, strides=2, padding=same, activation=relu)\n"
                  "maxpool(2)\nconv(64, 3, padding=same, activation=relu)\ngap\n"
                  "dense(10, activation=softmax)\n",
    "docs_residual": "input(32,32,16)\na: conv(16, 3, padding=same, activation=relu)\n"
                     "b: conv(16, 3, padding=same)\nsum: add(input_layer, b)\nrelu\n",
    "docs_error": "input(8,8,1); conv(4,3,stride=2)",
    "fashion_cnn": "input(28,28,1); conv(32,3,padding=same,activation=relu); "
                   "conv(64,3,strides=2,padding=same,activation=relu); "
                   "conv(64,3,strides=2,padding=same,activation=relu); flatten; dense(10)",
    "branches": "input(28,28,1); c1: conv(32,3,strides=2,padding=same,activation=relu); "
                "maxpool(2); conv(64,3,from=c1); add(a,b); concat(a,b,axis=-1); gap; dense(10)",
    "every_2d_layer": "input(17,15,4); zeropad(1x2); conv(8,3x2,strides=2x1,padding=valid,"
                      "dilation=1,groups=2,bias=false); bn(center=false); relu6; "
                      "dwconv(3,multiplier=2,padding=same); sepconv(8,3,dilation=2,padding=same); "
                      "deconv(4,3,strides=2,padding=same,output_padding=1); crop(1x0x2x1); "
                      "upsample(2); avgpool(3,strides=2,padding=same); dropout(0.25); "
                      "activation(gelu); sigmoid; tanh; conv(4,1,padding=1x1x0x2); gmp; "
                      "softmax",
    "conv1d": "input(50,3); conv1d(8,5,padding=causal,dilation=2); maxpool1d(2); "
              "avgpool1d(3,strides=1,padding=same); conv1d(4,3,strides=2); gap1d; dense(2)",
    "gmp1d_end_point": "input(9,2)  # comment\nx: conv1d(2,2,end_point=net/conv1); gmp1d",
    "explicit_pads": "input(5,5,1); conv(1,3,padding=0x1x2x0,strides=3)",
    "bad_merge": "input(4,4,1); a: conv(2,1); b: conv(3,1,from=input_layer); add(a,b)",
    "huge_values": "input(9223372036854775807,2,1); conv(4611686018427387904,3)",
    "negative": "input(4,-4,1); maxpool(0)",
    "unknown_key": "input(8,8,1); conv(4,3,foo=1)",
    "empty": "",
    # Inputs the fuzzer found, kept so that every run replays them: equal explicit conv pads were
    # formatted as `padding=0`, which does not parse back.
    "found_conv_equal_explicit_pads": "input(5,5,1); conv(1,3,padding=0x0,strides=2)",
}


def checkpoint(manifest, data):
    text = manifest if isinstance(manifest, bytes) else json.dumps(manifest, indent=1).encode()
    return struct.pack("<H", len(text)) + text + data


def manifest(tensors, data, **changes):
    doc = {"format": "strider-checkpoint", "version": 1,
           "model_spec": "input(4,4,1); conv(2,3); flatten; dense(3)",
           "metadata": {"epoch": 2, "seed": 7, "optimizer": {"name": "adam", "lr": 0.001},
                        "history": [{"loss": 0.5, "accuracy": 0.8}]},
           "data_file": "tensors-0123456789abcdef.bin", "data_bytes": len(data),
           "data_crc32": zlib.crc32(data), "tensors": []}
    offset = 0
    for name, shape in tensors:
        size = 4
        for extent in shape:
            size *= extent
        doc["tensors"].append({"name": name, "dtype": "float32", "shape": shape,
                               "offset": offset, "bytes": size})
        offset += size
    doc.update(changes)
    return doc


CKPT_TENSORS = [("conv2d/kernel", [3, 3, 1, 2]), ("conv2d/bias", [2]), ("step", []),
                ("empty", [0, 3])]
CKPT_DATA = struct.pack("<21f", *[i * 0.5 - 3 for i in range(21)])
CKPT_GOOD = manifest(CKPT_TENSORS, CKPT_DATA)


def changed_tensor(index, **changes):
    doc = json.loads(json.dumps(CKPT_GOOD))
    doc["tensors"][index].update(changes)
    return doc


CHECKPOINT = {
    "good": checkpoint(CKPT_GOOD, CKPT_DATA),
    "good_empty": checkpoint(manifest([], b""), b""),
    "bad_crc": checkpoint(CKPT_GOOD, CKPT_DATA[:-1] + b"\x01"),
    "short_data": checkpoint(CKPT_GOOD, CKPT_DATA[:-4]),
    "version2": checkpoint(manifest(CKPT_TENSORS, CKPT_DATA, version=2), CKPT_DATA),
    "other_format": checkpoint(manifest(CKPT_TENSORS, CKPT_DATA, format="keras"), CKPT_DATA),
    "duplicate_names": checkpoint(changed_tensor(1, name="conv2d/kernel"), CKPT_DATA),
    "bad_offset": checkpoint(changed_tensor(1, offset=0), CKPT_DATA),
    "bad_bytes": checkpoint(changed_tensor(0, bytes=7), CKPT_DATA),
    "overflow_shape": checkpoint(changed_tensor(0, shape=[2**32, 2**32, 2]), CKPT_DATA),
    "negative_extent": checkpoint(changed_tensor(0, shape=[3, -3, 1, 2]), CKPT_DATA),
    "traversal": checkpoint(manifest(CKPT_TENSORS, CKPT_DATA, data_file="../tensors-x.bin"),
                            CKPT_DATA),
    "bad_json": checkpoint(b'{"format": "strider-checkpoint", "version": 1, "tensors": [', b""),
    "deep_metadata": checkpoint(json.dumps(CKPT_GOOD)[:-1].encode() + b', "x": ' + b"[" * 80
                                + b"]" * 80 + b"}", CKPT_DATA),
}

TARGETS = {
    "geometry": lambda: GEOMETRY,
    "npy": lambda: {**NPY, **numpy_seeds()},
    "idx": lambda: IDX,
    "keras_json": keras_json_seeds,
    "model_spec": lambda: {k: v.encode() for k, v in MODEL_SPEC.items()},
    "checkpoint": lambda: CHECKPOINT,
}

if __name__ == "__main__":
    for target in sys.argv[1:] or TARGETS:
        write(target, TARGETS[target]())
