#!/usr/bin/env bash
# (A record of what ran at stop 43: v103's knobs were removed after it, NOTES v103.)
# Stop 43's second device call (~4 minutes): why v103's L1 path did not pay.  With the default pipeline depth (4) two
# CTAs of ~97-110 KB leave L1 almost no room, so the repeats of the taps' gathers cannot hit there; at depth 2 they
# can.  convt3d_bench (vnet-128-64 forward and grad_input, channels_last, fp32 and bf16) for (KORDER, L1, stages) =
# (0,0,auto) (1,1,auto) (0,0,2) (1,1,2) (0,0,3) (1,1,3), two rounds; then ncu of the forward's phase-GEMM kernel (fp32)
# for four of them: time, L2 bytes and throughput, L1 hit rate, DRAM bytes, SM throughput; then the knobs' test.
# Usage: BUDGET_S=400 bash benchmarks/device_calls/s43b_check.sh   (logs in $OUT/s43b.txt)
. benchmarks/device_check_lib.sh s43b.txt 400
cd /tmp
cfgs="0,0,0 1,1,0 0,0,2 1,1,2 0,0,3 1,1,3"
echo "== convt3d_bench vnet-128-64 cl (ms: forward, grad_input, grad_weight; time left: $(left) s)" >> "$L"
for round in 1 2; do for d in f32 bf16; do for c in $cfgs; do
  IFS=, read -r k l s <<< "$c"
  echo "round $round dtype $d KORDER=$k L1=$l stages=$s" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM_KORDER=$k CUTLASS_CONVT3D_PHASEGEMM_L1=$l timeout 60 "$B" --case vnet-128-64 --layout cl \
    --dtype $d --stages $s --reps 10 2>&1 | grep -v "^case\|^device" >> "$L"
done; done; done
M="gpu__time_duration.sum,lts__t_bytes.sum,lts__throughput.avg.pct_of_peak_sustained_elapsed"
M="$M,l1tex__t_sector_hit_rate.pct,dram__bytes_read.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed"
M="$M,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_elapsed,smsp__inst_executed.sum"
for c in 0,0,0 1,1,0 0,0,2 1,1,2; do
  IFS=, read -r k l s <<< "$c"
  [ $(left) -gt 40 ] || break
  echo "== ncu forward phase-GEMM fp32 cl KORDER=$k L1=$l stages=$s" >> "$L"
  CUTLASS_CONVT3D_PHASEGEMM_KORDER=$k CUTLASS_CONVT3D_PHASEGEMM_L1=$l timeout 60 ncu --clock-control none \
    -k regex:"phasegemm_kernel" -c 1 --metrics "$M" --csv "$B" --case vnet-128-64 --layout cl --stages $s --reps 1 2>&1 | \
    grep -E '^"' | awk -F'","' '{ print $(NF-2), $(NF-1), $NF }' | tr -d '"' >> "$L"
done
cd "$R"
echo "== pytest -k k_order_and_l1 (time left: $(left) s)" >> "$L"
timeout 100 pytest -q tests -p no:cacheprovider -k "k_order_and_l1 or environment_knob" 2>&1 | \
  grep -E "^E  |FAILED|passed|failed" | tail -12 >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
