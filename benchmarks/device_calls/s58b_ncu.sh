#!/usr/bin/env bash
# Stop 58, a warm-machine call after s58a (SKIP_BUILD=1 on the same machine, or carry [".ab/bin"] with
# BIN=.ab/bin/<sha>.xz): where the mission's forward + backward time goes at the defaults, kernel by kernel, in
# realistic conditions (no cache flush, boost clocks, one pass per kernel: durations and DRAM bytes), fp32 TF32 NCDHW
# and channels_last, bf16, exact: the issue-4 rows (1.895 / 1.893 / 1.367 / 3.810 ms at stop 57 against 1.20 / 1.20 /
# 0.70 / 2.50).  Log: $OUT/s58b.txt.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=150 bash benchmarks/device_calls/s58b_ncu.sh
. benchmarks/device_ab_lib.sh s58b.txt 150
for spec in "f32 ncdhw tf32" "f32 cl tf32" "bf16 ncdhw tf32" "f32 ncdhw exact"; do
  set -- $spec
  echo "== mission $spec: the C++ benchmark's forward, grad_input, grad_weight (time left: $(left) s)" >> "$L"
  ncu_kernels $(cap 30 5) --case mission --dtype $1 --layout $2 --math $3 --reps 2 >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
