#!/usr/bin/env bash
# Stop 61, the first call (carry [".whl"]): HEAD built by pip; the whole suite (stop 60's last call ran out of time
# before its summary: v136 (b), the 16-bit copy's non-finite report, and v137's tests have not run on a GPU); v137
# (CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1, whole-row tiles' wgmmas pipelined across pairs) against the default on the
# installed C++ benchmark (one binary, the knob on and off, outputs' bits compared); bench.py over every case and mode.
#   Logs: $OUT/s61a.txt (+ the bench JSON / PNG).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s61a_check.sh
. benchmarks/device_check_lib.sh s61a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 260
echo "== A/B v137 (time left: $(left) s)" >> "$L"
VARIANTS="base=$B pipe=$B@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1" DIGEST=1 CASES="mission k3s2op1 k2s2 odd-32-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f16 ncdhw tf32" OUT=$OUT/ab timeout $(( $(left) > 140 ? 90 : $(left) / 2 )) \
  bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
log_bench s61a-bench 5
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
