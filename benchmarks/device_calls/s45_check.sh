#!/usr/bin/env bash
# Prepared at stop 44 for the next device call (~6 minutes on an H100; carry [".whl", ".ab/bin/96e3a87.xz"]): v107 (the forward's w residue
# classes side by side, CUTLASS_CONVT3D_PHASEGEMM_WFAST, default 0) and the guess behind it (NOTES v106): vnet-128-64's
# NCDHW forward, whose residue classes rw 0 / 1 write the two halves of every y sector a class's whole grid apart,
# loses DRAM writes to sectors leaving L2 half-written.
#   1. build and install; 2. `test_phasegemm_wfast` (the same bits at 0 / 1 / 2) and the phase-GEMM forward tests;
#   3. one binary, knob 0 / 1, two rounds, digests, on the phase-GEMM levels, beside stop 43's end with v105 on (ref:
#   the phase-GEMM's code before v107's FastDiv split of the block index, which the default path now runs); 4. ncu of the phase-GEMM kernels of
#   vnet-128-64 (forward, then grad_input) NCDHW fp32 at knob 0 and 1: DRAM bytes written and read, and time.
# Usage: BUDGET_S=480 bash benchmarks/device_calls/s45_check.sh   (logs in $OUT/s45.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s45.txt 480
log_pytest 100 "wfast or phasegemm_forward"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="ref=.ab/bin/96e3a87.xz@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1 w0=$B w1=$B@CUTLASS_CONVT3D_PHASEGEMM_WFAST=1" DIGEST=1 CASES="vnet-128-64 video-64-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32" OUT=$OUT timeout 120 bash benchmarks/ab_compare.sh \
  > "$OUT/ab_table.txt" 2>&1
for wf in 0 1; do
  echo "== ncu vnet-128-64 NCDHW fp32, WFAST=$wf (time left: $(left) s)" >> "$L"
  [ $(left) -gt 40 ] && CUTLASS_CONVT3D_PHASEGEMM_WFAST=$wf timeout 60 ncu --clock-control none \
    --kernel-name-base demangled -k regex:phasegemm -c 2 \
    --metrics gpu__time_duration.sum,dram__bytes_write.sum,dram__bytes_read.sum,lts__t_bytes.sum \
    "$B" --case vnet-128-64 --reps 1 --layout ncdhw 2>&1 | grep -E "phasegemm|duration|dram__|lts__" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
