// Pieces the Hopper kernels share (rowconv_sm90.cuh: forward, wgrad_sm90.cuh: grad_weight): the TF32 wgmma,
// shared-memory matrix descriptors, TMA loads and warpgroup barriers.
#pragma once
#include <cuda.h>

#include <cute/arch/mma_sm90_gmma.hpp>
#include <cutlass/arch/barrier.h>
#include <utility>

#include "kernel_params.h"
#include "mma_policy.cuh"
#include "slab_loader.cuh"

namespace ct3d {

// Element traits of the Hopper kernels: the 16-byte k chunk (VEC elements) and the wgmma of one 8-deep k step.
struct HopperTF32 {
  using Element = float;
  static constexpr int VEC = 4;
  // m64 n(2 x sizeof...(I)) k8: the accumulators of N = 32, 64, 96 or 128 (N / 2 per thread)
  template <size_t... I>
  CT3D_DEV static void mma(uint64_t da, uint64_t db, float (&d)[sizeof...(I)], std::index_sequence<I...>) {
    constexpr size_t n = sizeof...(I);
    static_assert(n == 16 || n == 32 || n == 48 || n == 64, "N = 32, 64, 96 or 128");
    if constexpr (n == 16)
      cute::SM90::GMMA::MMA_64x32x8_F32TF32TF32_SS_TN<>::fma(da, db, d[I]...);
    else if constexpr (n == 32)
      cute::SM90::GMMA::MMA_64x64x8_F32TF32TF32_SS_TN<>::fma(da, db, d[I]...);
    else if constexpr (n == 48)
      cute::SM90::GMMA::MMA_64x96x8_F32TF32TF32_SS_TN<>::fma(da, db, d[I]...);
    else
      cute::SM90::GMMA::MMA_64x128x8_F32TF32TF32_SS_TN<>::fma(da, db, d[I]...);
  }
};

// Shared-memory matrix descriptors (CUTLASS's GmmaDescriptor): start address, leading byte offset (between k
// chunks; unused by swizzled K-major), stride byte offset (between 8-row groups), all in 16-byte units; the base
// offset (row of the swizzle pattern the start address is in) and the layout type (0: none, 1: 128-byte swizzle).
CT3D_DEV uint64_t gmma_desc(uint32_t addr, uint32_t lbo, uint32_t sbo) {
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t(lbo >> 4) << 16) | (uint64_t(sbo >> 4) << 32);
}
// The 128-byte swizzle is applied to absolute shared-memory addresses (row = address bits 7-9), so an operand
// starting s rows into a 1024-byte atom keeps base offset 0 (measured: .ab microtest, H200; the PTX manual's
// (addr >> 7) & 7 there gave wrong products).
CT3D_DEV uint64_t gmma_desc_sw128(uint32_t addr) {
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t(1) << 16) | (uint64_t(1024 >> 4) << 32) | (uint64_t(1) << 62);
}

// The segment whose CTAs (cta0 of each, ascending) hold this CTA: the Hopper forward and grad_weight give their
// segments CTAs by cost, so a segment's range is found by a walk (a few dozen segments at most)
template <class Params>
CT3D_DEV int hopper_segment_of_cta(const Params& p) {
  int si = 0;
  while (si + 1 < p.nseg && int(blockIdx.x) >= p.seg[si + 1].cta0) ++si;
  return si;
}

CT3D_DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

CT3D_DEV void tma_load_4d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4, %5}], "
      "[%6];\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
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
