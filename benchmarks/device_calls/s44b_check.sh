#!/usr/bin/env bash
# Stop 44's second device call (~6 minutes on an H100; carry [".whl", ".ab/bin/96e3a87.xz"]):
#   1. build and install this tree (v105 on by default, v104's a_rounded test compiled out of the tap-GEMM, v106's
#      per-row tap bits in the phase-GEMM's gathers);
#   2. one machine, two rounds, digests: stop 43's end (96e3a87) at its defaults and with v105 on against this tree's
#      installed convt3d_bench on the tap-GEMM / phase-GEMM decoder levels (unet-128-64: tap-GEMM, vnet-128-64 and
#      video-64-32: phase-GEMM), fp32 / bf16 x NCDHW / channels_last.  this tree vs "ov" isolates v106 (phase-GEMM)
#      and the compiled-out test (tap-GEMM);
#   3. the tests of the tap-GEMM / phase-GEMM paths; 4. bench.py on those levels (ours vs PyTorch).
# Usage: BUDGET_S=480 bash benchmarks/device_calls/s44b_check.sh   (logs in $OUT/s44b.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s44b.txt 480
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="s43=.ab/bin/96e3a87.xz ov=.ab/bin/96e3a87.xz@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1 new=$B" DIGEST=1 \
  CASES="vnet-128-64 unet-128-64 video-64-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32" \
  OUT=$OUT timeout 200 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
log_pytest 120 "phasegemm or tapgemm or sm90_instance or overlap or rounded_copy or shares or environment_knob"
echo "== bench.py decoder levels (time left: $(left) s)" >> "$L"
[ $(left) -gt 80 ] && timeout $(( $(left) - 10 )) python3 benchmarks/bench.py --reps 10 \
  --cases vnet-128-64,unet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16 \
  --out "$OUT/s44-decoders.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
