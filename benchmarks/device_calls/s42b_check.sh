#!/usr/bin/env bash
# Stop 42's second device call (~7 minutes on an H100): v101's masked grad_weight (column blocks of one tap, x masked
# where the tap's output lies outside grad_y) and v102 at the defaults, by s41_check.sh's steps: build, the whole
# suite, convt3d_bench --check on vnet-128-64, bench.py over the mission and decoder cases in every mode.
# Usage: BUDGET_S=480 bash benchmarks/device_calls/s42b_check.sh   (logs in $OUT/s42b.txt, default ./device_out)
BUDGET_S=${BUDGET_S:-480} S41_LOG=s42b.txt S41_BENCH="vnet-128-64;vnet-128-64 --dtype bf16;vnet-128-64 --layout cl" \
  S41_CASES=${S42_CASES:-mission,vnet-128-64,unet-256-128,unet-128-64} exec bash benchmarks/device_calls/s41_check.sh
