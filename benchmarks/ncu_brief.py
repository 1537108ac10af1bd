"""One line per profiled kernel from `ncu --csv --metrics ...` on stdin: duration (us), grid, block, registers,
DRAM MB read / written, SM and memory throughput (% of peak), then the kernel's name cut at its template arguments'
first 60 characters.  Used by the device calls (benchmarks/device_calls/s57c_ncu.sh)."""
import csv
import sys

SHORT = {"gpu__time_duration.sum": "us", "launch__grid_size": "grid", "launch__block_size": "block",
         "launch__registers_per_thread": "regs", "dram__bytes_read.sum": "rdMB", "dram__bytes_write.sum": "wrMB",
         "sm__throughput.avg.pct_of_peak_sustained_elapsed": "sm%",
         "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed": "mem%"}
SCALE = {"nsecond": ("us", 1e-3), "usecond": ("us", 1), "msecond": ("us", 1e3), "byte": ("MB", 1e-6),
         "Kbyte": ("MB", 1e-3), "Mbyte": ("MB", 1), "Gbyte": ("MB", 1e3)}


def main():
    lines = [ln for ln in sys.stdin if ln.startswith('"')]
    if not lines:
        print("(no ncu rows)")
        return
    kernels = {}
    for row in csv.DictReader(lines):
        k = kernels.setdefault(row["ID"], {"name": row["Kernel Name"]})
        name, unit, value = row["Metric Name"], row["Metric Unit"], row["Metric Value"].replace(",", "")
        try:
            v = float(value) * SCALE.get(unit, ("", 1))[1]
        except ValueError:
            continue
        k[SHORT.get(name, name)] = v
    cols = ["us", "grid", "block", "regs", "rdMB", "wrMB", "sm%", "mem%"]
    print(" ".join(f"{c:>7}" for c in cols), " kernel")
    for k in kernels.values():
        print(" ".join(f"{k.get(c, float('nan')):7.1f}" for c in cols), "", k["name"][:90])


if __name__ == "__main__":
    main()
