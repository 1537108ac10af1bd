#!/usr/bin/env bash
# For the next stop (branch exp/v116-next; ~5 minutes on an H100; carry [".whl"]): v116's copy with a plain loop over
# its variants (stop 47's call 3: unrolled to 16 predicated variants, issue-bound: 146 us fp32, 353 us bf16) and
# 16-bit k-blocks of 64 bytes (32 positions, the 64-byte swizzle) on rows of at most 32 positions past a multiple of 64.
#   1. build and install; 2. the whole suite; 3. A/B of one binary on vnet-128-64 and unet-128-64: fp32 knob 0 against
#   the default, bf16 the default against =2 with 64-byte rows and =2 with 128-byte ones, two rounds, outputs against
#   float64; 4. ncu of the copy and the kernel (vnet fp32, bf16).
# Usage: COMMIT=<sha> BUDGET_S=420 bash benchmarks/device_calls/s47e_check.sh   (logs in $OUT/s47e.txt)
. benchmarks/device_check_lib.sh s47e.txt 420
log_pytest 150
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2 \
all128=$B@CUTLASS_CONVT3D_SM90_WGEMM=2@CUTLASS_CONVT3D_SM90_WGEMM_RB=128" CHECK=1 CASES="vnet-128-64 unet-128-64" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT timeout 100 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" >> "$L"
for dt in f32 bf16; do
  echo "== ncu, vnet $dt (time left: $(left) s)" >> "$L"
  [ $(left) -gt 60 ] && CUTLASS_CONVT3D_SM90_WGEMM=2 timeout 45 ncu --clock-control none \
    -k regex:"hopper_wgemm_kernel|wgemm_variant_copy" -c 2 --section SpeedOfLight \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum "$B" --case vnet-128-64 --reps 1 --dtype $dt 2>&1 | \
    grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
