#!/usr/bin/env bash
# Stop 45, third device call (~7 minutes on an H100; carry [".whl"]): v109 (the Hopper grad_input's tiles and grad_weight's
# rows dealt to CTAs interleaved, CUTLASS_CONVT3D_SM90_INTERLEAVE, default 0) and the whole suite.
#   1. build and install; 2. the whole suite (default path), then the Hopper grad_input / grad_weight tests and the
#   determinism tests again with INTERLEAVE=3; 3. one binary at 0 / 3, two rounds, digests (the table's dgrad and
#   wgrad columns are bits 1 and 2); 4. ncu DRAM bytes of the mission's grad_input and grad_weight kernels at 0 / 3.
# Usage: BUDGET_S=480 bash benchmarks/device_calls/s45c_check.sh   (logs in $OUT/s45c.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s45c.txt 480
log_pytest 170
echo "== with CUTLASS_CONVT3D_SM90_INTERLEAVE=3:" >> "$L"
CUTLASS_CONVT3D_SM90_INTERLEAVE=3 log_pytest 60 "hopper_dgrad or hopper_wgrad or determinis"
v="CUTLASS_CONVT3D_SM90_INTERLEAVE"
log_ab 150 "i0=$B@$v=0 i3=$B@$v=3" "mission k3s2op1 groups4 in64out16 video-64-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32"
M=gpu__time_duration.sum,dram__bytes_write.sum,dram__bytes_read.sum,lts__t_bytes.sum
for lv in 0 3; do
  echo "== ncu mission NCDHW fp32 grad_input / grad_weight, interleave $lv (time left: $(left) s)" >> "$L"
  [ $(left) -gt 30 ] && env $v=$lv timeout 40 ncu --clock-control none -k regex:"hopper_(dgrad|wgrad)_kernel" -c 2 \
    --metrics $M "$B" --case mission --reps 1 --layout ncdhw 2>&1 | grep -E "^  [a-z]|dram__|lts__|duration" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
