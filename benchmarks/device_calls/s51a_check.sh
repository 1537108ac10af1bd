#!/usr/bin/env bash
# Prepared at stop 50 for the next call (carry [".whl"]): where v120's TMA phase-GEMM forward waits.  Stop 50's ncu
# (vnet-128-64 fp32 channels_last, 2 CTAs per SM): L2 50%, SM 22%, achieved occupancy 24%, tensor work ~25% of the
# time: neither L2 nor the MMAs bound it.  Candidates: the consumers' waits on landed stages (TMA latency with
# ring - 2 stages ahead), their epilogue (no stage consumed meanwhile), shared-memory bandwidth (SS wgmmas read A and
# B, the TMA writes both: ~220 bytes a clock of demand at full tensor rate for N = 64, against 128).
#   1. build and install; 2. the v120 tests; 3. ncu of hopper_tma_phasegemm_kernel (vnet fp32 channels_last, bf16
#   NCDHW) with warp-state, memory-workload and instruction statistics (stall reasons, shared-memory wavefronts);
#   4. A/B of CTAs per SM 3 / 2 against the gathering kernel, fp32 channels_last and bf16; 5. (stop 51) the whole
#   "not large" suite, since stop 50's last test fixes and review commit 9fcc8ed have not run on a GPU.  Logs: $OUT/s51a.txt.
# Usage: COMMIT=<sha> BUDGET_S=480 bash benchmarks/device_calls/s51a_check.sh
. benchmarks/device_check_lib.sh s51a.txt 480
log_pytest 60 "tma_phasegemm"
for cfg in "f32 cl" "bf16 ncdhw"; do
  set -- $cfg
  echo "== ncu vnet-128-64 $1 $2 (time left: $(left) s)" >> "$L"
  [ $(left) -gt 60 ] && timeout 50 ncu --clock-control none -k regex:"hopper_tma_phasegemm" -c 1 \
    --section SpeedOfLight --section WarpStateStats --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis \
    --section Occupancy --metrics smsp__inst_executed.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum \
    "$B" --case vnet-128-64 --reps 1 --dtype $1 --layout $2 2>&1 | \
    grep -E "hopper_tma|Duration|Throughput|Stall|stall|Warp Cycles|Issued|Eligible|Shared|Bank|Occupancy|Pipe|inst_executed|wavefronts" >> "$L"
done
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="c3=$B c2=$B@CUTLASS_CONVT3D_SM90_PGEMM_CTAS=2 off=$B@CUTLASS_CONVT3D_SM90_PGEMM=0" CHECK=1 \
  CASES="vnet-128-64" CFGS="f32 cl tf32,bf16 ncdhw tf32" OUT=$OUT timeout 60 bash benchmarks/ab_compare.sh \
  > "$OUT/ab.txt" 2>&1
grep -v "^WARNING" "$OUT/ab.txt" | grep -v "check vs float64.* ok$" >> "$L"
log_pytest 170
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s51a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s51a.txt -delete)
exit 0
