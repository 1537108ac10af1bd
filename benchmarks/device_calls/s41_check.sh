#!/usr/bin/env bash
# Stop 41's second device call (~6 minutes): v101 (grad_weight on the tap-GEMM at any kernel) and v92 (NSJ8) now on by
# default: build, the whole suite, convt3d_bench at the defaults (--check against float64) on the decoder levels, then
# bench.py over every case and mode (JSON + chart), each in what is left of BUDGET_S.
# Usage: BUDGET_S=420 bash benchmarks/device_calls/s41_check.sh   (logs in $OUT/s41.txt, default ./device_out)
# Knobs for later calls of the same steps (s42b_check.sh): S41_LOG (the log's name, the JSON's after it), S41_K (a -k
# expression instead of the whole suite), S41_BENCH (convt3d_bench argument sets, ';'-separated), S41_CASES (bench.py)
. benchmarks/device_check_lib.sh "${S41_LOG:-s41.txt}" 420
json="$OUT/$(basename "${S41_LOG:-s41.txt}" .txt)-all.json"
echo "== pytest tests -m 'not large' (defaults; time left: $(left) s)" >> "$L"
timeout $(( $(left) - 150 < 200 ? $(left) - 150 : 200 )) pytest -q tests -p no:cacheprovider -m "not large" \
  ${S41_K:+-k "$S41_K"} 2>&1 | grep -E "^E  |FAILED|ERROR|passed|failed" | tail -40 >> "$L"
echo "== convt3d_bench at the defaults, --check (ms: forward, grad_input, grad_weight)" >> "$L"
IFS=';' read -ra sets <<< "${S41_BENCH:-vnet-128-64;vnet-128-64 --dtype bf16;vnet-128-64 --layout cl --dtype bf16}"
for c in "${sets[@]}"; do
  echo "case $c" >> "$L"
  (cd /tmp && timeout 60 "$B" --case $c --reps 10 --check 2>&1 | grep -v "^case\|^device") >> "$L"
done
echo "== bench.py, the mission and decoder cases, every mode (time left: $(left) s)" >> "$L"
[ $(left) -gt 40 ] && timeout $(( $(left) - 10 )) python3 benchmarks/bench.py --reps 10 \
  --cases ${S41_CASES:-mission,vnet-128-64,unet-128-64,unet-256-128,video-64-32,k3s2p1op1,k2s2p0} \
  --out "$json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
