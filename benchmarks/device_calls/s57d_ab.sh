#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz of HEAD): one binary, knobs only:
#   1. fp32 NCDHW forward by 16-byte row vectors (CUTLASS_CONVT3D_SM90_VEC16=1) on every Hopper-forward shape: s57b
#      measured mission -3%, groups4 even, k3s2op1 +11% (rows of 1 KB: 16-byte aligned already); is the rule
#      "rows not on 16 bytes" (OW x 4 bytes mod 16 != 0) the right one? (DIGEST: the same bits);
#   2. the unet levels' routing (s57c: unet-256-128 forward on the tap-GEMM at 4x its byte floor, 0.53x PyTorch
#      channels_last): CUTLASS_CONVT3D_TAPGEMM=2 (the Hopper kernels where they apply; v92's wide forward for 256
#      channels) and =0 (never) against the default, every pass, checked against float64.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=300 bash benchmarks/device_calls/s57d_ab.sh   (log: $OUT/s57d.txt)
. benchmarks/device_ab_lib.sh s57d.txt 300
echo "== 1. VEC16 fp32 NCDHW (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN vec=$BIN@CUTLASS_CONVT3D_SM90_VEC16=1" DIGEST=1 \
  CASES="mission groups4 k2s2 k3s2op1 k3s1 in64out16 vnet-128-64 video-64-32" CFGS="f32 ncdhw tf32" OUT=$OUT/a \
  timeout $(cap 110 150) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 2. unet routing (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN t2=$BIN@CUTLASS_CONVT3D_TAPGEMM=2 t0=$BIN@CUTLASS_CONVT3D_TAPGEMM=0" CHECK=1 \
  CASES="unet-256-128 unet-128-64 unet-64-32" CFGS="f32 cl tf32,bf16 cl tf32,f32 ncdhw tf32,bf16 ncdhw tf32" \
  OUT=$OUT/b timeout $(cap 140 5) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
