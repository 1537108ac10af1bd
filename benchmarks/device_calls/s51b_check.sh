#!/usr/bin/env bash
# Stop 51 (carry [".whl"]): v121, the TMA phase-GEMM's tiles of both w residues (CUTLASS_CONVT3D_SM90_PGEMM_WPAIR).
#   1. build and install; 2. the TMA phase-GEMM tests (both tilings); 3. A/B of vnet-128-64's forward, one binary:
#   wpair (the default) / class (=0, v120's tiles) / off (the gathering kernel), fp32 and bf16, both layouts, outputs
#   checked against float64; 4. bench.py vnet-128-64 (ours against PyTorch in one process); 5. the whole "not large" suite; 6. (time
#   left) ncu of both tilings (fp32 channels_last) with stall reasons and shared-memory
#   wavefronts (s51a's question for v120).  Logs: $OUT/s51b.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=580 bash benchmarks/device_calls/s51b_check.sh
. benchmarks/device_check_lib.sh s51b.txt 580
log_pytest 90 "tma_phasegemm"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="wpair=$B class=$B@CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=0 off=$B@CUTLASS_CONVT3D_SM90_PGEMM=0" CHECK=1 \
  CASES="vnet-128-64" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT timeout 100 \
  bash benchmarks/ab_compare.sh > "$OUT/ab.txt" 2>&1
grep -v "^WARNING" "$OUT/ab.txt" | grep -v "check vs float64.* ok$" >> "$L"
log_bench s51b-vnet 230 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 170
for v in 1 0; do
  echo "== ncu vnet-128-64 f32 cl, WPAIR=$v (time left: $(left) s)" >> "$L"
  [ $(left) -gt 55 ] && CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=$v timeout 50 ncu --clock-control none \
    -k regex:"hopper_tma_phasegemm" -c 1 \
    --section SpeedOfLight --section WarpStateStats --section MemoryWorkloadAnalysis --section Occupancy \
    --metrics smsp__inst_executed.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,lts__t_bytes.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    "$B" --case vnet-128-64 --reps 1 --dtype f32 --layout cl 2>&1 | \
    grep -E "hopper_tma|Duration|Throughput|Stall|stall|Warp Cycles|Issued|Eligible|Shared|Bank|Occupancy|inst_executed|wavefronts|bytes" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s51b.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s51b.txt -delete)
exit 0
