"""nn.Module front ends: ConvTranspose3d (drop-in for torch.nn.ConvTranspose3d) and ModelNew (drop-in for
the reference Model in cutlass_convt3d.reference)."""
from typing import List, Optional

import torch.nn as nn
from torch import Tensor

from ._ops import conv_transpose3d

__all__ = ["ConvTranspose3d", "ModelNew"]


class ConvTranspose3d(nn.ConvTranspose3d):
    """torch.nn.ConvTranspose3d computed by cutlass_convt3d.

    Only ``forward`` is overridden: constructor, parameters, their initialisation, ``state_dict`` and the
    error for ``padding_mode != 'zeros'`` are torch's own.
    """

    def forward(self, input: Tensor, output_size: Optional[List[int]] = None) -> Tensor:
        if self.padding_mode != "zeros":
            raise ValueError("Only `zeros` padding mode is supported for ConvTranspose3d")
        output_padding = self._output_padding(
            input, output_size, self.stride, self.padding, self.kernel_size, 3, self.dilation)
        return conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)


class ModelNew(nn.Module):
    """Drop-in for the reference ``Model``: same arguments bound the same way, same parameters and
    state_dict keys, same weights under the same seed.

    As in the reference, ``output_padding`` is accepted and not used, and ``groups`` is the seventh
    positional argument (so ``ModelNew(*get_init_inputs())`` computes groups=1, output_padding=0).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, output_padding: int = 0, groups: int = 1, bias: bool = False):
        super().__init__()
        self.conv_transpose3d = ConvTranspose3d(
            in_channels, out_channels, kernel_size=(kernel_size, kernel_size, kernel_size),
            stride=stride, padding=padding, groups=groups, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv_transpose3d(x)
