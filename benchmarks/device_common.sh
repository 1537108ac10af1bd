# Sourced by benchmarks/device_ab_lib.sh and device_check_lib.sh, after they set L, OUT, B and left().
# cap WANT KEEP: min(WANT, seconds left - KEEP), at least 5 (a step's timeout that keeps KEEP for the steps after it)
cap() { local c=$(( $(left) - $2 )); [ "$c" -gt "$1" ] && c=$1; echo $(( c < 5 ? 5 : c )); }
# ncu_kernels SECONDS ARGS...: the C++ benchmark $B with ARGS under ncu within SECONDS (no cache flush, boost clocks:
# each kernel's duration, DRAM bytes, SM and memory throughput), briefed by ncu_brief.py (fills and waits left out)
ncu_kernels() {
  local s=$1
  shift
  timeout "$s" ncu --csv --cache-control none --clock-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed \
    -c 60 "$B" "$@" 2>&1 | python3 benchmarks/ncu_brief.py "fill_kernel|count_nan|busy_wait"
}
# ab_timed SECONDS KEEP VARIANTS CASES CFGS: benchmarks/ab_compare.sh over those variants (digests compared), its table
# appended to L, within min(SECONDS, time left - KEEP); ab_check ...: each variant's outputs against float64
ab_timed() {
  VARIANTS="$3" DIGEST=1 CASES="$4" CFGS="$5" OUT=$OUT/ab timeout $(cap "$1" "$2") bash benchmarks/ab_compare.sh 2>&1 | \
    grep -v "^WARNING\|dgrad\|wgrad" >> "$L"
}
ab_check() {
  VARIANTS="$3" CHECK=1 CASES="$4" CFGS="$5" OUT=$OUT/chk timeout $(cap "$1" "$2") bash benchmarks/ab_compare.sh 2>&1 | \
    grep "check" >> "$L"
}
