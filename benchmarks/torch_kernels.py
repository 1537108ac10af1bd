"""PyTorch's own kernels (cuDNN's) for bench.py's decoder cases: per mode and pass the CUDA kernels torch.profiler
sees and their mean times, so a case where PyTorch is faster shows how it splits the work.  Needs torch only.
Usage: python benchmarks/torch_kernels.py unet-256-128 vnet-128-64 ..."""
import sys

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

# (cin, cout, kernel, padding, output_padding, x shape): bench.py's DECODER_CASES
CASES = {"unet-256-128": (256, 128, 2, 0, 0, (2, 256, 16, 16, 16)), "unet-128-64": (128, 64, 2, 0, 0, (2, 128, 32, 32, 32)),
         "unet-64-32": (64, 32, 2, 0, 0, (2, 64, 64, 64, 64)), "vnet-128-64": (128, 64, 3, 1, 1, (2, 128, 32, 32, 32)),
         "video-64-32": (64, 32, 3, 1, 1, (2, 64, 8, 64, 64))}
MODES = {"fp32-cl": (torch.float32, True), "bf16-cl": (torch.bfloat16, True), "fp32": (torch.float32, False),
         "bf16": (torch.bfloat16, False)}


def run(name, mode, reps=10):
    cin, cout, k, p, op, xs = CASES[name]
    dt, cl = MODES[mode]
    mf = torch.channels_last_3d if cl else torch.contiguous_format
    x = torch.randn(xs, device="cuda", dtype=dt).contiguous(memory_format=mf).requires_grad_()
    w = (torch.randn(cin, cout, k, k, k, device="cuda", dtype=dt) / (cin * k) ** 0.5).requires_grad_()
    b = torch.randn(cout, device="cuda", dtype=dt).requires_grad_()
    fwd = lambda: F.conv_transpose3d(x, w, b, 2, p, op)
    y = fwd()
    g = torch.randn_like(y)
    for _ in range(3):
        fwd().backward(g)
    torch.cuda.synchronize()
    for what, fn in (("forward", fwd), ("backward", lambda: y.backward(g, retain_graph=True))):
        y = fwd()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(reps):
                fn()
            torch.cuda.synchronize()
        rows = [e for e in prof.key_averages() if e.device_type == torch.autograd.DeviceType.CUDA]
        total = sum(e.device_time_total for e in rows) / reps
        print(f"-- {name} {mode} {what}: {total:.1f} us a call")
        for e in sorted(rows, key=lambda e: -e.device_time_total):
            print(f"   {e.device_time_total / reps:8.1f} us x{e.count / reps:.0f}  {e.key[:110]}")


def main():
    torch.backends.cudnn.allow_tf32 = True
    print(torch.cuda.get_device_name(), torch.__version__, "cuDNN", torch.backends.cudnn.version())
    for name in sys.argv[1:] or CASES:
        for mode in MODES:
            run(name, mode)


if __name__ == "__main__":
    main()
