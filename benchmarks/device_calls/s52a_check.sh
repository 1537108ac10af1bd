#!/usr/bin/env bash
# Stop 52 (carry [".whl"]): v122 (CUTLASS_CONVT3D_SM90_PGEMM_WG=4: one-class tiles of the TMA phase-GEMM over four
# consumer warpgroups) and v123 (CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1: grad_input on the TMA phase-GEMM, boxes traversing
# grad_y at the strides), both off by default, never run on a GPU before this call.
#   1. build and install; 2. the TMA phase-GEMM tests (forward: three tilings; grad_input: two and four warpgroups);
#   3. A/B of vnet-128-64 (forward, grad_input, grad_weight), one binary: default / wg4 / dgrad / both, fp32 and bf16,
#   both layouts, outputs checked against float64; 4. bench.py vnet-128-64 with both knobs (ours against PyTorch in
#   one process); 5. the whole "not large" suite.  Logs: $OUT/s52a.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=480 bash benchmarks/device_calls/s52a_check.sh
. benchmarks/device_check_lib.sh s52a.txt 480
log_pytest 100 "tma_phasegemm"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="default=$B wg4=$B@CUTLASS_CONVT3D_SM90_PGEMM_WG=4 dgrad=$B@CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1 \
both=$B@CUTLASS_CONVT3D_SM90_PGEMM_WG=4@CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1" CHECK=1 \
  CASES="vnet-128-64" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT timeout 120 \
  bash benchmarks/ab_compare.sh > "$OUT/ab.txt" 2>&1
grep -v "^WARNING" "$OUT/ab.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet" >> "$L"
CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1 log_bench s52a-vnet-dgrad 150 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 150
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s52a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s52a.txt -delete)
exit 0
