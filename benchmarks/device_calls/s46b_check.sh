#!/usr/bin/env bash
# Stop 46, second device call (~9 minutes on an H100; carry [".whl", ".ab/bin/24d22db.xz"]): v111-v114.
#   1. build and install; 2. the whole suite (KB 2 defaults, the order-free TMA-rounding test, the wgen rounded-copy
#   test, v112's relabelled fragments under every tap-GEMM grad_weight test, test_hopper_interleave's review form);
#   3. A/B: 24d22db (v111 only) against this tree, this tree with CUTLASS_CONVT3D_TAPGEMM_SMEM_ROUND=0 (v114 off) and
#   with that and CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0 (v113 off too, and the phase-GEMM's own rounded copies:
#   read its grad_weight rows only), on the tap-GEMM grad_weight's cases (vnet-128-64 NCDHW / channels_last,
#   unet-128-64 channels_last) and the 16-bit KB rule's (k3s1 bf16), two rounds, digests; 4. ncu of vnet-128-64's fp32
#   grad_weight kernel (stop 46 call 1: 446 us, 64 TFLOP/s); 5. bench.py's decoder rows.
# Usage: BUDGET_S=580 bash benchmarks/device_calls/s46b_check.sh   (logs in $OUT/s46b.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s46b.txt 580
log_pytest 160
log_ab 150 "old=.ab/bin/24d22db.xz new=$B sr0=$B@CUTLASS_CONVT3D_TAPGEMM_SMEM_ROUND=0 \
v112=$B@CUTLASS_CONVT3D_TAPGEMM_SMEM_ROUND=0@CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0" \
  "vnet-128-64 unet-128-64 k3s1 mission video-64-32" "f32 ncdhw tf32,f32 cl tf32,bf16 ncdhw tf32"
for lay in ncdhw cl; do
  echo "== ncu tapgemm_kernel, vnet-128-64 f32 $lay (time left: $(left) s)" >> "$L"
  [ $(left) -gt 100 ] && timeout 40 ncu --clock-control none -k tapgemm_kernel -c 1 --section SpeedOfLight \
    --section WarpStateStats --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\\.ratio" \
    "$B" --case vnet-128-64 --reps 1 --layout $lay 2>&1 | \
    grep -E "^  [a-z]|stalled_(wait|math|not_sel|short|long|mio|dispatch)|Duration|Throughput|Issued" >> "$L"
done
log_bench s46-decoders 5 --cases vnet-128-64,unet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
