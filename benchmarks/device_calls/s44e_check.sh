#!/usr/bin/env bash
# Stop 44's last device call (~4 minutes on an H100; carry [".whl", ".ab/bin/96e3a87.xz"]): the final tree (v106
# reverted: the phase-GEMM's code is 4c17f89's again, PTX-identical; v105 on; the tap-GEMM's a_rounded test compiled
# out) -- build, the tap-GEMM / phase-GEMM tests, and a short A/B against stop 43's end with v105 on.
# Usage: BUDGET_S=250 bash benchmarks/device_calls/s44e_check.sh   (logs in $OUT/s44e.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s44e.txt 250
log_pytest 60 "tapgemm or phasegemm or overlap or rounded_copy or environment_knob"
echo "== A/B (time left: $(left) s)" >> "$L"
[ $(left) -gt 40 ] && VARIANTS="ov=.ab/bin/96e3a87.xz@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1 final=$B" DIGEST=1 \
  CASES="vnet-128-64 unet-128-64" CFGS="f32 ncdhw tf32,f32 cl tf32" OUT=$OUT timeout $(( $(left) - 5 )) \
  bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
