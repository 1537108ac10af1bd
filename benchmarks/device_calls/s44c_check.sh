#!/usr/bin/env bash
# Stop 44's third device call (~8 minutes on an H100; carry [".whl", ".ab/bin/96e3a87.xz", ".ab/bin/bdd77ce.xz"]):
#   1. build and install this tree;
#   2. one machine, two rounds, digests: stop 43's end (96e3a87, ab_build.sh) at its defaults and with v105 on, this
#      tree's bench built the same way off the GPU (bdd77ce: v105 on, v106) and this tree's pip-installed bench: call 2
#      compared the pip-installed bench with ab_build.sh binaries and read vnet-128-64's NCDHW fp32 forward 7% slower,
#      while stop 43's pip-installed bench had read that case 5% above the same source's ab_build.sh binary -- so
#      whether the build (this machine's nvcc, the pip build's architectures) or v106 costs it;
#   3. the whole suite; 4. bench.py's mission rows (every mode, ours vs PyTorch).
# Usage: BUDGET_S=540 bash benchmarks/device_calls/s44c_check.sh   (logs in $OUT/s44c.txt, the A/B table in $OUT/ab_table.txt)
. benchmarks/device_check_lib.sh s44c.txt 540
nvcc --version | tail -2 >> "$L"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="s43=.ab/bin/96e3a87.xz ov=.ab/bin/96e3a87.xz@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1 new=.ab/bin/bdd77ce.xz pip=$B" \
  DIGEST=1 CASES="vnet-128-64 unet-128-64" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32" \
  OUT=$OUT timeout 150 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
log_pytest 220
echo "== bench.py mission (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout $(( $(left) - 10 )) python3 benchmarks/bench.py --quick --reps 10 \
  --out "$OUT/s44-mission.json" 2>&1 | tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
