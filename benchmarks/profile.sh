#!/usr/bin/env bash
# Nsight Compute profile of the mission-shape kernels (forward, grad_input, grad_weight) through the C++
# benchmark.  Usage: bash benchmarks/profile.sh [extra convt3d_bench args]; report in $OUT/ncu.txt.
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
BENCH=$(python3 -c "import site, glob; print((glob.glob(site.getsitepackages()[0] + '/cutlass_convt3d/bin/convt3d_bench') + [''])[0])")
[ -x "$BENCH" ] || { echo "convt3d_bench not installed"; exit 1; }
# KERNELS: a regex over demangled names, e.g. 'rowconv_kernel<ct3d::PolicyTF32, 1' (grad_input) or 'wgrad_kernel'
ncu --clock-control none --target-processes all --kernel-name-base demangled -k regex:"${KERNELS:-rowconv_kernel|wgrad_kernel}" -c ${NCU_COUNT:-3} \
  --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats \
  --section SchedulerStats --section InstructionStats --section MemoryWorkloadAnalysis --section SourceCounters \
  --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\\.ratio" \
  "$BENCH" --case mission --reps 1 "$@" > "$OUT/ncu.txt" 2>&1
grep -E "rowconv_kernel|wgrad_kernel|stalled|Duration|Registers Per|Achieved Occupancy|Issued Warp Per|Stall|Executed Instructions  |L2 Hit|DRAM Throughput|Memory Throughput|Theoretical Occ|Dynamic Shared" "$OUT/ncu.txt" | head -120
# SOURCE=1: also save the report and a per-SASS-instruction CSV (executed instructions, stall samples per
# line, with -lineinfo's CUDA source lines) of the first profiled kernel, to attribute the instruction mix.
if [ "${SOURCE:-0}" = 1 ]; then
  ncu --clock-control none --target-processes all --kernel-name-base demangled -k regex:"${KERNELS:-rowconv_kernel}" -c 1 \
    --section SourceCounters --section InstructionStats --import-source yes -f -o "$OUT/src" \
    "$BENCH" --case mission --reps 1 "$@" > /dev/null 2>&1
  ncu -i "$OUT/src.ncu-rep" --page source --csv --print-source cuda,sass > "$OUT/src_sass.csv" 2>&1
  wc -l "$OUT/src_sass.csv"
fi
