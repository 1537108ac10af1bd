#!/usr/bin/env bash
# Stop 59, one call for both (carry [".ab/bin", ".whl"]; machines were scarce): s59b's A/B of v135 on the carried
# convt3d_bench (BIN), its float64 checks and the write-pattern probe, then a pip build and the CUDA tests of v135
# (whole_rows, the non-finite x test's -rows modes).
#   Logs: $OUT/s59b.txt, $OUT/s59a.txt.
# Usage: BIN=.ab/bin/<sha>.xz COMMIT=<sha> BUDGET_S=380 bash benchmarks/device_calls/s59c_ab_check.sh
t_all=$(date +%s)
BUDGET_S=${BUDGET_S:-380}
( BUDGET_S=150 bash benchmarks/device_calls/s59b_ab.sh )
left_all=$(( BUDGET_S - ($(date +%s) - t_all) ))
BUDGET_S=$left_all
. benchmarks/device_check_lib.sh s59a.txt "$left_all"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 120 "whole_rows or (hopper_forward_nonfinite_x and rows)"
echo "total: $(( $(date +%s) - t_all )) s" >> "$L"
exit 0
