#!/usr/bin/env bash
# compute-sanitizer over a small-shape run of every op, dtype and precision mode (benchmarks/gpu_check.py),
# memcheck then racecheck, then memcheck over the direct-kernel tests.  Needs an installed package and a GPU.  Usage: bash benchmarks/sanitize.sh [cases]
set -uo pipefail
N=${1:-4}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for tool in memcheck racecheck; do
  echo "== compute-sanitizer --tool $tool"
  (cd /tmp && compute-sanitizer --tool "$tool" --error-exitcode 99 python3 "$here/gpu_check.py" --n "$N" --no-mission \
     2>&1 | grep -vE "^ok ") || rc=1
done
# the direct (few channels per group) kernels are not in gpu_check's random draw every time: their tests too
echo "== compute-sanitizer --tool memcheck: direct-kernel tests"
(cd "$here/.." && compute-sanitizer --tool memcheck --error-exitcode 99 pytest -q -p no:cacheprovider tests/test_cuda.py \
   -k "direct_kernels and fp32-tf32 and ncdhw" 2>&1 | tail -3) || rc=1
exit $rc
