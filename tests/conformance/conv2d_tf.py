#!/usr/bin/env python3
# conv2d_tf.py - TensorFlow oracle for Strider's conv2d.
#
# Draws random Conv2D configurations, computes the expected output with TensorFlow (pinned:
# tensorflow-cpu==2.20.0, see requirements.txt beside this file), writes them as case directories
# and checks Strider's CLI (`strider conv`) and library runner (`strider_conformance conv2d DIR`)
# against them. Python 3.11, TensorFlow eager mode on the CPU.
#
# Command lines (from the repository root, with the venv that holds requirements.txt):
#   # random cases into a directory (for debugging or for the library runner alone)
#   .venv/bin/python tests/conformance/conv2d_tf.py generate --out /tmp/cases --count 20 --seed 1
#   build/bin/strider_conformance conv2d /tmp/cases
#   # the full sweep: CLI pass + library pass over 300 fresh cases (what CTest runs)
#   .venv/bin/python tests/conformance/conv2d_tf.py sweep --cli build/bin/strider \
#       --runner build/bin/strider_conformance --count 300 --seed 2026
#   # CLI pass only (an empty --runner skips the library pass; an empty --cli skips the CLI pass)
#   .venv/bin/python tests/conformance/conv2d_tf.py sweep --cli build/bin/strider --runner '' \
#       --count 300 --seed 1
#   # sweep over existing cases (e.g. the committed fixtures) instead of fresh ones
#   .venv/bin/python tests/conformance/conv2d_tf.py sweep --cli build/bin/strider \
#       --runner build/bin/strider_conformance --cases tests/conformance/fixtures/conv2d
#   # regenerate the committed fixtures (small tensors, fixed coverage list + random fill)
#   .venv/bin/python tests/conformance/conv2d_tf.py fixtures --out tests/conformance/fixtures/conv2d \
#       --count 40 --seed 7
#   # check the oracle itself: TF's direct call vs the fallback formulations vs float64 numpy
#   .venv/bin/python tests/conformance/conv2d_tf.py selfcheck --count 200 --seed 1
#
# Case directory format (one directory per case, DIR/case_0000, DIR/case_0001, ...):
#   input.npy    float32 NHWC [batch, height, width, groups * cin_per_group]
#   filter.npy   float32 HWIO [kh, kw, cin_per_group, filters]
#   bias.npy     float32 [filters]; present only when the case has a bias
#   expected.npy float32 NHWC, TensorFlow's output (bias added, activation applied)
#   args.txt     one line: --strides SH,SW --padding P --dilation DH,DW --groups G --activation A
#                with P = valid | same | T,B,L,R and A = linear | relu
#   DIR/manifest.json lists every case with its parameters, shapes and the oracle route used.
#
# Comparison rule (the CLI pass here and the library runner must use the same one): for every
# output element, |strider - tf| <= 1e-5 * S + 1e-6, where S is the sum of absolute products
# feeding that element: S = conv2d(|input|, |filter|) + |bias| (same geometry, linear activation).
# Shapes must match exactly and the output must be float32; NaN never passes.
#
# Configurations TensorFlow refuses but Strider computes, and how the oracle handles each
# (established empirically with tensorflow-cpu 2.20.0 / numpy 2.4.6 on x86-64, eager and
# tf.function, with oneDNN enabled and with TF_ENABLE_ONEDNN_OPTS=0 -- identical results on AMD
# CPUs; on AVX-512 Intel CPUs oneDNN is wrong when the stride exceeds the input width, so the
# oracle runs TensorFlow's own kernels, see tf_oracle_common.py):
#   * Grouped convolution (groups > 1, i.e. input channels = groups * filter in-channels):
#     tf.nn.conv2d's CPU kernel ACCEPTS it in 2.20 and matches per-group convolution, so the oracle
#     calls it directly. Fallback kept for other TF builds: if the call is refused, each group is
#     convolved on its own channel slice (input channels [g*Cg, (g+1)*Cg), filters
#     [g*Fg, (g+1)*Fg)) and the outputs are concatenated along channels. Route "group-slices".
#   * Strides > 1 together with dilations > 1: tf.nn.conv2d's CPU kernel ACCEPTS it in 2.20 for
#     VALID, SAME and explicit padding, and matches the explicitly dilated filter. The refusal
#     "`strides > 1` not supported in conjunction with `dilation_rate > 1`" (ValueError) comes
#     from the Python wrappers tf.nn.convolution and keras.layers.Conv2D, which the oracle never
#     uses. Fallback kept: if tf.nn.conv2d refuses, the filter is dilated explicitly in numpy
#     (d-1 zero rows/cols between taps) and convolved with dilation 1 and the same strides and
#     padding; identical for SAME because TF's SAME padding uses the effective kernel size.
#     Route "dilated-filter".
#   * Explicit padding [[0,0],[T,B],[L,R],[0,0]]: accepted by tf.nn.conv2d; tf.nn.convolution
#     refuses it (TypeError), so the oracle always uses tf.nn.conv2d.
#   * Zero-sized inputs: TF accepts them and so the oracle uses TF directly. batch 0 gives
#     (0, OH, OW, F). Height or width 0 with explicit padding computes over the padding alone:
#     zeros, then + bias and the activation (e.g. input (1,0,5,C), 3x3, pads 1,2,1,1 -> (1,1,5,F)).
#     SAME with height 0 gives height 0 (ceil(0 / s) = 0), e.g. (1,0,5,F).
#   * Not generated, because Strider rejects them by design: VALID or explicit padding whose
#     effective kernel (k-1)*d+1 exceeds the (padded) input. There TF returns an empty axis
#     (input 2, kernel 3, VALID -> output 0) or refuses ("Computed output size would be negative"
#     for input 0, kernel 3, VALID); the generator redraws such configurations.
#   * TF's own hard refusals, which Strider mirrors (never generated): strides or dilations other
#     than 1 in the batch/channel positions (UnimplementedError), input channels not a multiple of
#     the filter's in-channels or filters not a multiple of groups (InvalidArgumentError), and a
#     filter with a zero extent (InvalidArgumentError).

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import tf_oracle_common as common  # noqa: E402
from tf_oracle_common import (CASE_RE, MANIFEST, compare, dilate_filter,  # noqa: E402,F401
                              prepare_out_dir, tf_module)

TOOL = "conv2d_tf"


# --------------------------------------------------------------------------------------------
# Configurations


@dataclass(frozen=True)
class Limits:
    max_batch: int = 3
    max_extent: int = 33
    max_kernel: int = 7
    max_stride: int = 4
    max_dilation: int = 3
    max_pad: int = 3
    max_groups: int = 4
    max_cin_per_group: int = 8
    max_fout_per_group: int = 8


SWEEP_LIMITS = Limits()
FIXTURE_LIMITS = Limits(max_batch=2, max_extent=12, max_cin_per_group=4, max_fout_per_group=4)


@dataclass(frozen=True)
class Case:
    batch: int
    height: int
    width: int
    groups: int
    cin_per_group: int
    kh: int
    kw: int
    fout_per_group: int
    sh: int = 1
    sw: int = 1
    dh: int = 1
    dw: int = 1
    padding: Any = "valid"  # "valid" | "same" | (top, bottom, left, right)
    bias: bool = True
    activation: str = "linear"  # "linear" | "relu"
    tags: tuple = ()

    @property
    def channels(self) -> int:
        return self.groups * self.cin_per_group

    @property
    def filters(self) -> int:
        return self.groups * self.fout_per_group

    @property
    def input_shape(self) -> tuple:
        return (self.batch, self.height, self.width, self.channels)

    @property
    def filter_shape(self) -> tuple:
        return (self.kh, self.kw, self.cin_per_group, self.filters)

    def padding_flag(self) -> str:
        if isinstance(self.padding, str):
            return self.padding
        return ",".join(str(p) for p in self.padding)

    def args_line(self) -> str:
        return (f"--strides {self.sh},{self.sw} --padding {self.padding_flag()} "
                f"--dilation {self.dh},{self.dw} --groups {self.groups} "
                f"--activation {self.activation}")

    def _axis(self, size: int, k: int, s: int, d: int, before: int, after: int) -> int | None:
        """Output extent along one axis, or None where Strider rejects the window."""
        ek = (k - 1) * d + 1
        if self.padding == "same":
            return -(-size // s)
        padded = size + before + after
        if ek > padded:
            return None
        return (padded - ek) // s + 1

    def output_shape(self) -> tuple | None:
        t, b, l, r = self.padding if isinstance(self.padding, tuple) else (0, 0, 0, 0)
        oh = self._axis(self.height, self.kh, self.sh, self.dh, t, b)
        ow = self._axis(self.width, self.kw, self.sw, self.dw, l, r)
        if oh is None or ow is None:
            return None
        return (self.batch, oh, ow, self.filters)

    def describe(self) -> str:
        return (f"batch={self.batch} in={self.height}x{self.width}x{self.channels} "
                f"kernel={self.kh}x{self.kw} filters={self.filters} groups={self.groups} "
                f"strides={self.sh},{self.sw} dilation={self.dh},{self.dw} "
                f"padding={self.padding_flag()} bias={'yes' if self.bias else 'no'} "
                f"activation={self.activation}")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["padding"] = list(self.padding) if isinstance(self.padding, tuple) else self.padding
        d["tags"] = list(self.tags)
        d["input_shape"] = list(self.input_shape)
        d["filter_shape"] = list(self.filter_shape)
        d["output_shape"] = list(self.output_shape())
        d["args"] = self.args_line()
        return d


def draw_case(rng: np.random.Generator, lim: Limits) -> Case:
    """One random configuration; redraws until Strider accepts the window (see header)."""
    def ri(lo: int, hi: int) -> int:
        return int(rng.integers(lo, hi + 1))

    while True:
        mode = ri(0, 2)
        if mode == 0:
            padding: Any = "valid"
        elif mode == 1:
            padding = "same"
        else:
            padding = tuple(ri(0, lim.max_pad) for _ in range(4))
        case = Case(
            batch=ri(1, lim.max_batch),
            height=ri(1, lim.max_extent),
            width=ri(1, lim.max_extent),
            groups=ri(1, lim.max_groups),
            cin_per_group=ri(1, lim.max_cin_per_group),
            kh=ri(1, lim.max_kernel),
            kw=ri(1, lim.max_kernel),
            fout_per_group=ri(1, lim.max_fout_per_group),
            sh=ri(1, lim.max_stride),
            sw=ri(1, lim.max_stride),
            dh=ri(1, lim.max_dilation),
            dw=ri(1, lim.max_dilation),
            padding=padding,
            bias=bool(rng.random() < 0.7),
            activation="relu" if rng.random() < 0.5 else "linear",
        )
        if case.output_shape() is not None:
            return case


def fixture_cases() -> list[Case]:
    """The fixed coverage list that every fixture set starts with."""
    C = Case
    return [
        C(1, 9, 7, 1, 3, 3, 3, 4, sh=2, sw=2, padding="same", tags=("same", "odd", "stride2")),
        C(1, 8, 10, 1, 2, 2, 3, 3, sh=2, sw=2, padding="same", bias=False,
          tags=("same", "even", "stride2", "no-bias")),
        C(1, 11, 7, 1, 3, 3, 3, 2, sh=3, sw=3, padding="same", tags=("same", "odd", "stride3")),
        C(2, 12, 6, 1, 2, 5, 2, 3, sh=3, sw=3, padding="same", activation="relu",
          tags=("same", "even", "stride3", "batch2", "relu")),
        C(1, 7, 8, 1, 2, 3, 4, 2, sh=2, sw=3, padding="same", tags=("same", "mixed-strides")),
        C(1, 11, 10, 1, 2, 2, 2, 3, sh=3, sw=4, padding="valid",
          tags=("stride>kernel", "valid")),
        C(1, 10, 9, 1, 3, 1, 2, 2, sh=3, sw=3, padding="same", tags=("stride>kernel", "same")),
        C(2, 5, 6, 1, 3, 5, 6, 2, padding="valid", tags=("kernel=input", "valid", "batch2")),
        C(1, 6, 7, 1, 2, 3, 3, 3, padding=(0, 2, 3, 1), tags=("explicit", "asymmetric")),
        C(1, 7, 5, 1, 2, 3, 2, 2, sh=2, sw=1, padding=(2, 0, 1, 3), activation="relu",
          tags=("explicit", "asymmetric", "stride2", "relu")),
        C(1, 11, 12, 1, 2, 3, 3, 2, sh=2, sw=2, dh=2, dw=2, padding="same",
          tags=("dilation2", "stride2", "same")),
        C(1, 12, 11, 1, 2, 3, 2, 2, sh=2, sw=2, dh=2, dw=2, padding="valid", bias=False,
          tags=("dilation2", "stride2", "valid", "no-bias")),
        C(2, 9, 10, 1, 2, 2, 3, 2, sh=2, sw=2, dh=2, dw=2, padding=(1, 2, 2, 0),
          activation="relu", tags=("dilation2", "stride2", "explicit", "batch2", "relu")),
        C(1, 8, 8, 2, 3, 3, 3, 2, padding="same", tags=("groups2",)),
        C(2, 7, 9, 4, 2, 2, 2, 3, sh=2, sw=1, padding="valid", tags=("groups4", "batch2")),
        C(1, 10, 10, 4, 1, 3, 3, 1, sh=2, sw=2, dh=2, dw=2, padding="same", activation="relu",
          tags=("groups4", "depthwise-like", "dilation2", "stride2", "relu")),
        C(1, 9, 8, 1, 3, 1, 1, 4, sh=2, sw=2, padding="valid", tags=("1x1", "stride2", "valid")),
        C(2, 7, 7, 2, 2, 1, 1, 2, sh=2, sw=2, padding="same", bias=False,
          tags=("1x1", "stride2", "same", "groups2", "no-bias")),
        C(1, 6, 6, 1, 2, 3, 3, 2, padding="valid", bias=False, activation="relu",
          tags=("relu", "no-bias")),
        # Edge cases: zero-sized tensors.
        C(0, 6, 5, 1, 2, 3, 3, 3, padding="same", tags=("edge", "batch0")),
        C(1, 0, 5, 1, 2, 3, 3, 3, padding=(1, 2, 1, 1), tags=("edge", "height0", "explicit")),
        C(2, 4, 0, 1, 2, 2, 3, 2, sw=2, padding=(1, 0, 2, 1), activation="relu",
          tags=("edge", "width0", "explicit", "relu")),
        C(1, 0, 5, 1, 2, 3, 3, 3, padding="same", tags=("edge", "height0", "same")),
    ]


# --------------------------------------------------------------------------------------------
# The oracle


def _tf_padding(case: Case):
    if case.padding == "valid":
        return "VALID"
    if case.padding == "same":
        return "SAME"
    t, b, l, r = case.padding
    return [[0, 0], [t, b], [l, r], [0, 0]]


def _conv_dilation_aware(x: np.ndarray, w: np.ndarray, case: Case, route: set, force: set):
    tf = tf_module()
    strides = [1, case.sh, case.sw, 1]
    dilated = case.dh > 1 or case.dw > 1
    if not ("dilated-filter" in force and dilated):
        try:
            return tf.nn.conv2d(x, w, strides=strides, padding=_tf_padding(case),
                                dilations=[1, case.dh, case.dw, 1])
        except common.refusal_types():
            if not (dilated and (case.sh > 1 or case.sw > 1)):
                raise
    route.add("dilated-filter")
    return tf.nn.conv2d(x, dilate_filter(w, case.dh, case.dw), strides=strides,
                        padding=_tf_padding(case), dilations=[1, 1, 1, 1])


def tf_conv2d(x: np.ndarray, w: np.ndarray, case: Case, route: set, force: set = frozenset()):
    """TensorFlow's conv2d (no bias, no activation) of `case`, grouped when case.groups > 1.

    `force` names fallback formulations to use even where TF accepts the direct call (selfcheck).
    """
    tf = tf_module()
    if not ("group-slices" in force and case.groups > 1):
        try:
            return _conv_dilation_aware(x, w, case, route, force)
        except common.refusal_types():
            if case.groups == 1:
                raise
    route.add("group-slices")
    cg, fg = case.cin_per_group, case.fout_per_group
    parts = [
        _conv_dilation_aware(np.ascontiguousarray(x[..., g * cg:(g + 1) * cg]),
                             np.ascontiguousarray(w[..., g * fg:(g + 1) * fg]), case, route, force)
        for g in range(case.groups)
    ]
    return tf.concat(parts, axis=-1)


def oracle(x, w, b, case: Case, force: set = frozenset()) -> tuple[np.ndarray, list]:
    """TensorFlow's float32 output of `case` and the route used ([] = direct tf.nn.conv2d)."""
    tf = tf_module()
    route: set = set()
    y = tf_conv2d(x, w, case, route, force)
    if b is not None:
        y = y + b
    if case.activation == "relu":
        y = tf.nn.relu(y)
    y = np.asarray(y.numpy(), dtype=np.float32)
    want = case.output_shape()
    if y.shape != want:
        raise RuntimeError(f"TF output shape {y.shape} != expected {want} for {case.describe()}")
    return y, sorted(route)


def abs_scale(x, w, b, case: Case) -> np.ndarray:
    """S = conv2d(|x|, |w|) + |b|, the per-element scale of the comparison rule (float64)."""
    lin = dataclasses.replace(case, activation="linear")
    s = tf_conv2d(np.abs(x), np.abs(w), lin, set())
    s = np.asarray(s.numpy(), dtype=np.float64)
    if b is not None:
        s = s + np.abs(b).astype(np.float64)
    return s


# --------------------------------------------------------------------------------------------
# Writing and reading case directories


def make_arrays(case: Case, rng: np.random.Generator):
    x = rng.uniform(-1.0, 1.0, case.input_shape).astype(np.float32)
    w = rng.uniform(-1.0, 1.0, case.filter_shape).astype(np.float32)
    b = rng.uniform(-1.0, 1.0, (case.filters,)).astype(np.float32) if case.bias else None
    return x, w, b


def write_cases(out: Path, cases: list[Case], rng: np.random.Generator, meta: dict,
                quiet: bool = False) -> None:
    prepare_out_dir(out)
    entries = []
    for i, case in enumerate(cases):
        name = f"case_{i:04d}"
        x, w, b = make_arrays(case, rng)
        y, route = oracle(x, w, b, case)
        d = out / name
        d.mkdir()
        np.save(d / "input.npy", x)
        np.save(d / "filter.npy", w)
        if b is not None:
            np.save(d / "bias.npy", b)
        np.save(d / "expected.npy", y)
        (d / "args.txt").write_text(case.args_line() + "\n")
        entry = {"name": name, **case.to_json(), "oracle_route": route or ["direct"]}
        entries.append(entry)
        if not quiet and (i + 1) % 50 == 0:
            print(f"conv2d_tf: generated {i + 1}/{len(cases)}", flush=True)
    manifest = {
        "tool": "tests/conformance/conv2d_tf.py",
        **meta,
        **common.versions(),
        "format": {
            "case": "case_NNNN/{input.npy, filter.npy, bias.npy (optional), expected.npy, "
                    "args.txt}",
            "input": "float32 NHWC [batch, height, width, groups * cin_per_group]",
            "filter": "float32 HWIO [kh, kw, cin_per_group, groups * fout_per_group]",
            "bias": "float32 [filters], only when the case has a bias",
            "expected": "float32 NHWC: tf.nn.conv2d(...) + bias, then the activation",
            "args": "--strides SH,SW --padding valid|same|T,B,L,R --dilation DH,DW --groups G "
                    "--activation linear|relu",
        },
        "comparison": "|strider - tf| <= 1e-5 * S + 1e-6 per element, "
                      "S = conv2d(|input|, |filter|) + |bias|",
        "count": len(entries),
        "cases": entries,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def parse_args_line(line: str) -> dict:
    tokens = line.split()
    if len(tokens) % 2:
        raise ValueError(f"malformed args.txt: {line!r}")
    flags = dict(zip(tokens[0::2], tokens[1::2]))
    want = {"--strides", "--padding", "--dilation", "--groups", "--activation"}
    if set(flags) != want:
        raise ValueError(f"args.txt must hold exactly {sorted(want)}: {line!r}")
    return flags


def load_case(d: Path) -> tuple[Case, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, str]:
    """Reads a case directory back into (case, x, w, b, expected, args line)."""
    line = (d / "args.txt").read_text().strip()
    flags = parse_args_line(line)
    x = np.load(d / "input.npy")
    w = np.load(d / "filter.npy")
    b = np.load(d / "bias.npy") if (d / "bias.npy").exists() else None
    y = np.load(d / "expected.npy")
    sh, sw = (int(v) for v in flags["--strides"].split(","))
    dh, dw = (int(v) for v in flags["--dilation"].split(","))
    p = flags["--padding"].lower()
    padding: Any = p if p in ("valid", "same") else tuple(int(v) for v in p.split(","))
    groups = int(flags["--groups"])
    case = Case(batch=x.shape[0], height=x.shape[1], width=x.shape[2], groups=groups,
                cin_per_group=w.shape[2], kh=w.shape[0], kw=w.shape[1],
                fout_per_group=w.shape[3] // groups, sh=sh, sw=sw, dh=dh, dw=dw,
                padding=padding, bias=b is not None, activation=flags["--activation"])
    return case, x, w, b, y, line


def case_dirs(root: Path) -> list[Path]:
    return common.case_dirs(root)


# --------------------------------------------------------------------------------------------
# Subcommands


def cmd_generate(a) -> int:
    rng = np.random.default_rng(a.seed)
    cases = [draw_case(rng, SWEEP_LIMITS) for _ in range(a.count)]
    write_cases(Path(a.out), cases, rng, {"kind": "generated", "seed": a.seed})
    print(f"conv2d_tf: wrote {a.count} cases to {a.out}")
    return 0


def cmd_fixtures(a) -> int:
    fixed = fixture_cases()
    if a.count < len(fixed):
        raise SystemExit(f"conv2d_tf: error: --count must be at least {len(fixed)} "
                         f"(the fixed coverage cases)")
    rng = np.random.default_rng(a.seed)
    cases = fixed + [dataclasses.replace(draw_case(rng, FIXTURE_LIMITS), tags=("random",))
                     for _ in range(a.count - len(fixed))]
    meta = {"kind": "fixtures", "seed": a.seed,
            "regenerate": f"python tests/conformance/conv2d_tf.py fixtures --out {a.out} "
                          f"--count {a.count} --seed {a.seed}",
            "limits": dataclasses.asdict(FIXTURE_LIMITS)}
    write_cases(Path(a.out), cases, rng, meta)
    print(f"conv2d_tf: wrote {a.count} fixture cases to {a.out}")
    return 0


def _strides_flag_variant(case: Case, rng: np.random.Generator) -> list[str]:
    """The flags of args.txt with strides (and dilation) rewritten into another accepted form."""
    strides = str(case.sh) if case.sh == case.sw else f"1,{case.sh},{case.sw},1"
    dilation = str(case.dh) if case.dh == case.dw and rng.random() < 0.5 else f"{case.dh},{case.dw}"
    return ["--strides", strides, "--padding", case.padding_flag(), "--dilation", dilation,
            "--groups", str(case.groups), "--activation", case.activation]


def run_cli_pass(cli: str, dirs: list[Path], scratch: Path, seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed ^ 0x5EED)
    passed = failed = 0
    for i, d in enumerate(dirs):
        case, x, w, b, want, line = load_case(d)
        flags = line.split()
        if rng.random() < 1 / 3:
            flags = _strides_flag_variant(case, rng)
        out_dir = scratch / d.name
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / "cli_out.npy"
        cmd = [cli, "conv", "--input", str(d / "input.npy"), "--filter", str(d / "filter.npy")]
        if b is not None:
            cmd += ["--bias", str(d / "bias.npy")]
        cmd += flags + ["--output", str(out)]
        problem = common.run_cli_case(cmd, out, want, lambda: abs_scale(x, w, b, case))
        if problem is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {d.name} [cli] {case.describe()} flags='{' '.join(flags)}': {problem}",
                  flush=True)
        if (i + 1) % 50 == 0:
            print(f"conv2d_tf: cli {i + 1}/{len(dirs)} ({failed} failed)", flush=True)
    return passed, failed


def cmd_sweep(a) -> int:
    def generate(root: Path) -> None:
        rng = np.random.default_rng(a.seed)
        cases = [draw_case(rng, SWEEP_LIMITS) for _ in range(a.count)]
        write_cases(root, cases, rng, {"kind": "sweep", "seed": a.seed})

    return common.sweep(a, "conv2d", "conv2d", generate,
                        lambda dirs, scratch: run_cli_pass(a.cli, dirs, scratch, a.seed))


def numpy_reference(x, w, b, case: Case) -> np.ndarray:
    """Float64 reference straight from the definition (selfcheck only)."""
    if case.padding == "same":
        t, bo = common.same_pads(case.height, case.kh, case.sh, case.dh)
        le, ri = common.same_pads(case.width, case.kw, case.sw, case.dw)
    elif case.padding == "valid":
        t = bo = le = ri = 0
    else:
        t, bo, le, ri = case.padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (t, bo), (le, ri), (0, 0)))
    _, oh, ow, f = case.output_shape()
    y = np.zeros((case.batch, oh, ow, f))
    cg, fg = case.cin_per_group, case.fout_per_group
    for g in range(case.groups):
        for i in range(case.kh):
            for j in range(case.kw):
                r0, c0 = i * case.dh, j * case.dw
                patch = xp[:, r0:r0 + (oh - 1) * case.sh + 1:case.sh,
                           c0:c0 + (ow - 1) * case.sw + 1:case.sw, g * cg:(g + 1) * cg]
                y[..., g * fg:(g + 1) * fg] += patch @ w[i, j, :, g * fg:(g + 1) * fg]
    if b is not None:
        y += b
    if case.activation == "relu":
        y = np.maximum(y, 0)
    return y


def cmd_selfcheck(a) -> int:
    rng = np.random.default_rng(a.seed)
    passed = failed = 0
    routes = [frozenset(), frozenset({"group-slices"}), frozenset({"dilated-filter"}),
              frozenset({"group-slices", "dilated-filter"})]
    for i in range(a.count):
        case = draw_case(rng, SWEEP_LIMITS)
        x, w, b = make_arrays(case, rng)
        scale = abs_scale(x, w, b, case)
        ref = numpy_reference(x, w, b, case)
        problems = []
        direct, route = oracle(x, w, b, case)
        if route:
            problems.append(f"direct call refused, route {route}")
        p = compare(ref.astype(np.float32), direct, scale)
        if p:
            problems.append(f"tf vs float64 reference: {p}")
        for force in routes[1:]:
            y, _ = oracle(x, w, b, case, force)
            p = compare(y, direct, scale)
            if p:
                problems.append(f"forced {sorted(force)} vs direct: {p}")
        if problems:
            failed += 1
            print(f"FAIL selfcheck {i} {case.describe()}: " + "; ".join(problems))
        else:
            passed += 1
        if (i + 1) % 50 == 0:
            print(f"conv2d_tf: selfcheck {i + 1}/{a.count}", flush=True)
    print(f"selfcheck conv2d: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="conv2d_tf.py",
        description="TensorFlow (tensorflow-cpu==2.20.0) oracle for Strider's conv2d: writes "
                    "case directories and checks the strider CLI and library against them.",
        epilog="Comparison rule: |strider - tf| <= 1e-5 * S + 1e-6 per element, "
               "S = conv2d(|input|, |filter|) + |bias|.")
    parser.add_argument("--threads", type=int, default=2,
                        help="TensorFlow intra/inter-op threads (default 2)")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write N random cases with TF's expected outputs")
    g.add_argument("--out", required=True, help="output directory (case_NNNN/ + manifest.json)")
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--seed", type=int, required=True)
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("sweep", help="generate N cases, run the CLI and the library runner")
    common.add_sweep_arguments(s, 300, "path to `strider` ('' skips the CLI pass)")
    s.set_defaults(func=cmd_sweep)

    f = sub.add_parser("fixtures", help="write the small committed fixture set")
    f.add_argument("--out", required=True)
    f.add_argument("--count", type=int, default=40)
    f.add_argument("--seed", type=int, default=7)
    f.set_defaults(func=cmd_fixtures)

    c = sub.add_parser("selfcheck", help="check the oracle: TF direct vs fallback formulations "
                                         "vs a float64 numpy reference")
    c.add_argument("--count", type=int, default=200)
    c.add_argument("--seed", type=int, default=1)
    c.set_defaults(func=cmd_selfcheck)

    a = parser.parse_args(argv)
    if getattr(a, "count", 1) < 1:
        parser.error("--count must be at least 1")
    common.configure(TOOL, a.threads)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
