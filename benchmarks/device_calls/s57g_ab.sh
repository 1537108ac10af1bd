#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; OLD=.ab/bin/a651bd0.xz (37ce616's kernels and plans),
# NEW=.ab/bin/<sha>.xz with v131 / v132's plan rules and the odd-32-32 case): the rules as defaults against the old
# binary's defaults, and inside the new binary against their knobs (CFG=43: the search's pick; VEC16=0), same bits
# (DIGEST); then the new binary's outputs on odd-32-32 against float64 (CHECK).
# Usage: OLD=... NEW=... BUDGET_S=300 bash benchmarks/device_calls/s57g_ab.sh   (log: $OUT/s57g.txt)
BIN=$NEW . benchmarks/device_ab_lib.sh s57g.txt 300
K=CUTLASS_CONVT3D_SM90
echo "== 1. fp32 NCDHW (time left: $(left) s)" >> "$L"
VARIANTS="old=$OLD new=$NEW n43=$NEW@${K}_CFG=43 nv0=$NEW@${K}_VEC16=0" DIGEST=1 \
  CASES="mission odd-32-32 k3s2op1 k2s2" CFGS="f32 ncdhw tf32" OUT=$OUT/a \
  timeout $(cap 100 170) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 2. 16-bit NCDHW and fp32 channels_last (time left: $(left) s)" >> "$L"
VARIANTS="old=$OLD new=$NEW" DIGEST=1 CASES="mission odd-32-32 k3s2op1 k2s2 k3s1 vnet-128-64 video-64-32" \
  CFGS="bf16 ncdhw tf32,f16 ncdhw tf32,f32 cl tf32" OUT=$OUT/b \
  timeout $(cap 120 40) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 3. odd-32-32 against float64 (time left: $(left) s)" >> "$L"
VARIANTS="new=$NEW" CHECK=1 CASES="odd-32-32 mission" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/c \
  timeout $(cap 60 3) bash benchmarks/ab_compare.sh 2>&1 | grep "check" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
