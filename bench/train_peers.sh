#!/usr/bin/env bash
# Strider's training beside PyTorch's and Keras's in one command: installs Debian's python3-torch
# and TensorFlow (.venv), builds `strider` (Release), then trains the Fashion-MNIST CNN of issue 6
# (Conv2D 32-64-64, 3x3, strides 1-2-2, SAME, ReLU, Flatten, Dense(10); Adam; batch 64) with each:
# Strider, PyTorch in NCHW and in channels_last, and Keras, one epoch of each in turn so that the
# shared machine's noisy spells fall on all of them. Prints the median epoch time of each, the
# test accuracy after the last epoch, and Strider's time over the fastest peer's (of the medians,
# and epoch by epoch). Every epoch's JSON lands in build/train_peers.jsonl.
#   bash bench/train_peers.sh [--epochs N (default 2)] [--threads T (default 2)]
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=2
threads=2
while (($#)); do
  case "$1" in
    --epochs) epochs="${2:?--epochs needs a value}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "strider: error: bench/train_peers.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || { echo "strider: error: --epochs: must be a positive integer, got '$epochs'" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "strider: error: --threads: must be a positive integer, got '$threads'" >&2; exit 2; }

bash scripts/install-deps.sh --python
if ! dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed"; then
  echo "strider: installing Debian's python3-torch"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3-torch
fi
cmake --preset release -DSTRIDER_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)" --target strider_cli

log=build/train_peers.jsonl
# One epoch of each framework in turn (bench/train_peers.py --interleave): Strider as
# `strider train --resume`, a process per epoch; the peers wait between their epochs. Debian's
# python3-torch is installed for Debian's own interpreter, not the first python3 on PATH.
echo "strider: training with strider, torch, torch-channels-last and keras, one epoch each in turn" \
  "($epochs epochs, $threads threads)"
/usr/bin/python3 bench/train_peers.py --interleave --epochs "$epochs" --threads "$threads" \
  --strider build/bin/strider --keras-python .venv/bin/python --log "$log"
echo
/usr/bin/python3 bench/train_peers.py --report "$log"
