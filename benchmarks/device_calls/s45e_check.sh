#!/usr/bin/env bash
# Stop 45, a closing A/B (~3 minutes on an H100; carry [".ab/bin/b5b4ba6.xz", ".ab/bin/90c2059.xz"], both built here with
# ab_build.sh, so no build on the GPU): stop 44's end against stop 45's (v107 class order 1, v109 interleave 3) on one
# machine, every case of convt3d_bench (the shapes and the decoder levels), two rounds, digests.
# Usage: bash benchmarks/device_calls/s45e_check.sh   (the table in $OUT/ab_table.txt, raw runs in $OUT/ab.txt)
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/s45e.txt"
VARIANTS="s44=.ab/bin/b5b4ba6.xz s45=.ab/bin/90c2059.xz" DIGEST=1 \
  CASES="mission groups4 depthwise k2s2 k3s2op1 k3s1 in64out16 unet-256-128 unet-128-64 unet-64-32 vnet-128-64 video-64-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,f32 ncdhw exact" OUT=$OUT timeout 400 bash benchmarks/ab_compare.sh \
  > "$OUT/ab_table.txt" 2>&1
exit 0
