"""Invalid arguments: where PyTorch raises, we raise too, with a message that names the offending parameter.

The validation is shared by the CPU and CUDA ops, so checking it on CPU covers both (the CUDA file repeats a
few cases on the GPU)."""
import pytest
import torch
import torch.nn.functional as F

from cutlass_convt3d import conv_transpose3d


def _x(c=4, dtype=torch.float32):
    return torch.randn(2, c, 3, 4, 5, dtype=dtype)


def _w(cin=4, cout_g=3, dtype=torch.float32):
    return torch.randn(cin, cout_g, 3, 3, 3, dtype=dtype)


# (id, args, kwargs, word our message must contain)
BAD = [
    ("stride0", (_x(), _w()), dict(stride=0), "stride"),
    ("stride_neg", (_x(), _w()), dict(stride=(1, -1, 1)), "stride"),
    ("stride_len2", (_x(), _w()), dict(stride=(2, 2)), "stride"),
    ("padding_neg", (_x(), _w()), dict(padding=-1), "padding"),
    ("padding_len4", (_x(), _w()), dict(padding=(0, 0, 0, 0)), "padding"),
    ("dilation0", (_x(), _w()), dict(dilation=0), "dilation"),
    ("output_padding_ge_stride", (_x(), _w()), dict(stride=2, output_padding=2), "output_padding"),
    ("output_padding_neg", (_x(), _w()), dict(output_padding=-1), "output_padding"),
    ("groups0", (_x(), _w()), dict(groups=0), "groups"),
    ("groups_neg", (_x(), _w()), dict(groups=-2), "groups"),
    ("dilation_neg", (_x(), _w()), dict(dilation=(1, -1, 1)), "dilation"),
    ("groups_not_dividing", (_x(), _w()), dict(groups=3), "groups"),
    ("channels_mismatch", (_x(c=5), _w()), dict(), "channels"),
    ("bias_shape", (_x(), _w(), torch.randn(4)), dict(), "bias"),
    ("bias_2d", (_x(), _w(), torch.randn(3, 1)), dict(), "bias"),
    ("bias_dtype", (_x(), _w(), torch.randn(3, dtype=torch.float64)), dict(), "bias"),
    ("weight_dtype", (_x(), _w(dtype=torch.float64)), dict(), "weight dtype"),
    ("input_3d", (torch.randn(4, 3, 5), _w()), dict(), "input"),
    ("input_6d", (torch.randn(1, 2, 4, 3, 4, 5), _w()), dict(), "input"),
    ("weight_4d", (_x(), torch.randn(4, 3, 3, 3)), dict(), "weight"),
    ("weight_empty_kernel", (_x(), torch.randn(4, 3, 3, 0, 3)), dict(), "weight"),
    ("input_empty_spatial", (torch.randn(2, 4, 0, 4, 5), _w()), dict(), "input"),
    ("output_too_small", (_x(), _w()), dict(padding=3), "padding"),
]


@pytest.mark.parametrize("args,kwargs,word", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_arguments_raise_like_torch(args, kwargs, word):
    with pytest.raises(RuntimeError):
        F.conv_transpose3d(*args, **kwargs)
    with pytest.raises(RuntimeError) as e:
        conv_transpose3d(*args, **kwargs)
    assert word in str(e.value)


def test_grad_ops_validate_grad_output():
    x, w = _x(), _w()
    args = ([1, 1, 1], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1], False)
    gy = torch.randn(2, 3, 5, 6, 7)
    torch.ops.cutlass_convt3d.conv_transpose3d_grad_input(gy, x, w, *args)  # right shape: accepted
    for bad in (torch.randn(2, 3, 5, 6, 8), torch.randn(2, 4, 5, 6, 7), gy.double()):
        for op in (torch.ops.cutlass_convt3d.conv_transpose3d_grad_input,
                   torch.ops.cutlass_convt3d.conv_transpose3d_grad_weight):
            with pytest.raises(RuntimeError, match="grad_output"):
                op(bad, x, w, *args)
    with pytest.raises(RuntimeError, match="grad_output"):
        torch.ops.cutlass_convt3d.conv_transpose3d_grad_bias(torch.randn(2, 3, 5))


def test_integer_dtype_rejected_with_dtype_in_message():
    # PyTorch's CPU kernel accepts int64 (its CUDA one does not); our op supports floating point only.
    with pytest.raises(RuntimeError, match="dtype"):
        conv_transpose3d(_x().long(), _w().long())
