#!/usr/bin/env bash
# Stop 65 (written at stop 64, no GPU lent then): carry [".whl"].  A pip build of HEAD, then
#   1. v146's CUDA tests (the fused 16-bit backward: float64, bits, non-finite, scope) and the Hopper grad_input's
#      (whose kernel template v146 extended; its 60 existing instances are SASS-identical, so a control);
#   2. bench.py --quick with the knob on, bf16 / fp16 (forward + backward rows: the fused backward under autograd).
#   Log: $OUT/s65b.txt.   Usage: BUDGET_S=330 bash benchmarks/device_calls/s65b_check.sh
. benchmarks/device_check_lib.sh s65b.txt 330
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 90 "fused_backward or hopper_dgrad"
CUTLASS_CONVT3D_SM90_FUSED_BWD=1 log_bench s65b-fused 5 --quick --modes bf16,fp16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
