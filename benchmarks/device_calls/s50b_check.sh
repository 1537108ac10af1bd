#!/usr/bin/env bash
# Stop 50, call 2 (carry [".whl"]; branch exp/v120-pgemm): v120 with its default rule (channels_last y or 16-bit; call
# 1: an NCDHW fp32 y 0.320 -> 0.458 ms) and its CTAs per SM as a knob (call 1's ncu: L2 50%, SM 22%, occupancy 24%:
# waiting, not bound).  1. build and install; 2. A/B in this binary: CTAs 2 (default) / 1 / 3, and
# CUTLASS_CONVT3D_SM90_PGEMM=0, vnet-128-64 forward, outputs against float64; 3. the phase-GEMM tests; 4. bench.py
# vnet-128-64 at the defaults; 5. the whole suite with what is left.  Logs: $OUT/s50b.txt and $OUT/logs.tgz.
# Usage: COMMIT=<sha> BUDGET_S=330 bash benchmarks/device_calls/s50b_check.sh
. benchmarks/device_check_lib.sh s50b.txt 330
echo "== A/B v120 CTAs per SM (time left: $(left) s)" >> "$L"
VARIANTS="c2=$B c1=$B@CUTLASS_CONVT3D_SM90_PGEMM_CTAS=1 c3=$B@CUTLASS_CONVT3D_SM90_PGEMM_CTAS=3 off=$B@CUTLASS_CONVT3D_SM90_PGEMM=0" \
  CHECK=1 CASES="vnet-128-64" CFGS="f32 cl tf32,bf16 ncdhw tf32,bf16 cl tf32,f32 ncdhw tf32" OUT=$OUT timeout 70 \
  bash benchmarks/ab_compare.sh > "$OUT/ab_ctas.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_ctas.txt" | grep -v "check vs float64.* ok$" >> "$L"
log_pytest 80 "phasegemm"
log_bench s50b-vnet 60 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 150
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s50b.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s50b.txt -delete)
exit 0
