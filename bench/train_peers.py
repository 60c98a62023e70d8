"""Times training epochs of the Fashion-MNIST CNN in PyTorch or Keras, the peers of `strider train`.

The model, data, optimiser and batch are the ones `bench/train_peers.sh` gives Strider:
Conv2D(32, 3, same)-ReLU-Conv2D(64, 3, stride 2, same)-ReLU-Conv2D(64, 3, stride 2, same)-ReLU-
Flatten-Dense(10), softmax cross-entropy, Adam (Keras's defaults), batch 64, pixels / 255, the
training set shuffled every epoch. Prints one JSON object per epoch (framework, epoch, seconds,
loss, test_accuracy) on its own line. Only the training loop is timed: loading the IDX files and
evaluating the test set are not.

PyTorch is Debian's python3-torch, so run `--framework torch` with Debian's /usr/bin/python3; Keras
comes from tensorflow-cpu in .venv. With --paced a run prints {"framework": ..., "ready": true}
once set up and then waits for a line on standard input before each epoch: --interleave runs the
frameworks that way, one epoch of each in turn (Strider's as `strider train --resume`, a process
per epoch), so that a noisy spell on this shared machine falls on every framework alike rather
than on whichever ran through it. Usage:
  python3 train_peers.py --framework torch|torch-channels-last|keras [--epochs N] [--threads T]
                         [--paced]
  python3 train_peers.py --interleave --strider BIN --keras-python PY [--epochs N] [--threads T]
                         [--log FILE.jsonl]
  python3 train_peers.py --report FILE.jsonl   (the table of what the runs printed, strider's too)
"""

import argparse
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
STRIDER_MODEL = (
    "input(28,28,1); conv(32,3,padding=same,activation=relu); "
    "conv(64,3,strides=2,padding=same,activation=relu); "
    "conv(64,3,strides=2,padding=same,activation=relu); flatten; dense(10)"
)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, kind, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        sys.exit(f"train_peers: {path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(limit_train):
    x = read_idx(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    yt = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    if limit_train:
        x, y = x[:limit_train], y[:limit_train]
    return x, y, xt, yt


def emit(framework, epoch, seconds, loss, test_accuracy, images):
    print(
        json.dumps(
            {
                "framework": framework,
                "epoch": epoch,
                "seconds": seconds,
                "loss": loss,
                "test_accuracy": test_accuracy,
                "images_per_second": images / seconds,
            }
        ),
        flush=True,
    )


def epochs(args, name):
    """The epoch numbers to run; with --paced, each waits for a line on standard input."""
    if args.paced:
        print(json.dumps({"framework": name, "ready": True}), flush=True)
    for epoch in range(1, args.epochs + 1):
        if args.paced and not sys.stdin.readline():
            return
        yield epoch


def run_torch(args, channels_last):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y, xt, yt = load(args.limit_train)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.from_numpy(x).unsqueeze(1).contiguous(memory_format=fmt)
    xt = torch.from_numpy(xt).unsqueeze(1).contiguous(memory_format=fmt)
    y, yt = torch.from_numpy(y), torch.from_numpy(yt)
    # Padding 1 gives the same output sizes as TensorFlow's SAME here (28, 14, 7) and the same
    # arithmetic; only which border row is padded differs.
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(7 * 7 * 64, 10),
    ).to(memory_format=fmt)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    name = "torch-channels-last" if channels_last else "torch"
    n = x.shape[0]
    for epoch in epochs(args, name):
        model.train()
        order = torch.randperm(n)
        total, batches = 0.0, 0
        start = time.perf_counter()
        for b in range(0, n, args.batch):
            idx = order[b : b + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx].contiguous(memory_format=fmt)), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(xt[b : b + 1000]).argmax(1) == yt[b : b + 1000]).sum().item()
                for b in range(0, xt.shape[0], 1000)
            )
        emit(name, epoch, seconds, total / batches, correct / xt.shape[0], n)


def run_keras(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import keras

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(args.seed)
    x, y, xt, yt = load(args.limit_train)
    x, xt = x[..., None], xt[..., None]
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    for epoch in epochs(args, "keras"):
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=args.batch, epochs=1, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(xt, yt, batch_size=1000, verbose=0)
        emit("keras", epoch, seconds, float(history.history["loss"][-1]), float(accuracy), len(x))


def next_json(stream, source):
    """The next JSON object a run prints; its other lines go to standard error."""
    for line in stream:
        if line.startswith("{"):
            return json.loads(line)
        sys.stderr.write(line)
    sys.exit(f"train_peers: {source} ended before printing its result")


def interleave(args):
    """One epoch of each framework in turn, the order rotating every round; every epoch's JSON is
    printed and written to args.log."""
    here = os.path.abspath(__file__)
    common = ["--epochs", str(args.epochs), "--threads", str(args.threads),
              "--batch", str(args.batch), "--seed", str(args.seed),
              "--limit-train", str(args.limit_train), "--paced"]
    peers = {}
    for name, python in (("torch", sys.executable), ("torch-channels-last", sys.executable),
                         ("keras", args.keras_python)):
        peers[name] = subprocess.Popen([python, here, "--framework", name, *common],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for name, proc in peers.items():
        next_json(proc.stdout, name)  # {"ready": true}: set up, waiting
    checkpoint = tempfile.mkdtemp(prefix="strider-train-peers-")
    names = ["strider", *peers]
    try:
        with open(args.log, "w") as log:
            for epoch in range(1, args.epochs + 1):
                turn = (epoch - 1) % len(names)
                for name in names[turn:] + names[:turn]:
                    # The last run's threads may spin a while after its epoch (OpenMP, Eigen's
                    # pool) and would take the cores from the next.
                    time.sleep(args.settle)
                    if name == "strider":
                        run = subprocess.run(
                            [args.strider, "train", "--model", STRIDER_MODEL,
                             "--data", "fashion-mnist", "--epochs", str(epoch),
                             "--batch", str(args.batch), "--optimizer", "adam",
                             "--threads", str(args.threads), "--seed", str(args.seed),
                             "--limit-train", str(args.limit_train),
                             "--checkpoint", checkpoint, "--resume", "--json"],
                            stdout=subprocess.PIPE, text=True, check=True)
                        row = {"framework": "strider", **json.loads(run.stdout.splitlines()[-1])}
                    else:
                        peers[name].stdin.write("\n")
                        peers[name].stdin.flush()
                        row = next_json(peers[name].stdout, name)
                    print(json.dumps(row), flush=True)
                    log.write(json.dumps(row) + "\n")
    finally:
        shutil.rmtree(checkpoint, ignore_errors=True)
        for proc in peers.values():
            proc.stdin.close()
            proc.wait()


def report(path):
    """Median epoch time, first epoch time and last test accuracy per framework, and Strider's
    median over the faster peer's."""
    runs = {}
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                row = json.loads(line)
                runs.setdefault(row["framework"], []).append(row)
    if not runs:
        sys.exit(f"train_peers: {path}: no epochs in it")
    median = {name: float(np.median([r["seconds"] for r in rows])) for name, rows in runs.items()}
    print(f"{'framework':<22}{'epochs':>7}{'median s/epoch':>16}{'first epoch s':>15}"
          f"{'images/s':>10}{'test accuracy':>15}")
    for name, rows in runs.items():
        print(f"{name:<22}{len(rows):>7}{median[name]:>16.2f}{rows[0]['seconds']:>15.2f}"
              f"{len_images(rows) / median[name]:>10.0f}"
              f"{rows[-1]['test_accuracy']:>15.4f}")
    peers = {k: v for k, v in median.items() if k != "strider"}
    if "strider" in median and peers:
        best = min(peers, key=peers.get)
        print(f"\nstrider / fastest peer ({best}): {median['strider'] / peers[best]:.2f} "
              f"(median epoch times; the issue's target is at most 0.5)")
        # Epoch by epoch: with --interleave an epoch's runs were neighbours in time.
        rounds = []
        for i, row in enumerate(runs["strider"]):
            times = [rows[i]["seconds"] for name, rows in runs.items()
                     if name != "strider" and i < len(rows)]
            if times:
                rounds.append(row["seconds"] / min(times))
        if rounds:
            print(f"strider / fastest peer of the same epoch: median {np.median(rounds):.2f} "
                  f"(each epoch: {', '.join(f'{r:.2f}' for r in rounds)})")


def len_images(rows):
    return rows[0]["images_per_second"] * rows[0]["seconds"]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        return report(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=["torch", "torch-channels-last", "keras"])
    parser.add_argument("--paced", action="store_true",
                        help="wait for a line on standard input before each epoch")
    parser.add_argument("--interleave", action="store_true",
                        help="run Strider and every peer one epoch each in turn")
    parser.add_argument("--strider", default="build/bin/strider", help="the strider binary")
    parser.add_argument("--keras-python", default=".venv/bin/python",
                        help="the Python that has tensorflow-cpu")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds of pause before each epoch with --interleave")
    parser.add_argument("--log", default="build/train_peers.jsonl",
                        help="where --interleave writes every epoch's JSON")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit-train", type=int, default=0,
                        help="use only the first N training images (0: all)")
    args = parser.parse_args()
    if args.epochs < 1 or args.threads < 1 or args.batch < 1 or args.limit_train < 0:
        parser.error("--epochs, --threads and --batch must be at least 1, --limit-train at least 0")
    if not args.settle >= 0:
        parser.error(f"--settle must be at least 0, got {args.settle}")
    if args.interleave == (args.framework is not None):
        parser.error("give either --framework or --interleave")
    if args.interleave:
        interleave(args)
    elif args.framework == "keras":
        run_keras(args)
    else:
        run_torch(args, args.framework == "torch-channels-last")


if __name__ == "__main__":
    main()
