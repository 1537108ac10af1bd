#!/usr/bin/env bash
# Stop 46, fourth device call (~6 minutes on an H100; carry [".whl", ".ab/bin/24d22db.xz"]): v115, the Hopper
# forward's NCDHW output staging swizzled instead of padded (call 3's ncu: 10.0 M shared-store bank conflicts a mission
# forward against channels_last's 1.7 M, long-scoreboard stalls 5.3 against 3.3).
#   1. build and install; 2. the whole suite; 3. A/B 24d22db (the forward as at fe57f53) against this tree on the
#   cases the Hopper forward writes NCDHW (mission, k3s2op1, video-64-32, k2s2 fp32 / exact), two rounds, digests;
#   4. ncu of the mission's fp32 forward kernel (the same metrics as call 3); 5. bench.py's mission rows.
# Usage: COMMIT=<sha> BUDGET_S=420 bash benchmarks/device_calls/s46d_check.sh   (logs in $OUT/s46d.txt, A/B in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s46d.txt 420
log_pytest 170
log_ab 60 "old=.ab/bin/24d22db.xz new=$B" "mission k3s2op1 video-64-32 k2s2" "f32 ncdhw tf32,f32 ncdhw exact"
st=smsp__average_warps_issue_stalled
M=$(printf "${st}_%s_per_issue_active.ratio," long_scoreboard short_scoreboard wait barrier mio_throttle \
  math_pipe_throttle not_selected)l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum,\
l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum,lts__t_requests_srcunit_tex_op_write.sum,dram__bytes_write.sum
echo "== ncu hopper_rowconv_kernel, mission f32 ncdhw (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout 30 ncu --clock-control none -k hopper_rowconv_kernel -c 1 --section SpeedOfLight \
  --metrics "$M" "$B" --case mission --reps 1 --layout ncdhw 2>&1 | \
  grep -E "^  [a-z]|stalled|bank_conf|lts__|dram__|Duration|Throughput" >> "$L"
log_bench s46-mission-end 5 --quick
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
