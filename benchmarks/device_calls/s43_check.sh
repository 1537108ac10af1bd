#!/usr/bin/env bash
# (A record of what ran at stop 43: v103's knobs were removed after it, NOTES v103.)
# Stop 43's device call (~6 minutes on an H100): v103, the phase-GEMM's K order and L1 path
# (CUTLASS_CONVT3D_PHASEGEMM_KORDER / _L1, both 1 by default):
#   1. build and install, 2. the phase-GEMM / tap-GEMM tests at the defaults and the knobs' test,
#   3. convt3d_bench, one binary, knobs (KORDER, L1) = 00 10 01 11, two rounds interleaved, on vnet-128-64 (both
#      layouts, fp32 and bf16; the Hopper instance) and on the sm_80 instance (CUTLASS_CONVT3D_TAPGEMM_SM90=0),
#   4. bench.py on the decoder levels, 5. the whole suite in what is left of BUDGET_S.
# Usage: BUDGET_S=560 bash benchmarks/device_calls/s43_check.sh   (logs in $OUT/s43.txt, default ./device_out)
. benchmarks/device_check_lib.sh s43.txt 560
log_pytest 150 "phasegemm or sm90_instance"
echo "== convt3d_bench, KORDER/L1 (ms: forward, grad_input, grad_weight; time left: $(left) s)" >> "$L"
cd /tmp
for round in 1 2; do
  for cfg in "vnet-128-64 --layout ncdhw --dtype f32" "vnet-128-64 --layout cl --dtype f32" \
             "vnet-128-64 --layout ncdhw --dtype bf16" "vnet-128-64 --layout cl --dtype bf16" "SM80 vnet-128-64 --layout cl --dtype f32"; do
    for kl in 00 10 01 11; do
      sm=1; c=$cfg; [ "${cfg%% *}" = SM80 ] && sm=0 && c=${cfg#SM80 }
      echo "round $round $c SM90=$sm KORDER=${kl:0:1} L1=${kl:1:1}" >> "$L"
      CUTLASS_CONVT3D_TAPGEMM_SM90=$sm CUTLASS_CONVT3D_PHASEGEMM_KORDER=${kl:0:1} CUTLASS_CONVT3D_PHASEGEMM_L1=${kl:1:1} \
        timeout 60 "$B" --case $c --reps 10 2>&1 | grep -v "^case\|^device" >> "$L"
    done
  done
done
cd "$R"
echo "== bench.py, the decoder levels (time left: $(left) s)" >> "$L"
timeout 120 python3 benchmarks/bench.py --reps 10 --cases ${S43_CASES:-vnet-128-64,unet-128-64} \
  --modes fp32-tf32,fp32-tf32-cl,bf16 --out "$OUT/s43-decoders.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
[ $(left) -gt 100 ] && log_pytest 600
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
