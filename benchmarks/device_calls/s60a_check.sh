#!/usr/bin/env bash
# Stop 60, the first call (carry [".whl"]): whether v135 (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1, whole-row tiles: measured
# faster at stop 59 on 16-bit and fp32-off-16-byte NCDHW forwards, same bits) and v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE=1)
# can be the defaults: build; their own tests (never run on a GPU yet: test_hopper_forward_whole_rows, the non-finite x
# test's -rows modes, test_tapgemm_phase_forward's fixed y-cl expectation); the whole suite with both knobs at 1
# exported (the tap-GEMM's own forward tests pin PHASE=0); bench.py's mission modes and two decoder levels with both
# knobs, then without (the issue tables' numbers in one process each).
#   Logs: $OUT/s60a.txt (+ the bench JSON / PNG).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s60a_check.sh
. benchmarks/device_check_lib.sh s60a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 150 "whole_rows or (hopper_forward_nonfinite_x and rows) or tapgemm_phase"
export CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 CUTLASS_CONVT3D_TAPGEMM_PHASE=1
log_pytest 200
log_bench s60a-knobs 60 --cases mission,unet-256-128,unet-128-64 --modes fp32-tf32,bf16,fp16
unset CUTLASS_CONVT3D_SM90_WHOLE_ROWS CUTLASS_CONVT3D_TAPGEMM_PHASE
log_bench s60a-default 5 --cases mission,unet-256-128,unet-128-64 --modes fp32-tf32,bf16,fp16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
