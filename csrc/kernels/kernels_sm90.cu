// Hopper kernels, built for sm_90a only: the plans (convt3d_plan_sm90.cpp) take them on devices of compute capability
// 9.0 where they apply and otherwise run the sm_80 kernels, which every device has.  CMakeLists.txt compiles this file
// once per CT3D_SM90_PART, in parallel: 1 the forward (rowconv_sm90.cuh), 2 grad_weight (wgrad_sm90.cuh), 3 grad_input
// (dgrad_sm90.cuh), 4 the tap-GEMM's wgmma instances (tapgemm_kernel.cuh, v102); together they were the longest
// translation unit of the build.
#include <cuda.h>

#include <cstdlib>

#include "kernel_launch.cuh"
#if CT3D_SM90_PART == 1
#include "rowconv_sm90.cuh"
#elif CT3D_SM90_PART == 2
#include "wgrad_sm90.cuh"
#elif CT3D_SM90_PART == 3
#include "dgrad_sm90.cuh"
#elif CT3D_SM90_PART == 5
#include "wgemm_sm90.cuh"
#elif CT3D_SM90_PART == 6
#include "pgemm_sm90.cuh"
#elif CT3D_SM90_PART != 4  // 4: the tap-GEMM's wgmma instances (tapgemm_kernel.cuh, with kernel_launch.cuh)
#error "CT3D_SM90_PART must be 1 (forward), 2 (grad_weight), 3 (grad_input), 4 (the tap-GEMM), 5 (grad_weight GEMM) or 6 (the phase-GEMM over TMA)"
#endif

namespace ct3d {
namespace {

// f(Tr{}) with the element traits of a launch of dtype: Hopper3xTF32 where it is split (kSplitOK: the forward's and
// grad_weight's exact fp32), else by the element type (grad_input takes only its Element)
template <bool kSplitOK, class F>
Status with_traits(DType dtype, bool split, F&& f) {
  if constexpr (kSplitOK)
    if (split) return f(Hopper3xTF32{});
  switch (dtype) {
    case DType::kF16: return f(HopperF16{});
    case DType::kBF16: return f(HopperBF16{});
    default: return f(HopperTF32{});
  }
}

#if CT3D_SM90_PART == 1 || CT3D_SM90_PART == 2 || CT3D_SM90_PART == 5 || CT3D_SM90_PART == 6  // TMA tensor maps

using EncodeTiled = CUresult (*)(CUtensorMap*, CUtensorMapDataType, cuuint32_t, void*, const cuuint64_t*,
                                 const cuuint64_t*, const cuuint32_t*, const cuuint32_t*, CUtensorMapInterleave,
                                 CUtensorMapSwizzle, CUtensorMapL2promotion, CUtensorMapFloatOOBfill);

// The driver's tensor-map encoder through the runtime (no link against libcuda)
EncodeTiled encode_tiled() {
  static const EncodeTiled fn = [] {
    void* f = nullptr;
    cudaDriverEntryPointQueryResult q{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &q) != cudaSuccess ||
        q != cudaDriverEntryPointSuccess) {
      (void)cudaGetLastError();
      f = nullptr;
    }
    return reinterpret_cast<EncodeTiled>(f);
  }();
  return fn;
}

// A rank-R tensor map of Tr's elements read in boxes `box` (strides in elements), swizzled as the wgmma's K-major
// operand: kSwizzle bytes, the box's inner extent (the forward's 32-channel rows: Tr::kRowBytes, 128 for fp32 and 64
// for 16-bit types; grad_weight's rows of positions: 128 for every type).  tf32 (fp32 only): typed TFLOAT32, so that
// the TMA itself rounds each element to TF32 as it lands, which the kernels would otherwise do (to nearest even, inf
// and NaN unchanged, as Triton's round_f32_to_tf32 descriptors describe it; CUDA's documents do not say, so
// test_hopper_tma_tf32_rounding checks it on the GPU, ties included).  traverse: the box's element strides (a box
// extent of n s elements lands n of them, s apart; v123's grad_input), else 1
template <class Tr, int kSwizzle = Tr::kRowBytes, int R>
Status map_tiled(void* data, const cuuint64_t (&dims)[R], const int64_t (&strides)[R - 1], const cuuint32_t (&box)[R],
                 bool tf32, CUtensorMap* map, std::string* why, const cuuint32_t* traverse = nullptr) {
  using E = typename Tr::Element;
  const EncodeTiled enc = encode_tiled();
  if (!enc) return detail::fail(why, Status::kNotSupported, "cuTensorMapEncodeTiled is not available");
  cuuint32_t estr[R];
  cuuint64_t bstr[R - 1];
  for (int i = 0; i < R; ++i) estr[i] = traverse ? traverse[i] : 1;
  for (int i = 0; i < R - 1; ++i) bstr[i] = cuuint64_t(strides[i]) * sizeof(E);
  const CUtensorMapDataType type = std::is_same<E, cutlass::half_t>::value       ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
                                   : std::is_same<E, cutlass::bfloat16_t>::value ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                   : tf32                                        ? CU_TENSOR_MAP_DATA_TYPE_TFLOAT32
                                                                                 : CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
  static_assert(kSwizzle == 128 || kSwizzle == 64 || kSwizzle == 0, "the 128- or 64-byte swizzle, or none");
  const CUtensorMapSwizzle sw = kSwizzle == 128 ? CU_TENSOR_MAP_SWIZZLE_128B
                                : kSwizzle == 64 ? CU_TENSOR_MAP_SWIZZLE_64B
                                                 : CU_TENSOR_MAP_SWIZZLE_NONE;
  const CUresult r = enc(map, type, cuuint32_t(R), data, dims, bstr, box, estr, CU_TENSOR_MAP_INTERLEAVE_NONE, sw,
                         CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS)
    return detail::fail(why, Status::kNotSupported, "cuTensorMapEncodeTiled failed (" + std::to_string(int(r)) + ")");
  return Status::kSuccess;
}

// A channels_last tensor t (channel stride 1) as a 5D map (channel, w, h, d, n) read in boxes `box` traversing
// `traverse` (the plans check the pitches).  A dimension of extent 1 is read at index 0 only, whatever its stride,
// which the map still requires to be whole 16 bytes: it takes the dense one there
template <class Tr, int kSwizzle>
Status map_cl5(const TensorRef5& t, const cuuint32_t (&box)[5], const cuuint32_t (&traverse)[5], bool tf32,
               CUtensorMap* map, std::string* why) {
  const cuuint64_t dims[5] = {cuuint64_t(t.size[1]), cuuint64_t(t.size[4]), cuuint64_t(t.size[3]),
                              cuuint64_t(t.size[2]), cuuint64_t(t.size[0])};
  int64_t st[4] = {t.stride[4], t.stride[3], t.stride[2], t.stride[0]};
  for (int i = 0; i < 4; ++i)
    if (dims[i + 1] == 1) st[i] = (i == 0 ? 1 : st[i - 1]) * int64_t(dims[i]);
  return map_tiled<Tr, kSwizzle>(t.data, dims, st, box, tf32, map, why, traverse);
}
#endif

#if CT3D_SM90_PART == 1
// x channels_last (channel stride 1, n and d folded: stride[0] == D * stride[2]) as (channel, w, h, n * d), read in
// boxes of 32 channels (Tr::kRowBytes) x rows(S) w positions: the forward's K-major B (see the kernel).  Split (the
// exact forward's copy): the small parts' copy follows the big parts', so the folded rows run on through it.
template <class Tr>
Status x_map(const HopperParams& p, const TensorRef5& x, bool tf32, CUtensorMap* map, std::string* why) {
  const cuuint64_t dims[4] = {cuuint64_t(x.size[1]), cuuint64_t(x.size[4]), cuuint64_t(x.size[3]),
                              cuuint64_t(x.size[0] * x.size[2] * (Tr::kSplit ? 2 : 1))};
  const int64_t strides[3] = {x.stride[4], x.stride[3], x.stride[2]};
  const cuuint32_t box[4] = {32, cuuint32_t(HopperTiles::rows(p.S, p.bq)), 1, 1};
  return map_tiled<Tr>(x.data, dims, strides, box, tf32, map, why);
}

// An NCDHW x (w stride 1; the plans check the other strides are whole 16 bytes) as (w, h, d, channel, n), read in
// boxes of box_w positions x 32 channels, [channel][position]: v133 unswizzled, rows(S) positions, for the producers'
// transposition; v140 in the 128-byte swizzle, 64 positions (128 bytes of a 16-bit type), the wgmma's MN-major B
template <class Tr, int kSwizzle>
Status x_map_ncdhw(const TensorRef5& x, int box_w, bool tf32, CUtensorMap* map, std::string* why) {
  const cuuint64_t dims[5] = {cuuint64_t(x.size[4]), cuuint64_t(x.size[3]), cuuint64_t(x.size[2]),
                              cuuint64_t(x.size[1]), cuuint64_t(x.size[0])};
  int64_t st[4] = {x.stride[3], x.stride[2], x.stride[1], x.stride[0]};
  // an extent-1 dimension's stride is never stepped, but the map still wants a positive multiple of 16 bytes (the
  // plan checks the others): where it is not one, any that is (a view's W 70 row stride, say, would not be)
  constexpr int64_t q = 16 / int64_t(sizeof(typename Tr::Element));  // elements of 16 bytes
  for (int i = 0; i < 4; ++i)
    if (dims[i + 1] == 1 && (st[i] <= 0 || st[i] % q))
      st[i] = ((i == 0 ? 1 : st[i - 1]) * int64_t(dims[i]) + q - 1) / q * q;
  const cuuint32_t box[5] = {cuuint32_t(box_w), 1, 1, 32, 1};
  return map_tiled<Tr, kSwizzle>(x.data, dims, st, box, tf32, map, why);
}

template <class Tr, int kX, int kOut, int NSJ, int BQ, bool kPipe = false>
Status launch(const HopperParams& p, const CUtensorMap& map, int ctas, cudaStream_t stream, std::string* why) {
  auto kernel = hopper_rowconv_kernel<Tr, kX, kOut, NSJ, BQ, kPipe>;
  if (p.nwg > HopperTiles::max_wg(Tr::kMaxWG, kX, BQ, Tr::kSplit))
    return detail::fail(why, Status::kNotSupported, "Hopper row-conv: more warpgroups than the instance's registers");
  if (p.ring < 2)  // (kPipe holds a slot a pair longer: one slot would deadlock it; the plan never gives fewer than 2)
    return detail::fail(why, Status::kNotSupported, "Hopper row-conv: fewer than 2 x slots per warpgroup");
  const size_t smem = hopper_smem_bytes(p);
  Status s = detail::cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why,
                                "cudaFuncSetAttribute (Hopper row-conv)");
  if (s != Status::kSuccess) return s;
  // the masked-recompute list starts empty every run, not only after initialize()'s pack: run() after run() would
  // append past its room (a review, stop 36).  (A stale non-finite word of the copy only checks more tiles.)
  s = detail::cuda_check(cudaMemsetAsync(p.fix_count, 0, sizeof(unsigned), stream), why,
                         "cudaMemsetAsync (Hopper masked-recompute count)");
  if (s != Status::kSuccess) return s;
  kernel<<<ctas, (HopperTiles::kThreads + 32) * p.nwg, smem, stream>>>(map, p);
  s = detail::cuda_check(cudaGetLastError(), why, "Hopper row-conv kernel launch");
  if (s != Status::kSuccess) return s;
  // tiles whose sums came out non-finite where x has a non-finite value (none: the CTAs return at once)
  hopper_fixup_kernel<Tr><<<std::min(ctas, 256), 256, 0, stream>>>(p);
  return detail::cuda_check(cudaGetLastError(), why, "Hopper masked recompute launch");
}

// one instance per block count at tile width BQ: 1-4, and 8 at BQ 64 (see below)
template <class Tr, int kX, int kOut, int BQ, bool kPipe = false>
Status launch_blocks(const HopperParams& p, const CUtensorMap& map, int ctas, cudaStream_t stream, std::string* why) {
  static_assert(HopperTiles::kMaxNSJ == 4 && HopperTiles::kWideNSJ == 8, "one instance per block count");
  switch (p.S * (p.Kc / 32)) {
    case 1: return launch<Tr, kX, kOut, 1, BQ, kPipe>(p, map, ctas, stream, why);
    case 2: return launch<Tr, kX, kOut, 2, BQ, kPipe>(p, map, ctas, stream, why);
    case 3: return launch<Tr, kX, kOut, 3, BQ, kPipe>(p, map, ctas, stream, why);
    case 4: return launch<Tr, kX, kOut, 4, BQ, kPipe>(p, map, ctas, stream, why);
    case 8:  // (the plan: CUTLASS_CONVT3D_SM90_NSJ8; not split, whose weights and slots, twice the bytes, never fit)
      // (its A / B offsets take block u as box u: one window offset only; not v133's, whose landing buffers the plan
      // does not fit beside it; not whole rows, which the plan keeps to 4 blocks)
      if constexpr (!Tr::kSplit && kX != HopperTiles::kXTranspose && kX != HopperTiles::kXMN && BQ == HopperTiles::BQ &&
                    !kPipe)
        if (p.S == 1) return launch<Tr, kX, kOut, 8, BQ>(p, map, ctas, stream, why);
      break;
  }
  return detail::fail(why, Status::kNotSupported,
                      "Hopper row-conv: no instance for S x Kc / 32 blocks per pair (1-4; 8 at one window offset)");
}

// p.bq: 64-position tiles, or (v135) whole-row tiles for an NCDHW y by row vectors from x by the map alone, TF32 or
// 16-bit (hopper_plan's whole_rows)
template <class Tr, int kX, int kOut>
Status launch_nsj(const HopperParams& p, const CUtensorMap& map, int ctas, cudaStream_t stream, std::string* why) {
  if (p.bq == HopperTiles::BQ) return launch_blocks<Tr, kX, kOut, HopperTiles::BQ>(p, map, ctas, stream, why);
  if constexpr (!Tr::kSplit && kX == HopperTiles::kXMap && kOut == HopperTiles::kRowVectors)
    if (p.bq == HopperTiles::kRowBQ)  // (v137's wgmma pipelining: whole-row instances only)
      return p.wgmma_pipe ? launch_blocks<Tr, kX, kOut, HopperTiles::kRowBQ, true>(p, map, ctas, stream, why)
                          : launch_blocks<Tr, kX, kOut, HopperTiles::kRowBQ>(p, map, ctas, stream, why);
  if constexpr (kX == HopperTiles::kXMN && kOut == HopperTiles::kRowVectors)  // (v140: no kPipe instances)
    if (p.bq == HopperTiles::kRowBQ && !p.wgmma_pipe)
      return launch_blocks<Tr, kX, kOut, HopperTiles::kRowBQ>(p, map, ctas, stream, why);
  return detail::fail(why, Status::kNotSupported, "Hopper row-conv: no instance of this tile width for this launch");
}
#endif
#if CT3D_SM90_PART == 2 || CT3D_SM90_PART == 5
// x NCDHW (w stride 1, n and channel folded: stride[0] == Cin * stride[1]) as (w, h, d, n * Cin), read in boxes of
// kRowBytes of positions (128: 32 fp32, 64 16-bit) x `channels`: grad_weight's K-major A (the Hopper grad_weight's,
// wgrad_sm90.cuh: 32 channels; the grad_weight GEMM's, wgemm_sm90.cuh: M)
template <class Tr, int kRowBytes = 128>
Status x_map_ncdhw(const TensorRef5& x, cuuint32_t channels, bool tf32, CUtensorMap* map, std::string* why) {
  const cuuint64_t dims[4] = {cuuint64_t(x.size[4]), cuuint64_t(x.size[3]), cuuint64_t(x.size[2]),
                              cuuint64_t(x.size[0] * x.size[1])};
  const int64_t strides[3] = {x.stride[3], x.stride[2], x.stride[1]};
  const cuuint32_t box[4] = {kRowBytes / sizeof(typename Tr::Element), 1, 1, channels};
  return map_tiled<Tr, kRowBytes>(x.data, dims, strides, box, tf32, map, why);
}
#endif
#if CT3D_SM90_PART == 2

template <class Tr, int NKW, int KB>
Status launch_wgrad(const HopperWgradParams& p, const CUtensorMap& map, cudaStream_t stream, std::string* why) {
  auto kernel = hopper_wgrad_kernel<Tr, NKW, KB>;
  const size_t smem = hopper_wgrad_smem_bytes(p);
  Status s = detail::cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why,
                                "cudaFuncSetAttribute (Hopper grad_weight)");
  if (s != Status::kSuccess) return s;
  kernel<<<p.ctas, HopperWgradTiles::cta_threads(NKW), smem, stream>>>(map, p);
  return detail::cuda_check(cudaGetLastError(), why, "Hopper grad_weight kernel launch");
}
#elif CT3D_SM90_PART == 3
template <class E, int EW, int NKW, bool kCL, bool kSplit, bool kW = false>
Status launch_dgrad(const HopperDgradParams& p, cudaStream_t stream, std::string* why) {
  auto kernel = hopper_dgrad_kernel<E, EW, NKW, kCL, kSplit, kW>;
  const size_t smem = hopper_dgrad_smem_bytes(p);
  Status s = detail::cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why,
                                "cudaFuncSetAttribute (Hopper grad_input)");
  if (s != Status::kSuccess) return s;
  kernel<<<p.nseg * p.chunks, HopperDgradTiles::kThreads, smem, stream>>>(p);
  return detail::cuda_check(cudaGetLastError(), why, "Hopper grad_input kernel launch");
}
template <class E, int EW, bool kCL, bool kSplit = false, bool kW = false>
Status launch_dgrad_kw(const HopperDgradParams& p, cudaStream_t stream, std::string* why) {
  static_assert(HopperDgradTiles::kMaxKw == 4, "one instance per w tap count");
  switch (p.Kw) {
    case 1: return launch_dgrad<E, EW, 1, kCL, kSplit, kW>(p, stream, why);
    case 2: return launch_dgrad<E, EW, 2, kCL, kSplit, kW>(p, stream, why);
    case 3: return launch_dgrad<E, EW, 3, kCL, kSplit, kW>(p, stream, why);
    case 4:  // (3xTF32 takes at most 3 w taps: four would spill its fragments)
      if constexpr (!kSplit) return launch_dgrad<E, EW, 4, kCL, kSplit, kW>(p, stream, why);
      break;
  }
  return detail::fail(why, Status::kNotSupported, "Hopper grad_input: more w taps than its instances take");
}
#endif

}  // namespace

#if CT3D_SM90_PART == 1
Status hopper_pack(const HopperParams& p, const TensorRef5& w, void* out, bool round_tf32, cudaStream_t stream,
                   std::string* why) {
  const dim3 grid(64, unsigned(p.nseg));
  return with_traits<true>(p.dtype, p.split, [&](auto tr) {
    using Tr = decltype(tr);
    auto* const o = static_cast<typename Tr::Element*>(out);
    if constexpr (Tr::kTF32 && !Tr::kSplit) {  // TF32 weights rounded here once (a split pack makes its own parts)
      if (round_tf32)
        hopper_pack_kernel<Tr, true><<<grid, 256, 0, stream>>>(w, o, p);
      else
        hopper_pack_kernel<Tr, false><<<grid, 256, 0, stream>>>(w, o, p);
    } else {
      hopper_pack_kernel<Tr, false><<<grid, 256, 0, stream>>>(w, o, p);
    }
    return detail::cuda_check(cudaGetLastError(), why, "Hopper weight pack kernel launch");
  });
}

// x: what the TMA map reads (x itself, or its channels_last copy in the workspace; split: the copy of both parts)
template <class Tr>
Status forward_as(const HopperParams& p, const TensorRef5& x, bool round_x, int ctas, cudaStream_t stream,
                  std::string* why) {
  // an fp32 x read in place is TF32-rounded by the producers (kRoundX) or, with tma_round, by its TMA map; a split
  // x (3xTF32) is the splitting copy's, or (v142, x_rs) split in the consumers' registers
  if (Tr::kSplit && round_x && !p.x_rs)
    return detail::fail(why, Status::kNotSupported, "the exact forward reads a split copy");
  const bool round = Tr::kTF32 && !Tr::kSplit && round_x, tma = round && p.tma_round;
  constexpr int kRows = HopperTiles::kRows, kCL = HopperTiles::kChannelsLast, kRV = HopperTiles::kRowVectors;
  CUtensorMap map;
  // v140: a 16-bit NCDHW x in place as the wgmma's MN-major B (the plan's x_mn); NCDHW y by row vectors only
  if constexpr (!Tr::kTF32) {
    if (p.x_mn) {
      if (!round_x || p.cf_dst || !p.vec16 || p.land_bytes > 0)
        return detail::fail(why, Status::kNotSupported,
                            "Hopper forward: an MN-major x in place needs an NCDHW y by row vectors, no landing buffers");
      Status s = x_map_ncdhw<Tr, 128>(x, HopperTiles::kMNBoxPos, false, &map, why);
      if (s != Status::kSuccess) return s;
      return launch_nsj<Tr, HopperTiles::kXMN, kRV>(p, map, ctas, stream, why);
    }
  } else if (p.x_mn) {
    return detail::fail(why, Status::kNotSupported, "Hopper forward: an MN-major x is 16-bit only");
  }
  // v141: an fp32 NCDHW x in place as the wgmma's register A, rounded to TF32 by its map (the plan's x_rs); an NCDHW
  // y by row vectors only; an instance per tile width and window offset count (the kernel's NSJ)
  // (v142, 3xTF32: x as it is, split in registers; 64-position tiles only)
  if constexpr (Tr::kTF32) {
    if (p.x_rs) {
      if (!(Tr::kSplit ? round_x && p.bq == HopperTiles::BQ : tma) || p.cf_dst || !p.vec16 || p.land_bytes > 0 ||
          p.x_mn || p.wgmma_pipe)
        return detail::fail(why, Status::kNotSupported,
                            "Hopper forward: x in registers needs an x in place (TF32: rounded by its map; 3xTF32: "
                            "64-position tiles) and an NCDHW y by row vectors");
      Status s = x_map_ncdhw<Tr, 0>(x, HopperTiles::rs_rows(p.bq), !Tr::kSplit, &map, why);
      if (s != Status::kSuccess) return s;
      static_assert(HopperTiles::kMaxRsS == 2, "one instance per window offset count");
      auto by_offsets = [&](auto bq) -> Status {  // (tile width bq: an instance per window offset count)
        constexpr int kR = HopperTiles::kXRegs, BQ = decltype(bq)::value;
        if (p.S == 1) return launch<Tr, kR, kRV, 1, BQ>(p, map, ctas, stream, why);
        if (p.S == 2) return launch<Tr, kR, kRV, 2, BQ>(p, map, ctas, stream, why);
        return detail::fail(why, Status::kNotSupported, "Hopper forward: x in registers takes 1 or 2 window offsets");
      };
      if (p.bq == HopperTiles::BQ) return by_offsets(std::integral_constant<int, HopperTiles::BQ>{});
      if constexpr (!Tr::kSplit)  // (3xTF32: 64-position tiles only, its registers)
        if (p.bq == HopperTiles::kRowBQ) return by_offsets(std::integral_constant<int, HopperTiles::kRowBQ>{});
      return detail::fail(why, Status::kNotSupported, "Hopper forward: x in registers at this tile width");
    }
  } else if (p.x_rs) {
    return detail::fail(why, Status::kNotSupported, "Hopper forward: x in registers is fp32 only");
  }
  // v133: an NCDHW x in place (the plan's land_bytes), transposed by the producers; NCDHW y only (the plan)
  if constexpr (!Tr::kSplit) {
    if (p.land_bytes > 0) {
      if (!round_x || p.cf_dst)
        return detail::fail(why, Status::kNotSupported, "Hopper forward: an NCDHW x in place needs an NCDHW y");
      Status s = x_map_ncdhw<Tr, 0>(x, HopperTiles::rows(p.S, p.bq), tma, &map, why);
      if (s != Status::kSuccess) return s;
      constexpr int kT = HopperTiles::kXTranspose;
      return p.vec16 ? launch_nsj<Tr, kT, kRV>(p, map, ctas, stream, why)
                     : launch_nsj<Tr, kT, kRows>(p, map, ctas, stream, why);
    }
  }
  Status s = x_map<Tr>(p, x, tma, &map, why);
  if (s != Status::kSuccess) return s;
  // the producers' rounding pass: a TF32 x read in place that its map does not round
  if constexpr (Tr::kTF32 && !Tr::kSplit) {
    if (round && !tma)  // (an NCDHW y stored by element lanes here, p.vec16 or not)
      return p.cf_dst ? launch_nsj<Tr, HopperTiles::kXRound, kCL>(p, map, ctas, stream, why)
                      : launch_nsj<Tr, HopperTiles::kXRound, kRows>(p, map, ctas, stream, why);
  }
  // NCDHW y by 16-byte vectors (v89, v91: the plan's p.vec16, never split)
  if constexpr (!Tr::kSplit)
    if (p.vec16 && !p.cf_dst) return launch_nsj<Tr, HopperTiles::kXMap, kRV>(p, map, ctas, stream, why);
  return p.cf_dst ? launch_nsj<Tr, HopperTiles::kXMap, kCL>(p, map, ctas, stream, why)
                  : launch_nsj<Tr, HopperTiles::kXMap, kRows>(p, map, ctas, stream, why);
}

Status hopper_forward(const HopperParams& p, const TensorRef5& x, bool round_x, int ctas, cudaStream_t stream,
                      std::string* why) {
  return with_traits<true>(p.dtype, p.split, [&](auto tr) {
    return forward_as<decltype(tr)>(p, x, round_x, ctas, stream, why);
  });
}
#elif CT3D_SM90_PART == 2
template <class Tr>
Status wgrad_as(const HopperWgradParams& p, cudaStream_t stream, std::string* why) {
  CUtensorMap map;
  // (a split x lands raw: the transform writes its two parts)
  Status s = x_map_ncdhw<Tr>(p.x, 32, Tr::kTF32 && !Tr::kSplit && p.x_rounded != 0, &map, why);
  if (s != Status::kSuccess) return s;
  static_assert(HopperWgradTiles::kMaxKw == 4 && HopperWgradTiles::kMaxKB == 2, "one instance per w tap count");
  // two k-blocks per stage (v90): fp32 TF32 and 16-bit (the plan sets kb 2 for nothing else)
  if constexpr (!Tr::kSplit) {
    // (a TF32 x rounded by its map: KB 2 has no rounding pass)
    if (p.kb == 2 && Tr::kTF32 && !p.x_rounded)
      return detail::fail(why, Status::kNotSupported, "Hopper grad_weight: kb 2 unrounded");
    if (p.kb == 2) switch (p.nkw) {
        case 1: return launch_wgrad<Tr, 1, 2>(p, map, stream, why);
        case 2: return launch_wgrad<Tr, 2, 2>(p, map, stream, why);
        case 3: return launch_wgrad<Tr, 3, 2>(p, map, stream, why);
        case 4: return launch_wgrad<Tr, 4, 2>(p, map, stream, why);
      }
  }
  if (p.kb != 1) return detail::fail(why, Status::kNotSupported, "Hopper grad_weight: two k-blocks per stage");
  switch (p.nkw) {
    case 1: return launch_wgrad<Tr, 1, 1>(p, map, stream, why);
    case 2: return launch_wgrad<Tr, 2, 1>(p, map, stream, why);
    case 3: return launch_wgrad<Tr, 3, 1>(p, map, stream, why);
    case 4: return launch_wgrad<Tr, 4, 1>(p, map, stream, why);
  }
  return detail::fail(why, Status::kNotSupported, "Hopper grad_weight: more than 4 w taps");
}

Status hopper_wgrad_partials(const HopperWgradParams& p, cudaStream_t stream, std::string* why) {
  return with_traits<true>(p.dtype, p.split != 0, [&](auto tr) { return wgrad_as<decltype(tr)>(p, stream, why); });
}
#elif CT3D_SM90_PART == 4
// P, the sm_80 policy of the loads and the epilogue, H the Hopper traits of the wgmmas, one per element type
template <class P, class H>
Status tapgemm_as(const TapGemmParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream, std::string* why) {
  auto go = [&](auto kernel, auto* k) {
    using K = std::remove_pointer_t<decltype(k)>;
    TapGemmParams q = p;
    q.stages = detail::tapgemm_stages<K>(lim, 2);
    return detail::launch_dyn(kernel, grid, K::smem_bytes(q.stages), lim.optin, q, stream, why,
                              "Hopper tap-GEMM kernel launch", TapGemmTiles::kThreads);
  };
  if (p.phase) return go(hopper_phasegemm_kernel<P, H>, static_cast<TapGemm<P, true, 0, false, true, H>*>(nullptr));
  if (p.dgrad) return go(hopper_tapgemm_kernel<P, H, 1>, static_cast<TapGemm<P, true, 1, false, false, H>*>(nullptr));
  return go(hopper_tapgemm_kernel<P, H, 0>, static_cast<TapGemm<P, true, 0, false, false, H>*>(nullptr));
}
Status hopper_tapgemm(DType dtype, const TapGemmParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream,
                      std::string* why) {
  if (!p.gmma || p.wgrad || (!p.phase && !(p.dgrad ? p.gcl : p.a_cf && p.a_vec)))
    return detail::fail(why, Status::kNotSupported, "Hopper tap-GEMM: A must be staged [position][k]");
  switch (dtype) {
    case DType::kF32: return tapgemm_as<PolicyTF32, HopperTF32>(p, grid, lim, stream, why);
    case DType::kF16: return tapgemm_as<PolicyF16, HopperF16>(p, grid, lim, stream, why);
    case DType::kBF16: return tapgemm_as<PolicyBF16, HopperBF16>(p, grid, lim, stream, why);
    default: return detail::fail(why, Status::kNotSupported, "Hopper tap-GEMM: fp32 (TF32), fp16 or bf16");
  }
}
#elif CT3D_SM90_PART == 5
// A: x NCDHW (w stride 1, n and channel folded) as (w, h, d, n * Cin) in boxes of 128 bytes of positions x M
// channels.  B: the grad_y copy as (j, variant, oh, od, n * Cout) in boxes of 128 bytes of positions x bc channels.
// Both rounded to TF32 by their maps where fp32 (the plan takes TF32 products only).  In place (p.inplace; v125
// 16-bit, v126 fp32): the caller's channels_last x and grad_y through 5D maps instead, no copies.
template <class Tr, int MW, int N, int RB>
Status launch_wgemm(const HopperWgemmParams& p, cudaStream_t stream, std::string* why) {
  using E = typename Tr::Element;
  constexpr cuuint32_t QB = RB / sizeof(E);
  const bool tf32 = Tr::kTF32;
  CUtensorMap xmap, ymap;
  auto gemm = [&](auto kernel) {  // (either form's instance, its maps encoded)
    const size_t smem = hopper_wgemm_smem_bytes(p);
    Status s = detail::cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why,
                                  "cudaFuncSetAttribute (Hopper grad_weight GEMM)");
    if (s != Status::kSuccess) return s;
    kernel<<<unsigned(p.nseg) * unsigned(p.chunks), HopperWgemmTiles::cta_threads(MW), smem, stream>>>(xmap, ymap, p);
    return detail::cuda_check(cudaGetLastError(), why, "Hopper grad_weight GEMM kernel launch");
  };
  if (p.inplace) {  // v125 / v126: x and grad_y read in place, [position][128 bytes of channels] boxes (grad_y's
                    // traversing w at Ew)
    constexpr cuuint32_t CH = 128 / sizeof(E);
    const cuuint32_t xb[5] = {CH, QB, 1, 1, 1}, xt[5] = {1, 1, 1, 1, 1};
    const cuuint32_t yb[5] = {CH, QB * cuuint32_t(p.Ew), 1, 1, 1}, yt[5] = {1, cuuint32_t(p.Ew), 1, 1, 1};
    Status s = map_cl5<Tr, 128>(p.x, xb, xt, tf32, &xmap, why);
    if (s == Status::kSuccess) s = map_cl5<Tr, 128>(p.gy, yb, yt, tf32, &ymap, why);
    return s == Status::kSuccess ? gemm(hopper_wgemm_kernel<Tr, MW, N, RB, true>) : s;
  }
  Status s = x_map_ncdhw<Tr, RB>(p.x, cuuint32_t(p.M), tf32, &xmap, why);
  if (s != Status::kSuccess) return s;
  const int64_t vs = p.Jw, hs = vs * p.nvar, ds = hs * p.OH, cs = ds * p.OD;
  const cuuint64_t ydims[5] = {cuuint64_t(p.Jw), cuuint64_t(p.nvar), cuuint64_t(p.OH), cuuint64_t(p.OD),
                               cuuint64_t(int64_t(p.N) * p.Cout)};
  const int64_t ystr[4] = {vs, hs, ds, cs};
  const cuuint32_t ybox[5] = {QB, 1, 1, 1, cuuint32_t(p.bc)};
  s = map_tiled<Tr, RB>(p.gyv, ydims, ystr, ybox, tf32, &ymap, why);
  if (s != Status::kSuccess) return s;
  constexpr int T = HopperWgemmTiles::kCopyTile;
  if (p.x_copy) {  // (the map above reads the copy: it is encoded from the address alone)
    const dim3 grid(unsigned(p.N * p.ID * p.IH), unsigned((p.IW + T - 1) / T), unsigned(p.Cin / T));
    wgemm_x_ncdhw_kernel<E><<<grid, 256, 0, stream>>>(p);
    s = detail::cuda_check(cudaGetLastError(), why, "grad_weight GEMM: x copy launch");
    if (s != Status::kSuccess) return s;
  }
  if (p.gy_tiles) {
    const dim3 grid(unsigned(p.N * p.OD * p.OH), unsigned(p.Cout / T));
    wgemm_variant_copy_tiles_kernel<E>
        <<<grid, HopperWgemmTiles::kCopyThreads, HopperWgemmTiles::tile_copy_smem(p.OW), stream>>>(p);
  } else {
    const int rows = p.N * p.Cout * p.OD * p.OH, per_block = 8 * kCopyRows;  // (8 warps a block)
    wgemm_variant_copy_kernel<E><<<std::min((rows + per_block - 1) / per_block, 65536), 256, 0, stream>>>(p);
  }
  s = detail::cuda_check(cudaGetLastError(), why, "grad_weight GEMM: grad_y copy launch");
  return s == Status::kSuccess ? gemm(hopper_wgemm_kernel<Tr, MW, N, RB, false>) : s;
}

template <class Tr, int MW, int RB>
Status wgemm_n(const HopperWgemmParams& p, cudaStream_t stream, std::string* why) {
  switch (p.nbox * p.bc) {
    case 64: return launch_wgemm<Tr, MW, 64, RB>(p, stream, why);
    case 128: return launch_wgemm<Tr, MW, 128, RB>(p, stream, why);
    case 192: return launch_wgemm<Tr, MW, 192, RB>(p, stream, why);
    case 256: return launch_wgemm<Tr, MW, 256, RB>(p, stream, why);
  }
  return detail::fail(why, Status::kNotSupported, "Hopper grad_weight GEMM: N must be 64, 128, 192 or 256");
}

Status hopper_wgemm_partials(const HopperWgemmParams& p, cudaStream_t stream, std::string* why) {
  return with_traits<false>(p.dtype, false, [&](auto tr) {
    using Tr = decltype(tr);
    if constexpr (!Tr::kTF32)  // (64-byte rows: 16-bit types only)
      if (p.rb == 64) return p.M == 128 ? wgemm_n<Tr, 2, 64>(p, stream, why) : wgemm_n<Tr, 1, 64>(p, stream, why);
    if (p.rb != 128) return detail::fail(why, Status::kNotSupported, "Hopper grad_weight GEMM: rows of 128 bytes");
    if (p.M == 128) return wgemm_n<Tr, 2, 128>(p, stream, why);
    if (p.M == 64) return wgemm_n<Tr, 1, 128>(p, stream, why);
    return detail::fail(why, Status::kNotSupported, "Hopper grad_weight GEMM: M must be 64 or 128");
  });
}
#elif CT3D_SM90_PART == 6
// x: the channels_last source as (channel, w, h, d, n) in boxes of kb channels (128 bytes) x bw x bh positions; the
// weights: class c's pack [groups * ldb][taps_c * Kc] in boxes of kb x N.  TF32 where fp32 (the plan: TF32 products):
// the maps round to nearest as the boxes land (the pack and a restaging copy have rounded already: the same values).
// CUTLASS_CONVT3D_SM90_PGEMM_CTAS (1-3, default ctas_per_sm): CTAs per SM, for the A/B
int pgemm_ctas(const HopperPgemm& g) {
  const char* ev = std::getenv("CUTLASS_CONVT3D_SM90_PGEMM_CTAS");
  return ev && *ev >= '1' && *ev <= '3' && ev[1] == 0 ? *ev - '0' : HopperPgemmTiles::ctas_per_sm(g.N, g.wpair, g.wgs, g.halo);
}

template <class Tr, int N, bool kPair, int kMinCtas, int kWG>
Status launch_pgemm(const TapGemmParams& p, HopperPgemm g, int per_sm, const SmemLimits& lim, cudaStream_t stream,
                    std::string* why) {
  using E = typename Tr::Element;
  using T = HopperPgemmTiles;
  HopperPgemmMaps maps;
  memset(&maps, 0, sizeof(maps));
  // (grad_input: the box traverses grad_y at the strides along w and h; its d row is the stage's)
  const cuuint32_t xb[5] = {cuuint32_t(g.kb), cuuint32_t(g.bw * g.es_w), cuuint32_t(g.bh * g.es_h), 1, 1};
  const cuuint32_t xt[5] = {1, cuuint32_t(g.es_w), cuuint32_t(g.es_h), 1, 1};
  Status s = map_cl5<Tr, T::kRowBytes>(p.src, xb, xt, Tr::kTF32, &maps.x, why);
  if (s != Status::kSuccess) return s;
  if (g.halo) {  // (v124: the boxes of a class's h taps, bh + hspan rows)
    const cuuint32_t xbh[5] = {cuuint32_t(g.kb), cuuint32_t(g.bw), cuuint32_t(g.bh + g.hspan), 1, 1};
    s = map_cl5<Tr, T::kRowBytes>(p.src, xbh, xt, Tr::kTF32, &maps.xh, why);
    if (s != Status::kSuccess) return s;
  }
  for (int c = 0; c < p.ph.ncls; ++c) {
    int r[3];
    p.ph.residues(c, r);
    const int64_t kdim = int64_t(p.ph.dim[0][r[0]].ntap) * p.ph.dim[1][r[1]].ntap * p.ph.dim[2][r[2]].ntap * p.Kc;
    if (kdim == 0) continue;  // (a class without taps: bias only, no loads)
    const cuuint64_t wd[2] = {cuuint64_t(kdim), cuuint64_t(int64_t(p.groups) * p.ldb)};
    const int64_t wst[1] = {kdim};
    const cuuint32_t wb[2] = {cuuint32_t(g.kb), cuuint32_t(N)};
    E* const wc = static_cast<E*>(const_cast<void*>(p.wpack)) + p.ph.wofs[c];
    s = map_tiled<Tr, T::kRowBytes>(wc, wd, wst, wb, Tr::kTF32, &maps.w[c], why);
    if (s != Status::kSuccess) return s;
  }
  g.slot_bytes = (g.arows + g.wboxes() * N) * T::kRowBytes;  // (wpair: both residues' weights; halo: the h taps')
  // the deepest ring that keeps `per_sm` CTAs on an SM (1 KB of each CTA's shared memory is the system's)
  const int zero = kPair ? T::kZeroBytes : 0;
  const int per_cta = std::min(lim.optin, lim.per_sm / per_sm - 1024) - T::kBarBytes - 1024 - zero;
  g.ring = std::min(T::kMaxRing, per_cta / g.slot_bytes);
  if (g.ring < 2) return detail::fail(why, Status::kNotSupported, "Hopper phase-GEMM: shared memory for 2 stages");
  g.ctas = int(std::min<int64_t>(g.tiles, int64_t(per_sm) * device_attrs().sms));
  const size_t smem = size_t(T::kBarBytes) + 1024 + zero + size_t(g.ring) * g.slot_bytes;
  auto kernel = hopper_tma_phasegemm_kernel<Tr, N, kPair, kMinCtas, kWG>;
  s = detail::cuda_check(ensure_dynamic_smem(reinterpret_cast<const void*>(kernel), smem), why,
                         "cudaFuncSetAttribute (Hopper phase-GEMM)");
  if (s != Status::kSuccess) return s;
  kernel<<<g.ctas, T::cta_threads(kWG), smem, stream>>>(maps, p, g);
  return detail::cuda_check(cudaGetLastError(), why, "Hopper phase-GEMM kernel launch");
}

Status hopper_pgemm(DType dtype, const TapGemmParams& p, const SmemLimits& lim, cudaStream_t stream,
                    std::string* why) {
  return with_traits<false>(dtype, false, [&](auto tr) {
    using Tr = decltype(tr);
    HopperPgemm g;
    if (!hopper_pgemm_geometry(p, p.src.size[0], int(sizeof(typename Tr::Element)), &g))
      return detail::fail(why, Status::kNotSupported, "Hopper phase-GEMM: the problem's geometry");
    const int per_sm = pgemm_ctas(g);
    constexpr int C2 = HopperPgemmTiles::kCtasPerSm;
    if (g.wpair)  // (the instance whose launch bounds fit the CTAs per SM asked for)
      return per_sm >= 2 ? launch_pgemm<Tr, 64, true, 2, 2>(p, g, per_sm, lim, stream, why)
                         : launch_pgemm<Tr, 64, true, 1, 2>(p, g, per_sm, lim, stream, why);
    if (g.wgs == 4)  // (v122: 544 threads, one CTA an SM)
      return g.N == 128 ? launch_pgemm<Tr, 128, false, 1, 4>(p, g, per_sm, lim, stream, why)
                        : launch_pgemm<Tr, 64, false, 1, 4>(p, g, per_sm, lim, stream, why);
    return g.N == 128 ? launch_pgemm<Tr, 128, false, C2, 2>(p, g, per_sm, lim, stream, why)
                      : launch_pgemm<Tr, 64, false, C2, 2>(p, g, per_sm, lim, stream, why);
  });
}
#else  // CT3D_SM90_PART == 3
bool hopper_built() { return true; }

Status hopper_dgrad_pack(const HopperDgradParams& p, cudaStream_t stream, std::string* why) {
  Status s = detail::cuda_check(cudaMemsetAsync(p.w_nonfinite, 0, sizeof(unsigned), stream), why,
                                "Hopper grad_input flag reset");
  if (s != Status::kSuccess) return s;
  return with_traits<false>(p.dtype, false, [&](auto tr) {
    using E = typename decltype(tr)::Element;
    hopper_dgrad_pack_kernel<<<128, 256, 0, stream>>>(p, static_cast<E*>(const_cast<void*>(p.wpack)));
    return detail::cuda_check(cudaGetLastError(), why, "Hopper grad_input weight pack launch");
  });
}

Status hopper_dgrad(const HopperDgradParams& p, cudaStream_t stream, std::string* why) {
  if (p.split) {  // exact fp32 (3xTF32)
    if (p.dtype != DType::kF32)
      return detail::fail(why, Status::kNotSupported, "Hopper grad_input: 3xTF32 on fp32 only");
    if (p.cl)
      return p.Ew == 2 ? launch_dgrad_kw<float, 2, true, true>(p, stream, why)
                       : launch_dgrad_kw<float, 1, true, true>(p, stream, why);
    return p.Ew == 2 ? launch_dgrad_kw<float, 2, false, true>(p, stream, why)
                     : launch_dgrad_kw<float, 1, false, true>(p, stream, why);
  }
  if (p.fuse) {  // v146: grad_weight too (16-bit, NCDHW)
    if (p.cl || p.dtype == DType::kF32 || !p.gw_ws)
      return detail::fail(why, Status::kNotSupported, "Hopper fused backward: 16-bit NCDHW only, with its partials");
    return with_traits<false>(p.dtype, false, [&](auto tr) {
      using E = typename decltype(tr)::Element;
      if constexpr (sizeof(E) == 2)
        return p.Ew == 2 ? launch_dgrad_kw<E, 2, false, false, true>(p, stream, why)
                         : launch_dgrad_kw<E, 1, false, false, true>(p, stream, why);
      return detail::fail(why, Status::kNotSupported, "Hopper fused backward: 16-bit only");
    });
  }
  return with_traits<false>(p.dtype, false, [&](auto tr) {
    using E = typename decltype(tr)::Element;
    if (p.cl)
      return p.Ew == 2 ? launch_dgrad_kw<E, 2, true>(p, stream, why) : launch_dgrad_kw<E, 1, true>(p, stream, why);
    return p.Ew == 2 ? launch_dgrad_kw<E, 2, false>(p, stream, why) : launch_dgrad_kw<E, 1, false>(p, stream, why);
  });
}
#endif

}  // namespace ct3d
