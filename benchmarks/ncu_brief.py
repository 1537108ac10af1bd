"""One line per profiled kernel from `ncu --csv --metrics ...` on stdin: those of duration (us), grid, block,
registers, DRAM MB read / written, SM and memory throughput (% of peak), L2 hit rate and L2 read / write sectors
(millions) that were asked for, then the kernel's name (its first 90 characters).  Used by the device calls
(benchmarks/device_calls/s57c_ncu.sh, s57h_ncu.sh, s58b_ncu.sh).  An optional argument: a regex of kernel names to
leave out (the benchmark's own fill / check kernels)."""
import csv
import re
import sys

SHORT = {"gpu__time_duration.sum": "us", "launch__grid_size": "grid", "launch__block_size": "block",
         "launch__registers_per_thread": "regs", "dram__bytes_read.sum": "rdMB", "dram__bytes_write.sum": "wrMB",
         "sm__throughput.avg.pct_of_peak_sustained_elapsed": "sm%",
         "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed": "mem%",
         "lts__t_sector_hit_rate.pct": "L2hit%", "lts__t_sectors_srcunit_tex_op_write.sum": "L2wrMs",
         "lts__t_sectors_srcunit_tex_op_read.sum": "L2rdMs"}
SCALE = {"sector": ("Ms", 1e-6), "nsecond": ("us", 1e-3), "ns": ("us", 1e-3), "usecond": ("us", 1), "msecond": ("us", 1e3), "byte": ("MB", 1e-6),
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
    skip = re.compile(sys.argv[1]) if len(sys.argv) > 1 else None
    kernels = {i: k for i, k in kernels.items() if not (skip and skip.search(k["name"]))}
    cols = [c for c in ["us", "grid", "block", "regs", "rdMB", "wrMB", "sm%", "mem%", "L2hit%", "L2rdMs", "L2wrMs"]
            if any(c in k for k in kernels.values())]
    print(" ".join(f"{c:>7}" for c in cols), " kernel")
    for k in kernels.values():
        print(" ".join(f"{k.get(c, float('nan')):7.1f}" for c in cols), "", k["name"][:90])


if __name__ == "__main__":
    main()
