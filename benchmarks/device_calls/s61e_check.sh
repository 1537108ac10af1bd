#!/usr/bin/env bash
# Stop 61, the last call (carry [".whl", ".ab/bin/35fad97.xz"], benchmarks/results moved aside): HEAD built by pip
# (v140 on 35fad97, off by default; v138 reverted and v139 backed out of the default instances after s61d), then
#   1. A/B: 35fad97's carried convt3d_bench against the installed one (a null check: the default forward's SASS is
#      35fad97's; digests: the same bits expected; v139 alone is s61f_ab.sh's);
#   2. A/B: HEAD against HEAD with v140's CUTLASS_CONVT3D_SM90_X_MN=1 (16-bit, one window offset: k2s2, unet-64-32);
#   3. the tests of this stop's and the last stop's unrun pieces: v136 (b) (non-finite 16-bit x), v137 (whole rows,
#      WGMMA_PIPE), v140 (x_mn), in what time is left.
#   Log: $OUT/s61e.txt.   Usage: BUDGET_S=300 bash benchmarks/device_calls/s61e_check.sh
. benchmarks/device_check_lib.sh s61e.txt 300
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
echo "== A/B 35fad97 / HEAD (null check) (time left: $(left) s)" >> "$L"
ab_timed 60 115 "base=.ab/bin/35fad97.xz new=$B" "mission k3s2op1 k2s2 odd-32-32" \
  "f32 ncdhw tf32,bf16 ncdhw tf32,f16 ncdhw tf32,f32 cl tf32"
echo "== A/B v140: HEAD / HEAD with CUTLASS_CONVT3D_SM90_X_MN=1 (time left: $(left) s)" >> "$L"
ab_timed 25 90 "new=$B xmn=$B@CUTLASS_CONVT3D_SM90_X_MN=1" "k2s2 unet-64-32" "bf16 ncdhw tf32,f16 ncdhw tf32"
log_pytest 85 "x_mn or whole_rows or nonfinite_x"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
