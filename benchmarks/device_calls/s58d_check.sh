#!/usr/bin/env bash
# Stop 58, s58a cut to what one short call can hold (device time spent on refused starts; carry [".whl"]): build, the
# tests of v133 and v134, v133's A/B against the copy (fp32 and bf16 NCDHW, bits compared) and level 2 against float64,
# v134's A/B (times only: other sums), the y write-pattern probe.  Log: $OUT/s58d.txt (+ ab tables).
# Usage: COMMIT=<sha> BUDGET_S=420 bash benchmarks/device_calls/s58d_check.sh
. benchmarks/device_check_lib.sh s58d.txt 420
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 90 "xin or x_ncdhw or tapgemm_phase"
echo "== A/B v133 (time left: $(left) s)" >> "$L"
VARIANTS="new=$B xin1=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=1 xin2=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=2" DIGEST=1 \
  CASES="mission odd-32-32 k3s2op1" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/ab \
  timeout $(( $(left) > 250 ? 130 : $(left) / 3 )) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== v133 level 2 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="xin2=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=2" CHECK=1 CASES="mission odd-32-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/chk timeout 30 bash benchmarks/ab_compare.sh 2>&1 | grep "check" >> "$L"
echo "== A/B v134 (time left: $(left) s)" >> "$L"
VARIANTS="new=$B ph2=$B@CUTLASS_CONVT3D_TAPGEMM_PHASE=2" CASES="unet-256-128 unet-128-64" \
  CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT/ab134 \
  timeout $(( $(left) > 100 ? 60 : $(left) / 2 )) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== y write-pattern probe (time left: $(left) s)" >> "$L"
nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 benchmarks/ywrite_pattern_probe.cu -o /tmp/ywp >> "$L" 2>&1 && \
  timeout 20 /tmp/ywp 3 >> "$L" 2>&1
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
