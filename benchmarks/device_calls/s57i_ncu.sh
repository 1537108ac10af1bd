#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz with v132): s57h's ncu (caches flushed,
# each kernel alone) timed the mission forward kernel at 3 x 2 slower than at 4 x 3 (674 against 621 us) while the
# C++ benchmark times the whole forward the other way (0.673 against 0.772 ms).  Here every kernel of a few forwards
# in a row, one pass each (duration only) without flushing the caches, at both configurations.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=120 bash benchmarks/device_calls/s57i_ncu.sh   (log: $OUT/s57i.txt)
. benchmarks/device_ab_lib.sh s57i.txt 120
for c in mission odd-32-32; do for cfg in default 43; do
  echo "== $c CFG=$cfg (time left: $(left) s)" >> "$L"
  env $([ $cfg = default ] || echo CUTLASS_CONVT3D_SM90_CFG=$cfg) timeout $(cap 25 5) ncu --csv --cache-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum -k regex:"hopper|to_channels_last" \
    --launch-skip 8 -c 12 "$B" --case $c --reps 3 2>&1 | python3 benchmarks/ncu_brief.py >> "$L"
done; done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
