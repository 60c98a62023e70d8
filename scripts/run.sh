#!/usr/bin/env bash
# The main job: install what is needed, build Strider (Release) and run `strider demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DSTRIDER_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)" --target strider_cli
exec build/bin/strider demo "$@"
