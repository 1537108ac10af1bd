#!/usr/bin/env bash
# Stop 43's fourth device call (~5 minutes): v104's knob 2 (CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=2: a channels_last
# fp32 source restaged TF32-rounded too, its copy traded for the wgmma instance's rounding pass) against 1 (the
# default: only NCDHW / misaligned sources are copied, and rounded): convt3d_bench vnet-128-64 channels_last fp32 (two
# rounds, digests), then the phase-GEMM forward / grad_input tests under 2 (numerics), then bench.py vnet at 1 and 2.
# Usage: BUDGET_S=330 bash benchmarks/device_calls/s43d_check.sh   (logs in $OUT/s43d.txt)
. benchmarks/device_check_lib.sh s43d.txt 330
echo "== convt3d_bench vnet-128-64 cl fp32, ROUNDED_COPY 1 / 2 (ms: forward, grad_input, grad_weight)" >> "$L"
cd /tmp
for round in 1 2; do for rc in 1 2; do
  echo "round $round ROUNDED_COPY=$rc" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=$rc timeout 60 "$B" --case vnet-128-64 --layout cl --reps 20 \
    $([ $round = 1 ] && echo --digest) 2>&1 | grep -v "^case\|^device" >> "$L"
done; done
cd "$R"
echo "== pytest phase-GEMM forward / grad_input under ROUNDED_COPY=2 (time left: $(left) s)" >> "$L"
CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=2 timeout 120 pytest -q tests/test_cuda.py -p no:cacheprovider \
  -k "test_phasegemm_forward or test_phasegemm_grad_input or rounded_copy" 2>&1 | grep -E "^E  |FAILED|passed|failed" | tail -12 >> "$L"
for rc in 1 2; do
  echo "== bench.py vnet-128-64 fp32-tf32-cl, ROUNDED_COPY=$rc (time left: $(left) s)" >> "$L"
  [ $(left) -gt 30 ] && CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=$rc timeout 60 python3 benchmarks/bench.py --reps 10 \
    --cases vnet-128-64 --modes fp32-tf32-cl,fp32-tf32 --out "$OUT/s43d-rc$rc.json" 2>&1 | tr '\r' '\n' | grep "vnet" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
