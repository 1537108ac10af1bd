#!/usr/bin/env bash
# Stop 47, second device call (~7 minutes on an H100; carry [".whl"]): v116 after call 1's illegal instruction (a
# tiled TMA box at an innermost coordinate off a 16-byte boundary: the w shift of a tap with odd padding), grad_y now
# copied into one row per distinct w offset and every box aligned.
#   1. build and install; 2. the whole suite; 3. A/B of one binary: the knob 0, the default, 2 (kernel == stride
#   too) on vnet-128-64, unet-128-64, unet-256-128, fp32 TF32 and bf16 NCDHW, two rounds, outputs against float64;
#   4. chunks per segment on vnet; 5. ncu of the copy and the kernel (vnet fp32); 6. bench.py on those levels.
# Usage: COMMIT=<sha> BUDGET_S=480 bash benchmarks/device_calls/s47b_check.sh   (logs in $OUT/s47b.txt)
. benchmarks/device_check_lib.sh s47b.txt 480
log_pytest 170
echo "== A/B WGEMM=0 / default / 2 (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2" CHECK=1 \
  CASES="vnet-128-64 unet-128-64 unet-256-128" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout 120 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" >> "$L"
echo "== chunks per segment, vnet (time left: $(left) s)" >> "$L"
for c in 9 18 36; do for dt in f32 bf16; do
  echo "chunks $c $dt: $(CUTLASS_CONVT3D_SM90_WGEMM_CHUNKS=$c timeout 20 "$B" --case vnet-128-64 --reps 20 --dtype $dt | tail -1)" >> "$L"
done; done
echo "== ncu, vnet f32 (time left: $(left) s)" >> "$L"
[ $(left) -gt 80 ] && timeout 45 ncu --clock-control none -k regex:"hopper_wgemm_kernel|wgemm_variant_copy" -c 2 \
  --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active \
  "$B" --case vnet-128-64 --reps 1 2>&1 | grep -E "wgemm|Duration|Throughput|dram__|lts__|gmma" >> "$L"
log_bench s47-decoders 5 --cases vnet-128-64,unet-128-64,unet-256-128 --modes fp32-tf32,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
