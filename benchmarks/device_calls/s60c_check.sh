#!/usr/bin/env bash
# Stop 60, the third call (carry [".whl"]): after s60b (the suite at the new defaults: 2 failures, v133's test
# expecting its landing buffers at a forced 2 x 2 they do not fit), the mended tests (x_ncdhw, whole_rows with its
# default check, tapgemm_phase with its default check); bench.py's decoder cases at the defaults (v134 / v135 change
# them; s60b ran the shapes); then where the mission's forward + backward time goes, kernel by kernel (ncu, no
# cache flush, boost clocks: s58b's, never run), fp32 TF32 NCDHW / channels_last, bf16, exact.
#   Logs: $OUT/s60c.txt (+ the bench JSON / PNG).
# Usage: BUDGET_S=400 bash benchmarks/device_calls/s60c_check.sh
. benchmarks/device_check_lib.sh s60c.txt 400
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 60 "x_ncdhw or whole_rows or tapgemm_phase"
log_bench s60c-decoders 130 --cases unet-256-128,unet-128-64,unet-64-32,vnet-128-64,video-64-32,odd-32-32
for spec in "f32 ncdhw tf32" "f32 cl tf32" "bf16 ncdhw tf32" "f32 ncdhw exact"; do
  set -- $spec
  echo "== mission $spec: the C++ benchmark's forward, grad_input, grad_weight (time left: $(left) s)" >> "$L"
  [ "$(left)" -gt 15 ] || break
  ncu_kernels $(( $(left) > 40 ? 30 : $(left) - 8 )) --case mission --dtype $1 --layout $2 --math $3 --reps 2 >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
