// Hopper forward row-conv (sm_90a): wgmma with both operands in shared memory, x rows by TMA, weights resident.
//
// GEMM per tile (one output row (n, od, oh), BQ q positions of each of the two w phases, 32 output channels):
//   D[m = r * 32 + co][q] = sum over K = (pair, s, ci) of A[m][k] * B[q][k]
//   A: the segment's packed weights, W[ci][co][kd][kh][kw] with kw the tap of phase r at window offset s (0 where
//      none); K-major, no swizzle: [pair][s][ci / VEC][m][VEC], so 8 rows of one 16-byte k chunk are 128
//      contiguous bytes (a core matrix), the next 8 rows 128 bytes on (SBO), the next k chunk M * 16 on (LBO).
//   B: the pair's x row (n, id, ih), TMA boxes of a channels_last x, 32 channels (128 bytes) x BQ + S - 1 w
//      positions each, in the 128-byte swizzle (K-major SW128: the 16-byte chunk c of row w at c ^ (w mod 8)).
//      Window offset s starts the operand s rows (s * 128 bytes) in: one staged row serves every window offset.
//      Out-of-range w, h and d read as zeros (TMA's bounds fill).
// Output y[n][g * Nc + cb * 32 + co][od][oh][2 q + r]: accumulators staged in shared memory (the consumed x
// stage), then 16-byte stores along w (NCDHW) or along the channels (channels_last).
// A CTA takes an equal share of one segment's tiles and copies the segment's weights in once; each of its nwg
// warpgroups walks every nwg-th tile with nst x stages of its own (nst = 2: the next tile's TMA runs while this
// one multiplies and stores), so the warpgroups' waits overlap each other's work.
// History (benchmarks/NOTES.md v59-v61): one warpgroup per SM with 128-position tiles ran at 0.16 issued
// instructions per scheduler cycle, every step of a tile (TMA wait, wgmmas, staging, stores) exposed in turn;
// a 16-byte inner TMA box dimension cost nothing measurable against that.
#pragma once
#include <cuda.h>

#include <cute/arch/mma_sm90_gmma.hpp>
#include <cutlass/arch/barrier.h>
#include <utility>

#include "kernel_params.h"
#include "mma_policy.cuh"
#include "slab_loader.cuh"

namespace ct3d {

// Element traits of the Hopper row-conv: the 16-byte k chunk (VEC elements) and the wgmma of one 2-chunk k step.
struct HopperTF32 {
  using Element = float;
  static constexpr int VEC = 4;
  // m64 n(2 x sizeof...(I)) k8: the accumulators of N = 64 (32 per thread) or 128 (64)
  template <size_t... I>
  CT3D_DEV static void mma(uint64_t da, uint64_t db, float (&d)[sizeof...(I)], std::index_sequence<I...>) {
    if constexpr (sizeof...(I) == 32)
      cute::SM90::GMMA::MMA_64x64x8_F32TF32TF32_SS_TN<>::fma(da, db, d[I]...);
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

CT3D_DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

CT3D_DEV void tma_load_4d(const CUtensorMap* map, uint64_t* bar, void* dst, int c0, int c1, int c2, int c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4, %5}], "
      "[%6];\n" ::"r"(uint32_t(__cvta_generic_to_shared(dst))),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
      "r"(uint32_t(__cvta_generic_to_shared(bar)))
      : "memory");
}

struct HopperTile {
  int n, qd, qh, qb;
};
CT3D_DEV HopperTile hopper_tile(const HopperParams& p, const HopperSeg& g, int t) {
  HopperTile r;
  t = p.div_qb.divmod(t, r.qb);
  t = g.div_nqh.divmod(t, r.qh);
  r.n = g.div_nqd.divmod(t, r.qd);
  return r;
}

// A pair's x row: Kc / 32 boxes of 32 channels (128 bytes) x rows(S) positions, each a whole number of 1024-byte
// swizzle atoms (rows(S) is a multiple of 8).
CT3D_DEV int hopper_box_bytes(const HopperParams& p) { return HopperTiles::rows(p.S) * 128; }
CT3D_DEV int hopper_pair_bytes(const HopperParams& p) { return p.Kc / 32 * hopper_box_bytes(p); }

// A warpgroup's leader: tile t's x rows, Kc / 32 TMA boxes per pair, on the stage's barrier.
CT3D_DEV void hopper_issue(const CUtensorMap* xmap, const HopperParams& p, const HopperSeg& g, int t, uint64_t* bar,
                           uint8_t* stage) {
  const HopperTile tl = hopper_tile(p, g, t);
  const int pb = hopper_pair_bytes(p), bb = hopper_box_bytes(p);
  cutlass::arch::ClusterTransactionBarrier::arrive_and_expect_tx(bar, uint32_t(g.pairs * pb));
  const int w0 = tl.qb * HopperTiles::BQ + p.dmin, c0 = g.group * p.Kc;
  for (int i = 0; i < g.pairs; ++i) {
    const int id = tl.qd + g.dd[i], ih = tl.qh + g.dh[i];
    const bool ok = id >= 0 && id < p.D && ih >= 0 && ih < p.H;
    // a pair outside x reads an h row outside it: all zeros
    for (int j = 0; j < p.Kc / 32; ++j)
      tma_load_4d(xmap, bar, stage + i * pb + j * bb, c0 + 32 * j, w0, ok ? ih : -1, tl.n * p.D + (ok ? id : 0));
  }
}

CT3D_DEV void warpgroup_sync(int wg) {  // named barrier 1 + wg over the warpgroup's 128 threads
  asm volatile("bar.sync %0, %1;\n" ::"r"(1 + wg), "r"(HopperTiles::kThreads) : "memory");
}

template <class Tr, bool kRoundX, bool kCF>
__global__ void __launch_bounds__(HopperTiles::kThreads * HopperTiles::kMaxWG, 1)
    hopper_rowconv_kernel(const __grid_constant__ CUtensorMap xmap, const __grid_constant__ HopperParams p) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using E = typename Tr::Element;
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  constexpr int VEC = Tr::VEC, M = HopperTiles::M, BQ = HopperTiles::BQ, NACC = BQ / 2;
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* full = reinterpret_cast<uint64_t*>(smem);  // stage (wg, j): barrier wg * nst + j
  uint8_t* wsm = smem + 128;
  // stages from the next 1024-byte boundary (TMA's 128-byte swizzle atoms)
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  uint8_t* const stages = smem + (((smem_a + 128 + p.w_bytes + 1023) & ~1023u) - smem_a);
  const int tid = threadIdx.x, wg = tid / 128, wtid = tid % 128, warp = wtid / 32, lane = tid % 32;
  const int g8 = lane / 4, t4 = lane % 4;
  const int pb = hopper_pair_bytes(p), bb = hopper_box_bytes(p), KCH = p.Kc / VEC, nbox = p.Kc / 32;

  // the CTA's segment and its share of the tiles; warpgroup wg takes t0 + wg, t0 + wg + nwg, ...
  int si = 0;
  while (si + 1 < p.nseg && int(blockIdx.x) >= p.seg[si + 1].cta0) ++si;
  const HopperSeg& g = p.seg[si];
  const int part = int(blockIdx.x) - g.cta0;
  const int t0 = int(int64_t(g.tiles) * part / g.ctas), t1 = int(int64_t(g.tiles) * (part + 1) / g.ctas);
  {
    const uint4* src = reinterpret_cast<const uint4*>(static_cast<const E*>(p.wpack) + g.wofs);
    const int n16 = g.pairs * p.S * KCH * M;
    for (int i = tid; i < n16; i += blockDim.x) reinterpret_cast<uint4*>(wsm)[i] = src[i];
    fence_proxy_async();  // generic writes, read by the tensor cores
  }
  if (tid == 0) {
    for (int i = 0; i < p.nwg * p.nst; ++i) Bar::init(&full[i], 1);
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();
  if (wg >= p.nwg) return;
  uint8_t* const my_stages = stages + wg * p.nst * p.stage_bytes;
  uint64_t* const my_full = full + wg * p.nst;
  if (wtid == 0)
    for (int j = 0; j < p.nst; ++j)
      if (t0 + wg + j * p.nwg < t1) hopper_issue(&xmap, p, g, t0 + wg + j * p.nwg, &my_full[j], my_stages + j * p.stage_bytes);
  const uint32_t wsm_a = uint32_t(__cvta_generic_to_shared(wsm));
  const int od_r = g.rd, oh_r = g.rh, cbase = g.group * p.Nc + g.cblock * HopperTiles::BN;
  const E* bias = static_cast<const E*>(p.bias);
  float bv[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) bv[h] = bias ? float(bias[cbase + (warp & 1) * 16 + g8 + 8 * h]) : 0.f;
  E* y = static_cast<E*>(p.y.data);

  for (int k = 0;; ++k) {
    const int t = t0 + wg + k * p.nwg;
    if (t >= t1) break;
    const int st = p.nst == 1 ? 0 : (k & 1), use = p.nst == 1 ? k : (k >> 1);
    uint8_t* const stage = my_stages + st * p.stage_bytes;
    Bar::wait(&my_full[st], use & 1);
    if constexpr (kRoundX) {  // TF32 operands rounded to nearest (the tensor cores would truncate)
      uint4* s4 = reinterpret_cast<uint4*>(stage);
      for (int i = wtid; i < g.pairs * pb / 16; i += HopperTiles::kThreads) {
        uint4 v = s4[i];
        tf32_round_clear(v);
        s4[i] = v;
      }
      fence_proxy_async();
      warpgroup_sync(wg);
    }

    float acc[NACC];
#pragma unroll
    for (int i = 0; i < NACC; ++i) acc[i] = 0.f;
#pragma unroll
    for (int i = 0; i < NACC; ++i) asm volatile("" : "+f"(acc[i])::"memory");
    cute::warpgroup_arrive();
    const uint32_t xs = uint32_t(__cvta_generic_to_shared(stage));
    for (int i = 0; i < g.pairs; ++i)
      for (int s = 0; s < p.S; ++s)
        for (int j = 0; j < nbox; ++j) {
          // 32 input channels: weight chunks 8 j .. 8 j + 7 (M rows of 16 bytes each), box j of the x rows from row s
          const uint32_t a0 = wsm_a + uint32_t(((i * p.S + s) * KCH + 8 * j) * (M * 16));
          const uint32_t b0 = xs + uint32_t(i * pb + j * bb + s * 128);
#pragma unroll
          for (int kk = 0; kk < 4; ++kk)
            Tr::mma(gmma_desc(a0 + 2 * kk * (M * 16), M * 16, 128), gmma_desc_sw128(b0 + 32 * kk), acc,
                    std::make_index_sequence<NACC>{});
        }
    cute::warpgroup_commit_batch();
    cute::warpgroup_wait<0>();
#pragma unroll
    for (int i = 0; i < NACC; ++i) asm volatile("" : "+f"(acc[i])::"memory");
    warpgroup_sync(wg);  // all four warps' wgmmas are done with the stage: it becomes the output staging

    // accumulator (m = 16 * warp + g8 (+ 8), q = 8 j + 2 t4 (+ 1)): phase r = warp / 2, channel co
    const HopperTile tl = hopper_tile(p, g, t);
    const int r = warp >> 1, co0 = (warp & 1) * 16 + g8;
    const int od = p.Ed * tl.qd + od_r, oh = p.Eh * tl.qh + oh_r;
    const int o_base = 2 * BQ * tl.qb;
    const int nout = min(p.OW - o_base, 2 * BQ);
    float* os = reinterpret_cast<float*>(stage);
    const int64_t row0 = int64_t(tl.n) * p.y.stride[0] + od * p.y.stride[2] + oh * p.y.stride[3] + o_base * p.y.stride[4];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int co = co0 + 8 * h;
      if constexpr (kCF) {
#pragma unroll
        for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
          for (int e = 0; e < 2; ++e)
            os[(2 * (8 * j + 2 * t4 + e) + r) * HopperTiles::LDC + co] = acc[4 * j + 2 * h + e] + bv[h];
      } else {
        // each channel row staged at its destination's 16-byte phase
        const int ph = int((reinterpret_cast<uintptr_t>(y + row0 + (cbase + co) * p.y.stride[1]) / sizeof(E)) & 3);
#pragma unroll
        for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
          for (int e = 0; e < 2; ++e)
            os[co * HopperTiles::LDO + ph + 2 * (8 * j + 2 * t4 + e) + r] = acc[4 * j + 2 * h + e] + bv[h];
      }
    }
    warpgroup_sync(wg);
    if constexpr (kCF) {
      for (int i = wtid; i < 2 * BQ * (HopperTiles::BN / 4); i += HopperTiles::kThreads) {
        const int ol = i >> 3, cv = i & 7;
        if (ol < nout)
          st_global_v4(y + row0 + ol * p.y.stride[4] + cbase + 4 * cv,
                       *reinterpret_cast<const uint4*>(os + ol * HopperTiles::LDC + 4 * cv));
      }
    } else {
      // a warp per channel row, its lanes along the row's 16-byte vectors
      constexpr int NV = (2 * BQ + 3 + 3) / 4;  // vectors a staged row can touch
      for (int co = warp; co < HopperTiles::BN; co += HopperTiles::kThreads / 32) {
        E* rowp = y + row0 + (cbase + co) * p.y.stride[1];
        const int ph = int((reinterpret_cast<uintptr_t>(rowp) / sizeof(E)) & 3);
        const float* srow = os + co * HopperTiles::LDO;
        for (int v = lane; v < NV; v += 32) {
          const int e0 = 4 * v - ph;
          if (e0 >= 0 && e0 + 4 <= nout) {
            st_global_v4(rowp + e0, *reinterpret_cast<const uint4*>(srow + 4 * v));
          } else {
#pragma unroll
            for (int e = 0; e < 4; ++e)
              if (e0 + e >= 0 && e0 + e < nout) rowp[e0 + e] = srow[4 * v + e];
          }
        }
      }
    }
    fence_proxy_async();  // the staging's generic accesses before the next TMA writes the stage
    warpgroup_sync(wg);
    const int tn = t + p.nst * p.nwg;
    if (wtid == 0 && tn < t1) hopper_issue(&xmap, p, g, tn, &my_full[st], stage);
  }
#endif
}

// Weights packed per segment for the kernel's A operand (see the header comment), TF32-rounded for kRound.
template <class Tr, bool kRound>
__global__ void hopper_pack_kernel(TensorRef5 w, typename Tr::Element* out, const __grid_constant__ HopperParams p) {
  using E = typename Tr::Element;
  constexpr int VEC = Tr::VEC, M = HopperTiles::M;
  const HopperSeg& g = p.seg[blockIdx.y];
  const int KCH = p.Kc / VEC;
  const int64_t n = int64_t(g.pairs) * p.S * KCH * M * VEC;
  const E* ws = static_cast<const E*>(w.data);
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int v = int(e % VEC), m = int(e / VEC % M), c = int(e / (VEC * M) % KCH);
    const int s = int(e / (int64_t(VEC) * M * KCH) % p.S), i = int(e / (int64_t(VEC) * M * KCH * p.S));
    const int r = m / HopperTiles::BN, co = g.cblock * HopperTiles::BN + m % HopperTiles::BN;
    const int kw = p.kw_of[r][s], ci = g.group * p.Kc + c * VEC + v;
    E val = E(0);
    if (kw >= 0)
      val = ws[ci * w.stride[0] + co * w.stride[1] + g.kd[i] * w.stride[2] + g.kh[i] * w.stride[3] + kw * w.stride[4]];
    if constexpr (kRound) val = __uint_as_float(tf32_round_clear(val));
    out[g.wofs + e] = val;
  }
}

}  // namespace ct3d
