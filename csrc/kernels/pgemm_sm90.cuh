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
// v121 (kPair, HopperPgemm::wpair): a tile holds both w residues of its (d, h) class, one accumulator set each; a
// stage is the x box at one w shift and the weights of the residues with a tap there (a residue without one
// multiplies a block of zeros: no branch around the wgmmas, see below), and row m's two outputs 2k, 2k + 1 along w
// are stored together (an NCDHW y: one 2-element store a channel).
// v122 (kWG = 4, HopperPgemm::wgs): one-class tiles of 256 positions over four consumer warpgroups; the same stages
// with boxes of twice the rows, so each stage's weights are loaded once for twice the positions.
// v124 (HopperPgemm::halo, the forward's tiles): a class with several h taps loads one x box of the tile's rows and
// the h halo its taps reach, with every h tap's weights (wpair: each residue's), per (td, tw or shift, k-block) slot;
// tap th's wgmmas read it from row arow(th) on (x read once for the class's h taps instead of once a tap).
// v123 (grad_input, TapGemmParams::dgrad): the same kernel with the source grad_y and the destination grad_x, one
// class whose taps are every (kd, kh, kw): its boxes traverse grad_y at the strides (the map's element strides), so
// box row (j, i) holds grad_y at (s_h (Q_h + j) + off, s_w (Q_w + i) + off) and the zero fill outside grad_y is the
// gradient's bounds, as it is the forward's.
#pragma once
#include "sm90_common.cuh"

namespace ct3d {

// The x map (the channels_last source; xh: v124's boxes of bh + hspan rows) and one weight map per class (its K =
// taps x Kc differs)
struct HopperPgemmMaps {
  CUtensorMap x, xh;
  CUtensorMap w[HopperPgemmTiles::kMaxClasses];
};

// a pair of adjacent elements as one store (the caller has checked the alignment)
template <class E>
CT3D_DEV void store_pair(E* at, float a, float b) {
  if constexpr (sizeof(E) == 4) {
    *reinterpret_cast<float2*>(at) = make_float2(a, b);
  } else {
    const E pr[2] = {E(a), E(b)};
    uint32_t u;
    memcpy(&u, pr, 4);
    *reinterpret_cast<uint32_t*>(at) = u;
  }
}

// kMinCtas: the launch bounds' CTAs per SM (wpair: its two accumulator sets take 146-156 registers at one CTA an SM,
// 96 with 32-52 bytes of spills at two, the default: 4-7% faster on vnet-128-64 16-bit, even in fp32); kWG: consumer
// warpgroups (g.wgs), 64 positions each
template <class Tr, int N, bool kPair, int kMinCtas, int kWG>
__global__ void __launch_bounds__(HopperPgemmTiles::cta_threads(kWG), kMinCtas)
    hopper_tma_phasegemm_kernel(const __grid_constant__ HopperPgemmMaps maps, const __grid_constant__ TapGemmParams p,
                                const __grid_constant__ HopperPgemm g) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using T = HopperPgemmTiles;
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  using E = typename Tr::Element;
  constexpr int NACC = N / 2, RB = T::kRowBytes, NR = kPair ? 2 : 1;  // NR: accumulator sets (w residues)
  constexpr int BM = 64 * kWG;                                        // positions a tile (g.bm)
  static_assert(N == 64 || (N == 128 && !kPair), "N = 64 or 128 (wpair: 64)");
  static_assert(kWG == 2 || (kWG == 4 && !kPair), "2 consumer warpgroups, or 4 for one-class tiles");
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const empty = full + T::kMaxRing;
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  // (wpair: 64 rows of zeros first, the operands of a residue without a tap at a stage's shift, below)
  uint8_t* const zeros = smem + (((smem_a + T::kBarBytes + 1023) & ~1023u) - smem_a);
  uint8_t* const slots = zeros + (kPair ? T::kZeroBytes : 0);
  const int tid = threadIdx.x, lane = tid % 32, R = g.ring;
  if (tid == 0) {
    for (int i = 0; i < R; ++i) {
      Bar::init(&full[i], 1);             // the producer's expect-tx arrival
      Bar::init(&empty[i], 4 * kWG);  // every consumer warp
    }
    cutlass::arch::fence_barrier_init();
  }
  if (kPair) {
    for (int i = tid; i < T::kZeroBytes / 16; i += blockDim.x) reinterpret_cast<uint4*>(zeros)[i] = make_uint4(0, 0, 0, 0);
    cutlass::arch::fence_view_async_shared();  // (the wgmmas read them through the async proxy)
  }
  __syncthreads();
  const int tiles = int(g.tiles);

  if (tid >= kWG * T::kThreads) {  // the producer warp: one thread issues every load
    if (lane == 0) {
      int sl = 0, ph = 0, it = 0;
      for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
        const PgemmTile tl(p, g, t);
        if (tl.empty(g)) continue;
        const int c0 = tl.grp * p.Kc, wrow = tl.grp * p.ldb + tl.nb * N;
        // a slot: the x box and the weight boxes b NR + r: residue r's tap (wpair), of h tap th + b (halo: nhb; a
        // class's pack steps its w taps from one h tap to the next)
        const bool halo = tl.halo(g);
        const int nhb = tl.subs(g), xrows = halo ? g.arows : BM;
        const CUtensorMap* const xmap = halo ? &maps.xh : &maps.x;
        for (int td = 0; td < tl.Dd->ntap; ++td)
          for (int th = 0; th < tl.Dh->ntap; th += nhb)
            for (int iw = 0; iw < tl.wsteps(g); ++iw) {
              int xo[3], cls[NR], tap[NR];
              tl.box(g, td, th, iw, xo);
              uint32_t bytes = uint32_t(xrows) * RB;
#pragma unroll
              for (int r = 0; r < NR; ++r) {
                tap[r] = tl.wtap(p.ph, g, td, th, iw, r, &cls[r]);
                if (tap[r] >= 0) bytes += uint32_t(nhb * N) * RB;
              }
              for (int j = 0; j < g.nkb; ++j) {
                if (it >= R) Bar::wait(&empty[sl], ph ^ 1);
                uint8_t* const slot = slots + sl * g.slot_bytes;
                Bar::arrive_and_expect_tx(&full[sl], bytes);
                tma_load_5d(xmap, &full[sl], slot, c0 + j * g.kb, xo[2], xo[1], xo[0], tl.n);
#pragma unroll
                for (int r = 0; r < NR; ++r) {
                  const int tstep = kPair ? p.ph.dim[2][g.wres[r]].ntap : tl.Dw->ntap;
                  for (int b = 0; b < nhb && tap[r] >= 0; ++b)
                    tma_load_2d(&maps.w[cls[r]], &full[sl], slot + (g.arows + (b * NR + r) * N) * RB,
                                (tap[r] + b * tstep) * p.Kc + j * g.kb, wrow);
                }
                ++it;
                if (++sl == R) sl = 0, ph ^= 1;
              }
            }
      }
    }
    return;
  }

  // consumer warpgroup wg: positions 64 wg .. 64 wg + 63 of the tile
  const int wg = tid / T::kThreads, warp = tid % T::kThreads / 32, g8 = lane / 4, t4 = lane % 4;
  const uint32_t s0 = uint32_t(__cvta_generic_to_shared(slots)), z0 = uint32_t(__cvta_generic_to_shared(zeros));
  const E* const bias = static_cast<const E*>(p.bias);
  E* const y = static_cast<E*>(p.dst.data);
  const int64_t* const ys = p.dst.stride;
  int sl = 0, ph = 0;
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    const PgemmTile tl(p, g, t);
    if (tl.empty(g)) continue;
    float acc[NR][NACC];
#pragma unroll
    for (int r = 0; r < NR; ++r)
#pragma unroll
      for (int e = 0; e < NACC; ++e) acc[r][e] = 0.f;
    // one batch of wgmmas in flight while the next is issued: a slot is released once the batch after its last
    // sub-stage has been issued (v124's halo: a slot is nsub sub-stages, h tap th's from box row arow(th) on)
    int prev = -1, j = 0, iw = 0, th = 0;
    const int nsub = tl.subs(g);
    for (int s = tl.steps(g); s > 0; --s) {
      // the residues with a tap at this stage (uniform over the CTA): wpair's w shift iw, k-block j
      const int mask = kPair ? (g.utap[iw][0] >= 0) | (g.utap[iw][1] >= 0) << 1 : 1;
      // (the operands' addresses before the fence: computed between it and the wgmmas, ptxas injected an arrive,
      // C7519)
      const uint32_t sa = s0 + uint32_t(sl * g.slot_bytes) + uint32_t((wg * 64 + tl.arow(g, th)) * RB),
                     sb = s0 + uint32_t(sl * g.slot_bytes + (g.arows + th * NR * N) * RB);
      if (th == 0) Bar::wait(&full[sl], ph);
#pragma unroll
      for (int r = 0; r < NR; ++r)
#pragma unroll
        for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[r][e])::"memory");
      cute::warpgroup_arrive();
      // A residue without a tap here multiplies zeros by zeros (+0 to its sums, whatever x holds) rather than
      // branching around its wgmmas: ptxas serialises wgmmas on a path it cannot prove uniform (C7520), which took
      // the first form of v121 from 0.245 to 0.316 ms (vnet fp32 channels_last, stop 51)
#pragma unroll
      for (int r = 0; r < NR; ++r) {
        const bool on = mask >> r & 1;
        const uint32_t ar = on ? sa : z0, br = on ? sb + r * N * RB : z0;
#pragma unroll
        for (int kk = 0; kk < RB / 32; ++kk)  // 32-byte k steps: k8 TF32, k16 16-bit
          Tr::mma(gmma_desc_swizzled<RB>(ar + 32 * kk), gmma_desc_swizzled<RB>(br + 32 * kk), acc[r],
                  std::make_index_sequence<NACC>{});
      }
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<1>();
#pragma unroll
      for (int r = 0; r < NR; ++r)
#pragma unroll
        for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[r][e])::"memory");
      if (th == 0 && prev >= 0 && lane == 0) Bar::arrive(&empty[prev]);
      if (++th == nsub) {  // the slot's last sub-stage: the next slot (wpair: its shift and k-block)
        th = 0;
        prev = sl;
        if (++sl == R) sl = 0, ph ^= 1;
        if (kPair && ++j == g.nkb) j = 0, iw = iw + 1 == g.nu ? 0 : iw + 1;
      }
    }
    cute::warpgroup_wait<0>();
#pragma unroll
    for (int r = 0; r < NR; ++r)
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[r][e])::"memory");
    if (prev >= 0 && lane == 0) Bar::arrive(&empty[prev]);

    // accumulator e = 4 j + 2 h + (0, 1): position m = 64 wg + 16 warp + g8 + 8 h, column 8 j + 2 t4 (+ 1)
    const int cb = tl.grp * p.Nc + tl.nb * N;
    E* const ytile = y + tl.n * ys[0] + cb * ys[1];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      int64_t o[3];
      if (!tl.out(g, 64 * wg + 16 * warp + g8 + 8 * h, 0, o)) continue;
      const bool both = kPair && o[2] + 1 < g.ow_n;  // (wpair: row m's second output, 2k + 1, inside y)
      E* const yp = ytile + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
#pragma unroll
      for (int j = 0; j < NACC / 4; ++j) {
        const int col = 8 * j + 2 * t4;
        float v[NR][2];
#pragma unroll
        for (int r = 0; r < NR; ++r) {
          v[r][0] = acc[r][4 * j + 2 * h], v[r][1] = acc[r][4 * j + 2 * h + 1];
          if (bias) v[r][0] += float(bias[cb + col]), v[r][1] += float(bias[cb + col + 1]);
        }
        if (kPair && g.wvec && both) {  // NCDHW: each channel's w pair as one store
          store_pair(yp + col * ys[1], v[0][0], v[NR - 1][0]);
          store_pair(yp + (col + 1) * ys[1], v[0][1], v[NR - 1][1]);
          continue;
        }
#pragma unroll
        for (int r = 0; r < NR; ++r) {
          if (r > 0 && !both) continue;
          E* const yr = yp + r * ys[4];
          if (g.pairs) {
            store_pair(yr + col, v[r][0], v[r][1]);
          } else {
            yr[col * ys[1]] = E(v[r][0]);
            yr[(col + 1) * ys[1]] = E(v[r][1]);
          }
        }
      }
    }
  }
#endif
}

}  // namespace ct3d
