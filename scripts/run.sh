#!/usr/bin/env bash
# The main job: install what is needed (Fashion-MNIST from Debian's dataset-fashion-mnist
# included), build Strider (Release) and run `strider experiment --quick`: which downsampling
# works best for Fashion-MNIST, accuracy against cost, in a few minutes on two cores. Arguments
# go to `strider experiment` (e.g. `bash scripts/run.sh --out my-run`; without --quick for the
# full run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DSTRIDER_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)" --target strider_cli
if (($# == 0)); then set -- --quick; fi
exec build/bin/strider experiment "$@"
