#!/usr/bin/env bash
# One GPU-machine session: install (CUTLASS headers from a carried wheel when offline), build, verify, time.
# Usage: bash benchmarks/device_run.sh [build|quick|verify|time|full]   (logs in $OUT, default ./device_out)
#   build:  install the package only (the other scripts' first step)
#   quick:  build, gpu_check, C++ benchmark (fp32 TF32)
#   verify: build, gpu_check, the main job, host time per call, the whole pytest suite (large test included), compute-sanitizer
#   time:   build, the C++ benchmark for every dtype and math mode, bench.py (JSON + chart)
#   full:   time, then verify (about 5.5 minutes on an H200)
# Few files on purpose (a remote runner may return only a handful): verify.txt, cpp.txt, bench.txt and
# bench.py's <device>.json / .png.
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
MODE=${1:-full}
SRC=$PWD
export PYTHONUNBUFFERED=1 CMAKE_BUILD_PARALLEL_LEVEL=$(nproc)
if ls .whl/nvidia_cutlass-*.whl >/dev/null 2>&1 && ! python3 -c "import cutlass_library" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/nvidia_cutlass-*.whl
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
V="$OUT/verify.txt"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > "$V"
# the runner's copy may carry no usable .git: pass COMMIT=<sha> to record which code was measured
echo "commit: ${COMMIT:-$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null)}" >> "$V"
t0=$(date +%s)
CUTLASS_CONVT3D_ARCHS=${CUTLASS_CONVT3D_ARCHS:-90} python3 -m pip install --no-build-isolation --no-deps -q . \
  > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
rm -f "$OUT/build.log"
echo "build: $(( $(date +%s) - t0 )) s" | tee -a "$V"
[ "$MODE" = build ] && exit 0
BENCH=$(python3 -c "import site, glob; print((glob.glob(site.getsitepackages()[0] + '/cutlass_convt3d/bin/convt3d_bench') + [''])[0])")
cd /tmp
verify=0; timing=0
case "$MODE" in quick) ;; verify) verify=1 ;; time) timing=1 ;; *) verify=1; timing=1 ;; esac
if [ -x "$BENCH" ] && { [ "$MODE" = quick ] || [ $timing = 1 ]; }; then
  : > "$OUT/cpp.txt"
  if [ $timing = 1 ]; then runs=("" "--math exact" "--dtype bf16" "--dtype f16" "--layout cl" "--layout cl --dtype bf16")
  else runs=(""); fi
  for a in "${runs[@]}"; do timeout 120 "$BENCH" $a >> "$OUT/cpp.txt" 2>&1; done
fi
if [ $timing = 1 ]; then
  timeout 300 python3 "$SRC/benchmarks/bench.py" --reps ${BENCH_REPS:-10} 2>&1 | tr '\r' '\n' | grep -v "^bench:" \
    > "$OUT/bench.txt"
  # only what this run wrote: the runner returns a handful of files, and a surplus costs verify.txt
  sed -n 's/^wrote //p' "$OUT/bench.txt" | while read -r f; do cp "$f" "$OUT/"; done
fi
# the checks after the timings, compute-sanitizer last and in what is left of BUDGET_S (a runner's call is capped
# at 10 minutes; full mode took ~330 s on an H200, the sanitizer ~100 s of it)
left() { echo $(( ${BUDGET_S:-560} - ($(date +%s) - t0) )); }
if [ "$MODE" != time ]; then
  echo "== gpu_check" >> "$V"
  timeout 180 python3 "$SRC/benchmarks/gpu_check.py" --n ${GPU_CHECK_N:-25} >> "$V" 2>&1
fi
if [ $verify = 1 ]; then
  echo "== python -m cutlass_convt3d" >> "$V"
  timeout 120 python3 -m cutlass_convt3d >> "$V" 2>&1
  echo "== benchmarks/host_time.py" >> "$V"
  timeout 120 python3 "$SRC/benchmarks/host_time.py" >> "$V" 2>&1
  echo "== pytest -q tests (from the repository root)" >> "$V"
  (cd "$SRC" && timeout 420 pytest -q tests -p no:cacheprovider 2>&1 | tail -15) >> "$V"
  echo "== compute-sanitizer (time left: $(left) s)" >> "$V"
  (cd "$SRC" && timeout $(( $(left) > 30 ? $(left) : 30 )) bash benchmarks/sanitize.sh 3) >> "$V" 2>&1
fi
exit 0
