#!/usr/bin/env bash
# Stop 59, the first call (carry [".whl"]): whether v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE=1: kernel == stride forwards
# through the TMA phase-GEMM where the tap-GEMM's short rows would take them; measured faster on unet-256-128 and
# unet-128-64 at stop 58, float64 checks ok) can be the default: build, v134's tests (the pointwise y-cl expectation
# fixed after stop 58's run), the whole suite with the knob at 1 exported (the tap-GEMM's own forward tests pin =0
# since stop 58; any other failure is a test to adjust or a defect), then bench.py's decoders with and without it;
# before them the write-pattern probe at W 255 and 256 (sector-aligned rows: run length or partial sectors?).
#   Logs: $OUT/s59a.txt (+ the bench JSON / PNG).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s59a_check.sh
. benchmarks/device_check_lib.sh s59a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 40 "tapgemm_phase"
echo "== y write-pattern probe, rows of 255 and of 256 outputs (time left: $(left) s)" >> "$L"
nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 benchmarks/ywrite_pattern_probe.cu -o /tmp/ywp >> "$L" 2>&1 && \
  for w in 255 256; do timeout 15 /tmp/ywp 3 $w >> "$L" 2>&1; done
export CUTLASS_CONVT3D_TAPGEMM_PHASE=1
log_pytest 220
log_bench s59a-decoders-phase1 150 --decoders --cases unet-256-128,unet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
unset CUTLASS_CONVT3D_TAPGEMM_PHASE
log_bench s59a-decoders 5 --decoders --cases unet-256-128,unet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
