"""The benchmark helpers that turn device output into claims (CPU only): benchmarks/cpp_agreement.py, which
checks issue 3's "the C++ benchmark agrees with bench.py" from one machine's files, and what bench.py records."""
import importlib.util
import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def agreement():
    return _load("cpp_agreement")


@pytest.fixture(scope="module")
def bench():
    return _load("bench")


CPP = """\
device: NVIDIA H200  dtype: f32  math: tf32  layout: ncdhw  reps: 20 (median ms)
case           fwd_ms   fwd_TB/s   dgrad_ms   wgrad_ms unwritten
mission         0.500       2.36      0.400      0.600         0
k2s2            0.200       1.94      0.100      0.100         0
  digest y 0123456789abcdef grad_x 0123456789abcdef grad_w 0123456789abcdef
device: NVIDIA H200  dtype: f32  math: exact  reps: 20 (median ms)
case           fwd_ms   fwd_TB/s   dgrad_ms   wgrad_ms unwritten
mission         2.000       0.59      1.000      3.000         0
device: NVIDIA H200  dtype: bf16  math: tf32  layout: cl  reps: 20 (median ms)
case           fwd_ms   fwd_TB/s   dgrad_ms   wgrad_ms unwritten
mission         0.300       2.00      0.200      0.300         0
"""


def _bench(rows):
    return {"results": [dict(case=c, mode=m, **{"pass": p}, ours_ms=v) for c, m, p, v in rows]}


def test_cpp_agreement_parses_and_compares(agreement, tmp_path, capsys):
    cpp = agreement.parse_cpp(CPP)
    # the header without a layout (older binaries) is NCDHW; bf16 channels_last has no bench.py mode; the digest
    # line is not a case
    assert cpp == {("mission", "fp32-tf32"): (0.5, 0.4, 0.6), ("k2s2p0", "fp32-tf32"): (0.2, 0.1, 0.1),
                   ("mission", "fp32-exact"): (2.0, 1.0, 3.0)}
    bench = _bench([("mission", "fp32-tf32", "forward", 0.51), ("mission", "fp32-tf32", "forward+wgrad", 1.21),
                    ("mission", "fp32-tf32", "forward+backward", 1.65), ("k2s2p0", "fp32-tf32", "forward", 0.26),
                    ("mission", "fp32-exact", "forward", 2.0), ("mission", "bf16", "forward", 0.3)])
    rows = agreement.agreement(cpp, agreement.parse_bench(bench))
    got = {(c, m): (rf, rw, rb) for c, m, rf, rw, rb in rows}
    assert set(got) == {("mission", "fp32-tf32"), ("k2s2p0", "fp32-tf32"), ("mission", "fp32-exact")}
    rf, rw, rb = got[("mission", "fp32-tf32")]
    assert rf == pytest.approx(0.51 / 0.5) and rw == pytest.approx(1.21 / 1.1) and rb == pytest.approx(1.65 / 1.5)
    assert got[("mission", "fp32-exact")][1:] == (None, None)  # passes bench.py did not run
    # the command line: k2s2p0's forward (1.3x) is outside 1 +- 0.05, so it fails and names it
    (tmp_path / "cpp.txt").write_text(CPP)
    (tmp_path / "b.json").write_text(json.dumps(bench))
    assert agreement.main([str(tmp_path / "cpp.txt"), str(tmp_path / "b.json")]) == 1
    out = capsys.readouterr().out
    assert "2 of 3 within" in out and "outside: k2s2p0 fp32-tf32 1.300" in out
    assert agreement.main([str(tmp_path / "cpp.txt"), str(tmp_path / "b.json"), "--tol", "0.35"]) == 0


def test_bench_records_the_knobs(bench, monkeypatch):
    """bench.py writes the CUTLASS_CONVT3D_* variables of its run into its JSON (`knobs`), so a result measured with a
    switch or plan knob set is never taken for the defaults'; other variables stay out."""
    for k in [k for k in os.environ if k.startswith("CUTLASS_CONVT3D_")]:
        monkeypatch.delenv(k)
    assert bench.knob_env() == {}
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_VEC16", "1")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_EXACT", "0")
    monkeypatch.setenv("CUTLASS_CONVT3D", "x")  # no trailing underscore: not a knob of the library
    assert bench.knob_env() == {"CUTLASS_CONVT3D_SM90_EXACT": "0", "CUTLASS_CONVT3D_SM90_VEC16": "1"}


def test_cpp_and_python_benchmarks_time_the_same_cases(agreement, bench):
    """convt3d_bench's case table (csrc/bench/convt3d_bench.cu) and bench.py's CASES / DECODER_CASES name the same
    problems (cpp_agreement's CASE_NAMES maps the names): same batch, channels, x extents, kernel, stride, padding,
    output padding and groups, and the decoder cases flagged as such on both sides, so that the two benchmarks'
    times compare like for like (issue 3)."""
    import re

    src = (ROOT / "csrc" / "bench" / "convt3d_bench.cu").read_text()
    table = src[src.index("const Case kCases[]"):]
    table = table[:table.index("};")]
    cpp = {m[0]: (tuple(int(v) for v in m[1].split(",")), bool(m[2]))
           for m in re.findall(r'\{"([^"]+)",\s*([-\d,\s]+?)(?:,\s*(true))?\}', table)}
    py = {c.name: (c, c in bench.DECODER_CASES) for c in bench.CASES + bench.DECODER_CASES}
    assert len(cpp) == len(py) == len(bench.CASES) + len(bench.DECODER_CASES) >= 12
    for name, ((n, cin, cout, d, h, w, k, s, p, op, g), decoder) in cpp.items():
        case, py_decoder = py[agreement.CASE_NAMES[name]]
        assert (case.x_shape, case.cin, case.cout, case.k, case.stride, case.padding, case.output_padding,
                case.groups) == ((n, cin, d, h, w), cin, cout, k, s, p, op, g), name
        assert decoder == py_decoder, name


def test_copy_overlap_probe_needs_a_gpu(monkeypatch, capsys):
    """benchmarks/copy_overlap_probe.py (the stop 63 co-residency probe) says so and fails where there is no CUDA
    device, instead of timing nothing."""
    probe = _load("copy_overlap_probe")
    monkeypatch.setattr(probe.torch.cuda, "is_available", lambda: False)
    assert probe.main([]) == 1
    assert "no CUDA device" in capsys.readouterr().err
