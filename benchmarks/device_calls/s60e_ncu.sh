#!/usr/bin/env bash
# Stop 60, the fifth call (carry [".ab/bin"]: BIN=.ab/bin/5e4abf2.xz, v135's convt3d_bench): s60d's probe writes the
# mission's bf16 y in the whole-row tiles' pattern at 2.55 TB/s (0.205 ms), where the bf16 whole-row forward kernel
# takes 390 us (1.32 TB/s); fp32 0.430 against 507 us.  What holds the kernel: ncu's full set on one launch of each
# (warp states, pipes, memory), CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 (the default since stop 60).
#   Log: $OUT/s60e.txt.  Usage: BIN=.ab/bin/5e4abf2.xz BUDGET_S=150 bash benchmarks/device_calls/s60e_ncu.sh
. benchmarks/device_ab_lib.sh s60e.txt 150
export CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1
for dt in bf16 f32; do
  echo "== mission $dt ncdhw: the whole-row forward kernel, ncu --set full (time left: $(left) s)" >> "$L"
  timeout $(cap 70 5) ncu --set full -k regex:hopper_rowconv -s 1 -c 1 "$B" --case mission --dtype $dt --layout ncdhw \
    --math tf32 --reps 1 2>&1 | grep -v "^==PROF==" | sed -e 's/  */ /g' | tail -220 >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
