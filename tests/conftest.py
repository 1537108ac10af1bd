import pytest
import torch


def pytest_configure(config):
    config.addinivalue_line("markers", "cuda: needs a CUDA GPU (skipped when torch.cuda.is_available() is False)")
    config.addinivalue_line("markers", "large: allocates > 20 GB of GPU memory (output > 2^31 elements); "
                                       "deselect with -m 'not large'")


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def restore_flags():
    """Restores the global numerics flags a test may change."""
    tf32 = torch.backends.cudnn.allow_tf32
    det = torch.are_deterministic_algorithms_enabled()
    yield
    torch.backends.cudnn.allow_tf32 = tf32
    torch.use_deterministic_algorithms(det)


@pytest.fixture
def hopper_kernels(monkeypatch):
    """For the Hopper kernels' tests: the tap-GEMM and the phase-GEMM, which take short rows over those kernels by
    default, and the grad_weight GEMM pinned off (their own tests check where they run), so a case meant for a
    Hopper kernel reaches it and its comparison with CUTLASS_CONVT3D_SM90*=0 is against the sm_80 kernels."""
    monkeypatch.setenv("CUTLASS_CONVT3D_TAPGEMM", "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_PHASEGEMM", "0")
    monkeypatch.setenv("CUTLASS_CONVT3D_SM90_WGEMM", "0")  # (grad_weight's GEMM, v116: test_hopper_wgemm turns it on)
