#!/usr/bin/env bash
# Stop 60, after s60g's A/B (carry [".whl", ".ab/bin"]: .ab/bin/24cda9c.xz, the defaults before v136): v136 (b) alone
# (the 16-bit x copy reports non-finite values, so the 16-bit forward skips its per-tile check; (a), the straight-line
# stores, reverted after s60g) built by pip; the whole suite; bench.py over the cases and modes (same process as
# PyTorch: the issue tables); its A/B against 24cda9c on the 16-bit NCDHW forwards (outputs' bits compared).
#   Logs: $OUT/s60h.txt (+ the bench JSON / PNG).  Usage: BUDGET_S=350 bash benchmarks/device_calls/s60h_check.sh
. benchmarks/device_check_lib.sh s60h.txt 420
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 170
log_bench s60h-bench 40
echo "== A/B v136b against 24cda9c (time left: $(left) s)" >> "$L"
VARIANTS="base=.ab/bin/24cda9c.xz v136b=$B" DIGEST=1 CASES="mission k3s2op1 k2s2 odd-32-32" \
  CFGS="bf16 ncdhw tf32,f16 ncdhw tf32" OUT=$OUT/ab timeout $(( $(left) - 3 )) bash benchmarks/ab_compare.sh 2>&1 | \
  grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
