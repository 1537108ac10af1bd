// cutlass_convt3d kernel library: public, torch-free interface.
//
// Four device operators in CUTLASS's style -- can_implement / get_workspace_size / initialize / run --
// over one Arguments struct that holds the tensors of a transposed convolution y = convT(x, w) + bias.
// Each operator reads its inputs among them and writes its result:
//   Forward     x, w, bias -> y
//   GradInput   y (= grad_y), w -> x (= grad_x)
//   GradWeight  x, y (= grad_y) -> w (= grad_w)
//   GradBias    y (= grad_y) -> bias (= grad_bias)
// All work is queued on the given stream of the current device; nothing synchronises.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "convt3d_problem.h"

namespace ct3d {

struct Arguments {
  ConvT3dProblem problem;
  TensorRef5 x;               // (N, Cin, D, H, W)
  TensorRef5 w;               // (Cin, Cout/groups, kD, kH, kW)
  TensorRef5 y;               // (N, Cout, OD, OH, OW)
  void* bias = nullptr;       // (Cout) or null
  int64_t bias_stride = 1;    // the forward takes 1 only (its kernels read the bias densely)
  // y holds values already rounded to TF32 (copy_channels_last with round_tf32): a pass with TF32 products that
  // would round the grad_y it stages may skip that (the phase-GEMM grad_input); the same bits either way
  bool y_tf32_rounded = false;
  // grad_weight only: also write grad_y, dense channels_last, here (TF32-rounded where y_cl_out_rounded), for a
  // grad_input that reads it next (the both-gradients op, grad_weight_writes_gy_cl): the grad_weight GEMM's tile copy
  // writes it from the tiles it stages anyway (one read of grad_y for both copies), any other kernel copies it first
  void* y_cl_out = nullptr;
  bool y_cl_out_rounded = false;
};

enum class Kind { kForward, kGradInput, kGradWeight, kGradBias };

// Checks that `p` is a well-formed transposed convolution (sizes, groups, output extents).
Status check_problem(const ConvT3dProblem& p, std::string* why);

template <Kind K>
class Operator {
 public:
  Status can_implement(const Arguments& args, std::string* why = nullptr) const;
  size_t get_workspace_size(const Arguments& args) const;
  // Records the arguments and does the per-call preparation (weight packing) on `stream`.
  Status initialize(const Arguments& args, void* workspace, cudaStream_t stream, std::string* why = nullptr);
  Status run(cudaStream_t stream, std::string* why = nullptr);
  Status operator()(const Arguments& args, void* workspace, cudaStream_t stream, std::string* why = nullptr) {
    Status s = initialize(args, workspace, stream, why);
    return s == Status::kSuccess ? run(stream, why) : s;
  }

 private:
  Arguments args_{};
  void* workspace_ = nullptr;
};

using Forward = Operator<Kind::kForward>;
using GradInput = Operator<Kind::kGradInput>;
using GradWeight = Operator<Kind::kGradWeight>;
using GradBias = Operator<Kind::kGradBias>;

const char* status_string(Status s);

// Both input gradients of one problem: true where GradInput and GradWeight would each copy grad_y (args.y)
// channels_last into their workspace (the plans' restaging: 2-byte stride-1 problems; grad_input on the row-conv or
// the phase-GEMM, grad_weight on the sm_80 kernel or the tap-GEMM at any kernel).  A caller running both can
// copy it once with copy_channels_last and pass the copy as y; neither operator restages a channels_last y.
bool grad_output_restaged(const Arguments& args);
// Whether that shared copy may be TF32-rounded (fp32 with TF32 products: every reader rounds grad_y to nearest TF32
// anyway, so a rounded copy changes no bit); the caller then sets y_tf32_rounded on the arguments that read it.
bool grad_output_copy_rounds(const Arguments& args);
// Both input gradients where grad_weight runs on the Hopper grad_weight GEMM, whose tile copy can write the
// channels_last grad_y that grad_input would copy for itself (v118, CUTLASS_CONVT3D_SM90_WGEMM_FUSE): the caller
// runs GradWeight first with args.y_cl_out set (a dense channels_last_3d tensor; y_cl_out_rounded as
// grad_output_copy_rounds says), then GradInput with that copy as y (y_tf32_rounded alike).  One read of grad_y.
bool grad_weight_writes_gy_cl(const Arguments& args);
// Both input gradients in one pass over grad_y (v146, CUTLASS_CONVT3D_SM90_FUSED_BWD=1; off by default): args as
// GradWeight's (x the input, w the weight, y grad_y); grad_x and grad_w (shaped as x and w) are written.  Applies to
// fp16 / bf16 NCDHW problems the Hopper grad_input kernel takes in one pass (fused_grad_input_weight says); grad_w's
// chunk sums are reduced in a fixed order (deterministic).
bool fused_grad_input_weight(const Arguments& args);
size_t fused_grad_input_weight_workspace(const Arguments& args);  // (0 where it does not apply)
Status grad_input_weight(const Arguments& args, const TensorRef5& grad_x, const TensorRef5& grad_w, void* workspace,
                         cudaStream_t stream, std::string* why = nullptr);
// Copies src (a 5-D tensor of the problem's dtype) into a dense channels_last_3d tensor at dst; round_tf32 (fp32
// only): its values rounded to nearest TF32 (inf and NaN unchanged).
Status copy_channels_last(const Arguments& args, const TensorRef5& src, void* dst, cudaStream_t stream,
                          std::string* why = nullptr, bool round_tf32 = false);

// Benchmarking knob: caps the row-conv kernels' cp.async pipeline depth (2..4; 0 restores the default, the
// deepest that shared memory allows at full occupancy).  Process-wide; results do not depend on it.
void set_max_pipeline_stages(int stages);

}  // namespace ct3d
