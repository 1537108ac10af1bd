#!/usr/bin/env bash
# Stop 59, no build (carry [".ab/bin"]: BIN=.ab/bin/<sha>.xz, a convt3d_bench with v135, and .ab/bin/ywp, the
# write-pattern probe built off the GPU): v135 (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1, whole-row tiles for an NCDHW y)
# against the default on the shapes whose rows pass 128 outputs (fp32 TF32, bf16, fp16 NCDHW; outputs' bits compared),
# then against float64; the probe at W 255 and 256 (sector-aligned rows: run length or partial sectors?).
# Log: $OUT/s59b.txt.   Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=150 bash benchmarks/device_calls/s59b_ab.sh
. benchmarks/device_ab_lib.sh s59b.txt 150
echo "== A/B v135 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN rows=$BIN@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1" DIGEST=1 \
  CASES="mission k3s2op1 odd-32-32" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/ab \
  timeout $(cap 75 45) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== v135 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="rows=$BIN@CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1" CHECK=1 CASES="mission k3s2op1" \
  CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/chk timeout $(cap 30 20) bash benchmarks/ab_compare.sh 2>&1 | \
  grep "check" >> "$L"
echo "== y write-pattern probe, rows of 255 and 256 (time left: $(left) s)" >> "$L"
for w in 255 256; do [ -x .ab/bin/ywp ] && timeout $(cap 10 2) .ab/bin/ywp 3 $w >> "$L" 2>&1; done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
