#!/usr/bin/env bash
# Stop 42's second device call (~7 minutes on an H100): v101's masked grad_weight (column blocks of one tap, x masked
# where the tap's output lies outside grad_y) and v102 at the defaults: build, the whole suite, convt3d_bench --check
# on vnet-128-64, then bench.py over the mission and decoder cases in every mode (JSON + chart), in what is left of
# BUDGET_S.  Usage: BUDGET_S=480 bash benchmarks/s42b_check.sh   (logs in $OUT/s42b.txt, default ./device_out)
. benchmarks/device_check_lib.sh s42b.txt 480
echo "== pytest tests -m 'not large' (defaults; time left: $(left) s)" >> "$L"
timeout 200 pytest -q tests -p no:cacheprovider -m "not large" 2>&1 | grep -E "^E  |FAILED|ERROR|passed|failed" | \
  tail -40 >> "$L"
echo "== convt3d_bench at the defaults, --check (ms: forward, grad_input, grad_weight)" >> "$L"
for c in "vnet-128-64" "vnet-128-64 --dtype bf16" "vnet-128-64 --layout cl"; do
  echo "case $c" >> "$L"
  (cd /tmp && timeout 60 "$B" --case $c --reps 10 --check 2>&1 | grep -v "^case\|^device") >> "$L"
done
echo "== bench.py, the mission and decoder cases, every mode (time left: $(left) s)" >> "$L"
[ $(left) -gt 40 ] && timeout $(( $(left) - 10 )) python3 benchmarks/bench.py --reps 10 \
  --cases ${S42_CASES:-mission,vnet-128-64,unet-256-128,unet-128-64} \
  --out "$OUT/s42b-all.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
