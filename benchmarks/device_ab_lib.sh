# Sourced by the device calls that carry a convt3d_bench built off the GPU (benchmarks/ab_build.sh) instead of
# building on the machine:  . benchmarks/device_ab_lib.sh <log name> <default BUDGET_S>
# Needs BIN (.ab/bin/<sha>.xz).  Sets OUT (default ./device_out), L (the log, $OUT/<log name>, begun with the GPU and
# the binary), t0, left() (seconds of BUDGET_S left), cap WANT KEEP (min(WANT, left - KEEP), at least 5: a step's
# timeout that keeps KEEP seconds for the steps after it) and B (the binary, decompressed).
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/$1
_ct3d_ab_budget=$2
t0=$(date +%s)
left() { echo $(( ${BUDGET_S:-$_ct3d_ab_budget} - ($(date +%s) - t0) )); }
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv > "$L"
echo "binary: $BIN" >> "$L"
mkdir -p /tmp/ct3d_bin && xz -dkc "$BIN" > /tmp/ct3d_bin/convt3d_bench && chmod +x /tmp/ct3d_bin/convt3d_bench
B=/tmp/ct3d_bin/convt3d_bench
. benchmarks/device_common.sh
