#!/usr/bin/env bash
# Stop 47, meant as the fifth device call (not run: no device time left; ~3 minutes on an H100; carry [".whl"]): v116's
# copy with a plain loop over its variants (branch exp/v116-copy-loop), fp16 / bf16 at CUTLASS_CONVT3D_SM90_WGEMM=2 only.
#   1. build and install; 2. the grad_weight GEMM's tests; 3. A/B of one binary on vnet-128-64: fp32 knob 0 against
#   the default, bf16 the default against =2, one round each, outputs against float64; 4. ncu of the copy.
# Usage: COMMIT=<sha> BUDGET_S=200 bash benchmarks/device_calls/s47e_check.sh   (logs in $OUT/s47e.txt)
. benchmarks/device_check_lib.sh s47e.txt 200
log_pytest 40 "wgemm"
echo "== vnet-128-64, grad_weight ms (time left: $(left) s)" >> "$L"
for v in "f32 0" "f32 1" "bf16 1" "bf16 2"; do set -- $v
  echo "$1 WGEMM=$2: $(CUTLASS_CONVT3D_SM90_WGEMM=$2 timeout 20 "$B" --case vnet-128-64 --reps 20 --dtype $1 --check | tail -2 | tr '\n' ' ')" >> "$L"
done
for dt in f32 bf16; do
  echo "== ncu, vnet $dt copy (time left: $(left) s)" >> "$L"
  [ $(left) -gt 40 ] && CUTLASS_CONVT3D_SM90_WGEMM=2 timeout 30 ncu --clock-control none -k regex:"wgemm_variant_copy" -c 1 \
    --section SpeedOfLight "$B" --case vnet-128-64 --reps 1 --dtype $dt 2>&1 | grep -E "Duration|DRAM Throughput|Compute" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
