#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz with v132): why 3 warpgroups x 2 slots
# (v132) took the fp32 NCDHW mission forward 0.772 -> 0.673 ms but odd-32-32 0.177 -> 0.190 (s57g): ncu of the
# forward kernel at the default and at CFG=43 (the search's pick) on both: DRAM bytes, L2 hit rate, throughput.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=150 bash benchmarks/device_calls/s57h_ncu.sh   (log: $OUT/s57h.txt)
. benchmarks/device_ab_lib.sh s57h.txt 150
M=gpu__time_duration.sum,launch__grid_size,launch__block_size,launch__registers_per_thread,dram__bytes_read.sum,dram__bytes_write.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sector_hit_rate.pct,lts__t_sectors_srcunit_tex_op_write.sum,lts__t_sectors_srcunit_tex_op_read.sum
for c in mission odd-32-32; do for cfg in default 43; do
  echo "== $c CFG=$cfg (time left: $(left) s)" >> "$L"
  env $([ $cfg = default ] || echo CUTLASS_CONVT3D_SM90_CFG=$cfg) timeout $(cap 30 5) ncu --csv --metrics $M \
    -k regex:hopper_rowconv_kernel -c 1 "$B" --case $c --reps 1 2>&1 | python3 benchmarks/ncu_brief.py >> "$L"
done; done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
