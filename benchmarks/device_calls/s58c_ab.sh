#!/usr/bin/env bash
# Stop 58, the lean alternative to s58a where device time is short (carry [".ab/bin"]; BIN=.ab/bin/7060088.xz, built
# at stop 57's end with v133; no build on the machine): v133 at levels 1 and 2 against the copy, fp32 and bf16 NCDHW,
# every Hopper-forward shape, the outputs' bits compared (DIGEST), level 2's checked against float64 (CHECK); then ncu
# of the mission forward's kernels both ways (durations, DRAM bytes).  The CUDA tests of v133 need s58a's build.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=200 bash benchmarks/device_calls/s58c_ab.sh   (log: $OUT/s58c.txt)
. benchmarks/device_ab_lib.sh s58c.txt 200
echo "== A/B v133 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN xin1=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=1 xin2=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=2" DIGEST=1 \
  CASES="mission odd-32-32 k3s2op1 k2s2 k3s1 vnet-128-64 video-64-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" \
  OUT=$OUT/ab timeout $(cap 130 60) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== v133 level 2 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="xin2=$BIN@CUTLASS_CONVT3D_SM90_X_NCDHW=2" CHECK=1 CASES="mission odd-32-32 vnet-128-64" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/chk timeout $(cap 45 25) bash benchmarks/ab_compare.sh 2>&1 | \
  grep "check" >> "$L"
echo "== ncu, mission forward, copy / in place (time left: $(left) s)" >> "$L"
for v in 0 1; do
  CUTLASS_CONVT3D_SM90_X_NCDHW=$v timeout $(cap 12 3) ncu --csv --cache-control none --clock-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum -k regex:"hopper|to_channels_last" \
    --launch-skip 8 -c 8 "$B" --case mission --reps 3 2>&1 | python3 benchmarks/ncu_brief.py >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
