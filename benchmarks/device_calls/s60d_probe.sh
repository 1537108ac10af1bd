#!/usr/bin/env bash
# Stop 60, the fourth call (carry [".ab/bin"], .ab/bin/ywp built off the GPU from benchmarks/ywrite_pattern_probe.cu):
# the write-pattern probe's new runs (a warpgroup's consecutive whole rows, -L<l>; with their shared 32-byte sectors
# written whole by the later tile, -L<l>c: the forward's "carry" design) for fp32 and 2-byte y at W 255 (the mission),
# fp32 at 256.  Does the carry take whole-row stores from 2.33 TB/s towards the 3.0 of sector-aligned rows?
#   Log: $OUT/s60d.txt.  Usage: BUDGET_S=60 bash benchmarks/device_calls/s60d_probe.sh
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/s60d.txt
t0=$(date +%s)
for args in "3 255 4" "3 255 2" "2 255 4" "3 256 4"; do
  timeout 25 .ab/bin/ywp $args >> "$L" 2>&1
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
