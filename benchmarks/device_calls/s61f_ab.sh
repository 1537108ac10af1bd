#!/usr/bin/env bash
# v139 alone on carried binaries (carry [".ab/bin/35fad97.xz", ".ab/bin/4ae8656.xz"], benchmarks/results moved aside;
# no build; prepared at stop 61, whose device time ran out before it): 4ae8656 = 35fad97 + v139 (every forward
# instance's descriptors made once a pair) + v140 (off) without v138, against 35fad97, digests compared; and v140
# (X_MN=1) on k2s2.  Build both first: bash benchmarks/ab_build.sh 35fad97 4ae8656
#   Log: $OUT/s61f.txt.   Usage: BASE=.ab/bin/35fad97.xz NEW=.ab/bin/4ae8656.xz BUDGET_S=100 bash benchmarks/device_calls/s61f_ab.sh
BIN=$NEW
. benchmarks/device_ab_lib.sh s61f.txt 100
echo "== A/B 35fad97 / v139 (+ v140 off, on) (time left: $(left) s)" >> "$L"
ab_timed 90 2 "base=$BASE new=$NEW xmn=$NEW@CUTLASS_CONVT3D_SM90_X_MN=1" "mission k2s2 odd-32-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
