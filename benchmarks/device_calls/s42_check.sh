#!/usr/bin/env bash
# Stop 42's device call (~9 minutes on an H100): v102, the tap-GEMM's and phase-GEMM's wgmma instance
# (CUTLASS_CONVT3D_TAPGEMM_SM90, on by default on compute capability 9.0):
#   1. build and install, 2. its tests and the tap-GEMM / phase-GEMM tests at the defaults (which now run it),
#   3. convt3d_bench with CUTLASS_CONVT3D_TAPGEMM_SM90 0 / 1 in one binary on the decoder levels (ms: forward,
#      grad_input, grad_weight), 4. bench.py on those levels (ours against PyTorch, JSON + chart),
#   5. the whole suite in what is left of BUDGET_S.
# Usage: BUDGET_S=540 bash benchmarks/device_calls/s42_check.sh   (logs in $OUT/s42.txt, default ./device_out)
. benchmarks/device_check_lib.sh s42.txt 540
echo "== pytest -k 'sm90_instance or tapgemm or phasegemm' (time left: $(left) s)" >> "$L"
timeout 150 pytest -q tests -p no:cacheprovider -m "not large" -k "sm90_instance or tapgemm or phasegemm" 2>&1 | \
  grep -E "FAILED|ERROR|passed|failed|Error" | tail -30 >> "$L"
echo "== convt3d_bench, CUTLASS_CONVT3D_TAPGEMM_SM90 0 / 1 (ms: forward, grad_input, grad_weight; time left: $(left) s)" >> "$L"
cd /tmp
for c in vnet-128-64 unet-256-128 unet-128-64; do for lay in ncdhw cl; do for d in f32 bf16; do for t in 0 1; do
  echo "case $c layout $lay dtype $d SM90=$t" >> "$L"
  CUTLASS_CONVT3D_TAPGEMM_SM90=$t timeout 60 "$B" --case $c --layout $lay --dtype $d --reps 10 2>&1 | \
    grep -v "^case\|^device" >> "$L"
done; done; done; done
cd "$R"
echo "== bench.py, the decoder levels (time left: $(left) s)" >> "$L"
timeout 150 python3 benchmarks/bench.py --reps 10 --cases ${S42_CASES:-vnet-128-64,unet-256-128,unet-128-64,unet-64-32} \
  --modes fp32-tf32,fp32-tf32-cl,bf16 --out "$OUT/s42-decoders.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "== pytest tests -m 'not large' (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout $(( $(left) - 10 )) pytest -q tests -p no:cacheprovider -m "not large" 2>&1 | \
  grep -E "FAILED|ERROR|passed|failed" | tail -30 >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
