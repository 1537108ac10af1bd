#!/usr/bin/env bash
# Stop 55, the cheap call (carry [".ab/bin"]; no build on the GPU machine): a convt3d_bench built off the GPU
# (benchmarks/ab_build.sh <sha> -> .ab/bin/<sha>.xz).  1. v127 on the mission (L2 eviction priorities, fewer forward
# chunks; DIGEST: the same bits as the default); 2. the never-run v124 halo boxes and v125 / v126 in-place grad_weight
# GEMM against the stop 53 defaults on vnet-128-64, outputs checked against float64; 3. ncu of the mission forward
# (DRAM bytes both ways) at the default and at L2HINT=1, time permitting.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=330 bash benchmarks/device_calls/s55b_ab.sh   (log: $OUT/s55b.txt)
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/s55b.txt
t0=$(date +%s)
left() { echo $(( ${BUDGET_S:-330} - ($(date +%s) - t0) )); }
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv > "$L"
echo "binary: $BIN" >> "$L"
mkdir -p /tmp/b55 && xz -dkc "$BIN" > /tmp/b55/convt3d_bench && chmod +x /tmp/b55/convt3d_bench
B=/tmp/b55/convt3d_bench
echo "== A/B mission: v127 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN l2h1=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=1 l2h2=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=2 \
l2h3=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=3 ch2=$BIN@CUTLASS_CONVT3D_SM90_FWD_CHUNKS=2 \
w1=$BIN@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=1 w3=$BIN@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=3" \
  DIGEST=1 CASES="mission" CFGS="f32 ncdhw tf32,f32 cl tf32" OUT=$OUT/m \
  timeout $(( $(left) < 140 ? $(left) - 10 : 130 )) bash benchmarks/ab_compare.sh > "$OUT/ab_mission.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_mission.txt" >> "$L"
echo "== A/B vnet-128-64: halo, in-place grad_weight (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN halo=$BIN@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 wcl=$BIN@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" \
  CHECK=1 CASES="vnet-128-64" CFGS="f32 cl tf32,bf16 cl tf32,f32 ncdhw tf32" OUT=$OUT/v \
  timeout $(( $(left) < 120 ? $(left) - 10 : 110 )) bash benchmarks/ab_compare.sh > "$OUT/ab_vnet.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_vnet.txt" >> "$L"
for v in 0 1; do for lay in ncdhw cl; do
  echo "== ncu mission forward f32 $lay L2HINT=$v (time left: $(left) s)" >> "$L"
  [ $(left) -gt 35 ] && CUTLASS_CONVT3D_SM90_L2HINT=$v timeout 30 ncu --clock-control none -k regex:hopper_rowconv -c 1 \
    --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct \
    "$B" --case mission --reps 1 --layout $lay 2>&1 | grep -E "Duration|Throughput|dram__|lts__" >> "$L"
done; done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
