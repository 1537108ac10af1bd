#!/usr/bin/env bash
# Stop 59, the build-and-test call (carry [".whl"]): v135's tests (whole-row tiles: test_hopper_forward_whole_rows and
# the non-finite x test's -rows modes) and v134's (the pointwise y-cl expectation fixed after stop 58's run); then
# whether v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE=1: kernel == stride forwards through the TMA phase-GEMM where the
# tap-GEMM's short rows would take them; faster on unet-256-128 and unet-128-64 at stop 58, float64 checks ok) can be
# the default: the whole suite with the knob at 1 exported (the tap-GEMM's own forward tests pin =0 since stop 58; any
# other failure is a test to adjust or a defect), then bench.py's decoders with and without it.
#   Logs: $OUT/s59a.txt (+ the bench JSON / PNG).  (The write-pattern probe moved to s59b.)
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s59a_check.sh
. benchmarks/device_check_lib.sh s59a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 120 "tapgemm_phase or whole_rows or nonfinite_x"
export CUTLASS_CONVT3D_TAPGEMM_PHASE=1
log_pytest 220
log_bench s59a-decoders-phase1 150 --decoders --cases unet-256-128,unet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
unset CUTLASS_CONVT3D_TAPGEMM_PHASE
log_bench s59a-decoders 5 --decoders --cases unet-256-128,unet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
