#!/usr/bin/env bash
# Stop 63's first call (carry [".whl"]): HEAD built by pip, then
#   1. the whole "not large" suite: level 1 of CUTLASS_CONVT3D_SM90_X_RS by default (0cedcd8) and the tests around it
#      (5a19348) have run on the CPUs only;
#   2. A/B in one binary, the default (level 1) against X_RS=0 (the copy everywhere), TF32 and exact, over the shapes
#      stop 62 measured, digests compared: level 1 must take exactly the winners;
#   3. float64 checks of the default on the shapes where level 1 takes v141 / v142;
#   4. v144 (WGMMA_PIPE=1 on v141, its tests ran in the suite): A/B against v141 unpipelined and the default, at
#      64-position tiles and whole rows;
#   5. why ncu printed nothing in s62a: its version and one bare run's first lines.
#   Log: $OUT/s63a.txt.   Usage: BUDGET_S=560 bash benchmarks/device_calls/s63a_suite.sh
. benchmarks/device_check_lib.sh s63a.txt 560
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 250
echo "== A/B v144: default / v141 (X_RS=2) at 64 positions (WHOLE_ROWS=0) and whole rows, each without and with \
WGMMA_PIPE=1 (time left: $(left) s)" >> "$L"
RS="$B@CUTLASS_CONVT3D_SM90_X_RS=2"
ab_timed 150 120 "new=$B rs64=$RS@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=0 pipe64=$RS@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=0@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1 \
rsrows=$RS piperows=$RS@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1" "mission k2s2 k3s2op1 unet-64-32 odd-32-32" "f32 ncdhw tf32"
echo "== A/B default (level 1) / X_RS=0 (time left: $(left) s)" >> "$L"
ab_timed 80 60 "new=$B copy=$B@CUTLASS_CONVT3D_SM90_X_RS=0" \
  "mission k2s2 k3s2op1 unet-64-32 unet-128-64 video-64-32" "f32 ncdhw tf32,f32 ncdhw exact"
echo "== float64 checks of the default (time left: $(left) s)" >> "$L"
ab_check 20 40 "new=$B" "k2s2 unet-64-32" "f32 ncdhw tf32,f32 ncdhw exact"
echo "== ncu probe (time left: $(left) s)" >> "$L"
{ command -v ncu; timeout 10 ncu --version; timeout 30 ncu --metrics gpu__time_duration.sum -c 3 "$B" --case k2s2 \
    --dtype f32 --layout ncdhw --math tf32 --reps 1 2>&1 | head -30; } >> "$L" 2>&1
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
