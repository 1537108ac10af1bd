#!/usr/bin/env bash
# Stop 45, last device call (~8 minutes on an H100; carry [".whl"]): the final tree (v107 class order 1, v109
# interleave 3 by default).
#   1. build and install; 2. the whole suite; 3. one binary, v109 off / on (default), two rounds, digests, on the
#   shapes call 3 did not time (k3s1's forward runs on the Hopper grad_input kernel); 4. bench.py's mission rows and
#   the decoder levels that v107 / v109 touch (ours vs PyTorch).
# Usage: BUDGET_S=560 bash benchmarks/device_calls/s45d_check.sh   (logs in $OUT/s45d.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s45d.txt 560
log_pytest 200
log_ab 100 "i0=$B@CUTLASS_CONVT3D_SM90_INTERLEAVE=0 new=$B" "k3s1 k2s2 depthwise unet-64-32 unet-256-128" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32"
log_bench s45-mission 50 --quick
log_bench s45-decoders 5 --cases vnet-128-64,unet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
