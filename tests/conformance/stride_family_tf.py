#!/usr/bin/env python3
# stride_family_tf.py - TensorFlow oracle for the rest of Strider's stride family: max and average
# pooling, transposed convolution, depthwise and separable convolution, and 1-D convolution.
# The conv2d oracle is conv2d_tf.py; both share tf_oracle_common.py.
#
# Draws random configurations per op, computes the expected output with TensorFlow / Keras 3
# (pinned: tensorflow-cpu==2.20.0, which brings keras 3; see requirements.txt beside this file),
# writes them as case directories and checks Strider's CLI (where the op has a command) and its
# library runner (`strider_conformance OP DIR`) against them. Python 3.11, eager mode, CPU.
#
# Ops (the OP argument; the C++ runner takes the same names):
#   max_pool, avg_pool, conv_transpose, depthwise, separable, conv1d
#
# Command lines (from the repository root, with the venv that holds requirements.txt):
#   # random cases into a directory (for debugging or for the library runner alone)
#   .venv/bin/python tests/conformance/stride_family_tf.py generate --op depthwise \
#       --out /tmp/cases --count 20 --seed 1
#   build/bin/strider_conformance depthwise /tmp/cases
#   # the full sweep for one op: CLI pass (max_pool, avg_pool, conv_transpose, depthwise only)
#   # + library pass over 200 fresh cases
#   .venv/bin/python tests/conformance/stride_family_tf.py sweep --op conv_transpose \
#       --cli build/bin/strider --runner build/bin/strider_conformance --count 200 --seed 2026
#   # one pass only: an empty --runner skips the library pass, an empty --cli the CLI pass
#   .venv/bin/python tests/conformance/stride_family_tf.py sweep --op max_pool \
#       --cli build/bin/strider --runner '' --count 200 --seed 1
#   # sweep over existing cases (e.g. the committed fixtures) instead of fresh ones
#   .venv/bin/python tests/conformance/stride_family_tf.py sweep --op separable \
#       --cli build/bin/strider --runner build/bin/strider_conformance \
#       --cases tests/conformance/fixtures/separable
#   # regenerate the committed fixtures (small tensors, fixed coverage list + random fill), per op
#   .venv/bin/python tests/conformance/stride_family_tf.py fixtures --op conv1d \
#       --out tests/conformance/fixtures/conv1d --count 30 --seed 7
#   # check the oracle itself: TF/Keras vs the fallback formulations vs float64 numpy ('all' ops)
#   .venv/bin/python tests/conformance/stride_family_tf.py selfcheck --op all --count 100 --seed 1
#
# CLI commands of the CLI pass (the args.txt flags are passed verbatim, except that for about a
# third of the cases --strides is rewritten into the 's' (equal) or '1,sh,sw,1' form and an equal
# --dilation pair sometimes into 'd'):
#   max_pool/avg_pool: strider pool --input X <args.txt flags: --op max|avg ...> --output Y
#   conv_transpose:    strider conv-transpose --input X --filter W [--bias B] <flags> --output Y
#   depthwise:         strider depthwise --input X --filter W [--bias B] <flags> --output Y
#   separable, conv1d: no CLI command; the sweep runs the library pass only.
#
# Case directory format (DIR/case_0000, DIR/case_0001, ...; float32 everywhere; every tensor
# NHWC / NLC; DIR/manifest.json lists each case's parameters, shapes and the oracle route):
#   max_pool, avg_pool  input.npy [N,H,W,C], expected.npy
#       args.txt: --op max|avg --pool PH,PW --strides SH,SW --padding valid|same
#       oracle:   tf.nn.max_pool2d / tf.nn.avg_pool2d(x, ksize [1,PH,PW,1], strides [1,SH,SW,1])
#   conv_transpose      input.npy [N,H,W,Cin], filter.npy [kh,kw,Cout,Cin] (tf.nn.conv2d_transpose's
#                       layout), bias.npy [Cout] (optional), expected.npy [N,OH,OW,Cout]
#       args.txt: --strides SH,SW --padding valid|same --dilation DH,DW --output-shape N,OH,OW,Cout
#                 [--output-padding PH,PW]
#       oracle:   tf.nn.conv2d_transpose(x, w, [N,OH,OW,Cout], strides, padding, dilations) + bias
#       The output size is one TensorFlow accepts: VALID: floor((O - ke) / s) + 1 == in, i.e.
#       O in [(in-1)*s + ke, (in-1)*s + ke + s - 1]; SAME: ceil(O / s) == in, i.e.
#       O in [(in-1)*s + 1, in*s] (ke = (k-1)*d + 1), drawn uniformly. In about half the cases it
#       comes from Keras's output_padding rule instead, and --output-padding P is written too:
#       VALID: (in-1)*s + ke + p; SAME: (in-1)*s + ke - 2*(ke//2) + p; 0 <= p < s, with p drawn
#       among the values whose size lies in the range above (SAME with an even ke needs p >= 1).
#   depthwise           input.npy [N,H,W,C], filter.npy [kh,kw,C,M], bias.npy [C*M] (optional),
#                       expected.npy [N,OH,OW,C*M] (output channel c*M + m reads input channel c)
#       args.txt: --strides SH,SW --padding valid|same|T,B,L,R --dilation DH,DW
#                 --activation linear|relu
#       oracle:   tf.nn.depthwise_conv2d(x, w, [1,SH,SW,1], padding, dilations [DH,DW]) + bias,
#                 activation; or the grouped tf.nn.conv2d below
#   separable           input.npy [N,H,W,C], filter.npy [kh,kw,C,M] (depthwise kernel),
#                       pointwise.npy [1,1,C*M,F], bias.npy [F] (optional), expected.npy [N,OH,OW,F]
#       args.txt: --strides SH,SW --padding valid|same --dilation DH,DW --activation linear|relu
#       oracle:   keras.layers.SeparableConv2D(F, (kh,kw), strides, padding, dilation_rate,
#                 depth_multiplier=M, use_bias, activation), set_weights([filter, pointwise, bias])
#   conv1d              input.npy [N,L,C], filter.npy [k, C/G, F], bias.npy [F] (optional),
#                       expected.npy [N,OL,F]
#       args.txt: --strides S --padding valid|same|causal --dilation D --groups G
#                 --activation linear|relu
#       oracle:   keras.layers.Conv1D(F, k, strides, padding, dilation_rate, groups, activation,
#                 use_bias), set_weights([filter, bias])
#
# Comparison rule (the CLI pass here and the library runner must use the same one): for every
# output element, |strider - tf| <= 1e-5 * S + 1e-6, where S is the same op over absolute values
# (|input|, |filter|, |pointwise|, + |bias|, linear activation): max_pool(|x|), avg_pool(|x|),
# conv_transpose(|x|, |w|) + |b|, and so on. This script computes S in float64 numpy (the
# independent reference below). Shapes must match exactly, the output must be float32, NaN never
# passes.
#
# What TensorFlow 2.20.0 / Keras 3.15.1 refuse (or get wrong) and how the oracle handles it,
# established empirically (tensorflow-cpu 2.20.0, keras 3.15.1, numpy 2.4.6, x86-64, eager) and
# re-checked by `selfcheck` (every route against a float64 numpy implementation of the definition):
#   max_pool / avg_pool
#   * Unequal strides, strides > pool, pool > input under SAME, batch 0, height 0 (SAME): all
#     accepted. avg_pool2d divides by the number of in-bounds cells (SAME padding is excluded:
#     a 3x3 input of ones, pool 2x2, stride 2, SAME -> all ones). Oracle: the direct call always.
#   * VALID with pool > input: TF returns an empty axis (7 rows, pool 9 -> 0 rows); Strider rejects
#     it by design, so the generator redraws it. Explicit padding: avg_pool2d refuses it
#     (TypeError), max_pool2d accepts it; not part of the format, never generated.
#   conv_transpose
#   * Any dilation > 1 is refused by the CPU kernel, with stride 1 as well as with stride > 1,
#     eager and in tf.function: InvalidArgumentError "Current CPU implementations do not yet
#     support dilation rates larger than 1." (Conv2DBackpropInput). Oracle route
#     "dilated-filter": the filter is dilated explicitly (d-1 zero rows/columns between taps) and
#     tf.nn.conv2d_transpose runs with dilation 1, same strides, padding and output shape; exact,
#     because the geometry (VALID range, SAME padding) depends on the effective size ke alone.
#     Keras's Conv2DTranspose calls the same kernel and refuses the same configurations.
#   * An output size outside the ranges above is refused: InvalidArgumentError
#     "Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed". Never generated.
#   * Batch 0 is accepted (output_shape [0, OH, OW, Cout] -> zeros of that shape).
#   * selfcheck also compares Keras 3's Conv2DTranspose(output_padding=...) with the oracle where
#     it runs (dilation 1): same shape (so the output_padding rule above is Keras's) and values;
#     and checks the adjoint identity <conv2d(z, w), x> == <conv_transpose(x, w), z> with
#     TensorFlow's own forward tf.nn.conv2d (which accepts dilation with strides).
#   depthwise
#   * Unequal strides (sh != sw) are refused by the CPU kernel, with any padding:
#     InvalidArgumentError "Current implementation only supports equal length strides in the row
#     and column dimensions." (DepthwiseConv2dNative).
#   * Strides > 1 together with dilation > 1: tf.nn.depthwise_conv2d ACCEPTS the call but returns
#     a WRONG result (it routes dilation through space_to_batch and applies the strides inside):
#     input 11x13, kernel 3x2, strides 2, dilation 2, SAME gives 5x7 instead of 6x7; input 12x12,
#     3x3, strides 2, dilation 2, SAME gives the right shape 6x6 but values off by up to ~15.
#     The raw op DepthwiseConv2dNative refuses any dilation (UnimplementedError). Never used there.
#   * Oracle: tf.nn.depthwise_conv2d only when sh == sw and (strides == 1 or dilation == 1);
#     otherwise route "grouped-conv2d": tf.nn.conv2d(x, filter.reshape(kh, kw, 1, C*M), strides,
#     padding, dilations) with groups = C implied by the input's C channels. The memory layout of
#     [kh,kw,C,M] and [kh,kw,1,C*M] is identical, and grouped conv2d's output channel c*M + m reads
#     input channel c, exactly the depthwise definition; selfcheck confirms it on every accepted
#     case (and counts how often the silently wrong depthwise call would have disagreed).
#   * Explicit padding [[0,0],[T,B],[L,R],[0,0]] is accepted by tf.nn.depthwise_conv2d (equal
#     strides, with or without dilation at stride 1) and by the grouped tf.nn.conv2d.
#   * Batch 0 accepted. VALID/explicit windows that do not fit are redrawn (Strider rejects them).
#   separable
#   * Keras 3.15.1 ACCEPTS strides > 1 together with dilation > 1 (its TF backend decomposes:
#     dilated convolution at stride 1, then subsampling); selfcheck confirms the values.
#   * Unequal strides are refused when Keras reaches tf.nn.separable_conv2d, i.e. unless a stride
#     and a dilation are both > 1 (then the decomposition runs and accepts them):
#     InvalidArgumentError from DepthwiseConv2dNative (equal-strides only), raised at call time.
#     tf.nn.separable_conv2d itself is also silently WRONG for strides > 1 with dilation > 1,
#     like tf.nn.depthwise_conv2d; never used.
#   * Oracle: Keras where it accepts; where it refuses, route "depthwise-pointwise": the grouped
#     tf.nn.conv2d of the depthwise route above, then tf.nn.conv2d with the [1,1,C*M,F] pointwise
#     kernel, + bias, activation -- Keras's own definition (depthwise, then pointwise, then bias);
#     selfcheck compares it with Keras on every case Keras accepts.
#   * Batch 0 accepted.
#   conv1d
#   * keras.layers.Conv1D refuses strides > 1 together with dilation_rate > 1 for every padding
#     (ValueError "`strides > 1` not supported in conjunction with `dilation_rate > 1`", in the
#     constructor). It ACCEPTS causal padding with strides > 1 (left pad (k-1)*d, then VALID) and
#     groups > 1 (Keras compiles grouped convolutions with XLA on the CPU).
#   * Oracle: Keras where it accepts; otherwise route "conv2d-rows": tf.nn.conv2d on the input
#     viewed as [N,1,L,C] with the filter [1,k,C/G,F], strides [1,1,S,1], dilations [1,1,D,1],
#     padding VALID, SAME, or for causal the explicit [[0,0],[0,0],[(k-1)*D,0],[0,0]]; groups
#     implied. tf.nn.conv2d accepts stride with dilation and groups (see conv2d_tf.py); selfcheck
#     compares it with Keras on every case Keras accepts.
#   * Keras refuses length 0 (ValueError) and VALID windows longer than the input (empty output);
#     neither is generated. Batch 0 is accepted.

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import tf_oracle_common as common  # noqa: E402
from tf_oracle_common import compare, dilate_filter, keras_module, same_pads, tf_module  # noqa: E402

TOOL = "stride_family_tf"
OPS = ("max_pool", "avg_pool", "conv_transpose", "depthwise", "separable", "conv1d")
FILE_FLAGS = {"input": "--input", "filter": "--filter", "pointwise": "--pointwise",
              "bias": "--bias"}


def ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def uniform(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, shape).astype(np.float32)


@dataclass(frozen=True)
class Limits:
    max_batch: int = 3
    max_extent: int = 33
    max_channels: int = 8      # C, Cin, or channels per group (conv1d)
    max_mult: int = 3          # depth multiplier M
    max_filters: int = 6       # Cout, F, or filters per group (conv1d)
    max_kernel: int = 5
    max_stride: int = 4
    max_dilation: int = 3
    max_pad: int = 3
    max_groups: int = 3


SWEEP_LIMITS = {
    "pool": Limits(max_batch=3, max_extent=33, max_channels=8, max_kernel=5, max_stride=4),
    "conv_transpose": Limits(max_batch=3, max_extent=12, max_channels=6, max_filters=6,
                             max_kernel=5, max_stride=4, max_dilation=2),
    "depthwise": Limits(max_batch=3, max_extent=33, max_channels=8, max_mult=3, max_kernel=5,
                        max_stride=4, max_dilation=3, max_pad=3),
    "separable": Limits(max_batch=3, max_extent=20, max_channels=6, max_mult=2, max_filters=6,
                        max_kernel=5, max_stride=4, max_dilation=3),
    "conv1d": Limits(max_batch=3, max_extent=40, max_channels=6, max_filters=4, max_kernel=7,
                     max_stride=4, max_dilation=3, max_groups=3),
}
FIXTURE_LIMITS = {
    "pool": Limits(max_batch=2, max_extent=12, max_channels=4, max_kernel=5, max_stride=4),
    # input extent 6 keeps the transposed output small (at most (6-1)*4 + 5*2 - 1 + 3 = 32)
    "conv_transpose": Limits(max_batch=2, max_extent=6, max_channels=4, max_filters=4,
                             max_kernel=5, max_stride=4, max_dilation=2),
    "depthwise": Limits(max_batch=2, max_extent=12, max_channels=4, max_mult=2, max_kernel=5,
                        max_stride=4, max_dilation=3, max_pad=3),
    "separable": Limits(max_batch=2, max_extent=12, max_channels=4, max_mult=2, max_filters=4,
                        max_kernel=5, max_stride=4, max_dilation=3),
    "conv1d": Limits(max_batch=2, max_extent=12, max_channels=4, max_filters=2, max_kernel=7,
                     max_stride=4, max_dilation=3, max_groups=2),
}


# --------------------------------------------------------------------------------------------
# Geometry helpers


def pad_flag(padding: Any) -> str:
    return padding if isinstance(padding, str) else ",".join(str(p) for p in padding)


def parse_padding(text: str, allowed: tuple) -> Any:
    p = text.lower()
    if p in allowed:
        return p
    if "explicit" in allowed:
        vals = tuple(int(v) for v in p.split(","))
        if len(vals) == 4:
            return vals
    raise ValueError(f"padding {text!r} is not one of {allowed}")


def tf_padding_2d(padding: Any):
    if padding in ("valid", "same"):
        return padding.upper()
    t, b, l, r = padding
    return [[0, 0], [t, b], [l, r], [0, 0]]


def axis_out(size: int, k: int, s: int, d: int, padding: Any, before: int = 0,
             after: int = 0) -> int | None:
    """Forward output extent along one axis, or None where Strider rejects the window.
    padding: 'valid' | 'same' | 'causal' | 'explicit' (with before/after)."""
    ek = (k - 1) * d + 1
    if padding in ("same", "causal"):
        return -(-size // s)
    padded = size + before + after
    if ek > padded:
        return None
    return (padded - ek) // s + 1


def pads_2d(padding: Any, h: int, w: int, kh: int, kw: int, sh: int, sw: int, dh: int,
            dw: int) -> tuple[int, int, int, int]:
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        return same_pads(h, kh, sh, dh) + same_pads(w, kw, sw, dw)
    return tuple(padding)


def out_2d(padding: Any, h: int, w: int, kh: int, kw: int, sh: int, sw: int, dh: int,
           dw: int) -> tuple[int, int] | None:
    if isinstance(padding, tuple):
        t, b, l, r = padding
        oh = axis_out(h, kh, sh, dh, "explicit", t, b)
        ow = axis_out(w, kw, sw, dw, "explicit", l, r)
    else:
        oh = axis_out(h, kh, sh, dh, padding)
        ow = axis_out(w, kw, sw, dw, padding)
    return None if oh is None or ow is None else (oh, ow)


def taps_2d(xp: np.ndarray, oh: int, ow: int, kh: int, kw: int, sh: int, sw: int, dh: int,
            dw: int):
    """Yields (a, b, patch) for every filter tap: the [N,oh,ow,C] input cells it reads."""
    for a in range(kh):
        for b in range(kw):
            r0, c0 = a * dh, b * dw
            yield a, b, xp[:, r0:r0 + (oh - 1) * sh + 1:sh, c0:c0 + (ow - 1) * sw + 1:sw]


def finish(y, b, activation: str):
    """+ bias, then the activation; works on TF tensors and numpy arrays alike."""
    if b is not None:
        y = y + b
    if activation == "relu":
        y = np.maximum(y, 0) if isinstance(y, np.ndarray) else tf_module().nn.relu(y)
    return y


# --------------------------------------------------------------------------------------------
# Case records (one dataclass per op family)


class CaseBase:
    def describe(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            if f.name == "tags":
                continue
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = ",".join(str(i) for i in v)
            elif v is None:
                v = "-"
            parts.append(f"{f.name}={v}")
        return " ".join(parts)

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        d["output_shape"] = list(self.output_shape())
        d["args"] = self.args_line()
        return d


@dataclass(frozen=True)
class PoolCase(CaseBase):
    kind: str  # "max" | "avg"
    batch: int
    height: int
    width: int
    channels: int
    ph: int
    pw: int
    sh: int = 1
    sw: int = 1
    padding: str = "valid"
    tags: tuple = ()

    def args_line(self) -> str:
        return (f"--op {self.kind} --pool {self.ph},{self.pw} --strides {self.sh},{self.sw} "
                f"--padding {self.padding}")

    def output_shape(self) -> tuple | None:
        o = out_2d(self.padding, self.height, self.width, self.ph, self.pw, self.sh, self.sw, 1, 1)
        return None if o is None else (self.batch, o[0], o[1], self.channels)


@dataclass(frozen=True)
class TransposeCase(CaseBase):
    batch: int
    height: int
    width: int
    cin: int
    cout: int
    kh: int
    kw: int
    sh: int = 1
    sw: int = 1
    dh: int = 1
    dw: int = 1
    padding: str = "valid"
    oh: int = 0
    ow: int = 0
    output_padding: tuple | None = None
    bias: bool = True
    tags: tuple = ()

    def args_line(self) -> str:
        line = (f"--strides {self.sh},{self.sw} --padding {self.padding} "
                f"--dilation {self.dh},{self.dw} "
                f"--output-shape {self.batch},{self.oh},{self.ow},{self.cout}")
        if self.output_padding is not None:
            line += f" --output-padding {self.output_padding[0]},{self.output_padding[1]}"
        return line

    def output_shape(self) -> tuple:
        return (self.batch, self.oh, self.ow, self.cout)


@dataclass(frozen=True)
class DepthwiseCase(CaseBase):
    batch: int
    height: int
    width: int
    channels: int
    mult: int
    kh: int
    kw: int
    sh: int = 1
    sw: int = 1
    dh: int = 1
    dw: int = 1
    padding: Any = "valid"  # "valid" | "same" | (top, bottom, left, right)
    bias: bool = True
    activation: str = "linear"
    filters: int = 0  # separable only: pointwise filters F; 0 for depthwise
    tags: tuple = ()

    def args_line(self) -> str:
        return (f"--strides {self.sh},{self.sw} --padding {pad_flag(self.padding)} "
                f"--dilation {self.dh},{self.dw} --activation {self.activation}")

    def output_shape(self) -> tuple | None:
        o = out_2d(self.padding, self.height, self.width, self.kh, self.kw, self.sh, self.sw,
                   self.dh, self.dw)
        if o is None:
            return None
        return (self.batch, o[0], o[1], self.filters or self.channels * self.mult)

    def describe(self) -> str:
        text = super().describe()
        return text if self.filters else text.replace(" filters=0", "")

    def to_json(self) -> dict:
        d = super().to_json()
        if not self.filters:
            del d["filters"]
        return d


@dataclass(frozen=True)
class Conv1DCase(CaseBase):
    batch: int
    length: int
    groups: int
    cin_per_group: int
    fout_per_group: int
    k: int
    s: int = 1
    d: int = 1
    padding: str = "valid"  # "valid" | "same" | "causal"
    bias: bool = True
    activation: str = "linear"
    tags: tuple = ()

    @property
    def channels(self) -> int:
        return self.groups * self.cin_per_group

    @property
    def filters(self) -> int:
        return self.groups * self.fout_per_group

    def args_line(self) -> str:
        return (f"--strides {self.s} --padding {self.padding} --dilation {self.d} "
                f"--groups {self.groups} --activation {self.activation}")

    def output_shape(self) -> tuple | None:
        o = axis_out(self.length, self.k, self.s, self.d, self.padding)
        return None if o is None else (self.batch, o, self.filters)


# --------------------------------------------------------------------------------------------
# Op specifications: drawing, arrays, the TF oracle, the float64 reference, reading back


class OpSpec:
    name = ""
    family = ""          # key into SWEEP_LIMITS / FIXTURE_LIMITS
    cli_command: str | None = None
    flags: tuple = ()    # the flags args.txt must hold (optional ones in optional_flags)
    optional_flags: tuple = ()
    forced: tuple = ()   # fallback routes selfcheck forces where TF/Keras accepts the direct call
    uses_keras = False
    format_doc: dict = {}
    scale_doc = ""

    def draw(self, rng, lim: Limits):
        raise NotImplementedError

    def fixed(self) -> list:
        raise NotImplementedError

    def arrays(self, case, rng) -> dict:
        raise NotImplementedError

    def compute(self, arr: dict, case, route: set, force: frozenset):
        """TF's float32 output (bias and activation included) as a tensor or array."""
        raise NotImplementedError

    def reference(self, arr: dict, case) -> np.ndarray:
        """Float64 numpy implementation of the definition (bias and activation included)."""
        raise NotImplementedError

    def from_flags(self, flags: dict, arr: dict):
        raise NotImplementedError

    def extra_checks(self, arr: dict, case, y: np.ndarray, info: collections.Counter) -> list:
        return []

    # -- shared

    def oracle(self, arr: dict, case, force: frozenset = frozenset()) -> tuple[np.ndarray, list]:
        route: set = set()
        y = self.compute(arr, case, route, force)
        y = np.asarray(y.numpy() if hasattr(y, "numpy") else y, dtype=np.float32)
        want = case.output_shape()
        if y.shape != want:
            raise RuntimeError(f"TF output shape {y.shape} != expected {want} for "
                               f"{self.name} {case.describe()}")
        return y, sorted(route)

    def scale(self, arr: dict, case) -> np.ndarray:
        """S of the comparison rule: the op over absolute values, linear activation (float64)."""
        lin = dataclasses.replace(case, activation="linear") if hasattr(case, "activation") \
            else case
        return self.reference({k: np.abs(v) for k, v in arr.items()}, lin)

    def load(self, d: Path):
        line = (d / "args.txt").read_text().strip()
        tokens = line.split()
        if len(tokens) % 2:
            raise ValueError(f"malformed args.txt: {line!r}")
        flags = dict(zip(tokens[0::2], tokens[1::2]))
        if not set(self.flags) <= set(flags) <= set(self.flags) | set(self.optional_flags):
            raise ValueError(f"args.txt of {self.name} must hold {list(self.flags)} "
                             f"(optional {list(self.optional_flags)}): {line!r}")
        arr = {k: np.load(d / f"{k}.npy") for k in FILE_FLAGS if (d / f"{k}.npy").exists()}
        want = np.load(d / "expected.npy")
        return self.from_flags(flags, arr), arr, want, line

    def flag_variant(self, tokens: list[str], rng) -> list[str]:
        """args.txt's flags with --strides (and an equal --dilation, half the time) rewritten
        into another spelling Strider's CLI accepts."""
        out = list(tokens)
        for i in range(0, len(out), 2):
            if out[i] == "--strides" and "," in out[i + 1]:
                out[i + 1] = common.strides_variant(*common.pair(out[i + 1]))
            elif out[i] == "--dilation" and "," in out[i + 1]:
                dh, dw = common.pair(out[i + 1])
                if dh == dw and rng.random() < 0.5:
                    out[i + 1] = str(dh)
        return out


class PoolSpec(OpSpec):
    family = "pool"
    cli_command = "pool"
    flags = ("--op", "--pool", "--strides", "--padding")
    scale_doc = "S = the same pooling of |input|"

    def __init__(self, kind: str):
        self.kind = kind
        self.name = f"{kind}_pool"
        fn = "tf.nn.max_pool2d" if kind == "max" else "tf.nn.avg_pool2d (padding excluded)"
        self.format_doc = {
            "case": "case_NNNN/{input.npy, expected.npy, args.txt}",
            "input": "float32 NHWC [N, H, W, C]",
            "expected": f"float32 NHWC: {fn}(x, ksize [1,PH,PW,1], strides [1,SH,SW,1], padding)",
            "args": f"--op {kind} --pool PH,PW --strides SH,SW --padding valid|same",
        }

    def draw(self, rng, lim):
        while True:
            case = PoolCase(self.kind, ri(rng, 1, lim.max_batch), ri(rng, 1, lim.max_extent),
                            ri(rng, 1, lim.max_extent), ri(rng, 1, lim.max_channels),
                            ri(rng, 1, lim.max_kernel), ri(rng, 1, lim.max_kernel),
                            sh=ri(rng, 1, lim.max_stride), sw=ri(rng, 1, lim.max_stride),
                            padding="same" if rng.random() < 0.5 else "valid")
            if case.output_shape() is not None:
                return case

    def fixed(self):
        def C(*a, **k):
            return PoolCase(self.kind, *a, **k)
        return [
            C(1, 9, 7, 2, 3, 3, sh=2, sw=2, padding="same", tags=("same", "odd", "stride2")),
            C(1, 8, 10, 3, 2, 2, sh=2, sw=2, padding="same", tags=("same", "even", "stride2")),
            C(2, 11, 12, 2, 3, 3, sh=3, sw=3, padding="same",
              tags=("same", "odd-even", "stride3", "batch2")),
            C(1, 12, 6, 1, 4, 2, sh=3, sw=3, padding="same", tags=("same", "even", "stride3")),
            C(1, 7, 8, 2, 3, 4, sh=2, sw=3, padding="same", tags=("same", "unequal-strides")),
            C(1, 9, 12, 2, 3, 2, sh=1, sw=3, padding="valid", tags=("valid", "unequal-strides")),
            C(1, 11, 10, 3, 2, 2, sh=3, sw=4, padding="valid", tags=("stride>pool", "valid")),
            C(1, 10, 9, 2, 1, 2, sh=3, sw=3, padding="same", tags=("stride>pool", "same")),
            C(2, 5, 4, 3, 5, 4, padding="valid", tags=("pool=input", "valid", "batch2")),
            C(1, 3, 4, 2, 5, 5, sh=2, sw=2, padding="same", tags=("pool>input", "same")),
            C(1, 4, 2, 2, 4, 3, sh=1, sw=1, padding="same", tags=("pool>input", "same", "stride1")),
            C(1, 9, 8, 4, 1, 1, sh=2, sw=2, padding="valid", tags=("1x1", "subsample")),
            C(1, 1, 1, 3, 1, 1, padding="valid", tags=("1x1-input",)),
            C(2, 12, 12, 4, 2, 2, sh=2, sw=2, padding="valid", tags=("classic-2x2", "batch2")),
            C(1, 12, 11, 2, 3, 3, sh=1, sw=1, padding="same", tags=("same", "stride1")),
            # Edge cases: zero-sized tensors.
            C(0, 6, 5, 2, 2, 2, sh=2, sw=2, padding="same", tags=("edge", "batch0")),
            C(1, 0, 5, 2, 3, 3, sh=2, sw=2, padding="same", tags=("edge", "height0", "same")),
        ]

    def arrays(self, case, rng):
        return {"input": uniform(rng, (case.batch, case.height, case.width, case.channels))}

    def compute(self, arr, case, route, force):
        tf = tf_module()
        fn = tf.nn.max_pool2d if case.kind == "max" else tf.nn.avg_pool2d
        return fn(arr["input"], ksize=[1, case.ph, case.pw, 1], strides=[1, case.sh, case.sw, 1],
                  padding=case.padding.upper())

    def reference(self, arr, case):
        _, oh, ow, _ = case.output_shape()
        x = arr["input"].astype(np.float64)
        if min(x.shape[0], oh, ow, x.shape[3]) == 0:
            return np.zeros(case.output_shape())
        t, b, l, r = pads_2d(case.padding, case.height, case.width, case.ph, case.pw, case.sh,
                             case.sw, 1, 1)
        widths = ((0, 0), (t, b), (l, r), (0, 0))
        if case.kind == "max":
            xp = np.pad(x, widths, constant_values=-np.inf)
            y = np.full(case.output_shape(), -np.inf)
            for _, _, patch in taps_2d(xp, oh, ow, case.ph, case.pw, case.sh, case.sw, 1, 1):
                y = np.maximum(y, patch)
            return y
        xp = np.pad(x, widths)
        mp = np.pad(np.ones((1, case.height, case.width, 1)), widths)
        total = np.zeros(case.output_shape())
        count = np.zeros((1, oh, ow, 1))
        for (_, _, patch), (_, _, mpatch) in zip(
                taps_2d(xp, oh, ow, case.ph, case.pw, case.sh, case.sw, 1, 1),
                taps_2d(mp, oh, ow, case.ph, case.pw, case.sh, case.sw, 1, 1)):
            total += patch
            count += mpatch
        return total / count

    def from_flags(self, f, arr):
        if f["--op"] != self.kind:
            raise ValueError(f"{self.name} case with --op {f['--op']}")
        ph, pw = common.pair(f["--pool"])
        sh, sw = common.pair(f["--strides"])
        n, h, w, c = arr["input"].shape
        return PoolCase(self.kind, n, h, w, c, ph, pw, sh=sh, sw=sw,
                        padding=parse_padding(f["--padding"], ("valid", "same")))


def transpose_range(size: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    """The output sizes TensorFlow's conv2d_transpose accepts along one axis (inclusive)."""
    ke = (k - 1) * d + 1
    if padding == "valid":
        lo = (size - 1) * s + ke
        return lo, lo + s - 1
    return max((size - 1) * s + 1, 0), size * s


def keras_transpose_size(size: int, k: int, s: int, d: int, padding: str, p: int) -> int:
    """Keras's output size with output_padding p (conv_utils.deconv_output_length)."""
    ke = (k - 1) * d + 1
    if padding == "valid":
        return (size - 1) * s + ke + p
    return (size - 1) * s + ke - 2 * (ke // 2) + p


class TransposeSpec(OpSpec):
    name = "conv_transpose"
    family = "conv_transpose"
    cli_command = "conv-transpose"
    flags = ("--strides", "--padding", "--dilation", "--output-shape")
    optional_flags = ("--output-padding",)
    forced = (frozenset({"dilated-filter"}),)
    format_doc = {
        "case": "case_NNNN/{input.npy, filter.npy, bias.npy (optional), expected.npy, args.txt}",
        "input": "float32 NHWC [N, H, W, Cin]",
        "filter": "float32 [kh, kw, Cout, Cin] (tf.nn.conv2d_transpose's layout)",
        "bias": "float32 [Cout], only when the case has a bias",
        "expected": "float32 NHWC [N, OH, OW, Cout]: tf.nn.conv2d_transpose(x, w, "
                    "[N,OH,OW,Cout], strides, padding, dilations) + bias",
        "args": "--strides SH,SW --padding valid|same --dilation DH,DW "
                "--output-shape N,OH,OW,Cout [--output-padding PH,PW]",
    }
    scale_doc = "S = conv_transpose(|input|, |filter|) + |bias|"

    def draw(self, rng, lim):
        n, h, w = ri(rng, 1, lim.max_batch), ri(rng, 1, lim.max_extent), ri(rng, 1, lim.max_extent)
        kh, kw = ri(rng, 1, lim.max_kernel), ri(rng, 1, lim.max_kernel)
        sh, sw = ri(rng, 1, lim.max_stride), ri(rng, 1, lim.max_stride)
        dh, dw = ri(rng, 1, lim.max_dilation), ri(rng, 1, lim.max_dilation)
        padding = "same" if rng.random() < 0.5 else "valid"
        return self.with_output(rng, TransposeCase(
            n, h, w, ri(rng, 1, lim.max_channels), ri(rng, 1, lim.max_filters), kh, kw,
            sh=sh, sw=sw, dh=dh, dw=dw, padding=padding, bias=bool(rng.random() < 0.7)),
            use_output_padding=bool(rng.random() < 0.5))

    @staticmethod
    def with_output(rng, c: TransposeCase, use_output_padding: bool) -> TransposeCase:
        """Draws the output size: from Keras's output_padding rule (when asked and possible on
        both axes) or uniformly from the range TensorFlow accepts."""
        axes = ((c.height, c.kh, c.sh, c.dh), (c.width, c.kw, c.sw, c.dw))
        if use_output_padding:
            choices = []
            for size, k, s, d in axes:
                lo, hi = transpose_range(size, k, s, d, c.padding)
                choices.append([p for p in range(s)
                                if lo <= keras_transpose_size(size, k, s, d, c.padding, p) <= hi])
            if all(choices):
                ps = tuple(int(ch[ri(rng, 0, len(ch) - 1)]) for ch in choices)
                oh, ow = (keras_transpose_size(*ax, c.padding, p) for ax, p in zip(axes, ps))
                return dataclasses.replace(c, oh=oh, ow=ow, output_padding=ps)
        oh, ow = (ri(rng, *transpose_range(*ax, c.padding)) for ax in axes)
        return dataclasses.replace(c, oh=oh, ow=ow, output_padding=None)

    def fixed(self):
        T = TransposeCase

        def op(c: TransposeCase, ph: int, pw: int) -> TransposeCase:
            oh = keras_transpose_size(c.height, c.kh, c.sh, c.dh, c.padding, ph)
            ow = keras_transpose_size(c.width, c.kw, c.sw, c.dw, c.padding, pw)
            for size, k, s, d, o in ((c.height, c.kh, c.sh, c.dh, oh),
                                     (c.width, c.kw, c.sw, c.dw, ow)):
                lo, hi = transpose_range(size, k, s, d, c.padding)
                assert lo <= o <= hi, c
            return dataclasses.replace(c, oh=oh, ow=ow, output_padding=(ph, pw))

        return [
            # SAME, the classic upsampling: output = in * s (odd and even kernels)
            T(1, 4, 5, 3, 2, 3, 3, sh=2, sw=2, padding="same", oh=8, ow=10,
              tags=("same", "odd-kernel", "stride2", "out=in*s")),
            T(1, 5, 3, 2, 3, 4, 4, sh=2, sw=2, padding="same", oh=10, ow=6, bias=False,
              tags=("same", "even-kernel", "stride2", "no-bias")),
            # SAME, the smallest accepted size (in-1)*s+1 and in-between sizes
            T(1, 4, 4, 2, 2, 3, 2, sh=3, sw=3, padding="same", oh=10, ow=11,
              tags=("same", "min-size", "stride3")),
            op(T(2, 3, 4, 2, 3, 3, 3, sh=2, sw=2, padding="same", tags=("same", "odd-kernel",
                                                                          "output-padding")),
               1, 0),
            op(T(1, 3, 3, 2, 2, 2, 4, sh=3, sw=2, padding="same",
                 tags=("same", "even-kernel", "output-padding", "unequal-strides")), 2, 1),
            # VALID: the smallest size and the largest accepted size
            T(1, 4, 5, 2, 2, 3, 3, sh=2, sw=2, padding="valid", oh=9, ow=12,
              tags=("valid", "min-size", "max-size")),
            op(T(1, 3, 4, 3, 2, 2, 3, sh=3, sw=2, padding="valid",
                 tags=("valid", "output-padding", "unequal-strides")), 2, 1),
            # stride > kernel: gaps in the output that only the bias fills
            T(1, 3, 3, 2, 2, 2, 1, sh=3, sw=4, padding="valid", oh=8, ow=9,
              tags=("stride>kernel", "valid")),
            T(1, 3, 4, 1, 2, 1, 2, sh=4, sw=3, padding="same", oh=12, ow=12,
              tags=("stride>kernel", "same")),
            # stride 1 (the transpose of a plain convolution), kernel == output under VALID
            T(2, 2, 3, 2, 3, 4, 3, padding="valid", oh=5, ow=5,
              tags=("stride1", "valid", "batch2")),
            T(1, 1, 1, 3, 2, 4, 5, padding="valid", oh=4, ow=5, tags=("1x1-input", "valid")),
            T(1, 5, 4, 2, 2, 3, 3, padding="same", oh=5, ow=4, tags=("stride1", "same")),
            # dilation (TF's CPU kernel refuses it: oracle route dilated-filter)
            T(1, 3, 4, 2, 2, 3, 2, sh=2, sw=2, dh=2, dw=2, padding="same", oh=6, ow=8,
              tags=("dilation2", "stride2", "same")),
            T(1, 3, 3, 2, 3, 3, 3, sh=1, sw=1, dh=2, dw=1, padding="valid", oh=7, ow=5,
              bias=False, tags=("dilation2", "stride1", "valid", "no-bias")),
            op(T(1, 3, 3, 2, 2, 2, 3, sh=2, sw=3, dh=2, dw=2, padding="same",
                 tags=("dilation2", "same", "even-kernel", "output-padding")), 1, 2),
            # 1x1 kernel with stride: pure scatter
            T(1, 4, 3, 4, 2, 1, 1, sh=2, sw=2, padding="valid", oh=8, ow=6,
              tags=("1x1", "stride2", "valid")),
            # Edge case: batch 0.
            T(0, 3, 3, 2, 2, 3, 3, sh=2, sw=2, padding="same", oh=6, ow=6, tags=("edge", "batch0")),
        ]

    def arrays(self, case, rng):
        arr = {"input": uniform(rng, (case.batch, case.height, case.width, case.cin)),
               "filter": uniform(rng, (case.kh, case.kw, case.cout, case.cin))}
        if case.bias:
            arr["bias"] = uniform(rng, (case.cout,))
        return arr

    def conv_transpose(self, x, w, case, route, force):
        tf = tf_module()
        shape = [case.batch, case.oh, case.ow, case.cout]
        strides = [1, case.sh, case.sw, 1]
        dilated = case.dh > 1 or case.dw > 1
        if "dilated-filter" not in force:
            try:
                return tf.nn.conv2d_transpose(x, w, shape, strides, case.padding.upper(),
                                              dilations=[1, case.dh, case.dw, 1])
            except common.refusal_types():
                if not dilated:
                    raise
        route.add("dilated-filter")
        return tf.nn.conv2d_transpose(x, dilate_filter(w, case.dh, case.dw), shape, strides,
                                      case.padding.upper(), dilations=[1, 1, 1, 1])

    def compute(self, arr, case, route, force):
        y = self.conv_transpose(arr["input"], arr["filter"], case, route, force)
        return finish(y, arr.get("bias"), "linear")

    def reference(self, arr, case):
        x = arr["input"].astype(np.float64)
        w = arr["filter"].astype(np.float64)
        n, h, wd, _ = x.shape
        keh, kew = (case.kh - 1) * case.dh + 1, (case.kw - 1) * case.dw + 1
        if case.padding == "same":
            top, left = same_pads(case.oh, case.kh, case.sh, case.dh)[0], \
                same_pads(case.ow, case.kw, case.sw, case.dw)[0]
        else:
            top = left = 0
        full_h = max((h - 1) * case.sh + keh, top + case.oh) if h else top + case.oh
        full_w = max((wd - 1) * case.sw + kew, left + case.ow) if wd else left + case.ow
        full = np.zeros((n, full_h, full_w, case.cout))
        if n and h and wd:
            for a in range(case.kh):
                for b in range(case.kw):
                    r0, c0 = a * case.dh, b * case.dw
                    full[:, r0:r0 + (h - 1) * case.sh + 1:case.sh,
                         c0:c0 + (wd - 1) * case.sw + 1:case.sw] += x @ w[a, b].T
        y = full[:, top:top + case.oh, left:left + case.ow]
        return finish(y, arr.get("bias"), "linear")

    def extra_checks(self, arr, case, y, info):
        problems = []
        tf = tf_module()
        x, w = arr["input"], arr["filter"]
        # Adjoint identity with TF's forward conv2d (which accepts dilation with strides).
        rng = np.random.default_rng(case.oh * 1000 + case.ow)
        z = uniform(rng, (case.batch, case.oh, case.ow, case.cout))
        fwd = tf.nn.conv2d(z, w, [1, case.sh, case.sw, 1], case.padding.upper(),
                           dilations=[1, case.dh, case.dw, 1]).numpy().astype(np.float64)
        raw, _ = self.oracle({"input": x, "filter": w}, case)
        lhs = float(np.sum(fwd * x))
        rhs = float(np.sum(raw.astype(np.float64) * z))
        mag = float(np.sum(np.abs(fwd) * np.abs(x))) + float(np.sum(np.abs(raw) * np.abs(z)))
        if abs(lhs - rhs) > 1e-5 * mag + 1e-6:
            problems.append(f"adjoint identity: <conv2d(z,w),x>={lhs!r} "
                            f"<conv_transpose(x,w),z>={rhs!r}")
        info["adjoint checked"] += 1
        # Keras's Conv2DTranspose with output_padding, where its CPU kernel runs (dilation 1).
        if case.output_padding is not None and case.dh == 1 and case.dw == 1 and case.batch:
            keras = keras_module()
            layer = keras.layers.Conv2DTranspose(
                case.cout, (case.kh, case.kw), strides=(case.sh, case.sw), padding=case.padding,
                output_padding=case.output_padding, use_bias=case.bias)
            layer.build(x.shape)
            layer.set_weights([w] + ([arr["bias"]] if case.bias else []))
            ky = np.asarray(layer(x).numpy(), dtype=np.float32)
            p = compare(ky, y, self.scale(arr, case))
            if p:
                problems.append(f"keras Conv2DTranspose(output_padding) vs oracle: {p}")
            info["keras output_padding checked"] += 1
        return problems

    def from_flags(self, f, arr):
        x, w = arr["input"], arr["filter"]
        sh, sw = common.pair(f["--strides"])
        dh, dw = common.pair(f["--dilation"])
        n, oh, ow, cout = (int(v) for v in f["--output-shape"].split(","))
        op = common.pair(f["--output-padding"]) if "--output-padding" in f else None
        return TransposeCase(x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[2],
                             w.shape[0], w.shape[1], sh=sh, sw=sw, dh=dh, dw=dw,
                             padding=parse_padding(f["--padding"], ("valid", "same")),
                             oh=oh, ow=ow, output_padding=op, bias="bias" in arr)


def grouped_depthwise(x, w, case, padding):
    """Depthwise convolution as tf.nn.conv2d with groups = C: filter [kh,kw,C,M] viewed as
    [kh,kw,1,C*M] (same memory); output channel c*M + m reads input channel c."""
    tf = tf_module()
    kh, kw, c, m = w.shape
    return tf.nn.conv2d(x, np.ascontiguousarray(w).reshape(kh, kw, 1, c * m),
                        [1, case.sh, case.sw, 1], tf_padding_2d(padding),
                        dilations=[1, case.dh, case.dw, 1])


def depthwise_direct_ok(case) -> bool:
    """Where tf.nn.depthwise_conv2d is both accepted and right (see the header)."""
    return case.sh == case.sw and (case.sh == 1 or (case.dh == 1 and case.dw == 1))


def depthwise_reference(x: np.ndarray, w: np.ndarray, case) -> np.ndarray:
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, oh, ow = case.batch, *case.output_shape()[1:3]
    c, m = case.channels, case.mult
    if min(n, oh, ow, c) == 0:
        return np.zeros((n, oh, ow, c * m))
    t, b, l, r = pads_2d(case.padding, case.height, case.width, case.kh, case.kw, case.sh,
                         case.sw, case.dh, case.dw)
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    y = np.zeros((n, oh, ow, c, m))
    for a, bb, patch in taps_2d(xp, oh, ow, case.kh, case.kw, case.sh, case.sw, case.dh, case.dw):
        y += patch[..., None] * w[a, bb]
    return y.reshape(n, oh, ow, c * m)


def draw_depthwise_like(rng, lim: Limits, explicit: bool, filters: bool) -> DepthwiseCase:
    while True:
        mode = ri(rng, 0, 2 if explicit else 1)
        padding: Any = ("valid", "same")[mode] if mode < 2 else \
            tuple(ri(rng, 0, lim.max_pad) for _ in range(4))
        case = DepthwiseCase(
            ri(rng, 1, lim.max_batch), ri(rng, 1, lim.max_extent), ri(rng, 1, lim.max_extent),
            ri(rng, 1, lim.max_channels), ri(rng, 1, lim.max_mult),
            ri(rng, 1, lim.max_kernel), ri(rng, 1, lim.max_kernel),
            sh=ri(rng, 1, lim.max_stride), sw=ri(rng, 1, lim.max_stride),
            dh=ri(rng, 1, lim.max_dilation), dw=ri(rng, 1, lim.max_dilation),
            padding=padding, bias=bool(rng.random() < 0.7),
            activation="relu" if rng.random() < 0.5 else "linear",
            filters=ri(rng, 1, lim.max_filters) if filters else 0)
        if case.output_shape() is not None:
            return case


class DepthwiseSpec(OpSpec):
    name = "depthwise"
    family = "depthwise"
    cli_command = "depthwise"
    flags = ("--strides", "--padding", "--dilation", "--activation")
    forced = (frozenset({"grouped-conv2d"}),)
    format_doc = {
        "case": "case_NNNN/{input.npy, filter.npy, bias.npy (optional), expected.npy, args.txt}",
        "input": "float32 NHWC [N, H, W, C]",
        "filter": "float32 [kh, kw, C, M]",
        "bias": "float32 [C*M], only when the case has a bias",
        "expected": "float32 NHWC [N, OH, OW, C*M]: tf.nn.depthwise_conv2d(x, w, strides, "
                    "padding, dilations) + bias, then the activation (or the equivalent "
                    "grouped tf.nn.conv2d, see oracle_route)",
        "args": "--strides SH,SW --padding valid|same|T,B,L,R --dilation DH,DW "
                "--activation linear|relu",
    }
    scale_doc = "S = depthwise(|input|, |filter|) + |bias|"

    def draw(self, rng, lim):
        return draw_depthwise_like(rng, lim, explicit=True, filters=False)

    def fixed(self):
        D = DepthwiseCase
        return [
            D(1, 9, 7, 3, 1, 3, 3, sh=2, sw=2, padding="same", tags=("same", "odd", "stride2")),
            D(1, 8, 10, 2, 2, 2, 3, sh=2, sw=2, padding="same", bias=False,
              tags=("same", "even", "stride2", "no-bias", "mult2")),
            D(2, 12, 7, 2, 1, 5, 2, sh=3, sw=3, padding="same", activation="relu",
              tags=("same", "stride3", "batch2", "relu")),
            D(1, 9, 11, 3, 2, 3, 3, sh=2, sw=1, padding="same",
              tags=("unequal-strides", "same", "mult2")),
            D(1, 10, 12, 2, 1, 2, 3, sh=1, sw=3, padding="valid",
              tags=("unequal-strides", "valid")),
            D(1, 11, 10, 2, 2, 2, 2, sh=3, sw=4, padding="valid",
              tags=("stride>kernel", "valid", "unequal-strides")),
            D(1, 10, 9, 3, 1, 1, 2, sh=3, sw=3, padding="same", tags=("stride>kernel", "same")),
            D(2, 5, 6, 2, 2, 5, 5, padding="valid", tags=("kernel=input", "valid", "batch2")),
            D(1, 6, 7, 2, 1, 3, 3, padding=(0, 2, 3, 1), tags=("explicit", "asymmetric")),
            D(1, 7, 5, 2, 2, 3, 2, sh=2, sw=1, padding=(2, 0, 1, 3), activation="relu",
              tags=("explicit", "unequal-strides", "relu")),
            D(1, 9, 9, 2, 1, 3, 3, sh=2, sw=2, padding=(1, 1, 0, 2),
              tags=("explicit", "stride2")),
            D(1, 11, 12, 2, 1, 3, 3, sh=2, sw=2, dh=2, dw=2, padding="same",
              tags=("dilation2", "stride2", "same")),
            D(1, 12, 11, 2, 2, 3, 2, sh=2, sw=2, dh=2, dw=3, padding="valid", bias=False,
              tags=("dilation", "stride2", "valid", "no-bias")),
            D(1, 10, 9, 3, 1, 2, 3, sh=1, sw=1, dh=3, dw=2, padding=(1, 2, 2, 0),
              activation="relu", tags=("dilation", "stride1", "explicit", "relu")),
            D(1, 9, 10, 2, 2, 2, 2, sh=2, sw=3, dh=2, dw=1, padding=(1, 0, 2, 1),
              tags=("dilation", "unequal-strides", "explicit")),
            D(1, 9, 8, 4, 1, 1, 1, sh=2, sw=2, padding="valid", tags=("1x1", "stride2")),
            # Edge cases: zero-sized tensors.
            D(0, 6, 5, 2, 2, 3, 3, padding="same", tags=("edge", "batch0")),
            D(1, 0, 5, 2, 1, 3, 3, padding=(1, 2, 1, 1), tags=("edge", "height0", "explicit")),
        ]

    def arrays(self, case, rng):
        arr = {"input": uniform(rng, (case.batch, case.height, case.width, case.channels)),
               "filter": uniform(rng, (case.kh, case.kw, case.channels, case.mult))}
        if case.bias:
            arr["bias"] = uniform(rng, (case.channels * case.mult,))
        return arr

    def depthwise(self, x, w, case, route, force):
        tf = tf_module()
        if "grouped-conv2d" not in force and depthwise_direct_ok(case):
            try:
                return tf.nn.depthwise_conv2d(x, w, [1, case.sh, case.sw, 1],
                                              tf_padding_2d(case.padding),
                                              dilations=[case.dh, case.dw])
            except common.refusal_types():
                pass
        route.add("grouped-conv2d")
        return grouped_depthwise(x, w, case, case.padding)

    def compute(self, arr, case, route, force):
        y = self.depthwise(arr["input"], arr["filter"], case, route, force)
        return finish(y, arr.get("bias"), case.activation)

    def reference(self, arr, case):
        y = depthwise_reference(arr["input"], arr["filter"], case)
        return finish(y, arr.get("bias"), case.activation)

    def extra_checks(self, arr, case, y, info):
        if case.sh == case.sw and case.sh > 1 and (case.dh > 1 or case.dw > 1):
            # Document TF's silent problem: the direct call where the oracle avoids it.
            tf = tf_module()
            info["tf.nn.depthwise_conv2d stride>1 with dilation>1: tried"] += 1
            try:
                d = tf.nn.depthwise_conv2d(arr["input"], arr["filter"],
                                           [1, case.sh, case.sw, 1],
                                           tf_padding_2d(case.padding),
                                           dilations=[case.dh, case.dw])
            except common.refusal_types():
                info["tf.nn.depthwise_conv2d stride>1 with dilation>1: refused"] += 1
            else:
                d = finish(np.asarray(d.numpy()), arr.get("bias"), case.activation)
                if compare(d.astype(np.float32), y, self.scale(arr, case)):
                    info["tf.nn.depthwise_conv2d stride>1 with dilation>1: WRONG"] += 1
        return []

    def from_flags(self, f, arr):
        x, w = arr["input"], arr["filter"]
        sh, sw = common.pair(f["--strides"])
        dh, dw = common.pair(f["--dilation"])
        return DepthwiseCase(x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[3],
                             w.shape[0], w.shape[1], sh=sh, sw=sw, dh=dh, dw=dw,
                             padding=parse_padding(f["--padding"], ("valid", "same", "explicit")),
                             bias="bias" in arr, activation=f["--activation"])


class SeparableSpec(OpSpec):
    name = "separable"
    family = "separable"
    cli_command = None
    flags = ("--strides", "--padding", "--dilation", "--activation")
    forced = (frozenset({"depthwise-pointwise"}),)
    uses_keras = True
    format_doc = {
        "case": "case_NNNN/{input.npy, filter.npy, pointwise.npy, bias.npy (optional), "
                "expected.npy, args.txt}",
        "input": "float32 NHWC [N, H, W, C]",
        "filter": "float32 [kh, kw, C, M] (depthwise kernel)",
        "pointwise": "float32 [1, 1, C*M, F]",
        "bias": "float32 [F], only when the case has a bias",
        "expected": "float32 NHWC [N, OH, OW, F]: keras.layers.SeparableConv2D(F, (kh,kw), "
                    "strides, padding, dilation_rate, depth_multiplier=M, use_bias, activation) "
                    "(or depthwise-then-pointwise tf.nn.conv2d, see oracle_route)",
        "args": "--strides SH,SW --padding valid|same --dilation DH,DW --activation linear|relu",
    }
    scale_doc = "S = separable(|input|, |filter|, |pointwise|) + |bias|"

    def draw(self, rng, lim):
        return draw_depthwise_like(rng, lim, explicit=False, filters=True)

    def fixed(self):
        def S(n, h, w, c, m, f, kh, kw, **k):
            return DepthwiseCase(n, h, w, c, m, kh, kw, filters=f, **k)
        return [
            S(1, 9, 7, 3, 1, 4, 3, 3, sh=2, sw=2, padding="same", tags=("same", "odd", "stride2")),
            S(1, 8, 10, 2, 2, 3, 2, 3, sh=2, sw=2, padding="same", bias=False,
              tags=("same", "even", "stride2", "no-bias", "mult2")),
            S(2, 12, 7, 2, 1, 2, 5, 2, sh=3, sw=3, padding="same", activation="relu",
              tags=("same", "stride3", "batch2", "relu")),
            S(1, 9, 11, 3, 2, 2, 3, 3, sh=2, sw=1, padding="same",
              tags=("unequal-strides", "same", "mult2")),
            S(1, 10, 12, 2, 1, 3, 2, 3, sh=1, sw=3, padding="valid",
              tags=("unequal-strides", "valid")),
            S(1, 11, 10, 2, 2, 1, 2, 2, sh=3, sw=4, padding="valid",
              tags=("stride>kernel", "valid", "unequal-strides")),
            S(1, 10, 9, 3, 1, 4, 1, 2, sh=3, sw=3, padding="same",
              tags=("stride>kernel", "same")),
            S(2, 5, 6, 2, 2, 3, 5, 6, padding="valid", tags=("kernel=input", "valid", "batch2")),
            S(1, 11, 12, 2, 1, 3, 3, 3, sh=2, sw=2, dh=2, dw=2, padding="same",
              tags=("dilation2", "stride2", "same")),
            S(1, 12, 11, 2, 2, 2, 3, 2, sh=2, sw=3, dh=2, dw=1, padding="valid",
              activation="relu", tags=("dilation", "unequal-strides", "valid", "relu")),
            S(1, 10, 9, 3, 1, 2, 2, 3, dh=3, dw=2, padding="same",
              tags=("dilation", "stride1", "same")),
            S(1, 9, 8, 4, 1, 4, 1, 1, sh=2, sw=2, padding="valid", tags=("1x1", "stride2")),
            S(1, 6, 6, 1, 1, 1, 3, 3, padding="valid", tags=("single-channel",)),
            # Edge case: batch 0.
            S(0, 6, 5, 2, 2, 3, 3, 3, padding="same", tags=("edge", "batch0")),
        ]

    def arrays(self, case, rng):
        cm = case.channels * case.mult
        arr = {"input": uniform(rng, (case.batch, case.height, case.width, case.channels)),
               "filter": uniform(rng, (case.kh, case.kw, case.channels, case.mult)),
               "pointwise": uniform(rng, (1, 1, cm, case.filters))}
        if case.bias:
            arr["bias"] = uniform(rng, (case.filters,))
        return arr

    def compute(self, arr, case, route, force):
        if "depthwise-pointwise" not in force:
            try:
                keras = keras_module()
                layer = keras.layers.SeparableConv2D(
                    case.filters, (case.kh, case.kw), strides=(case.sh, case.sw),
                    padding=case.padding, dilation_rate=(case.dh, case.dw),
                    depth_multiplier=case.mult, use_bias=case.bias, activation=case.activation)
                layer.build(arr["input"].shape)
                layer.set_weights([arr["filter"], arr["pointwise"]]
                                  + ([arr["bias"]] if case.bias else []))
                return layer(arr["input"])
            except common.refusal_types():
                pass
        route.add("depthwise-pointwise")
        tf = tf_module()
        z = grouped_depthwise(arr["input"], arr["filter"], case, case.padding)
        y = tf.nn.conv2d(z, arr["pointwise"], [1, 1, 1, 1], "VALID")
        return finish(y, arr.get("bias"), case.activation)

    def reference(self, arr, case):
        z = depthwise_reference(arr["input"], arr["filter"], case)
        y = z @ arr["pointwise"][0, 0].astype(np.float64)
        return finish(y, arr.get("bias"), case.activation)

    def from_flags(self, f, arr):
        x, w, p = arr["input"], arr["filter"], arr["pointwise"]
        sh, sw = common.pair(f["--strides"])
        dh, dw = common.pair(f["--dilation"])
        return DepthwiseCase(x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[3],
                             w.shape[0], w.shape[1], sh=sh, sw=sw, dh=dh, dw=dw,
                             padding=parse_padding(f["--padding"], ("valid", "same")),
                             bias="bias" in arr, activation=f["--activation"],
                             filters=p.shape[3])


class Conv1DSpec(OpSpec):
    name = "conv1d"
    family = "conv1d"
    cli_command = None
    flags = ("--strides", "--padding", "--dilation", "--groups", "--activation")
    forced = (frozenset({"conv2d-rows"}),)
    uses_keras = True
    format_doc = {
        "case": "case_NNNN/{input.npy, filter.npy, bias.npy (optional), expected.npy, args.txt}",
        "input": "float32 NLC [N, L, G * cin_per_group]",
        "filter": "float32 [k, cin_per_group, F] (F = G * fout_per_group)",
        "bias": "float32 [F], only when the case has a bias",
        "expected": "float32 NLC [N, OL, F]: keras.layers.Conv1D(F, k, strides, padding, "
                    "dilation_rate, groups, activation, use_bias) (or tf.nn.conv2d over "
                    "[N,1,L,C], see oracle_route)",
        "args": "--strides S --padding valid|same|causal --dilation D --groups G "
                "--activation linear|relu",
    }
    scale_doc = "S = conv1d(|input|, |filter|) + |bias|"

    def draw(self, rng, lim):
        while True:
            u = rng.random()
            padding = "causal" if u < 0.5 else ("same" if u < 0.75 else "valid")
            case = Conv1DCase(
                ri(rng, 1, lim.max_batch), ri(rng, 1, lim.max_extent),
                ri(rng, 1, lim.max_groups), ri(rng, 1, lim.max_channels),
                ri(rng, 1, lim.max_filters), ri(rng, 1, lim.max_kernel),
                s=ri(rng, 1, lim.max_stride), d=ri(rng, 1, lim.max_dilation), padding=padding,
                bias=bool(rng.random() < 0.7),
                activation="relu" if rng.random() < 0.5 else "linear")
            if case.output_shape() is not None:
                return case

    def fixed(self):
        C = Conv1DCase
        return [
            C(1, 10, 1, 3, 2, 3, padding="causal", tags=("causal", "stride1")),
            C(1, 11, 1, 2, 3, 3, s=2, padding="causal", tags=("causal", "stride2", "odd")),
            C(2, 12, 1, 2, 2, 4, s=3, padding="causal", activation="relu",
              tags=("causal", "stride3", "batch2", "relu")),
            C(1, 12, 1, 3, 2, 3, d=3, padding="causal", tags=("causal", "dilation3")),
            C(1, 12, 1, 2, 2, 3, s=2, d=2, padding="causal",
              tags=("causal", "stride2", "dilation2")),
            C(1, 12, 2, 2, 2, 2, s=2, padding="causal", bias=False,
              tags=("causal", "groups2", "no-bias")),
            C(1, 3, 1, 2, 2, 7, padding="causal", tags=("causal", "kernel>input")),
            C(1, 9, 1, 3, 2, 3, s=2, padding="same", tags=("same", "odd", "stride2")),
            C(1, 10, 1, 2, 2, 4, s=2, padding="same", tags=("same", "even", "even-kernel")),
            C(1, 11, 2, 2, 2, 3, s=3, d=2, padding="same", tags=("same", "stride3", "dilation2",
                                                                   "groups2")),
            C(1, 11, 1, 2, 2, 2, s=4, padding="valid", tags=("stride>kernel", "valid")),
            C(2, 6, 1, 2, 2, 6, padding="valid", tags=("kernel=input", "valid", "batch2")),
            C(1, 12, 2, 1, 1, 3, d=2, padding="valid", activation="relu",
              tags=("valid", "dilation2", "groups2", "depthwise-like", "relu")),
            C(1, 9, 1, 4, 2, 1, s=2, padding="valid", tags=("1x1", "stride2")),
            # Edge case: batch 0.
            C(0, 8, 1, 2, 2, 3, s=2, padding="causal", tags=("edge", "batch0", "causal")),
        ]

    def arrays(self, case, rng):
        arr = {"input": uniform(rng, (case.batch, case.length, case.channels)),
               "filter": uniform(rng, (case.k, case.cin_per_group, case.filters))}
        if case.bias:
            arr["bias"] = uniform(rng, (case.filters,))
        return arr

    def compute(self, arr, case, route, force):
        tf = tf_module()
        x, w = arr["input"], arr["filter"]
        if "conv2d-rows" not in force:
            try:
                keras = keras_module()
                layer = keras.layers.Conv1D(
                    case.filters, case.k, strides=case.s, padding=case.padding,
                    dilation_rate=case.d, groups=case.groups, activation=case.activation,
                    use_bias=case.bias)
                layer.build(x.shape)
                layer.set_weights([w] + ([arr["bias"]] if case.bias else []))
                return layer(x)
            except common.refusal_types():
                pass
        route.add("conv2d-rows")
        if case.padding == "causal":
            pad: Any = [[0, 0], [0, 0], [(case.k - 1) * case.d, 0], [0, 0]]
        else:
            pad = case.padding.upper()
        y = tf.nn.conv2d(x[:, None], w[None], [1, 1, case.s, 1], pad,
                         dilations=[1, 1, case.d, 1])[:, 0]
        return finish(y, arr.get("bias"), case.activation)

    def reference(self, arr, case):
        x = arr["input"].astype(np.float64)
        w = arr["filter"].astype(np.float64)
        n, ol, f = case.output_shape()
        if min(n, ol) == 0:
            return finish(np.zeros((n, ol, f)), arr.get("bias"), case.activation)
        if case.padding == "causal":
            before, after = (case.k - 1) * case.d, 0
        elif case.padding == "same":
            before, after = same_pads(case.length, case.k, case.s, case.d)
        else:
            before = after = 0
        xp = np.pad(x, ((0, 0), (before, after), (0, 0)))
        y = np.zeros((n, ol, f))
        cg, fg = case.cin_per_group, case.fout_per_group
        for g in range(case.groups):
            for t in range(case.k):
                s0 = t * case.d
                patch = xp[:, s0:s0 + (ol - 1) * case.s + 1:case.s, g * cg:(g + 1) * cg]
                y[..., g * fg:(g + 1) * fg] += patch @ w[t, :, g * fg:(g + 1) * fg]
        return finish(y, arr.get("bias"), case.activation)

    def from_flags(self, f, arr):
        x, w = arr["input"], arr["filter"]
        groups = int(f["--groups"])
        return Conv1DCase(x.shape[0], x.shape[1], groups, w.shape[1], w.shape[2] // groups,
                          w.shape[0], s=int(f["--strides"]), d=int(f["--dilation"]),
                          padding=parse_padding(f["--padding"], ("valid", "same", "causal")),
                          bias="bias" in arr, activation=f["--activation"])


SPECS: dict[str, OpSpec] = {s.name: s for s in (
    PoolSpec("max"), PoolSpec("avg"), TransposeSpec(), DepthwiseSpec(), SeparableSpec(),
    Conv1DSpec())}
assert tuple(SPECS) == OPS


# --------------------------------------------------------------------------------------------
# Writing case directories


def write_cases(spec: OpSpec, out: Path, cases: list, rng: np.random.Generator, meta: dict,
                quiet: bool = False) -> None:
    common.prepare_out_dir(out)
    entries = []
    routes = collections.Counter()
    for i, case in enumerate(cases):
        name = f"case_{i:04d}"
        arr = spec.arrays(case, rng)
        y, route = spec.oracle(arr, case)
        d = out / name
        d.mkdir()
        for key, value in arr.items():
            np.save(d / f"{key}.npy", value)
        np.save(d / "expected.npy", y)
        (d / "args.txt").write_text(case.args_line() + "\n")
        entry = {"name": name, **case.to_json(),
                 "shapes": {k: list(v.shape) for k, v in arr.items()},
                 "oracle_route": route or ["direct"]}
        routes[",".join(entry["oracle_route"])] += 1
        entries.append(entry)
        if not quiet and (i + 1) % 50 == 0:
            print(f"{TOOL}: {spec.name}: generated {i + 1}/{len(cases)}", flush=True)
    manifest = {
        "tool": "tests/conformance/stride_family_tf.py",
        "op": spec.name,
        **meta,
        **common.versions(with_keras=True),
        "format": spec.format_doc,
        "comparison": f"{common.COMPARISON_RULE}, {spec.scale_doc}",
        "count": len(entries),
        "routes": dict(sorted(routes.items())),
        "cases": entries,
    }
    (out / common.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def draw_cases(spec: OpSpec, rng, count: int) -> list:
    lim = SWEEP_LIMITS[spec.family]
    return [spec.draw(rng, lim) for _ in range(count)]


# --------------------------------------------------------------------------------------------
# Subcommands


def cmd_generate(a) -> int:
    spec = SPECS[a.op]
    rng = np.random.default_rng(a.seed)
    write_cases(spec, Path(a.out), draw_cases(spec, rng, a.count), rng,
                {"kind": "generated", "seed": a.seed})
    print(f"{TOOL}: wrote {a.count} {spec.name} cases to {a.out}")
    return 0


def cmd_fixtures(a) -> int:
    spec = SPECS[a.op]
    fixed = spec.fixed()
    if a.count < len(fixed):
        raise SystemExit(f"{TOOL}: error: --count must be at least {len(fixed)} for {spec.name} "
                         f"(the fixed coverage cases)")
    rng = np.random.default_rng(a.seed)
    lim = FIXTURE_LIMITS[spec.family]
    cases = fixed + [dataclasses.replace(spec.draw(rng, lim), tags=("random",))
                     for _ in range(a.count - len(fixed))]
    meta = {"kind": "fixtures", "seed": a.seed,
            "regenerate": f"python tests/conformance/stride_family_tf.py fixtures --op {a.op} "
                          f"--out {a.out} --count {a.count} --seed {a.seed}",
            "limits": dataclasses.asdict(lim)}
    write_cases(spec, Path(a.out), cases, rng, meta)
    print(f"{TOOL}: wrote {a.count} {spec.name} fixture cases to {a.out}")
    return 0


def run_cli_pass(spec: OpSpec, cli: str, dirs: list[Path], scratch: Path,
                 seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed ^ 0x5EED)
    passed = failed = 0
    for i, d in enumerate(dirs):
        case, arr, want, line = spec.load(d)
        flags = line.split()
        if rng.random() < 1 / 3:
            flags = spec.flag_variant(flags, rng)
        out_dir = scratch / d.name
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / "cli_out.npy"
        cmd = [cli, spec.cli_command]
        for key, flag in FILE_FLAGS.items():
            if key in arr:
                cmd += [flag, str(d / f"{key}.npy")]
        cmd += flags + ["--output", str(out)]
        problem = common.run_cli_case(cmd, out, want, lambda: spec.scale(arr, case))
        if problem is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {d.name} [cli] {spec.name} {case.describe()} "
                  f"flags='{' '.join(flags)}': {problem}", flush=True)
        if (i + 1) % 50 == 0:
            print(f"{TOOL}: cli {i + 1}/{len(dirs)} ({failed} failed)", flush=True)
    return passed, failed


def cmd_sweep(a) -> int:
    spec = SPECS[a.op]

    def generate(root: Path) -> None:
        rng = np.random.default_rng(a.seed)
        write_cases(spec, root, draw_cases(spec, rng, a.count), rng,
                    {"kind": "sweep", "seed": a.seed})

    cli_pass = None
    if spec.cli_command is not None:
        def cli_pass(dirs, scratch):
            return run_cli_pass(spec, a.cli, dirs, scratch, a.seed)
    return common.sweep(a, spec.name, spec.name, generate, cli_pass)


def selfcheck_op(spec: OpSpec, count: int, seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    passed = failed = 0
    info: collections.Counter = collections.Counter()
    lim = SWEEP_LIMITS[spec.family]
    # The random draws, then the fixed coverage cases (edge cases included).
    cases = [spec.draw(rng, lim) for _ in range(count)] + spec.fixed()
    for i, case in enumerate(cases):
        arr = spec.arrays(case, rng)
        scale = spec.scale(arr, case)
        problems = []
        try:
            y, route = spec.oracle(arr, case)
            info["route " + (",".join(route) or "direct")] += 1
            ref = spec.reference(arr, case)
            p = compare(ref.astype(np.float32), y, scale)
            if p:
                problems.append(f"tf {route or 'direct'} vs float64 reference: {p}")
            for force in spec.forced:
                fy, froute = spec.oracle(arr, case, force)
                if froute == route:
                    continue  # the fallback is the route already taken
                p = compare(fy, y, scale)
                info[f"forced {','.join(sorted(force))} compared"] += 1
                if p:
                    problems.append(f"forced {sorted(force)} vs {route or 'direct'}: {p}")
            problems += spec.extra_checks(arr, case, y, info)
        except Exception as e:  # noqa: BLE001 - report, go on
            problems.append(f"exception {type(e).__name__}: {e}")
        if problems:
            failed += 1
            print(f"FAIL selfcheck {spec.name} {i} {case.describe()}: " + "; ".join(problems),
                  flush=True)
        else:
            passed += 1
        if (i + 1) % 50 == 0:
            print(f"{TOOL}: selfcheck {spec.name} {i + 1}/{len(cases)}", flush=True)
    for k, v in sorted(info.items()):
        print(f"  {spec.name}: {k}: {v}")
    print(f"selfcheck {spec.name}: {passed} passed, {failed} failed", flush=True)
    return passed, failed


def cmd_selfcheck(a) -> int:
    ops = OPS if a.op == "all" else (a.op,)
    failed = 0
    for op in ops:
        failed += selfcheck_op(SPECS[op], a.count, a.seed)[1]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stride_family_tf.py",
        description="TensorFlow (tensorflow-cpu==2.20.0, Keras 3) oracle for Strider's pooling, "
                    "transposed, depthwise, separable and 1-D convolution: writes case "
                    "directories and checks the strider CLI and library against them.",
        epilog="Ops: " + ", ".join(OPS) + ". Comparison rule: |strider - tf| <= 1e-5 * S + 1e-6 "
               "per element, S = the same op over absolute values (+ |bias|, linear).")
    parser.add_argument("--threads", type=int, default=2,
                        help="TensorFlow intra/inter-op threads (default 2)")
    sub = parser.add_subparsers(dest="command", required=True)

    def op_arg(p, allow_all=False):
        p.add_argument("--op", required=True, choices=OPS + (("all",) if allow_all else ()),
                       help="the op" + (" ('all': every op in turn)" if allow_all else ""))

    g = sub.add_parser("generate", help="write N random cases with TF's expected outputs")
    op_arg(g)
    g.add_argument("--out", required=True, help="output directory (case_NNNN/ + manifest.json)")
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--seed", type=int, required=True)
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("sweep", help="generate N cases, run the CLI and the library runner")
    op_arg(s)
    common.add_sweep_arguments(
        s, 200, "path to `strider` ('' skips the CLI pass; ignored for ops without a CLI "
                "command: separable, conv1d)")
    s.set_defaults(func=cmd_sweep)

    f = sub.add_parser("fixtures", help="write the small committed fixture set of one op")
    op_arg(f)
    f.add_argument("--out", required=True)
    f.add_argument("--count", type=int, default=30)
    f.add_argument("--seed", type=int, default=7)
    f.set_defaults(func=cmd_fixtures)

    c = sub.add_parser("selfcheck", help="check the oracle: TF/Keras vs the fallback "
                                         "formulations vs a float64 numpy reference")
    op_arg(c, allow_all=True)
    c.add_argument("--count", type=int, default=100,
                   help="random cases per op (the fixed coverage cases are added)")
    c.add_argument("--seed", type=int, default=1)
    c.set_defaults(func=cmd_selfcheck)

    a = parser.parse_args(argv)
    if getattr(a, "count", 1) < 1:
        parser.error("--count must be at least 1")
    common.configure(TOOL, a.threads)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
