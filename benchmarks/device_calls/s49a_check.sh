#!/usr/bin/env bash
# Stop 49 (carry [".whl"]): the grad_weight GEMM's tile copy with 16-byte channel loads, kLoads in flight per thread
# (s48a's ncu: 236 us for 315 MB on vnet-128-64 channels_last, DRAM 40%), and the GEMM at the default for fp16 / bf16
# where kernel != stride (s48a: bf16 vnet-128-64 grad_weight 0.292 -> 0.228 ms at =2, k2s2 unet-128-64 0.110 -> 0.148).
#   1. build and install; 2. the whole suite; 3. A/B, outputs against float64: CUTLASS_CONVT3D_SM90_WGEMM=0 against
#   the default, fp32 / bf16 / fp16, NCDHW and channels_last, vnet-128-64 and unet-128-64; 4. bench.py fp32 vnet-128-64
#   with FUSE 0 and 1; 5. ncu of the copies, vnet fp32 channels_last; the logs packed into one archive.
# Usage: COMMIT=<sha> BUDGET_S=480 bash benchmarks/device_calls/s49a_check.sh   (logs: $OUT/s49a.txt, $OUT/logs.tgz)
. benchmarks/device_check_lib.sh s49a.txt 480
log_pytest 170
cases="vnet-128-64 unet-128-64"
ab() {  # $1 label, $2 configurations, $3 seconds
  echo "== A/B $1 (time left: $(left) s)" >> "$L"
  VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B" CHECK=1 CASES="$cases" CFGS="$2" OUT=$OUT timeout $3 \
    bash benchmarks/ab_compare.sh > "$OUT/ab_$1.txt" 2>&1
  grep -v "^WARNING" "$OUT/ab_$1.txt" | grep -v "check vs float64.* ok$" >> "$L"
}
ab f32 "f32 ncdhw tf32,f32 cl tf32" 60
ab h16 "bf16 ncdhw tf32,bf16 cl tf32,f16 ncdhw tf32" 70
for fuse in 0 1; do
  CUTLASS_CONVT3D_SM90_WGEMM_FUSE=$fuse log_bench s49a-fuse$fuse $(( fuse == 0 ? 60 : 30 )) --cases vnet-128-64 \
    --modes fp32-tf32
done
echo "== ncu, vnet f32 cl (time left: $(left) s)" >> "$L"
[ $(left) -gt 30 ] && timeout 25 ncu --clock-control none -k regex:"wgemm_variant_copy|wgemm_x_ncdhw|hopper_wgemm" -c 3 \
  --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum "$B" --case vnet-128-64 --reps 1 \
  --dtype f32 --layout cl 2>&1 | grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf logs.tgz --exclude=logs.tgz --exclude=s49a.txt . && find . -type f ! -name logs.tgz ! -name s49a.txt -delete)
exit 0
