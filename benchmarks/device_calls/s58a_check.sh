#!/usr/bin/env bash
# Stop 58, the first call (carry [".whl"]): v133 (CUTLASS_CONVT3D_SM90_X_NCDHW=1 / 2: the Hopper forward reads an fp32
# TF32 or 16-bit NCDHW x in place, its producer warps transposing each pair's boxes; built and host-checked at stop 57, never
# run): build, its tests (test_hopper_forward's -xin modes, the non-finite -xin modes; then every Hopper forward test),
# the A/B against the copy on every fp32 NCDHW Hopper-forward shape with the outputs' bits compared (DIGEST: the same
# TF32 operands, so the same sums) and checked against float64, ncu of the mission forward's kernels both ways, and
# bench.py's mission with the knob; the y write-pattern probe (ywrite_pattern_probe.cu); v134's tests and A/B
# (CUTLASS_CONVT3D_TAPGEMM_PHASE=2 on the k2s2 levels, times only: other sums).  Logs: $OUT/s58a.txt (+ ab tables, the bench JSON).
# Usage: COMMIT=<sha> BUDGET_S=590 bash benchmarks/device_calls/s58a_check.sh
. benchmarks/device_check_lib.sh s58a.txt 590
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 100 "xin or x_ncdhw or tapgemm_phase"
log_pytest 80 "hopper_forward or l2_hints or is_taken_on_sm90"
echo "== A/B v133 (time left: $(left) s)" >> "$L"
VARIANTS="new=$B xin1=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=1 xin2=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=2" DIGEST=1 \
  CASES="mission odd-32-32 k3s2op1 k2s2 k3s1 vnet-128-64 video-64-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/ab \
  timeout $(( $(left) > 300 ? 130 : $(left) / 3 )) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== v133 level 2 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="xin2=$B@CUTLASS_CONVT3D_SM90_X_NCDHW=2" CHECK=1 CASES="mission odd-32-32 vnet-128-64" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/chk timeout 45 bash benchmarks/ab_compare.sh 2>&1 | grep "check" >> "$L"
echo "== ncu, mission forward, copy / in place (time left: $(left) s)" >> "$L"
for v in 0 1; do
  CUTLASS_CONVT3D_SM90_X_NCDHW=$v timeout 20 ncu --csv --cache-control none --clock-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed \
    -k regex:"hopper|to_channels_last" --launch-skip 8 -c 8 "$B" --case mission --reps 3 2>&1 | \
    python3 benchmarks/ncu_brief.py >> "$L"
done
echo "== A/B v134, k2s2 forwards through the TMA phase-GEMM (time left: $(left) s)" >> "$L"
VARIANTS="new=$B ph2=$B@CUTLASS_CONVT3D_TAPGEMM_PHASE=2" CASES="unet-256-128 unet-128-64 k2s2" \
  CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT/ab134 \
  timeout $(( $(left) > 150 ? 70 : $(left) / 3 )) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== y write-pattern probe (time left: $(left) s)" >> "$L"
nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 benchmarks/ywrite_pattern_probe.cu -o /tmp/ywp >> "$L" 2>&1 && \
  for nwg in 3 4; do timeout 30 /tmp/ywp $nwg >> "$L" 2>&1; done
export CUTLASS_CONVT3D_SM90_X_NCDHW=2  # (level 2: the bf16 mission in place too, whatever its config)
log_bench s58a-mission-xin 5 --cases mission --modes fp32-tf32,bf16
unset CUTLASS_CONVT3D_SM90_X_NCDHW
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
