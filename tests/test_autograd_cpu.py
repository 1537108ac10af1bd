"""Autograd, fake-tensor and torch.compile integration of the ops, on CPU."""
import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from cutlass_convt3d import ConvTranspose3d, conv_transpose3d
from helpers import ARG_SETS, compiled_vs_eager, opcheck_all

ops = torch.ops.cutlass_convt3d


def _make(shape_x, shape_w, dtype=torch.float64, requires_grad=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape_x, dtype=dtype, generator=g).requires_grad_(requires_grad)
    w = torch.randn(shape_w, dtype=dtype, generator=g).requires_grad_(requires_grad)
    return x, w


def _bias_for(groups, w, has_bias, dtype, requires_grad=False):
    if not has_bias:
        return None
    return torch.randn(w.shape[1] * groups, dtype=dtype).requires_grad_(requires_grad)


@pytest.mark.parametrize("case", ARG_SETS)
def test_gradcheck_float64(case):
    sx, sw, has_bias, stride, padding, output_padding, groups, dilation = case
    x, w = _make(sx, sw, requires_grad=True)
    b = _bias_for(groups, w, has_bias, torch.float64, requires_grad=True)

    def f(x, w, b):
        return conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation)

    assert torch.autograd.gradcheck(f, (x, w, b), fast_mode=True)


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "weight_cl"])
@pytest.mark.parametrize("case", ARG_SETS)
def test_opcheck_cpu(case, layout):
    # test_faketensor compares strides too: the CPU ops must return the layouts the fake impls promise
    sx, sw, has_bias, stride, padding, output_padding, groups, dilation = case
    x, w = _make(sx, sw, dtype=torch.float32)
    if layout != "ncdhw":
        w = w.to(memory_format=torch.channels_last_3d)
    if layout == "channels_last_3d":
        x = x.to(memory_format=torch.channels_last_3d)
    b = _bias_for(groups, w, has_bias, torch.float32)
    conv = (stride, padding, output_padding, groups, dilation, True)
    opcheck_all(x, w, b, conv)


class _OpLog(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.names = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.namespace == "cutlass_convt3d":
            self.names.append(func._opname)
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("x_grad,w_grad,bias,expected", [
    (True, True, True, {"conv_transpose3d_grad_input_weight", "conv_transpose3d_grad_bias"}),
    (True, True, False, {"conv_transpose3d_grad_input_weight"}),
    (False, True, False, {"conv_transpose3d_grad_weight"}),
    (True, False, False, {"conv_transpose3d_grad_input"}),
    (False, False, True, {"conv_transpose3d_grad_bias"}),
])
def test_backward_computes_only_needed_grads(x_grad, w_grad, bias, expected):
    x = torch.randn(1, 4, 3, 3, 3, requires_grad=x_grad)
    w = torch.randn(4, 2, 3, 3, 3, requires_grad=w_grad)
    b = torch.randn(2, requires_grad=True) if bias else None
    y = conv_transpose3d(x, w, b, stride=2)
    with _OpLog() as log:
        y.backward(torch.randn_like(y))
    assert set(log.names) == expected and len(log.names) == len(expected)
    assert (x.grad is not None) == x_grad and (w.grad is not None) == w_grad


def test_backward_with_expanded_and_noncontiguous_grad_output():
    torch.manual_seed(0)
    x = torch.randn(2, 4, 3, 4, 5, dtype=torch.float64)
    w = torch.randn(4, 6, 3, 3, 3, dtype=torch.float64)
    b = torch.randn(12, dtype=torch.float64)
    results = []
    for fn in (conv_transpose3d, F.conv_transpose3d):
        xs, ws, bs = (t.clone().requires_grad_() for t in (x, w, b))
        y = fn(xs, ws, bs, stride=2, padding=1, groups=2)
        # sum() sends an expanded (all-zero-stride) gradient; the slice-transposed product a strided one
        loss = y.sum() + (y.transpose(2, 4)[..., ::2] ** 2).sum()
        results.append(torch.autograd.grad(loss, (xs, ws, bs)))
    for ours, ref in zip(*results):
        torch.testing.assert_close(ours, ref)


def test_torch_compile_fullgraph_forward_backward():
    torch.manual_seed(0)
    m = ConvTranspose3d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
    x = torch.randn(2, 4, 3, 4, 5)
    results = compiled_vs_eager(m, x, backend="aot_eager")  # aot_eager: no C++ compiler needed
    for c, e in zip(*results):
        torch.testing.assert_close(c, e)


def test_fake_tensor_shapes_and_strides():
    from torch._subclasses.fake_tensor import FakeTensorMode

    cl = torch.channels_last_3d
    with FakeTensorMode():
        x = torch.empty(2, 8, 5, 6, 7)
        w = torch.empty(8, 3, 3, 2, 4).to(memory_format=cl)
        y = ops.conv_transpose3d(x, w, None, [2, 3, 1], [1, 0, 2], [1, 2, 0], 2, [1, 1, 2], True)
        assert y.shape == (2, 6, (5 - 1) * 2 - 2 + 3 + 1, (6 - 1) * 3 + 2 + 2, (7 - 1) - 4 + 2 * 3 + 1)
        assert y.is_contiguous(memory_format=cl)
        gx = ops.conv_transpose3d_grad_input(y, x, w, [2, 3, 1], [1, 0, 2], [1, 2, 0], 2, [1, 1, 2], True)
        assert gx.shape == x.shape and gx.is_contiguous()
        gw = ops.conv_transpose3d_grad_weight(y, x, w, [2, 3, 1], [1, 0, 2], [1, 2, 0], 2, [1, 1, 2], True)
        assert gw.shape == w.shape and gw.is_contiguous()
        assert ops.conv_transpose3d_grad_bias(y).shape == (6,)
        gx2, gw2 = ops.conv_transpose3d_grad_input_weight(y, x, w, [2, 3, 1], [1, 0, 2], [1, 2, 0], 2, [1, 1, 2], True)
        assert gx2.shape == x.shape and gx2.is_contiguous() and gw2.shape == w.shape and gw2.is_contiguous()


@pytest.mark.parametrize("args", [dict(stride=2),
                                  dict(stride=(2, 1, 3), padding=1, output_padding=(1, 0, 2), groups=2,
                                       dilation=(1, 2, 1))], ids=["s2", "mixed"])
def test_double_backward_gradgradcheck(args):
    """The gradient ops have autograd too (they are bilinear), so second derivatives are right, not silently
    dropped: gradgradcheck over input, weight and bias."""
    torch.manual_seed(0)
    g = args.get("groups", 1)
    x = torch.randn(2, 4, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, 3, 2, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3 * g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda x, w, b: conv_transpose3d(x, w, b, **args), (x, w, b))
