#!/usr/bin/env bash
# Stop 47, first device call (~8 minutes on an H100; carry [".whl"]): v116, grad_weight as a GEMM over TMA boxes
# (wgemm_sm90.cuh, CUTLASS_CONVT3D_SM90_WGEMM).
#   1. build and install; 2. the whole suite (its tests: test_hopper_wgemm*); 3. A/B of one
#   binary, the knob 0 against the default, on the decoder levels it takes (vnet-128-64, unet-128-64, unet-256-128;
#   fp32 TF32 and bf16 NCDHW), two rounds, outputs checked against float64; 4. its chunks per segment (1, 2 waves);
#   5. ncu of the vnet fp32 kernel; 6. bench.py on those levels.
# Usage: COMMIT=<sha> BUDGET_S=540 bash benchmarks/device_calls/s47a_check.sh   (logs in $OUT/s47a.txt)
. benchmarks/device_check_lib.sh s47a.txt 540
log_pytest 200
echo "== A/B WGEMM=0 against the default (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B" CHECK=1 CASES="vnet-128-64 unet-128-64 unet-256-128" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT timeout 120 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
cat "$OUT/ab_table.txt" >> "$L"
echo "== chunks per segment, vnet f32 / bf16 (time left: $(left) s)" >> "$L"
for c in 7 14 28; do for dt in f32 bf16; do
  echo "chunks $c $dt: $(CUTLASS_CONVT3D_SM90_WGEMM_CHUNKS=$c timeout 20 "$B" --case vnet-128-64 --reps 20 --dtype $dt | tail -1)" >> "$L"
done; done
echo "== ncu hopper_wgemm_kernel, vnet f32 (time left: $(left) s)" >> "$L"
[ $(left) -gt 90 ] && timeout 40 ncu --clock-control none -k regex:"hopper_wgemm_kernel|wgemm_phase_split" -c 2 \
  --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum \
  "$B" --case vnet-128-64 --reps 1 2>&1 | grep -E "wgemm|Duration|Throughput|dram__|lts__" >> "$L"
log_bench s47-decoders 5 --cases vnet-128-64,unet-128-64,unet-256-128 --modes fp32-tf32,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
