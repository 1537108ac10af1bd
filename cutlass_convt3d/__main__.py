"""python -m cutlass_convt3d: check ModelNew against the reference Model the way the user's harness does,
then time both in the same process.

Exit status: 0 when every check passed, 1 without CUDA or on a failed check.
"""
import argparse
import json
import sys

import torch

SEEDS = (0, 1, 2)
ATOL = RTOL = 1e-4


def _build(cls, seed, device):
    torch.manual_seed(seed)
    from .reference import get_init_inputs

    return cls(*get_init_inputs()).to(device=device, dtype=torch.float32)


from ._timing import time_ms as _time_ms  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m cutlass_convt3d", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=20, help="timed repetitions per case (median is reported)")
    ap.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = ap.parse_args(argv)

    if not torch.cuda.is_available():
        print("cutlass_convt3d: no CUDA device is available (torch.cuda.is_available() is False); "
              "the check and the timings need an NVIDIA GPU with compute capability >= 8.0.", file=sys.stderr)
        return 1

    from . import ModelNew
    from .reference import Model, get_inputs

    device = torch.device("cuda")
    report = {
        "device": torch.cuda.get_device_name(device),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_allow_tf32": bool(torch.backends.cudnn.allow_tf32),
        "atol": ATOL, "rtol": RTOL, "checks": [], "timings": [],
    }
    print(f"device: {report['device']}  torch {report['torch']}  CUDA {report['cuda']}  cuDNN {report['cudnn']}  "
          f"cudnn.allow_tf32={report['cudnn_allow_tf32']}")

    ref = _build(Model, 0, device)
    new = _build(ModelNew, 0, device)
    ok = all(torch.equal(a, b) for a, b in zip(ref.state_dict().values(), new.state_dict().values()))
    ok = ok and list(ref.state_dict()) == list(new.state_dict())
    print(f"same parameters under the same seed: {'yes' if ok else 'NO'}")

    # 1. correctness, as the harness checks it
    for seed in SEEDS:
        torch.manual_seed(seed)
        x = get_inputs()[0].to(device)
        with torch.no_grad():
            y_ref, y_new = ref(x), new(x)
        max_abs = (y_ref - y_new).abs().max().item()
        passed = y_ref.shape == y_new.shape and torch.allclose(y_new, y_ref, atol=ATOL, rtol=RTOL)
        ok = ok and passed
        report["checks"].append({"seed": seed, "max_abs_diff": max_abs, "allclose": passed})
        print(f"seed {seed}: max |ours - torch| = {max_abs:.3e}  allclose(atol={ATOL}, rtol={RTOL}): "
              f"{'pass' if passed else 'FAIL'}")
        del x, y_ref, y_new

    # 2. timings, torch and ours in the same process
    torch.manual_seed(1234)
    x = get_inputs()[0].to(device)
    with torch.no_grad():
        g = torch.randn_like(ref(x))  # fixed upstream gradient for y.backward(g)

    def forward(model, xin):
        return lambda: model(xin)

    def forward_backward(model, xin):
        def step():
            for p in model.parameters():
                p.grad = None
            if xin.requires_grad:
                xin.grad = None
            model(xin).backward(g)
        return step

    x_grad = x.detach().clone().requires_grad_(True)
    cases = [
        ("forward", forward, x),
        ("forward+backward (weight grad)", forward_backward, x),
        ("forward+backward (input+weight grads)", forward_backward, x_grad),
    ]
    print(f"\n{'case':<40}{'torch ms':>10}{'ours ms':>10}{'speedup':>9}")
    for name, make, xin in cases:
        t_ref = _time_ms(make(ref, xin), args.reps)
        t_new = _time_ms(make(new, xin), args.reps)
        report["timings"].append({"case": name, "torch_ms": t_ref, "ours_ms": t_new, "speedup": t_ref / t_new})
        print(f"{name:<40}{t_ref:>10.3f}{t_new:>10.3f}{t_ref / t_new:>8.2f}x")

    report["passed"] = bool(ok)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if not ok:
        print("\nFAILED: ModelNew does not match the reference Model", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
