#!/usr/bin/env bash
# Stop 65's first call (written at stop 64, no GPU lent then), without a build: carry [".ab/bin/c5ad132.xz"] (the C++
# benchmark of v146, built off the GPU by benchmarks/ab_build.sh; 31 MB + the 8.2 MB tree, within the 64 MiB carry).
# v146, the fused 16-bit backward (CUTLASS_CONVT3D_SM90_FUSED_BWD=1): convt3d_bench's "fused backward" line gives its
# time against grad_input + grad_weight of the same binary, its unwritten outputs (NaN-poisoned) and, with --check,
# both gradients against the library's float64; --digest twice shows run-to-run bits.  The knob off: no fused line.
#   Log: $OUT/s65a.txt.   Usage: BIN=.ab/bin/c5ad132.xz BUDGET_S=120 bash benchmarks/device_calls/s65a_fused.sh
. benchmarks/device_ab_lib.sh s65a.txt 120
run() { timeout "$(cap "$1" "$2")" "${@:3}" >> "$L" 2>&1; echo "  rc $?" >> "$L"; }
echo "== v146 checked against float64 (time left: $(left) s)" >> "$L"
for dt in bf16 f16; do
  run 40 60 env CUTLASS_CONVT3D_SM90_FUSED_BWD=1 "$B" --dtype "$dt" --case mission --check --digest --reps 3
done
echo "== v146 timed: bf16 / fp16 mission, k3s2op1, k2s2, odd-32-32 (time left: $(left) s)" >> "$L"
for c in mission k3s2op1 k2s2 odd-32-32; do
  for dt in bf16 f16; do run 15 10 env CUTLASS_CONVT3D_SM90_FUSED_BWD=1 "$B" --dtype "$dt" --case "$c" --digest --reps 20; done
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
