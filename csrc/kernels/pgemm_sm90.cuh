// The phase-GEMM forward over TMA boxes (sm_90a; v120): see HopperPgemmTiles for the decomposition.
//
// The gathering phase-GEMM (tapgemm_kernel.cuh, v99-v105) stages A with per-thread cp.async gathers whose address and
// bounds math paced it (v103's ncu: ~420 instructions a warp and K step, 0.57 issued per scheduler).  Here every
// operand is one TMA box: the class's x positions at a tap's offsets are a box of the channels_last source shifted by
// the offsets (the TMA fills what lies outside x with zeros, which is exactly the forward's bounds), so a stage costs
// one thread two instructions, and the consumers run nothing but barrier waits and wgmmas until the epilogue.
// Per stage (tap t of the tile's class, k-block j of input channels):
//   D[m][co] += sum over the k-block's channels ci of A[m][ci] * B[co][ci]
//   A: x[n][qd + offd][qh + offh][qw + offw][ci], the tile's BM positions (bh rows of bw) as TMA lands them in the
//      128-byte swizzle: K-major (channels contiguous), rounded to TF32 by its TFLOAT32 map where fp32
//   B: the class's packed weights, N rows (output channels) x the k-block, K-major (tapgemm_pack's gmma layout)
// Roles: two consumer warpgroups (64 positions each, one m64 nN wgmma per 32-byte k step) and one producer thread;
// persistent CTAs walk the tiles (blockIdx, + gridDim), the producer up to `ring` stages ahead, across tiles.
// Tiles are ordered with the classes of one position box and the column blocks side by side, so that the classes
// reading the same x box run together (one DRAM read) and, for an NCDHW y, the w residues write the two halves of the
// same sectors close in time.
// Zero x (outside the tensor) times a non-finite weight is NaN where the true sum has no term: as the gathering
// phase-GEMM, which zero-fills the same positions.  Every product of a finite weight with an x inside the tensor is a
// term of the output's sum (the class's taps are exactly the output's), so non-finite x propagates exactly.
#pragma once
#include "sm90_common.cuh"

namespace ct3d {

// The x map (the channels_last source) and one weight map per class (its K = taps x Kc differs)
struct HopperPgemmMaps {
  CUtensorMap x;
  CUtensorMap w[HopperPgemmTiles::kMaxClasses];
};

// Tile t: column block nb fastest, then group, class, w block, h block, d row, batch entry
struct PgemmTile {
  int n, qd, hb, wb, c, grp, nb;
  const TapGemmPhaseDim *Dd, *Dh, *Dw;
  CT3D_DEV PgemmTile(const TapGemmParams& p, const HopperPgemm& g, int t) {
    nb = t % g.nb;
    t /= g.nb;
    grp = t % p.groups;
    t /= p.groups;
    c = t % p.ph.ncls;
    t /= p.ph.ncls;
    wb = t % g.nwb;
    t /= g.nwb;
    hb = t % g.nhb;
    t /= g.nhb;
    qd = t % g.nqd;
    n = t / g.nqd;
    int r[3];
    p.ph.residues(c, r);
    Dd = &p.ph.dim[0][r[0]];
    Dh = &p.ph.dim[1][r[1]];
    Dw = &p.ph.dim[2][r[2]];
  }
  // no position of the class in the box (the class's counts may be one short of the largest)
  CT3D_DEV bool empty(const HopperPgemm& g) const {
    return qd >= Dd->cnt || hb * g.bh >= Dh->cnt || wb * g.bw >= Dw->cnt;
  }
  CT3D_DEV int taps() const { return Dd->ntap * Dh->ntap * Dw->ntap; }
};

template <class Tr, int N>
__global__ void __launch_bounds__(HopperPgemmTiles::cta_threads(), HopperPgemmTiles::kCtasPerSm)
    hopper_tma_phasegemm_kernel(const __grid_constant__ HopperPgemmMaps maps, const __grid_constant__ TapGemmParams p,
                                const __grid_constant__ HopperPgemm g) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using T = HopperPgemmTiles;
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  using E = typename Tr::Element;
  constexpr int NACC = N / 2, RB = T::kRowBytes;
  static_assert(N == 64 || N == 128, "N = 64 or 128");
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const empty = full + T::kMaxRing;
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  uint8_t* const slots = smem + (((smem_a + T::kBarBytes + 1023) & ~1023u) - smem_a);
  const int tid = threadIdx.x, lane = tid % 32, R = g.ring;
  if (tid == 0) {
    for (int i = 0; i < R; ++i) {
      Bar::init(&full[i], 1);             // the producer's expect-tx arrival
      Bar::init(&empty[i], 4 * T::kWG);  // every consumer warp
    }
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();
  const int tiles = int(g.tiles);

  if (tid >= T::kWG * T::kThreads) {  // the producer warp: one thread issues every load
    if (lane == 0) {
      const uint32_t bytes = uint32_t(T::BM + N) * RB;
      int sl = 0, ph = 0, it = 0;
      for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
        const PgemmTile tl(p, g, t);
        if (tl.empty(g)) continue;
        const TapGemmPhaseDim &Dd = *tl.Dd, &Dh = *tl.Dh, &Dw = *tl.Dw;
        const int xd = Dd.q0 + tl.qd, xh = Dh.q0 + tl.hb * g.bh, xw = Dw.q0 + tl.wb * g.bw;
        const int c0 = tl.grp * p.Kc, wrow = tl.grp * p.ldb + tl.nb * N;
        const CUtensorMap* const wmap = &maps.w[tl.c];
        int tap = 0;
        for (int td = 0; td < Dd.ntap; ++td)
          for (int th = 0; th < Dh.ntap; ++th)
            for (int tw = 0; tw < Dw.ntap; ++tw, ++tap)
              for (int j = 0; j < g.nkb; ++j) {
                if (it >= R) Bar::wait(&empty[sl], ph ^ 1);
                uint8_t* const slot = slots + sl * g.slot_bytes;
                Bar::arrive_and_expect_tx(&full[sl], bytes);
                tma_load_5d(&maps.x, &full[sl], slot, c0 + j * g.kb, xw + Dw.off[tw], xh + Dh.off[th],
                            xd + Dd.off[td], tl.n);
                tma_load_2d(wmap, &full[sl], slot + T::BM * RB, tap * p.Kc + j * g.kb, wrow);
                ++it;
                if (++sl == R) sl = 0, ph ^= 1;
              }
      }
    }
    return;
  }

  // consumer warpgroup wg: positions 64 wg .. 64 wg + 63 of the tile
  const int wg = tid / T::kThreads, warp = tid % T::kThreads / 32, g8 = lane / 4, t4 = lane % 4;
  const uint32_t s0 = uint32_t(__cvta_generic_to_shared(slots));
  const E* const bias = static_cast<const E*>(p.bias);
  E* const y = static_cast<E*>(p.dst.data);
  const int64_t* const ys = p.dst.stride;
  int sl = 0, ph = 0;
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    const PgemmTile tl(p, g, t);
    if (tl.empty(g)) continue;
    const int steps = tl.taps() * g.nkb;
    float acc[NACC];
#pragma unroll
    for (int e = 0; e < NACC; ++e) acc[e] = 0.f;
    // one stage's wgmmas in flight while the next slot is waited for: a slot is released a stage later
    int prev = 0;
    for (int s = 0; s < steps; ++s) {
      Bar::wait(&full[sl], ph);
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      cute::warpgroup_arrive();
      const uint32_t sa = s0 + uint32_t(sl * g.slot_bytes) + uint32_t(wg * 64 * RB),
                     sb = s0 + uint32_t(sl * g.slot_bytes + T::BM * RB);
#pragma unroll
      for (int kk = 0; kk < RB / 32; ++kk)  // 32-byte k steps: k8 TF32, k16 16-bit
        Tr::mma(gmma_desc_swizzled<RB>(sa + 32 * kk), gmma_desc_swizzled<RB>(sb + 32 * kk), acc,
                std::make_index_sequence<NACC>{});
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<1>();
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      if (s > 0 && lane == 0) Bar::arrive(&empty[prev]);
      prev = sl;
      if (++sl == R) sl = 0, ph ^= 1;
    }
    cute::warpgroup_wait<0>();
#pragma unroll
    for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
    if (steps > 0 && lane == 0) Bar::arrive(&empty[prev]);

    // accumulator e = 4 j + 2 h + (0, 1): position m = 64 wg + 16 warp + g8 + 8 h, column 8 j + 2 t4 (+ 1)
    const TapGemmPhaseDim &Dd = *tl.Dd, &Dh = *tl.Dh, &Dw = *tl.Dw;
    const int cb = tl.grp * p.Nc + tl.nb * N;
    const int64_t od = int64_t(Dd.omul) * (Dd.q0 + tl.qd) + Dd.obias;
    E* const ytile = y + tl.n * ys[0] + od * ys[2] + cb * ys[1];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int m = 64 * wg + 16 * warp + g8 + 8 * h;
      const int qh = tl.hb * g.bh + (m >> g.lbw), qw = tl.wb * g.bw + (m & (g.bw - 1));
      if (qh >= Dh.cnt || qw >= Dw.cnt) continue;
      const int64_t oh = int64_t(Dh.omul) * (Dh.q0 + qh) + Dh.obias, ow = int64_t(Dw.omul) * (Dw.q0 + qw) + Dw.obias;
      E* const yp = ytile + oh * ys[3] + ow * ys[4];
#pragma unroll
      for (int j = 0; j < NACC / 4; ++j) {
        const int col = 8 * j + 2 * t4;
        float v0 = acc[4 * j + 2 * h], v1 = acc[4 * j + 2 * h + 1];
        if (bias) v0 += float(bias[cb + col]), v1 += float(bias[cb + col + 1]);
        if (g.pairs) {
          if constexpr (sizeof(E) == 4) {
            *reinterpret_cast<float2*>(yp + col) = make_float2(v0, v1);
          } else {
            const E pr[2] = {E(v0), E(v1)};
            uint32_t u;
            memcpy(&u, pr, 4);
            *reinterpret_cast<uint32_t*>(yp + col) = u;
          }
        } else {
          yp[col * ys[1]] = E(v0);
          yp[(col + 1) * ys[1]] = E(v1);
        }
      }
    }
  }
#endif
}

}  // namespace ct3d
