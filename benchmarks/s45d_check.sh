#!/usr/bin/env bash
# Stop 45, last device call (~8 minutes on an H100; carry [".whl"]): the final tree (v107 class order 1, v109
# interleave 3 by default).
#   1. build and install; 2. the whole suite; 3. one binary, v109 off / on (default), two rounds, digests, on the
#   shapes call 3 did not time (k3s1's forward runs on the Hopper grad_input kernel); 4. bench.py's mission rows and
#   the decoder levels that v107 / v109 touch (ours vs PyTorch).
# Usage: BUDGET_S=560 bash benchmarks/s45d_check.sh   (logs in $OUT/s45d.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s45d.txt 560
log_pytest 200
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="i0=$B@CUTLASS_CONVT3D_SM90_INTERLEAVE=0 new=$B" DIGEST=1 CASES="k3s1 k2s2 depthwise unet-64-32 unet-256-128" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32" OUT=$OUT timeout 100 bash benchmarks/ab_compare.sh \
  > "$OUT/ab_table.txt" 2>&1
echo "== bench.py mission (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout $(( $(left) - 50 )) python3 benchmarks/bench.py --quick --reps 10 \
  --out "$OUT/s45-mission.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "== bench.py decoder levels (time left: $(left) s)" >> "$L"
[ $(left) -gt 30 ] && timeout $(( $(left) - 5 )) python3 benchmarks/bench.py --reps 10 \
  --cases vnet-128-64,unet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16 \
  --out "$OUT/s45-decoders.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
