"""Table of benchmarks/ab_compare.sh's runs: per dtype, case and kernel, the minimum over rounds of each
variant's median (ms) and, for every variant after the first (the base), its ratio to the base."""
import collections
import re
import sys

runs = collections.defaultdict(list)  # (dtype, case, kernel, variant) -> medians
variants = []  # in order of first appearance; the first is the base
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"== round (\d+) variant (\S+) dtype (\w+)", line)
    if m:
        cur = (m.group(3), m.group(2))
        if cur[1] not in variants:
            variants.append(cur[1])
        continue
    f = line.split()
    if cur and len(f) >= 5 and re.fullmatch(r"[\d.]+", f[1]):
        for kernel, v in zip(("fwd", "dgrad", "wgrad"), (f[1], f[3], f[4])):
            runs[(cur[0], f[0], kernel, cur[1])].append(float(v))
base, others = variants[0], variants[1:]
print("%-13s %-10s %-6s %8s" % ("dtype", "case", "kernel", base) + "".join(" %8s %6s" % (v, "ratio") for v in others))
for key in sorted({k[:3] for k in runs}):
    if not runs.get(key + (base,)):
        continue
    a = min(runs[key + (base,)])
    row = "%-13s %-10s %-6s %8.3f" % (*key, a)
    for v in others:
        b = runs.get(key + (v,))
        row += " %8.3f %6.3f" % (min(b), min(b) / a) if b else " %8s %6s" % ("-", "-")
    print(row)
