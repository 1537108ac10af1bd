"""Python half of the operators: fake (meta) implementations, autograd, and the public functional.

The ops themselves (schema, argument validation, CPU and CUDA kernels) are defined in C++ and registered
when ``cutlass_convt3d._C`` is imported:

    torch.ops.cutlass_convt3d.conv_transpose3d(input, weight, bias, stride, padding, output_padding,
                                               groups, dilation, allow_tf32)
    torch.ops.cutlass_convt3d.conv_transpose3d_grad_input(grad_output, input, weight, <same 6>, allow_tf32)
    torch.ops.cutlass_convt3d.conv_transpose3d_grad_weight(grad_output, input, weight, <same 6>, allow_tf32)
    torch.ops.cutlass_convt3d.conv_transpose3d_grad_input_weight(<as grad_weight>) -> (grad_input, grad_weight)
    torch.ops.cutlass_convt3d.conv_transpose3d_grad_bias(grad_output)
"""
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor

__all__ = ["conv_transpose3d"]

_ns = torch.ops.cutlass_convt3d
_IntOr3 = Union[int, Sequence[int]]


# ---------------------------------------------------------------------------------------------- helpers
def _suggest_memory_format(t: Tensor) -> torch.memory_format:
    """at::Tensor::suggest_memory_format() for 5-D strided tensors (what the C++ ops use)."""
    from torch._prims_common import suggest_memory_format

    return suggest_memory_format(t)


def _conv_memory_format(input: Tensor, weight: Tensor) -> torch.memory_format:
    # PyTorch's convolutions return channels_last_3d when either operand is channels_last_3d.
    cl = torch.channels_last_3d
    if _suggest_memory_format(input) == cl or _suggest_memory_format(weight) == cl:
        return cl
    return torch.contiguous_format


def _output_size(input: Tensor, weight: Tensor, stride, padding, output_padding, groups, dilation) -> List:
    size = [input.shape[0], weight.shape[1] * groups]
    for d in range(3):
        size.append((input.shape[d + 2] - 1) * stride[d] - 2 * padding[d]
                    + dilation[d] * (weight.shape[d + 2] - 1) + 1 + output_padding[d])
    return size


def _check_shapes(input: Tensor, weight: Tensor, groups) -> None:
    # The C++ ops validate everything; these few checks keep fake tensors (torch.compile tracing) from
    # producing nonsense shapes before the real op gets to complain.
    torch._check(input.dim() == 5, lambda: f"cutlass_convt3d: expected 5-D input, got {input.dim()}-D")
    torch._check(weight.dim() == 5, lambda: f"cutlass_convt3d: expected 5-D weight, got {weight.dim()}-D")
    torch._check(groups > 0, lambda: f"cutlass_convt3d: non-positive groups is not supported (groups={groups})")
    torch._check(input.shape[1] == weight.shape[0],
                 lambda: f"cutlass_convt3d: input has {input.shape[1]} channels but weight expects "
                         f"in_channels={weight.shape[0]}")
    torch._check(weight.shape[0] % groups == 0,
                 lambda: f"cutlass_convt3d: in_channels={weight.shape[0]} must be divisible by groups ({groups})")


# ---------------------------------------------------------------------------------------------- fake impls
@torch.library.register_fake("cutlass_convt3d::conv_transpose3d")
def _conv_transpose3d_fake(input, weight, bias, stride, padding, output_padding, groups, dilation, allow_tf32):
    _check_shapes(input, weight, groups)
    size = _output_size(input, weight, stride, padding, output_padding, groups, dilation)
    return torch.empty(size, dtype=input.dtype, device=input.device,
                       memory_format=_conv_memory_format(input, weight))


@torch.library.register_fake("cutlass_convt3d::conv_transpose3d_grad_input")
def _grad_input_fake(grad_output, input, weight, stride, padding, output_padding, groups, dilation, allow_tf32):
    _check_shapes(input, weight, groups)
    return torch.empty(input.shape, dtype=input.dtype, device=input.device,
                       memory_format=_suggest_memory_format(input))


@torch.library.register_fake("cutlass_convt3d::conv_transpose3d_grad_weight")
def _grad_weight_fake(grad_output, input, weight, stride, padding, output_padding, groups, dilation, allow_tf32):
    _check_shapes(input, weight, groups)
    return torch.empty(weight.shape, dtype=weight.dtype, device=weight.device)


@torch.library.register_fake("cutlass_convt3d::conv_transpose3d_grad_input_weight")
def _grad_input_weight_fake(grad_output, input, weight, stride, padding, output_padding, groups, dilation, allow_tf32):
    args = (grad_output, input, weight, stride, padding, output_padding, groups, dilation, allow_tf32)
    return _grad_input_fake(*args), _grad_weight_fake(*args)


@torch.library.register_fake("cutlass_convt3d::conv_transpose3d_grad_bias")
def _grad_bias_fake(grad_output):
    torch._check(grad_output.dim() == 5, lambda: f"cutlass_convt3d: grad_output must be 5-D, got {grad_output.dim()}-D")
    return torch.empty((grad_output.shape[1],), dtype=grad_output.dtype, device=grad_output.device)


# ---------------------------------------------------------------------------------------------- autograd
def _setup_context(ctx, inputs, output):
    input, weight, bias, stride, padding, output_padding, groups, dilation, allow_tf32 = inputs
    ctx.save_for_backward(input, weight)
    ctx.conv_args = (stride, padding, output_padding, groups, dilation, allow_tf32)
    ctx.has_bias = bias is not None


def _backward(ctx, grad_output):
    input, weight = ctx.saved_tensors
    grad_input = grad_weight = grad_bias = None
    # grad_output is passed as it comes (possibly expanded or non-contiguous): the kernels take strides.
    # Both input gradients from one op, which reads grad_output once where the kernels would each copy it.
    if ctx.needs_input_grad[0] and ctx.needs_input_grad[1]:
        grad_input, grad_weight = _ns.conv_transpose3d_grad_input_weight(grad_output, input, weight, *ctx.conv_args)
    elif ctx.needs_input_grad[0]:
        grad_input = _ns.conv_transpose3d_grad_input(grad_output, input, weight, *ctx.conv_args)
    elif ctx.needs_input_grad[1]:
        grad_weight = _ns.conv_transpose3d_grad_weight(grad_output, input, weight, *ctx.conv_args)
    if ctx.has_bias and ctx.needs_input_grad[2]:
        grad_bias = _ns.conv_transpose3d_grad_bias(grad_output)
    return grad_input, grad_weight, grad_bias, None, None, None, None, None, None


torch.library.register_autograd("cutlass_convt3d::conv_transpose3d", _backward, setup_context=_setup_context)


# Double backward.  The gradient ops are bilinear, so their derivatives are the same three ops again:
#   grad_input(gy, w):  d/dgy = conv_transpose3d(g, w)      d/dw = grad_weight(gy, x := g)
#   grad_weight(gy, x): d/dgy = conv_transpose3d(x, g)      d/dx = grad_input(gy, w := g)
#   grad_bias(gy):      d/dgy = g broadcast over gy
# (`input` of grad_input and `weight` of grad_weight only carry shapes: no gradient.)
def _setup_grad_context(ctx, inputs, output):
    grad_output, input, weight = inputs[:3]
    ctx.save_for_backward(grad_output, input, weight)
    ctx.conv_args = tuple(inputs[3:])


def _grad_input_backward(ctx, g):
    grad_output, input, weight = ctx.saved_tensors
    d_gy = d_w = None
    if ctx.needs_input_grad[0]:
        d_gy = _ns.conv_transpose3d(g, weight, None, *ctx.conv_args)
    if ctx.needs_input_grad[2]:
        d_w = _ns.conv_transpose3d_grad_weight(grad_output, g, weight, *ctx.conv_args)
    return (d_gy, None, d_w) + (None,) * len(ctx.conv_args)


def _grad_weight_backward(ctx, g):
    grad_output, input, weight = ctx.saved_tensors
    d_gy = d_x = None
    if ctx.needs_input_grad[0]:
        d_gy = _ns.conv_transpose3d(input, g, None, *ctx.conv_args)
    if ctx.needs_input_grad[1]:
        d_x = _ns.conv_transpose3d_grad_input(grad_output, input, g, *ctx.conv_args)
    return (d_gy, d_x, None) + (None,) * len(ctx.conv_args)


def _grad_input_weight_backward(ctx, g_input, g_weight):
    # the two ops' formulas above, summed where both reach grad_output (None: that output's gradient is unused)
    grad_output, input, weight = ctx.saved_tensors
    d_gy = d_x = d_w = None
    if ctx.needs_input_grad[0] and g_input is not None:
        d_gy = _ns.conv_transpose3d(g_input, weight, None, *ctx.conv_args)
    if ctx.needs_input_grad[0] and g_weight is not None:
        part = _ns.conv_transpose3d(input, g_weight, None, *ctx.conv_args)
        d_gy = part if d_gy is None else d_gy + part
    if ctx.needs_input_grad[1] and g_weight is not None:
        d_x = _ns.conv_transpose3d_grad_input(grad_output, input, g_weight, *ctx.conv_args)
    if ctx.needs_input_grad[2] and g_input is not None:
        d_w = _ns.conv_transpose3d_grad_weight(grad_output, g_input, weight, *ctx.conv_args)
    return (d_gy, d_x, d_w) + (None,) * len(ctx.conv_args)


def _setup_bias_context(ctx, inputs, output):
    ctx.gy_shape = inputs[0].shape


def _grad_bias_backward(ctx, g):
    return g.view(1, -1, 1, 1, 1).expand(ctx.gy_shape)


torch.library.register_autograd("cutlass_convt3d::conv_transpose3d_grad_input", _grad_input_backward,
                                setup_context=_setup_grad_context)
torch.library.register_autograd("cutlass_convt3d::conv_transpose3d_grad_weight", _grad_weight_backward,
                                setup_context=_setup_grad_context)
torch.library.register_autograd("cutlass_convt3d::conv_transpose3d_grad_input_weight", _grad_input_weight_backward,
                                setup_context=_setup_grad_context)
torch.library.register_autograd("cutlass_convt3d::conv_transpose3d_grad_bias", _grad_bias_backward,
                                setup_context=_setup_bias_context)


# ---------------------------------------------------------------------------------------------- functional
def _triple(value: _IntOr3, name: str) -> List[int]:
    if isinstance(value, (int, torch.SymInt)):
        return [value] * 3
    value = list(value)
    if len(value) == 1:  # like ATen's expand_param_if_needed
        return value * 3
    if len(value) != 3:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of 3 values to match the "
                           f"convolution dimensions, but got {name}={value}")
    return value


def _allow_tf32() -> bool:
    """Whether cuDNN convolutions may use TF32 for float32 right now (torch.backends.cudnn.allow_tf32)."""
    try:
        return bool(torch.backends.cudnn.allow_tf32)
    except RuntimeError:
        # The legacy getter refuses once the new fp32_precision API set conv and rnn differently;
        # then the convolution-specific setting (inheriting from its parents when "none") decides.
        prec = torch.backends.cudnn.conv.fp32_precision
        if prec == "none":
            prec = torch.backends.cudnn.fp32_precision
        if prec == "none":
            prec = torch.backends.fp32_precision
        return prec == "tf32"


def _autocast(t: Optional[Tensor], dtype: torch.dtype) -> Optional[Tensor]:
    # autocast's lower-precision policy: floating-point tensors other than float64 are cast.
    if t is None or not t.is_floating_point() or t.dtype in (torch.float64, dtype):
        return t
    return t.to(dtype)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOr3 = 1,
                     padding: _IntOr3 = 0, output_padding: _IntOr3 = 0, groups: int = 1,
                     dilation: _IntOr3 = 1) -> Tensor:
    """Drop-in for :func:`torch.nn.functional.conv_transpose3d` (same arguments and results).

    input: (N, Cin, D, H, W) or unbatched (Cin, D, H, W); weight: (Cin, Cout/groups, kD, kH, kW).
    float32 follows ``torch.backends.cudnn.allow_tf32`` like cuDNN: TF32 products when allowed,
    fp32-accurate (3xTF32) otherwise.
    """
    stride = _triple(stride, "stride")
    padding = _triple(padding, "padding")
    output_padding = _triple(output_padding, "output_padding")
    dilation = _triple(dilation, "dilation")

    # conv_transpose3d is on autocast's lower-precision list (CUDA and CPU); mirror that.
    device_type = input.device.type
    if device_type in ("cuda", "cpu") and torch.is_autocast_enabled(device_type):
        dtype = torch.get_autocast_dtype(device_type)
        input, weight, bias = _autocast(input, dtype), _autocast(weight, dtype), _autocast(bias, dtype)

    unbatched = input.dim() == 4
    if unbatched:
        input = input.unsqueeze(0)
    out = _ns.conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                               _allow_tf32())
    return out.squeeze(0) if unbatched else out
