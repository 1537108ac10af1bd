"""Shared test helpers: random valid ConvTranspose3d problems and float64 references."""
import dataclasses
import random
from typing import List, Tuple

import torch
import torch.nn.functional as F


@dataclasses.dataclass
class Case:
    N: int
    Cin: int
    Cout: int
    groups: int
    size: Tuple[int, int, int]  # input D, H, W
    kernel: Tuple[int, int, int]
    stride: List[int]
    padding: List[int]
    output_padding: List[int]
    dilation: List[int]
    bias: bool

    def conv_args(self):
        """(stride, padding, output_padding, groups, dilation) in the ops' argument order."""
        return self.stride, self.padding, self.output_padding, self.groups, self.dilation

    def out_size(self):
        return [(i - 1) * s - 2 * p + d * (k - 1) + 1 + op for i, k, s, p, op, d in
                zip(self.size, self.kernel, self.stride, self.padding, self.output_padding, self.dilation)]

    def tensors(self, dtype=torch.float64, device="cpu", generator=None):
        """x, w, b (or None) and an upstream gradient gy, all standard normal."""
        def randn(*shape):
            return torch.randn(*shape, generator=generator, dtype=torch.float64).to(device=device, dtype=dtype)
        x = randn(self.N, self.Cin, *self.size)
        w = randn(self.Cin, self.Cout // self.groups, *self.kernel)
        b = randn(self.Cout) if self.bias else None
        gy = randn(self.N, self.Cout, *self.out_size())
        return x, w, b, gy


def random_case(rng: random.Random, *, max_channels=40, spatial=(1, 7), w_range=None, max_kernel=5, max_stride=4,
                max_padding=3, max_dilation=3, max_batch=2, cubic_prob=0.3, max_numel=None) -> Case:
    """A random problem that torch accepts: valid padding (output extent >= 1), output_padding below
    max(stride, dilation), groups dividing both channel counts. Odd channel counts are common on purpose.
    max_numel bounds the elements of input and output (keeps float64 references cheap)."""
    while True:
        groups = rng.choice([1, 1, 1, 2, 3, 4, 5, 8])
        cin_g = rng.randint(1, max(1, max_channels // groups))
        cout_g = rng.randint(1, max(1, max_channels // groups))
        cubic = rng.random() < cubic_prob

        def triple(lo, hi):
            if cubic:
                return [rng.randint(lo, hi)] * 3
            return [rng.randint(lo, hi) for _ in range(3)]

        size = triple(*spatial)
        if w_range is not None:
            size[2] = rng.randint(*w_range)
        kernel, stride, dilation = triple(1, max_kernel), triple(1, max_stride), triple(1, max_dilation)
        padding = triple(0, max_padding)
        output_padding = [rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)]
        case = Case(N=rng.randint(1, max_batch), Cin=cin_g * groups, Cout=cout_g * groups, groups=groups,
                    size=tuple(size), kernel=tuple(kernel), stride=stride, padding=padding,
                    output_padding=output_padding, dilation=dilation, bias=rng.random() < 0.5)
        out = case.out_size()
        numel = max(case.N * case.Cin * size[0] * size[1] * size[2], case.N * case.Cout * out[0] * out[1] * out[2])
        if all(o >= 1 for o in out) and (max_numel is None or numel <= max_numel):
            return case


def torch_reference(case: Case, x, w, b, gy):
    """PyTorch's output and gradients (input, weight, bias) for the given tensors, in their dtype."""
    x, w = x.detach().requires_grad_(True), w.detach().requires_grad_(True)
    b = b.detach().requires_grad_(True) if b is not None else None
    y = F.conv_transpose3d(x, w, b, *case.conv_args())
    inputs = (x, w) if b is None else (x, w, b)
    grads = torch.autograd.grad(y, inputs, gy)
    return y.detach(), grads[0], grads[1], (grads[2] if b is not None else None)


def rel_err(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """max |actual - expected| / max |expected|, in float64 (inf for NaN/inf in actual, or shape mismatch)."""
    if actual.shape != expected.shape:
        return float("inf")
    actual, expected = actual.double(), expected.double()
    if not torch.isfinite(actual).all():
        return float("inf")
    scale = expected.abs().max().item() if expected.numel() else 0.0
    diff = (actual - expected).abs().max().item() if expected.numel() else 0.0
    return diff / scale if scale > 0 else diff


# Small fixed argument sets for opcheck/gradcheck:
# (input shape, weight shape, bias?, stride, padding, output_padding, groups, dilation)
ARG_SETS = [
    ((2, 4, 3, 4, 5), (4, 3, 3, 3, 3), False, [1, 1, 1], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1]),
    ((1, 4, 3, 4, 5), (4, 2, 3, 3, 3), True, [2, 2, 2], [1, 1, 1], [1, 1, 1], 1, [1, 1, 1]),
    ((2, 6, 2, 3, 4), (6, 2, 2, 3, 1), True, [1, 2, 3], [0, 1, 0], [0, 1, 2], 3, [2, 1, 1]),
    ((1, 8, 3, 3, 3), (8, 1, 3, 3, 3), False, [2, 1, 2], [1, 0, 1], [0, 0, 1], 8, [1, 2, 1]),  # depthwise
]


# Non-finite inputs: (stride, padding, output_padding, groups, dilation) and a problem with NaN/inf planted
# in x and grad_y, at borders and inside, and with both signs so that some outputs sum +inf and -inf.
NONFINITE_ARGS = ([2, 2, 2], [1, 1, 1], [1, 1, 1], 1, [1, 1, 1])


def nonfinite_problem(value, dtype=torch.float64, device="cpu"):
    """x, w, gy (finite) and x_bad, gy_bad: copies of x and gy with +value/-value planted."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 8, 4, 5, 6, generator=g, dtype=torch.float64)
    w = torch.randn(8, 4, 3, 3, 3, generator=g, dtype=torch.float64)
    gy = torch.randn(1, 4, 8, 10, 12, generator=g, dtype=torch.float64)
    x_bad, gy_bad = x.clone(), gy.clone()
    for t, spots in ((x_bad, [(0, 3, 1, 2, 3), (0, 5, 0, 0, 0), (0, 0, 3, 4, 5), (0, 6, 1, 2, 4)]),
                     (gy_bad, [(0, 1, 3, 4, 5), (0, 0, 0, 0, 0), (0, 3, 7, 9, 11), (0, 2, 3, 4, 6)])):
        for j, idx in enumerate(spots):
            t[idx] = value if j % 2 == 0 else -value
    return tuple(t.to(device, dtype) for t in (x, w, gy, x_bad, gy_bad))


def _bilinear(kind, x, w, gy, args=NONFINITE_ARGS):
    """The float64 map of each op as a bilinear function of its two data inputs (x, w / gy, w / x, gy)."""
    if kind == "forward":
        return F.conv_transpose3d(x, w, None, *args)
    if kind == "grad_input":
        x0 = torch.zeros(x.shape, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(F.conv_transpose3d(x0, w, None, *args), x0, gy)[0]
    w0 = torch.zeros(w.shape, dtype=torch.float64, requires_grad=True)
    return torch.autograd.grad(F.conv_transpose3d(x, w0, None, *args), w0, gy)[0]


def nonfinite_expectation(kind, x, w, gy, x_bad, gy_bad, args=NONFINITE_ARGS, w_bad=None):
    """What `kind` should give with the planted values, from the mathematical (direct-sum over valid taps)
    definition: (isnan, isposinf, isneginf) masks, and the float64 values at the other positions.  kind is an op,
    or "grad_weight_gy": grad_weight with the values planted in grad_y instead of x, or "grad_input_w": grad_input
    with the values planted in the weight (w_bad).

    Found by propagating finite 0/1 indicators through the same bilinear map, so no implementation's
    0 * inf (from zero padding) leaks in -- PyTorch's own CPU grad_weight/grad_input do form such products."""
    x, w, gy, x_bad, gy_bad = (t.detach().double().cpu() for t in (x, w, gy, x_bad, gy_bad))
    if kind == "grad_input_w":
        bad, other, f = w_bad.detach().double().cpu(), gy, lambda a, b: _bilinear("grad_input", x, a, b, args)
    elif kind == "forward":
        bad, other, f = x_bad, w, lambda a, b: _bilinear(kind, a, b, None, args)
    elif kind == "grad_input":
        bad, other, f = gy_bad, w, lambda a, b: _bilinear(kind, x, b, a, args)
    elif kind == "grad_weight_gy":
        bad, other, f = gy_bad, x, lambda a, b: _bilinear("grad_weight", b, w, a, args)
    else:
        bad, other, f = x_bad, gy, lambda a, b: _bilinear(kind, a, w, b, args)
    ind = lambda m: m.to(torch.float64)  # noqa: E731
    plus_src, minus_src = ind(bad == float("inf")), ind(bad == -float("inf"))
    pos, neg = ind(other > 0), ind(other < 0)
    nan = f(ind(bad.isnan()), torch.ones_like(other)) > 0
    plus = (f(plus_src, pos) + f(minus_src, neg)) > 0
    minus = (f(plus_src, neg) + f(minus_src, pos)) > 0
    isnan = nan | (plus & minus)
    values = f(torch.where(torch.isfinite(bad), bad, 0.0), other)
    return (isnan, plus & ~isnan, minus & ~isnan), values


def opcheck_all(x, w, b, conv):
    """torch.library.opcheck on every public op for one argument set (conv = the six trailing op args)."""
    ops = torch.ops.cutlass_convt3d
    gy = torch.randn_like(ops.conv_transpose3d(x, w, b, *conv))
    torch.library.opcheck(ops.conv_transpose3d, (x, w, b, *conv))
    torch.library.opcheck(ops.conv_transpose3d,
                          (x.clone().requires_grad_(), w.clone().requires_grad_(),
                           None if b is None else b.clone().requires_grad_(), *conv))
    torch.library.opcheck(ops.conv_transpose3d_grad_input, (gy, x, w, *conv))
    torch.library.opcheck(ops.conv_transpose3d_grad_weight, (gy, x, w, *conv))
    torch.library.opcheck(ops.conv_transpose3d_grad_input_weight, (gy, x, w, *conv))
    torch.library.opcheck(ops.conv_transpose3d_grad_bias, (gy,))


def compiled_vs_eager(m, x, **compile_kwargs):
    """(output, grad_x, grad_weight, grad_bias) of torch.compile(m, fullgraph=True) and of eager m, for a loss
    that makes every gradient non-trivial."""
    compiled = torch.compile(m, fullgraph=True, **compile_kwargs)
    results = []
    for fn in (compiled, m):
        xs = x.clone().requires_grad_()
        y = fn(xs)
        results.append((y.detach(), *torch.autograd.grad((y * y).sum(), (xs, m.weight, m.bias))))
    return results
