#!/usr/bin/env bash
# Every test: installs what is needed (Debian packages, TensorFlow in .venv), then builds twice
# and runs the whole suite in each build:
#   1. Release with -Werror: unit tests, CLI tests, and the TensorFlow conformance sweep.
#   2. Debug with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror: the same suite.
#   3. ThreadSanitizer (clang + libomp + Archer): the tests of the threaded kernels and layers.
#   4. Every libFuzzer target for 20 seconds under ASan + UBSan (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --python
python="$PWD/.venv/bin/python"
jobs="$(nproc)"

for preset in ci ci-sanitize; do
  echo "=== strider: build and test, preset '$preset' ==="
  cmake --preset "$preset" -DSTRIDER_PYTHON="$python" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset" -j"$jobs"
done

echo "=== strider: ThreadSanitizer, preset 'tsan' (threaded kernels and layers) ==="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$jobs" --target strider_tsan_tests
ctest --preset tsan -j"$jobs"

echo "=== strider: fuzz targets, 20 s each ==="
bash scripts/fuzz.sh --seconds 20
