#!/usr/bin/env bash
# Stop 54 (carry [".whl"]): the checks stop 53 could not run (the defaults flipped at stop 53: DGRAD 1, WG by element size; v124's
# halo boxes, CUTLASS_CONVT3D_SM90_PGEMM_HALO=1) plus v125 / v126 (CUTLASS_CONVT3D_SM90_WGEMM_CL=1: the channels_last
# grad_weight GEMM without copies), none of it run on a GPU yet.
#   1. build and install; 2. the TMA phase-GEMM and grad_weight GEMM tests (new defaults, halo tilings, v125 / v126's
#   channels_last_inplace layout and non-finite cases); 3. A/B, one binary: the old defaults (WG=2 DGRAD=0), the new, HALO=1
#   (four and two warpgroups) and WGEMM_CL=1, vnet-128-64 and video-64-32, fp32 and bf16, both layouts, outputs checked
#   against float64; 4. bench.py on both cases at the new defaults; 5. the whole "not large" suite.
#   Logs: $OUT/s54a.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=560 bash benchmarks/device_calls/s54a_check.sh
. benchmarks/device_check_lib.sh s54a.txt 560
log_pytest 130 "tma_phasegemm or hopper_wgemm"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="old=$B@CUTLASS_CONVT3D_SM90_PGEMM_WG=2@CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=0 new=$B \
halo=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 halo2=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1@CUTLASS_CONVT3D_SM90_PGEMM_WG=2 \
wcl=$B@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" \
  CHECK=1 CASES="vnet-128-64 video-64-32" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout 150 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet\|^video" >> "$L"
log_bench s54a-decoders 90 --cases vnet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 85
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s54a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s54a.txt -delete)
exit 0
