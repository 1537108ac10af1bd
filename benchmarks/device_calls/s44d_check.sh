#!/usr/bin/env bash
# Stop 44's fourth device call (~5 minutes on an H100; carry [".whl", ".ab/bin/96e3a87.xz"]): v106 with the end-tap
# shortcut (inside_bits: one test where both end taps read inside).  Call 3 read v106 as -3..-5% on grad_input but
# +3..+8% on the fp32 forward (short K: the rows' full tap loops at the CTA's start); this decides keep or revert.
#   1. build and install; 2. A/B, one machine, two rounds, digests: stop 43's end with v105 on (96e3a87@OVERLAP=1,
#   the phase-GEMM's code before v106) against this tree's installed bench on the phase-GEMM levels; 3. its tests.
# Usage: BUDGET_S=330 bash benchmarks/device_calls/s44d_check.sh   (logs in $OUT/s44d.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s44d.txt 330
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="ov=.ab/bin/96e3a87.xz@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1 new=$B" DIGEST=1 CASES="vnet-128-64 video-64-32" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32" OUT=$OUT timeout 100 bash benchmarks/ab_compare.sh \
  > "$OUT/ab_table.txt" 2>&1
log_pytest 90 "phasegemm or nonfinite"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
