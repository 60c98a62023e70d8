#!/usr/bin/env bash
# Strider beside its peers in one command: installs oneDNN, XNNPACK and TensorFlow (Debian 12 and
# .venv), builds bench/peers into build-peers/ (Release), then prints Strider vs oneDNN vs XNNPACK
# (bench/peers/strider_peers) and TensorFlow both ways (bench/tf_bench.py). JSON with every figure
# lands in build-peers/peers.json and build-peers/tf.json. Arguments (e.g. --min-seconds 1,
# --threads 1,2) go to both programs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --python
# Debian's oneDNN CMake package looks for OpenCL (its GPU runtime): the ICD loader and headers.
peers=(libdnnl-dev libxnnpack-dev libpthreadpool-dev ocl-icd-opencl-dev opencl-headers)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "strider: installing the peers: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S bench/peers -B build-peers -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-peers -j"$(nproc)" --target strider_peers
build-peers/strider_peers --json build-peers/peers.json "$@"
echo
.venv/bin/python bench/tf_bench.py --json build-peers/tf.json "$@"
