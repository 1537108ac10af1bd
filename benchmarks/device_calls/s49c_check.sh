#!/usr/bin/env bash
# Stop 49, call 4 (carry [".whl"]): what the vnet-128-64 forward runs and where its time goes (call 3's bench.py:
# channels_last fp32 forward 0.301 ms against PyTorch's 0.172, bf16 0.244 against 0.174): ncu of the first kernels of
# the C++ benchmark's run (the forward's), fp32 channels_last, fp32 NCDHW, bf16 NCDHW.
# Usage: COMMIT=<sha> BUDGET_S=230 bash benchmarks/device_calls/s49c_check.sh   (log: $OUT/s49c.txt)
. benchmarks/device_check_lib.sh s49c.txt 230
for cfg in "f32 cl" "f32 ncdhw" "bf16 ncdhw"; do
  set -- $cfg
  echo "== ncu vnet-128-64 $1 $2 (time left: $(left) s)" >> "$L"
  [ $(left) -gt 40 ] && timeout 40 ncu --clock-control none -c 4 --section SpeedOfLight --section Occupancy \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum,smsp__inst_executed.sum "$B" --case vnet-128-64 --reps 1 \
    --dtype $1 --layout $2 2>&1 | grep -E "^  [a-z_ ]*[a-z_]+<|^  void|Duration|Throughput|dram__|inst_executed|Achieved Occ|Registers" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
