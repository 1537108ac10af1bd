"""API parity with torch.nn.functional.conv_transpose3d / torch.nn.ConvTranspose3d and the reference Model
(CPU: these run PyTorch's kernels underneath, so they test the Python front end and the op plumbing)."""
import inspect
import re
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import cutlass_convt3d
from cutlass_convt3d import ConvTranspose3d, ModelNew, conv_transpose3d
from cutlass_convt3d.reference import Model, get_init_inputs, get_inputs


def _torch_functional_params():
    """(name, default) pairs of torch.nn.functional.conv_transpose3d, parsed from its documented signature
    (it is a builtin, inspect.signature cannot read it)."""
    first_line = F.conv_transpose3d.__doc__.strip().splitlines()[0]
    m = re.match(r"conv_transpose3d\((.*)\)\s*->", first_line)
    assert m, first_line
    params = []
    for part in m.group(1).split(","):
        name, _, default = part.strip().partition("=")
        params.append((name, default or None))
    return params


def test_version_and_exports():
    assert cutlass_convt3d.__version__ == "0.1.0"
    assert set(cutlass_convt3d.__all__) >= {"conv_transpose3d", "ConvTranspose3d", "ModelNew", "__version__"}
    for name in ("conv_transpose3d", "conv_transpose3d_grad_input", "conv_transpose3d_grad_weight",
                 "conv_transpose3d_grad_bias"):
        assert hasattr(torch.ops.cutlass_convt3d, name)


def test_functional_signature_matches_torch():
    ours = [(p.name, None if p.default is inspect.Parameter.empty else repr(p.default))
            for p in inspect.signature(conv_transpose3d).parameters.values()]
    assert ours == _torch_functional_params()
    # and against ATen's schema: same argument names in the same order
    schema = torch.ops.aten.conv_transpose3d.input._schema
    assert [a.name for a in schema.arguments] == [name for name, _ in ours]


def _params(fn):
    # names, kinds and defaults; annotations are spelled differently across torch versions
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_module_signatures_match_torch():
    assert _params(ConvTranspose3d.__init__) == _params(nn.ConvTranspose3d.__init__)
    assert _params(ConvTranspose3d.forward) == _params(nn.ConvTranspose3d.forward)
    assert _params(ModelNew.__init__) == _params(Model.__init__)
    assert _params(ModelNew.forward) == _params(Model.forward)
    assert issubclass(ConvTranspose3d, nn.ConvTranspose3d)


@pytest.mark.parametrize("kwargs", [
    dict(in_channels=4, out_channels=6, kernel_size=3),
    dict(in_channels=8, out_channels=4, kernel_size=(2, 3, 1), stride=(2, 1, 3), padding=(1, 0, 0),
         output_padding=(1, 0, 2), groups=2, bias=False, dilation=(1, 2, 1)),
])
def test_module_init_and_state_dict_match_torch(kwargs):
    torch.manual_seed(7)
    ref = nn.ConvTranspose3d(**kwargs)
    torch.manual_seed(7)
    ours = ConvTranspose3d(**kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for k, v in ref.state_dict().items():
        assert torch.equal(ours.state_dict()[k], v), k
    for attr in ("stride", "padding", "output_padding", "dilation", "groups", "kernel_size", "padding_mode"):
        assert getattr(ours, attr) == getattr(ref, attr)

    # load both ways, then the forward agrees
    torch.manual_seed(8)
    other_ref, other_ours = nn.ConvTranspose3d(**kwargs), ConvTranspose3d(**kwargs)
    other_ours.load_state_dict(ref.state_dict())
    other_ref.load_state_dict(ours.state_dict())
    x = torch.randn(2, kwargs["in_channels"], 3, 4, 5)
    torch.testing.assert_close(other_ours(x), ref(x))
    torch.testing.assert_close(other_ref(x), ours(x))


def test_module_output_size():
    torch.manual_seed(0)
    ref = nn.ConvTranspose3d(3, 5, 3, stride=(2, 3, 2), padding=1)
    ours = ConvTranspose3d(3, 5, 3, stride=(2, 3, 2), padding=1)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, 4, 5, 6)
    for output_size in ([7, 13, 11], [8, 15, 12], [2, 5, 8, 14, 11]):
        y_ref, y = ref(x, output_size=output_size), ours(x, output_size=output_size)
        assert y.shape == y_ref.shape
        assert list(y.shape[-3:]) == list(output_size[-3:])
        torch.testing.assert_close(y, y_ref)
    # unbatched input with output_size
    torch.testing.assert_close(ours(x[0], output_size=[8, 14, 12]), ref(x[0], output_size=[8, 14, 12]))
    for bad in ([6, 13, 11], [9, 13, 11], [7, 13]):
        with pytest.raises(ValueError):
            ref(x, output_size=bad)
        with pytest.raises(ValueError):
            ours(x, output_size=bad)


def test_module_padding_mode_errors_like_torch():
    with pytest.raises(ValueError) as e_ref:
        nn.ConvTranspose3d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError) as e_ours:
        ConvTranspose3d(2, 2, 3, padding_mode="reflect")
    assert str(e_ours.value) == str(e_ref.value)
    m = ConvTranspose3d(2, 2, 3)
    m.padding_mode = "circular"
    with pytest.raises(ValueError, match="zeros"):
        m(torch.randn(1, 2, 3, 3, 3))


@pytest.mark.parametrize("args", [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2,), padding=(1,), dilation=(2,)),              # 1-element lists expand like ATen
    dict(stride=(1, 2, 3), padding=(0, 1, 2), output_padding=(0, 1, 2), dilation=(2, 1, 1)),
    dict(stride=[3, 1, 2], dilation=[1, 3, 2], output_padding=[2, 2, 1]),  # output_padding < dilation
])
def test_functional_matches_torch(args):
    torch.manual_seed(1)
    x, w, b = torch.randn(2, 4, 3, 4, 5), torch.randn(4, 3, 3, 2, 3), torch.randn(3)
    torch.testing.assert_close(conv_transpose3d(x, w, b, **args), F.conv_transpose3d(x, w, b, **args))
    # positional
    pos = [args.get(k, d) for k, d in (("stride", 1), ("padding", 0), ("output_padding", 0))]
    torch.testing.assert_close(conv_transpose3d(x, w, None, *pos, 1, args.get("dilation", 1)),
                               F.conv_transpose3d(x, w, None, *pos, 1, args.get("dilation", 1)))


@pytest.mark.parametrize("xs,ws,args", [
    ((2, 4, 1, 1, 1), (4, 3, 3, 3, 3), dict(stride=2)),                 # 1x1x1 input
    ((1, 3, 2, 1, 3), (3, 2, 9, 1, 11), dict(stride=(1, 2, 3), padding=(4, 0, 5))),  # kernel > input
    ((1, 5, 2, 3, 2), (5, 7, 2, 3, 4), dict(dilation=(5, 1, 3))),       # odd channel counts, wide dilation
], ids=["1x1x1", "kernel_larger_than_input", "odd_channels"])
def test_functional_unusual_shapes_match_torch(xs, ws, args):
    torch.manual_seed(2)
    x, w = torch.randn(*xs), torch.randn(*ws)
    torch.testing.assert_close(conv_transpose3d(x, w, None, **args), F.conv_transpose3d(x, w, None, **args))


@pytest.mark.parametrize("kind", ["strided", "expanded"])
def test_functional_bias_of_any_stride(kind):
    """A strided (b[::2]) or expanded (stride 0) bias gives PyTorch's result, on the CPU path here; the CUDA kernels'
    twin is test_cuda.py's test_forward_bias_of_any_stride."""
    torch.manual_seed(3)
    x, w, full = torch.randn(1, 4, 3, 4, 5), torch.randn(4, 6, 3, 3, 3), torch.randn(12)
    b = full[::2] if kind == "strided" else full[:1].expand(6)
    torch.testing.assert_close(conv_transpose3d(x, w, b, 2, 1), F.conv_transpose3d(x, w, b, 2, 1))


def test_functional_unbatched_input():
    torch.manual_seed(2)
    x, w = torch.randn(4, 3, 4, 5), torch.randn(4, 2, 3, 3, 3)
    y = conv_transpose3d(x, w, stride=2, groups=2)
    assert y.dim() == 4
    torch.testing.assert_close(y, F.conv_transpose3d(x, w, stride=2, groups=2))


def test_functional_empty_batch():
    x, w = torch.randn(0, 4, 3, 4, 5), torch.randn(4, 2, 3, 3, 3)
    y = conv_transpose3d(x, w, stride=2)
    assert y.shape == F.conv_transpose3d(x, w, stride=2).shape


def test_functional_memory_format_matches_torch():
    cl = torch.channels_last_3d
    x, w = torch.randn(2, 4, 3, 4, 5), torch.randn(4, 3, 3, 3, 3)
    for xi, wi in ((x, w), (x.to(memory_format=cl), w), (x, w.to(memory_format=cl))):
        y, y_ref = conv_transpose3d(xi, wi, stride=2), F.conv_transpose3d(xi, wi, stride=2)
        assert y.stride() == y_ref.stride()
        torch.testing.assert_close(y, y_ref)


def test_functional_autocast_cpu_like_torch():
    x, w = torch.randn(1, 4, 3, 3, 3), torch.randn(4, 2, 3, 3, 3)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y, y_ref = conv_transpose3d(x, w), F.conv_transpose3d(x, w)
    assert y.dtype == y_ref.dtype == torch.bfloat16
    torch.testing.assert_close(y, y_ref)


# ------------------------------------------------------------------------------------------ ModelNew
def test_modelnew_positional_binding_like_model():
    torch.manual_seed(0)
    ref = Model(*get_init_inputs())
    torch.manual_seed(0)
    new = ModelNew(*get_init_inputs())
    conv, conv_ref = new.conv_transpose3d, ref.conv_transpose3d
    assert isinstance(conv, ConvTranspose3d)
    # the sixth init value lands in output_padding, which Model ignores: groups=1, output_padding=0
    assert (conv.groups, conv.output_padding) == (conv_ref.groups, conv_ref.output_padding) == (1, (0, 0, 0))
    assert (conv.stride, conv.padding, conv.kernel_size) == ((2, 2, 2), (1, 1, 1), (3, 3, 3))
    assert conv.bias is None and conv_ref.bias is None
    assert list(new.state_dict()) == list(ref.state_dict()) == ["conv_transpose3d.weight"]
    assert torch.equal(new.state_dict()["conv_transpose3d.weight"], ref.state_dict()["conv_transpose3d.weight"])


@pytest.mark.parametrize("init", [
    None,  # get_init_inputs()
    (8, 12, 3, 2, 1, 0, 4, True),
    (6, 4, 2, 2, 0),
])
def test_modelnew_matches_model_cpu(init):
    init = list(get_init_inputs()) if init is None else list(init)
    torch.manual_seed(3)
    ref = Model(*init)
    torch.manual_seed(3)
    new = ModelNew(*init)
    for k, v in ref.state_dict().items():
        assert torch.equal(new.state_dict()[k], v)
    new.load_state_dict(ref.state_dict())  # loads both ways
    ref.load_state_dict(new.state_dict())
    for seed in range(3):
        torch.manual_seed(seed)
        x = torch.rand(2, init[0], 3, 5, 6)  # the mission's distribution on a small grid (CPU time)
        torch.testing.assert_close(new(x), ref(x), atol=1e-4, rtol=1e-4)


def test_reference_module_is_the_users():
    x = get_inputs()[0]
    assert x.shape == (4, 32, 32, 64, 128) and x.dtype == torch.float32
    assert get_init_inputs() == [32, 32, 3, 2, 1, 4]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU path")
def test_main_without_cuda_exits_with_message(tmp_path):
    r = subprocess.run([sys.executable, "-m", "cutlass_convt3d"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 1
    assert "no CUDA device" in r.stderr and r.stdout == ""


def test_every_environment_knob_is_documented():
    """Each CUTLASS_CONVT3D_* variable the sources read (kernels, build, Python) is named in the README, so no
    switch that changes which kernel runs is undocumented."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    sources = [*root.glob("csrc/**/*.cpp"), *root.glob("csrc/**/*.cu"), *root.glob("csrc/**/*.cuh"),
               *root.glob("csrc/**/*.h"), *root.glob("cutlass_convt3d/*.py"), root / "CMakeLists.txt"]
    used = set()
    for f in sources:
        used |= set(re.findall(r"CUTLASS_CONVT3D_[A-Z0-9_]*[A-Z0-9]", f.read_text()))
    assert {"CUTLASS_CONVT3D_SM90", "CUTLASS_CONVT3D_SM90_16BIT", "CUTLASS_CONVT3D_SM90_EXACT"} <= used
    readme = (root / "README.md").read_text()
    missing = sorted(v for v in used if not re.search(re.escape(v) + r"(?![A-Z0-9_])", readme))
    assert not missing, f"not in the README: {missing}"

