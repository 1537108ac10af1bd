#!/usr/bin/env bash
# Stop 62's first call (carry [".whl"]): HEAD built by pip (v141 and v142 on 75d13c9, both under
# CUTLASS_CONVT3D_SM90_X_RS=1, off by default; the default instances' SASS is 75d13c9's, which is 35fad97's), then
#   0. smoke runs first, each under a short timeout: the C++ benchmark's --check (float64, NaN-poisoned y) with
#      X_RS=1 on the fp32 mission (whole rows), k2s2 (64-position tiles) and the exact mission (v142); a hang or an
#      illegal instruction there costs seconds and skips v141's / v142's steps below rather than the whole call;
#   1. v141's and v142's tests (-k x_rs);
#   2. A/B in one binary: HEAD against HEAD with X_RS=1, fp32 TF32 NCDHW (the mission and odd-32-32 in whole rows,
#      k2s2 and k3s2op1, whose fp32 rows lie on 16 bytes, in 64-position tiles), digests compared; then exact
#      (v142: the mission, k2s2);
#   3. float64 checks of the X_RS=1 runs;
#   4. the unrun tests of stop 61: v136 (b) (non-finite 16-bit x), v137 (whole rows, WGMMA_PIPE), v140 (x_mn);
#   5. ncu of the mission with and without v141, in what time is left.
#   Log: $OUT/s62a.txt.   Usage: BUDGET_S=480 bash benchmarks/device_calls/s62a_check.sh
. benchmarks/device_check_lib.sh s62a.txt 480
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
smoke() {  # smoke LABEL ARGS...: X_RS=1 convt3d_bench --check within 40 s; 0 if it passed
  local label=$1 rc
  shift
  echo "== smoke $label: X_RS=1 convt3d_bench $* --reps 3 --check (time left: $(left) s)" >> "$L"
  CUTLASS_CONVT3D_SM90_X_RS=1 timeout 40 "$B" "$@" --reps 3 --check >> "$L" 2>&1
  rc=$?
  echo "(rc $rc)" >> "$L"
  return $rc
}
rs=1 ex=1
smoke v141-rows --case mission --dtype f32 --layout ncdhw --math tf32 || rs=0
smoke v141-bq64 --case k2s2 --dtype f32 --layout ncdhw --math tf32 || rs=0
smoke v142 --case mission --dtype f32 --layout ncdhw --math exact || ex=0
if [ $rs = 1 ] || [ $ex = 1 ]; then log_pytest 80 "x_rs"; fi
if [ $rs = 1 ]; then
  echo "== A/B v141: HEAD / HEAD with CUTLASS_CONVT3D_SM90_X_RS=1 (time left: $(left) s)" >> "$L"
  ab_timed 60 170 "new=$B xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission odd-32-32 k2s2 k3s2op1" "f32 ncdhw tf32"
fi
if [ $ex = 1 ]; then
  echo "== A/B v142 (exact, split in registers) (time left: $(left) s)" >> "$L"
  ab_timed 30 120 "new=$B xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission k2s2" "f32 ncdhw exact"
fi
echo "== float64 checks (time left: $(left) s)" >> "$L"
[ $rs = 1 ] && ab_check 20 100 "xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission odd-32-32 k2s2 k3s2op1" "f32 ncdhw tf32"
[ $ex = 1 ] && ab_check 15 90 "xrs=$B@CUTLASS_CONVT3D_SM90_X_RS=1" "mission k2s2" "f32 ncdhw exact"
log_pytest 80 "x_mn or whole_rows or nonfinite_x"
# ncu of the mission forward with v141 against the copy (durations, DRAM bytes, SM / memory throughput), if time is left
for xrs in 0 1; do
  [ $rs = 1 ] && [ "$(left)" -gt 30 ] || break
  echo "== ncu mission fp32 NCDHW, CUTLASS_CONVT3D_SM90_X_RS=$xrs (time left: $(left) s)" >> "$L"
  CUTLASS_CONVT3D_SM90_X_RS=$xrs ncu_kernels $(cap 25 5) --case mission --dtype f32 --layout ncdhw --math tf32 --reps 2 >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
