#!/usr/bin/env bash
# Builds the C++ benchmark of several revisions off the GPU, for benchmarks/ab_compare.sh to carry (VARIANTS=...):
# device time then goes to runs, not builds (a pip build on the GPU machine costs 110-160 s of each call).
# Usage: bash benchmarks/ab_build.sh <rev> [<rev> ...]   ->  .ab/bin/<short sha>.xz (stripped, xz-compressed)
# One worktree and one build directory serve every revision in turn, so each build after the first recompiles only
# the files that differ (a change to kernels_sm90.cu: ~20 s on 2 cores; the first build ~8 minutes).
# Needs nvcc, cmake, ninja and the CUTLASS headers (`pip install nvidia-cutlass`, or CUTLASS_INCLUDE_DIR=...).
# ARCHS: CUDA architectures (default 90: sm_90 + sm_90a, the H100/H200 the A/B runs on).  PROBE=1: the probe build
# (-DCT3D_PROBE=ON: CUTLASS_CONVT3D_PROBE=<m> leaves out a piece of a Hopper kernel, sm90_common.cuh) as <sha>-probe.xz.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,7p "$0"; exit 2; }
ROOT=$(git rev-parse --show-toplevel)
WORK=${AB_WORK:-/tmp/ct3d_ab}
SUFFIX=""
if [ "${PROBE:-0}" = 1 ]; then SUFFIX=-probe; fi
OUTDIR=${AB_OUT:-$ROOT/.ab/bin}
mkdir -p "$OUTDIR" "$WORK"
if [ ! -e "$WORK/src/.git" ]; then
  git -C "$ROOT" worktree prune
  git -C "$ROOT" worktree add --detach -q "$WORK/src" "$1"
fi
inc=()
[ -n "${CUTLASS_INCLUDE_DIR:-}" ] && inc=(-DCUTLASS_INCLUDE_DIR="$CUTLASS_INCLUDE_DIR")
for rev in "$@"; do
  sha=$(git -C "$ROOT" rev-parse --short "$rev")
  git -C "$WORK/src" checkout --detach -q "$sha"
  B="$WORK/build$SUFFIX"
  [ -f "$B/build.ninja" ] ||
    cmake -S "$WORK/src" -B "$B" -G Ninja -DCT3D_PYTHON=OFF -DCT3D_CUDA=ON -DCT3D_PROBE=$([ -n "$SUFFIX" ] && echo ON || echo OFF) \
      -DCMAKE_CUDA_ARCHITECTURES="${ARCHS:-90}" "${inc[@]}" > "$WORK/cmake$SUFFIX.log"
  t0=$(date +%s)
  ninja -C "$B" convt3d_bench > "$WORK/build_$sha$SUFFIX.log" 2>&1 || { tail -30 "$WORK/build_$sha$SUFFIX.log"; exit 1; }
  strip -o "$WORK/convt3d_bench_$sha$SUFFIX" "$B/convt3d_bench"
  xz -T0 -6 -c "$WORK/convt3d_bench_$sha$SUFFIX" > "$OUTDIR/$sha$SUFFIX.xz"
  echo "$rev -> $OUTDIR/$sha$SUFFIX.xz ($(du -h "$OUTDIR/$sha$SUFFIX.xz" | cut -f1), built in $(( $(date +%s) - t0 )) s)"
done
