#!/usr/bin/env python3
# tf_oracle_common.py - pieces shared by the TensorFlow conformance oracles of Strider:
# conv2d_tf.py (conv2d) and stride_family_tf.py (pooling, transposed, depthwise, separable and 1-D
# convolution). Not a command of its own.
#
# What lives here: importing TensorFlow / Keras once with pinned thread pools, the comparison rule
# (|strider - tf| <= 1e-5 * S + 1e-6 per element), SAME padding and filter dilation helpers,
# case-directory housekeeping (writing, listing, version stamps), and the sweep driver (fresh or
# existing cases, a CLI pass, a library pass through the C++ runner, the closing
# `conformance OP: N passed, M failed` line).

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The oracle is TensorFlow's own CPU kernels (Eigen), not the oneDNN ones it ships switched on:
# tensorflow-cpu 2.20 with oneDNN returns uninitialised memory for tf.nn.conv2d when the stride
# exceeds the input width (e.g. 2x6x3x1 input, 1x3 filter, strides 1,4, SAME) on AVX-512 Intel
# CPUs, while its Eigen kernel and every other route agree. Set before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np  # noqa: E402

TF_PINNED = "2.20.0"
REL_TOL = 1e-5
ABS_TOL = 1e-6
CASE_RE = re.compile(r"^case_\d{4,}$")
MANIFEST = "manifest.json"
COMPARISON_RULE = "|strider - tf| <= 1e-5 * S + 1e-6 per element"

_tf_module = None
_keras_module = None
_threads = 2
_tool = "tf_oracle"


def configure(tool: str, threads: int) -> None:
    """Sets the message prefix (the script's name) and TensorFlow's thread count (before import)."""
    global _tool, _threads
    _tool = tool
    _threads = max(1, threads)


def tool() -> str:
    return _tool


def tf_module():
    """Imports TensorFlow once (lazily, so --help stays fast) and pins its thread pools."""
    global _tf_module
    if _tf_module is None:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(_threads)
        tf.config.threading.set_inter_op_parallelism_threads(_threads)
        tf.config.set_visible_devices([], "GPU")
        if tf.__version__ != TF_PINNED:
            print(f"{_tool}: warning: TensorFlow {tf.__version__} (pinned: {TF_PINNED})",
                  file=sys.stderr)
        _tf_module = tf
    return _tf_module


def keras_module():
    """Keras 3 as installed with tensorflow-cpu (TensorFlow backend), imported once."""
    global _keras_module
    if _keras_module is None:
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        tf_module()
        import keras

        if keras.config.backend() != "tensorflow":
            raise SystemExit(f"{_tool}: error: Keras backend is {keras.config.backend()!r}, "
                             f"the oracle needs 'tensorflow' (unset KERAS_BACKEND)")
        _keras_module = keras
    return _keras_module


def refusal_types() -> tuple:
    """The exception types by which TensorFlow / Keras refuse a configuration."""
    tf = tf_module()
    return (tf.errors.UnimplementedError, tf.errors.InvalidArgumentError,
            tf.errors.NotFoundError, ValueError, TypeError)


def dilate_filter(w: np.ndarray, dh: int, dw: int) -> np.ndarray:
    """Filter [kh, kw, ...] with dh-1 / dw-1 zero rows / columns inserted between taps."""
    kh, kw = w.shape[:2]
    out = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1) + w.shape[2:], dtype=w.dtype)
    out[::dh, ::dw] = w
    return out


def same_pads(size: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow's SAME padding (before, after) along one axis: the extra cell goes after."""
    total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pair(text: str) -> tuple[int, int]:
    """'a,b' -> (a, b)."""
    a, b = (int(v) for v in text.split(","))
    return a, b


def strides_variant(sh: int, sw: int) -> str:
    """The other accepted spellings of a stride pair: 's' when equal, else '1,sh,sw,1'."""
    return str(sh) if sh == sw else f"1,{sh},{sw},1"


def compare(got: np.ndarray, want: np.ndarray, scale: np.ndarray) -> str | None:
    """None when `got` passes the comparison rule, else a description of the worst element."""
    if got.dtype != np.float32:
        return f"dtype {got.dtype}, expected float32"
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}"
    if got.size == 0:
        return None
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    tol = REL_TOL * scale + ABS_TOL
    ratio = np.where(np.isnan(diff), np.inf, diff / tol)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    if ratio[worst] <= 1.0:
        return None
    bad = int(np.count_nonzero(ratio > 1.0))
    return (f"{bad}/{got.size} elements out of tolerance; worst at {tuple(int(i) for i in worst)}: "
            f"strider={got[worst]!r} tf={want[worst]!r} |diff|={diff[worst]:.3g} "
            f"tol={tol[worst]:.3g}")


def prepare_out_dir(out: Path) -> None:
    """Creates `out`, replacing case directories and the manifest a previous run wrote there."""
    out.mkdir(parents=True, exist_ok=True)
    for entry in sorted(out.iterdir()):
        if entry.name == MANIFEST and entry.is_file():
            entry.unlink()
        elif CASE_RE.match(entry.name) and entry.is_dir():
            shutil.rmtree(entry)
        else:
            raise SystemExit(f"{_tool}: error: refusing to write into {out}: it holds "
                             f"'{entry.name}', which this tool did not write")


def versions(with_keras: bool = False) -> dict:
    tf = tf_module()
    v = {"tensorflow": tf.__version__, "numpy": np.__version__}
    if with_keras:
        try:
            v["keras"] = metadata.version("keras")
        except metadata.PackageNotFoundError:
            v["keras"] = "not installed"
    v.update({"python": platform.python_version(), "machine": platform.machine()})
    return v


def case_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and CASE_RE.match(p.name))


def run_cli_case(cmd: list[str], out: Path, want: np.ndarray,
                 scale: Callable[[], np.ndarray]) -> str | None:
    """Runs one CLI command that writes `out`; None when its output passes, else the problem."""
    out.unlink(missing_ok=True)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "timed out after 120 s"
    except OSError as e:  # e.g. the binary is being relinked
        return f"could not run: {e}"
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        return f"exit {proc.returncode}: {msg[-1] if msg else '(no output)'}"
    if not out.exists():
        return "exit 0 but no output file"
    try:
        got = np.load(out)
    except Exception as e:  # noqa: BLE001 - any unreadable file is a failure
        return f"unreadable output: {e}"
    return compare(got, want, scale())


def run_library_pass(runner: str, op: str, root: Path) -> tuple[int, int]:
    """`RUNNER OP ROOT`: its last 'N passed, M failed' line; exit 0 iff all pass."""
    try:
        proc = subprocess.run([runner, op, str(root)], capture_output=True, text=True,
                              timeout=600)
    except subprocess.TimeoutExpired:
        print(f"FAIL [library] {runner} {op} {root}: timed out after 600 s")
        return 0, 1
    except OSError as e:
        print(f"FAIL [library] {runner} {op} {root}: could not run: {e}")
        return 0, 1
    text = proc.stdout + proc.stderr
    counts = re.findall(r"(\d+) passed, (\d+) failed", text)
    passed, failed = (int(counts[-1][0]), int(counts[-1][1])) if counts else (0, 0)
    if proc.returncode != 0 or failed or not counts:
        lines = text.strip().splitlines()
        for ln in lines[-60:]:
            print(f"  [library] {ln}")
        print(f"FAIL [library] {runner} {op} {root}: exit {proc.returncode}")
        failed = max(failed, 1)
    return passed, failed


def add_sweep_arguments(parser, count: int, cli_help: str) -> None:
    """The options every oracle script's `sweep` subcommand takes."""
    parser.add_argument("--cli", required=True, help=cli_help)
    parser.add_argument("--runner", required=True,
                        help="path to `strider_conformance` ('' skips the library pass)")
    parser.add_argument("--count", type=int, default=count)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="write the cases here instead of a temporary directory "
                                          "(kept afterwards)")
    parser.add_argument("--cases", help="check these existing case directories instead of "
                                        "generating (e.g. the fixtures); CLI outputs go to a "
                                        "temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")


def sweep(a, op: str, runner_op: str, generate: Callable[[Path], None],
          cli_pass: Callable[[list[Path], Path], tuple[int, int]] | None) -> int:
    """The `sweep` subcommand: fresh cases (generate(root)) or --cases, a CLI pass (cli_pass;
    None where the op has no CLI command), the library pass, and the closing line
    `conformance OP: N passed, M failed`. Returns the exit status (1 on any failure)."""
    cli = a.cli if cli_pass is not None else ""
    if not cli and not a.runner and cli_pass is not None:
        raise SystemExit(f"{_tool}: error: nothing to do: --cli and --runner are both empty")
    if not a.runner and cli_pass is None:
        raise SystemExit(f"{_tool}: error: nothing to do: {op} has no CLI command and "
                         f"--runner is empty")
    for t in (cli, a.runner):
        if t and not os.access(t, os.X_OK):
            raise SystemExit(f"{_tool}: error: not an executable: {t}")
    workdir = getattr(a, "workdir", None)
    if a.cases and workdir:
        raise SystemExit(f"{_tool}: error: --cases and --workdir exclude each other")
    start = time.monotonic()
    tmp = None if workdir else Path(tempfile.mkdtemp(prefix=f"strider_{op}_"))
    try:
        if a.cases:
            root, scratch = Path(a.cases), tmp  # never write into existing case directories
        else:
            root = scratch = Path(workdir) if workdir else tmp
            generate(root)
            print(f"{_tool}: generated {a.count} cases in {root} "
                  f"({time.monotonic() - start:.1f} s)", flush=True)
        dirs = case_dirs(root)
        if not dirs:
            raise SystemExit(f"{_tool}: error: no case directories in {root}")
        passed = failed = 0
        if cli_pass is None:
            print(f"cli: skipped ({op} has no CLI command)")
        elif cli:
            t0 = time.monotonic()
            p, f = cli_pass(dirs, scratch)
            print(f"cli: {p} passed, {f} failed ({time.monotonic() - t0:.1f} s)", flush=True)
            passed, failed = passed + p, failed + f
        else:
            print("cli: skipped (--cli '')")
        if a.runner:
            t0 = time.monotonic()
            p, f = run_library_pass(a.runner, runner_op, root)
            print(f"library: {p} passed, {f} failed ({time.monotonic() - t0:.1f} s)", flush=True)
            passed, failed = passed + p, failed + f
        else:
            print("library: skipped (--runner '')")
    finally:
        if tmp is not None:
            if a.keep:
                print(f"{_tool}: kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    print(f"{_tool}: total {time.monotonic() - start:.1f} s")
    print(f"conformance {op}: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0
