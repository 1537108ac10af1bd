#!/usr/bin/env bash
# Stop 53 (carry [".whl"]): the defaults flipped -- v123's grad_input on the TMA phase-GEMM (DGRAD 0 -> 1) and
# v122's four warpgroups for 4-byte types (WG 2 -> by element size) -- and v124 (CUTLASS_CONVT3D_SM90_PGEMM_HALO=1:
# one x box for a class's h taps), never run on a GPU.
#   1. build and install; 2. the TMA phase-GEMM tests (the new defaults' assertions, v124's halo tilings);
#   3. A/B, one binary: the old defaults (WG=2 DGRAD=0), the new, and the new with HALO=1 (and HALO=1 at WG=2),
#   vnet-128-64 and video-64-32, fp32 and bf16, both layouts, outputs checked against float64; 4. bench.py on both
#   cases at the new defaults (ours against PyTorch in one process); 5. the whole "not large" suite.
#   Logs: $OUT/s53a.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=500 bash benchmarks/device_calls/s53a_check.sh
. benchmarks/device_check_lib.sh s53a.txt 500
log_pytest 100 "tma_phasegemm"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="old=$B@CUTLASS_CONVT3D_SM90_PGEMM_WG=2@CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=0 new=$B \
halo=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 halo2=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1@CUTLASS_CONVT3D_SM90_PGEMM_WG=2" \
  CHECK=1 CASES="vnet-128-64 video-64-32" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout 110 bash benchmarks/ab_compare.sh > "$OUT/ab.txt" 2>&1
grep -v "^WARNING" "$OUT/ab.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet\|^video" >> "$L"
log_bench s53a-decoders 100 --cases vnet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 95
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s53a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s53a.txt -delete)
exit 0
