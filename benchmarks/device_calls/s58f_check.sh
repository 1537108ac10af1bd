#!/usr/bin/env bash
# Stop 58, v134's correctness after s58e timed it (carry [".whl", ".ab/bin"]): the carried binary's float64 check of
# CUTLASS_CONVT3D_TAPGEMM_PHASE=2 on the U-Net levels and k2s2 (fp32 / bf16, both layouts) and k2s2's time, then a pip
# build and v134's CUDA tests (test_tapgemm_phase_forward).  Log: $OUT/s58f.txt.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=230 bash benchmarks/device_calls/s58f_check.sh
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/s58f.txt
t0=$(date +%s)
left() { echo $(( ${BUDGET_S:-230} - ($(date +%s) - t0) )); }
mkdir -p /tmp/ct3d_bin && xz -dkc "$BIN" > /tmp/ct3d_bin/convt3d_bench && chmod +x /tmp/ct3d_bin/convt3d_bench
echo "== v134 level 2 against float64 (time left: $(left) s)" > "$L"
VARIANTS="ph2=$BIN@CUTLASS_CONVT3D_TAPGEMM_PHASE=2" CHECK=1 CASES="unet-256-128 unet-128-64 k2s2" \
  CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT/chk134 timeout 50 bash benchmarks/ab_compare.sh 2>&1 | \
  grep "check\|k2s2 " >> "$L"
echo "== build (time left: $(left) s)" >> "$L"
bash benchmarks/device_run.sh build > "$OUT/build.txt" 2>&1 || { tail -20 "$OUT/build.txt" >> "$L"; exit 0; }
echo "== pytest -k tapgemm_phase (time left: $(left) s)" >> "$L"
timeout $(( $(left) - 5 )) pytest -q tests -p no:cacheprovider -k tapgemm_phase 2>&1 | \
  grep -E "^E  |FAILED|ERROR|passed|failed" | tail -30 >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
