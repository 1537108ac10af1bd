#!/usr/bin/env bash
# Stop 54, the last call (carry [".ab/bin"]; no build on the GPU machine): the C++ benchmark built off the GPU
# (benchmarks/ab_build.sh <sha> -> .ab/bin/<sha>.xz) timing the in-place grad_weight GEMM (v125 / v126,
# CUTLASS_CONVT3D_SM90_WGEMM_CL=1) against the default on vnet-128-64 channels_last fp32 and bf16, every output of
# both checked against float64 (the in-place kernels' first run: their correctness check too).
# Usage: BIN=.ab/bin/<sha>.xz bash benchmarks/device_calls/s54c_ab.sh   (log: $OUT/s54c.txt)
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/s54c.txt
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv > "$L"
echo "binary: $BIN" >> "$L"
VARIANTS="new=$BIN wcl=$BIN@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" CHECK=1 CASES="vnet-128-64" \
  CFGS="f32 cl tf32,bf16 cl tf32" OUT=$OUT timeout ${AB_S:-150} bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" >> "$L"
exit 0
