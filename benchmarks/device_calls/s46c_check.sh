#!/usr/bin/env bash
# Stop 46, third device call (~9 minutes on an H100; carry [".whl", ".ab/bin/24d22db.xz"]): the end of the stop.
#   1. build and install; 2. the grad_weight / tap-GEMM / phase-GEMM tests (v112 / v114 reverted to call 1's tested
#   code, v113, the fixed rounded-copy test; call 2 ran the whole suite on everything else);
#   3. A/B of v113 alone: 24d22db (v111) against this tree and this tree with CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0
#   (grad_weight rows: v113 off; the phase-GEMM's forward / grad_input rows also lose their own rounded copies), on
#   vnet-128-64 / video-64-32 / k3s1 / mission, two rounds, digests; 4. bench.py's mission rows (issues 3 and 4) and
#   the issue's other shapes in fp32 TF32 and bf16 (last timed against PyTorch at stop 43); 5. ncu of the mission's
#   fp32 forward kernel, NCDHW against channels_last (what the NCDHW epilogue costs: memory sections, stalls).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s46c_check.sh   (logs in $OUT/s46c.txt, A/B in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s46c.txt 590
log_pytest 120 "tapgemm or phasegemm or wgen or wgrad or grad_weight or shared or rounded or interleave or tf32"
log_ab 60 "old=.ab/bin/24d22db.xz new=$B rc0=$B@CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0" \
  "vnet-128-64 video-64-32 k3s1 mission" "f32 ncdhw tf32,f32 cl tf32"
log_bench s46-mission 180 --quick
log_bench s46-shapes 65 --cases groups4,depthwise,k2s2p0,k3s2p1op1,k3s1p1,in64-out16 --modes fp32-tf32,bf16
st=smsp__average_warps_issue_stalled
M=$(printf "${st}_%s_per_issue_active.ratio," long_scoreboard short_scoreboard wait barrier lg_throttle mio_throttle \
  math_pipe_throttle gmma sleeping not_selected)l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum,\
l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum,lts__t_sectors_srcunit_tex_op_write.sum,\
lts__t_requests_srcunit_tex_op_write.sum,dram__bytes_write.sum,dram__bytes_read.sum
for lay in ncdhw cl; do
  echo "== ncu hopper_rowconv_kernel, mission f32 $lay (time left: $(left) s)" >> "$L"
  [ $(left) -gt 35 ] && timeout 30 ncu --clock-control none -k hopper_rowconv_kernel -c 1 --section SpeedOfLight \
    --section MemoryWorkloadAnalysis --section WarpStateStats \
    --metrics "$M" \
    "$B" --case mission --reps 1 --layout $lay 2>&1 | \
    grep -E "^  [a-z]|stalled_(wait|math|not_sel|short|long|mio|lg_thr|barrier|gmma|dispatch|sleep)|bank_conf|lts__|dram__|Duration|Throughput|Issued|Hit Rate" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
