#!/usr/bin/env bash
# compute-sanitizer over a small-shape run of every op, dtype and precision mode (benchmarks/gpu_check.py),
# memcheck then racecheck.  Needs an installed package and a GPU.  Usage: bash benchmarks/sanitize.sh [cases]
set -uo pipefail
N=${1:-4}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for tool in memcheck racecheck; do
  echo "== compute-sanitizer --tool $tool"
  (cd /tmp && compute-sanitizer --tool "$tool" --error-exitcode 99 python3 "$here/gpu_check.py" --n "$N" --no-mission \
     2>&1 | grep -vE "^ok ") || rc=1
done
exit $rc
