#!/usr/bin/env bash
# Stop 56 (carry [".ab/bin"]; no build on the GPU machine): a convt3d_bench built off the GPU (benchmarks/ab_build.sh
# <sha> -> .ab/bin/<sha>.xz).  In order of what each answer decides:
#   1. v127 / v128 on the mission (L2 eviction priorities, the forward's chunk cap; DIGEST: the same bits as the default);
#   2. v129 (exact fp32 grad_input on the Hopper kernel in tap passes, CUTLASS_CONVT3D_SM90_EXACT_DGRAD=1; ring 2 / 4)
#      against the sm_80 row-conv on mission / k3s2op1 / k3s1, outputs checked against float64 (CHECK);
#   3. the never-run v124 halo boxes and v125 / v126 in-place grad_weight GEMM on vnet-128-64, checked likewise;
#   4. ncu of the mission forward (DRAM bytes both ways) at L2HINT 0 and 1, time permitting.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=480 bash benchmarks/device_calls/s56a_ab.sh   (log: $OUT/s56a.txt)
. benchmarks/device_ab_lib.sh s56a.txt 480
echo "== 1. A/B mission: v127 / v128 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN l2h1=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=1 l2h2=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=2 \
l2h3=$BIN@CUTLASS_CONVT3D_SM90_L2HINT=3 ch2=$BIN@CUTLASS_CONVT3D_SM90_FWD_CHUNKS=2 \
w1=$BIN@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=1 w3=$BIN@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=3" \
  DIGEST=1 CASES="mission" CFGS="f32 ncdhw tf32,f32 cl tf32" OUT=$OUT/m \
  timeout $(cap 130 280) bash benchmarks/ab_compare.sh > "$OUT/ab_mission.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_mission.txt" >> "$L"
echo "== 2. A/B exact: v129 grad_input (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN exd=$BIN@CUTLASS_CONVT3D_SM90_EXACT_DGRAD=1 \
exd4=$BIN@CUTLASS_CONVT3D_SM90_EXACT_DGRAD=1@CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING=4" \
  CHECK=1 CASES="mission k3s2op1 k3s1" CFGS="f32 ncdhw exact,f32 cl exact" OUT=$OUT/x \
  timeout $(cap 150 150) bash benchmarks/ab_compare.sh > "$OUT/ab_exact.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_exact.txt" >> "$L"
echo "== 3. A/B vnet-128-64: halo, in-place grad_weight (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN halo=$BIN@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 wcl=$BIN@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" \
  CHECK=1 CASES="vnet-128-64" CFGS="f32 cl tf32,bf16 cl tf32,f32 ncdhw tf32" OUT=$OUT/v \
  timeout $(cap 100 40) bash benchmarks/ab_compare.sh > "$OUT/ab_vnet.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_vnet.txt" >> "$L"
for v in 0 1; do for lay in ncdhw cl; do
  echo "== 4. ncu mission forward f32 $lay L2HINT=$v (time left: $(left) s)" >> "$L"
  [ $(left) -gt 35 ] && CUTLASS_CONVT3D_SM90_L2HINT=$v timeout 30 ncu --clock-control none -k regex:hopper_rowconv -c 1 \
    --section SpeedOfLight --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct \
    "$B" --case mission --reps 1 --layout $lay 2>&1 | grep -E "Duration|Throughput|dram__|lts__" >> "$L"
done; done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
