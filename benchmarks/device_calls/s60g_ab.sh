#!/usr/bin/env bash
# Stop 60, no build (carry [".ab/bin"]: .ab/bin/24cda9c.xz, the defaults with v134 / v135 on, and .ab/bin/ba6d1e2.xz,
# v136: the forward's row-vector stores straight-line, the 16-bit forward's per-tile check skipped where x's copy
# reports no non-finite value): the A/B on the NCDHW forwards that store by row vectors (fp32 TF32 rows off 16 bytes,
# bf16, fp16; outputs' bits compared), channels_last fp32 as a control (its kernel unchanged), then v136 against
# float64.  Log: $OUT/s60g.txt.   Usage: BUDGET_S=150 bash benchmarks/device_calls/s60g_ab.sh
BIN=.ab/bin/ba6d1e2.xz
. benchmarks/device_ab_lib.sh s60g.txt 150
echo "== A/B v136 (time left: $(left) s)" >> "$L"
ab_timed 100 30 "base=.ab/bin/24cda9c.xz v136=.ab/bin/ba6d1e2.xz" "mission k3s2op1 k2s2 odd-32-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f16 ncdhw tf32,f32 cl tf32"
echo "== v136 against float64 (time left: $(left) s)" >> "$L"
ab_check 30 2 "v136=.ab/bin/ba6d1e2.xz" "mission k3s2op1" "f32 ncdhw tf32,bf16 ncdhw tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
