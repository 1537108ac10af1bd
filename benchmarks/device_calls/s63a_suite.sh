#!/usr/bin/env bash
# Stop 63's first call (carry [".whl"]): HEAD built by pip, then
#   1. the whole "not large" suite: level 1 of CUTLASS_CONVT3D_SM90_X_RS by default (0cedcd8) and the tests around it
#      (5a19348) have run on the CPUs only;
#   2. v144 (WGMMA_PIPE=1 on v141, its tests ran in the suite): A/B against v141 unpipelined and the default, at
#      64-position tiles and whole rows;
#   3. A/B in one binary, the default (level 1) against X_RS=0 (the copy everywhere), TF32 and exact, digests
#      compared: level 1 must take exactly stop 62's winners.
#   Log: $OUT/s63a.txt.   Usage: BUDGET_S=500 bash benchmarks/device_calls/s63a_suite.sh
. benchmarks/device_check_lib.sh s63a.txt 500
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 250
echo "== A/B v144: default / v141 (X_RS=2) at 64 positions (WHOLE_ROWS=0) and whole rows, each without and with \
WGMMA_PIPE=1 (time left: $(left) s)" >> "$L"
RS="$B@CUTLASS_CONVT3D_SM90_X_RS=2"
ab_timed 150 75 "new=$B rs64=$RS@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=0 pipe64=$RS@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=0@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1 \
rsrows=$RS piperows=$RS@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1" "mission k2s2 k3s2op1 unet-64-32 odd-32-32" "f32 ncdhw tf32"
echo "== A/B default (level 1) / X_RS=0 (time left: $(left) s)" >> "$L"
ab_timed 70 5 "new=$B copy=$B@CUTLASS_CONVT3D_SM90_X_RS=0" "mission k2s2 unet-64-32 video-64-32" \
  "f32 ncdhw tf32,f32 ncdhw exact"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
