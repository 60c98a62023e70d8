#!/usr/bin/env python3
# gradients_tf.py - TensorFlow oracle for Strider's backward ops (include/strider/ops/backward.hpp):
# the input and filter gradients of conv2d, depthwise_conv2d and conv2d_transpose, and the input
# gradients of max and average pooling, as tf.GradientTape computes them.
#
# Draws random configurations per op (seeded), computes y = op(x, w) under a GradientTape and
# TensorFlow's gradients of L = sum(r * y) for a random r (the grad_output), writes them as case
# directories, and runs Strider's runner (`strider_gradient_conformance OP DIR`,
# tests/conformance/gradients_main.cpp) over them. Pinned: tensorflow-cpu==2.20.0
# (requirements.txt beside this file). Python 3.11, eager mode, CPU. Shares the TensorFlow import,
# case-directory housekeeping and the sweep driver with the forward oracles (tf_oracle_common.py).
#
# Command lines (from the repository root):
#   # the sweep CTest runs, per op (conv2d, depthwise, conv_transpose, max_pool, avg_pool)
#   .venv/bin/python tests/conformance/gradients_tf.py sweep --op conv2d \
#       --runner build/bin/strider_gradient_conformance --count 40 --seed 2026
#   # cases into a directory, then the runner by hand
#   .venv/bin/python tests/conformance/gradients_tf.py generate --op depthwise --out /tmp/g \
#       --count 20 --seed 1
#   build/bin/strider_gradient_conformance depthwise /tmp/g
#
# Case directory format (DIR/case_NNNN; float32; DIR/manifest.json lists every case):
#   input.npy                 NHWC [N, H, W, C]
#   filter.npy                conv2d HWIO [kh, kw, C/G, F]; depthwise [kh, kw, C, M];
#                             conv_transpose [kh, kw, Cout, Cin]; absent for pooling
#   grad_output.npy           r, the forward output's shape
#   expected_grad_input.npy   dL/dx (TensorFlow)
#   expected_grad_filter.npy  dL/dw (TensorFlow); absent for pooling
#   args.txt   conv2d:         --strides SH,SW --dilation DH,DW --padding P --groups G
#              depthwise:      --strides SH,SW --dilation DH,DW --padding P
#              conv_transpose: --strides SH,SW --dilation DH,DW --padding valid|same
#                              --output-shape N,OH,OW,Cout
#              pools:          --pool PH,PW --strides SH,SW --padding valid|same
#              P = valid | same | T,B,L,R
#
# Comparison rule (the runner applies it): |strider - tf| <= 1e-4 * S + 1e-6 per element, where
# S is Strider's same gradient over |x|, |w| and |r| (the sum of |products| behind the element;
# for max pooling over x itself and |r|, so that the routing is unchanged).
#
# What TensorFlow 2.20's CPU kernels refuse when differentiating, and the routes around it (each
# exact, each checked at generation time by the adjoint identities
# <r, y> == <x, dL/dx> == <w, dL/dw>, which hold because every convolution is linear in x and w):
#   * Conv2DBackpropInput/Filter refuse any dilation > 1 ("Current CPU implementations do not yet
#     support dilation rates larger than 1"): route "dilated-filter". The filter is dilated
#     explicitly (d-1 zero rows/columns between taps) and convolved with dilation 1; the filter
#     gradient is the dilated filter's gradient at the real taps ([::dh, ::dw]), which is the
#     chain rule through that linear embedding. Padding (SAME included) depends on the effective
#     size (k-1)*d+1 only, so the geometry is unchanged. conv2d_transpose refuses dilation in the
#     forward already; same route.
#   * Grouped conv2d gradients are refused ("Gradients for grouped convolutions are not
#     supported"): route "group-slices", one conv2d per group on its channel slice, concatenated.
#   * tf.nn.depthwise_conv2d refuses unequal strides: route "channel-slices", the depthwise
#     convolution as C convolutions of one input channel with [kh, kw, 1, M] (output channel
#     c*M + m), which is its definition. (Its silently wrong results for strides > 1 together with
#     dilation > 1, see stride_family_tf.py, never arise: dilation is always explicit here.)
#   * Explicit padding goes to tf.nn.conv2d / tf.nn.depthwise_conv2d as
#     [[0,0],[T,B],[L,R],[0,0]], whose gradients the CPU computes.
#   * Never generated, because Strider rejects them by design: VALID or explicit windows larger
#     than the (padded) input, and empty tensors.

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import tf_oracle_common as common  # noqa: E402
from tf_oracle_common import dilate_filter, tf_module  # noqa: E402

TOOL = "gradients_tf"
OPS = ("conv2d", "depthwise", "conv_transpose", "max_pool", "avg_pool")


def ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def uniform(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, shape).astype(np.float32)


@dataclass
class Case:
    op: str
    input_shape: tuple
    filter_shape: tuple = ()
    strides: tuple = (1, 1)
    dilation: tuple = (1, 1)
    padding: str = "valid"          # valid | same | T,B,L,R
    groups: int = 1
    pool: tuple = (1, 1)
    output_hw: tuple = ()           # conv_transpose
    routes: list = field(default_factory=list)

    def args_line(self) -> str:
        pair = lambda p: f"{p[0]},{p[1]}"  # noqa: E731
        if self.op in ("max_pool", "avg_pool"):
            return f"--pool {pair(self.pool)} --strides {pair(self.strides)} --padding {self.padding}"
        line = (f"--strides {pair(self.strides)} --dilation {pair(self.dilation)} "
                f"--padding {self.padding}")
        if self.op == "conv2d":
            line += f" --groups {self.groups}"
        if self.op == "conv_transpose":
            n, cout = self.input_shape[0], self.filter_shape[2]
            line += f" --output-shape {n},{self.output_hw[0]},{self.output_hw[1]},{cout}"
        return line


def pads(case: Case, size: int, k: int, s: int, d: int, axis: int) -> tuple[int, int]:
    if case.padding == "valid":
        return 0, 0
    if case.padding == "same":
        return common.same_pads(size, k, s, d)
    t, b, l, r = (int(v) for v in case.padding.split(","))
    return (t, b) if axis == 0 else (l, r)


def fits(case: Case, k: tuple, d: tuple) -> bool:
    """Whether every axis has at least one output (Strider refuses windows that do not fit)."""
    for axis in (0, 1):
        size = case.input_shape[1 + axis]
        before, after = pads(case, size, k[axis], case.strides[axis], d[axis], axis)
        if size + before + after < (k[axis] - 1) * d[axis] + 1 or size == 0:
            return False
    return True


def draw_padding(rng) -> str:
    kind = ri(rng, 0, 2)
    if kind == 2:
        return ",".join(str(ri(rng, 0, 2)) for _ in range(4))
    return ("valid", "same")[kind]


def draw(op: str, rng) -> Case:
    while True:
        strides = (ri(rng, 1, 4), ri(rng, 1, 4))
        if rng.random() < 0.5:
            strides = (strides[0], strides[0])
        dilation = tuple(ri(rng, 2, 3) if rng.random() < 0.3 else 1 for _ in range(2))
        n = ri(rng, 1, 3)
        if op == "conv2d":
            groups = ri(rng, 2, 3) if rng.random() < 0.3 else 1
            cg, fg = ri(rng, 1, 4), ri(rng, 1, 4)
            k = (ri(rng, 1, 4), ri(rng, 1, 4))
            c = Case(op, (n, ri(rng, 1, 12), ri(rng, 1, 12), cg * groups),
                     (k[0], k[1], cg, fg * groups), strides, dilation, draw_padding(rng), groups)
        elif op == "depthwise":
            k = (ri(rng, 1, 4), ri(rng, 1, 4))
            ch = ri(rng, 1, 5)
            c = Case(op, (n, ri(rng, 1, 12), ri(rng, 1, 12), ch), (k[0], k[1], ch, ri(rng, 1, 3)),
                     strides, dilation, draw_padding(rng))
        elif op == "conv_transpose":
            k = (ri(rng, 1, 4), ri(rng, 1, 4))
            dilation = tuple(2 if rng.random() < 0.3 else 1 for _ in range(2))
            cin, cout = ri(rng, 1, 4), ri(rng, 1, 4)
            hw = (ri(rng, 1, 6), ri(rng, 1, 6))
            padding = ("valid", "same")[ri(rng, 0, 1)]
            out = []
            for axis in (0, 1):
                s, ke = strides[axis], (k[axis] - 1) * dilation[axis] + 1
                lo, hi = (((hw[axis] - 1) * s + ke, (hw[axis] - 1) * s + ke + s - 1)
                          if padding == "valid" else ((hw[axis] - 1) * s + 1, hw[axis] * s))
                out.append(ri(rng, lo, hi))
            c = Case(op, (n, hw[0], hw[1], cin), (k[0], k[1], cout, cin), strides, dilation,
                     padding, output_hw=tuple(out))
            return c
        else:
            k = (ri(rng, 1, 4), ri(rng, 1, 4))
            c = Case(op, (n, ri(rng, 1, 12), ri(rng, 1, 12), ri(rng, 1, 4)), strides=strides,
                     padding=("valid", "same")[ri(rng, 0, 1)], pool=k)
            if fits(c, k, (1, 1)):
                return c
            continue
        if fits(c, k, c.dilation):
            return c


def tf_padding(case: Case):
    if case.padding in ("valid", "same"):
        return case.padding.upper()
    t, b, l, r = (int(v) for v in case.padding.split(","))
    return [[0, 0], [t, b], [l, r], [0, 0]]


def conv2d_tf(tf, x, w, case: Case):
    """tf.nn.conv2d with dilation 1 (the filter already dilated), one call per group."""
    strides = [1, case.strides[0], case.strides[1], 1]
    if case.groups == 1:
        return tf.nn.conv2d(x, w, strides, tf_padding(case))
    case.routes.append("group-slices")
    cg, fg = w.shape[2], w.shape[3] // case.groups
    parts = [tf.nn.conv2d(x[..., g * cg:(g + 1) * cg], w[..., g * fg:(g + 1) * fg], strides,
                          tf_padding(case)) for g in range(case.groups)]
    return tf.concat(parts, axis=-1)


def depthwise_tf(tf, x, w, case: Case):
    strides = [1, case.strides[0], case.strides[1], 1]
    if case.strides[0] == case.strides[1]:
        return tf.nn.depthwise_conv2d(x, w, strides, tf_padding(case))
    case.routes.append("channel-slices")
    parts = [tf.nn.conv2d(x[..., c:c + 1], w[:, :, c:c + 1, :], strides, tf_padding(case))
             for c in range(w.shape[2])]
    return tf.concat(parts, axis=-1)


def gradients(case: Case, arrays: dict) -> dict:
    """TensorFlow's dL/dx (and dL/dw) for L = sum(r * op(x, w))."""
    tf = tf_module()
    x = tf.Variable(arrays["input"])
    r = tf.constant(arrays["grad_output"])
    if case.op in ("max_pool", "avg_pool"):
        pool = tf.nn.max_pool2d if case.op == "max_pool" else tf.nn.avg_pool2d
        with tf.GradientTape() as tape:
            y = pool(x, list(case.pool), list(case.strides), case.padding.upper())
        return {"expected_grad_input": tape.gradient(y, x, output_gradients=r).numpy()}
    dh, dw = case.dilation
    if (dh, dw) != (1, 1):
        case.routes.append("dilated-filter")
    w = tf.Variable(dilate_filter(arrays["filter"], dh, dw))
    with tf.GradientTape() as tape:
        if case.op == "conv2d":
            y = conv2d_tf(tf, x, w, case)
        elif case.op == "depthwise":
            y = depthwise_tf(tf, x, w, case)
        else:
            n, cout = case.input_shape[0], case.filter_shape[2]
            y = tf.nn.conv2d_transpose(x, w, [n, case.output_hw[0], case.output_hw[1], cout],
                                       [1, case.strides[0], case.strides[1], 1],
                                       case.padding.upper())
    gx, gw = tape.gradient(y, [x, w], output_gradients=r)
    if tuple(y.shape) != arrays["grad_output"].shape:
        raise SystemExit(f"{TOOL}: error: TensorFlow's output {tuple(y.shape)} is not the drawn "
                         f"grad_output shape {arrays['grad_output'].shape} for {case}")
    out = {"expected_grad_input": gx.numpy(), "expected_grad_filter": gw.numpy()[::dh, ::dw]}
    # The adjoint identities catch a wrong route (a filter gradient read at the wrong taps).
    ry = float(np.sum(arrays["grad_output"].astype(np.float64) * y.numpy()))
    for key, src in (("expected_grad_input", "input"), ("expected_grad_filter", "filter")):
        got = float(np.sum(arrays[src].astype(np.float64) * out[key]))
        scale = float(np.sum(np.abs(arrays["grad_output"]) * np.abs(y.numpy()))) + 1.0
        if abs(got - ry) > 1e-4 * scale:
            raise SystemExit(f"{TOOL}: error: adjoint identity fails for {key} ({got} vs {ry}) "
                             f"in {case}")
    return out


def output_shape(case: Case) -> tuple:
    """The forward's output shape (the grad_output shape), from the same rules as geometry."""
    n = case.input_shape[0]
    if case.op == "conv_transpose":
        return (n, case.output_hw[0], case.output_hw[1], case.filter_shape[2])
    k = case.pool if case.op in ("max_pool", "avg_pool") else case.filter_shape[:2]
    d = case.dilation if case.op in ("conv2d", "depthwise") else (1, 1)
    dims = []
    for axis in (0, 1):
        size, s = case.input_shape[1 + axis], case.strides[axis]
        before, after = pads(case, size, k[axis], s, d[axis], axis)
        dims.append((size + before + after - (k[axis] - 1) * d[axis] - 1) // s + 1)
    if case.op == "conv2d":
        channels = case.filter_shape[3]
    elif case.op == "depthwise":
        channels = case.filter_shape[2] * case.filter_shape[3]
    else:
        channels = case.input_shape[3]
    return (n, dims[0], dims[1], channels)


def write_cases(op: str, out: Path, count: int, seed: int) -> None:
    common.prepare_out_dir(out)
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(count):
        case = draw(op, rng)
        arrays = {"input": uniform(rng, case.input_shape)}
        if case.filter_shape:
            arrays["filter"] = uniform(rng, case.filter_shape)
        arrays["grad_output"] = uniform(rng, output_shape(case))
        arrays.update(gradients(case, arrays))
        d = out / f"case_{i:04d}"
        d.mkdir()
        for key, value in arrays.items():
            np.save(d / f"{key}.npy", np.asarray(value, dtype=np.float32))
        (d / "args.txt").write_text(case.args_line() + "\n")
        entries.append({"name": d.name, **asdict(case),
                        "routes": sorted(set(case.routes)) or ["direct"]})
    manifest = {"tool": "tests/conformance/gradients_tf.py", "op": op, "seed": seed,
                "count": count, **common.versions(),
                "comparison": "|strider - tf| <= 1e-4 * S + 1e-6, S = the gradient over |x|, "
                              "|w|, |r|", "cases": entries}
    (out / common.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gradients_tf.py",
        description="TensorFlow (tf.GradientTape) oracle for Strider's backward ops: writes "
                    "gradient cases and checks `strider_gradient_conformance` against them.")
    parser.add_argument("--threads", type=int, default=2,
                        help="TensorFlow intra/inter-op threads (default 2)")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write N random cases with TensorFlow's gradients")
    g.add_argument("--op", required=True, choices=OPS)
    g.add_argument("--out", required=True)
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--seed", type=int, required=True)
    s = sub.add_parser("sweep", help="generate N cases and run the library runner over them")
    s.add_argument("--op", required=True, choices=OPS)
    s.add_argument("--runner", required=True, help="path to `strider_gradient_conformance`")
    s.add_argument("--count", type=int, default=40)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--workdir", help="write the cases here (kept) instead of a temp directory")
    s.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = parser.parse_args(argv)
    if a.count < 1:
        parser.error("--count must be at least 1")
    common.configure(TOOL, a.threads)
    if a.command == "generate":
        write_cases(a.op, Path(a.out), a.count, a.seed)
        print(f"{TOOL}: wrote {a.count} {a.op} cases to {a.out}")
        return 0
    a.cli, a.cases = "", None
    return common.sweep(a, f"gradients_{a.op}", a.op,
                        lambda root: write_cases(a.op, root, a.count, a.seed), None)


if __name__ == "__main__":
    sys.exit(main())
