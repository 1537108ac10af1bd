"""Issue 3's agreement check: the C++ benchmark's kernel times against bench.py's, for the same cases and modes.

convt3d_bench (no PyTorch) times each operator alone: fwd_ms, dgrad_ms, wgrad_ms per case. bench.py times what a
user runs: the forward, forward + backward (both grads) and forward + weight grad only, through the autograd op.
Both report medians of CUDA-event timings. On one machine, the forward should agree within run-to-run noise; the
backward passes add what the C++ run leaves out (autograd, grad_y's allocation, and a grad_bias where there is one),
so they may only come out longer.

Usage (files from one machine, e.g. a device run's cpp.txt and <device>.json):
    python3 benchmarks/cpp_agreement.py cpp.txt benchmarks/results/nvidia-h200.json [--tol 0.05]
Prints one row per (case, mode) found in both, the ratios bench.py / C++ of each pass, and a summary; exits 1 if a
forward ratio falls outside 1 +- tol.
"""
import argparse
import json
import re
import statistics
import sys

# convt3d_bench case names -> bench.py's
CASE_NAMES = {"mission": "mission", "groups4": "groups4", "depthwise": "depthwise", "k2s2": "k2s2p0",
              "k3s2op1": "k3s2p1op1", "k3s1": "k3s1p1", "in64out16": "in64-out16",
              **{n: n for n in ("unet-256-128", "unet-128-64", "unet-64-32", "vnet-128-64", "video-64-32", "odd-32-32")}}
# (dtype, math, layout) of a convt3d_bench run -> bench.py's mode
MODE_NAMES = {("f32", "tf32", "ncdhw"): "fp32-tf32", ("f32", "tf32", "cl"): "fp32-tf32-cl",
              ("f32", "exact", "ncdhw"): "fp32-exact", ("bf16", "tf32", "ncdhw"): "bf16",
              ("f16", "tf32", "ncdhw"): "fp16"}

HEADER = re.compile(r"device: (?P<device>.+?)\s+dtype: (?P<dtype>\S+)\s+math: (?P<math>\S+)"
                    r"(?:\s+layout: (?P<layout>\S+))?\s+reps:")


def parse_cpp(text: str) -> dict:
    """{(bench.py case, bench.py mode): (fwd_ms, dgrad_ms, wgrad_ms)} from convt3d_bench's output (any number of
    runs, one header line each; a header without a layout is NCDHW, as before --layout existed)."""
    out, mode = {}, None
    for line in text.splitlines():
        m = HEADER.match(line.strip())
        if m:
            mode = MODE_NAMES.get((m["dtype"], m["math"], m["layout"] or "ncdhw"))
            continue
        f = line.split()
        if mode and len(f) >= 5 and f[0] in CASE_NAMES:
            try:
                fwd, dgrad, wgrad = float(f[1]), float(f[3]), float(f[4])
            except ValueError:
                continue
            out[(CASE_NAMES[f[0]], mode)] = (fwd, dgrad, wgrad)
    return out


def parse_bench(doc: dict) -> dict:
    """{(case, mode): {pass: ours_ms}} from bench.py's JSON."""
    out = {}
    for r in doc["results"]:
        out.setdefault((r["case"], r["mode"]), {})[r["pass"]] = r["ours_ms"]
    return out


def agreement(cpp: dict, py: dict) -> list:
    """Rows (case, mode, forward, forward+wgrad, forward+backward ratios bench.py / C++) for the keys in both; a
    ratio is None where bench.py lacks that pass."""
    rows = []
    for key in sorted(cpp.keys() & py.keys()):
        fwd, dgrad, wgrad = cpp[key]
        p = py[key]
        ratio = lambda name, ms: p[name] / ms if name in p and ms > 0 else None  # noqa: E731
        rows.append((*key, ratio("forward", fwd), ratio("forward+wgrad", fwd + wgrad),
                     ratio("forward+backward", fwd + dgrad + wgrad)))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cpp", help="convt3d_bench output (one or more runs)")
    ap.add_argument("bench_json", help="bench.py's JSON from the same machine")
    ap.add_argument("--tol", type=float, default=0.05, help="forward ratios within 1 +- tol agree (default 0.05)")
    args = ap.parse_args(argv)
    with open(args.cpp) as f:
        cpp = parse_cpp(f.read())
    with open(args.bench_json) as f:
        py = parse_bench(json.load(f))
    rows = agreement(cpp, py)
    if not rows:
        print("no (case, mode) in both files", file=sys.stderr)
        return 1
    fmt = lambda r: "-" if r is None else f"{r:.3f}"  # noqa: E731
    print(f"{'case':<12} {'mode':<14} {'fwd':>7} {'f+wgrad':>8} {'f+b':>7}   (bench.py / C++)")
    for case, mode, rf, rw, rb in rows:
        print(f"{case:<12} {mode:<14} {fmt(rf):>7} {fmt(rw):>8} {fmt(rb):>7}")
    fwd = [r[2] for r in rows if r[2] is not None]
    off = [r for r in rows if r[2] is not None and abs(r[2] - 1) > args.tol]
    print(f"forward: {len(fwd) - len(off)} of {len(fwd)} within 1 +- {args.tol:g}, median ratio "
          f"{statistics.median(fwd):.3f}" if fwd else "forward: none")
    for case, mode, rf, _, _ in off:
        print(f"  outside: {case} {mode} {rf:.3f}")
    return 1 if off or not fwd else 0


if __name__ == "__main__":
    sys.exit(main())
