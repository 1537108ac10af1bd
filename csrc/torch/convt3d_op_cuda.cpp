// CUDA implementations of the ops: validate (shared with CPU), describe the tensors to the kernel library
// by pointer, sizes and strides (no layout copies), take workspace from PyTorch's caching allocator and
// run on the caller's current stream of the tensors' device.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include "convt3d.h"
#include "convt3d_op.h"

namespace cutlass_convt3d {
namespace {

ct3d::TensorRef5 ref5(const at::Tensor& t) {
  ct3d::TensorRef5 r{};
  r.data = const_cast<void*>(t.data_ptr());
  for (int i = 0; i < 5; ++i) {
    r.size[i] = t.size(i);
    r.stride[i] = t.stride(i);
  }
  return r;
}

template <class Op>
void run_op(const ct3d::Arguments& args, const at::Tensor& like) {
  Op op;
  std::string why;
  ct3d::Status s = op.can_implement(args, &why);
  TORCH_CHECK(s == ct3d::Status::kSuccess, "cutlass_convt3d: ", ct3d::status_string(s), ": ", why);
  const size_t bytes = op.get_workspace_size(args);
  at::Tensor ws = at::empty({int64_t(bytes)}, like.options().dtype(at::kByte));
  s = op(args, bytes ? ws.data_ptr() : nullptr, at::cuda::getCurrentCUDAStream(), &why);
  TORCH_CHECK(s == ct3d::Status::kSuccess, "cutlass_convt3d: ", ct3d::status_string(s), ": ", why);
}

void check_cuda(const at::Tensor& t, const char* name, const at::Tensor& input) {
  TORCH_CHECK(t.is_cuda() && t.device() == input.device(), "cutlass_convt3d: ", name, " must be on ",
              input.device().str(), ", got ", t.device().str());
}

at::Tensor forward_cuda(const at::Tensor& input, const at::Tensor& weight, const c10::optional<at::Tensor>& bias,
                        at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                        int64_t groups, at::IntArrayRef dilation, bool allow_tf32) {
  ConvArgs a = make_args(stride, padding, output_padding, groups, dilation);
  auto out = check_forward(input, weight, bias, a);
  check_cuda(weight, "weight", input);
  c10::cuda::CUDAGuard guard(input.device());
  at::Tensor y = at::empty(out, input.options().memory_format(conv_memory_format(input, weight)));
  if (y.numel() == 0) return y;
  ct3d::Arguments args;
  args.problem = make_problem(input, weight, out, a, allow_tf32);
  args.x = ref5(input);
  args.w = ref5(weight);
  args.y = ref5(y);
  // the kernels read the bias densely: a strided or expanded (stride 0) one is copied first (Cout elements)
  at::Tensor b;
  if (bias.has_value() && bias->defined()) {
    b = bias->contiguous();
    args.bias = const_cast<void*>(b.data_ptr());
    args.bias_stride = 1;
  }
  run_op<ct3d::Forward>(args, input);
  return y;
}

// The backward's shared part: validation and the problem of (grad_output, input, weight)
ct3d::Arguments backward_args(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                              at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                              int64_t groups, at::IntArrayRef dilation, bool allow_tf32) {
  ConvArgs a = make_args(stride, padding, output_padding, groups, dilation);
  check_backward(grad_output, input, weight, a);
  check_cuda(weight, "weight", input);
  ct3d::Arguments args;
  args.problem = make_problem(input, weight, grad_output.sizes(), a, allow_tf32);
  args.x = ref5(input);
  args.w = ref5(weight);
  args.y = ref5(grad_output);
  return args;
}
at::Tensor run_grad_input(ct3d::Arguments args, const at::Tensor& input, const at::Tensor&) {
  at::Tensor gx = at::empty(input.sizes(), input.options().memory_format(input.suggest_memory_format()));
  if (gx.numel() == 0) return gx;
  args.x = ref5(gx);
  run_op<ct3d::GradInput>(args, input);
  return gx;
}
at::Tensor run_grad_weight(ct3d::Arguments args, const at::Tensor& input, const at::Tensor& weight) {
  at::Tensor gw = at::empty(weight.sizes(), weight.options().memory_format(at::MemoryFormat::Contiguous));
  args.w = ref5(gw);
  run_op<ct3d::GradWeight>(args, input);
  return gw;
}

// One input gradient (Run: run_grad_input or run_grad_weight), on the inputs' device
template <at::Tensor (*Run)(ct3d::Arguments, const at::Tensor&, const at::Tensor&)>
at::Tensor grad_cuda(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                     at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding, int64_t groups,
                     at::IntArrayRef dilation, bool allow_tf32) {
  ct3d::Arguments args = backward_args(grad_output, input, weight, stride, padding, output_padding, groups, dilation,
                                       allow_tf32);
  c10::cuda::CUDAGuard guard(input.device());
  return Run(args, input, weight);
}

// Both gradients: where each kernel would restage grad_output channels_last (the library says), it is copied
// once here and both read the copy (H200, k3s1 bf16: one ~0.045 ms copy fewer per backward); where grad_weight runs on
// the Hopper grad_weight GEMM and grad_input would copy it, that GEMM's copy writes it (one read of grad_output).
std::tuple<at::Tensor, at::Tensor> grad_input_weight_cuda(const at::Tensor& grad_output, const at::Tensor& input,
                                                          const at::Tensor& weight, at::IntArrayRef stride,
                                                          at::IntArrayRef padding, at::IntArrayRef output_padding,
                                                          int64_t groups, at::IntArrayRef dilation, bool allow_tf32) {
  ct3d::Arguments args = backward_args(grad_output, input, weight, stride, padding, output_padding, groups, dilation,
                                       allow_tf32);
  c10::cuda::CUDAGuard guard(input.device());
  // v146 (CUTLASS_CONVT3D_SM90_FUSED_BWD=1): both in one pass over grad_output, where that kernel takes the problem
  // (grad_input NCDHW, as an NCDHW input suggests)
  const size_t bytes = input.numel() > 0 && input.suggest_memory_format() == at::MemoryFormat::Contiguous
                           ? ct3d::fused_grad_input_weight_workspace(args)  // (0: it does not take the problem)
                           : 0;
  if (bytes > 0) {
    at::Tensor gx = at::empty(input.sizes(), input.options().memory_format(at::MemoryFormat::Contiguous));
    at::Tensor gw = at::empty(weight.sizes(), weight.options().memory_format(at::MemoryFormat::Contiguous));
    at::Tensor ws = at::empty({int64_t(bytes)}, input.options().dtype(at::kByte));
    std::string why;
    ct3d::Status s = ct3d::grad_input_weight(args, ref5(gx), ref5(gw), ws.data_ptr(), at::cuda::getCurrentCUDAStream(),
                                             &why);
    TORCH_CHECK(s == ct3d::Status::kSuccess, "cutlass_convt3d: ", ct3d::status_string(s), ": ", why);
    return {gx, gw};
  }
  at::Tensor gy_cl;  // kept alive until both kernels are queued (the allocator then orders its reuse by stream)
  if (input.numel() > 0 && ct3d::grad_weight_writes_gy_cl(args)) {  // grad_weight first, writing grad_input's copy
    gy_cl = at::empty(grad_output.sizes(), grad_output.options().memory_format(at::MemoryFormat::ChannelsLast3d));
    const bool round = ct3d::grad_output_copy_rounds(args);
    args.y_cl_out = gy_cl.data_ptr();
    args.y_cl_out_rounded = round;
    at::Tensor gw = run_grad_weight(args, input, weight);
    args.y_cl_out = nullptr;
    args.y = ref5(gy_cl);
    args.y_tf32_rounded = round;
    return {run_grad_input(args, input, weight), gw};
  }
  if (input.numel() > 0 && ct3d::grad_output_restaged(args)) {
    gy_cl = at::empty(grad_output.sizes(), grad_output.options().memory_format(at::MemoryFormat::ChannelsLast3d));
    std::string why;
    // (fp32 with TF32 products: the copy rounds, as each reader would, and grad_input then skips its own rounding)
    const bool round = ct3d::grad_output_copy_rounds(args);
    ct3d::Status s = ct3d::copy_channels_last(args, args.y, gy_cl.data_ptr(), at::cuda::getCurrentCUDAStream(), &why,
                                              round);
    TORCH_CHECK(s == ct3d::Status::kSuccess, "cutlass_convt3d: ", ct3d::status_string(s), ": ", why);
    args.y = ref5(gy_cl);
    args.y_tf32_rounded = round;
  }
  return {run_grad_input(args, input, weight), run_grad_weight(args, input, weight)};
}

at::Tensor grad_bias_cuda(const at::Tensor& grad_output) {
  TORCH_CHECK(grad_output.dim() == 5, "cutlass_convt3d: grad_output must be 5-D, got ",
              std::to_string(grad_output.dim()), " dimensions");
  TORCH_CHECK(at::isFloatingType(grad_output.scalar_type()), "cutlass_convt3d: grad_output must be floating point");
  c10::cuda::CUDAGuard guard(grad_output.device());
  at::Tensor gb = at::empty({grad_output.size(1)}, grad_output.options());
  if (gb.numel() == 0) return gb;
  ct3d::Arguments args;
  ct3d::ConvT3dProblem& p = args.problem;
  p.Cout = int(grad_output.size(1));
  switch (grad_output.scalar_type()) {
    case at::kFloat: p.dtype = ct3d::DType::kF32; break;
    case at::kHalf: p.dtype = ct3d::DType::kF16; break;
    case at::kBFloat16: p.dtype = ct3d::DType::kBF16; break;
    case at::kDouble: p.dtype = ct3d::DType::kF64; break;
    default: TORCH_CHECK(false, "cutlass_convt3d: unsupported dtype ", c10::toString(grad_output.scalar_type()));
  }
  args.y = ref5(grad_output);
  args.bias = gb.data_ptr();
  args.bias_stride = 1;
  run_op<ct3d::GradBias>(args, grad_output);
  return gb;
}

}  // namespace

TORCH_LIBRARY_IMPL(cutlass_convt3d, CUDA, m) {
  m.impl("conv_transpose3d", &forward_cuda);
  m.impl("conv_transpose3d_grad_input", &grad_cuda<run_grad_input>);
  m.impl("conv_transpose3d_grad_weight", &grad_cuda<run_grad_weight>);
  m.impl("conv_transpose3d_grad_input_weight", &grad_input_weight_cuda);
  m.impl("conv_transpose3d_grad_bias", &grad_bias_cuda);
}

}  // namespace cutlass_convt3d
