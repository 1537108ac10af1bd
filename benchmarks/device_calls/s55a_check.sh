#!/usr/bin/env bash
# Stop 55 (carry [".whl"]): s54a's checks (the stop 53 defaults, v124 halo boxes, v125 / v126 in-place grad_weight
# GEMM; none run on a GPU yet) with the whole suite before bench.py, then an ncu look at the mission forward (fp32
# NCDHW / channels_last, bf16): where its 0.84 / 0.61 / 0.49 ms go (DRAM bytes both ways, L2, stall reasons); and
# v127's A/B on the mission (L2 eviction priorities, fewer forward chunks; same bits expected: DIGEST).
#   Logs: $OUT/s55a.txt (+ logs.tgz).
# Usage: COMMIT=<sha> BUDGET_S=570 bash benchmarks/device_calls/s55a_check.sh
. benchmarks/device_check_lib.sh s55a.txt 570
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
log_pytest 100 "tma_phasegemm or hopper_wgemm or l2_hints"
echo "== A/B (time left: $(left) s)" >> "$L"
VARIANTS="old=$B@CUTLASS_CONVT3D_SM90_PGEMM_WG=2@CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=0 new=$B \
halo=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1 halo2=$B@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1@CUTLASS_CONVT3D_SM90_PGEMM_WG=2 \
wcl=$B@CUTLASS_CONVT3D_SM90_WGEMM_CL=1" \
  CHECK=1 CASES="vnet-128-64 video-64-32" CFGS="f32 cl tf32,f32 ncdhw tf32,bf16 cl tf32,bf16 ncdhw tf32" OUT=$OUT \
  timeout 120 bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_table.txt" | grep -v "check vs float64.* ok$" | grep -v "^== round\|^vnet\|^video" >> "$L"
echo "== A/B mission: v127 L2 hints and fewer forward chunks (time left: $(left) s)" >> "$L"
VARIANTS="new=$B l2h1=$B@CUTLASS_CONVT3D_SM90_L2HINT=1 l2h2=$B@CUTLASS_CONVT3D_SM90_L2HINT=2 \
l2h3=$B@CUTLASS_CONVT3D_SM90_L2HINT=3 ch2=$B@CUTLASS_CONVT3D_SM90_FWD_CHUNKS=2 \
w1=$B@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=1 w3=$B@CUTLASS_CONVT3D_SM90_WGRAD_L2HINT=3" \
  DIGEST=1 CASES="mission" CFGS="f32 ncdhw tf32,f32 cl tf32" OUT=$OUT/m \
  timeout 140 bash benchmarks/ab_compare.sh > "$OUT/ab_mission.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_mission.txt" | grep -v "^== round\|^mission" >> "$L"
log_pytest 100
for cfg in "f32 ncdhw" "f32 cl" "bf16 ncdhw"; do
  set -- $cfg
  echo "== ncu mission forward $1 $2 (time left: $(left) s)" >> "$L"
  [ $(left) -gt 60 ] && timeout 45 ncu --clock-control none -c 3 --section SpeedOfLight --section WarpStateStats \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_srcunit_tex_op_write.sum,smsp__inst_executed.sum,lts__t_sector_hit_rate.pct \
    "$B" --case mission --reps 1 --dtype $1 --layout $2 2>&1 | \
    grep -E "^  [a-z_ ]*[a-z_]+<|^  void|Duration|Throughput|dram__|lts__|inst_executed|Stall|Warp Cycles" >> "$L"
done
echo "== ncu source counters, mission forward f32 ncdhw (time left: $(left) s)" >> "$L"
if [ $(left) -gt 70 ]; then
  timeout 50 ncu --clock-control none -k regex:hopper_rowconv -c 1 --section SourceCounters --section WarpStateStats \
    --import-source yes -f -o "$OUT/src" "$B" --case mission --reps 1 > /dev/null 2>&1
  timeout 15 ncu -i "$OUT/src.ncu-rep" --page source --csv --print-source cuda,sass > "$OUT/src_sass.csv" 2>&1
  ls -la "$OUT"/src* >> "$L" 2>&1
fi
log_bench s55a-decoders 10 --cases vnet-128-64,video-64-32 --modes fp32-tf32,fp32-tf32-cl,bf16
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s55a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s55a.txt -delete)
exit 0
