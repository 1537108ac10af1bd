#!/usr/bin/env bash
# Stop 48, first call (~8 minutes on an H100 or H200; carry [".whl"]): the grad_weight GEMM's next steps, one binary
# with knobs.  v116-next: the grad_y copy as a loop over its variants (stop 47's call 3: 16 predicated variants,
# issue-bound, 146 us fp32 / 353 us bf16 on vnet-128-64) and 16-bit k-blocks of 64 bytes on rows of at most 32
# positions past a multiple of 64 (CUTLASS_CONVT3D_SM90_WGEMM_RB).  v117: channels_last x copied NCDHW and a
# channels_last grad_y copied by (row x 32 co) tiles, so channels_last problems take the GEMM too.
#   1. build and install; 2. the whole suite; 3. A/B fp32 (NCDHW, channels_last): CUTLASS_CONVT3D_SM90_WGEMM=0
#   against the default and against NCDHW grad_y copied by tiles too (CUTLASS_CONVT3D_SM90_WGEMM_TILES=1); bf16 NCDHW: =0 against =2 with 64-byte rows and with 128-byte ones; vnet-128-64
#   and unet-128-64, two rounds, outputs against float64; 4. v118 (both gradients: the GEMM's tile copy writes
#   grad_input's channels_last grad_y): bench.py fp32 vnet-128-64 with CUTLASS_CONVT3D_SM90_WGEMM_FUSE
#   0 and 1; 5. ncu of the copies and the kernel (vnet fp32 channels_last).
# Usage: COMMIT=<sha> BUDGET_S=450 bash benchmarks/device_calls/s48a_check.sh   (logs in $OUT/s48a.txt)
. benchmarks/device_check_lib.sh s48a.txt 450
log_pytest 150
ab() {  # $1 label, $2 variants, $3 configurations, $4 seconds
  echo "== A/B $1 (time left: $(left) s)" >> "$L"
  VARIANTS="$2" CHECK=1 CASES="vnet-128-64 unet-128-64" CFGS="$3" OUT=$OUT timeout $4 bash benchmarks/ab_compare.sh \
    > "$OUT/ab_$1.txt" 2>&1
  grep -v "^WARNING" "$OUT/ab_$1.txt" >> "$L"
}
ab f32 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B tiles=$B@CUTLASS_CONVT3D_SM90_WGEMM_TILES=1" "f32 ncdhw tf32,f32 cl tf32" 80
ab bf16 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2 \
all128=$B@CUTLASS_CONVT3D_SM90_WGEMM=2@CUTLASS_CONVT3D_SM90_WGEMM_RB=128" "bf16 ncdhw tf32" 50
# v118: forward + backward with the fused copy (default) and without (FUSE=0), bench.py in one process each
for fuse in 0 1; do
  CUTLASS_CONVT3D_SM90_WGEMM_FUSE=$fuse log_bench s48a-fuse$fuse $(( fuse == 0 ? 70 : 30 )) --cases vnet-128-64 --modes fp32-tf32
done
for cfg in "f32 cl"; do
  set -- $cfg
  echo "== ncu, vnet $1 $2 (time left: $(left) s)" >> "$L"
  [ $(left) -gt 30 ] && CUTLASS_CONVT3D_SM90_WGEMM=2 timeout 25 ncu --clock-control none \
    -k regex:"hopper_wgemm_kernel|wgemm_variant_copy|wgemm_x_ncdhw" -c 3 --section SpeedOfLight \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum "$B" --case vnet-128-64 --reps 1 --dtype $1 --layout $2 2>&1 | \
    grep -E "wgemm|Duration|Throughput|dram__" >> "$L"
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
