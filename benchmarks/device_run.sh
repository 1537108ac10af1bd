#!/usr/bin/env bash
# One GPU-machine session: install (CUTLASS headers from a carried wheel when offline), build, check, time.
# Logs go to $OUT (or ./device_out).  Usage: bash benchmarks/device_run.sh [quick|full]
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
MODE=${1:-full}
export PYTHONUNBUFFERED=1 CMAKE_BUILD_PARALLEL_LEVEL=$(nproc)
if ls .whl/nvidia_cutlass-*.whl >/dev/null 2>&1 && ! python3 -c "import cutlass_library" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/nvidia_cutlass-*.whl
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/gpu.txt"
t0=$(date +%s)
CUTLASS_CONVT3D_ARCHS=${CUTLASS_CONVT3D_ARCHS:-90} python3 -m pip install --no-build-isolation --no-deps -q . \
  > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
echo "build: $(( $(date +%s) - t0 )) s"
cd /tmp
python3 "$OLDPWD/benchmarks/gpu_check.py" --n ${GPU_CHECK_N:-25} 2>&1 | tee "$OUT/gpu_check.log"
if [ "$MODE" = full ]; then
  python3 -m cutlass_convt3d 2>&1 | tee "$OUT/main.log"
  (cd "$OLDPWD" && timeout 420 python3 -m pytest -q tests -m "not large" -p no:cacheprovider 2>&1 | tail -60 | tee "$OUT/pytest.log")
fi
BENCH=$(python3 -c "import site, glob; print((glob.glob(site.getsitepackages()[0] + '/cutlass_convt3d/bin/convt3d_bench') + [''])[0])")
[ -x "$BENCH" ] && "$BENCH" 2>&1 | tee "$OUT/cpp_bench.log"
exit 0
