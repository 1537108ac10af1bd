#!/usr/bin/env bash
# Stop 48, the shortest form of s48a_check.sh (~3 minutes; carry [".whl"]), for the last of the session's device time
# after failed starts: build and install; the grad_weight GEMM's tests (-k wgemm, the both-gradients test included);
# A/B on vnet-128-64 fp32 NCDHW and channels_last, CUTLASS_CONVT3D_SM90_WGEMM=0 / default / TILES=1, two rounds,
# outputs against float64.
# Usage: COMMIT=<sha> BUDGET_S=190 bash benchmarks/device_calls/s48c_check.sh   (logs in $OUT/s48c.txt)
. benchmarks/device_check_lib.sh s48c.txt 190
log_pytest 65 "wgemm"
echo "== A/B f32 (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B tiles=$B@CUTLASS_CONVT3D_SM90_WGEMM_TILES=1" CHECK=1 \
  CASES="vnet-128-64" CFGS="f32 ncdhw tf32,f32 cl tf32" OUT=$OUT timeout $(( $(left) - 3 )) bash benchmarks/ab_compare.sh \
  > "$OUT/ab_f32.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_f32.txt" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
