#!/usr/bin/env bash
# Stop 43's last device call (~7 minutes on an H100): v104 as landed -- ROUNDED_COPY default 2 (a channels_last fp32
# source copied TF32-rounded too where each element is staged >= 16 times: the kernel-3 forward) and the fused
# backward's shared grad_y copy TF32-rounded (Arguments::y_tf32_rounded):
#   1. build, 2. the tests these touch, 3. convt3d_bench vnet-128-64 fp32 NCDHW / channels_last at ROUNDED_COPY 1 and
#   2 (digests), 4. bench.py vnet-128-64 fp32 (forward + backward: the fused path), 5. the tests of the paths these
#   reach beyond the phase-GEMM's (fp32 autograd, non-finite inputs, TF32 rounding), in what is left.
# Usage: BUDGET_S=340 bash benchmarks/device_calls/s43e_check.sh   (logs in $OUT/s43e.txt)
. benchmarks/device_check_lib.sh s43e.txt 340
log_pytest 120 "phasegemm or sm90_instance or environment_knob"
echo "== convt3d_bench vnet-128-64 fp32, ROUNDED_COPY 1 / 2 (ms: forward, grad_input, grad_weight; time left: $(left) s)" >> "$L"
cd /tmp
for lay in ncdhw cl; do for rc in 1 2; do
  echo "layout $lay ROUNDED_COPY=$rc" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=$rc timeout 60 "$B" --case vnet-128-64 --layout $lay --reps 20 --digest 2>&1 | \
    grep -v "^case\|^device" >> "$L"
done; done
cd "$R"
echo "== bench.py vnet-128-64 fp32 (time left: $(left) s)" >> "$L"
timeout 60 python3 benchmarks/bench.py --reps 10 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl \
  --out "$OUT/s43-vnet-end.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
log_pytest 600 "nonfinite or tf32 or autograd or module or grad_input_weight or shares"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
