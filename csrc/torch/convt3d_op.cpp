// Op schema (TORCH_LIBRARY), shared validation, the CPU implementations (PyTorch's own kernels) and the CPU
// plan emulators: float64 executions of the CUDA kernels' tile/phase/step plan, built from the same
// header (convt3d_problem.h), so the index math the GPU runs is tested where no GPU exists.
#include "convt3d_op.h"

#include <torch/library.h>

#include <Python.h>

#include <climits>
#include <sstream>

namespace cutlass_convt3d {

namespace {
// Numbers are formatted with std::to_string, not std::ostream: on one PyTorch 2.11 image, formatting an
// integer through an ostream inside this library crashed the process, while strings were fine.
std::string num(int64_t v) { return std::to_string(v); }
std::string shape(at::IntArrayRef v) {
  std::string r = "[";
  for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + std::to_string(v[i]);
  return r + "]";
}
std::string dtype_name(at::ScalarType t) { return c10::toString(t); }

std::array<int64_t, 3> triple(at::IntArrayRef v, const char* name) {
  TORCH_CHECK(v.size() == 3 || v.size() == 1, "cutlass_convt3d: ", name, " must have 1 or 3 elements, got ",
              num(int64_t(v.size())));
  return v.size() == 1 ? std::array<int64_t, 3>{v[0], v[0], v[0]} : std::array<int64_t, 3>{v[0], v[1], v[2]};
}
}  // namespace

ConvArgs make_args(at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding, int64_t groups,
                   at::IntArrayRef dilation) {
  return ConvArgs{triple(stride, "stride"), triple(padding, "padding"), triple(output_padding, "output_padding"),
                  triple(dilation, "dilation"), groups};
}

at::MemoryFormat conv_memory_format(const at::Tensor& input, const at::Tensor& weight) {
  auto cl = at::MemoryFormat::ChannelsLast3d;
  if (input.suggest_memory_format() == cl || weight.suggest_memory_format() == cl) return cl;
  return at::MemoryFormat::Contiguous;
}

namespace {
// First problem with a forward call's arguments, or "" (no exception is thrown from here: check_forward
// throws once, with this message).
std::string forward_error(const at::Tensor& input, const at::Tensor& weight, const c10::optional<at::Tensor>& bias,
                          const ConvArgs& a) {
  auto msg = [](auto&&... parts) { return c10::str("cutlass_convt3d: ", parts...); };
  if (input.dim() != 5) return msg("expected 5-D input (N, C, D, H, W), got input of dimension ", num(input.dim()));
  if (weight.dim() != 5)
    return msg("expected 5-D weight (Cin, Cout/groups, kD, kH, kW), got weight of dimension ", num(weight.dim()));
  const auto dt = input.scalar_type();
  if (dt != at::kFloat && dt != at::kHalf && dt != at::kBFloat16 && dt != at::kDouble)
    return msg("input dtype ", dtype_name(dt), " is not supported (float32, float16, bfloat16, float64)");
  if (dt != weight.scalar_type())
    return msg("input dtype (", dtype_name(dt), ") and weight dtype (", dtype_name(weight.scalar_type()), ") should be the same");
  if (input.device() != weight.device())
    return msg("input (", input.device().str(), ") and weight (", weight.device().str(), ") must be on the same device");
  if (a.groups <= 0) return msg("non-positive groups is not supported (groups=", num(a.groups), ")");
  for (int d = 0; d < 3; ++d) {
    if (a.stride[d] <= 0) return msg("non-positive stride is not supported (stride=", num(a.stride[d]), ")");
    if (a.dilation[d] <= 0) return msg("dilation should be greater than zero (dilation=", num(a.dilation[d]), ")");
    if (a.padding[d] < 0) return msg("negative padding is not supported (padding=", num(a.padding[d]), ")");
    if (a.output_padding[d] < 0) return msg("negative output_padding is not supported");
    if (a.output_padding[d] >= a.stride[d] && a.output_padding[d] >= a.dilation[d])
      return msg("output_padding (", num(a.output_padding[d]), ") must be smaller than either stride or dilation");
  }
  const int64_t cin = weight.size(0);
  if (cin % a.groups != 0)
    return msg("weight.size(0) (in_channels=", num(cin), ") must be divisible by groups (", num(a.groups), ")");
  if (input.size(1) != cin)
    return msg("input has ", num(input.size(1)), " channels but weight expects in_channels=", num(cin), " (weight.size(0))");
  if (weight.size(1) <= 0 || weight.size(2) <= 0 || weight.size(3) <= 0 || weight.size(4) <= 0)
    return msg("weight must have non-zero out_channels/groups and kernel_size, got ", shape(weight.sizes()));
  for (int d = 1; d < 5; ++d)
    if (input.size(d) <= 0)
      return msg("expected input to have non-zero size for non-batch dimensions, got ", shape(input.sizes()));
  const int64_t cout = weight.size(1) * a.groups;
  if (bias.has_value() && bias->defined()) {
    if (bias->dim() != 1 || bias->size(0) != cout)
      return msg("bias must have shape (", num(cout), ",) = (out_channels,), got ", shape(bias->sizes()));
    if (bias->scalar_type() != dt)
      return msg("bias dtype (", dtype_name(bias->scalar_type()), ") should be the same as input dtype (", dtype_name(dt), ")");
    if (bias->device() != input.device()) return msg("bias must be on the input's device");
  }
  for (int d = 0; d < 3; ++d) {
    const int64_t o = (input.size(d + 2) - 1) * a.stride[d] - 2 * a.padding[d] +
                      a.dilation[d] * (weight.size(d + 2) - 1) + 1 + a.output_padding[d];
    if (o <= 0)
      return msg("computed output size is too small: dimension ", num(d + 2), " would be ", num(o), " (input ", shape(input.sizes()),
                 ", kernel ", shape(weight.sizes()), ", padding ", num(a.padding[d]), ")");
    if (o > INT32_MAX || input.size(d + 2) > INT32_MAX) return msg("spatial extents must be < 2^31");
  }
  return "";
}
}  // namespace

std::vector<int64_t> check_forward(const at::Tensor& input, const at::Tensor& weight,
                                   const c10::optional<at::Tensor>& bias, const ConvArgs& a) {
  const std::string err = forward_error(input, weight, bias, a);
  TORCH_CHECK(err.empty(), err);
  std::vector<int64_t> out{input.size(0), weight.size(1) * a.groups};
  for (int d = 0; d < 3; ++d)
    out.push_back((input.size(d + 2) - 1) * a.stride[d] - 2 * a.padding[d] + a.dilation[d] * (weight.size(d + 2) - 1) +
                  1 + a.output_padding[d]);
  return out;
}

void check_backward(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                    const ConvArgs& a) {
  auto out = check_forward(input, weight, c10::nullopt, a);
  TORCH_CHECK(grad_output.sizes() == at::IntArrayRef(out), "cutlass_convt3d: grad_output has shape ",
              shape(grad_output.sizes()), " but the forward output has shape ", shape(out));
  TORCH_CHECK(grad_output.scalar_type() == input.scalar_type(), "cutlass_convt3d: grad_output dtype (",
              dtype_name(grad_output.scalar_type()), ") should match input dtype (", dtype_name(input.scalar_type()), ")");
  TORCH_CHECK(grad_output.device() == input.device(), "cutlass_convt3d: grad_output must be on the input's device");
}

ct3d::ConvT3dProblem make_problem(const at::Tensor& input, const at::Tensor& weight, at::IntArrayRef out_size,
                                  const ConvArgs& a, bool allow_tf32) {
  ct3d::ConvT3dProblem p{};
  p.N = input.size(0);
  p.Cin = int(weight.size(0));
  p.groups = int(a.groups);
  p.Cout = int(weight.size(1) * a.groups);
  for (int d = 0; d < 3; ++d) {
    p.in[d] = int(input.size(d + 2));
    p.out[d] = int(out_size[d + 2]);
    p.k[d] = int(weight.size(d + 2));
    p.stride[d] = int(a.stride[d]);
    p.pad[d] = int(a.padding[d]);
    p.dil[d] = int(a.dilation[d]);
  }
  switch (input.scalar_type()) {
    case at::kFloat: p.dtype = ct3d::DType::kF32; break;
    case at::kHalf: p.dtype = ct3d::DType::kF16; break;
    case at::kBFloat16: p.dtype = ct3d::DType::kBF16; break;
    case at::kDouble: p.dtype = ct3d::DType::kF64; break;
    default: TORCH_CHECK(false, "cutlass_convt3d: unsupported dtype ", dtype_name(input.scalar_type()));
  }
  p.math = allow_tf32 ? ct3d::Math::kTF32 : ct3d::Math::kExact;
  return p;
}

namespace {

// ------------------------------------------------------------------------------------------ CPU impls
at::Tensor forward_cpu(const at::Tensor& input, const at::Tensor& weight, const c10::optional<at::Tensor>& bias,
                       at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                       int64_t groups, at::IntArrayRef dilation, bool allow_tf32) {
  (void)allow_tf32;  // the CPU has no TF32
  ConvArgs a = make_args(stride, padding, output_padding, groups, dilation);
  check_forward(input, weight, bias, a);
  // PyTorch's CPU kernels pick layouts of their own; return the ones the CUDA path and the fake impls promise
  return at::conv_transpose3d(input, weight, bias, a.stride, a.padding, a.output_padding, a.groups, a.dilation)
      .contiguous(conv_memory_format(input, weight));
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> backward_cpu(const at::Tensor& grad_output, const at::Tensor& input,
                                                            const at::Tensor& weight, const ConvArgs& a,
                                                            std::array<bool, 3> mask) {
  check_backward(grad_output, input, weight, a);
  return at::convolution_backward(grad_output, input, weight, c10::nullopt, a.stride, a.padding, a.dilation,
                                  /*transposed=*/true, a.output_padding, a.groups, mask);
}

at::Tensor grad_input_cpu(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                          at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                          int64_t groups, at::IntArrayRef dilation, bool) {
  auto a = make_args(stride, padding, output_padding, groups, dilation);
  return std::get<0>(backward_cpu(grad_output, input, weight, a, {true, false, false}))
      .contiguous(input.suggest_memory_format());
}

at::Tensor grad_weight_cpu(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                           at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                           int64_t groups, at::IntArrayRef dilation, bool) {
  auto a = make_args(stride, padding, output_padding, groups, dilation);
  return std::get<1>(backward_cpu(grad_output, input, weight, a, {false, true, false})).contiguous();
}

std::tuple<at::Tensor, at::Tensor> grad_input_weight_cpu(const at::Tensor& grad_output, const at::Tensor& input,
                                                         const at::Tensor& weight, at::IntArrayRef stride,
                                                         at::IntArrayRef padding, at::IntArrayRef output_padding,
                                                         int64_t groups, at::IntArrayRef dilation, bool) {
  auto a = make_args(stride, padding, output_padding, groups, dilation);
  auto g = backward_cpu(grad_output, input, weight, a, {true, true, false});
  return {std::get<0>(g).contiguous(input.suggest_memory_format()), std::get<1>(g).contiguous()};
}

at::Tensor grad_bias_impl(const at::Tensor& grad_output) {
  TORCH_CHECK(grad_output.dim() == 5, "cutlass_convt3d: grad_output must be 5-D, got ", shape(grad_output.sizes()));
  return grad_output.sum({0, 2, 3, 4});
}

// ------------------------------------------------------------------------------------------ plan emulators
// Runs the row-conv kernel's plan on the CPU: same grid decomposition, same steps, same slab planes and
// column offsets, same epilogue mapping.  src/dst are float64 contiguous NCDHW.
void emulate_rows(const at::Tensor& src, at::Tensor& dst, const at::Tensor& wpack, const double* bias,
                  const ct3d::DimMap& md, const ct3d::DimMap& mh, const ct3d::DimMap& mw, int groups, int Kc,
                  int Nc) {
  using ct3d::Tiles;
  const int nph = mw.E == 1 ? 1 : 2;
  const int BQ = Tiles::BQ, BN = Tiles::row_bn(Nc, nph), BK = Tiles::BK, KWC = Tiles::KWC;
  const int ph_groups = (mw.E + nph - 1) / nph;
  const int q_blocks = int((mw.num_q(0) + BQ - 1) / BQ);
  const int n_blocks = (Nc + BN - 1) / BN;
  const int A = mw.A, taps = md.K * mh.K * mw.K;
  auto S = src.accessor<double, 5>();
  auto Dst = dst.accessor<double, 5>();
  const double* W = wpack.data_ptr<double>();
  const int64_t N = dst.size(0), OD = dst.size(2), OH = dst.size(3), OW = dst.size(4);
  std::vector<double> acc, slab;
  // the kernel's grid decomposition, with the plan's divisors: blockIdx.x = (row * ph_groups + pg) * q_blocks + qb
  const ct3d::FastDiv div_q = ct3d::FastDiv::make(q_blocks), div_ph = ct3d::FastDiv::make(ph_groups),
                      div_oh = ct3d::FastDiv::make(int(OH)), div_od = ct3d::FastDiv::make(int(OD));
  const int64_t blocks = N * OD * OH * ph_groups * q_blocks;
  TORCH_CHECK(blocks < INT_MAX, "plan emulator: too many CTAs");
  for (int bx = 0; bx < int(blocks); ++bx)
    for (int nb = 0; nb < n_blocks; ++nb)
      for (int g = 0; g < groups; ++g) {
        int qb, pg, od, oh;
        const int row = div_ph.divmod(div_q.divmod(bx, qb), pg);
        const int64_t n = div_od.divmod(div_oh.divmod(row, oh), od);
        const int rho0 = pg * nph;
        const int64_t q0 = int64_t(qb) * BQ;
        acc.assign(size_t(nph) * BQ * BN, 0.0);
        const uint32_t kw_mask = ct3d::kw_block_mask(mw, rho0, nph);
        ct3d::RowSteps steps;
        const ct3d::RowStep& s = steps.s;
        for (bool ok = steps.start(ct3d::tap_range(md, int(od)), ct3d::tap_range(mh, int(oh)), mw, kw_mask); ok;
             ok = steps.next(md, mh, mw, Kc)) {
          const ct3d::SlabGeom geom = ct3d::slab_geom(mw, rho0, nph, s.kw0, KWC);
          const int LDJ = BQ + geom.jmax;
          const int64_t i0 = A * q0 + geom.base;
          const int ecnt = A * LDJ;
          slab.assign(size_t(BK) * geom.nplanes * LDJ, std::nan(""));
          for (int c = 0; c < BK; ++c)
            for (int e = 0; e < ecnt; ++e) {
              const int j = e / A, plane = geom.plane_fast(e % A);
              if (plane < 0) continue;
              const int64_t i = i0 + e;
              const int ch = s.c0 + c;
              const bool inb = ch < Kc && i >= 0 && i < src.size(4);
              slab[(size_t(c) * geom.nplanes + plane) * LDJ + j] =
                  inb ? S[n][int64_t(g) * Kc + ch][s.id][s.ih][i] : 0.0;
            }
          for (int rl = 0; rl < nph; ++rl) {
            const int rho = rho0 + rl;
            for (int kwl = 0; kwl < KWC; ++kwl) {
              const int kw = s.kw0 + kwl;
              int d;
              if (rho >= mw.E || kw >= mw.K || !mw.delta(rho, kw, d)) continue;
              const int rel = d - geom.base;
              const int j0 = rel / A, plane = geom.plane_fast(rel % A);
              TORCH_CHECK(plane >= 0 && j0 + BQ <= LDJ, "plan emulator: tap outside its slab");
              const int tap = (s.kd * mh.K + s.kh) * mw.K + kw;
              for (int c = 0; c < BK && s.c0 + c < Kc; ++c)
                for (int nn = 0; nn < BN && nb * BN + nn < Nc; ++nn) {
                  const double w = W[((int64_t(g) * taps + tap) * Kc + s.c0 + c) * Nc + nb * BN + nn];
                  for (int m = 0; m < BQ; ++m)
                    acc[(size_t(rl) * BQ + m) * BN + nn] +=
                        slab[(size_t(c) * geom.nplanes + plane) * LDJ + j0 + m] * w;
                }
            }
          }
        }
        for (int col = 0; col < nph * BQ; ++col) {
          const int rho = rho0 + col % nph;
          const int64_t o = int64_t(mw.E) * (q0 + col / nph) + rho;
          if (rho >= mw.E || o >= OW) continue;
          for (int nn = 0; nn < BN && nb * BN + nn < Nc; ++nn) {
            const int64_t ch = int64_t(g) * Nc + nb * BN + nn;
            double v = acc[(size_t(col % nph) * BQ + col / nph) * BN + nn];
            if (bias) v += bias[ch];
            TORCH_CHECK(std::isnan(Dst[n][ch][od][oh][o]), "plan emulator: output written twice");
            Dst[n][ch][od][oh][o] = v;
          }
        }
      }
}

// Packs weight (Cin, Cout_g, k...) to [G][taps][K][N] like pack_weight_kernel.
at::Tensor pack_weight(const at::Tensor& w, int64_t groups, bool kn_is_cout_cin) {
  const int64_t cin = w.size(0), cout_g = w.size(1), cin_g = cin / groups;
  auto v = w.reshape({groups, cin_g, cout_g, -1});           // g, ci, co, tap
  v = kn_is_cout_cin ? v.permute({0, 3, 2, 1}) : v.permute({0, 3, 1, 2});
  return v.contiguous();
}

struct EmuInputs {
  ConvArgs a;
  ct3d::ConvT3dProblem p;
  std::vector<int64_t> out;
};

EmuInputs emu_setup(const at::Tensor& input, const at::Tensor& weight, at::IntArrayRef stride,
                    at::IntArrayRef padding, at::IntArrayRef output_padding, int64_t groups,
                    at::IntArrayRef dilation) {
  EmuInputs e;
  e.a = make_args(stride, padding, output_padding, groups, dilation);
  e.out = check_forward(input, weight, c10::nullopt, e.a);
  e.p = make_problem(input, weight, e.out, e.a, false);
  return e;
}

at::Tensor emulate_forward(const at::Tensor& input, const at::Tensor& weight, const c10::optional<at::Tensor>& bias,
                           at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                           int64_t groups, at::IntArrayRef dilation) {
  auto e = emu_setup(input, weight, stride, padding, output_padding, groups, dilation);
  check_forward(input, weight, bias, e.a);
  auto x = input.to(at::kDouble).contiguous();
  auto wp = pack_weight(weight.to(at::kDouble), groups, false);
  auto y = at::full(e.out, std::nan(""), x.options());
  at::Tensor b;
  if (bias.has_value() && bias->defined()) b = bias->to(at::kDouble).contiguous();
  emulate_rows(x, y, wp, b.defined() ? b.data_ptr<double>() : nullptr, e.p.fwd(0), e.p.fwd(1), e.p.fwd(2), e.p.groups,
               e.p.cin_g(), e.p.cout_g());
  return y;
}

at::Tensor emulate_grad_input(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                              at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                              int64_t groups, at::IntArrayRef dilation) {
  auto e = emu_setup(input, weight, stride, padding, output_padding, groups, dilation);
  check_backward(grad_output, input, weight, e.a);
  auto gy = grad_output.to(at::kDouble).contiguous();
  auto wp = pack_weight(weight.to(at::kDouble), groups, true);
  auto gx = at::full(input.sizes(), std::nan(""), gy.options());
  emulate_rows(gy, gx, wp, nullptr, e.p.dgrad(0), e.p.dgrad(1), e.p.dgrad(2), e.p.groups, e.p.cout_g(),
               e.p.cin_g());
  return gx;
}

// The weight-gradient kernel's plan: chunked rows, per (kd, kh) the valid rows, w blocks of WQ, the gy slab
// in residue planes, then chunk partials summed in order.
at::Tensor emulate_grad_weight(const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
                               at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                               int64_t groups, at::IntArrayRef dilation) {
  using ct3d::Tiles;
  auto e = emu_setup(input, weight, stride, padding, output_padding, groups, dilation);
  check_backward(grad_output, input, weight, e.a);
  auto X = input.to(at::kDouble).contiguous();
  auto GY = grad_output.to(at::kDouble).contiguous();
  auto x = X.accessor<double, 5>();
  auto gy = GY.accessor<double, 5>();
  const auto& p = e.p;
  const ct3d::DimMap md = p.dgrad(0), mh = p.dgrad(1), mw = p.dgrad(2);
  const int A = mw.A, WQ = Tiles::WQ, KWC = Tiles::KWC;
  const int64_t D = X.size(2), H = X.size(3), W = X.size(4), rows = X.size(0) * D * H;
  const int chunks = int(std::max<int64_t>(1, std::min<int64_t>(7, rows)));  // any fixed split; the GPU picks by SM count
  auto gw = at::zeros(weight.sizes(), X.options());
  auto G = gw.accessor<double, 5>();
  for (int chunk = 0; chunk < chunks; ++chunk)
    for (int kd = 0; kd < md.K; ++kd)
      for (int kh = 0; kh < mh.K; ++kh)
        for (int kw0 = 0; kw0 < mw.K; kw0 += KWC) {
          const ct3d::SlabGeom geom = ct3d::slab_geom(mw, 0, 1, kw0, KWC);
          const int LDJ = WQ + geom.jmax;
          for (int64_t r = rows * chunk / chunks; r < rows * (chunk + 1) / chunks; ++r) {
            const int ih = int(r % H), id = int((r / H) % D);
            const int64_t n = r / (H * D);
            int od, oh;
            if (!md.tap(id, kd, od) || !mh.tap(ih, kh, oh)) continue;
            for (int64_t q0 = 0; q0 < W; q0 += WQ) {
              const int64_t i0 = A * q0 + geom.base;
              for (int kwl = 0; kwl < KWC && kw0 + kwl < mw.K; ++kwl) {
                int d;
                mw.delta(0, kw0 + kwl, d);
                const int rel = d - geom.base;
                const int j0 = rel / A, plane = geom.plane_fast(rel % A);
                TORCH_CHECK(plane >= 0 && j0 + WQ <= LDJ, "plan emulator: tap outside its slab");
                for (int k = 0; k < WQ && q0 + k < W; ++k) {
                  // column j = j0 + k of plane `plane` holds slab element e = A*(j0+k) + res
                  const int64_t ow = i0 + int64_t(A) * (j0 + k) + geom.res[plane];
                  if (ow < 0 || ow >= GY.size(4)) continue;
                  for (int g = 0; g < p.groups; ++g)
                    for (int ci = 0; ci < p.cin_g(); ++ci)
                      for (int co = 0; co < p.cout_g(); ++co)
                        G[int64_t(g) * p.cin_g() + ci][co][kd][kh][kw0 + kwl] +=
                            x[n][int64_t(g) * p.cin_g() + ci][id][ih][q0 + k] *
                            gy[n][int64_t(g) * p.cout_g() + co][od][oh][ow];
                }
              }
            }
          }
        }
  return gw;
}

}  // namespace

TORCH_LIBRARY(cutlass_convt3d, m) {
  m.def(
      "conv_transpose3d(Tensor input, Tensor weight, Tensor? bias, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation, bool allow_tf32) -> Tensor");
  m.def(
      "conv_transpose3d_grad_input(Tensor grad_output, Tensor input, Tensor weight, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation, bool allow_tf32) -> Tensor");
  m.def(
      "conv_transpose3d_grad_weight(Tensor grad_output, Tensor input, Tensor weight, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation, bool allow_tf32) -> Tensor");
  // both input gradients from one call (the backward when autograd needs both): grad_output is read as one
  // layout by both kernels, so a copy that each would make is made once
  m.def(
      "conv_transpose3d_grad_input_weight(Tensor grad_output, Tensor input, Tensor weight, int[3] stride, "
      "int[3] padding, int[3] output_padding, int groups, int[3] dilation, bool allow_tf32) -> (Tensor, Tensor)");
  m.def("conv_transpose3d_grad_bias(Tensor grad_output) -> Tensor");
  m.def(
      "_emulate_forward(Tensor input, Tensor weight, Tensor? bias, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation) -> Tensor");
  m.def(
      "_emulate_grad_input(Tensor grad_output, Tensor input, Tensor weight, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation) -> Tensor");
  m.def(
      "_emulate_grad_weight(Tensor grad_output, Tensor input, Tensor weight, int[3] stride, int[3] padding, "
      "int[3] output_padding, int groups, int[3] dilation) -> Tensor");
}

TORCH_LIBRARY_IMPL(cutlass_convt3d, CPU, m) {
  m.impl("conv_transpose3d", &forward_cpu);
  m.impl("conv_transpose3d_grad_input", &grad_input_cpu);
  m.impl("conv_transpose3d_grad_weight", &grad_weight_cpu);
  m.impl("conv_transpose3d_grad_input_weight", &grad_input_weight_cpu);
  m.impl("conv_transpose3d_grad_bias", &grad_bias_impl);
  m.impl("_emulate_forward", &emulate_forward);
  m.impl("_emulate_grad_input", &emulate_grad_input);
  m.impl("_emulate_grad_weight", &emulate_grad_weight);
}

}  // namespace cutlass_convt3d

// `import cutlass_convt3d._C` loads this library and with it the TORCH_LIBRARY registrations above
// (the pattern of pytorch/extension-cpp); the module itself is empty.
extern "C" PyObject* PyInit__C(void) {
  static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_C", nullptr, -1, nullptr};
  return PyModule_Create(&def);
}
