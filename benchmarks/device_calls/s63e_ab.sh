#!/usr/bin/env bash
# Stop 63's last call (not run: no device time left), without a build (a cold call costs ~90 s beyond its wall time):
# carry [".ab/bin/6ae4b16.xz", ".ab/bin/2634cb0.xz"] (the C++ benchmark of the v144 revert and of v145, built off the
# GPU by benchmarks/ab_build.sh).  v145 against its base, bf16 and fp16 NCDHW, digests compared (the same bits: v145
# changes only how rows are stored), then float64 checks of v145's bf16 runs (NaN-poisoned y).
#   Log: $OUT/s63e.txt.   Usage: BIN=.ab/bin/2634cb0.xz BUDGET_S=80 bash benchmarks/device_calls/s63e_ab.sh
. benchmarks/device_ab_lib.sh s63e.txt 80
echo "== A/B v145 (time left: $(left) s)" >> "$L"
ab_timed 55 15 "base=.ab/bin/6ae4b16.xz v145=$BIN" "mission k2s2 k3s2op1 odd-32-32" "bf16 ncdhw tf32,f16 ncdhw tf32"
echo "== float64 checks (time left: $(left) s)" >> "$L"
ab_check 12 2 "v145=$BIN" "mission k2s2 odd-32-32" "bf16 ncdhw tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
