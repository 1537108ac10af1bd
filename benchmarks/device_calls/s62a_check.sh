#!/usr/bin/env bash
# Stop 62's first call (carry [".whl"]): HEAD built by pip (v141 on 75d13c9, off by default; the default instances'
# SASS is 75d13c9's, which is 35fad97's), then
#   1. v141's tests alone first (an illegal instruction or a hang would break the CUDA context for whatever follows):
#      -k x_rs (the register-A instance against the copy, its non-finite path);
#   2. A/B in one binary: HEAD against HEAD with CUTLASS_CONVT3D_SM90_X_RS=1 (fp32 TF32 NCDHW: the mission and
#      odd-32-32 in whole rows, k2s2 and k3s2op1, whose fp32 rows lie on 16 bytes, in 64-position tiles; then the latter
#      two at WHOLE_ROWS=2), digests compared;
#   3. v142's A/B (the exact forward, split in registers) and float64 checks of the v141 / v142 runs;
#   4. the unrun tests of stops 61 and 62: v136 (b) (non-finite 16-bit x), v137 (whole rows, WGMMA_PIPE), v140 (x_mn);
#   5. ncu of the mission forward with and without v141, in what time is left.
#   Log: $OUT/s62a.txt.   Usage: BUDGET_S=480 bash benchmarks/device_calls/s62a_check.sh
. benchmarks/device_check_lib.sh s62a.txt 480
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 70 "x_rs"
echo "== A/B v141: HEAD / HEAD with CUTLASS_CONVT3D_SM90_X_RS=1 (time left: $(left) s)" >> "$L"
ab_timed 60 150 "new=$B xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission odd-32-32 k2s2 k3s2op1" "f32 ncdhw tf32"
echo "== A/B v141 at WHOLE_ROWS=2 (fp32 rows on 16 bytes) (time left: $(left) s)" >> "$L"
ab_timed 40 110 "wr2=$B@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=2 xrs2=$B@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=2@CUTLASS_CONVT3D_SM90_X_RS=1" \
  "k2s2 k3s2op1" "f32 ncdhw tf32"
echo "== A/B v142 (exact, split in registers) (time left: $(left) s)" >> "$L"
ab_timed 30 100 "new=$B xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission k2s2" "f32 ncdhw exact"
echo "== float64 checks (time left: $(left) s)" >> "$L"
ab_check 25 85 "xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission odd-32-32 k2s2" "f32 ncdhw tf32,f32 ncdhw exact"
log_pytest 80 "x_mn or whole_rows or nonfinite_x"
# ncu of the mission forward with v141 against the copy (durations, DRAM bytes, SM / memory throughput), if time is left
for xrs in 0 1; do
  [ "$(left)" -gt 30 ] || break
  echo "== ncu mission fp32 NCDHW, CUTLASS_CONVT3D_SM90_X_RS=$xrs (time left: $(left) s)" >> "$L"
  CUTLASS_CONVT3D_SM90_X_RS=$xrs ncu_kernels $(cap 25 5) --case mission --dtype f32 --layout ncdhw --math tf32 --reps 2 >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
