#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz): where the decoder levels that are still
# slower than PyTorch (s57a: unet-256-128 channels_last fp32 forward 0.53x, bf16 0.79-0.92x; unet-128-64
# channels_last 0.77-0.92x; vnet-128-64 channels_last fp32 forward 0.72x, bf16 0.80-0.95x) spend their time:
#   1. every kernel of ours per pass (ncu: duration, grid, registers, DRAM bytes, SM / memory throughput);
#   2. PyTorch's kernels for the same problems (torch.profiler; torch alone, no package needed).
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=240 bash benchmarks/device_calls/s57c_ncu.sh   (log: $OUT/s57c.txt)
. benchmarks/device_ab_lib.sh s57c.txt 240
M=gpu__time_duration.sum,launch__grid_size,launch__block_size,launch__registers_per_thread,dram__bytes_read.sum,dram__bytes_write.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed
for spec in "unet-256-128 f32 cl" "unet-256-128 bf16 cl" "unet-256-128 f32 ncdhw" "unet-128-64 f32 cl" \
            "unet-128-64 bf16 cl" "vnet-128-64 f32 cl" "vnet-128-64 bf16 cl" "vnet-128-64 bf16 ncdhw"; do
  set -- $spec
  echo "== ours $spec (time left: $(left) s)" >> "$L"
  timeout $(cap 40 60) ncu --clock-control none --csv --metrics $M -c 40 "$B" --case $1 --dtype $2 --layout $3 \
    --reps 1 2>&1 | python3 benchmarks/ncu_brief.py >> "$L"
done
echo "== PyTorch (time left: $(left) s)" >> "$L"
timeout $(cap 60 5) python3 benchmarks/torch_kernels.py unet-256-128 unet-128-64 vnet-128-64 >> "$L" 2>&1
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
