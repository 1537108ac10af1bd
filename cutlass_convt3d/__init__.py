"""cutlass_convt3d: a CUTLASS-based CUDA implementation of torch.nn.ConvTranspose3d (forward and backward).

Public API:
    conv_transpose3d  -- drop-in for torch.nn.functional.conv_transpose3d
    ConvTranspose3d   -- drop-in for torch.nn.ConvTranspose3d (same constructor, parameters, state_dict)
    ModelNew          -- drop-in for the reference ``Model`` (see ``cutlass_convt3d.reference``)

CUDA tensors run this package's kernels; CPU tensors run PyTorch's own implementation.
"""
import importlib as _importlib
import importlib.machinery as _machinery
import os as _os
import sys as _sys

import torch as _torch  # noqa: F401  (loads libtorch, which _C links against)

__version__ = "0.1.0"


def _installed_package_dirs():
    """Other copies of this package on sys.path that hold the compiled extension.

    Running ``python -m cutlass_convt3d`` from the repository root imports the source tree (no ``_C``
    in it) ahead of the installed package; extending ``__path__`` lets ``_C`` come from the install.
    """
    here = _os.path.realpath(_os.path.dirname(__file__))
    for entry in _sys.path:
        d = _os.path.realpath(_os.path.join(entry or _os.getcwd(), __name__))
        if d == here or not _os.path.isdir(d):
            continue
        if any(_os.path.isfile(_os.path.join(d, "_C" + s)) for s in _machinery.EXTENSION_SUFFIXES):
            yield d


try:
    # Loading the extension registers the torch.ops.cutlass_convt3d.* operators (TORCH_LIBRARY).
    from . import _C  # noqa: F401
except ImportError as _first_error:
    _loaded = False
    for _d in _installed_package_dirs():
        __path__.append(_d)
        try:
            _importlib.import_module(__name__ + "._C")
            _loaded = True
            break
        except ImportError:
            __path__.remove(_d)
    if not _loaded:
        raise ImportError(
            "cutlass_convt3d: the compiled extension cutlass_convt3d._C could not be imported "
            f"({_first_error}). Build and install the package from the repository root with\n"
            "    pip install torch scikit-build-core ninja cmake && pip install --no-deps nvidia-cutlass\n"
            "    pip install --no-build-isolation .\n"
            "(a CPU-only build is made automatically when the installed torch has no CUDA)."
        ) from _first_error

from . import _ops  # noqa: E402,F401  (fake impls + autograd registrations)
from ._ops import conv_transpose3d  # noqa: E402
from .modules import ConvTranspose3d, ModelNew  # noqa: E402

__all__ = ["conv_transpose3d", "ConvTranspose3d", "ModelNew", "__version__"]
