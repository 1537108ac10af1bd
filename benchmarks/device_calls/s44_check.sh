#!/usr/bin/env bash
# Prepared at stop 43 for the next device call (~8 minutes on an H100; carry [".whl", ".ab"]: 61 MiB with the tree,
# under the 64 MiB a call carries -- build no third binary into .ab/bin first):
#   1. no build: the carried convt3d_bench binaries (bash benchmarks/ab_build.sh 47d5854 96e3a87), interleaved, two
#      rounds, digests: stop 42's tree (47d5854) against stop 43's end (96e3a87: v104 on, v103 removed) at the
#      defaults and with v105 (CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1), on the decoder levels v104 / v105 reach and the
#      mission (untouched: the same-code control for machine spread).  Settles whether this stop's 3-8% slower
#      readings of the old path were the machines (NOTES v103) and times v105.
#   2. build and install, the tests v104 / v105 touch, 3. the whole suite in what is left of BUDGET_S.
# Usage: BUDGET_S=560 bash benchmarks/device_calls/s44_check.sh   (logs in $OUT/s44.txt, the A/B table in $OUT/ab.txt)
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
t_ab=$(date +%s)
base=.ab/bin/47d5854.xz head=.ab/bin/96e3a87.xz
VARIANTS="s42=$base s43=$head ov=$head@CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1" DIGEST=1 \
  CASES="vnet-128-64 unet-128-64 mission" CFGS="f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32,bf16 cl tf32" \
  OUT=$OUT bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
BUDGET_S=$(( ${BUDGET_S:-560} - ($(date +%s) - t_ab) ))
. benchmarks/device_check_lib.sh s44.txt 560
echo "A/B: $OUT/ab_table.txt ($(( t0 - t_ab )) s)" >> "$L"
log_pytest 150 "sm90_overlap or rounded_copy or shares or phasegemm or sm90_instance or environment_knob"
[ $(left) -gt 100 ] && log_pytest 600
echo "total: $(( $(date +%s) - t_ab )) s" >> "$L"
exit 0
