#!/usr/bin/env bash
# Where the mission's NCDHW forward loses to its channels_last twin (issue 3; NOTES "stop 40 probe"), one device call:
#   1. build and install (benchmarks/device_run.sh build),
#   2. Nsight Compute of the mission forward in both layouts: per kernel (x's restaging copy, the Hopper forward,
#      its fixup) the duration, DRAM and L2 bytes, SM throughput and instructions,
#   3. the tap-GEMM against the Hopper forward on a channels_last x at W 32 (unet-128-64; v97's rule), one binary,
#   4. the whole suite (defaults) in what is left of BUDGET_S.
# Usage: bash benchmarks/device_calls/mission_bytes.sh   (logs in $OUT/probe.txt, default ./device_out; NCU_DTYPES="f32" to
# profile fewer dtypes, SKIP_BUILD=1 after another script's build on the same machine)
. benchmarks/device_check_lib.sh probe.txt 560
cd /tmp
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum"
M="$M,sm__throughput.avg.pct_of_peak_sustained_elapsed,smsp__inst_executed.sum"
for lay in ncdhw cl; do for d in ${NCU_DTYPES:-f32 bf16}; do
  echo "== ncu mission forward layout $lay dtype $d" >> "$L"
  # the forward runs first in convt3d_bench: its kernels are the first launches after the weight pack
  timeout 90 ncu --clock-control none --kernel-name-base demangled \
    -k regex:"hopper_rowconv_kernel|to_channels_last_kernel|hopper_fixup|rowconv_kernel" -c 3 --metrics "$M" --csv \
    "$B" --case mission --layout $lay --dtype $d --reps 1 2>&1 | grep -E '^"' | tee -a "$OUT/ncu.csv" | \
    awk -F'","' '{ n = $5; sub(/<.*/, "", n); print n, $(NF-2), $(NF-1), $NF }' | tr -d '"' >> "$L"
done; done
echo "== convt3d_bench unet-128-64 channels_last, CUTLASS_CONVT3D_TAPGEMM 0 / 1 (ms: forward, grad_input, grad_weight)" >> "$L"
for d in f32 bf16; do for r in 1 2; do for t in 0 1; do
  echo "dtype $d TAPGEMM=$t round $r" >> "$L"
  CUTLASS_CONVT3D_TAPGEMM=$t timeout 60 "$B" --case unet-128-64 --layout cl --dtype $d --reps 20 2>&1 | grep -v "^case" >> "$L"
done; done; done
cd "$R"
left=$(left)
echo "== pytest tests -m 'not large' (time left: $left s)" >> "$L"
[ $left -gt 60 ] && timeout $left pytest -q tests -p no:cacheprovider -m "not large" 2>&1 | tail -15 >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
