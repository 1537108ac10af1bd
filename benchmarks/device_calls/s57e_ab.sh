#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz): the Hopper forward's cost model and
# warpgroup / ring pick were tuned before v127's L2 priorities and chunk cap (stop 56's defaults, which moved the
# CTAs' shares: 2 chunks of ~66 CTAs instead of 12 of 11); one binary, knobs only, same bits (DIGEST):
# CUTLASS_CONVT3D_SM90_TILE_COST 2 / 5 (default 3 NCDHW, 2 fp32 channels_last, 5 16-bit channels_last) and
# CUTLASS_CONVT3D_SM90_CFG (warpgroups, ring) 33 / 24 / 25 against the default pick (fp32: 4 x 2 by the smem count).
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=300 bash benchmarks/device_calls/s57e_ab.sh   (log: $OUT/s57e.txt)
. benchmarks/device_ab_lib.sh s57e.txt 300
K=CUTLASS_CONVT3D_SM90
VARIANTS="new=$BIN tc2=$BIN@${K}_TILE_COST=2 tc5=$BIN@${K}_TILE_COST=5 c33=$BIN@${K}_CFG=33 c24=$BIN@${K}_CFG=24 c25=$BIN@${K}_CFG=25" \
  DIGEST=1 CASES="mission k3s2op1" CFGS="f32 ncdhw tf32,f32 cl tf32,bf16 ncdhw tf32,bf16 cl tf32" OUT=$OUT/a \
  timeout $(cap 280 10) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
