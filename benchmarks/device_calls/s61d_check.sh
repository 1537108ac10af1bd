#!/usr/bin/env bash
# Stop 61, one call for the stop (carry [".whl", ".ab/bin/35fad97.xz"], benchmarks/results moved aside): HEAD built by
# pip (v138 + v139 + v140 on 35fad97); then
#   1. A/B: 35fad97's carried convt3d_bench against the installed one, each with v137's
#      CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1 and without (digests: the same bits expected everywhere);
#      v138: the whole-row forward's straight-line row-vector stores without the dead unrolled turn;
#      v139: the forward's wgmma descriptors made once a pair (SASS mainloop bf16 67 -> 46 lines a pair, TF32 129 -> 89);
#   2. A/B: HEAD against HEAD with v140's CUTLASS_CONVT3D_SM90_X_MN=1 (16-bit NCDHW x in place as MN-major B);
#   3. HEAD's outputs against float64 (mission, k3s2op1, k2s2; fp32 and bf16; the knobs off and on);
#   4. the whole suite (v136 (b)'s, v137's and v140's tests have not run on a GPU yet);
#   5. bench.py --quick (the mission's modes: the issue tables), in what time is left.
#   Logs: $OUT/s61d.txt (+ the bench JSON / PNG).   Usage: BUDGET_S=500 bash benchmarks/device_calls/s61d_check.sh
. benchmarks/device_check_lib.sh s61d.txt 500
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
P=@CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1
echo "== A/B 35fad97 / HEAD (v138 + v139), v137 off / on (time left: $(left) s)" >> "$L"
ab_timed 100 285 "base=.ab/bin/35fad97.xz pipe=.ab/bin/35fad97.xz$P new=$B newpipe=$B$P" \
  "mission k3s2op1 k2s2 odd-32-32" "f32 ncdhw tf32,bf16 ncdhw tf32,f16 ncdhw tf32,f32 cl tf32"
echo "== A/B v140: HEAD / HEAD with CUTLASS_CONVT3D_SM90_X_MN=1 (time left: $(left) s)" >> "$L"
ab_timed 40 240 "new=$B xmn=$B@CUTLASS_CONVT3D_SM90_X_MN=1" "mission k3s2op1 k2s2 odd-32-32" \
  "bf16 ncdhw tf32,f16 ncdhw tf32"
echo "== against float64 (time left: $(left) s)" >> "$L"
ab_check 25 210 "new=$B newpipe=$B$P xmn=$B@CUTLASS_CONVT3D_SM90_X_MN=1" "mission k3s2op1 k2s2" \
  "f32 ncdhw tf32,bf16 ncdhw tf32"
log_pytest 200
log_bench s61d-bench 3 --quick
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
