#!/usr/bin/env bash
# Stop 45, second device call (~5 minutes on an H100; carry [".whl"]): v108 (every residue class of a position block
# side by side, CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER 3 / 4) against v107 (1, now the default) and 0; then an ncu
# survey of DRAM bytes per kernel (the question v107 answered for one kernel: which others move more than their
# tensors' bytes?).
#   1. build and install; 2. the class-order test and the phase-GEMM forward tests; 3. one binary at levels
#   0 / 1 / 3 / 4, two rounds, digests; 4. ncu of the phase-GEMM at levels 1 and 3 (vnet NCDHW and channels_last
#   fp32); 5. ncu of every kernel of vnet-128-64 and the mission (fp32 NCDHW, forward, grad_input, grad_weight).
# Usage: BUDGET_S=420 bash benchmarks/device_calls/s45b_check.sh   (logs in $OUT/s45b.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s45b.txt 420
log_pytest 90 "class_order or phasegemm_forward"
o="CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER"
log_ab 150 "o0=$B@$o=0 o1=$B@$o=1 o3=$B@$o=3 o4=$B@$o=4" "vnet-128-64 video-64-32 k3s2op1" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32"
M=gpu__time_duration.sum,dram__bytes_write.sum,dram__bytes_read.sum,lts__t_bytes.sum
for lay in ncdhw cl; do for lv in 1 3 4; do
  echo "== ncu phase-GEMM vnet-128-64 $lay fp32, class order $lv (time left: $(left) s)" >> "$L"
  [ $(left) -gt 60 ] && env $o=$lv timeout 40 ncu --clock-control none -k regex:hopper_phasegemm -c 1 --metrics $M \
    "$B" --case vnet-128-64 --reps 1 --layout $lay 2>&1 | grep -E "^  [a-z]|dram__|lts__|duration" >> "$L"
done; done
for c in vnet-128-64 mission; do
  echo "== ncu every kernel, $c NCDHW fp32 (time left: $(left) s)" >> "$L"
  [ $(left) -gt 50 ] && timeout $(( $(left) - 20 )) ncu --clock-control none -c 40 --metrics $M \
    "$B" --case $c --reps 1 --layout ncdhw 2>&1 | grep -E "^  [a-z]|dram__|lts__|duration|^(fwd|dgrad|wgrad|mission|vnet)" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
