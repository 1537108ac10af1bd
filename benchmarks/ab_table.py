"""Table of benchmarks/ab_compare.sh's runs: per dtype, case and kernel, the minimum over rounds of each
variant's median (ms) and new/base."""
import collections
import re
import sys

runs = collections.defaultdict(list)  # (dtype, case, kernel, variant) -> medians
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"== round (\d+) variant (\d) dtype (\w+)", line)
    if m:
        cur = (m.group(3), int(m.group(2)))
        continue
    f = line.split()
    if cur and len(f) >= 5 and re.fullmatch(r"[\d.]+", f[1]):
        for kernel, v in zip(("fwd", "dgrad", "wgrad"), (f[1], f[3], f[4])):
            runs[(cur[0], f[0], kernel, cur[1])].append(float(v))
print("%-5s %-10s %-6s %8s %8s %8s" % ("dtype", "case", "kernel", "base", "new", "new/base"))
for key in sorted({k[:3] for k in runs}):
    a, b = min(runs[key + (0,)]), min(runs[key + (1,)])
    print("%-5s %-10s %-6s %8.3f %8.3f %8.3f" % (*key, a, b, b / a))
