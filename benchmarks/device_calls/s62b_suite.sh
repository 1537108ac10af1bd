#!/usr/bin/env bash
# Stop 62's second call (carry [".whl"]), after s62a_check.sh: the whole "not large" suite (no run since stop 60),
# then bench.py's mission tables (issue 3's and 4's cases) as they are, and with CUTLASS_CONVT3D_SM90_X_RS=1 (v141 /
# v142) where s62a showed it correct and faster.   Log: $OUT/s62b.txt.
#   Usage: BUDGET_S=560 [XRS=1] bash benchmarks/device_calls/s62b_suite.sh
. benchmarks/device_check_lib.sh s62b.txt 560
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 230
log_bench s62b-bench 150 --quick
if [ "${XRS:-0}" = 1 ]; then
  export CUTLASS_CONVT3D_SM90_X_RS=1
  log_bench s62b-bench-xrs 5 --quick
fi
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
