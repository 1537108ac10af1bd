#!/usr/bin/env bash
# Stop 63, not run (too little device time was left for a pip build; s63e_ab.sh, without one, could not start either).
# Carry [".whl", ".ab/bin"]: v145 (the 16-bit forward's row-vector stores straight-line) built by pip, then
#   1. the forward tests that reach the row-vector stores (Hopper forward, whole rows, vector staging, narrow tiles,
#      the float64 sweep), every dtype;
#   2. A/B against the carried binary of 6ae4b16 (the revert of v144, HEAD~1), bf16 and fp16 NCDHW, digests compared,
#      then fp32 (whose instances did not change: a control);
#   3. float64 checks of v145's bf16 runs.
#   Log: $OUT/s63d.txt.   Usage: BUDGET_S=285 bash benchmarks/device_calls/s63d_check.sh
. benchmarks/device_check_lib.sh s63d.txt 285
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 50 "hopper_forward or vector_staging or vector_rows or narrow_output or sweep_against"
echo "== A/B v145 (time left: $(left) s)" >> "$L"
ab_timed 60 28 "base=.ab/bin/6ae4b16.xz v145=$B" "mission k2s2 k3s2op1 odd-32-32" "bf16 ncdhw tf32,f16 ncdhw tf32"
ab_timed 15 12 "base=.ab/bin/6ae4b16.xz v145=$B" "mission k2s2" "f32 ncdhw tf32"
echo "== float64 checks (time left: $(left) s)" >> "$L"
ab_check 10 2 "v145=$B" "mission k2s2 odd-32-32" "bf16 ncdhw tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
