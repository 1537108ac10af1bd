#!/usr/bin/env bash
# Stop 57, the last call (carry [".whl"]): v131 / v132 as defaults (the fp32 NCDHW forward's row vectors where y's
# rows are off 16 bytes, its 3 warpgroups x 2 slots where y is also past 8 L2s, the 16-bit NCDHW tile cost 5; measured
# through knobs and an old / new binary in s57b-g), and the tapgemm test's fix: build, the whole suite, then bench.py
# (every case and mode, then the decoders with odd-32-32).  s57a ran the same at 37ce616.
#   Logs: $OUT/s57j.txt (+ the bench JSON / PNG).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s57j_check.sh
. benchmarks/device_check_lib.sh s57j.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 200
log_bench s57j-all 60 --modes fp32-tf32,fp32-tf32-cl,fp32-exact,bf16,fp16
log_bench s57j-decoders 5 --decoders --cases unet-256-128,unet-128-64,unet-64-32,vnet-128-64,video-64-32,odd-32-32 \
  --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
