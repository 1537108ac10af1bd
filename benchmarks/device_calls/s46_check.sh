#!/usr/bin/env bash
# Prepared at stop 45 for the next device call (~7 minutes on an H100; carry [".whl"]): NOTES v110 found the Hopper
# grad_weight's two-k-block stages (CUTLASS_CONVT3D_SM90_WGRAD_KB=2) 5-8% faster on fp32 TF32 NCDHW with v109's
# interleaved rows; before it becomes the default, the whole suite with it exported (so every grad_weight that takes
# the Hopper kernel runs KB 2; test_hopper_wgrad_is_taken_on_sm90 asserts the one-k-block instance by default and is
# expected to fail exactly there), and a second A/B of KB 1 / 2 on every case that takes the Hopper grad_weight.
# Then (stop 46) what two kernels wait on, for the next ideas: ncu warp-state stalls of the bf16 mission grad_input
# (the Hopper grad_input, which v109's fewer bytes left even) and of vnet-128-64's fp32 grad_weight (the sm_80
# tap-GEMM, 64 TFLOP/s).
# Usage: BUDGET_S=540 bash benchmarks/device_calls/s46_check.sh   (logs in $OUT/s46.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s46.txt 540
echo "== with CUTLASS_CONVT3D_SM90_WGRAD_KB=2:" >> "$L"
CUTLASS_CONVT3D_SM90_WGRAD_KB=2 log_pytest 200
k="CUTLASS_CONVT3D_SM90_WGRAD_KB"
log_ab 150 "kb1=$B@$k=1 kb2=$B@$k=2" "mission groups4 depthwise k3s2op1 k3s1 in64out16 video-64-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,f32 ncdhw exact"
S="--section SpeedOfLight --section WarpStateStats --section MemoryWorkloadAnalysis --section Occupancy"
for kc in "hopper_dgrad_kernel mission bf16" "tapgemm_kernel vnet-128-64 f32"; do
  set -- $kc
  echo "== ncu $1, $2 $3 NCDHW (time left: $(left) s)" >> "$L"
  [ $(left) -gt 45 ] && timeout 40 ncu --clock-control none -k $1 -c 1 $S \
    --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\\.ratio" \
    "$B" --case $2 --dtype $3 --reps 1 --layout ncdhw 2>&1 | \
    grep -E "^  [a-z]|stalled|Duration|Throughput|Registers|Occupancy|Hit Rate|Issued|Eligible|Active Warps" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
