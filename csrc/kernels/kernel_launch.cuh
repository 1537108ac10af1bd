// Launchers of one precision policy's kernels: shared-memory sizing, attribute setup, launch, error check.
// Included once per policy by kernels_<policy>.cu.
#pragma once
#include <algorithm>

#include "device_cache.h"
#include "kernel_params.h"
#include "direct_kernel.cuh"
#include "restage_kernel.cuh"
#include "rowconv_kernel.cuh"
#include "tapgemm_kernel.cuh"
#include "wgrad_kernel.cuh"

namespace ct3d {
namespace detail {

inline Status fail(std::string* why, Status s, const std::string& msg) {
  if (why) *why = msg;
  return s;
}

inline Status cuda_check(cudaError_t e, std::string* why, const char* what) {
  if (e == cudaSuccess) return Status::kSuccess;
  (void)cudaGetLastError();
  return fail(why, Status::kCudaError, std::string(what) + ": " + cudaGetErrorString(e));
}

template <class Kernel, class Params>
Status launch_dyn(Kernel kernel, dim3 grid, size_t smem, int smem_optin, const Params& p, cudaStream_t stream,
                  std::string* why, const char* what, int threads = Tiles::kThreads) {
  if (smem > size_t(smem_optin))
    return fail(why, Status::kNotSupported,
                std::string(what) + ": tile footprint (" + std::to_string(smem) +
                    " bytes of shared memory) exceeds this device's limit");
  Status s = cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why, "cudaFuncSetAttribute");
  if (s != Status::kSuccess) return s;
  kernel<<<grid, threads, smem, stream>>>(p);
  return cuda_check(cudaGetLastError(), why, what);
}

inline int blocks_for(int64_t total, int threads) {
  return int(std::max<int64_t>(1, std::min<int64_t>((total + threads - 1) / threads, 8192)));
}

template <class P>
Status pack_weight(const TensorRef5& w, void* out, int groups, bool kn_is_cout_cin, cudaStream_t stream,
                   std::string* why) {
  int64_t total = 1;
  for (int i = 0; i < 5; ++i) total *= w.size[i];
  if (total == 0) return Status::kSuccess;
  pack_weight_kernel<P>
      <<<blocks_for(total, 256), 256, 0, stream>>>(w, static_cast<typename P::Element*>(out), groups, kn_is_cout_cin);
  return cuda_check(cudaGetLastError(), why, "weight pack kernel launch");
}

// One row-conv instance: its pipeline depth is the deepest (up to the kernel's kMaxStages and the tuning cap) whose
// shared memory does not cost a CTA per SM against what the kernel's registers allow; never below 2.
template <class P, int BN, int NPH, int kGather, bool kCF, bool kShifts = P::kChannelShifts, int BK = Tiles::BK>
Status launch_rowconv_bk(const RowConvParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream,
                         std::string* why) {
  using K = RowConv<P, NPH, kGather, kCF, kShifts, BN, BK>;
  auto kernel = rowconv_kernel<P, NPH, kGather, kCF, kShifts, BN, BK>;
  RowConvParams q = p;
  q.stages = 2;
  if constexpr (K::kMaxStages > 2) {
    int blocks = occupancy_blocks(reinterpret_cast<const void*>(kernel), Tiles::kThreads, 0);  // by registers alone
    if (blocks == 0) blocks = P::kMinBlocks;
    const size_t budget = size_t(std::max(lim.per_sm / std::max(blocks, 1) - 1024, 0));  // 1 KB per CTA is the system's
    q.stages = lim.max_stages >= 2 ? std::min(K::kMaxStages, lim.max_stages) : K::kMaxStages;
    while (q.stages > 2 && K::smem_bytes(p.LDK, q.stages) > budget) --q.stages;
  }
  return launch_dyn(kernel, grid, K::smem_bytes(p.LDK, q.stages), lim.optin, q, stream, why, "row-conv kernel launch");
}
// the plan's channel step (Tiles::rowconv_bk): 32 only for 2-byte channel-fast slabs, the one kind instantiated
template <class P, int BN, int NPH, int kGather, bool kCF, bool kShifts = P::kChannelShifts>
Status launch_rowconv(const RowConvParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream, std::string* why) {
  if constexpr (kCF && sizeof(typename P::Element) == 2)
    if (p.bk == 2 * Tiles::BK)
      return launch_rowconv_bk<P, BN, NPH, kGather, kCF, kShifts, 2 * Tiles::BK>(p, grid, lim, stream, why);
  return launch_rowconv_bk<P, BN, NPH, kGather, kCF, kShifts>(p, grid, lim, stream, why);
}

template <class P, bool kCF>
Status rowconv_layout(const RowConvParams& p, int nph, dim3 grid, const SmemLimits& lim, cudaStream_t stream,
                      std::string* why) {
  constexpr int BN = Tiles::BN;
  // phases: 2 when the w stride is > 1 (forward, gather stride 1), in a 16-channel tile where the plan picks one
  // (Tiles::row_bn); grad_input gathers at its stride
  if (nph == 2)
    return p.bn == 16 ? launch_rowconv<P, 16, 2, 1, kCF>(p, grid, lim, stream, why)
                      : launch_rowconv<P, BN, 2, 1, kCF>(p, grid, lim, stream, why);
  if (p.mw.A == 1) return launch_rowconv<P, BN, 1, 1, kCF>(p, grid, lim, stream, why);
  // stride-2 rows of several 16-byte phases (row_shifts; 2-byte policies always read per-channel phases)
  if constexpr (P::kAsync && !P::kChannelShifts && !kCF)
    if (p.mw.A == 2 && p.row_shifts) return launch_rowconv<P, BN, 1, 2, false, true>(p, grid, lim, stream, why);
  if (kCF || p.mw.A == 2) return launch_rowconv<P, BN, 1, 2, kCF>(p, grid, lim, stream, why);
  return launch_rowconv<P, BN, 1, 0, false>(p, grid, lim, stream, why);
}

template <class P>
Status rowconv(const RowConvParams& p, int nph, dim3 grid, const SmemLimits& lim, cudaStream_t stream, std::string* why) {
  // register-staging policies have a twin without staging registers for launches that copy only 16-byte vectors
  if constexpr (!P::kAsync) {
    if (p.vec_src && p.w_vec) return rowconv<typename P::Async>(p, nph, grid, lim, stream, why);
    return rowconv_layout<P, false>(p, nph, grid, lim, stream, why);
  } else {
    // channels_last sources the plan admits (cf_src implies vec_src and A <= 2) stage column-major
    return p.cf_src ? rowconv_layout<P, true>(p, nph, grid, lim, stream, why)
                    : rowconv_layout<P, false>(p, nph, grid, lim, stream, why);
  }
}

// One grad_weight variant, in its two K splits: four K quarters of a 16-co tile where the plan says narrow, else
// two K halves of a 32-co tile
template <class P, int kGather, bool kGShifts, bool kCF, int WQ>
Status launch_wgrad_wq(const WgradParams& p, dim3 grid, int smem_optin, cudaStream_t stream, std::string* why) {
  const char* what = "weight-gradient kernel launch";
  if (p.narrow)
    return launch_dyn(wgrad_kernel<P, kGather, kGShifts, kCF, 4, WQ>, grid,
                      Wgrad<P, kGather, kGShifts, kCF, 4, WQ>::smem_bytes(p.LDKx, p.LDKg), smem_optin, p, stream, why,
                      what);
  return launch_dyn(wgrad_kernel<P, kGather, kGShifts, kCF, 2, WQ>, grid,
                    Wgrad<P, kGather, kGShifts, kCF, 2, WQ>::smem_bytes(p.LDKx, p.LDKg), smem_optin, p, stream, why,
                    what);
}
// ... and its step width (Tiles::wgrad_wq): 128 positions only for 2-byte channel-fast slabs, the one kind instantiated
template <class P, int kGather, bool kGShifts = P::kChannelShifts, bool kCF = false>
Status launch_wgrad(const WgradParams& p, dim3 grid, int smem_optin, cudaStream_t stream, std::string* why) {
  if constexpr (kCF && sizeof(typename P::Element) == 2)
    if (p.wq == 2 * Tiles::WQ)
      return launch_wgrad_wq<P, kGather, kGShifts, kCF, 2 * Tiles::WQ>(p, grid, smem_optin, stream, why);
  return launch_wgrad_wq<P, kGather, kGShifts, kCF, Tiles::WQ>(p, grid, smem_optin, stream, why);
}

template <class P>
Status wgrad_partials(const WgradParams& p, dim3 grid, int smem_optin, cudaStream_t stream, std::string* why) {
  // as in rowconv: the register-staging policies' Async twin where both slabs move as 16-byte vectors
  if constexpr (!P::kAsync)
    if ((p.x_vec && p.gy_vec) || p.cf) return wgrad_partials<typename P::Async>(p, grid, smem_optin, stream, why);
  if constexpr (P::kAsync)
    if (p.cf)  // channels_last (the plan admits it for gather strides 1 and 2 only)
      return p.mw.A == 1 ? launch_wgrad<P, 1, false, true>(p, grid, smem_optin, stream, why)
                         : launch_wgrad<P, 2, false, true>(p, grid, smem_optin, stream, why);
  if constexpr (P::kAsync && !P::kChannelShifts)
    if (p.mw.A == 2 && p.row_shifts) return launch_wgrad<P, 2, true>(p, grid, smem_optin, stream, why);
  return p.mw.A == 1   ? launch_wgrad<P, 1>(p, grid, smem_optin, stream, why)
         : p.mw.A == 2 ? launch_wgrad<P, 2>(p, grid, smem_optin, stream, why)
                       : launch_wgrad<P, 0>(p, grid, smem_optin, stream, why);
}

// Ordered sum of `chunks` partial weight gradients in p.ws (the tensor-core and the direct kernels' layout).
template <class P>
Status wgrad_reduce(const WgradParams& p, int chunks, const TensorRef5& gw, cudaStream_t stream, std::string* why) {
  const int taps = p.md.K * p.mh.K * p.mw.K;
  const int64_t total = int64_t(p.groups) * p.Cin_g * p.Cout_g * taps;
  wgrad_reduce_kernel<P><<<blocks_for(total, 256), 256, 0, stream>>>(
      static_cast<const typename P::Acc*>(p.ws), gw, chunks, p.groups, p.Cin_g, p.Cout_g, taps);
  return cuda_check(cudaGetLastError(), why, "weight-gradient reduce launch");
}

template <class P>
Status wgrad(const WgradParams& p, dim3 grid, int smem_optin, const TensorRef5& gw, cudaStream_t stream,
             std::string* why) {
  Status s = wgrad_partials<P>(p, grid, smem_optin, stream, why);
  return s == Status::kSuccess ? wgrad_reduce<P>(p, p.chunks, gw, stream, why) : s;
}

// CTAs per SM of one instance at its footprint
template <class Kernel>
int wgrad_occupancy(Kernel kernel, size_t smem) {
  return std::max(occupancy_blocks(reinterpret_cast<const void*>(kernel), Tiles::kThreads, smem), 1);
}
template <class P, int kKSplit>
int wgrad_occupancy(int LDKx, int LDKg) {
  // the kGather variants share launch bounds and footprint; the stride-2 one (of the K split) stands for them
  return wgrad_occupancy(wgrad_kernel<P, 2, P::kChannelShifts, false, kKSplit>,
                         Wgrad<P, 0, P::kChannelShifts, false, kKSplit>::smem_bytes(LDKx, LDKg));
}
template <class P>
int wgrad_blocks_per_sm(int LDKx, int LDKg, bool narrow, int wq) {
  if constexpr (sizeof(typename P::Element) == 2) {
    if (wq == 2 * Tiles::WQ) {  // the 128-position channels_last instances (the policy's Async twin)
      using PA = typename P::Async;
      constexpr int W2 = 2 * Tiles::WQ;
      return narrow ? wgrad_occupancy(wgrad_kernel<PA, 2, false, true, 4, W2>,
                                      Wgrad<PA, 2, false, true, 4, W2>::smem_bytes(LDKx, LDKg))
                    : wgrad_occupancy(wgrad_kernel<PA, 2, false, true, 2, W2>,
                                      Wgrad<PA, 2, false, true, 2, W2>::smem_bytes(LDKx, LDKg));
    }
  }
  return narrow ? wgrad_occupancy<P, 4>(LDKx, LDKg) : wgrad_occupancy<P, 2>(LDKx, LDKg);
}

template <class P>
Status grad_bias(const TensorRef5& gy, void* ws, int chunks, void* gb, int64_t gb_stride, cudaStream_t stream,
                 std::string* why) {
  const int C = int(gy.size[1]);
  bias_partial_kernel<P><<<dim3(unsigned(C), unsigned(chunks)), 256, 0, stream>>>(
      gy, static_cast<typename P::Acc*>(ws), chunks);
  Status s = cuda_check(cudaGetLastError(), why, "bias-gradient kernel launch");
  if (s != Status::kSuccess) return s;
  bias_reduce_kernel<P><<<(C + 255) / 256, 256, 0, stream>>>(
      static_cast<const typename P::Acc*>(ws), static_cast<typename P::Element*>(gb), gb_stride, C, chunks);
  return cuda_check(cudaGetLastError(), why, "bias-gradient reduce launch");
}

template <class P, int NPH, int A>
void launch_direct_row(const RowConvParams& p, const DirectRowGeom& g, size_t smem, cudaStream_t stream) {
  const unsigned grid = unsigned(g.ctas);
  const int nc = DirectTiles::nc(p.Nc);
  auto kernel = nc == 1 ? direct_row_kernel<P, 1, NPH, A>
                : nc == 2 ? direct_row_kernel<P, 2, NPH, A> : direct_row_kernel<P, 4, NPH, A>;
  kernel<<<grid, DirectTiles::kThreads, smem, stream>>>(p, g);
}
template <class P>
Status direct(const RowConvParams& p, int chunks, cudaStream_t stream, std::string* why) {
  // The staged, register-blocked kernel where direct_row_geom admits the problem (w phases and gather stride
  // <= 2, narrow w kernels, fp32 accumulation); the per-lane kernel elsewhere (and for f64).
  if constexpr (std::is_same<typename P::Acc, float>::value) {
    // one channel per group, rows of unit stride or (exact fp32) channels_last: the lane kernels
    DirectLaneGeom lg;
    // lanes over channels (channels_last) only for plain fp32 products: with operand conversions (TF32 rounding,
    // 16-bit) they measured 1.6-2.4x slower than the staged kernel (NOTES v57)
    const bool cl_lanes = std::is_same<P, PolicyExact>::value && p.src.stride[1] == 1 && p.dst.stride[1] == 1;
    if (direct_lane_geom(p.md, p.mh, p.mw, p.Kc, p.Nc, p.src.stride[4] == 1 && p.dst.stride[4] == 1, cl_lanes, p.rows,
                         p.groups, device_attrs().sms, lg)) {
      const unsigned grid = unsigned((lg.warps + DirectTiles::kThreads / 32 - 1) / (DirectTiles::kThreads / 32));
      if constexpr (std::is_same<P, PolicyExact>::value) {  // cl_lanes admits no other policy: no dead instances
        if (lg.channels) {
          auto kernel = p.mw.A == 2 ? (lg.win.S == 2 ? direct_lane_conv_cl_kernel<P, 1, 2, 2> : direct_lane_conv_cl_kernel<P, 1, 2, 3>)
                        : p.mw.E == 2 ? (lg.win.S == 2 ? direct_lane_conv_cl_kernel<P, 2, 1, 2> : direct_lane_conv_cl_kernel<P, 2, 1, 3>)
                                      : (lg.win.S == 2 ? direct_lane_conv_cl_kernel<P, 1, 1, 2> : direct_lane_conv_cl_kernel<P, 1, 1, 3>);
          kernel<<<grid, DirectTiles::kThreads, 0, stream>>>(p, lg);
          return cuda_check(cudaGetLastError(), why, "depthwise lane kernel launch");
        }
      }
      {
        auto kernel = p.mw.A == 2 ? (lg.win.S == 2 ? direct_lane_conv_kernel<P, 1, 2, 2> : direct_lane_conv_kernel<P, 1, 2, 3>)
                      : p.mw.E == 2 ? (lg.win.S == 2 ? direct_lane_conv_kernel<P, 2, 1, 2> : direct_lane_conv_kernel<P, 2, 1, 3>)
                                    : (lg.win.S == 2 ? direct_lane_conv_kernel<P, 1, 1, 2> : direct_lane_conv_kernel<P, 1, 1, 3>);
        kernel<<<grid, DirectTiles::kThreads, 0, stream>>>(p, lg);
      }
      return cuda_check(cudaGetLastError(), why, "depthwise lane kernel launch");
    }
    DirectRowGeom g;
    size_t smem = 0;
    if (direct_row_geom(p, g, smem)) {
      if (p.mw.E == 2) launch_direct_row<P, 2, 1>(p, g, smem, stream);
      else if (p.mw.A == 1) launch_direct_row<P, 1, 1>(p, g, smem, stream);
      else launch_direct_row<P, 1, 2>(p, g, smem, stream);
      return cuda_check(cudaGetLastError(), why, "direct row kernel launch");
    }
  }
  const int64_t warps = p.rows * p.groups * chunks, per_block = DirectTiles::kThreads / 32;
  const unsigned blocks = unsigned((warps + per_block - 1) / per_block);
  const int nc = DirectTiles::nc(p.Nc);
  auto kernel = nc == 1 ? direct_conv_kernel<P, 1> : nc == 2 ? direct_conv_kernel<P, 2> : direct_conv_kernel<P, 4>;
  kernel<<<blocks, DirectTiles::kThreads, 0, stream>>>(p, chunks);
  return cuda_check(cudaGetLastError(), why, "direct kernel launch");
}

template <class P>
Status direct_wgrad(const WgradParams& p, int slices, const TensorRef5& gw, cudaStream_t stream, std::string* why) {
  direct_wgrad_kernel<P><<<dim3(unsigned(p.groups * p.Cin_g * p.Cout_g), unsigned(slices)), DirectTiles::kThreads, 0,
                           stream>>>(p, slices);
  Status s = cuda_check(cudaGetLastError(), why, "direct weight-gradient kernel launch");
  return s == Status::kSuccess ? wgrad_reduce<P>(p, slices, gw, stream, why) : s;
}

template <class P>
Status direct_wgrad_rows(const RowConvParams& fwd, const DirectLaneGeom& g, const WgradParams& p, const TensorRef5& gw,
                         cudaStream_t stream, std::string* why) {
  if constexpr (std::is_same<typename P::Acc, float>::value) {
    const unsigned grid = unsigned((g.warps + DirectTiles::kThreads / 32 - 1) / (DirectTiles::kThreads / 32));
    auto kernel = fwd.mw.E == 2 ? (g.win.S == 2 ? direct_wgrad_row_kernel<P, 2, 2> : direct_wgrad_row_kernel<P, 2, 3>)
                                : (g.win.S == 2 ? direct_wgrad_row_kernel<P, 1, 2> : direct_wgrad_row_kernel<P, 1, 3>);
    if (g.channels) {  // the plan sends channels_last here for exact fp32 only: no instances for other policies
      if constexpr (std::is_same<P, PolicyExact>::value)
        kernel = fwd.mw.E == 2 ? (g.win.S == 2 ? direct_wgrad_cl_kernel<P, 2, 2> : direct_wgrad_cl_kernel<P, 2, 3>)
                               : (g.win.S == 2 ? direct_wgrad_cl_kernel<P, 1, 2> : direct_wgrad_cl_kernel<P, 1, 3>);
      else
        return fail(why, Status::kNotSupported, "channels_last depthwise grad_weight lanes take exact fp32 only");
    }
    kernel<<<grid, DirectTiles::kThreads, 0, stream>>>(fwd, g, static_cast<float*>(p.ws));
    Status s = cuda_check(cudaGetLastError(), why, "depthwise weight-gradient kernel launch");
    return s == Status::kSuccess ? wgrad_reduce<P>(p, g.slices * g.wchunks, gw, stream, why) : s;
  } else {
    return fail(why, Status::kNotSupported, "the depthwise weight-gradient row kernel accumulates in float");
  }
}

template <class E, Restage kOp>
void launch_to_channels_last(const TensorRef5& s, E* out, unsigned* nonfinite, cudaStream_t stream) {
  const int64_t rows = s.size[0] * s.size[2] * s.size[3];
  if (to_channels_last_vec_ok<E>(s)) {  // one CTA per tile (row x TW x TC)
    using T = ChannelsLastTile<E>;
    const int64_t tiles = rows * ((s.size[4] + T::TW - 1) / T::TW) * ((s.size[1] + T::TC - 1) / T::TC);
    to_channels_last_kernel<E, true, kOp>
        <<<blocks_for(tiles * T::kThreads, T::kThreads), T::kThreads, 0, stream>>>(s, out, nonfinite);
  } else {
    const int64_t wblocks = (s.size[4] + 63) / 64;
    to_channels_last_kernel<E, false, kOp><<<blocks_for(rows * wblocks * 256, 256), 256, 0, stream>>>(s, out,
                                                                                                    nonfinite);
  }
}
template <class P>
Status to_channels_last(const TensorRef5& src, void* dst, Restage op, unsigned* nonfinite, cudaStream_t stream,
                        std::string* why) {
  using E = typename P::Element;
  const TensorRef5 s = fold_rows(src);
  if (s.size[0] * s.size[2] * s.size[3] * s.size[1] * s.size[4] == 0) return Status::kSuccess;
  E* out = static_cast<E*>(dst);
  // the rounding copy is the TF32 policy's only (its forward's x), the splitting one the exact policy's (the exact
  // Hopper forward's x): no instances for the others
  if (op == Restage::kCopy) {  // (16-bit copies report non-finite values where asked: the Hopper forward's x)
    launch_to_channels_last<E, Restage::kCopy>(s, out, sizeof(E) == 2 ? nonfinite : nullptr, stream);
  } else if constexpr (std::is_same<P, PolicyTF32>::value) {
    if (op != Restage::kRoundTF32) return fail(why, Status::kNotSupported, "TF32 splitting copies are exact fp32's");
    launch_to_channels_last<E, Restage::kRoundTF32>(s, out, nonfinite, stream);
  } else if constexpr (std::is_same<P, PolicyExact>::value) {
    if (op != Restage::kSplitTF32) return fail(why, Status::kNotSupported, "TF32-rounding copies are TF32's");
    if (dense_channels_last<E>(src)) {  // already so: flat, the small parts after the big
      const int64_t n = src.size[0] * src.size[1] * src.size[2] * src.size[3] * src.size[4];
      const int64_t n16 = n * int64_t(sizeof(E)) / 16;
      split_flat_kernel<E><<<blocks_for(n16, 256), 256, 0, stream>>>(static_cast<const uint4*>(src.data),
                                                                     static_cast<uint4*>(dst), n16);
    } else {  // (a splitting copy reports nothing: see nonfinite_probe)
      launch_to_channels_last<E, Restage::kSplitTF32>(s, out, nullptr, stream);
    }
  } else {
    return fail(why, Status::kNotSupported, "TF32-rounding and splitting copies are fp32's");
  }
  return cuda_check(cudaGetLastError(), why, "channels_last copy launch");
}

// The tap-GEMM, forward, grad_input and grad_weight's chunk sums (not for f64: its MMA tiles are the fp32-accumulating
// policies').  Pipeline depth: the deepest (<= kMaxStages) that keeps the CTAs per SM the registers allow, never
// below 2.
template <class P>
Status tapgemm_pack(const TapGemmParams& p, const TensorRef5& w, cudaStream_t stream, std::string* why) {
  if constexpr (std::is_same<P, PolicyF64>::value) {
    return fail(why, Status::kNotSupported, "the tap-GEMM takes no float64");
  } else {
    const int64_t total = p.phase ? p.ph.wofs[p.ph.ncls] : int64_t(p.groups) * p.kdim * p.ldb;
    if (total == 0) return Status::kSuccess;
    if (p.phase)
      phasegemm_pack_kernel<P><<<blocks_for(total, 256), 256, 0, stream>>>(w, p);
    else
      tapgemm_pack_kernel<P><<<blocks_for(total, 256), 256, 0, stream>>>(w, p);
    return cuda_check(cudaGetLastError(), why, "tap-GEMM weight pack launch");
  }
}
// The tap-GEMM instance K's pipeline depth: the deepest (<= kMaxStages) that keeps `ctas` CTAs per SM, never below 2
template <class K>
int tapgemm_stages(const SmemLimits& lim, int ctas) {
  const int cap = lim.max_stages >= 2 ? std::min(lim.max_stages, TapGemmTiles::kMaxStages) : TapGemmTiles::kMaxStages;
  int stages = 2;
  while (stages < cap && ctas * (K::smem_bytes(stages + 1) + 1024) <= size_t(lim.per_sm)) ++stages;
  return stages;
}
template <class P>
Status tapgemm(const TapGemmParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream, std::string* why) {
  if constexpr (std::is_same<P, PolicyF64>::value) {
    return fail(why, Status::kNotSupported, "the tap-GEMM takes no float64");
  } else {
    // (Q: P, or PolicyTF32Rounded for TF32 operands the copies rounded, TapGemmParams::ab_rounded)
    auto go_q = [&](auto q_policy, auto cf, auto g, auto wg, auto ph) -> Status {
      using Q = decltype(q_policy);
      constexpr bool kCF = decltype(cf)::value, kW = decltype(wg)::value, kPh = decltype(ph)::value;
      constexpr int kG = decltype(g)::value;
      using K = TapGemm<Q, kCF, kG, kW, kPh>;
      TapGemmParams q = p;
      // per SM, by the launch bounds (exact: its registers allow one)
      q.stages = tapgemm_stages<K>(lim, Q::kSplitAcc ? 1 : 2);
      if constexpr (kPh)
        return launch_dyn(phasegemm_kernel<Q>, grid, K::smem_bytes(q.stages), lim.optin, q, stream, why,
                          "phase-GEMM kernel launch", TapGemmTiles::kThreads);
      else
        return launch_dyn(tapgemm_kernel<Q, kCF, kG, kW>, grid, K::smem_bytes(q.stages), lim.optin, q, stream, why,
                          "tap-GEMM kernel launch", TapGemmTiles::kThreads);
    };
    auto go = [&](auto cf, auto g, auto wg, auto ph) { return go_q(P{}, cf, g, wg, ph); };
    using F = std::false_type;
    using G1 = std::integral_constant<int, 1>;
    using G2 = std::integral_constant<int, 2>;
    using T = std::true_type;
    if (p.phase) return go(T{}, std::integral_constant<int, 0>{}, F{}, T{});
    if constexpr (std::is_same<P, PolicyTF32>::value)
      if (p.wgrad && p.gcl && p.ab_rounded) return go_q(PolicyTF32Rounded{}, T{}, G1{}, T{}, F{});
    if (p.wgrad)  // NCDHW: the plan admits w strides 1 and 2; channels_last (gcl): any
      return p.gcl ? go(T{}, G1{}, T{}, F{}) : p.s[2] == 2 ? go(F{}, G2{}, T{}, F{}) : go(F{}, G1{}, T{}, F{});
    if (p.dgrad)
      return p.gcl ? go(T{}, G1{}, F{}, F{}) : p.s[2] == 2 ? go(F{}, G2{}, F{}, F{}) : go(F{}, G1{}, F{}, F{});
    return p.a_cf ? go(T{}, std::integral_constant<int, 0>{}, F{}, F{})
                  : go(F{}, std::integral_constant<int, 0>{}, F{}, F{});
  }
}

// A policy's launchers compile as three translation units, in parallel: kernels_<policy>.cu (the table below, the
// direct kernels) and kernels_part.cu built once per part (CMakeLists.txt), where the row-conv launchers (part 1) and
// the grad_weight launchers (part 2) are instantiated; kernels_<policy>.cu declares those `extern`.
#define CT3D_ROWCONV_INSTANCES(EXTERN, P)                                                                          \
  EXTERN template Status rowconv<P>(const RowConvParams&, int, dim3, const SmemLimits&, cudaStream_t, std::string*);
#define CT3D_WGRAD_INSTANCES(EXTERN, P)                                                                             \
  EXTERN template Status wgrad<P>(const WgradParams&, dim3, int, const TensorRef5&, cudaStream_t, std::string*);      \
  EXTERN template int wgrad_blocks_per_sm<P>(int, int, bool, int);                                                  \
  EXTERN template Status wgrad_reduce<P>(const WgradParams&, int, const TensorRef5&, cudaStream_t, std::string*);
#define CT3D_TAPGEMM_INSTANCES(EXTERN, P)                                                                           \
  EXTERN template Status tapgemm_pack<P>(const TapGemmParams&, const TensorRef5&, cudaStream_t, std::string*);      \
  EXTERN template Status tapgemm<P>(const TapGemmParams&, dim3, const SmemLimits&, cudaStream_t, std::string*);
#define CT3D_POLICY_TABLE(P)       \
  CT3D_ROWCONV_INSTANCES(extern, P) \
  CT3D_WGRAD_INSTANCES(extern, P)   \
  CT3D_TAPGEMM_INSTANCES(extern, P)

template <class P>
const KernelLaunchers& table() {
  static const KernelLaunchers t{&pack_weight<P>, &rowconv<P>,       &wgrad<P>,       &wgrad_blocks_per_sm<P>,
                                 &direct<P>,      &direct_wgrad<P>, &direct_wgrad_rows<P>, &grad_bias<P>, &to_channels_last<P>,
                                 &wgrad_reduce<P>, &tapgemm_pack<P>, &tapgemm<P>};
  return t;
}

}  // namespace detail
}  // namespace ct3d
