#!/usr/bin/env bash
# Stop 48, the short form of s48a_check.sh for what was left of the session's device time after failed starts (~5
# minutes; carry [".whl"]): the same tree and knobs, fewer tests and cases.
#   1. build and install; 2. the tests of the grad_weight GEMM, the grad_weight kernels it is compared with and the
#   both-gradients op; 3. A/B on vnet-128-64, two rounds, outputs against float64: fp32 NCDHW and channels_last,
#   CUTLASS_CONVT3D_SM90_WGEMM=0 / default / TILES=1; bf16 NCDHW =0 / =2 (64-byte rows) / =2 with 128-byte rows;
#   4. bench.py fp32 vnet-128-64 with CUTLASS_CONVT3D_SM90_WGEMM_FUSE 0 and 1 (v118).
# Usage: COMMIT=<sha> BUDGET_S=300 bash benchmarks/device_calls/s48b_check.sh   (logs in $OUT/s48b.txt)
. benchmarks/device_check_lib.sh s48b.txt 300
log_pytest 90 "wgemm or grad_input_weight or wgen or tapgemm_grad_weight or phasegemm_grad_weight"
ab() {  # $1 label, $2 variants, $3 configurations, $4 seconds
  echo "== A/B $1 (time left: $(left) s)" >> "$L"
  VARIANTS="$2" CHECK=1 CASES="vnet-128-64" CFGS="$3" OUT=$OUT timeout $4 bash benchmarks/ab_compare.sh \
    > "$OUT/ab_$1.txt" 2>&1
  grep -v "^WARNING" "$OUT/ab_$1.txt" >> "$L"
}
ab f32 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 on=$B tiles=$B@CUTLASS_CONVT3D_SM90_WGEMM_TILES=1" "f32 ncdhw tf32,f32 cl tf32" 45
ab bf16 "off=$B@CUTLASS_CONVT3D_SM90_WGEMM=0 all=$B@CUTLASS_CONVT3D_SM90_WGEMM=2 \
all128=$B@CUTLASS_CONVT3D_SM90_WGEMM=2@CUTLASS_CONVT3D_SM90_WGEMM_RB=128" "bf16 ncdhw tf32" 25
for fuse in 0 1; do
  CUTLASS_CONVT3D_SM90_WGEMM_FUSE=$fuse log_bench s48b-fuse$fuse $(( fuse == 0 ? 25 : 0 )) --cases vnet-128-64 --modes fp32-tf32
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
