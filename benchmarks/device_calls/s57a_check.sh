#!/usr/bin/env bash
# Stop 57, the first call (carry [".whl"]): stop 56 flipped five defaults after timing them with knobs on a binary
# built before the flips (v127 / v128 L2 hints and chunk cap where y passes the L2, v129 exact Hopper grad_input,
# v125 / v126 in-place channels_last grad_weight), so the suite has not run at the new defaults: build, the whole
# suite, then bench.py (every case and mode, then the decoders) at the defaults.
#   Logs: $OUT/s57a.txt (+ the bench JSON / PNG).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s57a_check.sh
. benchmarks/device_check_lib.sh s57a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 200
log_bench s57a-all 60 --modes fp32-tf32,fp32-tf32-cl,fp32-exact,bf16,fp16
log_bench s57a-decoders 5 --decoders --cases unet-256-128,unet-128-64,unet-64-32,vnet-128-64,video-64-32 \
  --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
