#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz): s57e's two leads, one binary, same bits:
#   1. fp32 NCDHW forward with rows off 16 bytes (mission, groups4, in64out16): 3 warpgroups x ring 3
#      (CUTLASS_CONVT3D_SM90_CFG=33; s57e mission 0.784 -> 0.731, but k3s2op1, rows on 16 bytes, +12%) with and
#      without v131's row vectors (VEC16=1: mission 0.754 -> 0.730), and 32 / 42;
#   2. the 16-bit NCDHW forward's tile cost (CUTLASS_CONVT3D_SM90_TILE_COST, default 3; s57e 5: bf16 mission 0.504
#      -> 0.492, k3s2op1 0.562 -> 0.535) at 4 / 5 / 6 on every Hopper-forward shape.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=300 bash benchmarks/device_calls/s57f_ab.sh   (log: $OUT/s57f.txt)
. benchmarks/device_ab_lib.sh s57f.txt 300
K=CUTLASS_CONVT3D_SM90
echo "== 1. fp32 NCDHW, rows off 16 bytes (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN v=$BIN@${K}_VEC16=1 v33=$BIN@${K}_VEC16=1@${K}_CFG=33 v32=$BIN@${K}_VEC16=1@${K}_CFG=32 v42=$BIN@${K}_VEC16=1@${K}_CFG=42 c33=$BIN@${K}_CFG=33" \
  DIGEST=1 CASES="mission groups4 in64out16" CFGS="f32 ncdhw tf32" OUT=$OUT/a \
  timeout $(cap 120 130) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 2. 16-bit NCDHW tile cost (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN tc4=$BIN@${K}_TILE_COST=4 tc5=$BIN@${K}_TILE_COST=5 tc6=$BIN@${K}_TILE_COST=6" DIGEST=1 \
  CASES="mission k3s2op1 k2s2 k3s1 in64out16 vnet-128-64 video-64-32" CFGS="bf16 ncdhw tf32,f16 ncdhw tf32" OUT=$OUT/b \
  timeout $(cap 130 5) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
