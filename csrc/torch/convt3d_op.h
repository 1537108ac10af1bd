// Op layer shared by the CPU and CUDA implementations: argument validation (one place, so both devices
// raise the same errors) and the translation of ATen tensors into the kernel library's problem.
#pragma once
#include <ATen/ATen.h>

#include <array>

#include "convt3d_problem.h"

namespace cutlass_convt3d {

struct ConvArgs {
  std::array<int64_t, 3> stride, padding, output_padding, dilation;
  int64_t groups;
};

ConvArgs make_args(at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding, int64_t groups,
                   at::IntArrayRef dilation);

// Validates a forward call the way torch.nn.functional.conv_transpose3d does (same conditions), with
// messages that name the parameter.  Returns the output size.
std::vector<int64_t> check_forward(const at::Tensor& input, const at::Tensor& weight,
                                   const c10::optional<at::Tensor>& bias, const ConvArgs& a);

// Validates a backward call: grad_output must have the forward's output shape.
void check_backward(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                    const ConvArgs& a);

// Problem descriptor for the kernels (sizes from input and weight, output extents from out_size).
ct3d::ConvT3dProblem make_problem(const at::Tensor& input, const at::Tensor& weight, at::IntArrayRef out_size,
                                  const ConvArgs& a, bool allow_tf32);

// PyTorch's choice of output layout for a convolution: channels_last_3d if input or weight is.
at::MemoryFormat conv_memory_format(const at::Tensor& input, const at::Tensor& weight);

}  // namespace cutlass_convt3d
