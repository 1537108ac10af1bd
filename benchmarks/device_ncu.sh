# Sourced by benchmarks/device_ab_lib.sh and device_check_lib.sh (needs B, the C++ benchmark).
# ncu_kernels SECONDS ARGS...: the C++ benchmark $B with ARGS under ncu within SECONDS (no cache flush, boost clocks:
# each kernel's duration, DRAM bytes, SM and memory throughput), briefed by ncu_brief.py (fills and waits left out)
ncu_kernels() {
  local s=$1
  shift
  timeout "$s" ncu --csv --cache-control none --clock-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed \
    -c 60 "$B" "$@" 2>&1 | python3 benchmarks/ncu_brief.py "fill_kernel|count_nan|busy_wait"
}
