"""Host time per call: what the calling thread spends in one forward (and forward+backward) of PyTorch's
ConvTranspose3d and of ours, with the GPU kept busy so that no call waits for it.

The user's harness starts its CUDA-event timer with the GPU idle, so host time before the first kernel is
launched is inside its interval: a library that spends 50 us more per call than cuDNN's reads 50 us slower there
whatever its kernels do.  This measures that host time alone (the kernels' GPU time is bench.py's).

    python benchmarks/host_time.py [--reps 30]
"""
import argparse
import statistics
import time

import torch

from cutlass_convt3d import ModelNew
from cutlass_convt3d.reference import Model, get_init_inputs, get_inputs

# ~20 ms of GPU clock cycles: the first calls queue behind it, later ones behind the earlier calls' kernels
_BUSY_CYCLES = 40_000_000


def host_us(fn, reps):
    """Median host microseconds of fn() over reps calls made back to back behind a busy-wait kernel: no call waits
    for the GPU, and the thread stays hot (timing each call after a synchronize measures a core woken from idle
    instead: 2-4x these numbers on an H200 host, for PyTorch and ours alike)."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(_BUSY_CYCLES)
    us = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        us.append((time.perf_counter() - t0) * 1e6)
    torch.cuda.synchronize()
    return statistics.median(us)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    dev = torch.device("cuda")
    torch.manual_seed(0)
    ref = Model(*get_init_inputs()).to(dev)
    torch.manual_seed(0)
    new = ModelNew(*get_init_inputs()).to(dev)
    x = get_inputs()[0].to(dev)
    xg = x.clone().requires_grad_(True)
    with torch.no_grad():
        g = torch.randn_like(ref(x))
    op = torch.ops.cutlass_convt3d.conv_transpose3d
    w = new.conv_transpose3d.weight.detach()

    def fb(model, xin):
        return lambda: model(xin).backward(g)

    def nograd(model):
        def f():
            with torch.no_grad():
                model(x)
        return f

    rows = [
        ("forward, module (autograd recording)", lambda: ref(x), lambda: new(x)),
        ("forward, module under no_grad", nograd(ref), nograd(new)),
        ("forward, bare op", None, lambda: op(x, w, None, [2] * 3, [1] * 3, [0] * 3, 1, [1] * 3, True)),
        ("forward+backward, weight grad", fb(ref, x), fb(new, x)),
        ("forward+backward, input and weight grads", fb(ref, xg), fb(new, xg)),
    ]
    print(f"device: {torch.cuda.get_device_name(dev)}  torch {torch.__version__}  (median host us per call, "
          f"{args.reps} calls back to back behind a busy GPU)")
    print(f"{'call':44s} {'torch':>9s} {'ours':>9s}")
    for name, fr, fo in rows:
        tr = f"{host_us(fr, args.reps):9.1f}" if fr else f"{'-':>9s}"
        print(f"{name:44s} {tr} {host_us(fo, args.reps):9.1f}")
        for m in (ref, new):
            m.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
