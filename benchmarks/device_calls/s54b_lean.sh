#!/usr/bin/env bash
# Stop 54, the lean call (carry [".whl"]) for when too little device time is left for s54a_check.sh: build, the tests of
# v124's halo tilings and the in-place grad_weight GEMM (v125, v126), and an A/B of the new defaults against HALO=1 and
# WGEMM_CL=1 on vnet-128-64 (fp32 and bf16 channels_last, bf16 NCDHW; outputs checked against float64).
# Logs: $OUT/s54b.txt (+ logs.tgz).  Usage: COMMIT=<sha> BUDGET_S=300 bash benchmarks/device_calls/s54b_lean.sh
. benchmarks/device_check_lib.sh s54b.txt 300
log_pytest 80 "inplace or (tma_phasegemm and halo)"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="new=$B halo=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 wcl=$B@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" \
  CHECK=1 CASES="vnet-128-64" CFGS="f32 cl tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout $(( $(left) - 10 )) bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet\|^video" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s54b.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s54b.txt -delete)
exit 0
