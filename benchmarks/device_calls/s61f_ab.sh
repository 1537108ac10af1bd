#!/usr/bin/env bash
# Stop 61, the last device seconds (carry [".ab/bin/35fad97.xz", ".ab/bin/<HEAD>.xz"], benchmarks/results moved aside;
# no build): v139 alone (HEAD: v138 reverted; v140 off) against 35fad97, digests compared; v140 (X_MN=1) on k2s2.
#   Log: $OUT/s61f.txt.   Usage: BASE=.ab/bin/35fad97.xz NEW=.ab/bin/<HEAD>.xz BUDGET_S=100 bash benchmarks/device_calls/s61f_ab.sh
BIN=$NEW
. benchmarks/device_ab_lib.sh s61f.txt 100
echo "== A/B 35fad97 / v139 (+ v140 off, on) (time left: $(left) s)" >> "$L"
ab_timed 90 2 "base=$BASE new=$NEW xmn=$NEW@CUTLASS_CONVT3D_SM90_X_MN=1" "mission k2s2 odd-32-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
