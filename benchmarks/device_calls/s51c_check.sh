#!/usr/bin/env bash
# Stop 51, call 2 (carry [".whl"]): v121 without branches around its wgmmas (call 1: ptxas serialised them, C7520: a
# residue without a tap at a stage's shift now multiplies zero operands instead), one CTA an SM (146-156 registers)
# against two (CUTLASS_CONVT3D_SM90_PGEMM_CTAS=2: the instance at 96 registers, 32-52 bytes of spills).
#   1. build and install; 2. the TMA phase-GEMM tests; 3. A/B of vnet-128-64's forward, one binary: wpair (=2, 1 CTA) /
#   wpair2 (=2, 2 CTAs) / class (=0, v120's tiles) / off (the gathering kernel), fp32 and bf16, both layouts, checked
#   against float64; 4. the whole "not large" suite if time is left.  Logs: $OUT/s51c.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=200 bash benchmarks/device_calls/s51c_check.sh
. benchmarks/device_check_lib.sh s51c.txt 200
log_pytest 60 "tma_phasegemm"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="wpair=$B@CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=2 wpair2=$B@CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=2@CUTLASS_CONVT3D_SM90_PGEMM_CTAS=2 class=$B@CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=0 off=$B@CUTLASS_CONVT3D_SM90_PGEMM=0" \
  CHECK=1 CASES="vnet-128-64" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT timeout 100 \
  bash benchmarks/ab_compare.sh > "$OUT/ab.txt" 2>&1
grep -v "^WARNING" "$OUT/ab.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet" >> "$L"
log_pytest 100
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s51c.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s51c.txt -delete)
exit 0
