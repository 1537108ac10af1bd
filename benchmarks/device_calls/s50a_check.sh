#!/usr/bin/env bash
# Stop 50, call 1 (carry [".whl", ".ab/bin/ab176a7.xz"]; branch exp/v120-pgemm = main + v115c TF32-only + v120):
#   in order of need, each within what is left: 1. build and install; 2. A/B in this binary,
#   CUTLASS_CONVT3D_SM90_PGEMM=0 against the default (v120), vnet-128-64, outputs against float64; 3. the new tests
#   (test_hopper_tma_phasegemm*, stop 49's gy_cl_sliced); 4. ncu of v120's kernel, vnet fp32 channels_last;
#   5. bench.py vnet-128-64; 6. the whole suite; 7. A/B, main's binary (ab176a7) against this tree, fp32 TF32 NCDHW forward
#   cases of the Hopper forward (v115c's staging: same bits, digests).
#   Logs: $OUT/s50a.txt and $OUT/logs.tgz (a call brings back at most 8 files).
# Usage: MAIN_XZ=.ab/bin/ab176a7.xz COMMIT=<sha> BUDGET_S=520 bash benchmarks/device_calls/s50a_check.sh
. benchmarks/device_check_lib.sh s50a.txt 520
echo "== A/B v120 (time left: $(left) s)" >> "$L"
VARIANTS="off=$B@CUTLASS_CONVT3D_SM90_PGEMM=0 on=$B" CHECK=1 CASES="vnet-128-64" \
  CFGS="f32 ncdhw tf32,f32 cl tf32,bf16 ncdhw tf32,bf16 cl tf32" OUT=$OUT timeout 80 \
  bash benchmarks/ab_compare.sh > "$OUT/ab_v120.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_v120.txt" | grep -v "check vs float64.* ok$" >> "$L"
log_pytest 60 "tma_phasegemm or gy_cl_sliced"
echo "== ncu, vnet f32 cl (time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout 30 ncu --clock-control none -k regex:"hopper_tma_phasegemm" -c 1 \
  --section SpeedOfLight --section Occupancy --metrics dram__bytes_read.sum,dram__bytes_write.sum,smsp__inst_executed.sum \
  "$B" --case vnet-128-64 --reps 1 --dtype f32 --layout cl 2>&1 | \
  grep -E "hopper_tma|Duration|Throughput|dram__|inst_executed|Achieved Occ|Registers" >> "$L"
log_bench s50a-vnet 160 --cases vnet-128-64 --modes fp32-tf32,fp32-tf32-cl,bf16
log_pytest 150
echo "== A/B v115c (time left: $(left) s)" >> "$L"
[ $(left) -gt 75 ] && VARIANTS="main=${MAIN_XZ:?main binary} v115c=$B" DIGEST=1 CASES="mission k3s2op1 k2s2 video-64-32" \
  CFGS="f32 ncdhw tf32" OUT=$OUT timeout 70 bash benchmarks/ab_compare.sh > "$OUT/ab_v115c.txt" 2>&1
grep -v "^WARNING" "$OUT/ab_v115c.txt" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
(cd "$OUT" && tar czf /tmp/logs.tgz --exclude=s50a.txt . ; mv /tmp/logs.tgz . ; find . -type f ! -name logs.tgz ! -name s50a.txt -delete)
exit 0
