"""Which of PyTorch's ConvTranspose3d passes (cuDNN) use TF32 when torch.backends.cudnn.allow_tf32 is on, by group
width, against ours: relative error of forward, grad_input and grad_weight against float64 (~1e-7: exact fp32,
~3e-4: TF32).  The plan's op_math follows what this measures (README "Precision contract").

    python benchmarks/cudnn_tf32_probe.py
"""
import torch
import torch.nn.functional as F

from cutlass_convt3d import conv_transpose3d as ours


def rel(a, b):
    return ((a.double() - b).abs().max() / b.abs().max()).item()


def main():
    torch.manual_seed(0)
    for groups in (32, 8, 1):
        x = torch.randn(2, 32, 16, 32, 64, device="cuda")
        w = torch.randn(32, 32 // groups, 3, 3, 3, device="cuda")
        x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
        y64 = F.conv_transpose3d(x64, w64, stride=2, padding=1, groups=groups)
        gy = torch.randn_like(y64).float()
        gx64, gw64 = torch.autograd.grad(y64, (x64, w64), gy.double())
        for name, fn in (("cudnn", F.conv_transpose3d), ("ours", ours)):
            for tf32 in (True, False):
                torch.backends.cudnn.allow_tf32 = tf32
                xs, ws = x.clone().requires_grad_(), w.clone().requires_grad_()
                y = fn(xs, ws, None, stride=2, padding=1, groups=groups)
                gx, gw = torch.autograd.grad(y, (xs, ws), gy)
                print(f"groups={groups:2d} {name:5s} allow_tf32={tf32!s:5s} rel err fwd {rel(y, y64):.2e} "
                      f"grad_input {rel(gx, gx64):.2e} grad_weight {rel(gw, gw64):.2e}")


if __name__ == "__main__":
    main()
