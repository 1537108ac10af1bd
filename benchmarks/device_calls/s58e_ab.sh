#!/usr/bin/env bash
# Stop 58, no build (carry [".ab/bin"]: BIN=.ab/bin/<sha>.xz, a convt3d_bench with v133 and v134, and .ab/bin/ywp, the
# write-pattern probe built off the GPU): v133 at levels 1 / 2 against the copy (fp32, bf16 NCDHW; outputs' bits
# compared), level 2 against float64; v134 against the tap-GEMM (times; its sums differ); the probe.  The CUDA tests of
# v133 / v134 need a pip build (s58f for v134).  Log: $OUT/s58e.txt.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=200 bash benchmarks/device_calls/s58e_ab.sh
. benchmarks/device_ab_lib.sh s58e.txt 200
echo "== y write-pattern probe (time left: $(left) s)" >> "$L"
[ -x .ab/bin/ywp ] && timeout $(cap 15 150) .ab/bin/ywp 3 >> "$L" 2>&1
echo "== A/B v133 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN xin1=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=1 xin2=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=2" DIGEST=1 \
  CASES="mission odd-32-32 k3s2op1" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/ab \
  timeout $(cap 100 70) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== v133 level 2 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="xin2=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=2" CHECK=1 CASES="mission odd-32-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/chk timeout $(cap 25 45) bash benchmarks/ab_compare.sh 2>&1 | \
  grep "check" >> "$L"
echo "== A/B v134 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN ph2=$BIN@CUTLASS_CONVT3D_TAPGEMM_PHASE=2" CASES="unet-256-128 unet-128-64" \
  CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT/ab134 \
  timeout $(cap 45 2) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
