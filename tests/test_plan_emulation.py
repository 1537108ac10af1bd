"""The CUDA kernels' tile/phase plan, executed on the CPU in float64 (the _emulate_* ops run the same C++
index math the kernels use: phase decomposition, K-loop steps, slab residue planes, epilogue mapping), against
PyTorch's float64 conv_transpose3d and its autograd. Catches indexing errors without a GPU.

The emulators start from NaN-filled outputs and refuse to write an element twice, so missed or duplicated
outputs show up as NaN or as an error."""
import os
import random

import pytest
import torch

import cutlass_convt3d  # noqa: F401  (registers the ops)
from helpers import (NONFINITE_ARGS, nonfinite_expectation, nonfinite_problem, random_case, rel_err,
                     torch_reference)

ops = torch.ops.cutlass_convt3d
TOL = 1e-9

# Tiny grids over the whole parameter space, plus long-w problems that cross the kernels' q-tile (128),
# w-block (64) and channel-block (16/32) boundaries.
N_SMALL = int(os.environ.get("CT3D_EMU_CASES", "300"))
N_WIDE = int(os.environ.get("CT3D_EMU_WIDE_CASES", "24"))


def _small(i):
    return random_case(random.Random(f"small-{i}"), max_channels=40, spatial=(1, 7))


def _wide(i):
    return random_case(random.Random(f"wide-{i}"), max_channels=70, spatial=(1, 2), w_range=(60, 300),
                       max_kernel=5, max_batch=1)


def _check(case):
    x, w, b, gy = case.tensors(torch.float64, generator=torch.Generator().manual_seed(0))
    y_ref, gx_ref, gw_ref, _ = torch_reference(case, x, w, b, gy)
    args = case.conv_args()
    y = ops._emulate_forward(x, w, b, *args)
    gx = ops._emulate_grad_input(gy, x, w, *args)
    gw = ops._emulate_grad_weight(gy, x, w, *args)
    errors = {"forward": rel_err(y, y_ref), "grad_input": rel_err(gx, gx_ref), "grad_weight": rel_err(gw, gw_ref)}
    bad = {k: v for k, v in errors.items() if not v <= TOL}
    assert not bad, f"{case}: relative errors {bad}"


@pytest.mark.parametrize("i", range(N_SMALL))
def test_plan_matches_torch_small(i):
    _check(_small(i))


@pytest.mark.parametrize("i", range(N_WIDE))
def test_plan_matches_torch_wide(i):
    _check(_wide(i))


def test_sweep_covers_the_parameter_space():
    """The random sweep really visits what the kernels special-case (so the tests above can fail)."""
    cases = [_small(i) for i in range(N_SMALL)] + [_wide(i) for i in range(N_WIDE)]
    seen = lambda f: {v for c in cases for v in f(c)}  # noqa: E731
    assert seen(lambda c: c.kernel) >= {1, 2, 3, 4, 5}
    assert seen(lambda c: c.stride) >= {1, 2, 3, 4}
    assert seen(lambda c: c.dilation) >= {1, 2, 3}
    assert seen(lambda c: c.padding) >= {0, 1, 2, 3}
    assert seen(lambda c: c.output_padding) >= {0, 1, 2, 3}
    assert seen(lambda c: [c.groups]) >= {1, 2, 3, 4, 8}
    assert seen(lambda c: [c.Cin // c.groups > 16, c.Cout // c.groups > 32, c.bias]) == {True, False}
    assert any(c.out_size()[2] // max(c.stride[2], 1) > 128 for c in cases)  # more than one q-tile per phase
    assert any(c.size[2] > 128 for c in cases)  # grad_input: more than one q-tile; grad_weight: > 2 w-blocks


def test_emulators_validate_like_the_ops():
    x, w = torch.randn(1, 4, 3, 3, 3, dtype=torch.float64), torch.randn(4, 2, 3, 3, 3, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="groups"):
        ops._emulate_forward(x, w, None, [1, 1, 1], [0, 0, 0], [0, 0, 0], 3, [1, 1, 1])
    with pytest.raises(RuntimeError, match="grad_output"):
        ops._emulate_grad_weight(torch.randn(1, 2, 5, 5, 4, dtype=torch.float64), x, w,
                                 [1, 1, 1], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1])


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_plan_forms_no_extra_products_with_nonfinite_inputs(value):
    """With NaN/inf in x or grad_y the plan's results are non-finite exactly where the mathematical result
    is: it never multiplies a non-finite element into an output it does not belong to (0 * inf = NaN)."""
    x, w, gy, x_bad, gy_bad = nonfinite_problem(value)
    args = NONFINITE_ARGS
    results = {
        "forward": ops._emulate_forward(x_bad, w, None, *args),
        "grad_input": ops._emulate_grad_input(gy_bad, x, w, *args),
        "grad_weight": ops._emulate_grad_weight(gy, x_bad, w, *args),
    }
    for kind, ours in results.items():
        masks, values = nonfinite_expectation(kind, x, w, gy, x_bad, gy_bad)
        finite = ~(masks[0] | masks[1] | masks[2])
        assert not finite.all()  # the planted values reach the result
        for name, mask, got in zip(("nan", "+inf", "-inf"), masks, (ours.isnan(), ours.isposinf(), ours.isneginf())):
            assert torch.equal(got, mask), (kind, name)
        assert rel_err(ours[finite], values[finite]) < 1e-12, kind


@pytest.mark.parametrize("i", range(12))
def test_unit_stride_forward_is_the_adjoint_grad_input(i):
    """v79's mapping (convt3d_plan_sm90.cpp, unit_forward_dgrad): at stride 1 the forward equals the grad_input of the
    adjoint problem -- input shaped like y, padding (K - 1) dil - p, the weight's channel dims swapped and its taps
    flipped -- with x as its grad_y; run here through the grad_input plan's own emulator (the kernel takes the same
    weight as a strided view)."""
    rng = random.Random(f"unit-{i}")
    k = [rng.randint(1, 4) for _ in range(3)]
    dil = [rng.choice([1, 1, 2, 3]) for _ in range(3)]
    pad = [rng.randint(0, (k[d] - 1) * dil[d]) for d in range(3)]
    cin, cout = rng.choice([3, 8, 32, 40]), rng.choice([5, 16, 32, 33])
    size = [rng.randint(max(1, 2 * pad[d] - (k[d] - 1) * dil[d] + 1), 7) for d in range(3)]
    gen = torch.Generator().manual_seed(i)
    x = torch.randn(rng.randint(1, 2), cin, *size, generator=gen, dtype=torch.float64)
    w = torch.randn(cin, cout, *k, generator=gen, dtype=torch.float64)
    y = torch.nn.functional.conv_transpose3d(x, w, None, 1, pad, 0, 1, dil)
    adj_pad = [(k[d] - 1) * dil[d] - pad[d] for d in range(3)]
    got = ops._emulate_grad_input(x, torch.empty_like(y), w.transpose(0, 1).flip(2, 3, 4), [1, 1, 1], adj_pad,
                                  [0, 0, 0], 1, dil)
    assert rel_err(got, y) <= TOL, f"k={k} dil={dil} pad={pad}: {rel_err(got, y):.3g}"
