#!/usr/bin/env python3
"""Reads ncu's source page of one kernel (`ncu --page source --print-source sass --csv ... > f.csv`, SASS only where
the binary has no line info; `.csv.xz` too) and prints where its warps stall: the stall samples by region of N
consecutive SASS lines (with the region's most executed opcodes), then the TOP lines with the most samples and their
two largest stall reasons.  Stop 60 used it on the whole-row forward (benchmarks/results/*-s60f-*-source.csv.xz).

    python3 benchmarks/ncu_source.py f.csv [--region 50] [--top 40] [--lines 1630:1650]
"""
import argparse
import csv
import lzma


def load(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt") as f:
        rows = list(csv.reader(line for line in f if line.startswith('"')))
    # rows[0]: "Kernel Name", <name>; rows[1]: the column names
    head = next(i for i, r in enumerate(rows) if "Warp Stall Sampling (All Samples)" in r)
    cols = rows[head]
    key = cols.index("Warp Stall Sampling (All Samples)")
    data = [r for r in rows[head + 1:] if len(r) > key and r[key].replace(",", "").isdigit()]
    return cols, data


def num(s):
    s = s.replace(",", "")
    return int(s) if s.isdigit() else 0


def opcode(src):
    words = src.split()
    op = words[1] if words and words[0].startswith("@") and len(words) > 1 else (words[0] if words else "")
    return op.split(".")[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--region", type=int, default=50)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--lines", action="append", default=[], help="lo:hi, SASS lines to print in full")
    a = ap.parse_args()
    cols, data = load(a.csv)
    key, src = cols.index("Warp Stall Sampling (All Samples)"), cols.index("Source")
    ex = cols.index("Instructions Executed")
    stalls = [i for i, c in enumerate(cols) if c.startswith("stall_")]
    total = sum(num(r[key]) for r in data) or 1
    print(f"samples {total}, SASS lines {len(data)}, warp instructions executed {sum(num(r[ex]) for r in data)}")
    for b in range(0, len(data), a.region):
        seg = data[b:b + a.region]
        ops = {}
        for r in seg:
            ops[opcode(r[src])] = ops.get(opcode(r[src]), 0) + num(r[ex])
        s = sum(num(r[key]) for r in seg)
        top = ", ".join(f"{o} {n}" for o, n in sorted(ops.items(), key=lambda x: -x[1])[:5])
        print(f"{b:5d} samples {s:7d} ({100 * s / total:4.1f}%)  executed {sum(num(r[ex]) for r in seg):10d}  {top}")
    print()
    for i, r in sorted(enumerate(data), key=lambda x: -num(x[1][key]))[:a.top]:
        why = sorted(((num(r[j]), cols[j][6:]) for j in stalls), reverse=True)[:2]
        print(f"{i:5d} {num(r[key]):7d} {100 * num(r[key]) / total:5.1f}%  executed {num(r[ex]):9d}  {r[src][:72]:72s} {why}")
    for span in a.lines:
        lo, hi = map(int, span.split(":"))
        print()
        for i in range(lo, min(hi, len(data))):
            print(f"{i:5d} {num(data[i][key]):7d}  executed {num(data[i][ex]):9d}  {data[i][src][:100]}")


if __name__ == "__main__":
    main()
