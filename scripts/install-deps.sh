#!/usr/bin/env bash
# Installs what Strider needs on Debian 12: the build tools and libraries from Debian's packages
# and, with --python, a virtual environment at .venv holding TensorFlow (the conformance oracle).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake g++ libfmt-dev libcli11-dev nlohmann-json3-dev libgtest-dev
          libgmock-dev zlib1g-dev python3 python3-venv python3-pip
          libgif-dev libpng-dev chromium  # viz: GIF, PNG; Chromium renders the pictures in tests
          clang-14 libclang-rt-14-dev libomp-14-dev  # fuzz targets (libFuzzer), ThreadSanitizer
          dataset-fashion-mnist)  # training data: /usr/share/datasets/fashion-mnist
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "strider: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--python" ]]; then
  if [[ ! -x .venv/bin/python ]]; then
    echo "strider: creating .venv"
    python3 -m venv .venv
  fi
  echo "strider: installing tests/conformance/requirements.txt into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/conformance/requirements.txt
fi
