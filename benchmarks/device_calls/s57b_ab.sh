#!/usr/bin/env bash
# Stop 57, a warm-machine call (carry [".ab/bin"]; BIN=.ab/bin/<sha>.xz of HEAD, benchmarks/ab_build.sh): knobs that
# stop 56's defaults may have changed the answer for, one binary, outputs' bits compared (DIGEST) or checked (CHECK):
#   1. fp32 NCDHW forward by 16-byte row vectors (CUTLASS_CONVT3D_SM90_VEC16=1, v91: lost 0.03 ms on k3s2op1 before
#      the L2 hints; the NCDHW mission forward is the largest gap of issue 3: 0.786 ms, target 0.50);
#   2. the TMA phase-GEMM's halo boxes (v124) per dtype / layout on vnet and video (won fp32 channels_last only);
#   3. the exact grad_input's passes: ring 3, and CUTLASS_CONVT3D_SM90_EXACT_DGRAD=0 as the baseline.
# Usage: BIN=.ab/bin/<sha>.xz BUDGET_S=300 bash benchmarks/device_calls/s57b_ab.sh   (log: $OUT/s57b.txt)
. benchmarks/device_ab_lib.sh s57b.txt 300
echo "== 1. VEC16 fp32 (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN vec=$BIN@CUTLASS_CONVT3D_SM90_VEC16=1" DIGEST=1 CASES="mission k3s2op1 groups4 k2s2p0" \
  CFGS="f32 ncdhw tf32" OUT=$OUT/a timeout $(cap 90 150) bash benchmarks/ab_compare.sh 2>&1 | \
  grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 2. halo (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN halo=$BIN@CUTLASS_CONVT3D_SM90_PGEMM_HALO=1" CHECK=1 CASES="vnet-128-64 video-64-32 unet-64-32" \
  CFGS="f32 cl tf32,bf16 cl tf32,f32 ncdhw tf32,bf16 ncdhw tf32" OUT=$OUT/b timeout $(cap 100 60) \
  bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
echo "== 3. exact grad_input passes (time left: $(left) s)" >> "$L"
VARIANTS="new=$BIN r3=$BIN@CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING=3 off=$BIN@CUTLASS_CONVT3D_SM90_EXACT_DGRAD=0" \
  CHECK=1 CASES="mission vnet-128-64" CFGS="f32 ncdhw exact,f32 cl exact" OUT=$OUT/c \
  timeout $(cap 90 5) bash benchmarks/ab_compare.sh 2>&1 | grep -v "^WARNING\|fwd\|wgrad" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
