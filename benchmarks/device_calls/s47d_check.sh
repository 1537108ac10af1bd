#!/usr/bin/env bash
# Stop 47, fourth device call (~5 minutes on an H100; carry [".whl"]): v116's copy with a plain loop over the
# variants (call 3: the copy unrolled to 16 predicated variants, issue-bound: 146 us fp32, 353 us bf16).
#   1. build and install; 2. the whole suite; 3. A/B of one binary, the knob 0 against the default on vnet-128-64
#   (fp32 TF32, bf16), two rounds, outputs against float64; 4. ncu of the copy (fp32, bf16); 5. bench.py on the
#   decoder levels.
# Usage: COMMIT=<sha> BUDGET_S=330 bash benchmarks/device_calls/s47d_check.sh   (logs in $OUT/s47d.txt)
. benchmarks/device_check_lib.sh s47d.txt 330
log_pytest 120
echo "== A/B WGEMM=0 / default (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B" CHECK=1 CASES="vnet-128-64" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT timeout 60 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" >> "$L"
for dt in f32 bf16; do
  echo "== ncu, vnet $dt copy (time left: $(left) s)" >> "$L"
  [ $(left) -gt 60 ] && timeout 30 ncu --clock-control none -k regex:"wgemm_variant_copy" -c 1 \
    --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum \
    "$B" --case vnet-128-64 --reps 1 --dtype $dt 2>&1 | grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
done
log_bench s47-decoders-d 5 --decoders --modes fp32-tf32,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
