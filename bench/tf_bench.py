#!/usr/bin/env python3
"""TensorFlow itself on the shapes of bench/shapes.txt: the peer Strider must match exactly.

Times tf.nn.conv2d / tf.nn.depthwise_conv2d plus tf.nn.bias_add (what Strider computes) under
tf.function, inputs already on the CPU device and passed as arguments (captured constants would let
Grappler fold the whole convolution away), median of repeated runs after warm-up. Two builds of the
same TensorFlow run: as shipped (oneDNN inside) and with TF_ENABLE_ONEDNN_OPTS=0 (TensorFlow's own
Eigen kernels), each for every thread count. TensorFlow fixes its thread pools when the first op
runs, so every (build, threads) pair is a subprocess of this script.

  .venv/bin/python bench/tf_bench.py [--shapes bench/shapes.txt] [--threads 1,2]
                                     [--min-seconds 0.5] [--json FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# The two builds compared: (column name, environment overrides).
BUILDS = (("oneDNN", {}), ("Eigen", {"TF_ENABLE_ONEDNN_OPTS": "0"}))


def pair(text):
    """Strider's pair forms: "k", "h,w" or "1,h,w,1" (include/strider/geometry/problem.hpp)."""
    v = [int(x) for x in text.split(",")]
    if len(v) not in (1, 2, 4):
        raise ValueError(f"expected k, h,w or 1,h,w,1; got '{text}'")
    return (v[0], v[0]) if len(v) == 1 else (v[0], v[1]) if len(v) == 2 else (v[1], v[2])


def parse_shapes(path):
    """The problems of a shape list as dicts, with the CLI's defaults for omitted keys."""
    problems = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            p = {"op": "conv", "filters": "1", "multiplier": "1", "kernel": "1", "strides": "1",
                 "dilation": "1", "padding": "valid", "groups": "1", "text": line}
            p.update(token.split("=", 1) for token in line.split())
            problems.append(p)
    return problems


def label(p):
    """The short name strider_peers prints: "conv 1x56x56x128 to 128, 3x3 s2 same"."""
    def fmt(v):
        return f"{v[0]}" if v[0] == v[1] else f"{v[0]},{v[1]}"

    shape = p["input"].replace(",", "x")
    head = (f"conv {shape} to {p['filters']}," if p["op"] == "conv"
            else f"depthwise {shape} x{p['multiplier']},")
    kh, kw = pair(p["kernel"])
    s = f"{head} {kh}x{kw} s{fmt(pair(p['strides']))} {p['padding']}"
    if pair(p["dilation"]) != (1, 1):
        s += f" d{fmt(pair(p['dilation']))}"
    if p["groups"] != "1":
        s += f" g{p['groups']}"
    return s


def worker(problems, threads, min_seconds):
    """Times every problem in this process with `threads` threads; returns one dict per problem."""
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    results = []
    for p in problems:
        n, h, w, c = (int(x) for x in p["input"].split(","))
        kh, kw = pair(p["kernel"])
        strides, dilation = pair(p["strides"]), pair(p["dilation"])
        padding = p["padding"].upper()
        if padding not in ("VALID", "SAME"):
            t, b, l, r = (int(x) for x in padding.split(","))
            padding = [[0, 0], [t, b], [l, r], [0, 0]]
        # reads: the input channels each output channel sums over.
        if p["op"] == "conv":
            out_channels, reads = int(p["filters"]), c // int(p["groups"])
            filter_shape = (kh, kw, reads, out_channels)
            op = lambda x, f: tf.nn.conv2d(x, f, strides, padding, dilations=dilation)
        else:
            out_channels, reads = c * int(p["multiplier"]), 1
            filter_shape = (kh, kw, c, int(p["multiplier"]))
            op = lambda x, f: tf.nn.depthwise_conv2d(x, f, (1, *strides, 1), padding,
                                                     dilations=dilation)
        rng = np.random.default_rng(1)
        with tf.device("/CPU:0"):
            args = [tf.constant(rng.uniform(-1, 1, s).astype(np.float32))
                    for s in ((n, h, w, c), filter_shape, (out_channels,))]
        fn = tf.function(lambda x, f, bias: tf.nn.bias_add(op(x, f), bias))
        try:
            y = fn(*args)  # traces and compiles
        except (tf.errors.OpError, ValueError) as e:
            results.append({"problem": p["text"], "error": str(e).splitlines()[0]})
            continue
        for _ in range(5):
            fn(*args)
        # On the CPU a tf.function call returns when its ops have run, so wall time is compute.
        times = []
        start = time.perf_counter()
        while len(times) < 20 or time.perf_counter() - start < min_seconds:
            t0 = time.perf_counter()
            fn(*args)
            times.append((time.perf_counter() - t0) * 1e3)
        _, oh, ow, _ = y.shape
        results.append({"problem": p["text"],
                        "gflop": 2e-9 * n * oh * ow * out_channels * kh * kw * reads,
                        "median_ms": statistics.median(times), "min_ms": min(times),
                        "runs": len(times)})
    return results


def run_worker(args, build_env, threads):
    """One subprocess: this script with --worker, in the given build and thread count."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", OMP_NUM_THREADS=str(threads), **build_env)
    cmd = [sys.executable, __file__, "--worker", str(threads), "--shapes", args.shapes,
           "--min-seconds", str(args.min_seconds)]
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="bench/shapes.txt")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--min-seconds", type=float, default=0.5,
                        help="seconds each shape is timed per build and thread count")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    problems = [p for p in parse_shapes(args.shapes) if p["op"] in ("conv", "depthwise")]
    if args.worker:
        print(json.dumps(worker(problems, args.worker, args.min_seconds)))
        return

    import importlib.metadata
    version = importlib.metadata.version("tensorflow-cpu")
    thread_counts = [int(t) for t in args.threads.split(",")]
    columns = [(name, env, t) for t in thread_counts for name, env in BUILDS]
    runs = {f"{name} {t}T": run_worker(args, env, t) for name, env, t in columns}
    heads = list(runs)
    print(f"TensorFlow {version}: median ms; oneDNN = as shipped, "
          "Eigen = TF_ENABLE_ONEDNN_OPTS=0")
    print(f"{'shape':<44} {'GFLOP':>8}" + "".join(f" {h:>11}" for h in heads))
    for i, p in enumerate(problems):
        cells = [runs[h][i] for h in heads]
        gflop = next((r["gflop"] for r in cells if "gflop" in r), float("nan"))
        print(f"{label(p):<44} {gflop:>8.4f}" +
              "".join(f" {r['median_ms']:>11.4g}" if "median_ms" in r else f" {'failed':>11}"
                      for r in cells))
    for h in heads:
        for r in runs[h]:
            if "error" in r:
                print(f"TensorFlow ({h}) failed on '{r['problem']}': {r['error']}")
    if args.json:
        with open(args.json + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"tensorflow": version, "min_seconds": args.min_seconds, "runs": runs}, f,
                      indent=2)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
