#!/usr/bin/env bash
# The phase-GEMM's GPU check and A/B (benchmarks/NOTES.md v99), one device call (~6 minutes on an H100):
#   1. build and install (CUTLASS headers from a carried .whl/nvidia_cutlass-*.whl where offline),
#   2. its tests (pytest -k phasegemm: float64 references, NaN-poisoned outputs, the other kernels, bits run to run),
#   3. convt3d_bench with CUTLASS_CONVT3D_PHASEGEMM 0 / 1 in one binary on the decoder levels it targets (vnet-128-64,
#      video-64-32; NCDHW and channels_last, fp32 TF32 and bf16) and the k3 s2 shapes (forced on: W 128),
#   4. bench.py on those decoder levels with CUTLASS_CONVT3D_PHASEGEMM=3 (ours against PyTorch, JSON + chart),
#   5. the whole suite with =3 in what is left of BUDGET_S.
# Usage: bash benchmarks/device_calls/phasegemm_check.sh   (logs in $OUT, default ./device_out)
. benchmarks/device_check_lib.sh phasegemm.txt 560
echo "== pytest -k phasegemm" >> "$L"
timeout 200 pytest -q tests -k phasegemm -p no:cacheprovider 2>&1 | tail -25 >> "$L"
cd /tmp
echo "== convt3d_bench, CUTLASS_CONVT3D_PHASEGEMM 0 / 1 (ms: forward, grad_input, grad_weight)" >> "$L"
for c in vnet-128-64 video-64-32; do for lay in ncdhw cl; do for d in f32 bf16; do for t in 0 1; do
  echo "case $c layout $lay dtype $d PHASEGEMM=$t" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM=$t timeout 60 "$B" --case $c --layout $lay --dtype $d --reps 10 2>&1 | grep -v "^case" >> "$L"
done; done; done; done
for c in mission k3s2op1; do for t in 0 1; do
  echo "case $c layout ncdhw dtype f32 PHASEGEMM=$t" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM=$t timeout 60 "$B" --case $c --reps 10 2>&1 | grep -v "^case" >> "$L"
done; done
cd "$R"
CUTLASS_CONVT3D_PHASEGEMM=3 timeout 150 python3 benchmarks/bench.py --decoders --cases vnet-128-64,video-64-32 \
  --modes fp32-tf32,fp32-tf32-cl,bf16 --reps 10 --out "$OUT/phasegemm-decoders.json" 2>&1 | tr '\r' '\n' | \
  grep -v "^bench:" > "$OUT/phasegemm-bench.txt"
left=$(left)
echo "== pytest tests -m 'not large' with CUTLASS_CONVT3D_PHASEGEMM=3 (time left: $left s)" >> "$L"
[ $left -gt 60 ] && CUTLASS_CONVT3D_PHASEGEMM=3 timeout $left pytest -q tests -p no:cacheprovider -m "not large" 2>&1 | tail -15 >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
