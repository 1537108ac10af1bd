#!/usr/bin/env bash
# Prepared at stop 45 for the next device call (~7 minutes on an H100; carry [".whl"]): NOTES v110 found the Hopper
# grad_weight's two-k-block stages (CUTLASS_CONVT3D_SM90_WGRAD_KB=2) 5-8% faster on fp32 TF32 NCDHW with v109's
# interleaved rows; before it becomes the default, the whole suite with it exported (so every grad_weight that takes
# the Hopper kernel runs KB 2; test_hopper_wgrad_is_taken_on_sm90 asserts the one-k-block instance by default and is
# expected to fail exactly there), and a second A/B of KB 1 / 2 on every case that takes the Hopper grad_weight.
# Usage: BUDGET_S=480 bash benchmarks/s46_check.sh   (logs in $OUT/s46.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s46.txt 480
echo "== with CUTLASS_CONVT3D_SM90_WGRAD_KB=2:" >> "$L"
CUTLASS_CONVT3D_SM90_WGRAD_KB=2 log_pytest 200
k="CUTLASS_CONVT3D_SM90_WGRAD_KB"
log_ab 150 "kb1=$B@$k=1 kb2=$B@$k=2" "mission groups4 depthwise k3s2op1 k3s1 in64out16 video-64-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,f32 ncdhw exact"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
