#!/usr/bin/env bash
# Regenerates the pictures of docs/pictures.md (docs/img/) with `strider draw`.
# Usage: bash scripts/draw-docs.sh [path/to/strider]   (default: build/bin/strider)
set -euo pipefail
cd "$(dirname "$0")/.."
strider="${1:-build/bin/strider}"
out=docs/img
mkdir -p "$out"
draw() { "$strider" draw "$@" >/dev/null; }

# Stride 1, 2, 3: a 3x3 kernel over a 7x7 input, VALID.
for s in 1 2 3; do
  draw --input 7 --kernel 3 --strides "$s" --out "$out/stride-$s.svg"
  draw --input 7 --kernel 3 --strides "$s" --coverage --out "$out/coverage-stride-$s.svg"
done
draw --input 7 --kernel 3 --strides 2 --out "$out/stride-2.png"
# Stride larger than the kernel: pixels between windows are never read.
draw --input 8 --kernel 2 --strides 3 --coverage --out "$out/coverage-kernel-2-stride-3.svg"

# SAME and VALID, odd and even inputs: kernel 3, stride 2 (VALID over 7 is coverage-stride-2).
draw --input 8 --kernel 3 --strides 2 --padding valid --coverage --out "$out/coverage-valid-8.svg"
for n in 7 8; do
  draw --input "$n" --kernel 3 --strides 2 --padding same --coverage --out "$out/coverage-same-$n.svg"
done
draw --input 8 --kernel 3 --strides 2 --padding same --out "$out/same-8.svg"

# Dilation: a 3x3 kernel with holes spans 5x5.
draw --input 7 --kernel 3 --dilation 2 --out "$out/dilation-2.svg"
draw --input 7 --kernel 3 --dilation 2 --strides 2 --coverage --out "$out/coverage-dilation-2-stride-2.svg"

# Transposed convolution: 3x3 -> 6x6, kernel 3, stride 2, SAME.
draw --op conv-transpose --input 3 --kernel 3 --strides 2 --padding same --out "$out/transposed.svg"
draw --op conv-transpose --input 3 --kernel 3 --strides 2 --padding same --cell 16 \
  --out "$out/transposed.gif"

# A receptive field through a stack: one pooled output traced back to the input.
stack="input(16,16,1); conv1: conv(8,3); conv2: conv(8,3,strides=2); conv3: conv(8,3); pool: maxpool(2)"
for ext in svg png; do
  draw --model "$stack" --layer pool --at 1,1 --out "$out/receptive-field.$ext"
done
echo "strider: pictures written to $out"
