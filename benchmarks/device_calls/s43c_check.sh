#!/usr/bin/env bash
# Stop 43's third device call (~8 minutes on an H100): v104 (the phase-GEMM's restaged fp32 source rounded to TF32 by
# its copy, CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY, default 1; v103's knobs now default 0):
#   1. build, 2. the phase-GEMM / wgmma-instance / knob tests, 3. convt3d_bench vnet-128-64 NCDHW fp32 (the restaged
#   case) ROUNDED_COPY 0 / 1, --digest (same bits) and two rounds, 4. bench.py on the other shapes (groups4,
#   depthwise, k3s1p1, in64-out16: not re-timed since stop 38) and vnet-128-64, 5. the whole suite in what is left.
# Usage: BUDGET_S=560 bash benchmarks/device_calls/s43c_check.sh   (logs in $OUT/s43c.txt)
. benchmarks/device_check_lib.sh s43c.txt 560
log_pytest 150 "phasegemm or sm90_instance or environment_knob"
echo "== convt3d_bench vnet-128-64 NCDHW, ROUNDED_COPY 0 / 1 (ms: forward, grad_input, grad_weight; time left: $(left) s)" >> "$L"
cd /tmp
for round in 1 2; do for d in f32 bf16; do for rc in 0 1; do
  echo "round $round dtype $d ROUNDED_COPY=$rc" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=$rc timeout 60 "$B" --case vnet-128-64 --dtype $d --reps 20 \
    $([ $round = 1 ] && echo --digest) 2>&1 | grep -v "^case\|^device" >> "$L"
done; done; done
cd "$R"
echo "== bench.py, the issue's other shapes and vnet-128-64 (time left: $(left) s)" >> "$L"
timeout 200 python3 benchmarks/bench.py --reps 10 --cases groups4,depthwise,k3s1p1,in64-out16,vnet-128-64 \
  --out "$OUT/s43-shapes.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
[ $(left) -gt 100 ] && log_pytest 600
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
