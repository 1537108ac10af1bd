#!/usr/bin/env bash
# Stop 47, third device call (~6 minutes on an H100; carry [".whl"]): v116's copy with one decode per run of rows
# (call 2: 190 us, issue-bound) and every box set over the union of the sets' x rows (call 2: 344 MB of DRAM reads
# for the kernel's 235 MB).
#   1. build and install; 2. the grad_weight GEMM's tests and the tap-GEMM / phase-GEMM grad_weight tests; 3. A/B of
#   one binary: the knob 0, the default, CUTLASS_CONVT3D_SM90_WGEMM_ROWS=0, =2 on vnet-128-64 and video-64-32 (fp32
#   TF32, bf16), two rounds, outputs against float64; 4. ncu of the copy and the kernel (vnet fp32, bf16);
#   5. bench.py: the decoder levels and the mission.
# Usage: COMMIT=<sha> BUDGET_S=420 bash benchmarks/device_calls/s47c_check.sh   (logs in $OUT/s47c.txt)
. benchmarks/device_check_lib.sh s47c.txt 420
log_pytest 80 "wgemm or wgen or phasegemm_grad_weight or tapgemm_grad_weight or module_backward"
echo "== A/B WGEMM=0 / default / ROWS=0 / WGEMM=2 (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B rows0=$B@CUTLASS_CONVT3D_SM90_WGEMM_ROWS=0 all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2" \
  CHECK=1 CASES="vnet-128-64 video-64-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout 100 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" >> "$L"
for dt in f32 bf16; do
  echo "== ncu, vnet $dt (time left: $(left) s)" >> "$L"
  [ $(left) -gt 90 ] && timeout 45 ncu --clock-control none -k regex:"hopper_wgemm_kernel|wgemm_variant_copy" -c 2 \
    --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum \
    "$B" --case vnet-128-64 --reps 1 --dtype $dt 2>&1 | grep -E "wgemm|Duration|Throughput|dram__|lts__" >> "$L"
done
log_bench s47-decoders-c 60 --cases vnet-128-64,video-64-32,unet-128-64 --modes fp32-tf32,bf16,fp32-tf32-cl
log_bench s47-mission-c 5 --quick
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
