// Hopper grad_weight (sm_90a): wgmma over x positions, x rows by TMA, grad_y windows by cp.async (see
// HopperWgradParams for the decomposition).
//
// GEMM per stage (one grad_y row (n, od, oh) of the segment's class, QS x positions iw0 .. iw0 + QS - 1; QS = 32 for
// fp32, 64 for 16-bit types, see below):
//   D[m = pair * 32 + ci][n = kw * 32 + co] += sum over the QS positions of A[m][iw] * B[n][iw]
//   A: the x rows of the class's (kd, kh) pairs, 32 ci x QS positions each (128-byte rows), as TMA writes them in
//      the 128-byte swizzle: K-major, two pairs per 64-row wgmma tile.  Rows outside x read as zeros.
//   B: B[kw * 32 + co][iw] = gy[co][Ew * iw + woff[kw]] (zero outside the row), the same K-major swizzled layout,
//      built by a transform warpgroup from the staged window of each grad_y channel row.
// Roles: warpgroup 0 multiplies (consumer), warpgroups 1 (and 2) transform alternate stages (TF32-round x in
// place, build B), a producer warpgroup issues the x TMA loads and the grad_y window copies; a ring of slots (full:
// landed, ready: transformed, empty: multiplied) lets them run ahead of the tensor cores across rows.  v67's single
// producer warp paced every stage (~3000 cycles: 32 channel rows' copies issued lane by lane, ncu source counters).
// A CTA owns a chunk of its segment's rows and writes its partial sums D to ws[chunk] (the ordered reduce adds them);
// segments get CTAs in proportion to their cost (pairs per stage), so their chunk counts differ.
// Zero operands (rows or positions outside the tensors) times a non-finite value would put NaN where the true sum has
// no term: a CTA whose sums are not all finite recomputes them on CUDA cores with every product masked.
// Element traits Tr (sm90_common.cuh): a k-block covers QB = 128 / sizeof(E) positions, so that a channel's positions
// are one 128-byte swizzled row either way (fp32: 32 positions, k8 wgmmas; fp16 / bf16: 64 positions, k16 wgmmas,
// each B word two positions); the windows move as 16-byte vectors of VEC = 16 / sizeof(E) elements.  A stage is KB
// k-blocks, QS = KB x QB positions: the x tiles of block kb at kb x p.xkb in the slot (a TMA box per pair and block),
// its B block at b_off + kb x NKW x 4096, one window copy for all of them.  KB = 2 by default (v111) for fp32 TF32 and
// for 16-bit at w stride 1, else under CUTLASS_CONVT3D_SM90_WGRAD_KB=2 (v90): the stage's fixed cost (barrier round
// trips, the roles' per-stage setup; v75 found the kernel bound by it, not by bytes) paid once per two k-blocks.
// fp32 at fp32 accuracy (Hopper3xTF32, kSplit; v87): x lands raw and the transform warpgroups write each x tile's and
// each B word's big and small TF32 parts (PolicyExact::split; the small parts at xs_off and bs_off of the slot); the
// consumer runs three wgmmas per k step (small x big, big x small, big x big: each k step's small terms before its
// big one, as sm_80's PolicyExact) into per-stage sums that it adds to the running ones with IEEE adds, since the tensor cores' fp32
// accumulation truncates (PolicyExact's kSplitAcc).  Segments hold at most 2 pairs (one A tile), so both sets of
// sums fit the consumer's registers.
#pragma once
#include "sm90_common.cuh"

namespace ct3d {

// grad_y row r of a segment.  Rows are ordered (n, block of kQB rows along d, qh, qd in the block): the x rows
// neighbouring grad_y rows share (along d: the next qd, along h: the next qh) are then read kQB rows apart, a few
// hundred KB per CTA that L2 keeps (ordered (n, qd, qh), the d neighbour came a whole plane later: x read ~3.7 times
// from DRAM on the mission shape).  The last block of a plane may be shorter (tail rows).
struct WgradRow {
  int n, qd, qh;
};
CT3D_DEV WgradRow wgrad_row(const HopperWgradParams& p, const HopperWgradSeg& g, int r) {
  constexpr int B = HopperWgradTiles::kQB;
  WgradRow w;
  int rem;
  w.n = g.div_plane.divmod(r, rem);
  if (rem < g.full_rows) {  // full blocks: (block, qh, qd in block)
    int in;
    const int qb = g.div_bnqh.divmod(rem, in);
    w.qh = in / B;
    w.qd = qb * B + in % B;
  } else {  // the tail block: (qh, qd in it)
    int qi;
    w.qh = g.div_tail.divmod(rem - g.full_rows, qi);
    w.qd = g.full_rows / g.div_bnqh.d * B + qi;
  }
  return w;
}
// Flat index of the first element of channel co's window for QS-position block `atom` of row rw: y position
// Ew * QS * atom + wmin (the producer copies from it rounded down to 16 bytes; the transform reads from its phase)
template <int QS>
CT3D_DEV int64_t wgrad_window(const HopperWgradParams& p, const HopperWgradSeg& g, const WgradRow& rw, int atom,
                              int co) {
  const int64_t od = int64_t(p.Ed) * rw.qd + g.rd, oh = int64_t(p.Eh) * rw.qh + g.rh;
  const int64_t c = int64_t(g.group) * p.Nc + g.cob * 32 + co;
  return rw.n * p.gy.stride[0] + c * p.gy.stride[1] + od * p.gy.stride[2] + oh * p.gy.stride[3] +
         int64_t(p.Ew) * QS * atom + p.wmin;
}

// A role's walk over the CTA's stages (StageWalk: slot, parity, QS-position block, grad_y row), with the row decoded
// and channel 0's window start computed once per row
template <int QS>
struct WgradStage : StageWalk {
  WgradRow rw;
  int64_t base;
  RowDeal deal;  // (r: the CTA's j-th row, the segment's row deal.row(r))
  CT3D_DEV void row(const HopperWgradParams& p, const HopperWgradSeg& g) {
    rw = wgrad_row(p, g, deal.row(r));
    base = wgrad_window<QS>(p, g, rw, blk, 0);
  }
  CT3D_DEV WgradStage(const HopperWgradParams& p, const HopperWgradSeg& g, RowDeal d, int t0)
      : StageWalk(t0, p.ring, p.katoms, 0), deal(d) {
    row(p, g);
  }
  CT3D_DEV void next(const HopperWgradParams& p, const HopperWgradSeg& g) {
    if (StageWalk::next(p.ring, p.katoms))
      row(p, g);
    else
      base += int64_t(p.Ew) * QS;
  }
};

// The consumer warpgroup: MT 64-row tiles (pairs 2 mt, 2 mt + 1) x N = 32 NKW, over the CTA's stages (KB k-blocks
// each: x tiles p.xkb bytes apart, B blocks NKW x 4096); then its partial sums (masked recompute where not finite)
// into ws[chunk].
template <class Tr, int NKW, int MT, int KB>
CT3D_DEV void hopper_wgrad_consume(const HopperWgradParams& p, const HopperWgradSeg& g, uint8_t* slots,
                                   uint64_t* ready, uint64_t* empty, RowDeal deal, int chunk) {
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  static_assert(!Tr::kSplit || (MT == 1 && KB == 1), "3xTF32 segments hold one A tile (kMaxPairsSplit), one k-block");
  constexpr int NACC = NKW * 16;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32, g8 = lane / 4, t4 = lane % 4, R = p.ring;
  const int stages = deal.count * p.katoms;
  float acc[MT][NACC];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int e = 0; e < NACC; ++e) acc[mt][e] = 0.f;
  const uint32_t s0 = uint32_t(__cvta_generic_to_shared(slots));
  if constexpr (Tr::kSplit) {
    // each stage's products summed apart (pacc), then added to acc with IEEE adds: no stage in flight past its wait
    float pacc[NACC];
    for (int t = 0, sl = 0, ph = 0; t < stages; ++t) {
      Bar::wait(&ready[sl], ph);
#pragma unroll
      for (int e = 0; e < NACC; ++e) {
        pacc[e] = 0.f;
        asm volatile("" : "+f"(pacc[e])::"memory");
      }
      cute::warpgroup_arrive();
      const uint32_t sa = s0 + uint32_t(sl * p.slot_bytes), sb = sa + uint32_t(p.b_off);
      const uint32_t sas = sa + uint32_t(p.xs_off), sbs = sa + uint32_t(p.bs_off);  // the small parts
#pragma unroll
      for (int kk = 0; kk < 4; ++kk) {
        const uint64_t da = gmma_desc_sw128(sa + 32 * kk), db = gmma_desc_sw128(sb + 32 * kk);
        Tr::mma(gmma_desc_sw128(sas + 32 * kk), db, pacc, std::make_index_sequence<NACC>{});
        Tr::mma(da, gmma_desc_sw128(sbs + 32 * kk), pacc, std::make_index_sequence<NACC>{});
        Tr::mma(da, db, pacc, std::make_index_sequence<NACC>{});
      }
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<0>();
#pragma unroll
      for (int e = 0; e < NACC; ++e) {
        asm volatile("" : "+f"(pacc[e])::"memory");
        acc[0][e] += pacc[e];
      }
      if (lane == 0) Bar::arrive(&empty[sl]);
      if (++sl == R) sl = 0, ph ^= 1;
    }
  } else {
    // one stage's wgmmas in flight while the next stage's slot is waited for: a slot is released a stage later
    for (int t = 0, sl = 0, ph = 0; t < stages; ++t) {
      Bar::wait(&ready[sl], ph);
#pragma unroll
      for (int mt = 0; mt < MT; ++mt)
#pragma unroll
        for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[mt][e])::"memory");
      cute::warpgroup_arrive();
      const uint32_t sa = s0 + uint32_t(sl * p.slot_bytes), sb = sa + uint32_t(p.b_off);
#pragma unroll
      for (int mt = 0; mt < (CT3D_PROBE_IS(p, 2) ? 0 : MT); ++mt)
#pragma unroll
        for (int kb = 0; kb < KB; ++kb)
#pragma unroll
          for (int kk = 0; kk < 4; ++kk)
            Tr::mma(gmma_desc_sw128(sa + kb * p.xkb + mt * 8192 + 32 * kk),
                    gmma_desc_sw128(sb + kb * (NKW * 4096) + 32 * kk), acc[mt], std::make_index_sequence<NACC>{});
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<1>();
#pragma unroll
      for (int mt = 0; mt < MT; ++mt)
#pragma unroll
        for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[mt][e])::"memory");
      if (t > 0 && lane == 0) Bar::arrive(&empty[sl == 0 ? R - 1 : sl - 1]);
      if (++sl == R) sl = 0, ph ^= 1;
    }
    cute::warpgroup_wait<0>();
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[mt][e])::"memory");
  }
  // rows of pairs the segment lacks (the second half of a tile) hold whatever their x slot held: not checked
  float nf[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
    if (2 * mt + warp / 2 < g.npairs)
#pragma unroll
      for (int e = 0; e < NACC; ++e) nf[e % 4] = fmaf(acc[mt][e], 0.f, nf[e % 4]);
  const bool masked = warpgroup_sync_or(0, isnan(nf[0] + nf[1] + nf[2] + nf[3])) && !CT3D_PROBING(p);
  float* const ws = static_cast<float*>(p.ws) + (int64_t(chunk) * p.groups + g.group) * p.taps * p.Kc * p.Nc;
  if (!masked) {
    // accumulator (m = 16 warp + g8 (+ 8), n = 8 j + 2 t4 (+ 1)) of tile mt: pair 2 mt + m / 32, w tap n / 32
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int m = 16 * warp + g8 + 8 * h, pair = 2 * mt + m / 32, ci = g.cib * 32 + m % 32;
        if (pair >= g.npairs) continue;
        const int tap0 = (g.kd[pair] * p.Kh + g.kh[pair]) * p.Kw;
#pragma unroll
        for (int j = 0; j < NACC / 4; ++j) {
          const int n = 8 * j + 2 * t4, co = g.cob * 32 + n % 32;
          *reinterpret_cast<float2*>(ws + (int64_t(tap0 + n / 32) * p.Kc + ci) * p.Nc + co) =
              make_float2(acc[mt][4 * j + 2 * h], acc[mt][4 * j + 2 * h + 1]);
        }
      }
    return;
  }
  // masked: each sum over the chunk's rows and positions, products only where both operands are inside the tensors
  using E = typename Tr::Element;
  const E* x = static_cast<const E*>(p.x.data);
  const E* gy = static_cast<const E*>(p.gy.data);
  for (int idx = tid; idx < g.npairs * 32 * NKW * 32; idx += HopperWgradTiles::kThreads) {
    const int co = idx % 32, kw = idx / 32 % NKW, ci = idx / (32 * NKW) % 32, pair = idx / (32 * NKW * 32);
    const int cig = g.group * p.Kc + g.cib * 32 + ci, cog = g.group * p.Nc + g.cob * 32 + co;
    float s = 0.f;
    for (int j = 0; j < deal.count; ++j) {
      const WgradRow rw = wgrad_row(p, g, deal.row(j));
      const int id = rw.qd + g.dd[pair], ih = rw.qh + g.dh[pair];
      if (id < 0 || id >= p.ID || ih < 0 || ih >= p.IH) continue;
      const E* xr = x + rw.n * p.x.stride[0] + cig * p.x.stride[1] + id * p.x.stride[2] + ih * p.x.stride[3];
      const E* gr = gy + rw.n * p.gy.stride[0] + cog * p.gy.stride[1] +
                        (int64_t(p.Ed) * rw.qd + g.rd) * p.gy.stride[2] + (int64_t(p.Eh) * rw.qh + g.rh) * p.gy.stride[3];
      for (int iw = 0; iw < p.IW; ++iw) {
        const int ow = p.Ew * iw + p.woff[kw];
        if (ow >= 0 && ow < p.OW) {
          if constexpr (Tr::kTF32 && !Tr::kSplit)
            s = fmaf(__uint_as_float(tf32_round_clear(xr[iw])), __uint_as_float(tf32_round_clear(gr[ow])), s);
          else
            s = fmaf(float(xr[iw]), float(gr[ow]), s);
        }
      }
    }
    ws[(int64_t((g.kd[pair] * p.Kh + g.kh[pair]) * p.Kw + kw) * p.Kc + g.cib * 32 + ci) * p.Nc + g.cob * 32 + co] = s;
  }
}

// The reduce adds p.chunks partial sums per tap; a segment with fewer CTAs (nch) zeroes the others, CTA `chunk`
// its share of them (after its own sums: the accumulators are dead by then, 20 bytes spilled at NKW = 3 before).
template <int NKW>
CT3D_DEV void hopper_wgrad_zero_rest(const HopperWgradParams& p, const HopperWgradSeg& g, int chunk) {
  for (int c = chunk + g.nch; c < p.chunks; c += g.nch) {
    float* const wz = static_cast<float*>(p.ws) + (int64_t(c) * p.groups + g.group) * p.taps * p.Kc * p.Nc;
    for (int i = threadIdx.x; i < g.npairs * NKW * 32 * 8; i += HopperWgradTiles::kThreads) {
      const int cv = i % 8, ci = i / 8 % 32, kw = i / 256 % NKW, pair = i / (256 * NKW);
      const int tap = (g.kd[pair] * p.Kh + g.kh[pair]) * p.Kw + kw;
      *reinterpret_cast<float4*>(wz + (int64_t(tap) * p.Kc + g.cib * 32 + ci) * p.Nc + g.cob * 32 + 4 * cv) =
          make_float4(0.f, 0.f, 0.f, 0.f);
    }
  }
}

template <class Tr, int NKW, int KB>
__global__ void __launch_bounds__(HopperWgradTiles::cta_threads(NKW), 1)
    hopper_wgrad_kernel(const __grid_constant__ CUtensorMap xmap, const __grid_constant__ HopperWgradParams p) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  using E = typename Tr::Element;
  constexpr int T = HopperWgradTiles::kThreads, NT = HopperWgradTiles::transform_wgs(NKW);
  // elements per vector, positions per 128-byte k-block, per stage
  constexpr int VEC = 16 / int(sizeof(E)), QB = 128 / int(sizeof(E)), QS = KB * QB;
  static_assert(KB >= 1 && KB <= HopperWgradTiles::kMaxKB && (!Tr::kSplit || KB == 1), "k-blocks per stage");
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const ready = full + HopperWgradTiles::kMaxRing;
  uint64_t* const empty = ready + HopperWgradTiles::kMaxRing;
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  uint8_t* const slots = smem + (((smem_a + HopperWgradTiles::kBarBytes + 1023) & ~1023u) - smem_a);
  const int tid = threadIdx.x, lane = tid % 32, R = p.ring;
  const HopperWgradSeg& g = p.seg[hopper_segment_of_cta(p)];  // the CTA's segment and its chunk of its rows
  const int chunk = int(blockIdx.x) - g.cta0;
  const RowDeal deal = row_deal(g.rows, g.nch, chunk, p.interleave);
  const int stages = deal.count * p.katoms;
  if (tid == 0) {
    for (int i = 0; i < R; ++i) {
      Bar::init(&full[i], T + 1);  // the TMA's expect-tx arrival and one cp.async arrival per producer thread
      Bar::init(&ready[i], 4);  // the four warps of the stage's transform warpgroup
      Bar::init(&empty[i], 4);  // the consumer's four warps
    }
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();

  if (tid >= (1 + NT) * T) {  // producer warpgroup
    const int pt = tid - (1 + NT) * T;
    const E* gy = static_cast<const E*>(p.gy.data);
    // the thread's 16-byte vectors of a stage's windows, the same every stage: vector e = (channel row co, v),
    // e = pt, pt + 128, ... (consecutive threads along a row: coalesced); its offset from channel 0's window start
    // (co stride + VEC v elements), that channel's offset mod VEC (the row's 16-byte phase then needs no 64-bit math
    // per stage) and its slot offset
    constexpr int NV = (32 * HopperWgradTiles::max_raw(KB) / 4 + T - 1) / T;
    int64_t eofs[NV];
    int cph[NV], sofs[NV];
#pragma unroll
    for (int j = 0; j < NV; ++j) {
      const int e = pt + j * T, co = e / p.vpr, v = e - co * p.vpr;
      eofs[j] = co * p.gy.stride[1] + VEC * v;
      cph[j] = int(co * p.gy.stride[1] & (VEC - 1));
      sofs[j] = p.raw_off + co * 16 * p.vpr + 16 * v;
    }
    // Per row, not per stage (v77): a row's stages step the windows by Ew x QS elements (a whole number of 16-byte
    // vectors), so the vectors' phases, their sources (unchecked rows) and the pairs' x row coordinates hold for
    // the row; a stage then costs one add and one copy per vector (v75: 162 instructions per warp and stage, the
    // producer busy 72% of the time).
    const int64_t step = int64_t(p.Ew) * QS;
    const uint64_t ypol = l2_policy(p.l2hint & 1 ? L2Prio::kFirst : L2Prio::kNormal);  // v128
    const uint64_t xpol = l2_policy(p.l2hint & 2 ? L2Prio::kLast : L2Prio::kNormal);
    int row = -1, th = -1, td = 0, tc = 0;  // th, td: lane i < npairs: pair i's x row (h -1: outside x, zeros)
    bool row_in = false;                    // every window of the row inside grad_y: copies unchecked
    const E* src[NV];
    for (WgradStage<QS> st(p, g, deal, 0); st.t < stages; st.next(p, g)) {
      const int sl = st.sl, atom = st.blk;
      if (st.r != row) {
        row = st.r;
        const WgradRow& rw = st.rw;
        if (lane < g.npairs) {
          const int id = rw.qd + g.dd[lane], ih = rw.qh + g.dh[lane];
          const bool ok = id >= 0 && id < p.ID && ih >= 0 && ih < p.IH;
          th = ok ? ih : -1;
          td = ok ? id : 0;
        }
        tc = rw.n * p.Cin + g.group * p.Kc + g.cib * 32;
        const int64_t first = st.base - step * atom;
        row_in = wgrad_row_inside(first, step, p.katoms, p.gy.stride[1], p.vpr, p.gy_numel, VEC);
        if (row_in) {
          const int b3 = int(first & (VEC - 1));
#pragma unroll
          for (int j = 0; j < NV; ++j) src[j] = gy + (st.base + eofs[j] - ((b3 + cph[j]) & (VEC - 1)));
        }
      }
      if (st.t >= R) Bar::wait(&empty[sl], st.ph ^ 1);
      uint8_t* const slot = slots + sl * p.slot_bytes;
      if (pt < 32) {
        if (lane == 0) Bar::arrive_and_expect_tx(&full[sl], uint32_t(g.npairs * 4096 * KB));
        __syncwarp();
        if (lane < g.npairs)
#pragma unroll
          for (int kb = 0; kb < KB; ++kb)
            tma_load_4d(&xmap, &full[sl], slot + kb * p.xkb + lane * 4096, QS * atom + QB * kb, th, td, tc, xpol);
      }
      const uint32_t slot_a = uint32_t(__cvta_generic_to_shared(slot));
      if (CT3D_PROBE_IS(p, 3)) {
      } else if (row_in) {
#pragma unroll
        for (int j = 0; j < NV; ++j) {
          if (pt + j * T < 32 * p.vpr) cp_async_16(slot_a + uint32_t(sofs[j]), src[j], 16, ypol);
          src[j] += step;
        }
      } else {  // a row at either end of grad_y: each vector bounded by the tensor's extent
        const int64_t base0 = st.base;
        const int b3 = int(base0 & (VEC - 1));
#pragma unroll
        for (int j = 0; j < NV; ++j)
          if (pt + j * T < 32 * p.vpr) {
            const int64_t a = base0 + eofs[j] - ((b3 + cph[j]) & (VEC - 1)), left = p.gy_numel - a;
            const int bytes = a < 0 ? 0 : left >= VEC ? 16 : left > 0 ? int(left) * int(sizeof(E)) : 0;
            cp_async_16(slot_a + uint32_t(sofs[j]), gy + (bytes ? a : 0), bytes, ypol);
          }
      }
      asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(
                       uint32_t(__cvta_generic_to_shared(&full[sl])))
                   : "memory");
    }
    return;
  }

  if (tid >= T) {  // transform warpgroups: stages tw, tw + NT, ...
    constexpr int PPL = QB / 32;  // positions per lane and k-block: the elements of one 4-byte B word
    const int wt = (tid - T) % T, tw = (tid - T) / T, warp = wt / 32, pitch = VEC * p.vpr;
    // lane's grad_y positions for w tap kw in k-block kb, from the window's start: Ew (QB kb + PPL lane + e) +
    // woff[kw] - wmin
    int src[NKW][KB][PPL];
#pragma unroll
    for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
      for (int kb = 0; kb < KB; ++kb)
#pragma unroll
        for (int e = 0; e < PPL; ++e) src[kw][kb][e] = p.Ew * (QB * kb + PPL * lane + e) + p.woff[kw] - p.wmin;
    for (WgradStage<QS> st(p, g, deal, tw); st.t < stages;) {
      const int sl = st.sl, atom = st.blk;
      // A ring that is not a multiple of NT hands a slot to the other transform warpgroup from one pass to the next:
      // its previous stage t - R may not have landed yet, and a parity wait cannot tell that phase from stage t's, so it
      // would pass at once on the old bytes (and complete the slot's ready phase early; H100 stop 36: a fault at ring
      // 3, KB 2).  Waiting first until stage t - R is transformed (ready, which can then be at most one phase behind)
      // makes the full wait exact.  t - 2R is this warpgroup's own stage (NT <= 2), already done.
      static_assert(NT <= 2, "t - 2R must be this warpgroup's stage");
      if (NT > 1 && st.t >= R && R % NT != 0) Bar::wait(&ready[sl], st.ph ^ 1);
      Bar::wait(&full[sl], st.ph);
      uint8_t* const slot = slots + sl * p.slot_bytes;
      if (CT3D_PROBE_IS(p, 1)) {
        __syncwarp();
        if (lane == 0) Bar::arrive(&ready[sl]);
#pragma unroll
        for (int k = 0; k < NT; ++k) st.next(p, g);
        continue;
      }
      // Every load of the stage before any store: the compiler cannot tell the x tiles, the windows and B apart,
      // so a store between loads serialises them (v68b: one shared-memory round trip per element, ncu).
      // x tiles: TF32 operands rounded to nearest in place (the tensor cores ignore the low 13 bits: not cleared),
      // unless the TMA rounded them (x_rounded); 16-bit ones are used as they land; split ones (raw fp32) become
      // their big parts in place and their small parts at xs_off
      // (KB 2: x rounded by its TMA map, as the plan requires; twice the x registers would spill)
      constexpr int NXV =
          KB > 1 ? 1 : (Tr::kSplit ? HopperWgradTiles::kMaxPairsSplit : HopperWgradTiles::kMaxPairs) * 256 / T;
      const int nxv = KB == 1 && (Tr::kSplit || (Tr::kTF32 && !p.x_rounded)) ? g.npairs * (256 / T) : 0;
      uint4* const a4 = reinterpret_cast<uint4*>(slot);
      uint4 xv[NXV];
#pragma unroll
      for (int j = 0; j < NXV; ++j)
        if (j < nxv) xv[j] = a4[wt + j * T];
      // B: a warp per channel row, each lane its PPL positions of row (kw, co) from the window (at w stride 2 the
      // lanes' words are 2 apart: two wavefronts), stored as whole 128-byte rows
      const int64_t base0 = st.base;
      const E* const raw = reinterpret_cast<const E*>(slot + p.raw_off);
      E bv[8][NKW][KB][PPL];
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        const int co = warp + 4 * i;
        const E* const rowp = raw + co * pitch + int((base0 + co * p.gy.stride[1]) & (VEC - 1));
#pragma unroll
        for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
          for (int kb = 0; kb < KB; ++kb)
#pragma unroll
            for (int e = 0; e < PPL; ++e) bv[i][kw][kb][e] = rowp[src[kw][kb][e]];
      }
#pragma unroll
      for (int j = 0; j < NXV; ++j)
        if (j < nxv) {
          if constexpr (Tr::kSplit) {
            uint4 v = xv[j];
            const uint4 small = tf32_split(v);
            a4[wt + j * T] = v;
            reinterpret_cast<uint4*>(slot + p.xs_off)[wt + j * T] = small;
          } else {
            a4[wt + j * T] = make_uint4(tf32_round(__uint_as_float(xv[j].x)), tf32_round(__uint_as_float(xv[j].y)),
                                        tf32_round(__uint_as_float(xv[j].z)), tf32_round(__uint_as_float(xv[j].w)));
          }
        }
      uint8_t* const b = slot + p.b_off;
      const int iw = QS * atom + PPL * lane;
      // position iw + QB kb + e and its y position through tap kw inside the tensors (else B holds 0)
      bool live[NKW][KB][PPL];
#pragma unroll
      for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
        for (int kb = 0; kb < KB; ++kb)
#pragma unroll
          for (int e = 0; e < PPL; ++e) {
            const int q = iw + QB * kb + e, ow = p.Ew * q + p.woff[kw];
            live[kw][kb][e] = q < p.IW && ow >= 0 && ow < p.OW;
          }
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
          for (int kb = 0; kb < KB; ++kb) {
            const int row = kw * 32 + warp + 4 * i;
            const int bofs = kb * (NKW * 4096) + row * 128 + (((lane >> 2) ^ (row & 7)) << 4) + (lane & 3) * 4;
            if constexpr (Tr::kSplit) {  // the big part into B, the small one into B's twin at bs_off
              uint32_t big = 0u, small = 0u, fin;
              if (live[kw][0][0]) PolicyExact::split(bv[i][kw][0][0], big, small, fin);
              *reinterpret_cast<uint32_t*>(b + bofs) = big;
              *reinterpret_cast<uint32_t*>(slot + p.bs_off + bofs) = small;
            } else {
              uint32_t word;  // TF32: the position rounded; 16-bit: positions 2 lane, 2 lane + 1 in the low, high half
              if constexpr (Tr::kTF32)
                word = live[kw][kb][0] ? tf32_round(bv[i][kw][kb][0]) : 0u;
              else
                word = (live[kw][kb][0] ? uint32_t(bv[i][kw][kb][0].raw()) : 0u) |
                       (live[kw][kb][PPL - 1] ? uint32_t(bv[i][kw][kb][PPL - 1].raw()) << 16 : 0u);
              *reinterpret_cast<uint32_t*>(b + bofs) = word;
            }
          }
      fence_proxy_async();  // generic writes, read by the tensor cores
      __syncwarp();
      if (lane == 0) Bar::arrive(&ready[sl]);
#pragma unroll
      for (int k = 0; k < NT; ++k) st.next(p, g);
    }
    return;
  }

  constexpr int MT2 = Tr::kSplit ? 1 : 2;  // two A tiles where a segment has 3 or 4 pairs (split: at most 2)
  if (MT2 > 1 && g.npairs > 2)  // (split: one consumer instance, not two alike)
    hopper_wgrad_consume<Tr, NKW, MT2, KB>(p, g, slots, ready, empty, deal, chunk);
  else
    hopper_wgrad_consume<Tr, NKW, 1, KB>(p, g, slots, ready, empty, deal, chunk);
  hopper_wgrad_zero_rest<NKW>(p, g, chunk);
#endif
}

}  // namespace ct3d
