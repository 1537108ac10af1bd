"""The CUDA kernels: accuracy per dtype and math mode, layouts, streams, determinism, torch.compile, hostile
inputs, and the user's check on the mission shape. Skipped without a GPU."""
import random
import re

import pytest
import torch
import torch.nn.functional as F

from cutlass_convt3d import ConvTranspose3d, ModelNew, conv_transpose3d
from cutlass_convt3d.reference import Model, get_init_inputs, get_inputs
from helpers import (ARG_SETS, compiled_vs_eager, opcheck_all, NONFINITE_ARGS, Case, nonfinite_expectation, nonfinite_problem, random_case, rel_err,
                     torch_reference)

pytestmark = pytest.mark.cuda
ops = torch.ops.cutlass_convt3d
DEV = "cuda"
CL = torch.channels_last_3d

# (id, dtype, allow_tf32, budget for max|err| / max|ref| against float64)
MODES = [
    ("fp32-exact", torch.float32, False, 1e-5),
    ("fp32-tf32", torch.float32, True, 2e-3),
    ("fp16", torch.float16, True, 1e-2),
    ("bf16", torch.bfloat16, True, 2e-2),
    ("fp64", torch.float64, True, 1e-12),
]
N_SWEEP = 40


def _sweep_case(i) -> Case:
    # Larger than the CPU emulation sweep: long w rows, channel counts past the 32-wide tiles.
    return random_case(random.Random(f"cuda-{i}"), max_channels=80, spatial=(1, 9), w_range=(1, 300),
                       max_batch=3, max_numel=3_000_000)


def _all_results(case, x, w, b, gy, allow_tf32):
    args = (*case.conv_args(), allow_tf32)
    y = ops.conv_transpose3d(x, w, b, *args)
    gx = ops.conv_transpose3d_grad_input(gy, x, w, *args)
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    gb = ops.conv_transpose3d_grad_bias(gy)
    return y, gx, gw, gb


def _assert_close_to(results, refs, budget, what):
    names = ("forward", "grad_input", "grad_weight", "grad_bias")
    errs = {name: rel_err(r, e) for name, r, e in zip(names, results, refs)}
    bad = {k: v for k, v in errs.items() if not v <= budget}
    assert not bad, f"{what}: relative errors {bad} exceed {budget:g}"


def _check_all_ops(case, dtype, allow_tf32, budget, seed, layout="ncdhw"):
    """All four ops on fresh random inputs (x and grad_y channels_last_3d if asked) against float64."""
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(seed))
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    b64 = None if b is None else b.double()
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b64, gy.double())
    _assert_close_to(ours, (y64, gx64, gw64, gy.double().sum((0, 2, 3, 4))), budget, f"{dtype} {layout} {case}")


@pytest.mark.parametrize("i", range(N_SWEEP))
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_sweep_against_float64(mode, i):
    _, dtype, allow_tf32, budget = mode
    case = _sweep_case(i)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(i))
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    for t in ours:
        assert t.dtype == dtype and t.device == x.device
    # the float64 truth for exactly these (rounded) inputs
    x64, w64, gy64 = x.double(), w.double(), gy.double()
    b64 = None if b is None else b.double()
    y64, gx64, gw64, _ = torch_reference(case, x64, w64, b64, gy64)
    _assert_close_to(ours, (y64, gx64, gw64, gy64.sum((0, 2, 3, 4))), budget, f"{mode[0]} {case}")


def test_tf32_rounds_operands_like_cudnn(restore_flags):
    """TF32 with operands rounded to nearest agrees with cuDNN's TF32 to ~1e-6; truncating them (raw fp32
    bits into the tensor cores) would miss by ~1e-4. Needs cuDNN to actually use TF32 for this problem."""
    torch.manual_seed(0)
    x = torch.rand(1, 32, 16, 32, 64, device=DEV)
    w = torch.randn(32, 32, 3, 3, 3, device=DEV) * 0.06
    y64 = F.conv_transpose3d(x.double(), w.double(), stride=2, padding=1)
    torch.backends.cudnn.allow_tf32 = True
    y_cudnn = F.conv_transpose3d(x, w, stride=2, padding=1)
    if rel_err(y_cudnn, y64) < 1e-5:
        pytest.skip("cuDNN computed this problem in exact fp32; no TF32 result to compare with")
    y = conv_transpose3d(x, w, stride=2, padding=1)
    assert rel_err(y, y64) > 1e-6, "allow_tf32=True should give a TF32 (not fp32-exact) result"
    assert rel_err(y, y_cudnn) < 1e-5


def _tf32(t, nearest):
    """fp32 -> the TF32 value the tensor cores multiply: mantissa cut to 10 bits, rounded to nearest-even or truncated."""
    u = t.contiguous().view(torch.int32).to(torch.int64) & 0xFFFFFFFF
    if nearest:
        u = u + 0xFFF + ((u >> 13) & 1)
    u = u & 0xFFFFE000
    return torch.where(u >= 2**31, u - 2**32, u).to(torch.int32).view(torch.float32).view_as(t)


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("stride", [1, 2])
def test_tf32_operands_rounded_to_nearest_in_every_op(stride, layout):
    """Each op's TF32 result is the float64 result of its operands rounded to nearest-even TF32 (products exact,
    fp32 sums: ~1e-6), far from that of truncated operands (~1e-3 apart): weights rounded when packed, the
    gathered operands as fragments are loaded (ldmatrix and plain loads, both layouts, gather strides 1 and 2)."""
    case = Case(N=1, Cin=32, Cout=24, groups=1, size=(4, 6, 37), kernel=(3, 3, 3), stride=[stride] * 3,
                padding=[1] * 3, output_padding=[stride - 1] * 3, dilation=[1] * 3, bias=False)
    x, w, _, gy = case.tensors(torch.float32, device=DEV, generator=torch.Generator().manual_seed(3))
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    args = (*case.conv_args(), True)
    ours = (ops.conv_transpose3d(x, w, None, *args), ops.conv_transpose3d_grad_input(gy, x, w, *args),
            ops.conv_transpose3d_grad_weight(gy, x, w, *args))
    near, trunc = (torch_reference(case, *(_tf32(t, rn).double() for t in (x, w)), None, _tf32(gy, rn).double())
                   for rn in (True, False))
    for name, r, e1, e2 in zip(("forward", "grad_input", "grad_weight"), ours, near, trunc):
        e_near, e_trunc = rel_err(r, e1), rel_err(r, e2)
        assert e_near < 1e-5 and e_near < e_trunc / 20, f"{name}: {e_near:.2e} from nearest, {e_trunc:.2e} from truncated"


def test_allow_tf32_flag_is_read_at_call_time(restore_flags):
    torch.manual_seed(0)
    x, w = torch.randn(1, 32, 8, 8, 32, device=DEV), torch.randn(32, 16, 3, 3, 3, device=DEV)
    y64 = F.conv_transpose3d(x.double(), w.double(), stride=2)
    torch.backends.cudnn.allow_tf32 = False
    exact = rel_err(conv_transpose3d(x, w, stride=2), y64)
    torch.backends.cudnn.allow_tf32 = True
    tf32 = rel_err(conv_transpose3d(x, w, stride=2), y64)
    assert exact < 1e-6 < tf32 < 2e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_modelnew_matches_model_on_mission_shape(seed):
    """The user's check: same seed, same init inputs, get_inputs(), torch.allclose at 1e-4, default flags."""
    torch.manual_seed(seed)
    ref = Model(*get_init_inputs()).to(DEV)
    torch.manual_seed(seed)
    new = ModelNew(*get_init_inputs()).to(DEV)
    torch.manual_seed(seed)
    x = get_inputs()[0].to(DEV)
    with torch.no_grad():
        y_ref, y = ref(x), new(x)
    assert y.shape == y_ref.shape
    assert torch.allclose(y, y_ref, atol=1e-4, rtol=1e-4), (y - y_ref).abs().max().item()


def test_modelnew_backward_on_mission_shape(restore_flags):
    torch.manual_seed(0)
    ref = Model(*get_init_inputs()).to(DEV)
    torch.manual_seed(0)
    new = ModelNew(*get_init_inputs()).to(DEV)
    x = get_inputs()[0].to(DEV)
    grads = []
    for model, tf32 in ((ref, False), (new, True)):  # truth: cuDNN in exact fp32
        torch.backends.cudnn.allow_tf32 = tf32
        xs = x.clone().requires_grad_()
        y = model(xs)
        g = torch.randn(y.shape, device=DEV, generator=torch.Generator(DEV).manual_seed(1))
        y.backward(g)
        grads.append((xs.grad, model.conv_transpose3d.weight.grad))
        del y, g
    for ours, truth in zip(grads[1], grads[0]):
        assert rel_err(ours, truth) < 2e-3


def _spread(t, dim):
    """t's values in a view whose stride along dim is doubled (non-dense, same shape)."""
    shape = list(t.shape)
    shape[dim] *= 2
    big = torch.full(shape, float("nan"), device=t.device, dtype=t.dtype)  # gaps hold NaN: reading them shows
    sl = [slice(None)] * t.dim()
    sl[dim] = slice(None, None, 2)
    big[tuple(sl)] = t
    return big[tuple(sl)]


def _misaligned(t):
    """t's values at a storage offset of 7 elements (breaks 16-byte alignment of the data pointer)."""
    flat = torch.empty(t.numel() + 7, device=t.device, dtype=t.dtype)
    return flat[7:].view_as(t).copy_(t)


LAYOUTS = {
    "x_cl": lambda x, w: (x.to(memory_format=CL), w),
    "w_cl": lambda x, w: (x, w.to(memory_format=CL)),
    "both_cl": lambda x, w: (x.to(memory_format=CL), w.to(memory_format=CL)),
    "x_strided_w": lambda x, w: (_spread(x, 4), w),
    "x_strided_c": lambda x, w: (_spread(x, 1), w),
    "x_permuted": lambda x, w: (x.permute(0, 2, 1, 4, 3).contiguous().permute(0, 2, 1, 4, 3), w),
    "w_transposed": lambda x, w: (x, w.transpose(0, 1).contiguous().transpose(0, 1)),
    "x_misaligned": lambda x, w: (_misaligned(x), _misaligned(w)),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts(layout, restore_flags):
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    x0 = torch.randn(2, 24, 5, 6, 70, device=DEV)
    w0 = torch.randn(24, 20, 3, 2, 3, device=DEV)
    b = torch.randn(20, device=DEV)
    x, w = LAYOUTS[layout](x0, w0)
    assert torch.equal(x, x0) and torch.equal(w, w0)
    kw = dict(stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0))

    xs, ws = x.detach().requires_grad_(), w.detach().requires_grad_()
    y = conv_transpose3d(xs, ws, b, **kw)
    assert y.stride() == F.conv_transpose3d(x, w, b, **kw).stride()  # output layout follows torch's rule
    g = torch.randn_like(y)
    gx, gw = torch.autograd.grad(y, (xs, ws), g)

    x64, w64 = x0.double().requires_grad_(), w0.double().requires_grad_()
    y64 = F.conv_transpose3d(x64, w64, b.double(), **kw)
    gx64, gw64 = torch.autograd.grad(y64, (x64, w64), g.double())
    assert rel_err(y, y64) < 1e-5 and rel_err(gx, gx64) < 1e-5 and rel_err(gw, gw64) < 1e-5


def test_expanded_and_strided_grad_output(restore_flags):
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    x = torch.randn(2, 16, 4, 5, 40, device=DEV, requires_grad=True)
    w = torch.randn(16, 12, 3, 3, 3, device=DEV, requires_grad=True)
    b = torch.randn(12, device=DEV, requires_grad=True)
    x64, w64, b64 = (t.detach().double().requires_grad_() for t in (x, w, b))
    grads = []
    for fn, args in ((conv_transpose3d, (x, w, b)), (F.conv_transpose3d, (x64, w64, b64))):
        y = fn(*args, stride=2, padding=1)
        loss = y.sum() + (y.transpose(2, 4)[..., ::3] ** 2).sum() * 1e-2  # stride-0 and permuted gradients
        grads.append(torch.autograd.grad(loss, args))
    for ours, ref in zip(*grads):
        assert rel_err(ours, ref) < 1e-5


@pytest.mark.parametrize("case", ARG_SETS)
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "weight_cl"])
def test_opcheck_cuda(case, layout):
    sx, sw, has_bias, stride, padding, output_padding, groups, dilation = case
    torch.manual_seed(0)
    x, w = torch.randn(sx, device=DEV), torch.randn(sw, device=DEV)
    if layout != "ncdhw":
        w = w.to(memory_format=CL)
    if layout == "channels_last_3d":
        x = x.to(memory_format=CL)
    b = torch.randn(sw[1] * groups, device=DEV) if has_bias else None
    conv = (stride, padding, output_padding, groups, dilation, False)
    opcheck_all(x, w, b, conv)


def test_torch_compile_fullgraph(restore_flags):
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    m = ConvTranspose3d(16, 24, 3, stride=2, padding=1, output_padding=1, groups=2).to(DEV)
    x = torch.randn(2, 16, 4, 6, 20, device=DEV)
    results = compiled_vs_eager(m, x)
    for c, e in zip(*results):
        assert rel_err(c, e) < 1e-6


def test_deterministic_mode_bitwise_repeatable(restore_flags):
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(0)
    x = torch.randn(2, 32, 8, 16, 64, device=DEV)
    w = torch.randn(32, 32, 3, 3, 3, device=DEV)
    args = ([2, 2, 2], [1, 1, 1], [0, 0, 0], 1, [1, 1, 1], True)
    gy = torch.randn_like(ops.conv_transpose3d(x, w, None, *args))
    for op, inputs in ((ops.conv_transpose3d, (x, w, None)), (ops.conv_transpose3d_grad_input, (gy, x, w)),
                       (ops.conv_transpose3d_grad_weight, (gy, x, w))):
        first, second = op(*inputs, *args), op(*inputs, *args)
        assert torch.equal(first, second), op
    assert torch.equal(ops.conv_transpose3d_grad_bias(gy), ops.conv_transpose3d_grad_bias(gy))


def test_runs_on_the_current_stream():
    """The ops queue work on the caller's current stream: a consumer that only waits on that stream sees
    the result, and the producer's delayed write is seen by the op."""
    torch.manual_seed(0)
    x = torch.randn(2, 16, 6, 8, 64, device=DEV)
    w = torch.randn(16, 8, 3, 3, 3, device=DEV)
    expected = conv_transpose3d(x, w, stride=2)
    torch.cuda.synchronize()
    before = torch.cuda.current_stream()
    side = torch.cuda.Stream()
    xin = torch.zeros_like(x)
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        torch.cuda._sleep(50_000_000)  # ~tens of ms: an op on another stream would read zeros
        xin.copy_(x)
        y = conv_transpose3d(xin, w, stride=2)
        assert torch.cuda.current_stream() == side
    assert torch.cuda.current_stream() == before
    torch.cuda.current_stream().wait_stream(side)
    assert torch.equal(y, expected)


def test_concurrent_threads(restore_flags):
    """The ops called from several threads at once, each on its own stream, over every mode: the library's
    per-device caches (occupancy, shared-memory limits, device attributes) are read and filled concurrently, and
    every result still matches float64."""
    import threading

    jobs = [(m, _sweep_case(100 + 5 * j + k)) for j, m in enumerate(MODES) for k in range(5)]
    errors = []

    def worker(part):
        try:
            with torch.cuda.stream(torch.cuda.Stream()):
                for i, ((name, dtype, allow_tf32, budget), case) in enumerate(part):
                    _check_all_ops(case, dtype, allow_tf32, budget, seed=i)
                torch.cuda.current_stream().synchronize()
        except Exception as e:  # noqa: BLE001 -- reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(jobs[t::4],)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.skipif(not torch.cuda.is_available() or torch.cuda.device_count() < 2, reason="needs 2 GPUs")
def test_other_device_and_current_device_untouched():
    torch.manual_seed(0)
    x, w = torch.randn(1, 8, 4, 4, 16), torch.randn(8, 4, 3, 3, 3)
    with torch.cuda.device(0):
        y1 = conv_transpose3d(x.to("cuda:1"), w.to("cuda:1"), stride=2)
        assert torch.cuda.current_device() == 0
    assert y1.device == torch.device("cuda:1")
    assert rel_err(y1.cpu(), F.conv_transpose3d(x, w, stride=2)) < 2e-3


def test_device_mismatch_errors():
    x, w = torch.randn(1, 4, 3, 3, 3, device=DEV), torch.randn(4, 2, 3, 3, 3)
    for args, word in (((x, w), "weight"), ((x, w.to(DEV), torch.randn(2)), "bias")):
        with pytest.raises(RuntimeError):
            F.conv_transpose3d(*args)
        with pytest.raises(RuntimeError, match=word):
            conv_transpose3d(*args)


def test_empty_batch():
    x = torch.randn(0, 8, 3, 4, 5, device=DEV, requires_grad=True)
    w = torch.randn(8, 4, 3, 3, 3, device=DEV, requires_grad=True)
    b = torch.randn(4, device=DEV, requires_grad=True)
    y = conv_transpose3d(x, w, b, stride=2)
    assert y.shape == F.conv_transpose3d(x, w, b, stride=2).shape
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert torch.equal(w.grad, torch.zeros_like(w)) and torch.equal(b.grad, torch.zeros_like(b))


@pytest.mark.parametrize("dtype,allow_tf32", [(torch.float32, False), (torch.float32, True), (torch.float16, True)],
                         ids=["fp32-exact", "fp32-tf32", "fp16"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_nonfinite_inputs_propagate(dtype, allow_tf32, value):
    """NaN/inf in x (forward, grad_weight) or grad_y (grad_input): ours is NaN/+inf/-inf exactly where the
    mathematical result is, finite and accurate elsewhere. Catches 3xTF32 splits that compute inf - inf, and
    zero padding (of taps, channels or tiles) multiplied with a non-finite element.
    Non-finite weights are left out: whether zero padding times an inf weight enters a result is
    implementation-defined (PyTorch's own CPU grad_input forms those products)."""
    x, w, gy, x_bad, gy_bad = nonfinite_problem(value, dtype, DEV)
    args = (*NONFINITE_ARGS, allow_tf32)
    results = {
        "forward": ops.conv_transpose3d(x_bad, w, None, *args),
        "grad_input": ops.conv_transpose3d_grad_input(gy_bad, x, w, *args),
        "grad_weight": ops.conv_transpose3d_grad_weight(gy, x_bad, w, *args),
    }
    for kind, ours in results.items():
        _assert_nonfinite_as_expected(ours, *nonfinite_expectation(kind, x, w, gy, x_bad, gy_bad), 1e-2, kind)


def _assert_nonfinite_as_expected(got, masks, values, budget, what=""):
    """got is NaN/+inf/-inf exactly where masks (nonfinite_expectation) say, within budget of values elsewhere."""
    got = got.cpu()
    for name, mask, g in zip(("nan", "+inf", "-inf"), masks, (got.isnan(), got.isposinf(), got.isneginf())):
        assert torch.equal(g, mask), (what, name, int(g.sum()), int(mask.sum()))
    finite = ~(masks[0] | masks[1] | masks[2])
    assert rel_err(got[finite], values[finite]) <= budget, what


def test_autocast_like_torch():
    x, w = torch.randn(1, 8, 4, 4, 8, device=DEV), torch.randn(8, 4, 3, 3, 3, device=DEV)
    with torch.autocast("cuda", dtype=torch.float16):
        y, y_ref = conv_transpose3d(x, w, stride=2), F.conv_transpose3d(x, w, stride=2)
    assert y.dtype == y_ref.dtype == torch.float16
    assert rel_err(y, y_ref) < 1e-2


@pytest.mark.large
def test_output_past_2_31_elements(restore_flags):
    """Batch 33 of the mission problem: y has 2,154,509,280 elements (> 2^31). Checks the first and the last
    batch entries (the last straddles element 2^31) against cuDNN, both in exact fp32."""
    need = 33 * 32 * (32 * 64 * 128 + 63 * 127 * 255) * 4 + (4 << 30)
    free, _ = torch.cuda.mem_get_info()
    if free < need:
        pytest.skip(f"needs {need / 2**30:.0f} GiB free GPU memory")
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    w = torch.randn(32, 32, 3, 3, 3, device=DEV) * 0.06
    x = torch.rand(33, 32, 32, 64, 128, device=DEV)
    y = conv_transpose3d(x, w, stride=2, padding=1)
    assert y.numel() > 2**31
    for n in (0, 31, 32):
        ref = F.conv_transpose3d(x[n:n + 1], w, stride=2, padding=1)
        assert rel_err(y[n:n + 1], ref) < 1e-5, n


def _at_element_offset(t, offset):
    """t's values in a tensor whose data starts `offset` elements into its buffer (offset 1: not 16-byte
    aligned, and for 2-byte types every channel row on its own 16-byte phase)."""
    buf = torch.empty(t.numel() + offset, dtype=t.dtype, device=t.device)
    view = buf[offset:].view(t.shape)
    view.copy_(t)
    return view


# (w extent, kernel, stride, padding): rows whole 16-byte vectors or not, slabs starting before the row
VECTOR_EDGES = [(64, 4, 2, 1), (61, 3, 2, 1), (40, 3, 1, 1), (37, 5, 2, 2)]


@pytest.mark.parametrize("offset", [0, 1], ids=["aligned", "offset1"])
@pytest.mark.parametrize("edge", VECTOR_EDGES, ids=[f"w{e[0]}k{e[1]}s{e[2]}p{e[3]}" for e in VECTOR_EDGES])
@pytest.mark.parametrize("mode", MODES[:4], ids=[m[0] for m in MODES[:4]])
def test_vector_staging_edges(mode, edge, offset):
    """The slab loaders' 16-byte paths: aligned rows, rows on per-channel phases, vectors across both row ends,
    and the element fallbacks, for every op, against float64."""
    _, dtype, allow_tf32, budget = mode
    W, k, s, p = edge
    case = Case(N=2, Cin=20, Cout=36, groups=1, size=(3, 2, W), kernel=(2, 3, k), stride=[1, 2, s],
                padding=[0, 1, p], output_padding=[0, 0, 0], dilation=[1, 1, 1], bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(W + k))
    x, gy = _at_element_offset(x, offset), _at_element_offset(gy, offset)
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    _assert_close_to(ours, (y64, gx64, gw64, gy.double().sum((0, 2, 3, 4))), budget, f"{mode[0]} {case}")


@pytest.mark.parametrize("xs,ws,args", [
    ((2, 4, 1, 1, 1), (4, 3, 3, 3, 3), dict(stride=2)),                               # 1x1x1 input
    ((1, 3, 2, 1, 3), (3, 2, 9, 1, 11), dict(stride=(1, 2, 3), padding=(4, 0, 5))),  # kernel > input
    ((1, 2, 3, 4, 40), (2, 3, 7, 7, 21), dict(stride=(1, 1, 2), padding=3)),          # very large kernel
    ((1, 4, 2, 600, 5), (4, 6, 3, 3, 3), dict(stride=2, padding=1)),  # D + H > the plan's tap table: kernel's own
], ids=["1x1x1", "kernel_larger_than_input", "kernel_7x7x21", "tap_ranges_past_the_table"])
def test_unusual_shapes_against_float64(xs, ws, args, restore_flags):
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(3)
    x = torch.randn(*xs, device=DEV, requires_grad=True)
    w = torch.randn(*ws, device=DEV, requires_grad=True)
    y = conv_transpose3d(x, w, None, **args)
    gy = torch.randn_like(y)
    y.backward(gy)
    x64, w64 = x.detach().double().requires_grad_(), w.detach().double().requires_grad_()
    y64 = F.conv_transpose3d(x64, w64, None, **args)
    y64.backward(gy.double())
    for ours, ref in ((y, y64), (x.grad, x64.grad), (w.grad, w64.grad)):
        assert rel_err(ours, ref) <= 1e-5


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float32])
@pytest.mark.parametrize("gy_kind", ["ncdhw", "channels_last_3d", "expanded"])
def test_grad_input_weight_op_equals_the_two_ops(dtype, gy_kind, restore_flags):
    """The backward's combined op (both gradients; 2-byte stride-1 grad_output copied channels_last once for both
    kernels) gives bitwise the results of the two single-gradient ops, which copy it each."""
    torch.manual_seed(0)
    x = torch.randn(2, 16, 5, 6, 40, device=DEV, dtype=dtype)
    w = torch.randn(16, 24, 3, 3, 3, device=DEV, dtype=dtype)
    conv = ([1, 1, 1], [1, 1, 1], [0, 0, 0], 1, [1, 1, 1], True)
    gy = torch.randn(2, 24, 5, 6, 40, device=DEV, dtype=dtype)
    if gy_kind == "channels_last_3d":
        gy = gy.contiguous(memory_format=CL)
    elif gy_kind == "expanded":
        gy = torch.randn(1, 24, 1, 1, 1, device=DEV, dtype=dtype).expand(2, 24, 5, 6, 40)
    gx, gw = ops.conv_transpose3d_grad_input_weight(gy, x, w, *conv)
    assert torch.equal(gx, ops.conv_transpose3d_grad_input(gy, x, w, *conv))
    assert torch.equal(gw, ops.conv_transpose3d_grad_weight(gy, x, w, *conv))
    y64, gx64, gw64, _ = torch_reference(Case(2, 16, 24, 1, (5, 6, 40), (3, 3, 3), *conv[:3], conv[4], False),
                                         x.double(), w.double(), None, gy.double())
    budget = 2e-3 if dtype == torch.float32 else 2e-2
    assert rel_err(gx, gx64) < budget and rel_err(gw, gw64) < budget


def test_weight_only_requires_grad():
    x = torch.randn(2, 8, 3, 4, 5, device=DEV)
    w = torch.randn(8, 4, 3, 3, 3, device=DEV, requires_grad=True)
    y = conv_transpose3d(x, w, None, stride=2, padding=1)
    gy = torch.randn_like(y)
    y.backward(gy)
    assert x.grad is None
    w64 = w.detach().double().requires_grad_()
    F.conv_transpose3d(x.double(), w64, None, stride=2, padding=1).backward(gy.double())
    assert rel_err(w.grad, w64.grad) <= 2e-3


def test_double_backward_matches_torch():
    """Second derivatives (e.g. gradient penalties) through our gradient ops, float64 on the GPU."""
    torch.manual_seed(4)
    args = dict(stride=(2, 1, 2), padding=1, output_padding=(1, 0, 0), groups=2)
    x = torch.randn(2, 4, 3, 4, 5, device=DEV, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, 3, 2, 3, device=DEV, dtype=torch.float64, requires_grad=True)
    b = torch.randn(6, device=DEV, dtype=torch.float64, requires_grad=True)

    def penalty(fn):
        y = fn(x, w, b, **args)
        gx, gw = torch.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return torch.autograd.grad(gx.square().sum() + gw.square().sum(), (x, w, b))

    for ours, ref in zip(penalty(conv_transpose3d), penalty(F.conv_transpose3d)):
        torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-10)


def test_expanded_input_and_weight(restore_flags):
    """Stride-0 (expanded) x and weight are read through their strides, like any other layout."""
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(5)
    x = torch.randn(2, 6, 3, 4, 1, device=DEV).expand(2, 6, 3, 4, 33)
    w = torch.randn(6, 1, 3, 2, 3, device=DEV).expand(6, 5, 3, 2, 3)
    xs, ws = x.detach().requires_grad_(), w.detach().requires_grad_()
    y = conv_transpose3d(xs, ws, None, stride=2, padding=1)
    g = torch.randn_like(y)
    gx, gw = torch.autograd.grad(y, (xs, ws), g)
    x64, w64 = x.double().contiguous().requires_grad_(), w.double().contiguous().requires_grad_()
    y64 = F.conv_transpose3d(x64, w64, None, stride=2, padding=1)
    gx64, gw64 = torch.autograd.grad(y64, (x64, w64), g.double())
    assert rel_err(y, y64) < 1e-5 and rel_err(gx, gx64) < 1e-5 and rel_err(gw, gw64) < 1e-5


# Few channels per group (in, out <= 4) run the direct CUDA-core kernels; grad_weight too when every kernel
# extent is <= 3 (kernel 5 below takes the tensor-core grad_weight beside a direct forward and grad_input).
# (cin_g, cout_g, groups, kernel, stride, padding, output_padding, dilation, w extent)
DIRECT_CASES = [
    (1, 1, 6, 3, 2, 1, 1, 1, 67),    # depthwise, the issue's shape family
    (2, 1, 3, 3, 1, 1, 0, 1, 40),
    (1, 4, 2, (3, 2, 3), (2, 1, 3), 1, (1, 0, 2), 1, 33),
    (4, 4, 2, 3, 2, 0, 0, 2, 300),  # long rows: several warps per row
    (3, 2, 5, 5, 3, 2, 1, 1, 19),   # kernel 5: tensor-core grad_weight
    (3, 3, 4, 5, 1, 2, 0, 1, 600),  # 3 channels, the widest window span (4); rows of two chunks of 512 q
    (1, 1, 9, 4, 2, 1, 0, 1, 45),   # kernel 4 stride 2 (window span 2 / 3); a last CTA with 1 of its 4 groups
    # blocks of 4 output rows (one channel) sharing staged source rows: h stride 3 and dilation 2 (11 rows: a last
    # block of 3; grad_input's 4 rows read 11 spread grad_y rows)
    (1, 1, 5, 3, (1, 3, 2), (1, 2, 1), (0, 1, 1), (1, 2, 1), 70),
    (2, 2, 3, 3, (1, 2, 2), 1, (0, 1, 1), 1, 50),  # 2 channels: blocks of 2 rows
]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("case_args", DIRECT_CASES, ids=[f"cin{c[0]}cout{c[1]}g{c[2]}k{c[3]}" for c in DIRECT_CASES])
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_direct_kernels_small_groups(mode, case_args, layout):
    _, dtype, allow_tf32, budget = mode
    cin_g, cout_g, groups, k, s, p, op, d, W = case_args
    t3 = lambda v: list(v) if isinstance(v, tuple) else [v] * 3  # noqa: E731
    case = Case(N=2, Cin=cin_g * groups, Cout=cout_g * groups, groups=groups, size=(3, 4, W), kernel=tuple(t3(k)),
                stride=t3(s), padding=t3(p), output_padding=t3(op), dilation=t3(d), bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(W))
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    _assert_close_to(ours, (y64, gx64, gw64, gy.double().sum((0, 2, 3, 4))), budget, f"{mode[0]} {case}")


@pytest.mark.parametrize("dtype,allow_tf32", [(torch.float32, False), (torch.float32, True), (torch.bfloat16, True)],
                         ids=["fp32-exact", "fp32-tf32", "bf16"])
def test_direct_kernel_nonfinite_weight_forward(dtype, allow_tf32):
    """A non-finite weight in the staged direct kernel (depthwise, padding 0: the last output of a row has a w tap
    whose source lies past the input): outputs whose sums take that weight times an x are +-inf, all others finite
    and accurate, as PyTorch's float64 scatter gives.  The kernel multiplies staged zeros outside the tensor only
    where all its weights are finite; a CTA holding an inf must mask those taps (else inf * 0 = NaN there)."""
    torch.manual_seed(3)
    x = (torch.rand(2, 8, 3, 4, 40) + 0.5).to(dtype)  # positive: inf * x keeps the sign of the weight
    w = torch.randn(8, 1, 3, 3, 3).to(dtype)
    w[3, 0, 1, 1, 0] = float("inf")  # kw = 0: the tap the row's last output (o = 80) finds outside x
    w[5, 0, 0, 2, 2] = float("-inf")
    ref = F.conv_transpose3d(x.double(), w.double(), stride=2, groups=8)
    ours = ops.conv_transpose3d(x.to(DEV), w.to(DEV), None, [2, 2, 2], [0, 0, 0], [0, 0, 0], 8, [1, 1, 1],
                                allow_tf32).cpu()
    assert ref[:, 3, :, :, -1].isfinite().all() and ref.isposinf().any() and ref.isneginf().any()
    for got, want in ((ours.isnan(), ref.isnan()), (ours.isposinf(), ref.isposinf()), (ours.isneginf(), ref.isneginf())):
        assert torch.equal(got, want), (int(got.sum()), int(want.sum()))
    finite = ref.isfinite()
    assert rel_err(ours[finite], ref[finite]) < (2e-2 if dtype == torch.bfloat16 else 2e-3)


# Depthwise groups (one input and one output channel each, kernel extents <= 3, w stride <= 2) run the lane kernels:
# NCDHW (rows of unit stride) a warp per (group, chunk of 128 q, slice of destination rows), lane q and q + 32 v;
# channels_last a warp per (32 groups, slice of rows), a lane per group.  Forward and grad_input gather, grad_weight
# reads the forward's gather backwards.  40 groups: a second, partial block of 32 for channels_last.  (kernel, stride,
# padding, output_padding, dilation, input D H W), for their instances and edges:
DW_LANE_CASES = [
    (3, 2, 1, 1, 1, (3, 5, 150)),  # two phases x 2 window offsets; OW 300: a second q chunk, mostly past the row
    (3, 2, 1, 0, 1, (4, 3, 12)),   # short rows (no lane's middle v inside: every load predicated); OW odd
    (3, 1, 1, 0, 1, (3, 4, 70)),   # one phase x 3 offsets from d = -1 (the first output's kw = 2 source is x[-1])
    (2, 2, 0, 0, 1, (2, 3, 128)),  # one tap per phase; OW 256: q 0..127, one full chunk
    (3, 2, 2, 1, 2, (3, 3, 40)),   # dilation 2 at stride 2: all three w taps on one phase (2 phases x 3 offsets)
    ((3, 2, 1), (1, 2, 2), (1, 0, 0), (0, 1, 1), (1, 1, 1), (5, 4, 33)),  # anisotropic; kw = 1 on phase 0 only
]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("case_args", DW_LANE_CASES, ids=[f"k{c[0]}s{c[1]}p{c[2]}d{c[4]}w{c[5][2]}" for c in DW_LANE_CASES])
@pytest.mark.parametrize("mode", MODES[:4], ids=[m[0] for m in MODES[:4]])
def test_depthwise_lane_kernels(mode, case_args, layout):
    _, dtype, allow_tf32, budget = mode
    k, s, p, op, d, size = case_args
    t3 = lambda v: tuple(v) if isinstance(v, tuple) else (v,) * 3  # noqa: E731
    case = Case(N=2, Cin=40, Cout=40, groups=40, size=size, kernel=t3(k), stride=list(t3(s)), padding=list(t3(p)),
                output_padding=list(t3(op)), dilation=list(t3(d)), bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(sum(size)))
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    _assert_close_to(ours, (y64, gx64, gw64, gy.double().sum((0, 2, 3, 4))), budget, f"{mode[0]} {case}")


# (kernel, stride, padding, output_padding, input W, where the values go, their w positions): products the lane
# kernels form with a zero they loaded for an element outside the tensor, which a planted inf or NaN turns into NaN
DW_NONFINITE = [
    (3, 2, 1, 0, 20, "x", [19, 0, 7]),     # OW 39: the lane of q 19 loads gy[39] (past the row) as 0, times x[19]
    (3, 2, 1, 1, 20, "gy", [39, 0, 12]),   # o 39's kw = 0 source is x[20], past the row: loaded as 0, times gy[39]
    (3, 1, 1, 0, 50, "gy", [0, 49, 17]),   # o 0's kw = 2 source is x[-1]; o 49's kw = 0 source x[50]
    (3, 1, 1, 0, 50, "x", [0, 49, 30]),
]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("case_args", DW_NONFINITE, ids=[f"k{c[0]}s{c[1]}op{c[3]}-{c[5]}" for c in DW_NONFINITE])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
@pytest.mark.parametrize("dtype,allow_tf32", [(torch.float32, False), (torch.float32, True), (torch.bfloat16, True)],
                         ids=["fp32-exact", "fp32-tf32", "bf16"])
def test_depthwise_lane_kernels_nonfinite(dtype, allow_tf32, value, case_args, layout):
    """NaN/inf in x (forward, grad_weight) or grad_y (grad_input, grad_weight) of depthwise groups: NaN/+inf/-inf
    exactly where the sum over valid taps has them, finite and accurate elsewhere.  The lane kernels load elements
    outside the tensor as zeros and multiply them unmasked; a row (forward, grad_input) or a warp's sums
    (grad_weight) that come out non-finite are computed again with every product masked."""
    k, s, p, op, W, where, spots = case_args
    args = ([s] * 3, [p] * 3, [op] * 3, 4, [1, 1, 1])
    g = torch.Generator().manual_seed(W + op)
    x = torch.randn(1, 4, 3, 4, W, generator=g, dtype=torch.float64)
    w = torch.randn(4, 1, k, k, k, generator=g, dtype=torch.float64)
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=g, dtype=torch.float64)
    x_bad, gy_bad = x.clone(), gy.clone()
    bad = x_bad if where == "x" else gy_bad
    for j, o in enumerate(spots):  # channel j % 4, both signs
        bad[0, j % 4, 1, 2, o] = value if j % 2 == 0 else -value
    mf = CL if layout == "channels_last_3d" else torch.contiguous_format
    t = lambda v: v.to(DEV, dtype).contiguous(memory_format=mf)  # noqa: E731
    tw = w.to(DEV, dtype)
    if where == "x":
        results = {"forward": ops.conv_transpose3d(t(x_bad), tw, None, *args, allow_tf32),
                   "grad_weight": ops.conv_transpose3d_grad_weight(t(gy), t(x_bad), tw, *args, allow_tf32)}
    else:
        results = {"grad_input": ops.conv_transpose3d_grad_input(t(gy_bad), t(x), tw, *args, allow_tf32),
                   "grad_weight_gy": ops.conv_transpose3d_grad_weight(t(gy_bad), t(x), tw, *args, allow_tf32)}
    for kind, ours in results.items():
        ours = ours.cpu()
        masks, values = nonfinite_expectation(kind, x.to(dtype), w.to(dtype), gy.to(dtype), x_bad.to(dtype),
                                              gy_bad.to(dtype), args)
        assert (masks[0] | masks[1] | masks[2]).any(), kind
        for name, mask, got in zip(("nan", "+inf", "-inf"), masks, (ours.isnan(), ours.isposinf(), ours.isneginf())):
            assert torch.equal(got, mask), (kind, name, int(got.sum()), int(mask.sum()))
        finite = ~(masks[0] | masks[1] | masks[2])
        assert rel_err(ours[finite], values[finite]) < (2e-2 if dtype == torch.bfloat16 else 2e-3), kind


@pytest.mark.parametrize("chans", [1, 4])
def test_few_channel_groups_tf32_math_follows_cudnn(chans, restore_flags):
    """With TF32 allowed, ops on groups of few channels multiply as cuDNN's grouped kernels do (measured on the H200,
    README "Precision contract"): the forward, and grad_input of one channel per group, in exact fp32 -- bitwise what
    allow_tf32 off gives, so PyTorch's forward and ours agree to fp32 rounding --, grad_weight and grad_input of 4
    channels per group in TF32 (float64 of TF32-rounded operands)."""
    case = Case(N=2, Cin=32, Cout=32, groups=32 // chans, size=(4, 6, 40), kernel=(3, 3, 3), stride=[2] * 3,
                padding=[1] * 3, output_padding=[1] * 3, dilation=[1] * 3, bias=False)
    x, w, _, gy = case.tensors(torch.float32, device=DEV, generator=torch.Generator().manual_seed(chans))
    args = case.conv_args()

    def run(tf):
        return (ops.conv_transpose3d(x, w, None, *args, tf), ops.conv_transpose3d_grad_input(gy, x, w, *args, tf),
                ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf))

    tf32, exact = run(True), run(False)
    near = torch_reference(case, *(_tf32(t, True).double() for t in (x, w)), None, _tf32(gy, True).double())
    assert torch.equal(tf32[0], exact[0])
    assert torch.equal(tf32[1], exact[1]) == (chans == 1)
    for i in ((2,) if chans == 1 else (1, 2)):  # TF32: float64 of rounded operands, not the exact result
        assert rel_err(tf32[i], near[i]) < 1e-5 and not torch.equal(tf32[i], exact[i])
    torch.backends.cudnn.allow_tf32 = True
    y_torch = F.conv_transpose3d(x, w, None, *args)
    if rel_err(y_torch, F.conv_transpose3d(x.double(), w.double(), None, *args)) < 1e-5:  # cuDNN computed it exactly
        assert rel_err(tf32[0], y_torch) < 1e-5


@pytest.mark.parametrize("allow_tf32,chans,layout", [(False, 1, "ncdhw"), (True, 1, "ncdhw"), (False, 1, "cl"),
                                                      (False, 2, "ncdhw"), (True, 2, "ncdhw")],
                         ids=["exact-lanes", "tf32-lanes", "exact-lanes-cl", "exact-direct", "tf32-packed-tiles"])
def test_small_groups_grad_weight_bitwise_repeatable(allow_tf32, chans, layout):
    """grad_weight of groups of few channels sums in a fixed order (no atomics): identical bits run to run, on the
    depthwise lane kernels (one channel per group, NCDHW and channels_last), the per-column direct kernel (exact fp32,
    two channels per group) and the tensor-core kernel with groups packed into shared tiles (TF32)."""
    torch.manual_seed(6)
    C = 16 * chans
    x = torch.randn(2, C, 6, 8, 50, device=DEV)
    y = conv_transpose3d(x, torch.randn(C, chans, 3, 3, 3, device=DEV), None, stride=2, padding=1, groups=16)
    gy = torch.randn_like(y)
    if layout == "cl":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    w = torch.randn(C, chans, 3, 3, 3, device=DEV)
    args = ([2, 2, 2], [1, 1, 1], [0, 0, 0], 16, [1, 1, 1], allow_tf32)
    first = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    for _ in range(3):
        assert torch.equal(ops.conv_transpose3d_grad_weight(gy, x, w, *args), first)


# grad_weight packs consecutive groups of few channels into one 32 x 32 tile (products across groups computed,
# then dropped): (groups, Cin_g, Cout_g), packed 4, 16, 32, 6, 8 and 2 groups per tile, and 3 groups unpacked
PACKED_GROUPS = [(4, 8, 8), (16, 2, 2), (32, 1, 1), (6, 5, 5), (8, 4, 3), (2, 16, 10), (3, 12, 7)]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("gcase", PACKED_GROUPS, ids=[f"g{c[0]}cin{c[1]}cout{c[2]}" for c in PACKED_GROUPS])
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_grad_weight_packed_groups(mode, gcase, layout):
    _, dtype, allow_tf32, budget = mode
    groups, cin_g, cout_g = gcase
    case = Case(N=2, Cin=cin_g * groups, Cout=cout_g * groups, groups=groups, size=(3, 5, 37), kernel=(3, 3, 3),
                stride=[2, 2, 2], padding=[1, 1, 1], output_padding=[0, 1, 1], dilation=[1, 1, 1], bias=False)
    x, w, _, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(groups * 100 + cin_g))
    if layout == "channels_last_3d":  # groups of whole 16-byte channel vectors (8, 8) take the column-major slabs
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    # a non-finite input in group 0 must not leak into the other groups' sums (whose products it shares a tile with)
    x[1, 0, 1, 2, 7] = float("inf")
    args = (*case.conv_args(), allow_tf32)
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    _, _, gw64, _ = torch_reference(case, x.double(), w.double(), None, gy.double())
    assert torch.isfinite(gw[cin_g:]).all(), "a non-finite x in group 0 reached another group's grad_weight"
    assert torch.equal(torch.isfinite(gw[:cin_g]), torch.isfinite(gw64[:cin_g])), "group 0's non-finite pattern"
    fin = torch.isfinite(gw64)
    assert rel_err(gw.double()[fin], gw64[fin]) <= budget


# grad_weight of at most 16 output channels per CTA runs 32 x 16 tiles whose four warps take a quarter of each
# step's 64 positions and add their parts in a fixed order (the plan's narrow).  Two ci blocks (Cin_g > 32), w rows
# of more than one step with edges inside quarters, packed groups (2 x 8 co); grad_y rows of two 16-byte phases
# (stride 2, W odd: fp32's per-channel shifts), stride 3 (residue planes) and odd co (element copies, channels_last).
# (groups, Cin_g, Cout_g, stride, w extent)
NARROW_WGRAD_CASES = [(1, 48, 16, 2, 75), (1, 40, 8, 1, 130), (2, 16, 8, 2, 45), (3, 36, 5, 3, 38), (1, 64, 16, 2, 64)]
NARROW_MODES = [m for m in MODES if m[0] in ("fp32-exact", "fp32-tf32", "bf16")]
NARROW_LAYOUTS = {
    "ncdhw": lambda t: t,
    "channels_last_3d": lambda t: t.contiguous(memory_format=CL),
    "strided_w": lambda t: _spread(t, 4),  # no 16-byte rows: per-element copies, 16-bit register staging
}


@pytest.mark.parametrize("layout", list(NARROW_LAYOUTS))
@pytest.mark.parametrize("ncase", NARROW_WGRAD_CASES,
                         ids=[f"g{c[0]}cin{c[1]}cout{c[2]}s{c[3]}w{c[4]}" for c in NARROW_WGRAD_CASES])
@pytest.mark.parametrize("mode", NARROW_MODES, ids=[m[0] for m in NARROW_MODES])
def test_grad_weight_narrow_tiles(mode, ncase, layout):
    _, dtype, allow_tf32, budget = mode
    groups, cin_g, cout_g, s, W = ncase
    case = Case(N=2, Cin=cin_g * groups, Cout=cout_g * groups, groups=groups, size=(3, 4, W), kernel=(3, 3, 3),
                stride=[s, s, s], padding=[1, 1, 1], output_padding=[s - 1, 0, s - 1], dilation=[1, 1, 1], bias=False)
    x, w, _, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(cin_g * 10 + cout_g + W))
    # a non-finite x must reach only the sums it takes part in: a masked product (its grad_y partner is padding)
    # of any warp's quarter would turn other taps' sums into NaN
    x[1, 0, 1, 2, 7] = float("inf")
    x, gy = NARROW_LAYOUTS[layout](x), NARROW_LAYOUTS[layout](gy)
    args = (*case.conv_args(), allow_tf32)
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    _, _, gw64, _ = torch_reference(case, x.double(), w.double(), None, gy.double())
    assert torch.equal(torch.isfinite(gw), torch.isfinite(gw64)), "non-finite pattern"
    fin = torch.isfinite(gw64)
    assert rel_err(gw.double()[fin], gw64[fin]) <= budget


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=["tf32", "bf16"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_grad_weight_narrow_tiles_bitwise_repeatable(dtype, layout, restore_flags):
    """The four K quarters are added in a fixed order (and the chunks after them): identical bits run to run
    (in64-out16's channels, smaller)."""
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(16)
    x = torch.randn(2, 64, 4, 8, 100, device=DEV, dtype=dtype)
    w = torch.randn(64, 16, 3, 3, 3, device=DEV, dtype=dtype)
    args = ([2, 2, 2], [1, 1, 1], [1, 1, 1], 1, [1, 1, 1], True)
    gy = torch.randn_like(ops.conv_transpose3d(x, w, None, *args))
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    first = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    for _ in range(3):
        assert torch.equal(ops.conv_transpose3d_grad_weight(gy, x, w, *args), first)


# channels_last sources and destinations: whole aligned channel vectors take the column-major 16-byte staging
# and 16-byte channel stores; odd channel counts and misaligned data take the element paths.
# (Cin, Cout, stride, w extent, storage offset)
CL_EDGES = [(32, 32, 2, 61, 0), (20, 36, 2, 40, 0), (16, 8, 1, 33, 0), (6, 10, 2, 37, 0), (32, 32, 2, 29, 1),
            (64, 48, 2, 70, 0), (40, 16, 1, 130, 0)]


@pytest.mark.parametrize("edge", CL_EDGES, ids=[f"cin{e[0]}cout{e[1]}s{e[2]}w{e[3]}o{e[4]}" for e in CL_EDGES])
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_channels_last_vector_staging(mode, edge):
    _, dtype, allow_tf32, budget = mode
    cin, cout, s, W, offset = edge
    case = Case(N=2, Cin=cin, Cout=cout, groups=1, size=(3, 2, W), kernel=(2, 3, 3), stride=[1, 2, s],
                padding=[0, 1, 1], output_padding=[0, 0, s - 1], dilation=[1, 1, 1], bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(cin + W))
    x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    if offset:  # same strides, data one element past a 16-byte boundary
        x = _at_element_offset(x.permute(0, 2, 3, 4, 1).contiguous(), offset).permute(0, 4, 1, 2, 3)
        gy = _at_element_offset(gy.permute(0, 2, 3, 4, 1).contiguous(), offset).permute(0, 4, 1, 2, 3)
        assert x.stride(1) == 1 and x.data_ptr() % 16
    ours = _all_results(case, x, w, b, gy, allow_tf32)
    assert ours[0].stride(1) == 1 and ours[1].stride(1) == 1  # channels_last in, channels_last out
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    _assert_close_to(ours, (y64, gx64, gw64, gy.double().sum((0, 2, 3, 4))), budget, f"{mode[0]} {case}")


# 2-byte NCDHW sources are restaged channels_last in the workspace when their channel runs are whole 16-byte
# vectors and the K loop is long next to the copy (the forward's x; grad_input's grad_y and grad_weight's x and
# grad_y at stride 1), so the kernels read them column-major; any strides, and grouped problems.  So is an fp32
# forward's x (TF32 and 3xTF32).
# (Cin, Cout, groups, stride, variant of x and grad_y)
RESTAGE_CASES = [(16, 24, 1, 2, "contiguous"), (32, 16, 2, 2, "contiguous"), (16, 8, 1, 1, "contiguous"),
                 (16, 24, 1, 2, "w_slice"), (16, 24, 1, 2, "dh_swapped"), (24, 16, 1, 2, "contiguous"),
                 (16, 24, 1, 1, "w_slice"), (32, 16, 2, 1, "dh_swapped")]


# (id, dtype, allow_tf32, budget): MODES without fp64
RESTAGE_MODES = MODES[:4]


def _assert_fp32_forward_layout_blind(y, x, w, b, case, allow_tf32):
    """fp32: the forward of a restaged NCDHW x (the channels_last copy in the workspace) is bitwise the forward of
    the same x passed channels_last: the same kernel, the same products summed in the same order."""
    if y.dtype == torch.float32:
        y_cl = ops.conv_transpose3d(x.contiguous(memory_format=CL), w, b, *case.conv_args(), allow_tf32)
        assert y_cl.stride(1) == 1 and torch.equal(y, y_cl), (y - y_cl).abs().max().item()


@pytest.mark.parametrize("rcase", RESTAGE_CASES, ids=[f"cin{c[0]}cout{c[1]}g{c[2]}s{c[3]}-{c[4]}" for c in RESTAGE_CASES])
@pytest.mark.parametrize("mode", RESTAGE_MODES, ids=[m[0] for m in RESTAGE_MODES])
def test_restaged_sources(mode, rcase):
    _, dtype, allow_tf32, budget = mode
    cin, cout, groups, s, xform = rcase
    case = Case(N=2, Cin=cin, Cout=cout, groups=groups, size=(3, 5, 45), kernel=(3, 3, 3), stride=[s, s, s],
                padding=[1, 1, 1], output_padding=[0, s - 1, s - 1], dilation=[1, 1, 1], bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(cin * 7 + cout + s))

    def variant(t):
        if xform == "w_slice":  # data off 16-byte alignment, row stride W + 5
            return torch.cat([t[..., :3], t, t[..., :2]], dim=4)[..., 3:3 + t.shape[4]]
        if xform == "dh_swapped":
            return t.transpose(2, 3).contiguous().transpose(2, 3)
        return t

    x, gy = variant(x), variant(gy)
    y = ops.conv_transpose3d(x, w, b, *case.conv_args(), allow_tf32)
    gx = ops.conv_transpose3d_grad_input(gy, x, w, *case.conv_args(), allow_tf32)
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *case.conv_args(), allow_tf32)
    assert y.is_contiguous() and gx.is_contiguous()
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    assert rel_err(y, y64) <= budget and rel_err(gx, gx64) <= budget and rel_err(gw, gw64) <= budget
    _assert_fp32_forward_layout_blind(y, x, w, b, case, allow_tf32)
    # only one of x and grad_y channels_last: grad_weight restages the other (stride 1)
    gw_mixed = ops.conv_transpose3d_grad_weight(gy, x.contiguous(memory_format=CL), w, *case.conv_args(), allow_tf32)
    assert rel_err(gw_mixed, gw64) <= budget


def _vector_rows(t):
    """The copy's 16-byte path applies (to_channels_last_vec_ok after fold_rows in kernel_launch.cuh)."""
    size, stride = list(t.shape), list(t.stride())
    for i in (2, 3):  # fold (d, h) into h, then h into w, where the source lays them out back to back
        if size[i] == 1:
            continue
        if size[i + 1] == 1:
            size[i + 1], stride[i + 1] = size[i], stride[i]
        elif stride[i] == size[i + 1] * stride[i + 1]:
            size[i + 1] *= size[i]
        else:
            continue
        size[i] = 1
    vec = 16 // t.element_size()
    return (t.data_ptr() % 16 == 0 and (stride[4] == 1 or size[4] == 1)
            and all(size[i] == 1 or stride[i] % vec == 0 for i in range(4)))


# The restaging copy reads 16-byte vectors along w where every (n, c, d, h) row starts on a 16-byte boundary
# (rows the source lays out back to back count as one): tiles of 256 w x 32 channels, a row's last vector by
# element. W = 72 and 13 are no multiples of the tile, 13 none of the vector; C = 16 and 48 leave a tile's
# channels part empty. (D, H) of x and grad_y (stride 1: the same); variants on the 16-byte path:
#   contiguous (D*H*W a multiple of 8: one folded row per (n, c)), w_pad (a [..., :W] slice of rows padded to
#   whole vectors: a tail in every row), c_slice (channels of a wider tensor), dh_swapped (unfolded (d, h) rows);
# and on the element path: w_slice (data off 16-byte alignment), odd (contiguous, D*H*W odd).
VEC_RESTAGE = [(72, (2, 4), "contiguous"), (13, (2, 4), "contiguous"), (72, (2, 3), "w_pad"), (13, (3, 2), "w_pad"),
               (72, (2, 3), "c_slice"), (72, (3, 2), "dh_swapped"), (13, (3, 3), "w_slice"), (13, (3, 3), "odd")]


@pytest.mark.parametrize("vcase", VEC_RESTAGE, ids=[f"w{v[0]}-{v[2]}" for v in VEC_RESTAGE])
@pytest.mark.parametrize("chans", [(16, 48), (48, 16)], ids=["cin16cout48", "cin48cout16"])
@pytest.mark.parametrize("mode", RESTAGE_MODES, ids=[m[0] for m in RESTAGE_MODES])
def test_restaged_vector_rows(mode, chans, vcase):
    _, dtype, allow_tf32, budget = mode
    (cin, cout), (W, (D, H), xform) = chans, vcase
    case = Case(N=2, Cin=cin, Cout=cout, groups=1, size=(D, H, W), kernel=(3, 3, 3), stride=[1, 1, 1],
                padding=[1, 1, 1], output_padding=[0, 0, 0], dilation=[1, 1, 1], bias=True)
    x, w, b, gy = case.tensors(dtype, device=DEV, generator=torch.Generator().manual_seed(cin * 3 + W))

    def variant(t):
        if xform == "w_pad":
            wide = torch.cat([t, torch.zeros_like(t[..., :(-W) % 8 or 8])], dim=4)
            return wide[..., :W]
        if xform == "c_slice":
            return torch.cat([t[:, :8], t, t[:, :8]], dim=1)[:, 8:8 + t.shape[1]]
        if xform == "dh_swapped":
            return t.transpose(2, 3).contiguous().transpose(2, 3)
        if xform == "w_slice":
            return torch.cat([t[..., :3], t, t[..., :2]], dim=4)[..., 3:3 + W]
        return t

    x, gy = variant(x), variant(gy)
    assert _vector_rows(x) == _vector_rows(gy) == (xform not in ("w_slice", "odd")), "the variant's copy path"
    y = ops.conv_transpose3d(x, w, b, *case.conv_args(), allow_tf32)
    gx = ops.conv_transpose3d_grad_input(gy, x, w, *case.conv_args(), allow_tf32)
    gw = ops.conv_transpose3d_grad_weight(gy, x, w, *case.conv_args(), allow_tf32)
    y64, gx64, gw64, _ = torch_reference(case, x.double(), w.double(), b.double(), gy.double())
    errs = {"forward": rel_err(y, y64), "grad_input": rel_err(gx, gx64), "grad_weight": rel_err(gw, gw64)}
    assert max(errs.values()) <= budget, f"{xform} W={W} cin={cin} cout={cout}: {errs}"
    _assert_fp32_forward_layout_blind(y, x, w, b, case, allow_tf32)


# The 16-bit channels_last row-conv kernels pipeline as many stages (2-4) as shared memory allows without costing a
# CTA per SM.  A wide w dilation lengthens the slab: on an H100/H200 dilation 100 leaves three stages and 200 two
# (A100: two for both), so the ring of stages wraps with fewer slots than the default four (3 channel blocks x 4
# (kd, kh) pairs = 12 steps per row).
@pytest.mark.parametrize("dil", [100, 200])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["fp16", "bf16"])
def test_pipeline_depth_by_slab_width(dtype, dil):
    case = Case(N=1, Cin=48, Cout=16, groups=1, size=(2, 2, 40), kernel=(2, 2, 3), stride=[1, 1, 1],
                padding=[0, 0, 0], output_padding=[0, 0, 0], dilation=[1, 1, dil], bias=True)
    _check_all_ops(case, dtype, True, 1e-2 if dtype == torch.float16 else 2e-2, dil, "channels_last_3d")


# Forward at stride > 1 with <= 16 output channels per group runs 16-channel tiles (Tiles::row_bn): bias, two
# q-blocks per row (W = 150: 150 or 151 positions per phase), channel counts that fill the tile or not, groups.
# (Cin, Cout, groups)
NARROW_ROW_CASES = [(40, 16, 1), (24, 24, 2), (16, 8, 1), (64, 12, 4)]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("ncase", NARROW_ROW_CASES, ids=[f"cin{c[0]}cout{c[1]}g{c[2]}" for c in NARROW_ROW_CASES])
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_narrow_output_tiles(mode, ncase, layout):
    _, dtype, allow_tf32, budget = mode
    cin, cout, groups = ncase
    case = Case(N=2, Cin=cin, Cout=cout, groups=groups, size=(2, 3, 150), kernel=(3, 3, 3), stride=[2, 2, 2],
                padding=[1, 1, 1], output_padding=[0, 1, 1], dilation=[1, 1, 1], bias=True)
    _check_all_ops(case, dtype, allow_tf32, budget, cin + cout + groups, layout)


# Unwritten elements: under deterministic algorithms torch fills every new tensor with NaN (outputs and our
# workspaces alike), so an output element no kernel writes, or a workspace element read before it is written,
# comes out NaN.  Odd w extents (partial vectors and tiles), output-channel blocks partly filled, groups, both
# layouts.
POISON_CASES = [
    Case(N=2, Cin=32, Cout=32, groups=1, size=(3, 4, 37), kernel=(3, 3, 3), stride=[2, 2, 2], padding=[1, 1, 1],
         output_padding=[0, 0, 0], dilation=[1, 1, 1], bias=True),
    Case(N=1, Cin=16, Cout=40, groups=1, size=(3, 3, 45), kernel=(3, 3, 3), stride=[1, 1, 1], padding=[1, 1, 1],
         output_padding=[0, 0, 0], dilation=[1, 1, 1], bias=True),
    Case(N=1, Cin=24, Cout=12, groups=1, size=(2, 3, 70), kernel=(2, 2, 2), stride=[2, 2, 2], padding=[0, 0, 0],
         output_padding=[0, 0, 0], dilation=[1, 1, 1], bias=False),
    Case(N=1, Cin=32, Cout=32, groups=4, size=(2, 3, 29), kernel=(3, 3, 3), stride=[2, 2, 2], padding=[1, 1, 1],
         output_padding=[1, 1, 1], dilation=[1, 1, 1], bias=True),
]


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
def test_every_output_element_written(mode, layout, restore_flags):
    _, dtype, allow_tf32, budget = mode
    fill = torch.utils.deterministic.fill_uninitialized_memory
    torch.use_deterministic_algorithms(True)
    torch.utils.deterministic.fill_uninitialized_memory = True
    try:
        assert torch.empty(64, dtype=dtype, device=DEV).isnan().all(), "torch did not poison new tensors"
        for i, case in enumerate(POISON_CASES):
            _check_all_ops(case, dtype, allow_tf32, budget, 11 + i, layout)
    finally:
        torch.utils.deterministic.fill_uninitialized_memory = fill


# The Hopper forward (rowconv_sm90.cuh; compute capability 9.0, fp32 TF32, w stride 2, whole 32-channel blocks in
# and out per group): (x shape, Cout, kernel, stride, padding, output_padding, groups, dilation).  Two q blocks
# (OW > 256), two output channel blocks, two groups, 64 input channels per group (two TMA boxes per x row), d/h
# strides 1-3, a w phase no tap reaches (w dilation 2), output_padding, x rows outside the tensor at every border.
HOPPER_CASES = [
    ((2, 32, 5, 6, 140), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
    ((1, 32, 4, 5, 300), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1)),
    ((2, 64, 3, 4, 70), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2, (1, 1, 1)),
    ((1, 64, 3, 5, 33), 32, (2, 3, 3), (1, 3, 2), (0, 1, 1), (0, 2, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 5, 33), 32, (2, 3, 3), (1, 3, 2), (0, 1, 2), (0, 2, 1), 1, (1, 1, 2)),
    ((3, 32, 2, 3, 129), 32, (3, 2, 4), (3, 1, 2), (2, 0, 1), (1, 0, 0), 1, (1, 2, 1)),
]


def _rowconv_kernel(demangled, mangled):
    """hopper_rowconv_kernel instances whose template arguments end with `demangled` (in a demangled name) or
    `mangled` (in a mangled one), then the optional sixth, kPipe (v137)."""
    return re.compile(rf"hopper_rowconv_kernel(<[^(]*, {demangled}(, (true|false))?>|I\w*{mangled}(ELb[01])?EE)")


# the Hopper forward instances whose output leaves as 16-byte row vectors (kOut = HopperTiles::kRowVectors = 2),
# demangled or not
_ROW_VECTORS = _rowconv_kernel(r"[0234], 2, \d, \d+", r"ELi[0234]ELi2ELi\dELi\d+")
# ... and those that read an NCDHW x in place, transposing it in the producer warps (kX = HopperTiles::kXTranspose = 2,
# v133, CUTLASS_CONVT3D_SM90_X_NCDHW=2: wherever it fits)
_X_NCDHW = _rowconv_kernel(r"2, \d, \d, \d+", r"ELi2ELi\dELi\dELi\d+")
# ... and those that read a 16-bit NCDHW x in place as the wgmma's MN-major B (kX = HopperTiles::kXMN = 3, v140,
# CUTLASS_CONVT3D_SM90_X_MN=1; NCDHW y by row vectors)
_X_MN = _rowconv_kernel(r"3, 2, \d, \d+", r"ELi3ELi2ELi\dELi\d+")
# ... and those that read an fp32 NCDHW x in place as the wgmma's register A (kX = HopperTiles::kXRegs = 4, v141,
# CUTLASS_CONVT3D_SM90_X_RS=1; an NCDHW y by row vectors, whole rows or 64-position tiles)
_X_RS = _rowconv_kernel(r"4, 2, \d, \d+", r"ELi4ELi2ELi\dELi\d+")


def _copy_and_in_place(run, in_place, monkeypatch):
    """run() with the NCDHW x copied (CUTLASS_CONVT3D_SM90_X_NCDHW=0) and read in place where v133 takes it (=2):
    both on the Hopper forward, the in-place instance exactly in the second where in_place; the two outputs."""
    ys = []
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "0")  # (v133 is not taken beside whole-row tiles)
    for level in ("0", "2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_NCDHW", level)
        y, names = _with_kernel_names(run)
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        assert bool(_X_NCDHW.search(names)) == (level == "2" and in_place), names
        ys.append(y)
    return ys


def _x_ncdhw_expected(mode, layout, x_shape):
    """Whether a forward in this mode reads its NCDHW x in place (v133): fp32 TF32 or 16-bit under
    CUTLASS_CONVT3D_SM90_X_NCDHW=2, an NCDHW x whose h / d / channel / n strides are whole 16 bytes (W a multiple of 4
    for fp32, 8 for 16-bit types)."""
    return "xin" in mode and layout == "ncdhw" and x_shape[4] % (4 if mode.startswith("tf32") else 8) == 0


@pytest.fixture(autouse=True)
def _wgemm_off_for_tapgemm_tests(request, monkeypatch):
    """The tap-GEMM's and phase-GEMM's tests check where those kernels run: the grad_weight GEMM (v116), which takes
    grad_weight over them where it applies, pinned off there (test_hopper_wgemm compares it with them)."""
    if any(k in request.node.name for k in ("tapgemm", "phasegemm", "wgen")):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM", "0")


def _with_kernel_names(fn):
    """fn()'s result and the names of the CUDA kernels it ran."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        out = fn()
        torch.cuda.synchronize()
    return out, " ".join(e.name for e in prof.events())


_WGRAD_TRAITS = {torch.float32: ("HopperTF32",), torch.float16: ("Hopper16", "half_t"),
                 torch.bfloat16: ("Hopper16", "bfloat16_t")}  # (TF32 and 16-bit: _wgrad_instance's traits)


def _wgrad_instance(traits, nkw, kb):
    """A pattern for the Hopper grad_weight instance hopper_wgrad_kernel<traits, nkw, kb> in _with_kernel_names's
    names (the traits' name parts in order), demangled ("<ct3d::Hopper16<cutlass::bfloat16_t>, 3, 2>") or not
    ("...Hopper16IN7cutlass10bfloat16_tEEELi3ELi2E"), never reaching into a neighbouring name."""
    demangled = "[^(,]*".join(traits) + "[^(,]*"
    mangled = r"\w*".join(traits) + r"\w*"
    return re.compile(rf"hopper_wgrad_kernel(<ct3d::{demangled}, {nkw}, {kb}>|I\w*{mangled}ELi{nkw}ELi{kb}E)")


# Modes of the Hopper forward: (dtype, cudnn.allow_tf32, the switch that puts the mode on the Hopper kernel (None: on
# by default), budget against float64, budget against the sm_80 kernels).  TF32: the same TF32-rounded operands as
# sm_80, only the order of the sums differs.  fp16 / bf16 (CUTLASS_CONVT3D_SM90_16BIT, on by default): k16
# wgmmas on x rows of 64 bytes in the 64-byte swizzle, window offsets starting the operand at odd rows (S = 2), two
# boxes per row (64 input channels per group), each output rounded once from fp32 sums (about two ulps of the
# largest output either way).  exact (CUTLASS_CONVT3D_SM90_EXACT, on by default since stop 36; v81 had been slower):
# 3xTF32, the weights' and x's big and small TF32 parts (x split by its restaging copy, v88: transposing from NCDHW,
# flat from channels_last; both parts land by TMA), per-pair sums added with IEEE adds, at the fp32-exact budget of
# MODES.  -vec16 (CUTLASS_CONVT3D_SM90_VEC16=1, v89 / v91; 16-bit's default since stop 36): an NCDHW y stored by 16-byte
# vectors at each channel row's phase, the partial vectors at either end by element (the cases' rows start at every
# phase: odd channel strides, OW 66, 140, 258, 279, 600; a last q block of 2 outputs).  -xin (CUTLASS_CONVT3D_SM90_X_NCDHW=2,
# v133, off by default): an NCDHW x read in place by its own TMA map and transposed into the slots by the producer
# warps (the cases of W 140 and 300; W 70, 33 and 129, whose rows are off 16 bytes, keep the copy), by element lanes
# or (-xin-vec16) row vectors; test_hopper_forward_x_ncdhw takes more shapes, and the 16-bit form (whose rows are
# whole 16 bytes at W a multiple of 8: none of these).
HOPPER_MODES = {
    "tf32": (torch.float32, True, None, 2e-3, 2e-6),
    "fp16": (torch.float16, True, "CUTLASS_CONVT3D_SM90_16BIT", 2e-3, 2e-3),
    "bf16": (torch.bfloat16, True, "CUTLASS_CONVT3D_SM90_16BIT", 1e-2, 1e-2),
    "exact": (torch.float32, False, "CUTLASS_CONVT3D_SM90_EXACT", 1e-5, 1e-5),
    "tf32-vec16": (torch.float32, True, "CUTLASS_CONVT3D_SM90_VEC16", 2e-3, 2e-6),
    "fp16-vec16": (torch.float16, True, "CUTLASS_CONVT3D_SM90_VEC16", 2e-3, 2e-3),
    "bf16-vec16": (torch.bfloat16, True, "CUTLASS_CONVT3D_SM90_VEC16", 1e-2, 1e-2),
    "tf32-xin": (torch.float32, True, "CUTLASS_CONVT3D_SM90_X_NCDHW", 2e-3, 2e-6),
    "tf32-xin-vec16": (torch.float32, True, ("CUTLASS_CONVT3D_SM90_X_NCDHW", "CUTLASS_CONVT3D_SM90_VEC16"), 2e-3, 2e-6),
}


def _check_forward_output(y, ref, dtype, budget, budget80, run, monkeypatch, what):
    """A Hopper forward's y: its dtype, every element written and finite, against the float64 ref and against run()
    on the sm_80 kernels (CUTLASS_CONVT3D_SM90=0, left set)."""
    assert y.dtype == dtype
    assert torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= budget, f"{what}: {rel_err(y, ref):.3g} against float64"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "0")
    y80 = run()
    assert rel_err(y, y80) <= budget80, f"{what}: {rel_err(y, y80):.3g} against the sm_80 kernels"


def _hopper_mode(mode, monkeypatch):
    """Sets the mode's numerics flag and switches (the Hopper kernels on); its dtype and budgets."""
    dtype, tf32, switch, budget, budget80 = HOPPER_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    # (16-bit NCDHW outputs go by row vectors by default since stop 36: the plain modes keep the element-lane instances
    # tested, the -vec16 ones the row-vector instances)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "0")
    # (and the 64-position tiles: whole-row tiles, taken before them where they apply, have their own tests and modes;
    # and x's copy: v141 / v142, in registers by default where they won since stop 62, have their own tests)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", "0")
    for sw in (switch,) if isinstance(switch, str) else switch or ():  # (v133's level 2: wherever it fits)
        monkeypatch.setenv(sw, "2" if sw == "CUTLASS_CONVT3D_SM90_X_NCDHW" else "1")
    return dtype, budget, budget80


@pytest.mark.parametrize("mode", list(HOPPER_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("hcase", HOPPER_CASES, ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2][2]}s{c[3][0]}{c[3][1]}{c[3][2]}g{c[6]}"
                                                     for c in HOPPER_CASES])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_hopper_forward(hcase, layout, bias, mode, restore_flags, hopper_kernels, monkeypatch):
    """The Hopper kernel in each mode against float64 of the same (16-bit: rounded) operands and against the sm_80
    kernels of the mode.  Both layouts of x and y; on other GPUs both runs take the sm_80 kernels.  New tensors
    (outputs and workspaces) are NaN-filled, as in test_every_output_element_written, so unwritten outputs fail.
    x and w hold entries of 1 + 2^-12 besides their random ones: not TF32 values, so that exact mode fails if it
    drops a cross term."""
    xs, cout, k, s, p, op, g, d = hcase
    dtype, budget, budget80 = _hopper_mode(mode, monkeypatch)
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g * 4) ** 0.5
    x[..., ::7] = 1 + 2.0**-12
    w[:, :, 0] = (1 + 2.0**-12) / 8
    x, w = x.to(dtype).to(DEV), w.to(dtype).to(DEV)
    b = torch.randn(cout, generator=gen).to(dtype).to(DEV) if bias else None
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    args = (s, p, op, g, d)
    ref = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        # -vec16 with an NCDHW y: the instances that store it by 16-byte vectors (HopperTiles::kRowVectors)
        assert bool(_ROW_VECTORS.search(names)) == (mode.endswith("vec16") and layout == "ncdhw"), names
        # -xin: an NCDHW x read in place (v133) where its strides allow, else its copy
        assert bool(_X_NCDHW.search(names)) == _x_ncdhw_expected(mode, layout, xs), names
    _check_forward_output(y, ref, dtype, budget, budget80, lambda: conv_transpose3d(x, w, b, *args), monkeypatch,
                          f"{hcase} {layout}")


# v133's shapes (an NCDHW x whose rows are whole 16 bytes): (x shape, Cout, kernel, stride, padding, output padding,
# groups): 64 input channels (two boxes a pair, the second's channel coordinate 32 on), two groups of 32 (the second
# group's from channel 32), kernel 2 (one window offset: rows of 64 positions), a last q block of 36 positions
X_NCDHW_CASES = [
    ((2, 64, 3, 4, 72), 32, 3, 2, 1, 0, 1),
    ((2, 64, 3, 4, 72), 64, 3, 2, 1, 1, 2),
    ((1, 32, 4, 5, 64), 32, 2, 2, 0, 0, 1),
    ((1, 32, 3, 6, 100), 32, 3, 2, 1, 1, 1),
]
# fp32 at 64 input channels: at 2 warpgroups x 2 slots forced the landing buffers do not fit (the copy)
_X_NCDHW_FP32_NO_LAND_2X2 = [X_NCDHW_CASES[0]]


def _hopper_forward_tf32_or_16bit(dtype, cfg, monkeypatch):
    """A Hopper forward test's setup on compute capability 9.0 (else a skip): TF32 allowed (dtype "exact": not, the
    exact Hopper forward on), the Hopper kernels on (16-bit too), x's copy (CUTLASS_CONVT3D_SM90_X_RS=0: v141 / v142's
    tests set their levels), the warpgroup / slot configuration cfg ("<nwg><ring>") forced where given; dtype's
    torch dtype."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = dtype != "exact"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", "0")
    if dtype == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT", "1")
    if cfg:
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_CFG", cfg)
    return {"fp32": torch.float32, "exact": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]


@pytest.mark.parametrize("dtype,rounding", [("fp32", "map"), ("fp32", "producers"), ("bf16", "none"), ("fp16", "none")])
@pytest.mark.parametrize("cfg", [None, "12", "22"], ids=["cfg-plan", "cfg-1x2", "cfg-2x2"])
@pytest.mark.parametrize("xcase", X_NCDHW_CASES, ids=["ci64", "g2", "k2", "w100"])
def test_hopper_forward_x_ncdhw(xcase, cfg, dtype, rounding, restore_flags, hopper_kernels, monkeypatch):
    """v133 (CUTLASS_CONVT3D_SM90_X_NCDHW=2): the Hopper forward reading an NCDHW x in place, its producer warps
    transposing each pair's landed boxes into the slots (fp32: TF32-rounded by the map, TMA_ROUND=1, or by the
    transposition; bf16 / fp16: 2-byte elements, the 64-byte swizzle): the instance ran where x's rows are whole 16
    bytes and the landing buffers fit (16-bit W 100, fp32 ci64 at 2 x 2: not, the copy), not with the knob at 0;
    every output written (NaN-poisoned), within budget of float64, and bit for bit the copy's result (the same
    operands, fp32 rounded to nearest either way, summed in the same order), at the plan's and at forced warpgroup /
    slot counts."""
    torch_dtype = _hopper_forward_tf32_or_16bit(dtype, cfg, monkeypatch)
    xs, cout, k, s, p, op, g = xcase
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "0" if rounding == "producers" else "1")
    gen = torch.Generator().manual_seed(13)
    x = torch.randn(xs, generator=gen).to(torch_dtype).to(DEV)
    w = (torch.randn(xs[1], cout // g, k, k, k, generator=gen) / (xs[1] // g * k) ** 0.5).to(torch_dtype).to(DEV)
    b = torch.randn(cout, generator=gen).to(torch_dtype).to(DEV)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), s, p, op, g)
    in_place = xs[4] % (4 if dtype == "fp32" else 8) == 0 and not (
        dtype == "fp32" and cfg == "22" and xcase in _X_NCDHW_FP32_NO_LAND_2X2)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    y_copy, y = _copy_and_in_place(lambda: conv_transpose3d(x, w, b, s, p, op, g), in_place, monkeypatch)
    assert y.dtype == torch_dtype and torch.isfinite(y).all(), "unwritten or non-finite outputs"
    budget = 2e-3 if dtype == "fp32" else 1e-2
    assert rel_err(y, ref) <= budget, f"{rel_err(y, ref):.3g} against float64"
    assert torch.equal(y, y_copy), "not the copy's bits"


# v135's whole-row tiles (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1: 128 q positions a tile, kRowBQ), the instances
# hopper_rowconv_kernel<..., 128, kPipe> demangled or not
_WHOLE_ROWS = _rowconv_kernel("128", "ELi128")
# ... v137's pipelined ones (kPipe, the kernel's sixth template argument: CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1)
_WGMMA_PIPE = re.compile(r"hopper_rowconv_kernel(<[^(]*, 128, true>|I\w*ELi128ELb1EE)")
# (x shape, Cout, kernel, stride, padding, output padding, groups): the mission's rows (OW 255, one q block of 128
# whole), OW 256 (rows on 16 bytes), 64 input channels at a window of 2 (4 blocks a pair) over OW 300 (a second q
# block of 22), kernel 2 (one window offset) over OW 600 (3 q blocks), two groups and a last block of 70, a window of
# 3 (kernel 5), d / h strides 1 and 3 with output padding; OW 119 (rows one 64-position tile covers: never whole rows).
# fp32 at 64 input channels and a window of 2 fits whole-row tiles at 1 warpgroup only (2 x 2 forced or planned: the
# 64-position tiles; 4 x 2 forced: no Hopper plan at all, skipped): _WHOLE_ROWS_FP32_1WG
WHOLE_ROW_CASES = [
    ((2, 32, 3, 4, 128), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1),
    ((1, 32, 3, 3, 128), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1),
    ((1, 64, 3, 4, 150), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1),
    ((1, 32, 2, 5, 300), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((2, 64, 3, 3, 70), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2),
    ((1, 32, 3, 3, 100), 32, (3, 3, 5), (2, 2, 2), (1, 1, 2), (0, 0, 1), 1),
    ((1, 64, 3, 5, 133), 32, (2, 3, 3), (1, 3, 2), (0, 1, 1), (0, 2, 1), 1),
    ((1, 32, 3, 4, 60), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1),
]
_WHOLE_ROWS_FP32_1WG = [WHOLE_ROW_CASES[2]]


@pytest.mark.parametrize("dtype", ["fp32", "bf16", "fp16"])
@pytest.mark.parametrize("cfg", [None, "22", "12", "42"], ids=["cfg-plan", "cfg-2x2", "cfg-1x2", "cfg-4x2"])
@pytest.mark.parametrize("wcase", WHOLE_ROW_CASES, ids=["ow255", "ow256", "ci64-ow300", "k2-ow600", "g2-ow140",
                                                        "k5-ow199", "s132-ow266", "ow119"])
def test_hopper_forward_whole_rows(wcase, cfg, dtype, restore_flags, hopper_kernels, monkeypatch):
    """v135 (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2): the Hopper forward's tiles of whole output rows (128 q positions,
    64 accumulators a thread, at most 3 warpgroups) over an NCDHW y by row vectors: at 2 the instance ran exactly
    where rows are longer than one 64-position tile and the warpgroups allow (forced 4: the plan's 64-position
    tiles; planned: 2 or more), at 1 (the default since stop 60) only there for 16-bit and for fp32 rows off 16 bytes
    (OW 255, 266), never with the knob at 0; with CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1 (v137) the pipelined instances,
    the same bits; every
    output written (NaN-poisoned), within budget of float64, and the 64-position tiles' result (the same operands and
    sums, each output's k order unchanged)."""
    torch_dtype = _hopper_forward_tf32_or_16bit(dtype, cfg, monkeypatch)
    xs, cout, k, s, p, op, g = wcase
    gen = torch.Generator().manual_seed(19)
    x = torch.randn(xs, generator=gen).to(torch_dtype).to(DEV)
    w = (torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g * k[2]) ** 0.5).to(torch_dtype).to(DEV)
    b = torch.randn(cout, generator=gen).to(torch_dtype).to(DEV)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), s, p, op, g)
    one_wg = dtype == "fp32" and wcase in _WHOLE_ROWS_FP32_1WG
    if one_wg and cfg == "42":
        pytest.skip("fp32 at 64 input channels: 4 warpgroups x 2 slots do not fit (the sm_80 kernels)")
    # (OW > 128: more than 64 q positions a phase; at most 3 warpgroups, 2 or more unless forced)
    whole = xs[4] > 64 and (cfg is None or cfg[0] <= "3") and (not one_wg or cfg == "12")
    off16 = ref.shape[4] * torch_dtype.itemsize % 16 != 0
    expect = {"0": False, "1": whole and (dtype != "fp32" or off16), "2": whole}
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    ys = {}
    for level in ("0", "1", "2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", level)
        y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, s, p, op, g))
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        assert bool(_WHOLE_ROWS.search(names)) == expect[level], f"level {level}: {names}"
        assert y.dtype == torch_dtype and torch.isfinite(y).all(), "unwritten or non-finite outputs"
        ys[level] = y
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS")  # (the default: level 1)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, s, p, op, g))
    assert bool(_WHOLE_ROWS.search(names)) == expect["1"] and torch.equal(y, ys["1"]), "the default is not level 1"
    assert not _WGMMA_PIPE.search(names), "v137 without its knob"
    # v137 (CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1): whole-row tiles' wgmmas pipelined across pairs, the same sums in the
    # same order: the same bits
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "2")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE", "1")
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, s, p, op, g))
    assert bool(_WGMMA_PIPE.search(names)) == expect["2"], f"WGMMA_PIPE=1: {names}"
    assert torch.isfinite(y).all() and torch.equal(y, ys["2"]), "v137: not the bits of the unpipelined wgmmas"
    budget = 2e-3 if dtype == "fp32" else 1e-2
    for level in ("1", "2"):
        assert rel_err(ys[level], ref) <= budget, f"level {level}: {rel_err(ys[level], ref):.3g} against float64"
        assert rel_err(ys[level], ys["0"]) <= (1e-6 if dtype == "fp32" else 4e-3), \
            f"level {level}: {rel_err(ys[level], ys['0']):.3g} against BQ 64"


# (x shape, Cout, kernel, stride, padding, output padding, groups): kernel 2 / stride 2 / padding 0 along w (one
# window offset, v140's case) over 16-bit x rows on 16 bytes (W a multiple of 8): OW 256 (one whole-row tile), 64
# input channels (2 boxes a pair) over two q blocks, 128 (4 blocks a pair) in 64-position tiles, three q blocks, two
# groups, d / h strides 1 and 3, OW 112 (64-position tiles); then the copy: the mission's kernel 3 (two window
# offsets) and W 100 (rows off 16 bytes)
X_MN_CASES = [
    ((2, 32, 3, 4, 128), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((1, 64, 3, 4, 152), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((1, 128, 2, 3, 64), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((1, 32, 2, 5, 304), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((2, 64, 3, 3, 72), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 2),
    ((1, 64, 3, 5, 136), 32, (2, 3, 2), (1, 3, 2), (0, 1, 0), (0, 2, 0), 1),
    ((1, 32, 3, 4, 56), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
    ((2, 32, 3, 4, 128), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1),
    ((1, 32, 3, 4, 100), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1),
]


def _x_mn_expected(xcase):
    """Whether v140 reads this case's 16-bit NCDHW x in place: rows on 16 bytes and one window offset starting on
    them (here: kernel 2, padding 0 along w)."""
    xs, _, k, _, p, _, _ = xcase
    return xs[4] % 8 == 0 and k[2] == 2 and p[2] == 0


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
@pytest.mark.parametrize("cfg", [None, "22", "12"], ids=["cfg-plan", "cfg-2x2", "cfg-1x2"])
@pytest.mark.parametrize("xcase", X_MN_CASES, ids=["k2-ow256", "ci64-ow304", "ci128-ow128", "k2-ow608", "g2-ow144",
                                                   "s132-ow272", "ow112", "k3-copy", "w100-copy"])
def test_hopper_forward_x_mn(xcase, cfg, dtype, restore_flags, hopper_kernels, monkeypatch):
    """v140 (CUTLASS_CONVT3D_SM90_X_MN=1): the 16-bit Hopper forward reading an NCDHW x in place, its TMA boxes
    [32 channels][64 positions] landed in the 128-byte swizzle as the wgmma's MN-major B: the instance ran at the
    plan's configuration exactly where x's rows are whole 16 bytes and the w window is one offset (not kernel 3, not
    W 100), never with the knob at 0; every output written (NaN-poisoned), within budget of float64, and bit for bit
    the copy's result (the same products summed in the same order), at the plan's and at forced warpgroup / slot
    counts."""
    torch_dtype = _hopper_forward_tf32_or_16bit(dtype, cfg, monkeypatch)
    xs, cout, k, s, p, op, g = xcase
    gen = torch.Generator().manual_seed(19)
    x = torch.randn(xs, generator=gen).to(torch_dtype).to(DEV)
    w = (torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g * k[2]) ** 0.5).to(torch_dtype).to(DEV)
    b = torch.randn(cout, generator=gen).to(torch_dtype).to(DEV)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), s, p, op, g)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    ys, ran = {}, {}
    for level in ("0", "1"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_MN", level)
        ys[level], names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, s, p, op, g))
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        ran[level] = bool(_X_MN.search(names))
    assert not ran["0"], "the MN-major instance ran with the knob at 0"
    if cfg is None:
        assert ran["1"] == _x_mn_expected(xcase), f"the MN-major instance ran: {ran['1']}"
    y = ys["1"]
    assert y.dtype == torch_dtype and torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= 1e-2, f"{rel_err(y, ref):.3g} against float64"
    assert torch.equal(y, ys["0"]), "not the copy's bits"


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_forward_x_mn_nonfinite(value, restore_flags, hopper_kernels, monkeypatch):
    """v140 with NaN / inf planted in x (borders, both signs): no copy reports them, so every tile's sums are checked
    and the non-finite ones recomputed with every product masked; the result is the copy's (whose copy reports them),
    NaN for NaN and value for value."""
    _hopper_forward_tf32_or_16bit("bf16", None, monkeypatch)
    gen = torch.Generator().manual_seed(23)
    x = torch.randn(2, 32, 3, 4, 128, generator=gen).to(torch.bfloat16)
    for j, idx in enumerate([(0, 3, 1, 2, 0), (1, 31, 2, 3, 127), (0, 17, 0, 0, 64), (1, 5, 2, 1, 63)]):
        x[idx] = value if j % 2 == 0 else -value
    x = x.to(DEV)
    w = (torch.randn(32, 32, 2, 2, 2, generator=gen) / 8).to(torch.bfloat16).to(DEV)
    ys = {}
    for level in ("0", "1"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_MN", level)
        ys[level], names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, 2, 0))
        assert bool(_X_MN.search(names)) == (level == "1"), names
    assert not torch.isfinite(ys["1"]).all(), "the planted values do not reach y"
    assert torch.equal(ys["1"].isnan(), ys["0"].isnan()), "NaN elsewhere than the copy's"
    assert torch.equal(ys["1"].nan_to_num(0.0), ys["0"].nan_to_num(0.0)), "not the copy's values"


# (x shape, Cout, kernel, stride, padding, output padding, groups, dilation, v141 expected): fp32 x rows on 16 bytes (W
# a multiple of 4), in whole-row tiles (WHOLE_ROWS=2) and 64-position ones (=0): the mission's kernel 3 / stride 2 /
# padding 1 (two window
# offsets), kernel 2 (one offset) with 64 input channels (two boxes a pair) and two output channel blocks, kernel 2 at
# 32, two groups with output padding, three q blocks (OW 599), d / h strides 1 and 3, w kernel 2 at dilation 2 (a
# w phase without taps); then the copy: W 130 (rows off 16 bytes), kernel 5 along w (three window offsets).  The host
# plan test (tests/cpp/plan_invariants_test.cpp) checks the same table's expectations on every CI run
X_RS_CASES = [
    ((2, 32, 3, 4, 128), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1), True),
    ((1, 64, 3, 4, 128), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1), True),
    ((2, 32, 3, 4, 128), 32, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1), True),
    ((2, 64, 3, 3, 72), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2, (1, 1, 1), True),
    ((1, 32, 2, 3, 300), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1), True),
    ((1, 32, 3, 5, 136), 32, (2, 3, 3), (1, 3, 2), (0, 1, 1), (0, 2, 1), 1, (1, 1, 1), True),
    ((1, 32, 3, 4, 96), 32, (3, 3, 2), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 2), True),
    ((1, 32, 3, 4, 130), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1), False),
    ((1, 32, 3, 4, 128), 32, (3, 3, 5), (2, 2, 2), (1, 1, 2), (0, 0, 1), 1, (1, 1, 1), False),
]


def _x_rs_against_copy(xcase, seed, budget, whole_rows_ok, monkeypatch):
    """A forward of X_RS_CASES' xcase with CUTLASS_CONVT3D_SM90_X_RS at 0 and 2 (never, wherever it applies; the flags
    and knobs set by the caller): on the Hopper kernel both times, the register-A instance exactly at 2 where the case
    expects it, whole-row
    instances only where whole_rows_ok; every output written (NaN-poisoned), within budget of float64, and the copy's
    result (level 0): bit for bit with one box a pair (the same operands summed in the same order), within fp32
    rounding of it with two (the boxes' order differs)."""
    xs, cout, k, s, p, op, g, dil, expected = xcase
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(xs, generator=gen).to(DEV)
    w = (torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g * k[2]) ** 0.5).to(DEV)
    b = torch.randn(cout, generator=gen).to(DEV)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), s, p, op, g, dil)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    ys, ran = {}, {}
    for level in ("0", "2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", level)
        ys[level], names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, s, p, op, g, dil))
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        ran[level] = bool(_X_RS.search(names))
        assert whole_rows_ok or not _WHOLE_ROWS.search(names), "whole-row tiles where none may run"
    assert not ran["0"], "the register-A instance ran with the knob at 0"
    assert ran["2"] == expected, f"the register-A instance ran: {ran['2']}"
    y = ys["2"]
    assert torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= budget, f"{rel_err(y, ref):.3g} against float64"
    if xs[1] // g == 32:
        assert torch.equal(y, ys["0"]), f"not the copy's bits: {rel_err(y, ys['0']):.3g}"
    else:
        assert rel_err(y, ys["0"]) <= 1e-6, f"{rel_err(y, ys['0']):.3g} against the copy"


@pytest.mark.parametrize("whole_rows", ["2", "0"], ids=["rows", "bq64"])
@pytest.mark.parametrize("cfg", [None, "22", "12"], ids=["cfg-plan", "cfg-2x2", "cfg-1x2"])
@pytest.mark.parametrize("xcase", X_RS_CASES, ids=["mission", "k2-ci64-co64", "k2", "g2-op1", "ow599", "s132", "dil2",
                                                   "w130-copy", "k5-copy"])
def test_hopper_forward_x_rs(xcase, cfg, whole_rows, restore_flags, hopper_kernels, monkeypatch):
    """v141 (CUTLASS_CONVT3D_SM90_X_RS=2): the fp32 TF32 Hopper forward reading an NCDHW x in place, each pair's
    boxes landed [channel][position] and loaded by the consumers as the wgmma's register A (the GEMM turned over: M
    the tile's positions, permuted so that a window offset's fragments are the same registers a word on), in
    whole-row tiles (two m64 blocks) and 64-position ones (one), at the plan's configuration (x rows on 16 bytes, at
    most two window offsets) and at forced 2 x 2 and 1 x 2 (3 x 2, beyond its whole-row register budget, the host
    plan test): _x_rs_against_copy, TF32's budget against float64."""
    _hopper_forward_tf32_or_16bit("fp32", cfg, monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", whole_rows)
    _x_rs_against_copy(xcase, 29, 2e-3, whole_rows == "2", monkeypatch)


@pytest.mark.parametrize("cfg", [None, "22", "12"], ids=["cfg-plan", "cfg-2x2", "cfg-1x2"])
@pytest.mark.parametrize("xcase", [X_RS_CASES[i] for i in (0, 1, 2, 3, 5, 7)],
                         ids=["mission", "k2-ci64-co64", "k2", "g2-op1", "s132", "w130-copy"])
def test_hopper_forward_x_rs_exact(xcase, cfg, restore_flags, hopper_kernels, monkeypatch):
    """v142 (CUTLASS_CONVT3D_SM90_X_RS=2, cudnn.allow_tf32 = False): the exact (3xTF32) Hopper forward reading an
    NCDHW x in place, each loaded word split into big and small TF32 parts in the consumers' registers (no splitting
    copy), 64-position tiles, at the plan's configuration and at forced 2 x 2 and 1 x 2: _x_rs_against_copy (the
    splitting copy's bits: the same split, the same three products in the same order), fp32-accurate against
    float64."""
    _hopper_forward_tf32_or_16bit("exact", cfg, monkeypatch)
    _x_rs_against_copy(xcase, 37, 1e-5, False, monkeypatch)


@pytest.mark.parametrize("math", ["tf32", "exact"])
@pytest.mark.parametrize("xcase", [X_RS_CASES[i] for i in (0, 2, 3)], ids=["mission", "k2", "g2-op1"])
def test_hopper_forward_x_rs_default(xcase, math, restore_flags, hopper_kernels, monkeypatch):
    """v141 / v142 by default (CUTLASS_CONVT3D_SM90_X_RS unset: level 1, where they were measured to win, stop 62):
    TF32 in registers at 64-position tiles (kernel 2, and kernel 3 with output padding: y rows on 16 bytes), the copy
    at whole rows (kernel 3 at OW 255); exact in registers at one window offset only (kernel 2); the same result as
    level 2 or 0 wherever each runs."""
    _hopper_forward_tf32_or_16bit("fp32" if math == "tf32" else "exact", None, monkeypatch)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_X_RS", raising=False)
    xs, cout, k, s, p, op, g, dil, _ = xcase
    gen = torch.Generator().manual_seed(43)
    x = torch.randn(xs, generator=gen).to(DEV)
    w = (torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g * k[2]) ** 0.5).to(DEV)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, s, p, op, g, dil))
    one_offset, rows_on_16 = k[2] == 2, (2 * xs[4] - 1 + op[2] if k[2] == 3 else 2 * xs[4]) % 4 == 0
    want = one_offset if math == "exact" else rows_on_16
    assert bool(_X_RS.search(names)) == want, f"by default: {names}"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", "2" if want else "0")
    y2 = conv_transpose3d(x, w, None, s, p, op, g, dil)
    assert torch.equal(y, y2), "not the result of the level the default took"


@pytest.mark.parametrize("math", ["tf32", "exact"])
@pytest.mark.parametrize("kernel", [3, 2], ids=["k3", "k2"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_forward_x_rs_nonfinite(value, kernel, math, restore_flags, hopper_kernels, monkeypatch):
    """v141 / v142 with NaN / inf planted in x (borders, both signs, both window offsets' edges): TF32 in whole-row
    tiles (kernel 3: y rows off 16 bytes) and 64-position ones (kernel 2: on 16 bytes, level 1's whole rows leave
    them), exact (3xTF32, split in registers) in 64-position ones: no copy reports them, so every tile's sums are
    checked and the non-finite ones recomputed with every product masked; the result is the copy's (whose copy
    reports them, or whose splitting copy checks every tile too), NaN for NaN and value for value."""
    _hopper_forward_tf32_or_16bit("fp32" if math == "tf32" else "exact", None, monkeypatch)
    gen = torch.Generator().manual_seed(31)
    x = torch.randn(2, 32, 3, 4, 128, generator=gen)
    for j, idx in enumerate([(0, 3, 1, 2, 0), (1, 31, 2, 3, 127), (0, 17, 0, 0, 64), (1, 5, 2, 1, 63)]):
        x[idx] = value if j % 2 == 0 else -value
    x = x.to(DEV)
    w = (torch.randn(32, 32, kernel, kernel, kernel, generator=gen) / 8).to(DEV)
    ys = {}
    for level in ("0", "2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", level)
        ys[level], names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, 2, kernel - 2))
        assert bool(_X_RS.search(names)) == (level == "2"), names
    assert not torch.isfinite(ys["2"]).all(), "the planted values do not reach y"
    assert torch.equal(ys["2"].isnan(), ys["0"].isnan()), "NaN elsewhere than the copy's"
    assert torch.equal(ys["2"].nan_to_num(0.0), ys["0"].nan_to_num(0.0)), "not the copy's values"


@pytest.mark.parametrize("dtype", ["fp32", "bf16"])
def test_hopper_forward_x_ncdhw_extent1_view(dtype, restore_flags, hopper_kernels, monkeypatch):
    """v133 on views whose h extent is 1: the map is given a 16-byte stride there whatever the view's (the row stride
    of a W 70 slice is 280 bytes, of a bf16 W 76 base 152), so the forward runs in place (reviews at stop 57 found
    the made-up stride off 16 bytes: the map encoder would have refused a plan already made) and gives the copy's bits."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = True
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "1")
    gen = torch.Generator().manual_seed(17)
    if dtype == "fp32":
        x = torch.randn(1, 32, 2, 1, 72, generator=gen).to(DEV)[..., :70]
    else:
        x = torch.randn(2, 64, 3, 2, 76, generator=gen).to(torch.bfloat16).to(DEV)[:, :, :, :1, :72]
    w = (torch.randn(x.shape[1], 32, 3, 3, 3, generator=gen) / 16).to(x.dtype).to(DEV)
    ref = F.conv_transpose3d(x.double(), w.double(), None, 2, 1)
    y_copy, y = _copy_and_in_place(lambda: conv_transpose3d(x, w, None, 2, 1), True, monkeypatch)
    assert rel_err(y, ref) <= (2e-3 if dtype == "fp32" else 1e-2)
    assert torch.equal(y, y_copy), "not the copy's bits"


@pytest.mark.parametrize("groups", [1, 32], ids=["dense", "depthwise"])
@pytest.mark.parametrize("kind", ["strided", "expanded"])
def test_forward_bias_of_any_stride(kind, groups, restore_flags):
    """A bias that is a strided view (b[::2]) or expanded from one element (stride 0) gives PyTorch's result: the
    forward kernels read the bias densely, so the op passes them a contiguous copy (before stop 36 they read the
    strided one densely: wrong values, and past the end of an expanded one)."""
    torch.backends.cudnn.allow_tf32 = False
    gen = torch.Generator().manual_seed(41)
    x = torch.randn(1, 32, 3, 4, 40, generator=gen).to(DEV)
    w = (torch.randn(32, 32 // groups, 3, 3, 3, generator=gen) / 8).to(DEV)
    full = torch.randn(64, generator=gen).to(DEV)
    b = full[::2] if kind == "strided" else full[:1].expand(32)
    assert not b.is_contiguous()
    y = conv_transpose3d(x, w, b, 2, 1, 0, groups)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), 2, 1, 0, groups)
    assert rel_err(y, ref) <= 1e-5, f"{kind}: {rel_err(y, ref):.3g} against float64"


# The wide Hopper forward instance (8 (window offset, 32-channel box) blocks per pair: 256 input channels at kernel 2 /
# stride 2, the 3D U-Net's deepest up-convolution), taken unless CUTLASS_CONVT3D_SM90_NSJ8=0 (on by default since
# stop 41; fp32 TF32 and 16-bit: exact's bytes do not fit): (x shape, Cout, output_padding); W 40 and 70; output
# padding 1: a last output row along d, h and w that no tap reaches (bias alone), its pair's x row outside x.
HOPPER_NSJ8_CASES = [((2, 256, 3, 4, 40), 64, 0), ((1, 256, 2, 3, 70), 32, 1)]
_NSJ8 = _rowconv_kernel(r"8, \d+", r"ELi8ELi\d+")


@pytest.mark.parametrize("mode", ["tf32", "tf32-vec16", "tf32-pround", "fp16", "fp16-vec16", "bf16", "bf16-vec16"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("ncase", HOPPER_NSJ8_CASES, ids=["w40-co64", "w70-co32-op1"])
def test_hopper_forward_nsj8(ncase, layout, mode, restore_flags, hopper_kernels, monkeypatch):
    """256 input channels at kernel 2 / stride 2 on the wide Hopper forward instance (CUTLASS_CONVT3D_SM90_NSJ8=1;
    without it the sm_80 row-conv): against float64 of the same (16-bit: rounded) operands and against the sm_80
    kernels, with a bias, outputs NaN-poisoned; each output mode (-vec16: NCDHW rows by 16-byte vectors) and, for
    fp32, x rounded by the producer warp (-pround: CUTLASS_CONVT3D_SM90_TMA_ROUND=0, a channels_last x read in place)."""
    xs, cout, op = ncase
    dtype, budget, budget80 = _hopper_mode(mode.split("-")[0], monkeypatch)
    if mode.endswith("vec16"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "1")
    if mode.endswith("pround"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "0")
    gen = torch.Generator().manual_seed(31)
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout, 2, 2, 2, generator=gen) / (xs[1] * 4) ** 0.5
    b = torch.randn(cout, generator=gen)
    x, w, b = x.to(dtype).to(DEV), w.to(dtype).to(DEV), b.to(dtype).to(DEV)
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    args = (2, 0, op, 1, 1)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    if torch.cuda.get_device_capability() == (9, 0):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_NSJ8", "0")
        assert "hopper_rowconv_kernel" not in _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))[1]
        monkeypatch.delenv("CUTLASS_CONVT3D_SM90_NSJ8")  # (on by default since stop 41)
        assert _NSJ8.search(_with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))[1])
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_NSJ8", "1")
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert _NSJ8.search(names), f"the case does not take the wide Hopper instance: {names}"
    _check_forward_output(y, ref, dtype, budget, budget80, lambda: conv_transpose3d(x, w, b, *args), monkeypatch,
                          f"{ncase} {layout} {mode}")


# The tap-GEMM forward (tapgemm_kernel.cuh: kernel == stride, padding 0, output_padding 0, as one GEMM per group
# scattered into y): (x shape, Cout, kernel = stride, groups).  Positions per batch entry past one 128-position block
# and not a multiple of it (255, 450), input channels past one 32-channel step and not a multiple (40, 33), columns
# (Cout x taps) past one 64-column block and not whole vectors (7 columns: 8 with the padding), strides (2, 2, 2),
# pointwise (1, 1, 1), (1, 2, 4) and (2, 1, 1), 2 groups; the U-Net level unet-256-128 in small.
TAPGEMM_CASES = [
    ((2, 40, 3, 5, 17), 24, (2, 2, 2), 1),
    ((1, 256, 4, 4, 16), 64, (2, 2, 2), 1),
    ((2, 33, 2, 3, 75), 7, (1, 1, 1), 1),
    ((1, 48, 3, 4, 9), 20, (1, 2, 4), 2),
    ((1, 16, 5, 6, 7), 16, (2, 1, 1), 1),
]
TAPGEMM_MODES = {m[0]: m[1:] for m in MODES if m[0] != "fp64"}  # no float64 instance (the row-conv takes it)


def _tapgemm_id(c):
    """A test id of a tap-GEMM case (x shape, Cout, kernel = stride, groups)."""
    return f"x{c[0][1]}-{c[0][4]}co{c[1]}s{''.join(map(str, c[2]))}g{c[3]}"


def _tapgemm_inputs(xs, cout, k, g, dtype, layout, bias, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout // g, *k, generator=gen) / (xs[1] // g) ** 0.5
    b = torch.randn(cout, generator=gen).to(dtype).to(DEV) if bias else None
    x, w = x.to(dtype).to(DEV), w.to(dtype).to(DEV)
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    elif layout == "misaligned":  # one element past a 16-byte boundary: the element-copy path, not 16-byte vectors
        buf = torch.empty(x.numel() + 1, dtype=dtype, device=DEV)
        x = buf[1:].view(xs).copy_(x)
    return x, w, b


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned"])
@pytest.mark.parametrize("tcase", TAPGEMM_CASES, ids=[_tapgemm_id(c) for c in TAPGEMM_CASES])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_tapgemm_forward(tcase, layout, bias, mode, restore_flags, monkeypatch):
    """The tap-GEMM kernel (CUTLASS_CONVT3D_TAPGEMM=1) in each mode and layout against float64 of the same (16-bit:
    rounded) operands and against the other kernels (CUTLASS_CONVT3D_TAPGEMM=0); outputs NaN-poisoned."""
    xs, cout, k, g = tcase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    x, w, b = _tapgemm_inputs(xs, cout, k, g, dtype, layout, bias, 5)
    args = (k, 0, 0, g, 1)
    ref = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0")  # (the tap-GEMM itself, not v134's TMA route)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "1")
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
    assert "tapgemm_kernel" in names, f"the case does not take the tap-GEMM kernel: {names}"
    assert y.dtype == dtype and y.shape == ref.shape
    assert torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= budget, f"{tcase} {layout}: {rel_err(y, ref):.3g} against float64"
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "0")
    y0, names0 = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
    assert "tapgemm_kernel" not in names0
    assert rel_err(y, y0) <= 2 * budget, f"{tcase} {layout}: {rel_err(y, y0):.3g} against the other kernels"


# grad_input and grad_weight on the tap-GEMM: grad_y gathered by 16-byte copies, NCDHW (w stride 1 or 2, W a multiple of
# 4 / stride: 8 / stride for 16-bit; grad_weight: x NCDHW, D H W a multiple of 4 (8)) or channels_last (any w stride,
# a group's output channels whole vectors; grad_weight: x channels_last, its input channels alike): (x shape, Cout,
# kernel = stride, groups).  Positions past one 128 block and not a multiple,
# input channels (the N side) past one 64-column block and not whole vectors (33 -> 40), K = Cout x taps from 7 to 512
# ((co, kd, kh) rows cut by the 32-wide K step), 2 groups, strides (2, 1, 2), (1, 2, 4) (channels_last only) and
# pointwise.
TAPGEMM_DGRAD_CASES = [
    ((2, 40, 3, 4, 20), 24, (2, 2, 2), 1),
    ((1, 256, 4, 4, 16), 64, (2, 2, 2), 1),
    ((2, 33, 2, 3, 72), 7, (1, 1, 1), 1),
    ((1, 48, 3, 4, 24), 20, (2, 2, 2), 2),
    ((1, 16, 5, 6, 8), 16, (2, 1, 2), 1),
    ((1, 64, 3, 4, 8), 32, (1, 2, 4), 2),
]


def _tapgemm_takes_grad(layout, xs, cout, k, g, dtype, wgrad):
    """Whether the plan gives a TAPGEMM_DGRAD_CASES gradient to the tap-GEMM (its 16-byte gathers, above)."""
    vec = 16 // dtype.itemsize
    if layout == "expanded":  # w stride 0: no 16-byte copies
        return False
    if layout in ("gy-cl", "both-cl"):
        return (cout // g) % vec == 0 and (not wgrad or (layout == "both-cl" and (xs[1] // g) % vec == 0))
    return k[2] <= 2 and xs[4] % (vec // k[2]) == 0 and (not wgrad or layout == "ncdhw")


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "x-cl", "expanded", "gy-cl", "both-cl"])
@pytest.mark.parametrize("tcase", TAPGEMM_DGRAD_CASES,
                         ids=[_tapgemm_id(c) for c in TAPGEMM_DGRAD_CASES])
def test_tapgemm_grad_input(tcase, layout, mode, restore_flags, monkeypatch):
    """grad_input on the tap-GEMM kernel (CUTLASS_CONVT3D_TAPGEMM=1) against float64 (conv3d of the same grad_y) and
    against the other kernels (CUTLASS_CONVT3D_TAPGEMM=0), outputs NaN-poisoned: grad_x NCDHW or channels_last (x-cl),
    grad_y expanded from one element (stride 0, as y.sum().backward() gives: the other kernels take it), channels_last
    (gy-cl; both-cl: grad_x too)."""
    xs, cout, k, g = tcase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    x, w, _ = _tapgemm_inputs(xs, cout, k, g, dtype, "channels_last_3d" if layout in ("x-cl", "both-cl") else "ncdhw",
                              False, 9)
    ys = (xs[0], cout, *(e * s for e, s in zip(xs[2:], k)))
    gen = torch.Generator().manual_seed(10)
    gy = torch.randn(ys, generator=gen).to(dtype).to(DEV)
    if layout == "expanded":
        gy = gy[:1, :1, :1, :1, :1].expand(ys)
    elif layout in ("gy-cl", "both-cl"):
        gy = gy.contiguous(memory_format=CL)
    ref = F.conv3d(gy.double(), w.double(), None, k, 0, 1, g)
    args = (k, 0, 0, g, 1, tf32)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "1")
    gx, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args))
    assert ("tapgemm_kernel" in names) == _tapgemm_takes_grad(layout, xs, cout, k, g, dtype, False), names
    assert gx.dtype == dtype and gx.shape == x.shape
    assert torch.isfinite(gx).all(), "unwritten or non-finite outputs"
    assert rel_err(gx, ref) <= budget, f"{tcase} {layout}: {rel_err(gx, ref):.3g} against float64"
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "0")
    gx0, names0 = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args))
    assert "tapgemm_kernel" not in names0
    assert rel_err(gx, gx0) <= 2 * budget, f"{tcase} {layout}: {rel_err(gx, gx0):.3g} against the other kernels"


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "expanded", "gy-cl", "x-cl", "both-cl"])
@pytest.mark.parametrize("tcase", TAPGEMM_DGRAD_CASES,
                         ids=[_tapgemm_id(c) for c in TAPGEMM_DGRAD_CASES])
def test_tapgemm_grad_weight(tcase, layout, mode, restore_flags, monkeypatch):
    """grad_weight on the tap-GEMM kernel (CUTLASS_CONVT3D_TAPGEMM=1: chunk sums, then the ordered reduce) against
    float64 autograd and against the other kernels, bit-identical from run to run; grad_y expanded from one element;
    x and grad_y both channels_last (both-cl); one channels_last and the other not is left to the other kernels."""
    xs, cout, k, g = tcase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    x, w, _ = _tapgemm_inputs(xs, cout, k, g, dtype, "channels_last_3d" if layout in ("x-cl", "both-cl") else "ncdhw",
                              False, 12)
    ys = (xs[0], cout, *(e * s for e, s in zip(xs[2:], k)))
    gy = torch.randn(ys, generator=torch.Generator().manual_seed(13)).to(dtype).to(DEV)
    if layout == "expanded":
        gy = gy[:1, :1, :1, :1, :1].expand(ys)
    elif layout in ("gy-cl", "both-cl"):
        gy = gy.contiguous(memory_format=CL)
    w64 = w.double().requires_grad_()
    F.conv_transpose3d(x.double(), w64, None, k, 0, 0, g, 1).backward(gy.double())
    args = (k, 0, 0, g, 1, tf32)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "1")
    gw, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args))
    assert ("tapgemm_kernel" in names) == _tapgemm_takes_grad(layout, xs, cout, k, g, dtype, True), names
    assert gw.dtype == dtype and gw.shape == w.shape
    assert rel_err(gw, w64.grad) <= budget, f"{tcase} {layout}: {rel_err(gw, w64.grad):.3g} against float64"
    assert torch.equal(gw, ops.conv_transpose3d_grad_weight(gy, x, w, *args)), "not bit-identical run to run"
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "0")
    gw0 = ops.conv_transpose3d_grad_weight(gy, x, w, *args)
    assert rel_err(gw, gw0) <= 2 * budget, f"{tcase} {layout}: {rel_err(gw, gw0):.3g} against the other kernels"


@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_tapgemm_grid_order(mode, layout, restore_flags, monkeypatch):
    """CUTLASS_CONVT3D_TAPGEMM_ORDER=1 (column blocks fastest along the grid) launches the same tiles in another order:
    forward, grad_input and grad_weight bit-identical to the default order, on a problem of several position and
    column blocks (and grad_weight chunks), through the tap-GEMM both times."""
    dtype, tf32, _ = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    x, w, b = _tapgemm_inputs((2, 96, 4, 6, 16), 48, (2, 2, 2), 1, dtype, layout, True, 31)
    gy = torch.randn(2, 48, 8, 12, 32, generator=torch.Generator().manual_seed(32)).to(dtype).to(DEV)
    gy = gy.contiguous(memory_format=CL if layout == "channels_last_3d" else torch.contiguous_format)
    gargs = ((2, 2, 2), 0, 0, 1, 1, tf32)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "1")
    out = {}
    for order in ("0", "1"):
        monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_ORDER", order)
        res, names = [], []
        for f in (lambda: conv_transpose3d(x, w, b, (2, 2, 2), 0, 0, 1, 1),
                  lambda: ops.conv_transpose3d_grad_input(gy, x, w, *gargs),
                  lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *gargs)):
            r, n = _with_kernel_names(f)
            res.append(r)
            names.append("tapgemm_kernel" in n)
        assert all(names), f"order {order}: a pass left the tap-GEMM: {names}"
        out[order] = res
    for what, a, c in zip(("y", "grad_x", "grad_w"), out["0"], out["1"]):
        assert torch.equal(a, c), f"{what}: the grid order changed the result"


@pytest.mark.parametrize("knob", ["2", "1"], ids=["beside-hopper", "forced"])
@pytest.mark.parametrize("mode", ["fp32-tf32", "fp32-exact", "bf16"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_tapgemm_module_backward(mode, knob, layout, restore_flags, monkeypatch):
    """A U-Net up-convolution module (256 -> 64 channels, kernel 2 / stride 2, bias) forward and backward through
    autograd (both gradients from one call, the bias gradient) against float64 autograd, NCDHW or channels_last (x and
    grad_y): beside the Hopper kernels (CUTLASS_CONVT3D_TAPGEMM=2) the tap-GEMM takes grad_weight (on an H100 / H200
    not the exact NCDHW one, nor its grad_input: both Hopper 3xTF32 kernels there), and the forward except on an H100 /
    H200 (the wide Hopper forward, v92, takes 256 channels there); forced (=1) all three."""
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0")  # (the tap-GEMM itself, not v134's TMA route)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", knob)
    torch.manual_seed(21)
    m = ConvTranspose3d(256, 64, 2, stride=2).to(DEV).to(dtype)
    mf = CL if layout == "channels_last_3d" else torch.contiguous_format
    x = torch.randn(2, 256, 4, 6, 16, device=DEV).to(dtype).contiguous(memory_format=mf).requires_grad_()
    gy = torch.randn(2, 64, 8, 12, 32, device=DEV).to(dtype).contiguous(memory_format=mf)
    y, names = _with_kernel_names(lambda: m(x))
    hopper_fwd = knob == "2" and mode != "fp32-exact" and torch.cuda.get_device_capability() == (9, 0)
    assert ("tapgemm_kernel" in names) != hopper_fwd, names
    _, names = _with_kernel_names(lambda: y.backward(gy))
    if knob == "2" and mode == "fp32-exact" and layout == "ncdhw" and torch.cuda.get_device_capability() == (9, 0):
        # both gradients on the Hopper kernels as 3xTF32 (grad_weight v87, grad_input v129): none left to the tap-GEMM
        assert "hopper_dgrad_kernel" in names and "hopper_wgrad_kernel" in names, names
        assert "tapgemm_kernel" not in names, names
    else:
        assert names.count("tapgemm_kernel") >= (2 if knob == "1" else 1), names
    x64 = x.detach().double().requires_grad_()
    w64 = m.weight.detach().double().requires_grad_()
    b64 = m.bias.detach().double().requires_grad_()
    y64 = F.conv_transpose3d(x64, w64, b64, 2)
    y64.backward(gy.double())
    for what, ours, ref in (("y", y, y64), ("grad_x", x.grad, x64.grad), ("grad_w", m.weight.grad, w64.grad),
                            ("grad_b", m.bias.grad, b64.grad)):
        assert ours.dtype == dtype and rel_err(ours, ref) <= budget, f"{what}: {rel_err(ours, ref):.3g} against float64"


def test_tapgemm_routing(restore_flags, monkeypatch):
    """Which forwards the tap-GEMM takes beside the Hopper kernels (CUTLASS_CONVT3D_TAPGEMM=2) and by default (short
    rows, over the Hopper kernels too; grad_input at W 40 and 72 too): kernel == stride with padding 0 where no Hopper forward applies
    (512 input channels at kernel 2 / stride 2; 256 only off Hopper, where v92's wide forward takes them), not padding 1, not
    output_padding 1, not a non-flat x (a w slice: its h stride does not continue its w stride), not the few-channel
    groups the direct kernels take, and not where the Hopper forward takes the problem (32 input channels, H100)."""
    torch.backends.cudnn.allow_tf32 = True
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0")  # (the tap-GEMM itself, not v134's TMA route)
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "2")
    gen = torch.Generator().manual_seed(3)

    def run(x, w, *args):
        y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, *args))
        ref = F.conv_transpose3d(x.double(), w.double(), None, *args)
        assert rel_err(y, ref) <= (2e-3 if x.dtype == torch.float32 else 1e-2)  # (bf16 y: 2^-9 of the largest)
        return "tapgemm_kernel" in names

    x = torch.randn(1, 256, 4, 4, 16, generator=gen).to(DEV)
    w = (torch.randn(256, 64, 2, 2, 2, generator=gen) / 16).to(DEV)
    hopper = torch.cuda.get_device_capability() == (9, 0)
    assert run(x, w, 2) != hopper       # 256 channels: the wide Hopper forward's (v92) where there is one
    x5, w5 = torch.randn(1, 512, 2, 4, 16, generator=gen).to(DEV), (torch.randn(512, 64, 2, 2, 2, generator=gen) / 22).to(DEV)
    assert run(x5, w5, 2)               # 512: past every Hopper forward
    assert not run(x, w, 2, 1)          # padding 1
    assert not run(x, w, 2, 0, 1)       # output_padding 1
    assert not run(torch.randn(1, 256, 4, 4, 20, generator=gen).to(DEV)[..., :16], w, 2)  # non-flat positions
    xd, wd = torch.randn(1, 8, 4, 4, 16, generator=gen).to(DEV), torch.randn(8, 1, 2, 2, 2, generator=gen).to(DEV)
    assert not run(xd, wd, 2, 0, 0, 8)  # depthwise: the direct kernels
    xs, ws = torch.randn(1, 32, 4, 4, 40, generator=gen).to(DEV), (torch.randn(32, 32, 2, 2, 2, generator=gen) / 6).to(DEV)
    assert run(xs, ws, 2) != hopper
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "0")
    assert not run(x, w, 2)
    # the default: short rows where it was measured faster, over the Hopper kernels too: the forward at W <= 32 (a
    # channels_last 16-bit x past W 16 only where no Hopper forward reads it in place), the gradients at W <= 64
    monkeypatch.delenv("CUTLASS_CONVT3D_TAPGEMM")
    assert run(x, w, 2)                                                            # W 16
    assert run(xs[..., :32].contiguous(), ws, 2)                                   # W 32, Hopper-sized channels
    assert not run(xs, ws, 2)                                                      # W 40
    assert run(xs[..., :16].contiguous(memory_format=CL), ws, 2)                   # W 16, channels_last
    assert run(xs[..., :32].contiguous(memory_format=CL), ws, 2)                   # W 32, channels_last fp32
    xb = xs[..., :32].bfloat16()
    assert run(xb.contiguous(memory_format=CL), ws.bfloat16(), 2) != hopper        # W 32, channels_last bf16
    assert run(xb[..., :16].contiguous(memory_format=CL), ws.bfloat16(), 2)        # W 16, channels_last bf16

    def grad_input_taken(xg):
        gy = torch.randn(xg.shape[0], 32, *(2 * e for e in xg.shape[2:]), generator=gen).to(DEV)
        gx, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, xg, ws, (2, 2, 2), 0, 0, 1, 1, True))
        assert rel_err(gx, F.conv3d(gy.double(), ws.double(), None, 2)) <= 2e-3
        return "tapgemm_kernel" in names

    assert grad_input_taken(xs)                                                    # W 40
    assert not grad_input_taken(torch.randn(1, 32, 2, 2, 72, generator=gen).to(DEV))  # W 72


# The tap-GEMM's and phase-GEMM's wgmma instance (v102, compute capability 9.0): (x shape, Cout, kernel, stride,
# padding, output_padding, groups).  kernel == stride (the tap-GEMM: 576 columns, 9 column blocks; 256 input channels,
# 8 K steps past the pipeline's depth; two groups of 24 -> 16), kernel 3 / stride 2 / output padding 1 (the phase-GEMM:
# 40 input channels, a K tail of 8 in the last 32-wide step, classes of 1-8 taps, 72 outputs over two column blocks,
# positions past one 128 block) and stride 1 with two groups.
SM90_TAPGEMM_CASES = [
    ((2, 64, 4, 5, 12), 72, 2, 2, 0, 0, 1),
    ((1, 256, 2, 3, 8), 32, 2, 2, 0, 0, 1),
    ((1, 48, 3, 4, 9), 32, 2, 2, 0, 0, 2),
    ((2, 40, 5, 6, 9), 72, 3, 2, 1, 1, 1),
    ((1, 32, 3, 4, 20), 16, 3, 1, 1, 0, 2),
]


def _sm90_tapgemm_setup(scase, what, mode, seed, monkeypatch):
    """The wgmma-instance tests' setup (compute capability 9.0, else skip): the mode's dtype, TF32 switch (set) and
    budget, whether the case is the phase-GEMM's, its channels_last operands (x, w, grad_y), the conv args, and run()
    (the pass `what`) forced onto the tap-GEMM / phase-GEMM, deterministic, with NaN-poisoned outputs."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the wgmma instance runs on compute capability 9.0 only")
    xs, cout, k, s, pad, op, g = scase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout // g, k, k, k, generator=gen) / (xs[1] // g * 4) ** 0.5
    args = (s, pad, op, g, 1)
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
    x, w, gy = (t.to(dtype).to(DEV).contiguous(memory_format=CL) for t in (x, w, gy))
    phase = k != s or pad != 0 or op != 0
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM" if phase else "CUTLASS_CONVT3D_TAPGEMM", "1")
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)

    def run():
        if what == "forward":
            return conv_transpose3d(x, w, None, *args)
        return ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32)

    return dtype, tf32, budget, phase, (x, w, gy), args, run


@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16", "fp16"])
@pytest.mark.parametrize("what", ["forward", "grad_input"])
@pytest.mark.parametrize("scase", SM90_TAPGEMM_CASES, ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2]}s{c[3]}g{c[6]}"
                                                           for c in SM90_TAPGEMM_CASES])
def test_tapgemm_sm90_instance(scase, what, mode, restore_flags, monkeypatch):
    """The wgmma instance (CUTLASS_CONVT3D_TAPGEMM_SM90, on by default on compute capability 9.0) of the tap-GEMM
    (kernel == stride; x or grad_y channels_last, A staged [position][k]) and of the phase-GEMM (any layout), forced
    onto those kernels: every output written (NaN-poisoned), within budget of float64, within 2 budgets of the sm_80
    instance (=0); TF32 operands rounded to nearest (the wgmma truncates: A is rounded in shared memory), so the result
    is that of the nearest-rounded operands in float64 (~1e-6), far from the truncated ones'."""
    dtype, tf32, budget, phase, (x, w, gy), args, run = _sm90_tapgemm_setup(scase, what, mode, 17, monkeypatch)
    rounded = dtype == torch.float32  # (fp32 with TF32 allowed: TF32 operands; 16-bit ones are exact already)

    def reference(rn):  # float64 of the operands (TF32: rounded to nearest or truncated)
        x64, w64, g64 = ((_tf32(t, rn) if rounded else t).double() for t in (x, w, gy))
        if what == "forward":
            return F.conv_transpose3d(x64, w64, None, *args)
        x64.requires_grad_()
        F.conv_transpose3d(x64, w64, None, *args).backward(g64)
        return x64.grad

    out, names = _with_kernel_names(run)
    kernel = "hopper_phasegemm_kernel" if phase else "hopper_tapgemm_kernel"
    assert kernel in names, f"{scase} {what}: {kernel} expected: {names}"
    assert out.dtype == dtype and torch.isfinite(out).all(), "unwritten or non-finite outputs"
    near = rel_err(out, reference(True))
    assert near <= budget, f"{scase} {what}: {near:.3g} against float64"
    if rounded:
        trunc = rel_err(out, reference(False))
        assert near < 1e-5 and near < trunc / 20, f"{what}: {near:.2e} from nearest, {trunc:.2e} from truncated"
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_SM90", "0")
    out0, names0 = _with_kernel_names(run)
    assert "hopper_" not in names0 and kernel[len("hopper_"):] in names0, names0
    assert rel_err(out, out0) <= 2 * budget, f"{scase} {what}: {rel_err(out, out0):.3g} against the sm_80 instance"


@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16"])
@pytest.mark.parametrize("what", ["forward", "grad_input"])
@pytest.mark.parametrize("scase", SM90_TAPGEMM_CASES, ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2]}s{c[3]}g{c[6]}"
                                                           for c in SM90_TAPGEMM_CASES])
def test_tapgemm_sm90_overlap(scase, what, mode, restore_flags, monkeypatch):
    """v105 (CUTLASS_CONVT3D_TAPGEMM_OVERLAP=1): the wgmma instance issues a stage's wgmmas before the next stage's
    loads; the same products in the same order, so the same bits as =0, every output written (NaN-poisoned)."""
    _, _, _, phase, _, _, run = _sm90_tapgemm_setup(scase, what, mode, 19, monkeypatch)
    outs = []
    for ov in "01":
        monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_OVERLAP", ov)
        out, names = _with_kernel_names(run)
        assert ("hopper_phasegemm_kernel" if phase else "hopper_tapgemm_kernel") in names, names
        assert torch.isfinite(out).all(), f"{scase} {what} overlap {ov}: unwritten outputs"
        outs.append(out)
    assert torch.equal(outs[0], outs[1]), f"{scase} {what}: the overlapped order changed bits"


# The phase-GEMM (the forward where kernel != stride: per residue class of the outputs a stride-1 gather GEMM over x's
# channel vectors): (x shape, Cout, kernel, stride, padding, output_padding, groups, dilation).  The V-Net level in
# small (k3 s2 p1 op1, 1 and 2 taps per residue), the user's k3 s2 p1, k4 s2 p1 (GAN decoders: 2 taps per residue),
# kernel 1 at stride 2 (residues with no tap: bias only), per-dimension strides 3 / 1 / 2 with dilation 2 and padding
# 2 and 2 groups, stride 1 (one class of 27 taps), input channels not a multiple of the 32-wide K step (40, 24 per
# group), positions past one 128 block, output channels past one 64-column block (72) and not whole vectors (12).
PHASEGEMM_CASES = [
    ((2, 64, 5, 6, 9), 48, 3, 2, 1, 1, 1, 1),
    ((1, 32, 4, 5, 20), 32, 3, 2, 1, 0, 1, 1),
    ((1, 16, 3, 4, 7), 72, 4, 2, 1, 0, 1, 1),
    ((1, 16, 3, 3, 5), 8, 1, 2, 0, 1, 1, 1),
    ((1, 48, 3, 4, 6), 16, (5, 3, 2), (3, 1, 2), (2, 1, 0), (1, 0, 1), 2, (2, 1, 1)),
    ((2, 40, 3, 4, 5), 12, 3, 1, 1, 0, 1, 1),
]


def _check_phasegemm(run, ref, budget, takes, monkeypatch, what):
    """run() with CUTLASS_CONVT3D_PHASEGEMM=1: on the phase-GEMM kernel exactly where `takes`, every element written
    (NaN-poisoned outputs) and within budget of float64 `ref`, within 2 budgets of the other kernels (=0), the same
    bits on a second run. Returns the result."""
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    out, names = _with_kernel_names(run)
    assert ("phasegemm_kernel" in names) == takes, f"{what}: phase-GEMM expected {takes}: {names}"
    assert out.shape == ref.shape and torch.isfinite(out).all(), f"{what}: unwritten or non-finite outputs"
    assert rel_err(out, ref) <= budget, f"{what}: {rel_err(out, ref):.3g} against float64"
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "0")
    out0, names0 = _with_kernel_names(run)
    assert "phasegemm_kernel" not in names0
    assert rel_err(out, out0) <= 2 * budget, f"{what}: {rel_err(out, out0):.3g} against the other kernels"
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    assert torch.equal(run(), out), f"{what}: not bitwise the same run to run"
    return out


def _phasegemm_id(c):
    return f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2]}s{c[3]}p{c[4]}op{c[5]}g{c[6]}d{c[7]}".replace(" ", "")


def _phasegemm_forward_operands(pcase, mode, layout, bias, seed):
    """The phase-GEMM forward tests' operands: the mode's dtype, TF32 switch (set) and budget, x, w, the bias (or None)
    and the op's (stride, padding, output_padding, groups, dilation).  Layouts: NCDHW; channels_last_3d (x read in
    place); misaligned (x off its 16-byte boundary: restaged); y-cl (a channels_last weight makes y channels_last, as
    PyTorch's convolutions do)."""
    xs, cout, k, s, pad, op, g, dil = pcase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    gen = torch.Generator().manual_seed(seed)
    ks = (k,) * 3 if isinstance(k, int) else k
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout // g, *ks, generator=gen) / (xs[1] // g * 8) ** 0.5
    b = torch.randn(cout, generator=gen).to(dtype).to(DEV) if bias else None
    x, w = x.to(dtype).to(DEV), w.to(dtype).to(DEV)
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    elif layout == "misaligned":
        buf = torch.empty(x.numel() + 1, dtype=dtype, device=DEV)
        x = buf[1:].view(xs).copy_(x)
    elif layout == "y-cl":
        w = w.contiguous(memory_format=CL)
    return dtype, tf32, budget, x, w, b, (s, pad, op, g, dil)


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned", "y-cl"])
@pytest.mark.parametrize("pcase", PHASEGEMM_CASES, ids=[_phasegemm_id(c) for c in PHASEGEMM_CASES])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_phasegemm_forward(pcase, layout, bias, mode, restore_flags, monkeypatch):
    """The phase-GEMM kernel (CUTLASS_CONVT3D_PHASEGEMM=1) in each mode and layout (x NCDHW and misaligned: restaged
    channels_last first; channels_last: read in place; y-cl: an NCDHW x and a channels_last weight, so y channels_last)
    against float64 of the same (16-bit: rounded) operands and against the other kernels (=0); outputs NaN-poisoned."""
    dtype, tf32, budget, x, w, b, args = _phasegemm_forward_operands(pcase, mode, layout, bias, 17)
    ref = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)

    def run():
        return conv_transpose3d(x, w, b, *args)

    y = _check_phasegemm(run, ref, budget, True, monkeypatch, f"{pcase} {layout}")
    assert y.dtype == dtype


def _phasegemm_grad_operands(pcase, mode, seed, fan):
    """The phase-GEMM tests' setup (the gradients', v107's): the mode's dtype, TF32 switch (set) and budget, the
    generator (for grad_y or a bias next), x and w of the case (w scaled by its fan) on the GPU, and the conv args."""
    xs, cout, k, s, pad, op, g, dil = pcase
    dtype, tf32, budget = TAPGEMM_MODES[mode]
    torch.backends.cudnn.allow_tf32 = tf32
    gen = torch.Generator().manual_seed(seed)
    ks = (k,) * 3 if isinstance(k, int) else k
    x = torch.randn(xs, generator=gen).to(dtype).to(DEV)
    w = (torch.randn(xs[1], cout // g, *ks, generator=gen) / (fan * 8) ** 0.5).to(dtype).to(DEV)
    return dtype, tf32, budget, gen, x, w, (s, pad, op, g, dil)


def _phasegemm_grad_y(x, w, args, gen, layout):
    """A random grad_y for x, w and the conv args, in x's dtype on the GPU: NCDHW, channels_last (layout
    "channels_last_3d") or one element off its 16-byte boundary ("misaligned")."""
    ys = F.conv_transpose3d(x.double(), w.double(), None, *args).shape
    gy = torch.randn(ys, generator=gen).to(x.dtype).to(DEV)
    if layout == "channels_last_3d":
        gy = gy.contiguous(memory_format=CL)
    elif layout == "misaligned":
        buf = torch.empty(gy.numel() + 1, dtype=x.dtype, device=DEV)
        gy = buf[1:].view(ys).copy_(gy)
    return gy


@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16"])
@pytest.mark.parametrize("layout", ["ncdhw", "y-cl"])
@pytest.mark.parametrize("pcase", PHASEGEMM_CASES, ids=[_phasegemm_id(c) for c in PHASEGEMM_CASES])
def test_phasegemm_class_order(pcase, layout, mode, restore_flags, monkeypatch):
    """v107 / v108 (CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER): the forward's residue classes of one position block in
    consecutive CTAs (1 / 2: the w residues, 3 / 4: every class; 1 and 3 only where y is not channels_last) instead
    of a class's whole grid apart (0).  The same CTAs in another order: the same bits at every level, every output
    written (NaN-poisoned), with a bias."""
    dtype, _, _, gen, x, w, args = _phasegemm_grad_operands(pcase, mode, 23, pcase[0][1] // pcase[6])
    b = torch.randn(pcase[1], generator=gen).to(dtype).to(DEV)
    if layout == "y-cl":  # (a channels_last weight makes y channels_last)
        w = w.contiguous(memory_format=CL)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    outs = []
    for level in "01234":
        monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER", level)
        out, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
        assert "phasegemm_kernel" in names, names
        assert torch.isfinite(out).all(), f"{pcase} {layout} class order {level}: unwritten outputs"
        outs.append(out)
    for level, out in enumerate(outs[1:], 1):
        assert torch.equal(outs[0], out), f"{pcase} {layout}: class order {level} changed bits"


PHASEGEMM_DGRAD_CASES = [c for c in PHASEGEMM_CASES if max((c[2],) if isinstance(c[2], int) else c[2]) <= 4]


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned"])
@pytest.mark.parametrize("pcase", PHASEGEMM_DGRAD_CASES, ids=[_phasegemm_id(c) for c in PHASEGEMM_DGRAD_CASES])
def test_phasegemm_grad_input(pcase, layout, mode, restore_flags, monkeypatch):
    """grad_input on the phase-GEMM (one class: x position Q gathers grad_y at s Q - pad + k dil; grad_y NCDHW or
    misaligned: restaged channels_last first; channels_last: read in place) against float64 (F.conv3d of grad_y) and the
    other kernels, NaN-poisoned outputs, bits run to run."""
    cout, g = pcase[1], pcase[6]
    dtype, tf32, budget, gen, x, w, args = _phasegemm_grad_operands(pcase, mode, 23, cout // g)
    gy = _phasegemm_grad_y(x, w, args, gen, layout)
    s, pad, _, g, dil = args
    ref = F.conv3d(gy.double(), w.double(), None, s, pad, dil, g)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)

    def run():
        return ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32)

    takes = (cout // g) % (16 // dtype.itemsize) == 0  # grad_y's channels of a group whole 16-byte vectors
    _check_phasegemm(run, ref, budget, takes, monkeypatch, f"{pcase} {layout}")


@pytest.mark.parametrize("what", ["forward", "forward-cl", "grad_input", "grad_input-cl"])
def test_phasegemm_rounded_copy(what, restore_flags, monkeypatch):
    """v104: an fp32 source restaged for the phase-GEMM with TF32 products is rounded to TF32 by its copy
    (CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=1), and the wgmma instance then skips its own rounding pass; at 2 (the
    default) a channels_last source is copied so too where each element is staged >= 16 times (the forward at kernel 3:
    27; not grad_input: 27 / 8) and the wgmma instance runs.  Every setting gives the same bits as rounding in the
    kernel (=0; on sm_80 the fragment loads round either way), within budget of float64 of the rounded operands, every
    output written, the copy made exactly where the rule says.  x / grad_y with a quarter of their values on TF32 ties."""
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(41)
    xs, cout, args = (2, 64, 5, 6, 9), 48, (2, 1, 1, 1, 1)
    x = _tf32_ties(torch.randn(xs, generator=gen), gen)
    w = torch.randn(xs[1], cout, 3, 3, 3, generator=gen) / (xs[1] * 8) ** 0.5
    gy = _tf32_ties(torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen), gen)
    cl = what.endswith("-cl")
    x, w, gy = (t.to(DEV).contiguous(memory_format=CL) if cl else t.to(DEV) for t in (x, w, gy))
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)

    def run():
        if what.startswith("forward"):
            return conv_transpose3d(x, w, None, *args)
        return ops.conv_transpose3d_grad_input(gy, x, w, *args, True)

    outs = []
    for rc in "012":
        monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY", rc)
        out, names = _with_kernel_names(run)
        # (2 copies a channels_last x only for the wgmma instance, compute capability 9.0: it has the pass to skip)
        copied = not cl or (rc == "2" and what == "forward-cl" and torch.cuda.get_device_capability() == (9, 0))
        assert "phasegemm_kernel" in names and ("to_channels_last" in names) == copied, (rc, names)
        assert torch.isfinite(out).all(), f"{what} copy rounding {rc}: unwritten outputs"
        outs.append(out)
    x64, w64, g64 = (_tf32(t, True).double() for t in (x, w, gy))
    ref = F.conv_transpose3d(x64, w64, None, *args) if what.startswith("forward") else F.conv3d(g64, w64, None, 2, 1)
    assert rel_err(outs[2], ref) <= 1e-5, f"{what}: {rel_err(outs[2], ref):.3g} against float64 of rounded operands"
    assert torch.equal(outs[0], outs[1]) and torch.equal(outs[0], outs[2]), f"{what}: the rounded copy changed bits"


def test_wgen_grad_weight_rounded_copies(restore_flags, monkeypatch):
    """v113: grad_weight at any kernel on the tap-GEMM (wgen) over NCDHW x and grad_y, both copied channels_last: with
    TF32 products the copies round them to nearest TF32 and the kernel's fragments take them as they are
    (PolicyTF32Rounded); CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0 rounds in the kernel instead.  Same bits either way,
    and from the fused backward (grad_y's shared rounded copy, Arguments::y_tf32_rounded); within fp32 summation error
    of float64 over the rounded operands (products of TF32 values are exact in fp32).  x and grad_y with a quarter of
    their values on TF32 ties (a truncating copy would differ)."""
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(43)
    xs, cout, args = (2, 64, 5, 6, 9), 48, (2, 1, 1, 1, 1)
    x = _tf32_ties(torch.randn(xs, generator=gen), gen)
    w = torch.randn(xs[1], cout, 3, 3, 3, generator=gen)
    gy = _tf32_ties(torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen), gen)
    x64, g64 = _tf32(x, True).double(), _tf32(gy, True).double()
    w64 = w.double().requires_grad_()
    F.conv_transpose3d(x64, w64, None, *args).backward(g64)
    x, w, gy = x.to(DEV), w.to(DEV), gy.to(DEV)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "1")
    torch.use_deterministic_algorithms(True)
    outs = []
    for rc in "012":
        monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY", rc)
        gw, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, True))
        assert "tapgemm_kernel" in names and ("PolicyTF32Rounded" in names) == (rc != "0"), (rc, names)
        outs.append(gw)
    (_, gw_both), names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input_weight(gy, x, w, *args, True))
    assert "PolicyTF32Rounded" in names, names
    err = rel_err(outs[1].cpu(), w64.grad)
    assert err <= 1e-5, f"{err:.3g} against float64 of rounded operands"
    for o in outs[1:] + [gw_both]:
        assert torch.equal(o, outs[0]), "the rounded copies changed bits"


# grad_weight's cases: the phase-GEMM's, and 160 input channels (two 128-row channel blocks, the second partial)
PHASEGEMM_WGRAD_CASES = PHASEGEMM_CASES + [((1, 160, 3, 4, 6), 16, 3, 2, 1, 1, 1, 1)]


@pytest.mark.parametrize("mode", list(TAPGEMM_MODES))
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned", "gy-expanded"])
@pytest.mark.parametrize("pcase", PHASEGEMM_WGRAD_CASES, ids=[_phasegemm_id(c) for c in PHASEGEMM_WGRAD_CASES])
def test_phasegemm_grad_weight(pcase, layout, mode, restore_flags, monkeypatch):
    """grad_weight where kernel != stride on the tap-GEMM's grad_weight (v101, CUTLASS_CONVT3D_PHASEGEMM_WGRAD=1 with
    CUTLASS_CONVT3D_PHASEGEMM=1): every tap a column block, grad_y gathered at s q - pad + k dil with bounds; x and
    grad_y NCDHW or misaligned (restaged channels_last first) or channels_last (read in place), or grad_y expanded from
    one element (never copied: the other kernels take it).  Against float64 autograd and the other kernels, bits run
    to run (chunk sums and the ordered reduce)."""
    xs, cout, g = pcase[0], pcase[1], pcase[6]
    dtype, tf32, budget, gen, x, w, args = _phasegemm_grad_operands(pcase, mode, 31, xs[1] // g)
    ys = F.conv_transpose3d(x.double(), w.double(), None, *args).shape
    gy = torch.randn(ys, generator=gen).to(dtype).to(DEV)
    if layout == "channels_last_3d":
        x, gy = x.contiguous(memory_format=CL), gy.contiguous(memory_format=CL)
    elif layout == "misaligned":
        bx = torch.empty(x.numel() + 1, dtype=dtype, device=DEV)
        by = torch.empty(gy.numel() + 1, dtype=dtype, device=DEV)
        x, gy = bx[1:].view(xs).copy_(x), by[1:].view(ys).copy_(gy)
    elif layout == "gy-expanded":
        gy = gy[:1, :1, :1, :1, :1].expand(ys)
    w64 = w.double().requires_grad_()
    F.conv_transpose3d(x.double(), w64, None, *args).backward(gy.double())
    torch.use_deterministic_algorithms(True)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")

    def run():
        return ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf32)

    vec = 16 // dtype.itemsize
    takes = layout != "gy-expanded" and (xs[1] // g) % vec == 0 and (cout // g) % vec == 0
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "1")
    gw, names = _with_kernel_names(run)
    assert ("tapgemm_kernel" in names) == takes, f"{pcase} {layout}: tap-GEMM expected {takes}: {names}"
    assert gw.dtype == dtype and gw.shape == w.shape and torch.isfinite(gw).all()
    assert rel_err(gw, w64.grad) <= budget, f"{pcase} {layout}: {rel_err(gw, w64.grad):.3g} against float64"
    assert torch.equal(run(), gw), f"{pcase} {layout}: not bitwise the same run to run"
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "2")  # no copies only
    gw2, names2 = _with_kernel_names(run)
    in_place = takes and layout == "channels_last_3d"
    assert ("tapgemm_kernel" in names2) == in_place, f"{pcase} {layout}: at 2 expected {in_place}: {names2}"
    assert not in_place or torch.equal(gw2, gw)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "0")
    gw0, names0 = _with_kernel_names(run)
    assert "tapgemm_kernel" not in names0, names0
    assert rel_err(gw, gw0) <= 2 * budget, f"{pcase} {layout}: {rel_err(gw, gw0):.3g} against the other kernels"


def test_pointwise_channels_last_forward_w24(restore_flags):
    """A pointwise fp32 channels_last forward at W 24 (the short-row rule asks whether the unit-stride forward applies,
    whose plan once wrote through a null pointer there: a crash) runs and matches float64."""
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(1, 32, 2, 3, 24, generator=gen).to(DEV).contiguous(memory_format=CL)
    w = (torch.randn(32, 32, 1, 1, 1, generator=gen) / 6).to(DEV)
    y = conv_transpose3d(x, w, None, 1)
    assert rel_err(y, F.conv_transpose3d(x.double(), w.double(), None, 1)) <= 2e-3


# Fused backwards whose two passes would each copy an NCDHW grad_y channels_last: (conv args (stride, padding,
# output_padding, groups, dilation), x shape, Cout, the knobs, the grad_weight kernel).  A 16-bit stride-1 problem at
# short rows (the Hopper kernels off; grad_weight on the sm_80 kernel, which copies x too), and the V-Net level in small
# (k3 s2 p1 op1, W 8; grad_weight on the tap-GEMM at any kernel, v101, which copies x too).
SHARED_GY_CASES = [
    ((1, 1, 0, 1, 1), (1, 32, 3, 4, 16), 32, {"CUTLASS_CONVT3D_SM90": "0", "CUTLASS_CONVT3D_PHASEGEMM_WGRAD": "0"},
     "wgrad_kernel"),
    ((2, 1, 1, 1, 1), (2, 32, 4, 6, 8), 16,
     {"CUTLASS_CONVT3D_PHASEGEMM": "1", "CUTLASS_CONVT3D_PHASEGEMM_WGRAD": "1"}, "tapgemm_kernel"),
]


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32], ids=["bf16", "fp32-tf32"])
@pytest.mark.parametrize("scase", SHARED_GY_CASES, ids=["k3s1-sm80-wgrad", "vnet-tapgemm-wgrad"])
def test_phasegemm_grad_input_shares_grad_y_copy(scase, dtype, restore_flags, monkeypatch):
    """Both gradients, NCDHW: grad_input runs on the phase-GEMM, which restages grad_y, and grad_weight copies
    grad_y (and x) too, so the fused backward copies grad_y channels_last once for both: one copy fewer than the two
    ops alone, the same bits, within budget of float64.  fp32 with TF32 products: the shared copy is TF32-rounded
    (v104: grad_input then skips its rounding pass; every reader rounds to nearest anyway), still the same bits."""
    args, xs, cout, knobs, wkernel = scase
    if dtype == torch.float32 and args[0] == 1:
        pytest.skip("fp32 at stride 1 reads grad_y in place (only 2-byte stride-1 problems are restaged)")
    torch.backends.cudnn.allow_tf32 = True
    for k, v in knobs.items():
        monkeypatch.setenv(k, v)
    gen = torch.Generator().manual_seed(12)
    x64 = torch.randn(xs, generator=gen, dtype=torch.float64)
    w64 = torch.randn(xs[1], cout, 3, 3, 3, generator=gen, dtype=torch.float64) / 16
    gy64 = torch.randn(F.conv_transpose3d(x64, w64, None, *args).shape, generator=gen, dtype=torch.float64)
    x, w, gy = (t.to(dtype).to(DEV) for t in (x64, w64, gy64))
    if dtype == torch.float32:  # a quarter of the grad_y values on TF32 ties: a copy that truncated would show
        gy = _tf32_ties(gy.cpu(), gen).to(DEV)
    copies = "to_channels_last_kernel"
    gx, n_in = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args, True))
    gw, n_w = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, True))
    (gx2, gw2), n_both = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input_weight(gy, x, w, *args, True))
    assert "phasegemm_kernel" in n_in and wkernel in n_w, (n_in, n_w)
    assert "phasegemm_kernel" in n_both and wkernel in n_both, n_both
    assert n_in.count(copies) == 1 and n_w.count(copies) == 2, (n_in, n_w)  # (grad_y; x and grad_y)
    assert n_both.count(copies) == 2, n_both  # grad_y once, x once
    assert torch.equal(gx, gx2) and torch.equal(gw, gw2), "the shared copy changed the results"
    x0, w0 = x.double().requires_grad_(True), w.double().requires_grad_(True)
    rx, rw = torch.autograd.grad(F.conv_transpose3d(x0, w0, None, *args), (x0, w0), gy.double())
    budget = 2e-2 if dtype == torch.bfloat16 else 2e-3
    assert rel_err(gx2, rx) <= budget and rel_err(gw2, rw) <= budget


# v120: the phase-GEMM forward over TMA boxes (hopper_tma_phasegemm_kernel, CUTLASS_CONVT3D_SM90_PGEMM): shapes it
# takes (a group's input channels whole 128-byte k-blocks, output channels a multiple of 64): the V-Net level in small
# (k3 s2 p1 op1), k4 s2 p1 with N = 128 (two taps per residue, W 20), 2 groups, kernel 1 at stride 2 (classes without
# taps: bias only), per-dimension strides / paddings / dilation, class rows of 24 positions (32-wide boxes of 4 h rows:
# three h blocks, the last partial) and of 69-70 (128-wide boxes of one h row, partly empty).
PGEMM_CASES = [
    ((2, 64, 5, 6, 9), 64, 3, 2, 1, 1, 1, 1),
    ((1, 128, 3, 4, 20), 128, 4, 2, 1, 0, 1, 1),
    ((1, 128, 3, 5, 7), 128, 3, 2, 1, 1, 2, 1),
    ((1, 64, 3, 4, 5), 64, 1, 2, 0, 1, 1, 1),
    ((1, 64, 3, 4, 6), 64, (3, 3, 2), (1, 2, 2), (1, 1, 0), (0, 1, 1), 1, (1, 1, 2)),
    ((1, 64, 2, 9, 24), 64, 3, 2, 1, 1, 1, 1),
    ((1, 64, 2, 3, 70), 64, 3, 2, 1, 0, 1, 1),
]


def _pgemm_instance(names, pair, wgs):
    """Whether _with_kernel_names's names hold the TMA phase-GEMM instance hopper_tma_phasegemm_kernel<traits, N, pair,
    ctas, wgs> (v121's w pairs: pair; v122: wgs consumer warpgroups), demangled or not."""
    b = "true" if pair else "false"
    pattern = rf"hopper_tma_phasegemm_kernel(<[^()]*, {b}, \d, {wgs}>|I\w*?ELb{int(pair)}ELi\dELi{wgs}E)"
    return re.search(pattern, names) is not None


def _pgemm_wpair(names):
    """Whether the names hold v121's w-pair instance of the TMA phase-GEMM (two warpgroups)."""
    return _pgemm_instance(names, True, 2)


@pytest.mark.parametrize("wpair", ["2", "0", "wg4", "halo", "halo-wg4", "halo-wpair"])
@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16", "fp16", "fp32-exact"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned", "y-cl"])
@pytest.mark.parametrize("pcase", PGEMM_CASES, ids=[_phasegemm_id(c) for c in PGEMM_CASES])
def test_hopper_tma_phasegemm(pcase, layout, mode, wpair, restore_flags, monkeypatch):
    """v120 (compute capability 9.0): the phase-GEMM forward over TMA boxes takes these shapes in TF32 and 16-bit modes
    (not exact fp32), in every layout (NCDHW and misaligned x restaged channels_last, channels_last x in place, y-cl: a
    channels_last y), with tiles of one class or (v121, CUTLASS_CONVT3D_SM90_PGEMM_WPAIR=2) of both w residues where
    the w stride is 2, or (v122, wg4: CUTLASS_CONVT3D_SM90_PGEMM_WG=4) one class over four warpgroups, or (v124, halo:
    CUTLASS_CONVT3D_SM90_PGEMM_HALO=1) one x box for a class's h taps, with two or four warpgroups or w pairs; every
    output written (NaN-poisoned), within budget of float64; TF32 operands rounded to nearest by the maps (far closer
    to the nearest-rounded operands' float64 than to the truncated ones'); within 2 budgets of the gathering
    phase-GEMM (=0); the same bits run to run."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the TMA phase-GEMM runs on compute capability 9.0 only")
    wg4, halo = wpair.endswith("wg4"), wpair.startswith("halo")
    if wg4 or halo:
        wpair = "2" if wpair.endswith("wpair") else "0"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_WG", "4" if wg4 else "2")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_HALO", "1" if halo else "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_WPAIR", wpair)
    dtype, tf32, budget, x, w, b, args = _phasegemm_forward_operands(pcase, mode, layout, True, 29)
    rounded = dtype == torch.float32 and tf32

    def reference(rn):  # float64 of the operands (TF32: rounded to nearest or truncated); the bias as it is
        x64, w64 = ((_tf32(t, rn) if rounded else t).double() for t in (x, w))
        return F.conv_transpose3d(x64, w64, b.double(), *args)

    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "2")  # (also an NCDHW fp32 y, which the default leaves)

    def run():
        return conv_transpose3d(x, w, b, *args)

    out, names = _with_kernel_names(run)
    takes = mode != "fp32-exact"
    sw = args[0] if isinstance(args[0], int) else args[0][2]
    assert ("hopper_tma_phasegemm_kernel" in names) == takes, f"{pcase} {layout} {mode}: {names}"
    assert _pgemm_wpair(names) == (takes and wpair == "2" and sw == 2), names
    assert _pgemm_instance(names, False, 4) == (takes and wg4), names
    assert out.dtype == dtype and torch.isfinite(out).all(), "unwritten or non-finite outputs"
    near = rel_err(out, reference(True))
    assert near <= budget, f"{pcase} {layout}: {near:.3g} against float64"
    if rounded:
        trunc = rel_err(out, reference(False))
        assert near < 1e-5 and near < trunc / 20, f"{near:.2e} from nearest, {trunc:.2e} from truncated"
    if not takes:
        return
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "0")
    out0, names0 = _with_kernel_names(run)
    assert "hopper_tma_phasegemm_kernel" not in names0 and "phasegemm_kernel" in names0, names0
    assert rel_err(out, out0) <= 2 * budget, f"{pcase} {layout}: {rel_err(out, out0):.3g} against the gathering kernel"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "2")
    assert torch.equal(run(), out), "not bitwise the same run to run"
    # the default (1): a channels_last y (a channels_last x or weight gives one), 16-bit, or (wpair) an NCDHW y whose w
    # pairs are aligned 2-element stores (w stride 2, OW even)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "1")
    wvec = wpair == "2" and sw == 2 and out.stride(4) == 1 and out.shape[4] % 2 == 0
    default_takes = out.stride(1) == 1 or dtype != torch.float32 or wvec
    assert ("hopper_tma_phasegemm_kernel" in _with_kernel_names(run)[1]) == default_takes, (layout, mode)
    # v121's default (CUTLASS_CONVT3D_SM90_PGEMM_WPAIR unset, 1): w pairs where y is NCDHW; v122's (WG unset): one
    # class over four warpgroups for 4-byte types, two for 16-bit ones
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_PGEMM_WPAIR")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_PGEMM_WG")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_PGEMM_HALO")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "2")
    names = _with_kernel_names(run)[1]
    pair = sw == 2 and out.stride(1) != 1
    assert _pgemm_wpair(names) == pair, (layout, mode, names)
    assert _pgemm_instance(names, False, 4) == (not pair and dtype == torch.float32), names
    assert _pgemm_instance(names, False, 2) == (not pair and dtype != torch.float32), names


# v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE): forwards whose kernel equals the stride, which the tap-GEMM takes, through the
# TMA phase-GEMM (one tap a residue class): the U-Net level unet-256-128 in small (N 128, two W blocks), N 64 with
# 16-bit k-blocks of 64 channels and a partial position block, two groups, kernel (1, 2, 2) (4 classes), pointwise
# (1 class), W 40 (past the tap-GEMM's short rows: level 2 only), and kernel 4 at stride 4 (64 classes: never, the
# tap-GEMM keeps it).  (x shape, Cout, kernel = stride, groups)
TAPGEMM_PHASE_CASES = [
    ((2, 256, 3, 4, 16), 128, (2, 2, 2), 1),
    ((1, 64, 3, 5, 10), 64, (2, 2, 2), 1),
    ((1, 128, 2, 3, 8), 128, (2, 2, 2), 2),
    ((1, 64, 4, 3, 12), 64, (1, 2, 2), 1),
    ((1, 64, 3, 3, 5), 64, (1, 1, 1), 1),
    ((1, 64, 2, 2, 40), 64, (2, 2, 2), 1),
    ((1, 64, 2, 2, 6), 64, (4, 4, 4), 1),
]


@pytest.mark.parametrize("level", ["1", "2"])
@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16", "fp16", "fp32-exact"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned", "y-cl"])
@pytest.mark.parametrize("tcase", TAPGEMM_PHASE_CASES, ids=[_tapgemm_id(c) for c in TAPGEMM_PHASE_CASES])
def test_tapgemm_phase_forward(tcase, layout, mode, level, restore_flags, monkeypatch):
    """v134 (compute capability 9.0): CUTLASS_CONVT3D_TAPGEMM_PHASE=1 / 2 sends a kernel == stride forward (the
    tap-GEMM's) to the phase-GEMM over TMA boxes in TF32 and 16-bit modes (not exact fp32), every layout; outputs
    NaN-poisoned and within budget of float64 (TF32 operands rounded to nearest by the maps); within 2 budgets of the
    tap-GEMM's result (the knob at 0); the same bits run to run, and level 1's with the knob unset (its default)."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the TMA phase-GEMM runs on compute capability 9.0 only")
    xs, cout, k, g = tcase
    pcase = (xs, cout, k, k, 0, 0, g, 1)
    dtype, tf32, budget, x, w, b, args = _phasegemm_forward_operands(pcase, mode, layout, True, 41)
    rounded = dtype == torch.float32 and tf32
    x64, w64 = ((_tf32(t, True) if rounded else t).double() for t in (x, w))
    ref = F.conv_transpose3d(x64, w64, b.double(), *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)

    def run():
        return conv_transpose3d(x, w, b, *args)

    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", level)
    out, names = _with_kernel_names(run)
    # level 1: where the tap-GEMM's short rows take the problem (W <= 32; a 16-bit channels_last x's W <= 16)
    short = xs[4] <= 32 and not (dtype != torch.float32 and layout == "channels_last_3d" and xs[4] > 16)
    # (an fp32 NCDHW y only by w pairs, at w stride 2: v120's default, so not pointwise; y as the op laid it out: a
    # 1 x 1 x 1 weight is channels_last and contiguous at once, so y-cl gives a pointwise forward an NCDHW y)
    pairs = dtype != torch.float32 or out.stride(1) == 1 or k[2] == 2
    takes = mode != "fp32-exact" and k != (4, 4, 4) and pairs and (level == "2" or short)
    assert ("hopper_tma_phasegemm_kernel" in names) == takes, f"{tcase} {layout} {mode}: {names}"
    assert out.dtype == dtype and out.shape == ref.shape and torch.isfinite(out).all(), "unwritten or non-finite"
    near = rel_err(out, ref)
    assert near <= budget, f"{tcase} {layout}: {near:.3g} against float64"
    if rounded:
        assert near < 1e-5, f"{near:.2e} from the nearest-rounded operands' float64"
    if not takes:
        return
    assert torch.equal(run(), out), "not bitwise the same run to run"
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0")  # (the kernels before v134: the tap-GEMM, or the Hopper forward)
    out0, names0 = _with_kernel_names(run)
    assert "hopper_tma_phasegemm_kernel" not in names0, names0
    assert rel_err(out, out0) <= 2 * budget, f"{tcase} {layout}: {rel_err(out, out0):.3g} against the kernels before v134"
    if level == "1":  # (the default since stop 60)
        monkeypatch.delenv("CUTLASS_CONVT3D_TAPGEMM_PHASE")
        assert torch.equal(run(), out), "the default is not level 1"


# grad_input's cases: the forward's, and strides 3 and 4 (boxes traversing grad_y at TMA element strides 3 and 4;
# more than 8 classes, so not the forward's kernel)
PGEMM_DGRAD_CASES = PGEMM_CASES + [
    ((1, 64, 3, 5, 20), 64, 4, 3, 1, 2, 1, 1),
    ((1, 64, 2, 4, 12), 64, 3, 4, 1, 3, 1, 1),
]


@pytest.mark.parametrize("wgs", ["2", "4"])
@pytest.mark.parametrize("mode", ["fp32-tf32", "bf16", "fp16"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d", "misaligned", "x-cl"])
@pytest.mark.parametrize("pcase", PGEMM_DGRAD_CASES, ids=[_phasegemm_id(c) for c in PGEMM_DGRAD_CASES])
def test_hopper_tma_phasegemm_grad_input(pcase, layout, mode, wgs, restore_flags, monkeypatch):
    """v123 (compute capability 9.0, CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1, the default): grad_input on the TMA
    phase-GEMM, its boxes traversing grad_y at the strides (the maps' element strides), with two or (v122) four
    warpgroups: grad_y NCDHW or misaligned (restaged channels_last), channels_last (read in place), or x channels_last
    (so grad_x); every element of grad_x written (NaN-poisoned), within budget of float64 (F.conv3d of grad_y), TF32
    operands rounded to nearest by the maps; within 2 budgets of the gathering phase-GEMM (=0); the same bits run to
    run; the defaults (both knobs unset) take the TMA phase-GEMM with v122's warpgroups by element size."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the TMA phase-GEMM runs on compute capability 9.0 only")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_WG", wgs)
    cout, g = pcase[1], pcase[6]
    dtype, tf32, budget, gen, x, w, args = _phasegemm_grad_operands(pcase, mode, 31, cout // g)
    if layout == "x-cl":
        x = x.contiguous(memory_format=CL)
    gy = _phasegemm_grad_y(x, w, args, gen, layout)
    s, pad, _, g, dil = args
    rounded = dtype == torch.float32 and tf32

    def reference(rn):  # float64 of the operands (TF32: rounded to nearest or truncated)
        gy64, w64 = ((_tf32(t, rn) if rounded else t).double() for t in (gy, w))
        return F.conv3d(gy64, w64, None, s, pad, dil, g)

    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD", "1")

    def run():
        return ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32)

    gx, names = _with_kernel_names(run)
    assert "hopper_tma_phasegemm_kernel" in names, f"{pcase} {layout} {mode}: {names}"
    assert _pgemm_instance(names, False, int(wgs)), names
    assert gx.dtype == dtype and gx.shape == x.shape and torch.isfinite(gx).all(), "unwritten or non-finite outputs"
    near = rel_err(gx, reference(True))
    assert near <= budget, f"{pcase} {layout}: {near:.3g} against float64"
    if rounded:  # (grad_input's sums run over every tap: k4's 64 x 128 terms gave 2.4e-5 on the H100, stop 52)
        trunc = rel_err(gx, reference(False))
        assert near < 4e-5 and near < trunc / 20, f"{near:.2e} from nearest, {trunc:.2e} from truncated"
    assert torch.equal(run(), gx), "not bitwise the same run to run"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD", "0")
    gx0, names0 = _with_kernel_names(run)
    assert "hopper_tma_phasegemm_kernel" not in names0 and "phasegemm_kernel" in names0, names0
    assert rel_err(gx, gx0) <= 2 * budget, f"{pcase} {layout}: {rel_err(gx, gx0):.3g} against the gathering kernel"
    # the defaults (both knobs unset): the TMA phase-GEMM, four warpgroups for 4-byte types and two for 16-bit ones
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_PGEMM_WG")
    gxd, namesd = _with_kernel_names(run)
    assert _pgemm_instance(namesd, False, 4 if dtype == torch.float32 else 2), namesd
    if wgs == ("4" if dtype == torch.float32 else "2"):
        assert torch.equal(gxd, gx), "the default's tiling gave other bits"
    assert rel_err(gxd, gx) <= 2 * budget, f"{pcase} {layout}: {rel_err(gxd, gx):.3g} between the tilings"


@pytest.mark.parametrize("wpair", ["2", "0", "halo", "halo-wpair"], ids=["wpair", "class", "halo", "halo-wpair"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_hopper_tma_phasegemm_nonfinite_x(value, layout, wpair, restore_flags, monkeypatch):
    """v120: a NaN / inf in x reaches exactly the outputs whose taps read it: the TMA's zero fill stands only for x
    outside the tensor, and every box row a tap multiplies is one of the output's terms (v121's w pairs: a residue
    without a tap at a stage's shift multiplies a zero block by zeros, never the x box; v124's halo boxes: each h
    tap's operand is the rows of its own taps, the halo rows only other taps')."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the TMA phase-GEMM runs on compute capability 9.0 only")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_HALO", "1" if wpair.startswith("halo") else "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM_WPAIR", {"halo": "0", "halo-wpair": "2"}.get(wpair, wpair))
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_PGEMM", "2")
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(1, 64, 4, 5, 6, generator=gen)
    w = torch.randn(64, 64, 3, 3, 3, generator=gen) / 16
    x[0, 3, 1, 2, 3] = value
    x[0, 60, 3, 4, 0] = -value
    x[0, 10, 0, 0, 5] = value
    args = (2, 1, 1, 1, 1)
    xd = x.to(DEV).contiguous(memory_format=CL if layout == "channels_last_3d" else torch.contiguous_format)
    y, names = _with_kernel_names(lambda: conv_transpose3d(xd, w.to(DEV), None, *args))
    assert "hopper_tma_phasegemm_kernel" in names, names
    ref = F.conv_transpose3d(x.double(), w.double(), None, *args)
    for name, got, want in (("nan", y.isnan(), ref.isnan()), ("+inf", y.isposinf(), ref.isposinf()),
                            ("-inf", y.isneginf(), ref.isneginf())):
        assert torch.equal(got.cpu(), want), name
    fin = torch.isfinite(ref)
    assert rel_err(y.cpu()[fin], ref[fin]) <= 2e-3


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_phasegemm_nonfinite_x(value, restore_flags, monkeypatch):
    """A NaN / inf in x reaches exactly the outputs whose taps read it (the gather multiplies only real taps; zero
    fill stands for x outside the tensor, never for a skipped tap); and exactly the weight gradients whose terms hold
    it on v101's grad_weight, x NCDHW (copied) or channels_last (in place): a position whose output for a tap lies
    outside grad_y is masked in x too, so no zero-filled grad_y multiplies it (x[.., 0] at w 0 has such a tap)."""
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "1")
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(1, 32, 4, 5, 6, generator=gen)
    w = torch.randn(32, 16, 3, 3, 3, generator=gen) / 16
    x[0, 3, 1, 2, 3] = value
    x[0, 30, 3, 4, 0] = -value
    args = (2, 1, 1, 1, 1)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x.to(DEV), w.to(DEV), None, *args))
    assert "phasegemm_kernel" in names
    ref = F.conv_transpose3d(x.double(), w.double(), None, *args)
    for name, got, want in (("nan", y.isnan(), ref.isnan()), ("+inf", y.isposinf(), ref.isposinf()),
                            ("-inf", y.isneginf(), ref.isneginf())):
        assert torch.equal(got.cpu(), want), name
    fin = torch.isfinite(ref)
    assert rel_err(y.cpu()[fin], ref[fin]) <= 2e-3
    # grad_weight against the mathematical masks (PyTorch's own CPU grad_weight forms zero padding x NaN products)
    gy = torch.randn(ref.shape, generator=gen)
    masks, values = nonfinite_expectation("grad_weight", x, w, gy, x, gy, args)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "1")
    for mf in (torch.contiguous_format, CL):
        xd, gyd = x.to(DEV).contiguous(memory_format=mf), gy.to(DEV).contiguous(memory_format=mf)
        gw, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gyd, xd, w.to(DEV), *args, True))
        assert "tapgemm_kernel" in names, names
        _assert_nonfinite_as_expected(gw, masks, values, 2e-3, f"grad_weight {mf}")


def test_phasegemm_routing(restore_flags, monkeypatch):
    """Short rows (CUTLASS_CONVT3D_PHASEGEMM=3, the default since stop 40): the forward at x's W <= 32 where no Hopper
    forward takes the problem (the V-Net level's 128 input channels at kernel 3 / stride 2 are past the Hopper
    forward's blocks); not at W 40, not where the channels of a group are not whole 16-byte vectors, not the
    few-channel groups of the direct kernels; grad_input at W <= 32 over the Hopper grad_input too; =2 at any W where
    no Hopper kernel applies, =0 never."""
    torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator().manual_seed(8)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "3")

    def run(x, w, *args):
        y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, *args))
        assert rel_err(y, F.conv_transpose3d(x.double(), w.double(), None, *args)) <= 2e-3
        return "phasegemm_kernel" in names

    w = (torch.randn(128, 32, 3, 3, 3, generator=gen) / 32).to(DEV)
    x32, x40 = (torch.randn(1, 128, 3, 4, n, generator=gen).to(DEV) for n in (32, 40))
    assert run(x32, w, 2, 1, 1)
    assert run(x32.contiguous(memory_format=CL), w, 2, 1, 1)
    assert not run(x40, w, 2, 1, 1)
    assert not run(x32[:, :126], w[:126], 2, 1, 1)  # 126 channels: not whole vectors
    xd, wd = torch.randn(1, 8, 3, 4, 16, generator=gen).to(DEV), torch.randn(8, 1, 3, 3, 3, generator=gen).to(DEV)
    assert not run(xd, wd, 2, 1, 1, 8)  # depthwise: the direct kernels
    hopper = torch.cuda.get_device_capability() == (9, 0)
    xm, wm = torch.randn(1, 32, 3, 4, 16, generator=gen).to(DEV), (torch.randn(32, 32, 3, 3, 3, generator=gen) / 6).to(DEV)
    assert run(xm, wm, 2, 1) != hopper  # the user's channels: the Hopper forward's where it runs
    # grad_input of the user's channels at W 16: the phase-GEMM at =3 whether or not the Hopper grad_input applies,
    # at =2 only where it does not
    gy = torch.randn(F.conv_transpose3d(xm.double(), wm.double(), None, 2, 1).shape, generator=gen).to(DEV)

    def dgrad():
        x0 = xm.double().requires_grad_(True)
        want = torch.autograd.grad(F.conv_transpose3d(x0, wm.double(), None, 2, 1), x0, gy.double())[0]
        gx, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, xm, wm, 2, 1, 0, 1, 1, True))
        assert rel_err(gx, want) <= 2e-3
        return names

    assert "phasegemm_kernel" in dgrad()
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "2")
    names2 = dgrad()
    assert ("phasegemm_kernel" in names2) == ("hopper_dgrad_kernel" not in names2), names2
    assert run(x40, w, 2, 1, 1)
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "0")
    assert not run(x32, w, 2, 1, 1)
    assert "phasegemm_kernel" not in dgrad()
    monkeypatch.delenv("CUTLASS_CONVT3D_PHASEGEMM")
    assert run(x32, w, 2, 1, 1)  # the default: 3


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("cfg,merge", [("12", "1"), ("23", "1"), ("28", "1"), ("44", "1"), ("", "0"), ("32", "0")])
def test_hopper_forward_pipeline_configs(cfg, merge, layout, restore_flags, hopper_kernels, monkeypatch):
    """The Hopper kernel's x-slot ring at forced shapes (CUTLASS_CONVT3D_SM90_CFG = warpgroups, slots per
    warpgroup): the tightest ring (2 slots, one load ahead), slots reused within a tile (4 pairs per tile, 2-3
    slots), warpgroups with unequal tile counts; segments holding both h classes (merge, where 28 and 44 do not
    fit and fall back) or one (CUTLASS_CONVT3D_SM90_MERGE=0); on a case with 1, 2 and 4 pairs per class, against
    float64 and the sm_80 kernels, unwritten outputs NaN-poisoned."""
    torch.backends.cudnn.allow_tf32 = True
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_CFG", cfg)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_MERGE", merge)
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(2, 32, 5, 7, 150, generator=gen).to(DEV)
    w = (torch.randn(32, 32, 3, 3, 3, generator=gen) / 11.0).to(DEV)
    b = torch.randn(32, generator=gen).to(DEV)
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    ref = F.conv_transpose3d(x.double(), w.double(), b.double(), 2, 1, 1)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, 2, 1, 1))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_rowconv_kernel" in names, f"configuration {cfg} does not take the Hopper kernel"
    assert torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= 2e-3, f"{cfg} {layout}: {rel_err(y, ref):.3g} against float64"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "0")
    y80 = conv_transpose3d(x, w, b, 2, 1, 1)
    assert rel_err(y, y80) <= 2e-6, f"{cfg} {layout}: {rel_err(y, y80):.3g} against the sm_80 kernels"


@pytest.mark.parametrize("mode", ["tf32", "tf32-tma_round", "tf32-xin", "tf32-xin-tma_round", "fp16", "bf16", "bf16-vec16",
                                  "bf16-xin", "exact", "tf32-rows", "bf16-rows"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_forward_nonfinite_x(value, layout, mode, restore_flags, hopper_kernels, monkeypatch):
    """NaN/inf planted in x (borders, both q blocks, both signs) on a Hopper-kernel shape: its wgmmas also multiply
    the zero weights of taps a w phase lacks with x (and in exact mode x's small part 0 with inf), so a tile whose
    sums are not all finite is recomputed with every product masked.  Ours is NaN/+inf/-inf exactly where the
    mathematical result is, accurate elsewhere.  A channels_last TF32 x is read in place, rounded by the kernel or
    (tma_round) by its TMA map: checked either way; a 16-bit NCDHW x's copy reports them too (v136), a channels_last
    16-bit x and an exact x are checked tile by tile always (exact: the splitting copy of x reports nothing, so that
    a non-finite weight's tiles are checked too); -vec16: an NCDHW y by
    16-byte row vectors (the 16-bit default since stop 36); -xin: an NCDHW x (W 72) read in place (v133), fp32 rounded
    by the producers' transposition or (-tma_round) by its map, every tile checked; -rows: whole-row tiles (v135,
    CUTLASS_CONVT3D_SM90_WHOLE_ROWS=2, OW 140 in one q block of 128 positions) for an NCDHW y, whose masked recompute
    covers the whole row."""
    dtype, budget, _ = _hopper_mode(mode.split("-")[0], monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "1" if mode.endswith("tma_round") else "0")
    if mode.endswith("vec16"):  # (16-bit NCDHW outputs by row vectors: the default since stop 36)
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "1")
    if "xin" in mode:  # v133: an NCDHW x in place (W 72: its rows on 16 bytes), rounded by the transposition or the map
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_NCDHW", "2")
    if mode.endswith("rows"):  # v135: whole-row tiles (by row vectors: VEC16 back at its default level), OW 140's too
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "2")
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "2")
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(2, 32, 3, 4, 72 if "xin" in mode else 70, generator=gen).to(dtype).double()
    w = (torch.randn(32, 64, 3, 3, 3, generator=gen) / 16).to(dtype).double()
    b = torch.randn(64, generator=gen).to(dtype).double()
    x_bad = x.clone()
    last = x.shape[4] - 1  # (x's last column: the right border)
    for j, idx in enumerate([(0, 3, 1, 2, 3), (0, 31, 0, 0, 0), (1, 0, 2, 3, last), (1, 17, 1, 1, 64), (0, 5, 2, 0, 40),
                             (1, 9, 0, 3, 41)]):
        x_bad[idx] = value if j % 2 == 0 else -value
    args = (2, 1, 1, 1, 1)
    masks, values = nonfinite_expectation("forward", x, w, x, x_bad, x_bad, args)
    values = values + b.view(1, -1, 1, 1, 1)
    xd = x_bad.to(dtype).to(DEV)
    if layout == "channels_last_3d":
        xd = xd.contiguous(memory_format=CL)
    y, names = _with_kernel_names(lambda: conv_transpose3d(xd, w.to(dtype).to(DEV), b.to(dtype).to(DEV), *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        assert bool(_ROW_VECTORS.search(names)) == (mode.endswith(("vec16", "rows")) and layout == "ncdhw"), names
        assert bool(_X_NCDHW.search(names)) == _x_ncdhw_expected(mode, layout, x.shape), names
        assert bool(_WHOLE_ROWS.search(names)) == (mode.endswith("rows") and layout == "ncdhw"), names
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(y, masks, values, budget)


@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_hopper_forward_exact_x_near_flt_max(layout, restore_flags, hopper_kernels, monkeypatch):
    """An x whose TF32 rounding overflows (FLT_MAX: big part inf, small part 0) makes its tiles' sums non-finite
    although x is finite; the exact forward checks every tile (its splitting copy, v88: transposing from NCDHW, flat
    from channels_last, reports nothing), and the masked recompute then gives the finite fp32 result (x as it is), as
    float64 says."""
    torch.backends.cudnn.allow_tf32 = False
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT", "1")
    gen = torch.Generator().manual_seed(23)
    x = torch.randn(1, 32, 3, 4, 70, generator=gen)
    w = torch.randn(32, 32, 3, 3, 3, generator=gen) * 1e-3
    x[0, 7, 1, 2, 33] = torch.finfo(torch.float32).max
    ref = F.conv_transpose3d(x.double(), w.double(), None, 2, 1, 1)
    assert torch.isfinite(ref).all() and ref.abs().max() < torch.finfo(torch.float32).max
    xd = x.to(DEV) if layout == "ncdhw" else x.to(DEV).contiguous(memory_format=CL)
    y, names = _with_kernel_names(lambda: conv_transpose3d(xd, w.to(DEV), None, 2, 1, 1))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
    assert torch.isfinite(y).all(), "a finite x rounding to inf leaked into the outputs"
    assert rel_err(y.cpu(), ref) <= 1e-5


def _conv_transpose3d_by_taps(x, w, stride, padding, output_padding):
    """conv_transpose3d (groups 1, dilation 1) in x's dtype as each tap's products scattered into the output: no
    product of a weight with a position outside x (zero padding) is formed, so a non-finite weight reaches exactly
    the outputs whose sums have it."""
    N, _, D, H, W = x.shape
    K = w.shape[2:]
    full = [(i - 1) * stride + k + output_padding for i, k in zip((D, H, W), K)]
    y = torch.zeros(N, w.shape[1], *full, dtype=x.dtype)
    for kd in range(K[0]):
        for kh in range(K[1]):
            for kw in range(K[2]):
                part = torch.einsum("ncdhw,co->nodhw", x, w[:, :, kd, kh, kw])
                y[:, :, kd:kd + (D - 1) * stride + 1:stride, kh:kh + (H - 1) * stride + 1:stride,
                  kw:kw + (W - 1) * stride + 1:stride] += part
    return y[:, :, padding:full[0] - padding, padding:full[1] - padding, padding:full[2] - padding]


def test_hopper_forward_exact_nonfinite_weight(restore_flags, hopper_kernels, monkeypatch):
    """NaN / +-inf weights in the exact Hopper forward (3xTF32): a weight's big part inf and small part 0 make its
    cross term with x's small part inf x 0 (or inf x a small part of the other sign), NaN where the sum is +-inf; the
    splitting copy reports nothing, so every tile is checked and such tiles recomputed with every product masked
    (review of v88: it had reported x's non-finite values only, and these tiles kept their NaN).  Against the
    per-tap float64 scatter, which forms no padding products: NaN / +-inf exactly where it has them, fp32-accurate
    elsewhere, in both layouts."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = False
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT", "1")
    gen = torch.Generator().manual_seed(29)
    x = torch.randn(2, 32, 3, 4, 70, generator=gen)
    w = torch.randn(32, 32, 3, 3, 3, generator=gen) / 16
    for j, idx in enumerate([(3, 5, 1, 1, 1), (17, 9, 0, 2, 2), (31, 30, 2, 0, 0), (8, 9, 1, 1, 1)]):
        w[idx] = (float("inf"), float("-inf"), float("nan"), float("inf"))[j]
    ref = _conv_transpose3d_by_taps(x.double(), w.double(), 2, 1, 1)
    masks = (ref.isnan(), ref.isposinf(), ref.isneginf())
    assert all(m.any() for m in masks)
    for layout in ("ncdhw", "channels_last_3d"):
        xd = x.to(DEV) if layout == "ncdhw" else x.to(DEV).contiguous(memory_format=CL)
        y, names = _with_kernel_names(lambda: conv_transpose3d(xd, w.to(DEV), None, 2, 1, 1))
        assert "hopper_rowconv_kernel" in names, "the case does not take the Hopper kernel"
        _assert_nonfinite_as_expected(y, masks, ref, 1e-5, layout)


# The Hopper grad_weight (wgrad_sm90.cuh; forced here by CUTLASS_CONVT3D_SM90_WGRAD=1; fp32 TF32, 32-channel blocks, w stride
# <= 2, <= 4 w taps, <= 4 (kd, kh) pairs per class segment, x rows of 16-byte pitch: W a multiple of 4): (x shape, Cout, kernel, stride,
# padding, output_padding, groups, dilation).  A partial last 32-position block, x rows outside the tensor (output
# padding), two co blocks, two groups of two ci blocks, d/h strides 1-3, w dilation 2 with padding 2, four w taps.
HOPPER_WGRAD_CASES = [
    ((2, 32, 5, 6, 68), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 4, 5, 64), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1)),
    ((2, 128, 3, 4, 36), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2, (1, 1, 1)),
    ((1, 32, 3, 5, 40), 32, (2, 3, 3), (1, 3, 2), (0, 1, 1), (0, 2, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 4, 36), 32, (2, 3, 3), (1, 3, 2), (0, 1, 2), (0, 2, 1), 1, (1, 1, 2)),
    ((1, 32, 3, 4, 40), 32, (3, 2, 4), (3, 1, 2), (2, 0, 1), (1, 0, 0), 1, (1, 2, 1)),
    # stride 1 along d and h: one class of 9 (kd, kh) pairs, three segments of 3 (v83)
    ((1, 32, 3, 4, 40), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
]


def _check_hopper_backward(run, ref, kernel, switch, monkeypatch, what, budget=2e-3, budget80=1e-5):
    """run() (a backward op with its Hopper kernel forced by the environment variable `switch`) against the float64
    ref (TF32 accuracy by default), bitwise equal from run to run, and against the sm_80 kernels (switch=0: the
    same rounded operands, another summation order).  New tensors NaN-filled, so unwritten outputs fail.  Returns the
    Hopper kernel's result (the switch is left at 0)."""
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    got, names = _with_kernel_names(run)
    if torch.cuda.get_device_capability() == (9, 0):
        found = kernel.search(names) if isinstance(kernel, re.Pattern) else kernel in names
        assert found, f"{what}: the case no longer takes the Hopper kernel"
    assert torch.isfinite(got).all(), f"{what}: unwritten or non-finite outputs"
    assert rel_err(got.cpu(), ref) <= budget, f"{what}: {rel_err(got.cpu(), ref):.3g} against float64"
    assert torch.equal(got, run()), f"{what}: not deterministic"
    monkeypatch.setenv(switch, "0")
    got80 = run()
    assert rel_err(got, got80) <= budget80, f"{what}: {rel_err(got, got80):.3g} against the sm_80 kernels"
    return got


def _wgrad_problem(xs, cout, k, g, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(xs, generator=gen)
    w = torch.randn(xs[1], cout // g, *k, generator=gen)
    return x, w, gen


def _backward_problem(hcase, dtype, seed):
    """x, w (scaled to unit-variance outputs) and a grad_y of the case, rounded to dtype, on the GPU; the conv
    arguments; the float64 forward of the rounded operands and its leaves (x0, w0), for references by autograd."""
    xs, cout, k, s, p, op, g, d = hcase
    x, w, gen = _wgrad_problem(xs, cout, k, g, seed)
    w = w / (xs[1] // g * k[0] * k[1] * k[2]) ** 0.5
    x, w = x.to(dtype), w.to(dtype)
    args = (s, p, op, g, d)
    x0, w0 = x.double().requires_grad_(True), w.double().requires_grad_(True)
    y64 = F.conv_transpose3d(x0, w0, None, *args)
    gy = torch.randn(y64.shape, generator=gen).to(dtype)
    return x.to(DEV), w.to(DEV), gy.to(DEV), args, y64, (x0, w0)


def _w16(xs):
    """x's shape with W rounded up to a multiple of 8: 16-bit rows of whole 16-byte vectors, as the Hopper
    grad_weight's TMA map of x needs (the fp32 cases' 36 and 68 are multiples of 4 only)."""
    return (*xs[:4], (xs[4] + 7) // 8 * 8)


@pytest.mark.parametrize("mode", ["tf32-kb1", "tf32-kb2", "fp16-kb1", "fp16-kb2", "bf16-kb1", "bf16-kb2", "exact"])
@pytest.mark.parametrize("hcase", HOPPER_WGRAD_CASES,
                         ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2][2]}s{c[3][0]}{c[3][1]}{c[3][2]}g{c[6]}"
                              for c in HOPPER_WGRAD_CASES])
def test_hopper_wgrad(hcase, mode, restore_flags, hopper_kernels, monkeypatch):
    """The Hopper grad_weight as _check_hopper_backward checks it (bitwise repeatable: fixed chunks, ordered
    reduce), in each mode: TF32, fp16 / bf16 (CUTLASS_CONVT3D_SM90_16BIT: 64-position
    stages, two positions per B word, k16 wgmmas; against float64 of the same 16-bit operands, whose products fp32
    holds exactly, so only the sums' order and the final rounding differ; W 72 gives a partial second stage), and
    exact fp32 (CUTLASS_CONVT3D_SM90_EXACT_WGRAD=1, v87: 3xTF32 with per-stage sums added in IEEE fp32, segments of
    at most 2 pairs; at fp32 accuracy against float64 and the sm_80 exact kernels, which a dropped small part or
    the tensor cores' truncating accumulation over a chunk would miss by orders of magnitude).  -kb2
    (CUTLASS_CONVT3D_SM90_WGRAD_KB=2, v90; since v111 the default for fp32 TF32 and for 16-bit at w stride 1): stages
    of two k-blocks (fp32: 2 x 32 positions, W 36 and 40 one partial stage, 64 and 68 one whole stage, then none or a partial one; 16-bit: 2 x 64
    positions, W 64 wider: 104 to 136, one partial stage or a whole one and a partial one); -kb1 (=1): one."""
    xs, cout, k, s, p, op, g, d = hcase
    dtype, budget, budget80 = _hopper_mode(mode.split("-")[0], monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")
    if mode == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "1")
    if mode.endswith("kb2"):  # (a TF32 x rounded by its TMA map, as two k-blocks need)
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "2")
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "1")
    elif mode.endswith("kb1"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "1")
    if dtype != torch.float32:
        xs = _w16(xs)
        if mode.endswith("kb2"):  # (a row of one 64-position k-block keeps one: rows of two or three here)
            xs = (*xs[:4], xs[4] + 64)
    elif mode.startswith("tf32"):
        budget, budget80 = 2e-3, 1e-5
    x, w, gen = _wgrad_problem(xs, cout, k, g, 3)
    args = (s, p, op, g, d)
    y64 = F.conv_transpose3d(x.double(), w.double(), None, *args)
    gy = torch.randn(y64.shape, generator=gen)
    x, w, gy = x.to(dtype), w.to(dtype), gy.to(dtype)
    w0 = w.double().requires_grad_(True)
    ref = torch.autograd.grad(F.conv_transpose3d(x.double(), w0, None, *args), w0, gy.double())[0]
    x, w, gy = x.to(DEV), w.to(DEV), gy.to(DEV)
    tf32 = HOPPER_MODES[mode.split("-")[0]][1]  # (the op's own flag; exact: False)
    # (kb2: the instance with two k-blocks per stage, <Tr, NKW, 2>)
    _check_hopper_backward(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf32), ref,
                           _wgrad_instance(_WGRAD_TRAITS[dtype], k[2], int(mode[-1])) if "-kb" in mode else
                           "hopper_wgrad_kernel", "CUTLASS_CONVT3D_SM90_WGRAD", monkeypatch, (hcase, mode), budget,
                           budget80)


@pytest.mark.parametrize("mode", ["fp16", "bf16", "bf16-kb2"])
@pytest.mark.parametrize("edge", ["odd_ow", "sliced_x"])
def test_hopper_wgrad_16bit_edges(edge, mode, restore_flags, hopper_kernels, monkeypatch):
    """The 16-bit Hopper grad_weight where its 8-element vectors meet unaligned rows: an odd OW (kernel 3, stride 2, no
    output padding: grad_y channel rows at every phase mod 8) and x a slice W - 3 wide of rows W long (the high half of
    a B word past the row's end at an odd position; the TMA map's extent is the slice's); -kb2: stages of two k-blocks
    (v90)."""
    dtype, budget, budget80 = _hopper_mode(mode.split("-")[0], monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")
    if mode.endswith("kb2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "2")
    gen = torch.Generator().manual_seed(21)
    W = 104 if mode.endswith("kb2") else 40  # (kb2: rows of two 64-position k-blocks)
    x = torch.randn(1, 32, 3, 5, W, generator=gen).to(dtype)
    w = torch.randn(32, 32, 3, 3, 3, generator=gen).to(dtype)
    args = (2, 1, 0, 1, 1) if edge == "odd_ow" else (2, 1, 1, 1, 1)
    xd = x.to(DEV)
    if edge == "sliced_x":
        x, xd = x[..., :W - 3], xd[..., :W - 3]
    gy = torch.randn(F.conv_transpose3d(x.double(), w.double(), None, *args).shape, generator=gen).to(dtype)
    assert edge != "odd_ow" or gy.shape[4] % 2 == 1
    w0 = w.double().requires_grad_(True)
    ref = torch.autograd.grad(F.conv_transpose3d(x.double(), w0, None, *args), w0, gy.double())[0]
    wd, gyd = w.to(DEV), gy.to(DEV)
    _check_hopper_backward(lambda: ops.conv_transpose3d_grad_weight(gyd, xd, wd, *args, True), ref,
                           _wgrad_instance(_WGRAD_TRAITS[dtype], 3, 2) if mode.endswith("kb2") else
                           "hopper_wgrad_kernel", "CUTLASS_CONVT3D_SM90_WGRAD", monkeypatch, (edge, mode), budget,
                           budget80)


def _wgrad_nonfinite_run(value, where, dtype, C, tf32, cl=False):
    """grad_weight of a kernel 3 / stride 2 / padding 1 / output padding 1 problem (C channels in and out; W 36 fp32,
    40 16-bit; x and grad_y channels_last where cl) with NaN/inf (value, both signs) planted at the borders of x or
    grad_y (where): the result, the names of the kernels it ran, and nonfinite_expectation's masks and values."""
    W = 36 if dtype == torch.float32 else 40
    x, w, gen = _wgrad_problem((2, C, 5, 6, W), C, (3, 3, 3), 1, 9)
    args = (2, 1, 1, 1, 1)
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
    x, w, gy = x.to(dtype), w.to(dtype), gy.to(dtype)
    OW = gy.shape[4]
    bad = (x if where == "x" else gy).clone().double()
    spots = ([(0, 3, 0, 0, 0), (1, C - 1, 4, 5, W - 1), (0, 7, 2, 3, 17), (1, 0, 4, 0, W - 2)] if where == "x" else
             [(0, 3, 0, 0, 0), (1, C - 1, 9, 11, OW - 1), (0, 7, 5, 6, 35), (1, 0, 9, 1, OW - 2)])
    for j, idx in enumerate(spots):
        bad[idx] = value if j % 2 == 0 else -value
    x64, gy64 = x.double(), gy.double()
    if where == "x":
        masks, values = nonfinite_expectation("grad_weight", x64, w.double(), gy64, bad, gy64, args)
        xd, gyd = bad.to(dtype), gy
    else:
        masks, values = nonfinite_expectation("grad_weight_gy", x64, w.double(), gy64, x64, bad, args)
        xd, gyd = x, bad.to(dtype)
    fmt = torch.channels_last_3d if cl else torch.contiguous_format
    xd, gyd = (t.to(DEV).contiguous(memory_format=fmt) for t in (xd, gyd))
    gw, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gyd, xd, w.to(DEV), *args, tf32))
    return gw, names, masks, values


@pytest.mark.parametrize("mode", ["tf32", "tf32-tma_round", "tf32-kb2", "fp16", "bf16", "exact"])
@pytest.mark.parametrize("where", ["x", "gy"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_wgrad_nonfinite(value, where, mode, restore_flags, hopper_kernels, monkeypatch):
    """NaN/inf planted in x or grad_y (borders, both signs) on a Hopper grad_weight shape with rows and positions
    outside the tensors (zeros multiplied by the tensor cores): the CTAs whose sums are not finite recompute them
    masked, so ours is NaN/+inf/-inf exactly where the mathematical result is, accurate elsewhere.  TF32: x's tiles
    rounded by the transform warpgroups or (tma_round) by the TMA map; fp16 / bf16 (W 40: whole 16-byte rows);
    exact (3xTF32: an inf's small part is 0, so its cross terms can make NaN; the masked recompute uses fp32 as it
    is, at fp32 accuracy)."""
    dtype, budget, _ = _hopper_mode(mode.split("-")[0], monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")
    if mode == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "1")
    # (kb2, v90: two 32-position k-blocks per stage, x rounded by its TMA map as that mode requires)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "1" if mode.endswith(("tma_round", "kb2")) else "0")
    # (tma_round: one k-block, as before v111 made two fp32 TF32's default)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "1")
    if mode == "tf32-kb2":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "2")
    tf32 = HOPPER_MODES[mode.split("-")[0]][1]  # (the op's own flag; exact: False)
    gw, names, masks, values = _wgrad_nonfinite_run(value, where, dtype, 32, tf32)
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_wgrad_kernel" in names, "the case no longer takes the Hopper kernel"
        if mode.endswith("kb2"):
            assert _wgrad_instance(_WGRAD_TRAITS[dtype], 3, 2).search(names), "not the two-block instance"
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(gw, masks, values, budget)


# The grad_weight GEMM over TMA boxes (wgemm_sm90.cuh, v116): (x shape, cout, k, s, p, op, groups, dilation, the level
# of CUTLASS_CONVT3D_SM90_WGEMM that takes it).  W: one partial 128-byte k-block or two (36, 40 fp32 / 40 16-bit:
# rows end inside a block); w strides 1, 2, 3 and w offsets -2 .. 2 (the copy's variants); M 128 (Kc 128) and 64;
# N = 256 in sets of 4 boxes and a last of 3 (27 taps), k2s2's 8 taps x 2 co blocks (level 2: kernel == stride stays
# on the tap-GEMM by default); 32-channel boxes in pairs (level 2); groups; dilation with padding past every tap on
# some rows; taps no x row meets (depth 1, k 3, p 1 at d stride 1: kd 0 and 2 reach no grad_y row, so their sums must
# be written as zeros).  16-bit rows of 24 and 72 take 64-byte k-blocks (32 positions, the 64-byte swizzle), the rest
# 128-byte ones.
WGEMM_CASES = [
    ((2, 128, 5, 6, 40), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1), 1),
    ((1, 64, 4, 5, 36), 64, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1), 1),
    ((2, 128, 3, 4, 72), 128, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1), 2),
    ((1, 256, 3, 3, 24), 128, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 2, (1, 1, 1), 1),
    ((1, 64, 3, 4, 40), 64, (3, 2, 3), (1, 2, 3), (2, 0, 2), (1, 1, 2), 1, (2, 1, 2), 1),
    ((1, 64, 3, 4, 44), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1), 2),
    ((1, 64, 1, 3, 40), 64, (3, 3, 3), (1, 2, 2), (1, 1, 1), (0, 0, 1), 1, (1, 1, 1), 1),
]
WGEMM_LAYOUTS = ["ncdhw", "gy_sliced", "gy_channels_last", "gy_cl_sliced", "channels_last", "x_sliced", "ncdhw_tiles",
                 "channels_last_inplace"]


def _wgemm_inplace(names):
    """Whether _with_kernel_names's names hold the grad_weight GEMM's in-place instance (v125 / v126:
    hopper_wgemm_kernel<traits, MW, N, RB, true>), demangled or not; None if no grad_weight GEMM ran."""
    m = re.search(r"hopper_wgemm_kernel(<[^()]*, (true|false)>|I\w*?ELi\d+ELi\d+ELi\d+ELb([01])E)", names)
    return None if m is None else (m.group(2) or m.group(3)) in ("true", "1")


@pytest.mark.parametrize("mode", ["tf32", "fp16", "bf16"])
@pytest.mark.parametrize("layout", WGEMM_LAYOUTS)
@pytest.mark.parametrize("wcase", WGEMM_CASES,
                         ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2][0]}{c[2][1]}{c[2][2]}s{c[3][0]}{c[3][1]}{c[3][2]}"
                              f"g{c[6]}d{c[7][0]}" for c in WGEMM_CASES])
def test_hopper_wgemm(wcase, layout, mode, restore_flags, hopper_kernels, monkeypatch):
    """The grad_weight GEMM (CUTLASS_CONVT3D_SM90_WGEMM, v116) as _check_hopper_backward checks it: against float64
    (TF32: both operands rounded to nearest by the TMA maps), bitwise repeatable, and against the other kernels (=0;
    the same rounded operands).  grad_y NCDHW, a slice of a wider grad_y (rows not 16-byte aligned) or channels_last
    (copied by tiles, v117; by 16-byte channel vectors, or by elements where it is a channel slice, v119), x NCDHW (read in place); both channels_last, or x a slice of a wider x: x copied NCDHW
    first (v117); NCDHW copied by tiles too (CUTLASS_CONVT3D_SM90_WGEMM_TILES=1).  16-bit x rows of whole 16-byte vectors (W rounded up to 8) where x is read in place.
    channels_last_inplace: both channels_last under CUTLASS_CONVT3D_SM90_WGEMM_CL=1: problems of 64-channel boxes read
    both in place (no copy kernel runs; grad_y's boxes traverse w at strides 1-3 from offsets -2 .. 2 by the TMA's
    element strides and zero fill), 16-bit as MN-major operands (v125), fp32 transposed in shared memory (v126);
    32-channel boxes keep the copies."""
    xs, cout, k, s, p, op, g, d, level = wcase
    dtype, budget, budget80 = _hopper_mode(mode, monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM", str(level if mode == "tf32" else 2))  # (16-bit: level 2 only)
    if mode == "tf32":
        budget, budget80 = 2e-3, 1e-5
    else:
        xs = _w16(xs)
    x, w, gen = _wgrad_problem(xs, cout, k, g, 5)
    args = (s, p, op, g, d)
    gy = torch.randn(F.conv_transpose3d(x.double(), w.double(), None, *args).shape, generator=gen)
    x, w, gy = x.to(dtype), w.to(dtype), gy.to(dtype)
    w0 = w.double().requires_grad_(True)
    ref = torch.autograd.grad(F.conv_transpose3d(x.double(), w0, None, *args), w0, gy.double())[0]
    x, w = x.to(DEV), w.to(DEV)
    if layout == "gy_sliced":  # rows 3 elements wider in memory, shifted by one: not 16-byte aligned
        gyd = _nan_slice(gy.to(DEV))
    elif layout in ("gy_channels_last", "channels_last", "channels_last_inplace"):
        gyd = gy.to(DEV).contiguous(memory_format=torch.channels_last_3d)
    elif layout == "gy_cl_sliced":  # channels_last, channels 1.. of a wider tensor (the rest NaN): a position's
        # channels start off 16 bytes, so the tile copy loads elements instead of vectors (v119)
        wide = torch.full((gy.shape[0], gy.shape[1] + 1, *gy.shape[2:]), float("nan"), dtype=gy.dtype, device=DEV)
        wide = wide.contiguous(memory_format=torch.channels_last_3d)
        wide[:, 1:] = gy.to(DEV)
        gyd = wide[:, 1:]
        assert gyd.stride(1) == 1 and gyd.stride(4) == gy.shape[1] + 1
    else:
        gyd = gy.to(DEV)
    copies = []  # the layout copies the case must take
    inplace = layout == "channels_last_inplace" and (cout // g) % 64 == 0
    # (both channels_last: in place by default since stop 56, kHopperWgemmClDefault; "channels_last" keeps the copies)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM_CL", "1" if layout == "channels_last_inplace" else "0")
    if layout in ("channels_last", "channels_last_inplace"):
        x = x.contiguous(memory_format=torch.channels_last_3d)
        copies = [] if inplace else ["wgemm_x_ncdhw_kernel", "wgemm_variant_copy_tiles_kernel"]
    elif layout == "x_sliced":
        x = _nan_slice(x)
        copies = ["wgemm_x_ncdhw_kernel", "wgemm_variant_copy_kernel"]
    elif layout in ("gy_channels_last", "gy_cl_sliced"):
        copies = ["wgemm_variant_copy_tiles_kernel"]
    elif layout == "ncdhw_tiles":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM_TILES", "1")
        copies = ["wgemm_variant_copy_tiles_kernel"]
    run = lambda: ops.conv_transpose3d_grad_weight(gyd, x, w, *args, True)  # noqa: E731
    if torch.cuda.get_device_capability() == (9, 0):
        names = _with_kernel_names(run)[1]
        for k in copies:
            assert k in names, f"{wcase} {layout} {mode}: {k} did not run"
        xcopy = layout in ("channels_last", "x_sliced") or (layout == "channels_last_inplace" and not inplace)
        assert ("wgemm_x_ncdhw_kernel" in names) == xcopy, "x copied needlessly"
        got = _wgemm_inplace(names)
        assert got == inplace, f"{wcase} {layout} {mode}: in place {got}, expected {inplace}"
        if inplace:
            assert "wgemm_variant_copy" not in names, "grad_y copied in place"
    _check_hopper_backward(run, ref, "hopper_wgemm_kernel", "CUTLASS_CONVT3D_SM90_WGEMM", monkeypatch,
                           (wcase, layout, mode), budget, budget80)


def _nan_slice(t):
    """t as a slice of a tensor 3 elements wider along w (the rest NaN), shifted by one: rows off 16 bytes."""
    wide = torch.full((*t.shape[:4], t.shape[4] + 3), float("nan"), dtype=t.dtype, device=t.device)
    wide[..., 1:1 + t.shape[4]] = t
    return wide[..., 1:1 + t.shape[4]]


@pytest.mark.parametrize("fuse", ["1", "0"])
@pytest.mark.parametrize("mode", ["tf32", "bf16"])
def test_wgemm_writes_grad_input_copy(mode, fuse, restore_flags, monkeypatch):
    """v118: with both gradients asked for, the grad_weight GEMM's tile copy also writes the channels_last grad_y that
    grad_input would copy for itself (CUTLASS_CONVT3D_SM90_WGEMM_FUSE=1, opt-in): no channels_last copy kernel
    runs, and both results are bitwise those of the single-gradient ops (fp32: a quarter of grad_y on TF32 ties, so
    a copy not rounded to nearest even would differ); =0, grad_input copies it itself, the same bits."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the grad_weight GEMM is a Hopper kernel (compute capability 9.0)")
    torch.backends.cudnn.allow_tf32 = True
    dtype, budget = (torch.float32, 2e-3) if mode == "tf32" else (torch.bfloat16, 2e-2)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM", "1" if mode == "tf32" else "2")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM_FUSE", fuse)
    gen = torch.Generator().manual_seed(21)
    args = (2, 1, 1, 1, 1)
    x = torch.randn(2, 64, 5, 6, 32, generator=gen)
    w = torch.randn(64, 64, 3, 3, 3, generator=gen) / 16
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
    if dtype == torch.float32:
        gy = _tf32_ties(gy, gen)
    x, w, gy = (t.to(dtype).to(DEV) for t in (x, w, gy))
    gx, n_in = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args, True))
    gw, n_w = _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, True))
    (gx2, gw2), n_both = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input_weight(gy, x, w, *args, True))
    copy = "to_channels_last_kernel"
    assert "hopper_wgemm_kernel" in n_w and n_in.count(copy) == 1, "the case no longer copies for grad_input"
    if fuse == "1":
        assert copy not in n_both and "wgemm_variant_copy_tiles_kernel" in n_both, n_both
    else:
        assert n_both.count(copy) == 1 and "wgemm_variant_copy_kernel" in n_both, n_both
    assert torch.equal(gx, gx2) and torch.equal(gw, gw2), "the fused copy changed the results"
    x0, w0 = x.double().cpu().requires_grad_(True), w.double().cpu().requires_grad_(True)
    rx, rw = torch.autograd.grad(F.conv_transpose3d(x0, w0, None, *args), (x0, w0), gy.double().cpu())
    assert rel_err(gx2.cpu(), rx) <= budget and rel_err(gw2.cpu(), rw) <= budget


@pytest.mark.parametrize("mode", ["tf32", "bf16", "tf32-inplace", "bf16-inplace"])
@pytest.mark.parametrize("where", ["x", "gy"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_wgemm_nonfinite(value, where, mode, restore_flags, hopper_kernels, monkeypatch):
    """NaN/inf planted in x or grad_y (borders, both signs) on a grad_weight GEMM shape whose boxes reach past the
    rows (positions past x's W multiplied by grad_y values and the reverse, rows past grad_y): the warpgroups whose
    sums are not finite recompute them masked, so ours is NaN/+inf/-inf exactly where the mathematical result is,
    accurate elsewhere.  -inplace: v125 / v126 (both channels_last, CUTLASS_CONVT3D_SM90_WGEMM_CL=1), whose grad_y
    boxes are the caller's values, not a copy zeroed past x's rows (grad_y's last column meets x's zero fill at iw =
    W)."""
    dtype, budget, _ = _hopper_mode(mode.split("-")[0], monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM", "1" if mode == "tf32" else "2")
    inplace = mode.endswith("-inplace")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM_CL", "1" if inplace else "0")
    gw, names, masks, values = _wgrad_nonfinite_run(value, where, dtype, 64, True, cl=inplace)
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_wgemm_kernel" in names, "the case no longer takes the grad_weight GEMM"
        assert _wgemm_inplace(names) == inplace, names
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(gw, masks, values, budget)


def _tf32_ties(x, gen, frac=0.25):
    """x (fp32) with a fraction of its elements moved onto TF32 rounding ties: low 13 bits 0x1000, with bit 13 (the
    last kept bit) 0 or 1 at random, so round-to-nearest-even goes down for some and up for others."""
    bits = x.view(torch.int32).clone()
    pick = torch.rand(x.shape, generator=gen) < frac
    odd = torch.rand(x.shape, generator=gen) < 0.5
    tie = (bits & ~0x3FFF) | 0x1000 | odd.to(torch.int32) * 0x2000
    return torch.where(pick, tie, bits).view(torch.float32)


@pytest.mark.parametrize("op", ["forward_channels_last", "grad_weight"])
def test_hopper_tma_tf32_rounding(op, restore_flags, hopper_kernels, monkeypatch):
    """x read in place by a Hopper kernel is rounded to TF32 to nearest, ties to even, by the kernel's own pass
    (cvt.rn.tf32.f32, CUTLASS_CONVT3D_SM90_TMA_ROUND=0) or by its TFLOAT32 tensor map (=1, the default), with one
    k-block per grad_weight stage or two (v111, fp32 TF32's default, which only a TMA-rounded x takes): on an x with a
    quarter of its elements on ties of both parities, each configuration gives the same bits for x as for x already
    rounded on the host (_tf32: the same kernel, the same order), so a truncation or ties away from zero would differ.
    Where the order is the same (one k-block) the kernel's and the TMA's rounding give the same bits; then against
    float64 at TF32 accuracy."""
    if not torch.cuda.is_available() or torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the TMA rounding is a Hopper-kernel option (compute capability 9.0)")
    torch.backends.cudnn.allow_tf32 = True
    torch.use_deterministic_algorithms(True)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
    gen = torch.Generator().manual_seed(13)
    args = (2, 1, 1, 1, 1)
    if op == "forward_channels_last":
        x = _tf32_ties(torch.randn(2, 32, 5, 6, 140, generator=gen), gen)
        w = torch.randn(32, 32, 3, 3, 3, generator=gen) / 16
        run = lambda xx: conv_transpose3d(xx.to(DEV).contiguous(memory_format=CL), w.to(DEV), None, *args)  # noqa: E731
        kernel = "hopper_rowconv_kernel"
        ref = F.conv_transpose3d(x.double(), w.double(), None, *args)
        configs = [("0", None), ("1", None)]
    else:
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")
        x = _tf32_ties(torch.randn(2, 32, 5, 6, 68, generator=gen), gen)
        w = torch.randn(32, 32, 3, 3, 3, generator=gen)
        gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
        run = lambda xx: ops.conv_transpose3d_grad_weight(gy.to(DEV), xx.to(DEV), w.to(DEV), *args, True)  # noqa: E731
        kernel = "hopper_wgrad_kernel"
        w0 = w.double().requires_grad_(True)
        ref = torch.autograd.grad(F.conv_transpose3d(x.double(), w0, None, *args), w0, gy.double())[0]
        configs = [("0", "1"), ("1", "1"), ("1", "2")]
    xr = _tf32(x, True)
    assert not torch.equal(xr, x) and (xr - x).abs().max() <= x.abs().max() * 2.0**-11
    by = {}
    for tma, kb in configs:
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", tma)
        if kb:
            monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", kb)
        got, names = _with_kernel_names(lambda: run(x))
        pattern = _wgrad_instance(("HopperTF32",), 3, int(kb)) if kb else re.compile(kernel)
        assert pattern.search(names), f"{op} TMA_ROUND={tma} KB={kb}: not {pattern.pattern}"
        got_r = run(xr)
        assert torch.equal(got, got_r), (
            f"{op} TMA_ROUND={tma} KB={kb}: x's rounding is not round-to-nearest-even "
            f"(max {(got - got_r).abs().max().item():.3g})")
        assert rel_err(got.cpu(), ref) <= 2e-3, f"{op} TMA_ROUND={tma}: {rel_err(got.cpu(), ref):.3g} against float64"
        by[tma, kb] = got
    assert torch.equal(by[configs[0]], by[configs[1]]), "the TMA's rounding and the kernel's differ (same order)"


# The Hopper grad_input (dgrad_sm90.cuh; on by default, forced by CUTLASS_CONVT3D_SM90_DGRAD=1; fp32 TF32, 32-channel blocks in and
# out per group, w stride <= 2, w dilation 1, <= 4 w taps): (x shape, Cout, kernel, stride, padding, output_padding,
# groups, dilation).  Two 128-position tiles per row (the second partial), two co blocks, two groups of two ci
# blocks, d/h strides 1-3 and dilation 2, w strides 1 and 2 with 1-4 w taps, x rows reading grad_y rows outside it,
# a w padding past the taps' reach (windows starting 5 positions before the row: two vectors straddle w = 0).  Tiles
# hold x rows (id + a, ih + b), a, b in {0, 1}, sharing grad_y rows where the stride is a multiple of the dilation:
# shared taps for stride 2 / dilation 1 (mission), stride 1, stride 2 / dilation 2 (along h and along d); none for
# stride 3 with 2 or 3 taps or stride 1 / dilation 2; odd x depths and heights (tiles with fewer rows).
HOPPER_DGRAD_CASES = [
    ((2, 32, 5, 6, 140), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 4, 5, 64), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1)),
    ((2, 128, 3, 4, 36), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2, (1, 1, 1)),
    ((1, 32, 3, 5, 40), 32, (2, 3, 3), (1, 3, 2), (0, 1, 1), (0, 2, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 4, 36), 32, (3, 3, 4), (3, 1, 2), (2, 0, 1), (1, 0, 0), 1, (2, 2, 1)),
    ((2, 32, 4, 5, 130), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
    ((1, 32, 3, 3, 50), 32, (1, 1, 1), (1, 1, 2), (0, 0, 0), (0, 0, 1), 1, (1, 1, 1)),
    ((1, 32, 2, 3, 150), 32, (3, 3, 4), (2, 2, 2), (1, 1, 5), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 2, 5, 40), 32, (2, 2, 3), (1, 3, 2), (0, 0, 1), (0, 0, 1), 1, (1, 1, 1)),
    ((1, 32, 2, 6, 40), 32, (3, 3, 3), (2, 2, 2), (1, 2, 1), (1, 1, 1), 1, (1, 2, 1)),
    ((1, 32, 3, 2, 40), 32, (3, 2, 3), (2, 1, 2), (2, 0, 1), (1, 0, 1), 1, (2, 1, 1)),
    ((1, 32, 3, 3, 63), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
]


# The forward at unit stride on the Hopper grad_input kernel (CUTLASS_CONVT3D_SM90_UNIT_FWD, on by default: the adjoint problem's
# grad_input, the weight's channel dims swapped and its taps flipped): (x shape, Cout, kernel, padding, dilation).
# Two 128-position tiles per row (the second partial), two ci and co blocks, padding 0 to K - 1 (the adjoint's
# K - 1 - p down to 0), 1 to 4 w taps, d/h dilation 2, odd depths and heights.  Last: whether the Hopper kernel
# takes it: 64 input channels x 27 taps of fp32 weights (the adjoint's 2 co blocks, 221 KB) leave no shared memory
# for two stages, so that case runs the sm_80 kernels (and must still be right).
UNIT_FWD_CASES = [
    ((2, 32, 4, 5, 150), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ((1, 64, 3, 4, 40), 64, (3, 3, 3), (0, 2, 1), (1, 1, 1), False),
    ((1, 32, 5, 3, 36), 64, (2, 3, 4), (1, 0, 3), (1, 1, 1), True),
    ((1, 64, 3, 5, 33), 32, (3, 3, 1), (2, 1, 0), (2, 2, 1), True),
]


@pytest.mark.parametrize("mode", ["tf32", "exact"])
@pytest.mark.parametrize("layout", ["ncdhw", "cl", "cl-sliced"])
@pytest.mark.parametrize("ucase", UNIT_FWD_CASES, ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2][0]}{c[2][1]}{c[2][2]}"
                                                       for c in UNIT_FWD_CASES])
def test_unit_stride_forward_on_hopper_grad_input(ucase, layout, mode, restore_flags, hopper_kernels, monkeypatch):
    """The stride-1 forward through the Hopper grad_input kernel against float64 at TF32 accuracy and against the
    sm_80 row-conv (the default; the same TF32-rounded operands, another summation order), outputs NaN-poisoned,
    without and with a bias (added by that kernel's epilogue, in the first tap pass only); x NCDHW or channels_last
    (v84: y channels_last), dense or a channel slice with NaN around it.  Exact fp32 (v129,
    CUTLASS_CONVT3D_SM90_EXACT_DGRAD=1): at fp32 accuracy, on the Hopper kernel wherever the w taps are at most 3
    (the 64-channel case's weights in 6 tap passes)."""
    xs, cout, k, p, d, hopper = ucase
    exact = mode == "exact"
    torch.backends.cudnn.allow_tf32 = not exact
    if exact:
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "1")
        hopper = k[2] <= 3
    tol, tol80 = (1e-5, 1e-5) if exact else (2e-3, 5e-6)
    gen = torch.Generator().manual_seed(21)
    x = torch.randn(xs, generator=gen)
    x = _cl_slice(x, layout == "cl-sliced")[0] if layout != "ncdhw" else x.to(DEV)
    w = (torch.randn(xs[1], cout, *k, generator=gen) / (xs[1] * 4) ** 0.5).to(DEV)
    b = torch.randn(cout, generator=gen).to(DEV)
    args = (1, p, 0, 1, d)
    ref = F.conv_transpose3d(x.double(), w.double(), None, *args)
    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_UNIT_FWD", "1")
    y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert ("hopper_dgrad_kernel" in names) == hopper, "the case's kernel is not the one expected"
    if layout != "ncdhw":
        assert y.is_contiguous(memory_format=torch.channels_last_3d), "y is not channels_last"
    assert torch.isfinite(y).all(), "unwritten or non-finite outputs"
    assert rel_err(y, ref) <= tol, f"{ucase}: {rel_err(y, ref):.3g} against float64"
    yb, names = _with_kernel_names(lambda: conv_transpose3d(x, w, b, *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert ("hopper_dgrad_kernel" in names) == hopper, "with a bias the case's kernel is not the one expected"
    assert torch.isfinite(yb).all(), "unwritten or non-finite outputs (bias)"
    # (the Hopper kernel: the same sums plus the bias in its epilogue; sm_80 with a bias sums in another order: H100
    # 2.4e-6) -- by the kernel that ran, which on other GPUs is sm_80 for every case
    budget_b = 1e-6 if "hopper_dgrad_kernel" in names else 5e-6
    assert rel_err(yb - b.view(1, -1, 1, 1, 1), y) <= budget_b, f"{ucase}: bias not added once"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_UNIT_FWD", "0")
    y80 = conv_transpose3d(x, w, None, *args)
    # the same TF32-rounded operands in another summation order: up to 864 products per output (H200: 2.3e-6)
    assert rel_err(y, y80) <= tol80, f"{ucase}: {rel_err(y, y80):.3g} against the sm_80 kernels"
    yb80 = conv_transpose3d(x, w, b, *args)
    assert rel_err(yb, yb80) <= tol80, f"{ucase}: {rel_err(yb, yb80):.3g} against the sm_80 kernels (bias)"


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_unit_stride_forward_on_hopper_grad_input_nonfinite(value, restore_flags, hopper_kernels, monkeypatch):
    """NaN/inf planted in x (borders, both signs) through the Hopper grad_input path of the stride-1 forward: every
    product it forms is a term of the true sum (zeros only outside x), so ours is NaN/+inf/-inf exactly where the
    mathematical result is, accurate elsewhere."""
    torch.backends.cudnn.allow_tf32 = True
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_UNIT_FWD", "1")
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(2, 32, 3, 4, 70, generator=gen, dtype=torch.float64)
    w = torch.randn(32, 32, 3, 3, 3, generator=gen, dtype=torch.float64) / 16
    x_bad = x.clone()
    for j, idx in enumerate([(0, 3, 1, 2, 3), (0, 31, 0, 0, 0), (1, 0, 2, 3, 69), (1, 17, 1, 1, 64)]):
        x_bad[idx] = value if j % 2 == 0 else -value
    args = (1, 1, 0, 1, 1)
    masks, values = nonfinite_expectation("forward", x, w, x, x_bad, x_bad, args)
    y, names = _with_kernel_names(lambda: conv_transpose3d(x_bad.float().to(DEV), w.float().to(DEV), None, *args))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_dgrad_kernel" in names, "the case no longer takes the Hopper grad_input kernel"
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(y, masks, values, 2e-3)


def _cl_slice(t, sliced):
    """t's values on the GPU as a channels_last tensor, dense or (sliced) channels off .. off + C of one with
    C + 2 off channels, the others NaN, off = one 16-byte vector (the kernels' channels_last paths need whole
    vectors); and the float64 copy of its values."""
    if sliced:
        off = 16 // t.element_size()
        full = torch.full((t.shape[0], t.shape[1] + 2 * off, *t.shape[2:]), float("nan"), dtype=t.dtype)
        full[:, off:off + t.shape[1]] = t
        g = full.to(memory_format=torch.channels_last_3d).to(DEV)[:, off:off + t.shape[1]]
    else:
        g = t.to(memory_format=torch.channels_last_3d).to(DEV)
    return g, t.double()


def _dgrad_grad_y(gen, ys, layout, dtype=torch.float32):
    """grad_y of shape ys in `layout`, and the float64 copy of its values: "dense" NCDHW, "sliced" (NCDHW rows of
    w stride 1 at every 4-byte phase: a w slice), "cl" (channels_last, as x, so grad_input is channels_last too) or
    "cl-sliced" (channels_last, one 16-byte vector into wider positions: a position stride of Cout + 8 fp32 or
    Cout + 16 16-bit; the channels around it NaN, so reading them fails)."""
    if layout.startswith("cl"):
        return _cl_slice(torch.randn(ys, generator=gen).to(dtype), layout == "cl-sliced")
    full = torch.randn(*ys[:4], ys[4] + 3, generator=gen).to(dtype)
    gy = full.to(DEV)[..., 1:ys[4] + 1] if layout == "sliced" else full[..., :ys[4]].contiguous().to(DEV)
    return gy, gy.cpu().double()


def _dgrad_problem(hcase, dtype, gy_layout, seed):
    """The case's x, w (scaled to unit-variance outputs; both rounded to dtype, on the CPU), grad_y in gy_layout (on the
    GPU) with its float64 copy, and the conv arguments (stride, padding, output padding, groups, dilation)."""
    xs, cout, k, s, p, op, g, d = hcase
    x, w, gen = _wgrad_problem(xs, cout, k, g, seed)
    w = w / (xs[1] // g * k[0] * k[1] * k[2]) ** 0.5
    x, w = x.to(dtype), w.to(dtype)
    args = (s, p, op, g, d)
    ys = F.conv_transpose3d(x.double(), w.double(), None, *args).shape
    gy, gy64 = _dgrad_grad_y(gen, ys, gy_layout, dtype)
    return x, w, gy, gy64, args


# (mode, grad_y layout) pairs of the Hopper grad_input
DGRAD_MODES = ([("tf32", lay) for lay in ("dense", "sliced", "cl", "cl-sliced")] +
               [(m, lay) for m in ("fp16", "bf16", "exact") for lay in ("dense", "sliced", "cl", "cl-sliced")] +
               [("exact-ring4", lay) for lay in ("dense", "cl")])


@pytest.mark.parametrize("mode,gy_layout", DGRAD_MODES, ids=[f"{m}-{lay}" for m, lay in DGRAD_MODES])
@pytest.mark.parametrize("hcase", HOPPER_DGRAD_CASES,
                         ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{c[2][2]}s{c[3][0]}{c[3][1]}{c[3][2]}g{c[6]}"
                              for c in HOPPER_DGRAD_CASES])
def test_hopper_dgrad(hcase, mode, gy_layout, restore_flags, hopper_kernels, monkeypatch):
    """The Hopper grad_input as _check_hopper_backward checks it, grad_y dense or a slice (its rows at every 16-byte
    phase), or channels_last with x (v84, forced: whole positions staged, grad_input channels_last), dense or a
    channel slice; fp16 / bf16 (v85, CUTLASS_CONVT3D_SM90_16BIT=1: k16 wgmmas, straddling 4-byte words, the stray
    element before a row zeroed in the registers; channels_last: 64-byte positions, v86) against float64 of the same
    16-bit operands and the sm_80 16-bit kernels.  Exact fp32 (v129, CUTLASS_CONVT3D_SM90_EXACT_DGRAD=1: 3xTF32,
    each x row's products of a stage summed apart and added with IEEE adds, in passes over tap classes where the big
    and small weights do not fit at once; -ring4: CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING=4, more passes) at fp32
    accuracy against float64 and the sm_80 3xTF32 kernel, which a dropped small part, a pass left out or added twice,
    or the tensor cores' truncating accumulation over a tile would miss by orders of magnitude."""
    xs, cout, k, s, p, op, g, d = hcase
    dtype, budget, budget80 = _hopper_mode(mode.split("-")[0], monkeypatch)
    if mode == "tf32":
        budget, budget80 = 2e-3, 1e-5
    if mode.startswith("exact"):
        if k[2] > 3:
            pytest.skip("the 3xTF32 grad_input takes at most 3 w taps")
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "1")
        if mode == "exact-ring4":
            monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING", "4")
    tf32 = HOPPER_MODES[mode.split("-")[0]][1]
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "1")
    x, w, gy, gy64, args = _dgrad_problem(hcase, dtype, gy_layout, 4)
    x0 = x.double().requires_grad_(True)
    ref = torch.autograd.grad(F.conv_transpose3d(x0, w.double(), None, *args), x0, gy64)[0]
    x, w = x.to(DEV), w.to(DEV)
    if gy_layout.startswith("cl"):
        x = x.to(memory_format=torch.channels_last_3d)
        gx = ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32)
        assert gx.is_contiguous(memory_format=torch.channels_last_3d), "grad_input is not channels_last"
    _check_hopper_backward(lambda: ops.conv_transpose3d_grad_input(gy, x, w, *args, tf32), ref, "hopper_dgrad_kernel",
                           "CUTLASS_CONVT3D_SM90_DGRAD", monkeypatch, (hcase, mode, gy_layout), budget, budget80)


# Shapes with several tiles (grad_input) and grad_y rows (grad_weight) per CTA on a 132-SM GPU, so that v109's
# interleaved deal gives CTAs other tiles / rows than runs do: the mission's parameters, and groups 2 with 64 channels
INTERLEAVE_CASES = [
    ((2, 32, 16, 24, 40), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((2, 64, 8, 12, 40), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 2, (1, 1, 1)),
]


@pytest.mark.parametrize("mode", ["tf32", "bf16", "exact"])
@pytest.mark.parametrize("what", ["grad_input", "grad_weight"])
@pytest.mark.parametrize("hcase", INTERLEAVE_CASES, ids=["mission-like", "groups2"])
def test_hopper_interleave(hcase, what, mode, restore_flags, hopper_kernels, monkeypatch):
    """v109 (CUTLASS_CONVT3D_SM90_INTERLEAVE, bit 1 grad_input, bit 2 grad_weight): the CTAs take every chunks-th tile
    / row instead of runs, each order checked as _check_hopper_backward checks the Hopper kernels.  grad_input: a
    tile's sums do not depend on which CTA takes it, so the same bits as runs; grad_weight: each chunk sums other
    rows, so within budget of runs."""
    dtype, budget, budget80 = _hopper_mode(mode, monkeypatch)
    if mode == "tf32":
        budget, budget80 = 2e-3, 1e-5
    switch = "CUTLASS_CONVT3D_SM90_DGRAD" if what == "grad_input" else "CUTLASS_CONVT3D_SM90_WGRAD"
    if mode == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "1")
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "1")
    x, w, gy, args, y64, (x0, w0) = _backward_problem(hcase, dtype, 5)
    ref = torch.autograd.grad(y64, x0 if what == "grad_input" else w0, gy.double().cpu())[0]
    tf32 = HOPPER_MODES[mode][1]
    op_ = ops.conv_transpose3d_grad_input if what == "grad_input" else ops.conv_transpose3d_grad_weight
    kernel = "hopper_dgrad_kernel" if what == "grad_input" else "hopper_wgrad_kernel"
    outs = []
    for level in ("0", "1" if what == "grad_input" else "2"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_INTERLEAVE", level)
        monkeypatch.setenv(switch, "1")  # (the check leaves it at 0)
        outs.append(_check_hopper_backward(lambda: op_(gy, x, w, *args, tf32), ref, kernel, switch, monkeypatch,
                                           (hcase, what, mode, level), budget, budget80))
    if what == "grad_input":
        assert torch.equal(outs[0], outs[1]), f"{mode}: the deal changed grad_input's bits"
    else:
        assert rel_err(outs[1], outs[0]) <= budget80, f"{mode}: {rel_err(outs[1], outs[0]):.3g} against runs"


@pytest.mark.parametrize("mode", ["tf32", "bf16", "exact"])
@pytest.mark.parametrize("layout", ["ncdhw", "channels_last_3d"])
def test_hopper_l2_hints(layout, mode, restore_flags, hopper_kernels, monkeypatch):
    """v127 / v128: L2 eviction priorities (CUTLASS_CONVT3D_SM90_L2HINT, CUTLASS_CONVT3D_SM90_WGRAD_L2HINT) and the
    forward's chunk cap (CUTLASS_CONVT3D_SM90_FWD_CHUNKS) change where data lives in L2 and which CTA takes a tile or
    row, never a sum's terms or order: the forward and grad_weight give the same bits at every setting (the forward's
    first run also against float64 and the sm_80 kernels; grad_weight's, NCDHW, as _check_hopper_backward checks it)."""
    dtype, budget, budget80 = _hopper_mode(mode, monkeypatch)
    if mode == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "1")
    x, w, gy, args, y64, (x0, w0) = _backward_problem(INTERLEAVE_CASES[0], dtype, 11)
    gw64 = torch.autograd.grad(y64, w0, gy.double().cpu())[0]
    if layout == "channels_last_3d":
        x = x.contiguous(memory_format=CL)
    tf32 = HOPPER_MODES[mode][1]
    settings = [{}, {"CUTLASS_CONVT3D_SM90_L2HINT": "3"}, {"CUTLASS_CONVT3D_SM90_FWD_CHUNKS": "1"},
                {"CUTLASS_CONVT3D_SM90_FWD_CHUNKS": "2", "CUTLASS_CONVT3D_SM90_L2HINT": "1"}]
    ys = []
    for env in settings:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "1")
        y, names = _with_kernel_names(lambda: conv_transpose3d(x, w, None, *args))
        if torch.cuda.get_device_capability() == (9, 0):
            assert "hopper_rowconv_kernel" in names, f"{env}: the case does not take the Hopper forward"
        if not ys:
            _check_forward_output(y, y64.detach().to(DEV), dtype, budget, budget80,
                                  lambda: conv_transpose3d(x, w, None, *args),
                                  monkeypatch, f"{mode} {layout}")
        ys.append(y)
        for name in env:
            monkeypatch.delenv(name)
    for env, y in zip(settings[1:], ys[1:]):
        assert torch.equal(y, ys[0]), f"{mode} {layout} {env}: the forward's bits changed"
    if layout != "ncdhw":
        return  # (the Hopper grad_weight reads x and grad_y NCDHW)
    if mode == "tf32":
        budget, budget80 = 2e-3, 1e-5
    gws = []
    for level in ("0", "3", "1"):
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_L2HINT", level)
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")  # (the check leaves it at 0)
        run = lambda: ops.conv_transpose3d_grad_weight(gy, x, w, *args, tf32)  # noqa: E731
        gws.append(_check_hopper_backward(run, gw64, "hopper_wgrad_kernel", "CUTLASS_CONVT3D_SM90_WGRAD", monkeypatch,
                                          (mode, layout, level), budget, budget80))
    assert torch.equal(gws[1], gws[0]) and torch.equal(gws[2], gws[0]), f"{mode} {layout}: grad_weight's bits changed"


@pytest.mark.parametrize("mode,layout", [("tf32", "ncdhw"), ("tf32", "cl"), ("fp16", "ncdhw"), ("bf16", "ncdhw"),
                                         ("bf16", "cl"), ("exact", "ncdhw"), ("exact", "cl")],
                         ids=["tf32", "tf32-cl", "fp16", "bf16", "bf16-cl", "exact", "exact-cl"])
@pytest.mark.parametrize("where", ["w", "gy"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_hopper_dgrad_nonfinite(value, where, mode, layout, restore_flags, hopper_kernels, monkeypatch):
    """NaN/inf planted in the weight or grad_y on a Hopper grad_input shape whose tiles read positions and rows
    outside grad_y (zeros multiplied by the tensor cores): with a non-finite weight the tiles whose sums are not
    finite are recomputed masked, so ours is NaN/+inf/-inf exactly where the mathematical result is.  grad_y and x
    NCDHW or both channels_last (v84: the masked recompute then reads and writes channels_last); fp16 / bf16 (v85);
    exact fp32 (v129: every tile's sums checked, since a non-finite grad_y element's big part times a zero small
    weight is NaN; in two tap passes, the second adding to the first's outputs, non-finite ones included)."""
    dtype, budget, _ = _hopper_mode(mode, monkeypatch)
    tf32 = HOPPER_MODES[mode][1]
    if mode == "exact":
        monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "1")
        budget = 1e-5
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "1")
    x, w, gen = _wgrad_problem((2, 32, 3, 4, 140), 32, (3, 3, 3), 1, 13)
    w = w / 16
    args = (2, 1, [1, 1, 0], 1, 1)  # grad_y 6 x 8 x 279: odd rows (16-bit: straddling words at every phase)
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
    x, w, gy = x.to(dtype), w.to(dtype), gy.to(dtype)
    x64, w64, gy64 = x.double(), w.double(), gy.double()
    bad = (w64 if where == "w" else gy64).clone()
    spots = ([(0, 3, 0, 0, 0), (31, 31, 2, 2, 2), (7, 5, 1, 0, 2), (16, 0, 2, 1, 0)] if where == "w" else
             [(0, 3, 0, 0, 0), (1, 31, 5, 7, 278), (0, 7, 3, 4, 140), (1, 0, 5, 1, 1), (0, 12, 2, 3, 278)])
    for j, idx in enumerate(spots):
        bad[idx] = value if j % 2 == 0 else -value
    if where == "w":
        masks, values = nonfinite_expectation("grad_input_w", x64, w64, gy64, x64, gy64, args, w_bad=bad)
        wd, gyd = bad.to(dtype), gy
    else:
        masks, values = nonfinite_expectation("grad_input", x64, w64, gy64, x64, bad, args)
        wd, gyd = w, bad.to(dtype)
    mf = torch.channels_last_3d if layout == "cl" else torch.contiguous_format
    gyd, xd = gyd.to(DEV).contiguous(memory_format=mf), x.to(DEV).contiguous(memory_format=mf)
    gx, names = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gyd, xd, wd.to(DEV), *args, tf32))
    if torch.cuda.get_device_capability() == (9, 0):
        assert "hopper_dgrad_kernel" in names, "the case no longer takes the Hopper kernel"
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(gx, masks, values, 2e-3 if mode == "tf32" else budget)


# v146: the fused backward's cases, each one it plans on an H100: the mission's parameters (two d rows a tile), a
# partial tile with output padding (grad_y's last column meets the zeros past x's row), kernel = stride (one d row a
# tile) with two co blocks, groups 2 with two ci blocks, mixed strides, w stride 1, four and one w taps, dilation along
# h (x rows on 16 bytes: 16-byte copies), and two with x rows off 16 bytes (W 140, 63: element loads)
FUSED_BWD_CASES = [
    ((2, 32, 4, 5, 128), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
    ((1, 32, 3, 4, 200), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 4, 5, 64), 64, (2, 2, 2), (2, 2, 2), (0, 0, 0), (0, 0, 0), 1, (1, 1, 1)),
    ((2, 128, 3, 4, 40), 64, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 2, (1, 1, 1)),
    ((1, 32, 2, 5, 40), 32, (2, 2, 3), (1, 3, 2), (0, 0, 1), (0, 0, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 4, 48), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
    ((1, 32, 3, 3, 64), 32, (2, 2, 4), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 3, 56), 32, (1, 1, 1), (1, 1, 2), (0, 0, 0), (0, 0, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 4, 40), 32, (3, 3, 3), (2, 2, 2), (1, 2, 1), (1, 1, 1), 1, (1, 2, 1)),
    ((2, 32, 5, 6, 140), 32, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
    ((1, 32, 3, 3, 63), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1, (1, 1, 1)),
]
# the fused instances: hopper_dgrad_kernel<E, EW, NKW, false, false, true>
_FUSED_BWD = re.compile(r"hopper_dgrad_kernel(<[^(]*, false, false, true>|I\w*ELb0ELb0ELb1EE)")


@pytest.mark.parametrize("mode", ["fp16", "bf16"])
@pytest.mark.parametrize("gy_layout", ["dense", "sliced"])
@pytest.mark.parametrize("hcase", FUSED_BWD_CASES,
                         ids=[f"x{c[0][1]}-{c[0][4]}co{c[1]}k{''.join(map(str, c[2]))}s{''.join(map(str, c[3]))}g{c[6]}"
                              for c in FUSED_BWD_CASES])
def test_hopper_fused_backward(hcase, mode, gy_layout, restore_flags, hopper_kernels, monkeypatch):
    """v146 (CUTLASS_CONVT3D_SM90_FUSED_BWD=1): grad_input and grad_weight in one pass over grad_y, the Hopper
    grad_input kernel also multiplying each staged grad_y row by the x rows that read it (grad_weight's sums in shared
    memory, per CTA, then the ordered reduce).  Against float64 of the same 16-bit operands, bitwise equal from run to
    run (deterministic mode, outputs NaN-filled first so unwritten ones fail); grad_input bitwise equal to the Hopper
    grad_input's alone (the same sums in the same order: one h row a tile changes which tile holds a row, not its
    stages' order), grad_weight within the 16-bit budget of the two-pass grad_weight.  grad_y dense or a w slice
    (its rows at every 16-byte phase: the stray half before a row, zeroed in the registers)."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    dtype, budget, budget80 = _hopper_mode(mode, monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", "1")
    x, w, gy, gy64, args = _dgrad_problem(hcase, dtype, gy_layout, 5)
    x0, w0 = x.double().requires_grad_(True), w.double().requires_grad_(True)
    rx, rw = torch.autograd.grad(F.conv_transpose3d(x0, w0, None, *args), (x0, w0), gy64)
    x, w = x.to(DEV), w.to(DEV)

    def run():
        return ops.conv_transpose3d_grad_input_weight(gy, x, w, *args, True)

    torch.use_deterministic_algorithms(True)
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", True)
    (gx, gw), names = _with_kernel_names(run)
    assert _FUSED_BWD.search(names), "the case no longer takes the fused backward"
    assert torch.isfinite(gx).all() and torch.isfinite(gw).all(), "unwritten or non-finite outputs"
    assert rel_err(gx.cpu(), rx) <= budget, f"grad_input {rel_err(gx.cpu(), rx):.3g} against float64"
    assert rel_err(gw.cpu(), rw) <= budget, f"grad_weight {rel_err(gw.cpu(), rw):.3g} against float64"
    gx2, gw2 = run()
    assert torch.equal(gx, gx2) and torch.equal(gw, gw2), "not deterministic"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", "0")
    (gx1, gw1), names = _with_kernel_names(run)
    assert not _FUSED_BWD.search(names) and "hopper_dgrad_kernel" in names, "the two-pass backward changed"
    assert torch.equal(gx, gx1), f"grad_input differs from the Hopper grad_input's: {rel_err(gx, gx1):.3g}"
    assert rel_err(gw, gw1) <= budget80, f"grad_weight {rel_err(gw, gw1):.3g} against the two-pass grad_weight"


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_hopper_fused_backward_nonfinite(value, restore_flags, hopper_kernels, monkeypatch):
    """v146: NaN / inf planted in grad_y, among them its last column, which the zeros past x's row (a partial tile,
    output padding 1) meet in the tensor cores: grad_weight is NaN / +inf / -inf exactly where the mathematical
    result is (a CTA's sum that is not finite is recomputed with every product masked), grad_input too."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    dtype, budget, _ = _hopper_mode("bf16", monkeypatch)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", "1")
    x, w, gen = _wgrad_problem((1, 32, 3, 4, 200), 32, (3, 3, 3), 1, 17)
    w = w / 16
    args = (2, 1, 1, 1, 1)  # grad_y 6 x 8 x 400: column 399 pairs with x's position 200 (outside) at kw 0
    gy = torch.randn(F.conv_transpose3d(x, w, None, *args).shape, generator=gen)
    x, w, gy = x.to(dtype), w.to(dtype), gy.to(dtype)
    x64, w64, gy64 = x.double(), w.double(), gy.double()
    bad = gy64.clone()
    for j, idx in enumerate([(0, 3, 1, 2, 399), (0, 31, 5, 7, 398), (0, 7, 3, 4, 140), (0, 0, 0, 0, 0)]):
        bad[idx] = value if j % 2 == 0 else -value
    (gx, gw), names = _with_kernel_names(
        lambda: ops.conv_transpose3d_grad_input_weight(bad.to(dtype).to(DEV), x.to(DEV), w.to(DEV), *args, True))
    assert _FUSED_BWD.search(names), "the case no longer takes the fused backward"
    masks, values = nonfinite_expectation("grad_weight_gy", x64, w64, gy64, x64, bad, args)
    assert (masks[0] | masks[1] | masks[2]).any()
    _assert_nonfinite_as_expected(gw, masks, values, budget, "grad_weight")
    masks, values = nonfinite_expectation("grad_input", x64, w64, gy64, x64, bad, args)
    _assert_nonfinite_as_expected(gx, masks, values, budget, "grad_input")


def test_hopper_fused_backward_scope(restore_flags, hopper_kernels, monkeypatch):
    """v146 stays off by default, and on it declines what it does not take (fp32, a channels_last input): those keep
    the two-pass backward.  x rows off 16 bytes (W 60) it takes, by element loads."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = True
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", raising=False)

    def names(dtype, width=64, cl=False):
        x = torch.randn(1, 32, 3, 4, width, device=DEV, dtype=dtype)
        if cl:
            x = x.to(memory_format=torch.channels_last_3d)
        w = torch.randn(32, 32, 3, 3, 3, device=DEV, dtype=dtype)
        gy = torch.randn(F.conv_transpose3d(x, w, None, 2, 1).shape, device=DEV, dtype=dtype)
        return _with_kernel_names(lambda: ops.conv_transpose3d_grad_input_weight(gy, x, w, 2, 1, 0, 1, 1, True))[1]

    assert not _FUSED_BWD.search(names(torch.bfloat16)), "on by default"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", "1")
    assert _FUSED_BWD.search(names(torch.bfloat16)) and _FUSED_BWD.search(names(torch.float16))
    assert _FUSED_BWD.search(names(torch.bfloat16, 60))
    for dtype, cl in [(torch.float32, False), (torch.bfloat16, True)]:
        assert not _FUSED_BWD.search(names(dtype, 64, cl)), (dtype, cl)


def test_hopper_dgrad_is_taken_on_sm90(restore_flags, hopper_kernels, monkeypatch):
    """On a compute capability 9.0 GPU the mission-like grad_input runs the wgmma kernel by default and the sm_80
    row-conv with CUTLASS_CONVT3D_SM90_DGRAD=0 or CUTLASS_CONVT3D_SM90=0; exact fp32 (TF32 off) too since stop 56
    (v129, kHopperExactDgradDefault), and on the sm_80 row-conv with CUTLASS_CONVT3D_SM90_EXACT_DGRAD=0.  So do
    fp16 / bf16 (v85) and channels_last (v84, v86), each of which CUTLASS_CONVT3D_SM90_16BIT=0 / _DGRAD=0 turns off;
    grad_y and x in different layouts take the sm_80 kernel, even forced."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = True
    x = torch.randn(1, 32, 4, 6, 64, device=DEV)
    w = torch.randn(32, 32, 3, 3, 3, device=DEV)
    gy = torch.randn(F.conv_transpose3d(x, w, None, 2, 1).shape, device=DEV)

    def kernels(tf32=True):
        return _with_kernel_names(lambda: ops.conv_transpose3d_grad_input(gy, x, w, 2, 1, 0, 1, 1, tf32))[1]

    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_DGRAD", raising=False)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90", raising=False)
    assert "hopper_dgrad_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "0")
    assert "hopper_dgrad_kernel" not in kernels()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_DGRAD")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "0")
    assert "hopper_dgrad_kernel" not in kernels()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", raising=False)
    assert "hopper_dgrad_kernel" in kernels(tf32=False)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "0")
    assert "hopper_dgrad_kernel" not in kernels(tf32=False)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD")
    # fp16 / bf16 (v85): by default; CUTLASS_CONVT3D_SM90_16BIT=0 keeps them on sm_80
    x32, w32, gy32 = x, w, gy
    x, w, gy = x32.bfloat16(), w32.bfloat16(), gy32.bfloat16()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT", raising=False)
    assert "hopper_dgrad_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "0")
    assert "hopper_dgrad_kernel" not in kernels()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT")
    x, w, gy = x32, w32, gy32
    # channels_last grad_y and x (v84), fp32 and bf16 (v86): by default
    x = x.to(memory_format=torch.channels_last_3d)
    gy = gy.to(memory_format=torch.channels_last_3d)
    assert "hopper_dgrad_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "0")
    assert "hopper_dgrad_kernel" not in kernels()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_DGRAD")
    x32, w32, gy32 = x, w, gy
    x, w, gy = x32.bfloat16(), w32.bfloat16(), gy32.bfloat16()
    assert "hopper_dgrad_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "0")
    assert "hopper_dgrad_kernel" not in kernels()
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_DGRAD", "1")
    x, w, gy = x32, w32, gy32
    # one channels_last and the other not: the sm_80 kernel, even forced
    gy = gy.contiguous()
    assert "hopper_dgrad_kernel" not in kernels()


def test_hopper_forward_is_taken_on_sm90(restore_flags, hopper_kernels, monkeypatch):
    """On a compute capability 9.0 GPU the mission-like forward runs the wgmma kernel by default, and the sm_80
    kernels with CUTLASS_CONVT3D_SM90=0; fp16 / bf16 too unless CUTLASS_CONVT3D_SM90_16BIT=0 (NCDHW y by 16-byte row
    vectors unless CUTLASS_CONVT3D_SM90_VEC16=0; fp32 TF32 too where y's rows are off 16 bytes); exact fp32 too unless
    CUTLASS_CONVT3D_SM90_EXACT=0 (v88, on since stop 36)."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = True
    x = torch.randn(1, 32, 4, 6, 64, device=DEV)
    w = torch.randn(32, 32, 3, 3, 3, device=DEV)

    def kernels():
        return _with_kernel_names(lambda: conv_transpose3d(x, w, None, 2, 1))[1]

    monkeypatch.delenv("CUTLASS_CONVT3D_SM90", raising=False)
    assert "hopper_rowconv_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90", "0")
    assert "hopper_rowconv_kernel" not in kernels()
    # 16-bit forwards: the Hopper kernel unless CUTLASS_CONVT3D_SM90_16BIT=0
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90", raising=False)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT", raising=False)
    xh, wh = x.bfloat16(), w.bfloat16()
    assert "hopper_rowconv_kernel" in _with_kernel_names(lambda: conv_transpose3d(xh, wh, None, 2, 1))[1]
    # the output by 16-byte row vectors (v89, v91, v131): by default 16-bit, and fp32 TF32 where y's rows do not all
    # start on 16 bytes (OW 127 here; output padding 1 makes it 128: rows of 512 bytes); =1 always, =0 never
    def aligned_rows():
        return _with_kernel_names(lambda: conv_transpose3d(x, w, None, 2, 1, 1))[1]

    # (v141, by default since stop 62, reads this fp32 x in place and stores by row vectors too: the copy's policy at
    # X_RS=0, v141's default after it)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", "0")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_VEC16", raising=False)
    assert _ROW_VECTORS.search(_with_kernel_names(lambda: conv_transpose3d(xh, wh, None, 2, 1))[1])
    assert _ROW_VECTORS.search(kernels())
    assert "hopper_rowconv_kernel" in aligned_rows() and not _ROW_VECTORS.search(aligned_rows())
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_X_RS")
    assert _X_RS.search(kernels()) and _X_RS.search(aligned_rows()), "v141 is not the default here"
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_X_RS", "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "1")
    assert _ROW_VECTORS.search(aligned_rows())
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "0")
    assert not _ROW_VECTORS.search(kernels())
    assert not _ROW_VECTORS.search(_with_kernel_names(lambda: conv_transpose3d(xh, wh, None, 2, 1))[1])
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_VEC16")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_X_RS")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "0")
    assert "hopper_rowconv_kernel" not in _with_kernel_names(lambda: conv_transpose3d(xh, wh, None, 2, 1))[1]
    # the exact fp32 forward (v88): the Hopper kernel unless CUTLASS_CONVT3D_SM90_EXACT=0
    torch.backends.cudnn.allow_tf32 = False
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_EXACT", raising=False)
    assert "hopper_rowconv_kernel" in kernels()
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT", "0")
    assert "hopper_rowconv_kernel" not in kernels()


def test_hopper_wgrad_is_taken_on_sm90(restore_flags, hopper_kernels, monkeypatch):
    """On a compute capability 9.0 GPU the mission-like grad_weight (kernel 3, stride 2: 2.25 (kd, kh) pairs per
    class) runs the wgmma kernel by default and the sm_80 kernels with CUTLASS_CONVT3D_SM90_WGRAD=0; so do bf16
    (unless CUTLASS_CONVT3D_SM90_16BIT=0) and kernel 3 / stride 1 (9 pairs per class, in segments: v83); kernel 2 /
    stride 2 (one pair per class, where the sm_80 kernel is faster) keeps the sm_80 kernels unless forced (=1).  Exact
    fp32 runs it too (v87, on since stop 36) unless CUTLASS_CONVT3D_SM90_EXACT_WGRAD=0."""
    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the Hopper kernels run on compute capability 9.0 only")
    torch.backends.cudnn.allow_tf32 = True
    x = torch.randn(1, 32, 4, 6, 64, device=DEV)

    def kernels(k, p, dtype=torch.float32, stride=2, tf32=True, x=x):
        w = torch.randn(32, 32, k, k, k, device=DEV)
        gy = torch.randn(F.conv_transpose3d(x, w, None, stride, p).shape, device=DEV)
        xt, wt, gyt = x.to(dtype), w.to(dtype), gy.to(dtype)
        return _with_kernel_names(lambda: ops.conv_transpose3d_grad_weight(gyt, xt, wt, stride, p, 0, 1, 1, tf32))[1]

    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_WGRAD", raising=False)
    assert "hopper_wgrad_kernel" in kernels(3, 1)
    assert "hopper_wgrad_kernel" not in kernels(2, 0)
    # 16-bit: the Hopper kernel unless CUTLASS_CONVT3D_SM90_16BIT=0
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT", raising=False)
    assert "hopper_wgrad_kernel" in kernels(3, 1, torch.bfloat16)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_16BIT", "0")
    assert "hopper_wgrad_kernel" not in kernels(3, 1, torch.bfloat16)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_16BIT")
    # kernel 3 / stride 1 (9 pairs per class, read in segments: v83): by default
    assert "hopper_wgrad_kernel" in kernels(3, 1, stride=1)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "1")
    assert "hopper_wgrad_kernel" in kernels(2, 0)
    # both gradients of a 16-bit stride-1 problem (whose grad_y the sm_80 kernels share as one channels_last copy):
    # the Hopper grad_weight, by default, still reads the NCDHW grad_y
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_WGRAD")
    xs, ws = torch.randn(1, 32, 4, 6, 64, device=DEV, dtype=torch.bfloat16), torch.randn(32, 32, 3, 3, 3, device=DEV)
    gys = torch.randn(F.conv_transpose3d(xs.float(), ws, None, 1, 1).shape, device=DEV, dtype=torch.bfloat16)
    both = _with_kernel_names(lambda: ops.conv_transpose3d_grad_input_weight(gys, xs, ws.bfloat16(), 1, 1, 0, 1, 1,
                                                                             True))[1]
    assert "hopper_wgrad_kernel" in both
    assert "hopper_dgrad_kernel" in both  # (v85, the same switch: no shared copy of grad_y either)
    # exact fp32 (3xTF32, v87): by default, kernel 2 / stride 2 too (segments of at most 2 pairs: no pairs-per-class
    # rule); the sm_80 kernels with CUTLASS_CONVT3D_SM90_EXACT_WGRAD=0
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", raising=False)
    assert "hopper_wgrad_kernel" in kernels(3, 1, tf32=False)
    assert "hopper_wgrad_kernel" in kernels(2, 0, tf32=False)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "0")
    assert "hopper_wgrad_kernel" not in kernels(3, 1, tf32=False)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", "1")
    # ... which leaves a TF32 grad_weight (the op's allow_tf32) on the TF32 instance (two k-blocks: v111's default)
    assert _wgrad_instance(("HopperTF32",), 3, 2).search(kernels(3, 1))
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD", "0")
    assert "hopper_wgrad_kernel" not in kernels(3, 1, tf32=False)
    assert "hopper_wgrad_kernel" not in kernels(3, 1)  # (=0: neither)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_EXACT_WGRAD")
    # stages of two k-blocks (v90, CUTLASS_CONVT3D_SM90_WGRAD_KB): by default (v111) fp32 TF32, with x rounded by its
    # TMA map only, and 16-bit at w stride 1; 16-bit at w stride 2 under =2
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_WGRAD")
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", raising=False)
    monkeypatch.delenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", raising=False)
    tf32_i, bf16_i = _WGRAD_TRAITS[torch.float32], _WGRAD_TRAITS[torch.bfloat16]
    x72 = torch.randn(1, 32, 4, 6, 72, device=DEV)
    assert _wgrad_instance(tf32_i, 3, 2).search(kernels(3, 1))
    assert _wgrad_instance(bf16_i, 3, 1).search(kernels(3, 1, torch.bfloat16, x=x72))
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "1")
    assert _wgrad_instance(tf32_i, 3, 1).search(kernels(3, 1))
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "2")
    assert _wgrad_instance(tf32_i, 3, 2).search(kernels(3, 1))
    # (16-bit: 64 positions a k-block, so x rows of 64 keep one; 72 take two)
    assert _wgrad_instance(bf16_i, 3, 1).search(kernels(3, 1, torch.bfloat16))
    assert _wgrad_instance(bf16_i, 3, 2).search(kernels(3, 1, torch.bfloat16, x=x72))
    # (w dilation 4 at w stride 2: the two-block window does not fit, one block, still the Hopper kernel)
    wd4 = torch.randn(32, 32, 3, 3, 3, device=DEV)
    gyd4 = torch.randn(F.conv_transpose3d(x, wd4, None, 2, 1, 0, 1, (1, 1, 4)).shape, device=DEV)
    assert _wgrad_instance(tf32_i, 3, 1).search(_with_kernel_names(
        lambda: ops.conv_transpose3d_grad_weight(gyd4, x, wd4, 2, 1, 0, 1, (1, 1, 4), True))[1])
    assert _wgrad_instance(("Hopper3xTF32",), 3, 1).search(kernels(3, 1, tf32=False))  # (exact: one k-block always)
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "0")
    assert _wgrad_instance(tf32_i, 3, 1).search(kernels(3, 1))
