#!/usr/bin/env bash
# Stop 49, call 3 (carry [".whl"]): the tile copy's variant rows as 16-byte vectors (v119b; call 2's ncu: the copy
# SM-bound at 84% on 4-byte stores), on the defaults set from call 2 (FUSE off, 16-bit without layout copies).
#   1. build and install; 2. the whole suite; 3. A/B, outputs against float64, one binary: CUTLASS_CONVT3D_SM90_WGEMM=0
#   / default / CUTLASS_CONVT3D_SM90_WGEMM_TILES=1 (an NCDHW grad_y by tiles too), fp32 NCDHW and channels_last, bf16
#   NCDHW, vnet-128-64 and unet-128-64; 4. ncu of the copies, vnet fp32 channels_last; 5. bench.py vnet-128-64 fp32 (NCDHW, channels_last) and
#   bf16.  Logs: $OUT/s49b.txt and $OUT/logs.tgz (a call brings back at most 8 files).
# Usage: COMMIT=<sha> BUDGET_S=330 bash benchmarks/device_calls/s49b_check.sh
. benchmarks/device_check_lib.sh s49b.txt 330
log_pytest 110
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B tiles=$B@CUTLASS_CONVT3D_SM90_WGEMM_TILES=1" CHECK=1 \
  CASES="vnet-128-64 unet-128-64" CFGS="f32 ncdhw tf32,f32 cl tf32,bf16 ncdhw tf32" OUT=$OUT timeout 90 \
  bash benchmarks/ab_compare.sh > "$OUT/ab_all.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_all.txt" | grep -v "check vs float64.* ok$" >> "$L"
echo "== ncu, vnet f32 cl (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout 25 ncu --clock-control none -k regex:"wgemm_variant_copy_tiles" -c 1 \
  --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum "$B" --case vnet-128-64 --reps 1 \
  --dtype f32 --layout cl 2>&1 | grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
log_bench s49b-vnet 3 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s49b.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s49b.txt -delete)
exit 0
