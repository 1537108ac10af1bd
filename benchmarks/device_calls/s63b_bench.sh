#!/usr/bin/env bash
# Stop 63's second call, chained on s63a's machine (SKIP_BUILD=1): bench.py's issue tables at HEAD's defaults (the
# mission, every mode), then issue 3's other shapes and the decoders, fp32 TF32 and exact.
#   Log: $OUT/s63b.txt.   Usage: SKIP_BUILD=1 BUDGET_S=560 bash benchmarks/device_calls/s63b_bench.sh
. benchmarks/device_check_lib.sh s63b.txt 560
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_bench s63b-bench 250 --quick
log_bench s63b-shapes 5 --cases groups4,depthwise,k2s2p0,k3s2p1op1,k3s1p1,in64-out16,unet-128-64,unet-64-32,video-64-32,odd-32-32 \
  --modes fp32-tf32,fp32-exact
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
