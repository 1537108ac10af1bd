"""Developer smoke check on a GPU: every op against float64 over random parameter sets and dtypes, with the
caching allocator's free memory poisoned (NaN) so unwritten outputs show, then the mission shape timed.
Talks to the raw ops (torch.ops.cutlass_convt3d).

    python benchmarks/gpu_check.py [--n 40] [--seed 0] [--no-time]
"""
import argparse
import random
import sys

import torch
import torch.nn.functional as F

import cutlass_convt3d  # noqa: F401  (registers the ops)
from cutlass_convt3d._timing import time_ms as timeit

ops = torch.ops.cutlass_convt3d


POISON_BYTES = 4 << 30


def poison():
    # fill the allocator's cached blocks with NaN so an output that reuses them shows unwritten elements
    free = torch.cuda.mem_get_info()[0]
    n = min(int(free * 0.5), POISON_BYTES) // 4
    t = torch.full((n,), float("nan"), device="cuda")
    del t


def rel(a, b):
    return ((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-300)).item()


def rand_case(rng):
    g = rng.choice([1, 1, 2, 3, 4])
    cin = g * rng.randint(1, 12)
    coutg = rng.randint(1, 12)
    k = [rng.randint(1, 4) for _ in range(3)]
    s = [rng.randint(1, 3) for _ in range(3)]
    dil = [rng.randint(1, 2) for _ in range(3)]
    p = [rng.randint(0, (k[i] - 1) * dil[i]) for i in range(3)]
    op = [rng.randint(0, max(s[i], dil[i]) - 1) for i in range(3)]
    sp = [rng.randint(1, 9) for _ in range(2)] + [rng.randint(1, 150)]
    n = rng.randint(1, 2)
    if rng.random() < 0.5:  # w extents of x and y whole 16-byte vectors: the kernels' vector-copy paths
        s[2], k[2], p[2] = rng.choice([(2, 2, 0), (2, 4, 1), (1, 3, 1), (1, 1, 0)])
        dil[2], op[2], sp[2] = 1, 0, 8 * rng.randint(1, 12)
    for i in range(3):
        if (sp[i] - 1) * s[i] - 2 * p[i] + dil[i] * (k[i] - 1) + 1 + op[i] <= 0:
            p[i] = 0
    return dict(n=n, cin=cin, cout=coutg * g, g=g, k=k, s=s, p=p, op=op, dil=dil, sp=sp, bias=rng.random() < 0.5)


TOL = {  # dtype, allow_tf32 -> relative L2 tolerance vs float64
    (torch.float32, False): 1e-5,
    (torch.float32, True): 2e-3,
    (torch.float16, False): 5e-3,
    (torch.bfloat16, False): 3e-2,
    (torch.float64, False): 1e-12,
}


def check_case(c, dtype, tf32, gen):
    dev = "cuda"
    x = torch.rand(c["n"], c["cin"], *c["sp"], generator=gen).to(dev, dtype)
    w = (torch.randn(c["cin"], c["cout"] // c["g"], *c["k"], generator=gen) * 0.2).to(dev, dtype)
    b = torch.randn(c["cout"], generator=gen).to(dev, dtype) if c["bias"] else None
    args = (c["s"], c["p"], c["op"], c["g"], c["dil"])
    ref = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), c["s"], c["p"], c["op"],
                             c["g"], c["dil"])
    poison()
    y = ops.conv_transpose3d(x, w, b, *args, tf32)
    gy = torch.randn(ref.shape, generator=gen).to(dev, dtype)
    xd, wd = x.double().requires_grad_(), w.double().requires_grad_()
    F.conv_transpose3d(xd, wd, None, c["s"], c["p"], c["op"], c["g"], c["dil"]).backward(gy.double())
    poison()
    gx = ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32)
    poison()
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf32)
    gb = ops.conv_transpose3d_grad_bias(gy)
    errs = dict(fwd=rel(y, ref), dx=rel(gx, xd.grad), dw=rel(gw, wd.grad), db=rel(gb, gy.double().sum((0, 2, 3, 4))))
    nan = any(torch.isnan(t).any().item() for t in (y, gx, gw, gb))
    return errs, nan




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-time", action="store_true")
    ap.add_argument("--no-mission", action="store_true", help="skip the full-size checks (e.g. under compute-sanitizer)")
    a = ap.parse_args()
    global POISON_BYTES
    if a.no_mission:
        POISON_BYTES = 64 << 20  # small shapes: keep the poisoned pool small (sanitizers track every byte)
    rng = random.Random(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    fails = 0
    for i in range(a.n):
        c = rand_case(rng)
        for (dtype, tf32), tol in TOL.items():
            errs, nan = check_case(c, dtype, tf32, gen)
            bad = nan or any(not (e <= tol) for e in errs.values())
            fails += bad
            if bad or i < 2:
                print(("FAIL " if bad else "ok   ") + f"{str(dtype)[6:]:8} tf32={int(tf32)} nan={nan} "
                      + " ".join(f"{k}={v:.1e}" for k, v in errs.items()) + f"  {c}", flush=True)
    print(f"random sweep: {a.n} cases x {len(TOL)} modes, {fails} failures", flush=True)
    if a.no_mission:
        return 1 if fails else 0
    # the user's test shape, agreement with cuDNN's TF32 forward
    x = torch.rand(4, 32, 32, 64, 128, device="cuda")
    w = torch.randn(32, 32, 3, 3, 3, device="cuda") * 0.06
    args = ([2, 2, 2], [1, 1, 1], [0, 0, 0], 1, [1, 1, 1])
    ref = F.conv_transpose3d(x, w, None, 2, 1)
    y = ops.conv_transpose3d(x, w, None, *args, True)
    print(f"mission TF32 vs cuDNN TF32: max abs {(y - ref).abs().max().item():.2e}", flush=True)
    ye = ops.conv_transpose3d(x, w, None, *args, False)
    y64 = F.conv_transpose3d(x.double(), w.double(), None, 2, 1)
    print(f"mission exact vs float64: max abs {(ye.double() - y64).abs().max().item():.2e} rel {rel(ye, y64):.2e}")
    if a.no_time:
        return 1 if fails else 0
    gy = torch.randn_like(ref)
    for tf32 in (True, False):
        torch.backends.cudnn.allow_tf32 = tf32
        t_ref = timeit(lambda: F.conv_transpose3d(x, w, None, 2, 1))
        t_us = timeit(lambda: ops.conv_transpose3d(x, w, None, *args, tf32))
        t_dx = timeit(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32))
        t_dw = timeit(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf32))
        xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
        t_ref_bw = timeit(lambda: torch.autograd.grad(F.conv_transpose3d(xr, wr, None, 2, 1), (xr, wr), gy))
        print(f"tf32={tf32}: fwd torch {t_ref:.3f} ms ours {t_us:.3f} ms ({t_ref / t_us:.2f}x) | "
              f"ours dgrad {t_dx:.3f} wgrad {t_dw:.3f} -> fwd+bwd {t_us + t_dx + t_dw:.3f} vs torch {t_ref_bw:.3f} ms",
              flush=True)
    torch.backends.cudnn.allow_tf32 = True
    for dtype in (torch.bfloat16, torch.float16):
        xh, wh, gh = x.to(dtype), w.to(dtype), gy.to(dtype)
        t_ref = timeit(lambda: F.conv_transpose3d(xh, wh, None, 2, 1))
        t_us = timeit(lambda: ops.conv_transpose3d(xh, wh, None, *args, True))
        t_dx = timeit(lambda: ops.conv_transpose3d_grad_input(gh, xh, wh, *args, True))
        t_dw = timeit(lambda: ops.conv_transpose3d_grad_weight(gh, xh, wh, *args, True))
        print(f"{dtype}: fwd torch {t_ref:.3f} ours {t_us:.3f} | dgrad {t_dx:.3f} wgrad {t_dw:.3f}", flush=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
