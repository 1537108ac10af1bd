// Pieces the Hopper kernels share (rowconv_sm90.cuh: forward, wgrad_sm90.cuh: grad_weight): the TF32 wgmma,
// shared-memory matrix descriptors, TMA loads and warpgroup barriers.
#pragma once
#include <cuda.h>

#include <cute/arch/mma_sm90_gmma.hpp>
#include <cutlass/arch/barrier.h>
#include <type_traits>
#include <utility>

#include "kernel_params.h"
#include "mma_policy.cuh"
#include "slab_loader.cuh"

namespace ct3d {

// Probe builds (-DCT3D_PROBE=1, CMake option CT3D_PROBE; never a release): CUTLASS_CONVT3D_PROBE=<m> leaves out one
// piece of a Hopper kernel's work so that its time shows by difference (the outputs are then wrong; timing only).
//   forward:     1 the epilogue's global stores, 2 the whole epilogue (staging too), 3 the wgmmas
//   grad_weight: 1 the transform's work (x rounding, B build), 2 the wgmmas, 3 the producer's grad_y window copies
//   grad_input:  1 the consumers' fragment loads, 2 the wgmmas, 3 the producer's grad_y copies
// Elsewhere CT3D_PROBE_IS is false at compile time: the kernels are the release kernels.
// (A probe run's sums are garbage, possibly NaN: CT3D_PROBING keeps them from the masked recompute, whose time would
// swamp the difference.)
#ifdef CT3D_PROBE
#define CT3D_PROBE_IS(p, m) ((p).probe == (m))
#define CT3D_PROBING(p) ((p).probe != 0)
#else
#define CT3D_PROBE_IS(p, m) false
#define CT3D_PROBING(p) false
#endif

// One wgmma with both operands in shared memory, m64 n(2 x sizeof...(I)), fp32 accumulators (N / 2 per thread):
// the instruction O32, O64, O96 or O128 for N = 32, 64, 96 or 128
template <class O32, class O64, class O96, class O128, size_t... I>
CT3D_DEV void wgmma_ss(uint64_t da, uint64_t db, float (&d)[sizeof...(I)], std::index_sequence<I...>) {
  constexpr size_t n = sizeof...(I);
  static_assert(n == 16 || n == 32 || n == 48 || n == 64, "N = 32, 64, 96 or 128");
  using Op = std::conditional_t<n == 16, O32, std::conditional_t<n == 32, O64, std::conditional_t<n == 48, O96, O128>>>;
  Op::fma(da, db, d[I]...);
}

// Element traits of the Hopper kernels: the 16-byte k chunk (VEC elements), the bytes of one 32-channel row of an x
// box (kRowBytes: the swizzle width of the B operand), whether operands are TF32 (kTF32) and split into big + small
// TF32 parts (kSplit: 3xTF32, fp32 accuracy), the most warpgroups a CTA runs (kMaxWG: the register budget), and the
// wgmma of one 32-byte k step (k8 for TF32, k16 for 16-bit types).  Both kinds lay a k step out alike: two 16-byte
// chunks.
struct HopperTF32 {
  using Element = float;
  static constexpr int VEC = 4;
  static constexpr int kRowBytes = 128;
  static constexpr bool kTF32 = true;
  static constexpr bool kSplit = false;
  static constexpr int kMaxWG = HopperTiles::kMaxWG;
  template <size_t... I>
  CT3D_DEV static void mma(uint64_t da, uint64_t db, float (&d)[sizeof...(I)], std::index_sequence<I...> seq) {
    using namespace cute::SM90::GMMA;
    wgmma_ss<MMA_64x32x8_F32TF32TF32_SS_TN<>, MMA_64x64x8_F32TF32TF32_SS_TN<>, MMA_64x96x8_F32TF32TF32_SS_TN<>,
             MMA_64x128x8_F32TF32TF32_SS_TN<>>(da, db, d, seq);
  }
  // v141: A from registers (the m64 k8 fragment: rows g and g + 8 of the warp's 16 at columns t and t + 4), B in
  // shared memory, m64 n64 into the 32 accumulators d[kOff ..]
  template <int kOff, int N, size_t... I>
  CT3D_DEV static void mma_rs(const uint32_t (&a)[4], uint64_t db, float (&d)[N], std::index_sequence<I...>) {
    static_assert(sizeof...(I) == 32 && kOff + 32 <= N, "m64 n64: 32 accumulators a thread");
    cute::SM90::GMMA::MMA_64x64x8_F32TF32TF32_RS_TN<>::fma(a[0], a[1], a[2], a[3], db, d[kOff + I]...);
  }
};
// fp32 at fp32 accuracy (cudnn.allow_tf32 = False): weights and x as big + small TF32 parts (the packed weights and
// the x slots hold both), each k step three wgmmas (big big, big small, small big) into per-pair accumulators that
// are added to the tile's with IEEE adds (the tensor cores' fp32 accumulation truncates: PolicyExact's kSplitAcc).
// The second accumulator set costs 32 registers: three warpgroups at most.
struct Hopper3xTF32 : HopperTF32 {
  static constexpr bool kSplit = true;
  static constexpr int kMaxWG = HopperTiles::kMaxWGSplit;
};
// T: cutlass::half_t or cutlass::bfloat16_t, both operands K-major (or B MN-major: v140), fp32 accumulators.  A
// 32-channel x row is 64 bytes: the 64-byte swizzle.
template <class T>
struct Hopper16 {
  static_assert(std::is_same<T, cutlass::half_t>::value || std::is_same<T, cutlass::bfloat16_t>::value, "fp16 or bf16");
  using Element = T;
  static constexpr int VEC = 8;
  static constexpr int kRowBytes = 64;
  static constexpr bool kTF32 = false;
  static constexpr bool kSplit = false;
  static constexpr int kMaxWG = HopperTiles::kMaxWG;
  // kB: B's major mode, K (an x box of channels_last rows) or (v140) MN (an NCDHW x box as it lands: positions along
  // the 128-byte rows, channels down)
  template <cute::SM90::GMMA::Major kB = cute::SM90::GMMA::Major::K, size_t... I>
  CT3D_DEV static void mma(uint64_t da, uint64_t db, float (&d)[sizeof...(I)], std::index_sequence<I...> seq) {
    using namespace cute::SM90::GMMA;
    constexpr auto K = Major::K;
    if constexpr (std::is_same<T, cutlass::bfloat16_t>::value)
      wgmma_ss<MMA_64x32x16_F32BF16BF16_SS<K, kB>, MMA_64x64x16_F32BF16BF16_SS<K, kB>,
               MMA_64x96x16_F32BF16BF16_SS<K, kB>, MMA_64x128x16_F32BF16BF16_SS<K, kB>>(da, db, d, seq);
    else
      wgmma_ss<MMA_64x32x16_F32F16F16_SS<K, kB>, MMA_64x64x16_F32F16F16_SS<K, kB>, MMA_64x96x16_F32F16F16_SS<K, kB>,
               MMA_64x128x16_F32F16F16_SS<K, kB>>(da, db, d, seq);
  }
};
using HopperF16 = Hopper16<cutlass::half_t>;
using HopperBF16 = Hopper16<cutlass::bfloat16_t>;

// Shared-memory matrix descriptors (CUTLASS's GmmaDescriptor): start address, leading byte offset (between k
// chunks; unused by swizzled K-major), stride byte offset (between 8-row groups), all in 16-byte units; the base
// offset (row of the swizzle pattern the start address is in) and the layout type (0: none, 1: 128-byte swizzle,
// 2: 64-byte swizzle).
CT3D_DEV uint64_t gmma_desc(uint32_t addr, uint32_t lbo, uint32_t sbo) {
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t(lbo >> 4) << 16) | (uint64_t(sbo >> 4) << 32);
}
// The 128-byte swizzle is applied to absolute shared-memory addresses (row = address bits 7-9), so an operand
// starting s rows into a 1024-byte atom keeps base offset 0 (measured: .ab microtest, H200; the PTX manual's
// (addr >> 7) & 7 there gave wrong products).  kRowBytes = 64: the 64-byte swizzle (512-byte atoms of 8 rows of 64
// bytes, chunk bits 4-5 XOR address bits 7-8), assumed to start alike at any row (benchmarks/hopper_sw64_microtest.cu;
// test_hopper_forward's fp16 / bf16 modes).
template <int kRowBytes = 128>
CT3D_DEV uint64_t gmma_desc_swizzled(uint32_t addr) {
  static_assert(kRowBytes == 128 || kRowBytes == 64, "the 128- or 64-byte swizzle");
  constexpr uint64_t layout = kRowBytes == 128 ? 1 : 2;  // the descriptor's layout type
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t(1) << 16) | (uint64_t(8 * kRowBytes >> 4) << 32) |
         (layout << 62);
}
CT3D_DEV uint64_t gmma_desc_sw128(uint32_t addr) { return gmma_desc_swizzled<128>(addr); }
// An MN-major operand in the 128-byte swizzle (16-bit types: a 128-byte row holds 64 elements of M or N at one k, as
// a TMA box of [k][64 channels] lands): lbo the stride between 64-element column blocks of M or N, sbo (1024) between
// 8-row groups along k (CuTe's make_gmma_desc<Major::MN>: ((8,n),(8,k)):((1,LBO),(8,SBO)) in 16-byte units)
CT3D_DEV uint64_t gmma_desc_mn_sw128(uint32_t addr, uint32_t lbo) {
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t(lbo >> 4) << 16) | (uint64_t(1024 >> 4) << 32) |
         (uint64_t(1) << 62);
}

// The segment whose CTAs (cta0 of each, ascending) hold this CTA: the Hopper forward and grad_weight give their
// segments CTAs by cost, so a segment's range is found by a walk (a few dozen segments at most)
template <class Params>
CT3D_DEV int hopper_segment_of_cta(const Params& p) {
  int si = 0;
  while (si + 1 < p.nseg && int(blockIdx.x) >= p.seg[si + 1].cta0) ++si;
  return si;
}

// Register holds around wgmmas (CuTe's warpgroup_fence_operand, on plain arrays): the compiler keeps every register's
// reads and writes on its side of the hold, so accumulators are not touched while a batch is in flight (floats, with
// the memory clobber that orders them against the slot accesses) and A fragments stay live until their wgmmas are done
template <int N>
CT3D_DEV void hold(float (&a)[N]) {
#pragma unroll
  for (int e = 0; e < N; ++e) asm volatile("" : "+f"(a[e])::"memory");
}
template <int N>
CT3D_DEV void hold(uint32_t (&a)[N]) {
#pragma unroll
  for (int e = 0; e < N; ++e) asm volatile("" : "+r"(a[e]));
}

CT3D_DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

CT3D_DEV void tma_load_2d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n" ::"r"(
          uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(uint32_t(__cvta_generic_to_shared(bar)))
      : "memory");
}

// L2 eviction priority of an access (createpolicy; HopperParams::l2hint): evict_first for a stream that is written
// once and never read back (the forward's y, 1 GB on the mission, which otherwise pushes out of L2 the x rows the
// next d row reads again), evict_last for data read again soon, evict_normal as a plain access.  The policy is a
// register: one code path whatever the priority.
enum class L2Prio { kNormal = 0, kFirst = 1, kLast = 2 };
CT3D_DEV uint64_t l2_policy(L2Prio prio) {
  uint64_t pol;
  if (prio == L2Prio::kFirst)
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(pol));
  else if (prio == L2Prio::kLast)
    asm volatile("createpolicy.fractional.L2::evict_last.b64 %0, 1.0;\n" : "=l"(pol));
  else
    asm volatile("createpolicy.fractional.L2::evict_normal.b64 %0, 1.0;\n" : "=l"(pol));
  return pol;
}
// st_global_v4 and an element store under an L2 policy
CT3D_DEV void st_global_v4(void* p, const uint4& v, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.v4.b32 [%0], {%1, %2, %3, %4}, %5;\n" ::"l"(p), "r"(v.x), "r"(v.y), "r"(v.z),
               "r"(v.w), "l"(pol));
}
// an mbarrier arrive where pr holds, as one predicated instruction (no branch: between wgmmas in flight on the same
// accumulators a divergent branch makes ptxas serialise them, C7518)
CT3D_DEV void mbarrier_arrive_if(bool pr, uint64_t* bar) {
  asm volatile("{\n .reg .pred q;\n setp.ne.b32 q, %1, 0;\n @q mbarrier.arrive.shared::cta.b64 _, [%0];\n}\n" ::"r"(
                   uint32_t(__cvta_generic_to_shared(bar))),
               "r"(int(pr))
               : "memory");
}
template <class E>
CT3D_DEV void st_global_elem(E* p, E v, uint64_t pol) {
  static_assert(sizeof(E) == 4 || sizeof(E) == 2, "fp32, fp16 or bf16");
  if constexpr (sizeof(E) == 4) {
    asm volatile("st.global.L2::cache_hint.b32 [%0], %1, %2;\n" ::"l"(p), "r"(__float_as_uint(float(v))), "l"(pol));
  } else {
    uint16_t u;
    memcpy(&u, &v, 2);
    asm volatile("st.global.L2::cache_hint.b16 [%0], %1, %2;\n" ::"l"(p), "h"(u), "l"(pol));
  }
}

// cp_async_16 (slab_loader.cuh) under an L2 policy
CT3D_DEV void cp_async_16(uint32_t smem, const void* gmem, int src_bytes, uint64_t pol) {
  asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2, %3;\n" ::"r"(smem), "l"(gmem),
               "r"(src_bytes), "l"(pol));
}
// ... a TMA load under an L2 policy
CT3D_DEV void tma_load_4d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3,
                          uint64_t pol) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes.L2::cache_hint [%0], [%1, {%2, %3, "
      "%4, %5}], [%6], %7;\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
      "r"(uint32_t(__cvta_generic_to_shared(bar))), "l"(pol)
      : "memory");
}
CT3D_DEV void tma_load_4d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4, %5}], "
      "[%6];\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
      "r"(uint32_t(__cvta_generic_to_shared(bar)))
      : "memory");
}

// ... under an L2 policy (v133's NCDHW x boxes under the forward's l2hint)
CT3D_DEV void tma_load_5d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3, int c4,
                          uint64_t pol) {
  asm volatile(
      "cp.async.bulk.tensor.5d.shared::cluster.global.mbarrier::complete_tx::bytes.L2::cache_hint [%0], [%1, {%2, %3, "
      "%4, %5, %6}], [%7], %8;\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3), "r"(c4),
      "r"(uint32_t(__cvta_generic_to_shared(bar))), "l"(pol)
      : "memory");
}
CT3D_DEV void tma_load_5d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3, int c4) {
  asm volatile(
      "cp.async.bulk.tensor.5d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4, %5, %6}], "
      "[%7];\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3), "r"(c4),
      "r"(uint32_t(__cvta_generic_to_shared(bar)))
      : "memory");
}

CT3D_DEV void warpgroup_sync(int wg) {  // named barrier 1 + wg over the warpgroup's 128 threads
  asm volatile("bar.sync %0, %1;\n" ::"r"(1 + wg), "r"(HopperTiles::kThreads) : "memory");
}

// warpgroup_sync that also returns whether any of the warpgroup's threads passed v
CT3D_DEV bool warpgroup_sync_or(int wg, bool v) {
  uint32_t r;
  asm volatile(
      "{\n .reg .pred p, q;\n setp.ne.u32 p, %1, 0;\n bar.red.or.pred q, %2, %3, p;\n selp.u32 %0, 1, 0, q;\n}\n"
      : "=r"(r)
      : "r"(uint32_t(v)), "r"(1 + wg), "r"(HopperTiles::kThreads)
      : "memory");
  return r != 0;
}

}  // namespace ct3d
