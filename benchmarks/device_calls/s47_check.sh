#!/usr/bin/env bash
# Prepared at stop 46 on branch exp/v115c-on-main (~8 minutes on an H100; carry [".whl", ".ab/bin/<main>.xz"], main's
# C++ benchmark built first with `bash benchmarks/ab_build.sh main`): v115c for HopperTF32 only (NOTES v115c: the
# swizzled NCDHW output staging with immediate offsets measured mission forward -1.2% TF32, -3% exact, but k2s2 exact
# +2.4%; exact and 16-bit now keep the odd pitch).
#   1. build and install; 2. the whole suite; 3. A/B main against this tree on every case, fp32 TF32 and exact NCDHW
#   (exact must be unchanged: same instance code), two rounds, digests; 4. bench.py's mission rows.
# Usage: MAIN_XZ=.ab/bin/<sha>.xz COMMIT=<sha> BUDGET_S=480 bash benchmarks/device_calls/s47_check.sh
. benchmarks/device_check_lib.sh s47.txt 480
log_pytest 170
log_ab 150 "main=${MAIN_XZ:?the main binary} v115c=$B" "all" "f32 ncdhw tf32,f32 ncdhw exact"
log_bench s47-mission 5 --quick
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
