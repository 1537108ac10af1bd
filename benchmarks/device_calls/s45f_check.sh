#!/usr/bin/env bash
# Stop 45, a last knob sweep (~2 minutes on an H100; carry [".ab/bin/90c2059.xz"], no build): the grad_weight routes
# and Hopper grad_weight knobs with v109's interleaved rows: vnet-128-64's grad_weight on the Hopper grad_weight
# (CUTLASS_CONVT3D_PHASEGEMM_WGRAD=0) instead of the tap-GEMM's sm_80 mma.sync instance (0.58 ms NCDHW fp32, the
# largest vnet pass); stages of two k-blocks (v90, _WGRAD_KB=2) and a smaller fixed cost in the SM shares (_WGRAD_F=4)
# now that the classes sweep together.  One binary, two rounds, digests.
# Usage: bash benchmarks/device_calls/s45f_check.sh   (the table in $OUT/ab_table.txt, raw runs in $OUT/ab.txt)
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
b=.ab/bin/90c2059.xz
VARIANTS="s45=$b pw0=$b@CUTLASS_CONVT3D_PHASEGEMM_WGRAD=0 kb2=$b@CUTLASS_CONVT3D_SM90_WGRAD_KB=2 f4=$b@CUTLASS_CONVT3D_SM90_WGRAD_F=4" \
  DIGEST=1 CASES="vnet-128-64 mission k3s2op1 video-64-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32" \
  OUT=$OUT timeout 200 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
exit 0
