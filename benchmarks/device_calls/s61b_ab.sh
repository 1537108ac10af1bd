#!/usr/bin/env bash
# Stop 61 (carry [".ab/bin"]; no build): v138 against HEAD on carried binaries.  v138 (s61c_v138.patch) = v136 (a)'s
# straight-line row-vector stores + s61c_li.patch (the lane index `lane & (LPR - 1)`, non-negative, so the vector loop
# has no dead last turn: SASS of the whole-row instances, stop 60, store region 363 -> 254 lines bf16, 209 -> 162 fp32).
# v136 (a) alone executed that dead turn's loads and conversions unconditionally, the likely reason it lost on aligned
# 16-bit rows and the fp32 mission (NOTES, stop 60).  Build the binaries first, off the GPU:
#   git switch -c v138 && git apply benchmarks/device_calls/s61c_v138.patch && git commit -qam v138 &&
#   bash benchmarks/ab_build.sh main v138     (and s61c_li.patch alone likewise, as a third variant if it fits)
# Built at stop 60 and left in .ab/bin (ignored by git; kept on this machine): b2f9a69.xz (main) and a001f61.xz (main +
# s61c_v138.patch, a local commit).  The two binaries and the tree pass the 64 MiB a call carries unless
# benchmarks/results is moved aside for the call (mv benchmarks/results /tmp/r; mkdir benchmarks/results; ... then back).
#   Log: $OUT/s61b.txt.   Usage: BASE=.ab/bin/b2f9a69.xz NEW=.ab/bin/a001f61.xz BUDGET_S=150 bash benchmarks/device_calls/s61b_ab.sh
BIN=$NEW
. benchmarks/device_ab_lib.sh s61b.txt 150
echo "== A/B v138 (time left: $(left) s)" >> "$L"
ab_timed 100 30 "base=$BASE v138=$NEW" "mission k3s2op1 k2s2 odd-32-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f16 ncdhw tf32,f32 cl tf32"
echo "== v138 against float64 (time left: $(left) s)" >> "$L"
ab_check 30 2 "v138=$NEW" "mission k3s2op1" "f32 ncdhw tf32,bf16 ncdhw tf32"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
