#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang 14, ASan + UBSan, coverage) and runs
# each for a fixed time on its seed corpus, tests/fuzz/corpus/<target>/. CI runs it with the default
# 20 seconds per target; a longer run is the same command with more time:
#   bash scripts/fuzz.sh                       # every target, 20 s each
#   bash scripts/fuzz.sh --seconds 3600 npy    # one target for an hour
#   bash scripts/fuzz.sh --seconds 600 --fork 2
# Options: --seconds N (per target), --fork J (J worker processes per target), --build-dir DIR
# (default build-fuzz). Inputs that reach new code are kept in DIR/fuzz-corpus/<target>/ (copy the
# interesting ones into the seed corpus by hand). A crash, a sanitizer report, a broken invariant or
# a timeout stops the run with the input saved in DIR/fuzz-artifacts/ and exit status 1; replay it
# with DIR/bin/strider_fuzz_<target> FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
fork=0
build=build-fuzz
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --fork) fork="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "strider fuzz: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

cmake --preset fuzz -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/strider_fuzz_}"

mkdir -p "$build/fuzz-artifacts"
for target in "${targets[@]}"; do
  seeds="tests/fuzz/corpus/$target"
  corpus="$build/fuzz-corpus/$target"
  mkdir -p "$corpus"
  options=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=4096
           -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-")
  [[ -f "tests/fuzz/$target.dict" ]] && options+=(-dict="tests/fuzz/$target.dict")
  ((fork > 0)) && options+=(-fork="$fork" -ignore_crashes=0 -ignore_ooms=0 -ignore_timeouts=0)
  echo "=== strider fuzz: $target for ${seconds} s ==="
  log="$build/fuzz-artifacts/$target.log"
  # New inputs go to the first folder; the seed corpus is only read.
  status=0
  "$build/bin/strider_fuzz_$target" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +(INITED|DONE)|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' \
    "$log" || true
  if ((status != 0)); then
    tail -n 40 "$log" >&2
    echo "strider fuzz: $target FAILED (status $status); the input is in $build/fuzz-artifacts/" >&2
    exit 1
  fi
done
echo "strider fuzz: ${targets[*]}: no crash, no sanitizer report, no broken invariant"
