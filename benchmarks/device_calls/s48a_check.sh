#!/usr/bin/env bash
# Stop 48 (carry [".whl"]): the grad_weight GEMM's next steps, one binary with knobs.  v116-next: the grad_y copy as a
# loop over its variants (stop 47's call 3: 16 predicated variants, issue-bound, 146 us fp32 / 353 us bf16 on
# vnet-128-64) and 16-bit k-blocks of 64 bytes on rows of at most 32 positions past a multiple of 64
# (CUTLASS_CONVT3D_SM90_WGEMM_RB).  v117: channels_last x copied NCDHW and a channels_last grad_y copied by (row x 32 co)
# tiles, so channels_last problems take the GEMM too.  v118: with both gradients, the GEMM's tile copy writes
# grad_input's channels_last grad_y (CUTLASS_CONVT3D_SM90_WGEMM_FUSE).
#   1. build and install; 2. the tests (SIZE=full: the whole suite; short / shortest: the GEMM's and its neighbours');
#   3. A/B, two rounds, outputs against float64: fp32 NCDHW and channels_last, CUTLASS_CONVT3D_SM90_WGEMM=0 / default /
#   TILES=1 (NCDHW grad_y by tiles too); bf16 NCDHW =0 / =2 (64-byte rows) / =2 with 128-byte rows (not at shortest);
#   vnet-128-64, and unet-128-64 at full; 4. bench.py fp32 vnet-128-64 with FUSE 0 and 1 (not at shortest); 5. ncu of
#   the copies and the kernel, vnet fp32 channels_last (full only).
# Usage: SIZE=full|short|shortest COMMIT=<sha> BUDGET_S=450|300|190 bash benchmarks/device_calls/s48a_check.sh
#   (~8 / ~5 / ~3 minutes; logs in $OUT/s48a.txt)
SIZE=${SIZE:-full}
case $SIZE in
  full) budget=450 tests=150 k="" cases="vnet-128-64 unet-128-64" t32=80 t16=50 ;;
  short) budget=300 tests=90 k="wgemm or grad_input_weight or wgen or tapgemm_grad_weight or phasegemm_grad_weight"
    cases="vnet-128-64" t32=45 t16=25 ;;
  *) budget=190 tests=65 k="wgemm" cases="vnet-128-64" t32=0 t16=0 ;;
esac
. benchmarks/device_check_lib.sh s48a.txt $budget
log_pytest $tests "$k"
ab() {  # $1 label, $2 variants, $3 configurations, $4 seconds (0: what is left)
  local s=$4
  [ "$s" = 0 ] && s=$(( $(left) - 3 ))
  echo "== A/B $1 (time left: $(left) s)" >> "$L"
  VARIANTS="$2" CHECK=1 CASES="$cases" CFGS="$3" OUT=$OUT timeout $s bash benchmarks/ab_compare.sh > "$OUT/ab_$1.txt" 2>&1
  grep -v "^WARNING" "$OUT/ab_$1.txt" >> "$L"
}
ab f32 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B tiles=$B@CUTLASS_CONVT3D_SM90_WGEMM_TILES=1" "f32 ncdhw tf32,f32 cl tf32" $t32
if [ "$SIZE" != shortest ]; then
  ab bf16 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2 \
all128=$B@CUTLASS_CONVT3D_SM90_WGEMM=2@CUTLASS_CONVT3D_SM90_WGEMM_RB=128" "bf16 ncdhw tf32" $t16
  for fuse in 0 1; do  # v118: forward + backward with the fused copy and without, bench.py in one process each
    CUTLASS_CONVT3D_SM90_WGEMM_FUSE=$fuse log_bench s48a-fuse$fuse $(( fuse == 0 ? 70 : 30 )) --cases vnet-128-64 \
      --modes fp32-tf32
  done
fi
if [ "$SIZE" = full ]; then
  echo "== ncu, vnet f32 cl (time left: $(left) s)" >> "$L"
  [ $(left) -gt 30 ] && CUTLASS_CONVT3D_SM90_WGEMM=2 timeout 25 ncu --clock-control none \
    -k regex:"hopper_wgemm_kernel|wgemm_variant_copy|wgemm_x_ncdhw" -c 3 --section SpeedOfLight \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum "$B" --case vnet-128-64 --reps 1 --dtype f32 --layout cl 2>&1 | \
    grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
fi
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
