"""Benchmark cutlass_convt3d against PyTorch (cuDNN) in the same process.

For every case x mode x pass it reports the median GPU time of torch and of ours (CUDA events after warm-up,
each call queued behind a busy-wait kernel so the host's dispatch latency is not counted, as in the C++
benchmark; `python -m cutlass_convt3d` times as the user's harness does, dispatch included),
the speedup, the achieved bandwidth and how close that is to the memory-traffic floor, measured with a
device-to-device copy on this GPU:

    forward            bytes = x read + y written
    forward+backward   bytes = forward + grad_input (grad_y read + grad_x written)
                               + grad_weight (grad_y read + x read)   (input and weight gradients)
    forward+wgrad      bytes = forward + grad_weight                  (x.requires_grad False: weight gradient only)

Results go to benchmarks/results/<device-name>.json (and a .png bar chart when matplotlib is installed).

    python benchmarks/bench.py                  # all cases and modes
    python benchmarks/bench.py --quick          # the mission case only
    python benchmarks/bench.py --cases mission,groups4 --modes fp32-tf32,bf16
"""
import argparse
import dataclasses
import json
import os
import re
import sys
from typing import Optional

import torch
import torch.nn.functional as F

try:
    from tqdm import tqdm
except ImportError:  # optional
    tqdm = None

from cutlass_convt3d import conv_transpose3d

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
CL = torch.channels_last_3d


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    cin: int = 32
    cout: int = 32
    k: int = 3
    stride: int = 2
    padding: int = 1
    output_padding: int = 0
    groups: int = 1
    x_shape: tuple = (4, 32, 32, 64, 128)


CASES = [
    Case("mission"),  # what the reference Model computes (groups=1, output_padding=0)
    Case("groups4", groups=4),
    Case("depthwise", groups=32),
    Case("k2s2p0", k=2, padding=0),
    Case("k3s2p1op1", output_padding=1),
    Case("k3s1p1", stride=1),
    Case("in64-out16", cin=64, cout=16, x_shape=(4, 64, 32, 64, 128)),
]
# Decoder levels beyond the list, with the channel counts of real 3D decoders (more channels, smaller volumes):
# 3D U-Net up-convolutions (kernel 2, stride 2), a V-Net-style and a video decoder's kernel 3 / stride 2 / output
# padding 1.  --decoders adds them; --cases names any of either list.
DECODER_CASES = [
    Case("unet-256-128", cin=256, cout=128, k=2, padding=0, x_shape=(2, 256, 16, 16, 16)),
    Case("unet-128-64", cin=128, cout=64, k=2, padding=0, x_shape=(2, 128, 32, 32, 32)),
    Case("unet-64-32", cin=64, cout=32, k=2, padding=0, x_shape=(2, 64, 64, 64, 64)),
    Case("vnet-128-64", cin=128, cout=64, output_padding=1, x_shape=(2, 128, 32, 32, 32)),
    Case("video-64-32", cin=64, cout=32, output_padding=1, x_shape=(2, 64, 8, 64, 64)),
    # kernel 3 / stride 2 / padding 1 without output padding, as the mission: odd output sizes, so y's NCDHW rows
    # start off 16 bytes (the rules of v131 / v132 are measured on such rows)
    Case("odd-32-32", x_shape=(2, 32, 24, 48, 96)),
]


@dataclasses.dataclass(frozen=True)
class Mode:
    name: str
    dtype: torch.dtype
    allow_tf32: bool = True
    channels_last: bool = False


MODES = [
    Mode("fp32-tf32", torch.float32),
    Mode("fp32-tf32-cl", torch.float32, channels_last=True),
    Mode("fp32-exact", torch.float32, allow_tf32=False),
    Mode("bf16", torch.bfloat16),
    Mode("fp16", torch.float16),
]


from cutlass_convt3d._timing import time_ms  # noqa: E402


def copy_rate_bytes_per_s(reps: int, device: str = "cuda") -> float:
    """Device-to-device copy rate, counting bytes read + written (1 GiB buffers)."""
    n = (1 << 30) // 4
    src = torch.empty(n, device=device, dtype=torch.float32).uniform_()
    dst = torch.empty_like(src)
    ms = time_ms(lambda: dst.copy_(src), reps, hide_launch=True)
    return 2 * src.numel() * src.element_size() / (ms * 1e-3)


def rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.float(), b.float()
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def run_case(case: Case, mode: Mode, reps: int, copy_rate: float, dev: str = "cuda"):
    gen = torch.Generator(dev).manual_seed(0)
    x = torch.rand(case.x_shape, device=dev, generator=gen).to(mode.dtype)
    bound = 1.0 / (case.cout // case.groups * case.k ** 3) ** 0.5  # nn.ConvTranspose3d's init range
    w = (torch.rand(case.cin, case.cout // case.groups, case.k, case.k, case.k, device=dev, generator=gen) * 2 - 1)
    w = (w * bound).to(mode.dtype)
    if mode.channels_last:
        x, w = x.to(memory_format=CL), w.to(memory_format=CL)
    args = ((case.stride,) * 3, (case.padding,) * 3, (case.output_padding,) * 3, case.groups)

    def fwd(fn, xx, ww):
        return fn(xx, ww, None, *args)

    prev_tf32 = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = mode.allow_tf32
    try:
        with torch.no_grad():
            y_torch, y_ours = fwd(F.conv_transpose3d, x, w), fwd(conv_transpose3d, x, w)
            diff = rel_diff(y_ours, y_torch)
            g = torch.randn(y_torch.shape, device=dev, generator=gen).to(mode.dtype)
            if mode.channels_last:
                g = g.to(memory_format=CL)
            x_bytes, y_bytes = x.numel() * x.element_size(), y_torch.numel() * y_torch.element_size()
            del y_torch, y_ours
        xr, wr = x.detach().requires_grad_(), w.detach().requires_grad_()

        def fwd_bwd(fn, xx=xr):
            def step():
                xr.grad = wr.grad = None
                fwd(fn, xx, wr).backward(g)
            return step

        rows = []
        for pass_name, make, n_bytes in (
                ("forward", lambda fn: (lambda: fwd(fn, x, w)), x_bytes + y_bytes),
                ("forward+backward", fwd_bwd, (x_bytes + y_bytes) + (y_bytes + x_bytes) + (y_bytes + x_bytes)),
                ("forward+wgrad", lambda fn: fwd_bwd(fn, x), (x_bytes + y_bytes) + (y_bytes + x_bytes))):
            # GPU time per call (the host's dispatch hidden behind a busy-wait kernel): what the C++ benchmark
            # measures, and the same treatment for both
            t_torch = time_ms(make(F.conv_transpose3d), reps, hide_launch=True)
            t_ours = time_ms(make(conv_transpose3d), reps, hide_launch=True)
            floor_ms = n_bytes / copy_rate * 1e3
            rows.append(dict(case=case.name, mode=mode.name, pass_=pass_name, torch_ms=t_torch, ours_ms=t_ours,
                             speedup=t_torch / t_ours, bytes=n_bytes, ours_tbps=n_bytes / (t_ours * 1e-3) / 1e12,
                             floor_ms=floor_ms, pct_of_floor=100.0 * floor_ms / t_ours, fwd_rel_diff_vs_torch=diff))
        return rows
    finally:
        torch.backends.cudnn.allow_tf32 = prev_tf32


def source_commit() -> Optional[str]:
    """The measured code's commit: $COMMIT (a runner's copy may carry no .git), else git's HEAD, else None."""
    if os.environ.get("COMMIT"):
        return os.environ["COMMIT"]
    import subprocess

    try:
        return subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short",
                               "HEAD"], capture_output=True, text=True, timeout=10, check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def knob_env() -> dict:
    """The CUTLASS_CONVT3D_* environment variables set for this run (the switches and plan knobs that pick kernels,
    README "Hopper kernels"): a result measured with any of them is not the defaults'."""
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith("CUTLASS_CONVT3D_")}


def device_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def save_chart(rows, path: str, title: str) -> Optional[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart", file=sys.stderr)
        return None
    passes = list(dict.fromkeys(r["pass_"] for r in rows))
    cases = list(dict.fromkeys(r["case"] for r in rows))
    modes = list(dict.fromkeys(r["mode"] for r in rows))
    fig, axes = plt.subplots(len(passes), 1, figsize=(max(8, 1.6 * len(cases)), 4.5 * len(passes)), squeeze=False)
    width = 0.8 / len(modes)
    for ax, pass_name in zip(axes[:, 0], passes):
        for j, mode in enumerate(modes):
            vals = [next((r["speedup"] for r in rows if r["case"] == c and r["mode"] == mode
                          and r["pass_"] == pass_name), 0.0) for c in cases]
            ax.bar([i + j * width for i in range(len(cases))], vals, width, label=mode)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks([i + width * (len(modes) - 1) / 2 for i in range(len(cases))], cases)
        ax.set_ylabel("speedup over torch (x)")
        ax.set_title(f"{title}: {pass_name}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def _select(ap, items, arg, what):
    """items named in the comma-separated arg (all when arg is empty); unknown names are a usage error."""
    if not arg:
        return list(items)
    want = arg.split(",")
    unknown = set(want) - {it.name for it in items}
    if unknown:
        ap.error(f"unknown {what} {sorted(unknown)}")
    return [it for it in items if it.name in want]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="mission case only")
    ap.add_argument("--cases", help="comma-separated: " + ",".join(c.name for c in CASES + DECODER_CASES))
    ap.add_argument("--decoders", action="store_true", help="the decoder cases too: " +
                    ",".join(c.name for c in DECODER_CASES))
    ap.add_argument("--modes", help="comma-separated: " + ",".join(m.name for m in MODES))
    ap.add_argument("--reps", type=int, default=20, help="timed repetitions (median reported)")
    ap.add_argument("--out", help="JSON path (default benchmarks/results/<device>.json; the chart goes beside it)")
    args = ap.parse_args(argv)

    if not torch.cuda.is_available():
        print("bench.py needs a CUDA GPU", file=sys.stderr)
        return 1
    cases = _select(ap, CASES + DECODER_CASES, args.cases, "cases") if args.cases else \
        CASES + (DECODER_CASES if args.decoders else [])
    if args.quick:
        cases = [c for c in cases if c.name == "mission"]
    modes = _select(ap, MODES, args.modes, "modes")

    device = torch.cuda.get_device_name()
    copy_rate = copy_rate_bytes_per_s(args.reps)
    print(f"{device}  torch {torch.__version__}  CUDA {torch.version.cuda}  cuDNN {torch.backends.cudnn.version()}")
    print(f"device-to-device copy: {copy_rate / 1e12:.2f} TB/s (read + write)")
    knobs = knob_env()
    print(f"knobs: {' '.join(f'{k}={v}' for k, v in knobs.items()) or 'none (the defaults)'}\n")

    work = [(c, m) for c in cases for m in modes]
    it = tqdm(work, desc="bench", leave=False) if tqdm else work
    rows = []
    for case, mode in it:
        rows += run_case(case, mode, args.reps, copy_rate)
        torch.cuda.empty_cache()

    hdr = f"{'case':<12}{'mode':<14}{'pass':<18}{'torch ms':>9}{'ours ms':>9}{'speedup':>8}{'TB/s':>7}{'% floor':>8}"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['case']:<12}{r['mode']:<14}{r['pass_']:<18}{r['torch_ms']:>9.3f}{r['ours_ms']:>9.3f}"
              f"{r['speedup']:>7.2f}x{r['ours_tbps']:>7.2f}{r['pct_of_floor']:>7.1f}%")

    out = args.out or os.path.join(RESULTS_DIR, device_slug(device) + ".json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(dict(device=device, commit=source_commit(), torch=torch.__version__, cuda=torch.version.cuda,
                       cudnn=torch.backends.cudnn.version(), copy_tbps=copy_rate / 1e12, reps=args.reps, knobs=knobs,
                       results=[{("pass" if k == "pass_" else k): v for k, v in r.items()} for r in rows]),
                  f, indent=2)
    print(f"\nwrote {out}")
    chart = save_chart(rows, os.path.splitext(out)[0] + ".png", device)
    if chart:
        print(f"wrote {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
