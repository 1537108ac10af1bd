#!/usr/bin/env bash
# Stop 60, the second call (carry [".whl"]): with v134 and v135 on by default (kTapGemmPhaseDefault = 1,
# kHopperWholeRowsDefault = 1; s60a ran the suite with both exported, its 27 failures test expectations: forced
# warpgroup counts whole rows do not fit, v133's tests beside whole rows), the whole suite at the defaults, then
# bench.py over every case and mode (the issue tables, same process as PyTorch).
#   Logs: $OUT/s60b.txt (+ the bench JSON / PNG).
# Usage: BUDGET_S=590 bash benchmarks/device_calls/s60b_check.sh
. benchmarks/device_check_lib.sh s60b.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 190
log_bench s60b-bench 5
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
