// Hopper grad_input (sm_90a): wgmma with A from registers, grad_y rows by cp.async, weights resident (see
// HopperDgradParams for the decomposition).
//
// GEMM per tile (x rows (n, id + a, ih + b), a < Rd, b < Rh, BQ = 128 positions iw0 .. iw0 + 127, the segment's
// 32 ci): for each of the tile's rows r,
//   D_r[m = iw - iw0][n = ci] = sum over (kd, kh, 32-channel co block) and w taps kw of A_kw[m][co] * B[ci][co]
//   A_kw[m][co] = gy[co][od][oh][Ew iw + kw - pw]: the stage holds the (od, oh) row's window of the 32 co rows
//      (16-byte cp.async from the boundary below each row's window, so each row at its own 4-byte phase; zeros
//      outside the row and for pairs whose od or oh is outside grad_y), read at stride Ew into the register
//      fragments (a gather no shared-memory descriptor expresses) and TF32-rounded there.
//   B = w[ci][co][kd][kh][kw], packed K-major without swizzle in the fragment's channel order (co_of).
// fp16 / bf16 (E): k16 wgmmas, two k-steps per co block; a register's two elements are two channel
// rows (two 2-byte loads); straddling words go as 4-byte copies (a word with position -1 is read whole and that
// element zeroed in the registers: cp.async zero-fills only a copy's tail).
// channels_last grad_y (kCL): a stage holds the window's positions as rows of the 32 co (128 bytes, 64 for 16-bit;
// whole 16-byte chunks, zero-filled outside the row: no phases, no element copies), and a lane's fragments of one
// position are 16-byte loads (its channels 8 t4 .. 8 t4 + 7 over the k-steps: two for fp32, one for 16-bit);
// grad_input channels_last too, stored as channel pairs.
// The rows' grad_y rows oh = ih s - p + kh dil and (ih + 1) s - p + kh' dil coincide where kh = kh' + s / dil (s a
// multiple of dil), and alike along d: a stage holds one grad_y row (od, oh) and feeds the taps of every x row that
// reads it, the same A fragments multiplied by each row's weights into its own accumulators.  (Kd + Sd) (Kh + Sh)
// stages instead of 4 Kd Kh (mission: 25 instead of 36 grad_y rows read for four x rows; HopperDgradParams::Sd, Sh).
// Along a dimension without shared taps a tile holds one row (Rd, Rh = 1): fewer, larger tiles would only cost
// balance across the SMs.
// Roles: a producer warpgroup copies the stages into a ring of `ring` slots (full: its copies landed, empty: the
// multiplying warps have read the slot), running up to `ring` stages ahead; two consumer warpgroups take 64 iw each.
// A consumer keeps one stage's wgmmas in flight while it loads the next stage's fragments into the other of two
// register sets; a slot is released as soon as its fragments are in registers (B is resident).
// Exact fp32 (kSplit, v129): 3xTF32 as PolicyExact -- each fragment element split into big and small TF32 parts in
// the registers, the weights' parts packed back to back (small at w_bytes / 2), three wgmmas a k-step (small
// products first); each x row's products of a stage summed in fresh registers and added to its sums with IEEE adds
// (the tensor cores' accumulation truncates), one row at a time, with one fragment set (two would pass the
// registers).  Where both parts of the weights do not fit, the plan runs the taps in passes (HopperDgradPlan), each
// a launch on a view of w with its own maps, the later ones adding to grad_input (p.accumulate).
// Where the time goes and what to try next: benchmarks/NOTES.md, "Hopper grad_input after v73", v129.
// A zero-filled grad_y element times a non-finite weight is NaN where the true sum has no such term: where the
// pack saw one (3xTF32: always, as a non-finite grad_y's big part times a zero small weight is NaN too), a tile
// whose sums are not all finite is recomputed on CUDA cores with every product masked.
#pragma once
#include <cutlass/arch/reg_reconfig.h>

#include "sm90_common.cuh"

namespace ct3d {

struct DgradTile {
  int n, id, ih, qb;  // x rows (id + a, ih + b), a, b in {0, 1} (twod / twoh: a / b = 1 inside x)
  bool twod, twoh;
  CT3D_DEV bool has(int r) const { return (r < 2 || twod) && (r % 2 == 0 || twoh); }  // row r = 2 a + b
};
CT3D_DEV DgradTile dgrad_tile(const HopperDgradParams& p, int t) {
  DgradTile r;
  const int row = p.div_qb.divmod(t, r.qb);
  int hp, dp;
  r.n = p.div_id.divmod(p.div_ih.divmod(row, hp), dp);
  r.id = p.Rd * dp;
  r.ih = p.Rh * hp;
  r.twod = p.Rd == 2 && r.id + 1 < p.ID;
  r.twoh = p.Rh == 2 && r.ih + 1 < p.IH;
  return r;
}

// The element type's constants: VEC elements a 16-byte vector, KS k-steps a 32-channel block (TF32 k8, 16-bit k16)
template <class E>
struct DgradElem {
  static constexpr int VEC = 16 / int(sizeof(E)), KS = sizeof(E) == 4 ? 4 : 2;
};
// m64 n32, A from registers (a0..a3: rows g8, g8 + 8 of the lane's first k, then of its second: TF32 k t4, t4 + 4;
// 16-bit k 2 t4 + (0, 1), 2 t4 + 8 + (0, 1))
template <class E>
CT3D_DEV void dgrad_mma(const uint32_t* a, uint64_t db, float (&d)[16]) {
  using namespace cute::SM90::GMMA;
  using Op = std::conditional_t<
      std::is_same<E, float>::value, MMA_64x32x8_F32TF32TF32_RS_TN<>,
      std::conditional_t<std::is_same<E, cutlass::bfloat16_t>::value, MMA_64x32x16_F32BF16BF16_RS<Major::K, Major::K>,
                         MMA_64x32x16_F32F16F16_RS<Major::K, Major::K>>>;
  Op::fma(a[0], a[1], a[2], a[3], db, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12],
          d[13], d[14], d[15]);
}

// A walk over the CTA's stages (StageWalk: slot, its use parity, stage within the tile, the CTA's j-th tile, which is
// tile deal.row(j) of the segment) with the tile decoded,
// the stage's (jd, jh, co block) kept by counters, the d taps of the tile's x rows id, id + 1 at jd (kd[0] = jd,
// kd[1] = jd - Sd; -1 where out of [0, Kd) or the row is outside x) and their h taps at jh (kh[0], kh[1] alike), and
// where the stage's grad_y rows are: whether the (od, oh) row is inside grad_y and read by an x row (`pair`), the
// window's first position wstart, and channel 0's element there (kRow: its address; its 16-byte phase vph either
// way, from the strides mod VEC without 64-bit math where the address is not needed).
template <class E, bool kRow, bool kCL>
struct DgradStage : StageWalk {
  static constexpr int VEC = DgradElem<E>::VEC;
  DgradTile tl;
  int jd = 0, jh = 0, cob = 0;
  int kd[2], kh[2];
  bool pair;
  int wstart, vph;
  const E* row;
  CT3D_DEV void locate(const HopperDgradParams& p, int group) {
    hopper_dgrad_taps(jd, p.Kd, p.Sd, tl.twod, kd);
    hopper_dgrad_taps(jh, p.Kh, p.Sh, tl.twoh, kh);
    // the grad_y row of x row id (tap kd[0]) or else id + 1 (kd[1]), alike along h; grad_input's maps have E = 1:
    // the tap always lands, inside grad_y or not (no division)
    const int od = kd[0] >= 0 ? tl.id * p.md.A + p.md.B - kd[0] * p.md.C
                              : (tl.id + 1) * p.md.A + p.md.B - kd[1] * p.md.C;
    const int oh = kh[0] >= 0 ? tl.ih * p.mh.A + p.mh.B - kh[0] * p.mh.C
                              : (tl.ih + 1) * p.mh.A + p.mh.B - kh[1] * p.mh.C;
    pair = (kd[0] >= 0 || kd[1] >= 0) && (kh[0] >= 0 || kh[1] >= 0) && unsigned(od) < unsigned(p.md.in_extent) &&
           unsigned(oh) < unsigned(p.mh.in_extent);
    wstart = p.Ew * tl.qb * HopperDgradTiles::BQ - p.pw;
    const int c = group * p.Kco + cob * 32;
    if constexpr (kCL) {  // whole positions: no phase
      vph = 0;
      if constexpr (kRow)
        row = static_cast<const E*>(p.gy.data) +
              (pair ? tl.n * p.gy.stride[0] + c + od * p.gy.stride[2] + oh * p.gy.stride[3] +
                          int64_t(wstart) * p.gy.stride[4]
                    : 0);
    } else if constexpr (kRow) {
      const int64_t e = pair ? tl.n * p.gy.stride[0] + int64_t(c) * p.gy.stride[1] + od * p.gy.stride[2] +
                                   oh * p.gy.stride[3] + wstart
                             : 0;
      row = static_cast<const E*>(p.gy.data) + e;
      vph = int((p.gy_ph + e) & (VEC - 1));
    } else {
      vph = (p.gy_ph + tl.n * p.s4[0] + c * p.s4[1] + od * p.s4[2] + oh * p.s4[3] + wstart) & (VEC - 1);
    }
  }
  RowDeal deal;
  CT3D_DEV DgradStage(const HopperDgradParams& p, int group, RowDeal d, int spt) : StageWalk(0, p.ring, spt, 0), deal(d) {
    tl = dgrad_tile(p, deal.row(r));
    locate(p, group);
  }
  CT3D_DEV void next(const HopperDgradParams& p, int group, int spt) {
    if (StageWalk::next(p.ring, spt)) {
      jd = jh = cob = 0;
      tl = dgrad_tile(p, deal.row(r));
    } else if (++cob == p.ncob) {
      cob = 0;
      if (++jh == p.nj) jh = 0, ++jd;
    }
    locate(p, group);
  }
};

template <class E, int EW, int NKW>
using DgradVectors = HopperDgradVectors<HopperDgradTiles::vectors(HopperDgradTiles::window(EW, NKW), DgradElem<E>::VEC),
                                        DgradElem<E>::VEC>;

// Stage st's grad_y windows into its slot (at slot_a): producer warp w copies channel rows w + 4 r, from the boundary
// below the window (the window's position j is the staged row's element ph + j).  Rows 4 channels apart are 4 strides
// apart: for fp32 a multiple of the 4-element vector, so all of a warp's rows share one phase; for 16-bit the odd rows'
// phase is the even rows' + cph4 (4 strides mod 8).  Row r's source is row 0's + r * rstep bytes (at the odd rows'
// phase), its slot row dofs0 + r * dstep.  Whole vectors: lane l copies (or zero-fills) its vectors l, l + 32, ...
// that vc.whole marks, one 16-byte copy each with the addresses as immediates; straddling ones: each of the 32 lanes
// one 4-byte word (row l / 4, word l % 4) of each of the vc.ne such vectors of every row, zero-filled outside
// [0, OW) (16-bit: a word whose second element is inside is read whole; its first, position -1, is zeroed by the
// consumers).
template <class E, int EW, int NKW>
CT3D_DEV void dgrad_copy(const HopperDgradParams& p, const DgradStage<E, true, false>& st,
                         const DgradVectors<E, EW, NKW>& vc, int64_t eofs0, int cph, int cph4, uint32_t dofs0,
                         int64_t rstep, uint32_t dstep, uint32_t slot_a) {
  constexpr int VEC = DgradElem<E>::VEC, EPW = VEC / 4;  // elements per 4-byte word
  constexpr int NV = HopperDgradTiles::vectors(HopperDgradTiles::window(EW, NKW), VEC), NI = (NV + 31) / 32;
  const int lane = threadIdx.x % 32;
  if (!st.pair) {  // grad_y row outside the tensor: zeros
#pragma unroll
    for (int r = 0; r < 8; ++r)
#pragma unroll
      for (int i = 0; i < NI; ++i)
        if (i < NI - 1 || lane + 32 * i < NV)
          cp_async_16(slot_a + dofs0 + r * dstep + 16 * lane + 512 * i, p.gy.data, 0);
    return;
  }
  const int ph0 = (st.vph + cph) & (VEC - 1), ph1 = VEC == 4 ? ph0 : (st.vph + cph + cph4) & (VEC - 1);
  const int64_t dodd = int64_t(ph0 - ph1) * int(sizeof(E));  // the odd rows' source offset
  const char* src = reinterpret_cast<const char*>(st.row + eofs0 - ph0) + 16 * lane;
  uint32_t dst = slot_a + dofs0 + 16 * lane;
#pragma unroll
  for (int r = 0; r < 8; ++r, src += rstep, dst += dstep)
#pragma unroll
    for (int i = 0; i < NI; ++i)
      if (vc.whole >> i & 1) cp_async_16_or_zero(dst + 512 * i, src + (r & 1 ? dodd : 0) + 512 * i, vc.zero >> i & 1);
  // edge words: lane l's row l / 4 (rows 4 channels apart: 4 strides, 4 pitches), word l % 4
  const int rl = lane / 4, el = lane % 4, ph = rl & 1 ? ph1 : ph0;
  const E* const esrc = st.row + eofs0 - ph + rl * (rstep / int(sizeof(E))) + EPW * el;
  const uint32_t edst = slot_a + dofs0 + rl * dstep + 4 * el;
  const int w0 = st.wstart - ph + EPW * el;
  for (int j = 0; j < vc.ne; ++j) {
    const int v = vc.edge(j);
    const int w = w0 + VEC * v;  // the word's first position
    const int bytes = EPW == 1 ? (unsigned(w) < unsigned(p.OW) ? 4 : 0)
                               : unsigned(w + 1) < unsigned(p.OW) ? 4 : unsigned(w) < unsigned(p.OW) ? 2 : 0;
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(edst + 16 * v), "l"(esrc + VEC * v),
                 "r"(bytes));
  }
}

// ... channels_last: the window's positions j as rows of their 32 channels, 128 bytes (fp32: chunk q at
// q ^ cl_swz(EW, j)) or 64 (16-bit: at cl16_row(EW, j)).  Producer thread i copies chunk i % CPP of positions
// i / CPP + PPP r: a warp's copies are whole positions, and the placement repeats along a thread's positions (PPP
// apart).  A position outside [0, OW), or every position of a grad_y row outside the tensor, is zero-filled.
template <class E, int EW, int NKW>
CT3D_DEV void dgrad_copy_cl(const HopperDgradParams& p, const DgradStage<E, true, true>& st, uint32_t slot_a) {
  constexpr int WIN = HopperDgradTiles::window(EW, NKW), CPP = 2 * int(sizeof(E)), PPP = 128 / CPP;
  constexpr int NR = (WIN + PPP - 1) / PPP;
  const int tid = threadIdx.x % 128, j0 = tid / CPP, q = tid % CPP;
  const int64_t step = PPP * p.gy.stride[4];
  const E* src = st.row + j0 * p.gy.stride[4] + 16 / int(sizeof(E)) * q;
  uint32_t dst = slot_a + uint32_t(sizeof(E) == 4 ? 128 * j0 + 16 * (q ^ HopperDgradTiles::cl_swz(EW, j0))
                                                  : HopperDgradTiles::cl16_row(EW, j0) + 16 * q);
  constexpr uint32_t dstep = sizeof(E) == 4 ? 16 * 128 : HopperDgradTiles::cl16_row(EW, PPP);
  int w = st.wstart + j0;
#pragma unroll
  for (int r = 0; r < NR; ++r, src += step, dst += dstep, w += PPP)
    if (r < NR - 1 || j0 + PPP * r < WIN) cp_async_16_or_zero(dst, src, !st.pair || unsigned(w) >= unsigned(p.OW));
}

// The warpgroup's 64 x 32 outputs of x row (id, ih) of tile tl summed on CUDA cores with every product masked (inside
// the tensors only; kSplit: fp32 products, added to grad_input where p.accumulate)
template <class E, int EW, bool kCL, bool kSplit>
CT3D_DEV void dgrad_masked(const HopperDgradParams& p, const DgradTile& tl, int id, int ih, int group, int cib,
                           int wg) {
  const E* const gy = static_cast<const E*>(p.gy.data);
  const E* const w = static_cast<const E*>(p.w.data);
  E* const gx = static_cast<E*>(p.gx.data);
  for (int idx = threadIdx.x % 128; idx < 64 * 32; idx += 128) {
    const int m = idx / 32, ci = group * p.Kci + cib * 32 + idx % 32;
    const int iw = tl.qb * HopperDgradTiles::BQ + 64 * wg + m;
    if (iw >= p.IW) continue;
    float s = 0.f;
    for (int kd = 0; kd < p.Kd; ++kd)
      for (int kh = 0; kh < p.Kh; ++kh) {
        int od, oh;
        if (!p.md.tap(id, kd, od) || !p.mh.tap(ih, kh, oh)) continue;
        for (int co = 0; co < p.Kco; ++co)
          for (int kw = 0; kw < p.Kw; ++kw) {
            const int ow = EW * iw + kw - p.pw;
            if (ow < 0 || ow >= p.OW) continue;
            const float g = float(gy[tl.n * p.gy.stride[0] + (int64_t(group) * p.Kco + co) * p.gy.stride[1] +
                                     od * p.gy.stride[2] + oh * p.gy.stride[3] + (kCL ? ow * p.gy.stride[4] : ow)]);
            const float v = float(w[ci * p.w.stride[0] + co * p.w.stride[1] + kd * p.w.stride[2] +
                                    kh * p.w.stride[3] + kw * p.w.stride[4]]);
            if constexpr (kSplit)
              s = fmaf(g, v, s);
            else if constexpr (sizeof(E) == 4)
              s = fmaf(__uint_as_float(tf32_round_clear(g)), __uint_as_float(tf32_round_clear(v)), s);
            else  // 16-bit products are exact in fp32
              s = fmaf(g, v, s);
          }
      }
    E& o = gx[tl.n * p.gx.stride[0] + ci * p.gx.stride[1] + id * p.gx.stride[2] + ih * p.gx.stride[3] +
              (kCL ? iw * p.gx.stride[4] : iw)];
    s = p.bias ? s + p.bias[ci * p.bias_stride] : s;
    o = kSplit && p.accumulate ? E(float(o) + s) : E(s);
  }
}

// The fused backward's grad_weight sum (input channel cig, output channel cog of the group, tap kd, kh, kw) over the
// CTA's tiles' x rows on CUDA cores with every product masked (inside x and grad_y only; 16-bit products exact in
// fp32)
template <class E, int EW>
CT3D_DEV float bwd_gw_masked(const HopperDgradParams& p, RowDeal deal, int cig, int cog, int kd, int kh, int kw) {
  const E* const x = static_cast<const E*>(p.xs.data);
  const E* const gy = static_cast<const E*>(p.gy.data);
  float s = 0.f;
  for (int j = 0; j < deal.count; ++j) {
    const DgradTile tl = dgrad_tile(p, deal.row(j));
    for (int a = 0; a < p.Rd; ++a) {
      const int id = tl.id + a;
      int od, oh;
      if (id >= p.ID || !p.md.tap(id, kd, od) || !p.mh.tap(tl.ih, kh, oh)) continue;
      const int64_t xr = tl.n * p.xs.stride[0] + cig * p.xs.stride[1] + id * p.xs.stride[2] + tl.ih * p.xs.stride[3];
      const int64_t yr = tl.n * p.gy.stride[0] + cog * p.gy.stride[1] + od * p.gy.stride[2] + oh * p.gy.stride[3];
      const int i0 = tl.qb * HopperDgradTiles::BQ, i1 = min(i0 + HopperDgradTiles::BQ, p.IW);
      for (int iw = i0; iw < i1; ++iw) {
        const int ow = EW * iw + kw - p.pw;
        if (ow >= 0 && ow < p.OW) s = fmaf(float(x[xr + iw]), float(gy[yr + ow]), s);
      }
    }
  }
  return s;
}

// kW (v146, the fused backward): grad_weight too, from the same stages (HopperDgradParams::fuse; 16-bit NCDHW, Rh = 1)
template <class E, int EW, int NKW, bool kCL, bool kSplit, bool kW = false>
__global__ void __launch_bounds__(HopperDgradTiles::kThreads, 1)
    hopper_dgrad_kernel(const __grid_constant__ HopperDgradParams p) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  constexpr int VEC = DgradElem<E>::VEC, KS = DgradElem<E>::KS;
  constexpr int BQ = HopperDgradTiles::BQ, NA = NKW * 4 * KS, T = 128;
  static_assert(!kW || (sizeof(E) == 2 && !kCL && !kSplit), "the fused backward: 16-bit NCDHW");
  // accumulator rows: the tile's x rows (id + a, ih + b) as 2 a + b; fused (one h row a tile), a
  constexpr int NR = kW ? 2 : 4;
  auto row_a = [](int r) { return kW ? r : r / 2; };
  auto row_b = [](int r) { return kW ? 0 : r % 2; };
  // the fused grad_weight's M rows of warpgroup wg: (h, co = 8 warp + g8) is tap kw = 2 wg + h, h < H(wg)
  constexpr int H0 = NKW < 2 ? NKW : 2, H1 = NKW > 2 ? NKW - 2 : 0;
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const empty = full + HopperDgradTiles::kMaxRing;
  const int tid = threadIdx.x, lane = tid % 32, wg = tid / T, warp = tid / 32 % 4;
  const int seg = int(blockIdx.x) / p.chunks, chunk = int(blockIdx.x) % p.chunks;
  const int group = seg / p.ncib, cib = seg % p.ncib;
  const int tiles = p.rows * p.qblocks;
  const RowDeal deal = row_deal(tiles, p.chunks, chunk, p.interleave);
  const int spt = p.nd * p.nj * p.ncob, stages = deal.count * spt, R = p.ring;
  uint8_t* const wsm = smem + HopperDgradTiles::kBarBytes;
  {  // the segment's packed weights, read by the tensor cores
    const uint4* src = reinterpret_cast<const uint4*>(p.wpack) + int64_t(seg) * (p.w_bytes / 16);
    for (int i = tid; i < p.w_bytes / 16; i += blockDim.x) reinterpret_cast<uint4*>(wsm)[i] = src[i];
    fence_proxy_async();
  }
  // the fused backward's x row buffers, grad_weight sums (zeroed here) and x buffers' barriers, past the ring
  uint8_t* const xbuf = wsm + p.w_bytes + size_t(R) * p.slot_bytes;
  float* const sums = reinterpret_cast<float*>(xbuf + (kW ? size_t(p.xbufs) * hopper_bwd_xbuf_bytes(p) : 0));
  uint64_t* const xfull = reinterpret_cast<uint64_t*>(reinterpret_cast<uint8_t*>(sums) + hopper_bwd_sums_bytes(p));
  uint64_t* const xempty = xfull + HopperDgradTiles::kMaxXBufs;
  if constexpr (kW) {
    const int n4 = int(hopper_bwd_sums_bytes(p) / 16);
    for (int i = tid; i < n4; i += blockDim.x) reinterpret_cast<float4*>(sums)[i] = make_float4(0.f, 0.f, 0.f, 0.f);
  }
  if (tid == 0) {
    for (int i = 0; i < R; ++i) {
      Bar::init(&full[i], T);  // one cp.async arrival per producer thread
      Bar::init(&empty[i], 8);  // the consumers' eight warps
    }
    if constexpr (kW)
      for (int i = 0; i < p.xbufs; ++i) {
        Bar::init(&xfull[i], T);
        Bar::init(&xempty[i], 8);
      }
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();
  const uint32_t w_a = uint32_t(__cvta_generic_to_shared(wsm)), slots_a = w_a + uint32_t(p.w_bytes);
  const uint32_t xbuf_a = uint32_t(__cvta_generic_to_shared(xbuf));
  constexpr uint32_t XB = 32 * BQ * 2;  // an x row buffer's bytes (16-bit)
  const int s1 = int(p.gy.stride[1] & (VEC - 1));

  // registers moved from the producer (copies only) to the consumers (two fragment sets, the accumulators)
  if (wg == 2) {  // producer
    cutlass::arch::warpgroup_reg_dealloc<HopperDgradTiles::kProducerRegs>();
    auto landed_on = [&](uint64_t* bar) {  // bar's phase completes once the thread's copies land
      asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(uint32_t(__cvta_generic_to_shared(bar)))
                   : "memory");
    };
    auto landed = [&](int sl) { landed_on(&full[sl]); };  // the slot is full once the thread's copies land
    if constexpr (kCL) {  // channels_last: whole positions
      for (DgradStage<E, true, true> cs(p, group, deal, spt); cs.t < stages; cs.next(p, group, spt)) {
        if (cs.t >= R) Bar::wait(&empty[cs.sl], cs.ph ^ 1);
        if (!CT3D_PROBE_IS(p, 3)) dgrad_copy_cl<E, EW, NKW>(p, cs, slots_a + uint32_t(cs.sl * p.slot_bytes));
        landed(cs.sl);
      }
    } else {  // rows warp + 4 r of every stage
      // the warp's even rows' phase relative to channel 0's, and the odd rows' relative to those (16-bit)
      const int cph = (warp * s1) & (VEC - 1), cph4 = (4 * s1) & (VEC - 1);
      const int64_t eofs0 = warp * p.gy.stride[1], rstep = 4 * int(sizeof(E)) * p.gy.stride[1];
      const uint32_t dofs0 = uint32_t(warp * p.pitch * int(sizeof(E))), dstep = uint32_t(4 * int(sizeof(E)) * p.pitch);
      DgradStage<E, true, false> cs(p, group, deal, spt);
      DgradVectors<E, EW, NKW> vc(cs.wstart, p.OW, lane);
      for (; cs.t < stages; cs.next(p, group, spt)) {
        if constexpr (kW) {
          // the tile's x row a, into buffer L mod xbufs (L = Rd j + a, the CTA's j-th tile), before the first stage
          // that reads it (jd = a Sd): the consumers free a buffer when its tile ends, so loading row 1 late keeps
          // the producer from waiting there at each tile's start
          if (cs.jh == 0 && cs.cob == 0)
            for (int a = 0; a < p.Rd; ++a)
              if (cs.jd == a * p.Sd) {
                const int L = cs.r * p.Rd + a, b = L % p.xbufs;
                if (L >= p.xbufs) Bar::wait(&xempty[b], ((L / p.xbufs) & 1) ^ 1);
                const int id = cs.tl.id + a, iw0 = cs.tl.qb * BQ;
                const bool in = id < p.ID;
                const E* const xr = static_cast<const E*>(p.xs.data) + cs.tl.n * p.xs.stride[0] +
                                    (int64_t(group) * p.Kci + cib * 32) * p.xs.stride[1] +
                                    (in ? id : 0) * p.xs.stride[2] + cs.tl.ih * p.xs.stride[3] + iw0;
                if (p.x_vec) {  // rows on 16 bytes: 16-byte cp.async (zero-filled past the row)
#pragma unroll
                  for (int i = 0; i < 4; ++i) {  // chunk c (8 positions) of channel row ci: [c][ci][8]
                    // a warp: 8 channel rows x 4 chunks (64 contiguous bytes of each row; its 8 lanes of one chunk
                    // write 128 contiguous bytes: no bank conflicts)
                    const int idx = tid % T + T * i;
                    const int ci = idx % 8 + 8 * (idx / 32 % 4), c = idx / 8 % 4 + 4 * (idx / T);
                    const int left = p.IW - iw0 - 8 * c;
                    const int bytes = !in || left <= 0 ? 0 : left >= 8 ? 16 : 2 * left;
                    cp_async_16(xbuf_a + b * XB + uint32_t(16 * (c * 32 + ci)),
                                bytes ? static_cast<const void*>(xr + ci * p.xs.stride[1] + 8 * c) : p.xs.data,
                                bytes);
                  }
                  landed_on(&xfull[b]);
                } else {  // rows at any 2-byte phase: element loads, 16-byte stores, then the proxy fence and arrive
                  const uint16_t* const xr16 = reinterpret_cast<const uint16_t*>(xr);
#pragma unroll 1
                  for (int i = 0; i < 4; ++i) {  // (the same chunk order; a lane's 8 loads are one row's neighbours;
                                                 // not unrolled: the producer's 72 registers)
                    const int idx = tid % T + T * i;
                    const int ci = idx % 8 + 8 * (idx / 32 % 4), c = idx / 8 % 4 + 4 * (idx / T);
                    uint32_t v[4];
#pragma unroll
                    for (int e = 0; e < 4; ++e) {
                      const int w0 = iw0 + 8 * c + 2 * e;
                      const uint16_t* const q = xr16 + ci * p.xs.stride[1] + 8 * c + 2 * e;
                      const uint32_t lo = in && w0 < p.IW ? uint32_t(q[0]) : 0u;
                      const uint32_t hi = in && w0 + 1 < p.IW ? uint32_t(q[1]) : 0u;
                      v[e] = lo | hi << 16;
                    }
                    asm volatile("st.shared.v4.b32 [%0], {%1, %2, %3, %4};\n" ::"r"(xbuf_a + b * XB +
                                                                                    uint32_t(16 * (c * 32 + ci))),
                                 "r"(v[0]), "r"(v[1]), "r"(v[2]), "r"(v[3])
                                 : "memory");
                  }
                  fence_proxy_async();
                  Bar::arrive(&xfull[b]);
                }
              }
        }
        if (cs.t >= R) Bar::wait(&empty[cs.sl], cs.ph ^ 1);
        if (cs.blk == 0) vc = DgradVectors<E, EW, NKW>(cs.wstart, p.OW, lane);
        if (!CT3D_PROBE_IS(p, 3))
          dgrad_copy<E, EW, NKW>(p, cs, vc, eofs0, cph, cph4, dofs0, rstep, dstep,
                               slots_a + uint32_t(cs.sl * p.slot_bytes));
        landed(cs.sl);
      }
    }
    cutlass::arch::cp_async_wait<0>();
    return;
  }

  // consumers: warpgroup wg multiplies rows m = 64 wg + 16 warp + g8 (+ 8) of every tile
  cutlass::arch::warpgroup_reg_alloc<HopperDgradTiles::kConsumerRegs>();
  const int g8 = lane / 4, t4 = lane % 4;
  const E* const slots = reinterpret_cast<const E*>(wsm + p.w_bytes);
  // (3xTF32: a non-finite grad_y element's cross terms may be NaN where the sum is not: always checked)
  const bool check = kSplit || (p.w_nonfinite && *p.w_nonfinite != 0);
  // the rows the thread's fragments read: channel co_of(ks, t4, cc) = co_of(0, t4, 0) + 8 ks + dc cc, at
  // position Ew m + kw (+ 8 Ew for rows m + 8); their 16-byte phases relative to channel 0's depend on cc only
  // (8 ks channels apart: a multiple of 4 strides)
  constexpr int dc = HopperDgradTiles::co_of(EW, false, 0, 0, 1);
  static_assert(HopperDgradTiles::co_of(EW, false, 3, 3, 1) == HopperDgradTiles::co_of(EW, false, 0, 3, 0) + 24 + dc,
                "channel order");
  const int co0 = HopperDgradTiles::co_of(EW, false, 0, t4, 0);
  const int rofs = co0 * p.pitch + EW * (64 * wg + 16 * warp + g8);
  const int aph0 = (co0 * s1) & 3, aph1 = ((co0 + dc) * s1) & 3;
  // 16-bit: register 2 cc + h of k-step ks reads channels co16(ks, t4, cc, e) = 16 ks + 8 cc + 2 t4 + e, e = 0, 1
  // (the word's halves), at position Ew m + kw (+ 8 Ew); their phases (mod 8) depend on e only
  const int m16 = 64 * wg + 16 * warp + g8;
  const int r16[2] = {2 * t4 * p.pitch + EW * m16, (2 * t4 + 1) * p.pitch + EW * m16};
  const int aph16[2] = {(2 * t4 * s1) & (VEC - 1), ((2 * t4 + 1) * s1) & (VEC - 1)};
  // channels_last: row m's position EW m + kw (+ 8 EW for m + 8), its chunks 2 t4 + q (channels 8 t4 + 4 q ..) from
  // cl0 where q ^ cl_swz(EW, kw) is 0, cl1 where it is 1 (HopperDgradTiles::cl_base)
  const int cl0 = HopperDgradTiles::cl_base(EW, 64 * wg + 16 * warp + g8, t4, 0);
  const int cl1 = HopperDgradTiles::cl_base(EW, 64 * wg + 16 * warp + g8, t4, 1);
  // ... 16-bit: row m's chunk t4, in bytes (+ cl16_row(EW, kw + 8 EW h) for tap kw and rows m + 8 h)
  const int c16 = HopperDgradTiles::cl16_row(EW, EW * (64 * wg + 16 * warp + g8)) + 16 * t4;
  float acc[NR][16];  // the tile's x rows (row_a, row_b)
#pragma unroll
  for (int e = 0; e < NR * 16; ++e) acc[e / 16][e % 16] = 0.f;
  auto pin = [&] {  // the accumulators stay put around the asynchronous wgmmas
#pragma unroll
    for (int e = 0; e < NR * 16; ++e) asm volatile("" : "+f"(acc[e / 16][e % 16])::"memory");
  };
  // the fused grad_weight: this thread's channel row co = 8 warp + g8 of the stage (its 16-byte phase relative to
  // channel 0's), and its sums' place in each tap block: [j][thread of the warpgroup][h < H][2], the warpgroup's H
  // rows after warpgroup 0's H0 (thread-private: no barrier between the adds of successive stages)
  const int gco = 8 * warp + g8, gco_row = gco * p.pitch, gco_ph = (gco * s1) & (VEC - 1);
  const int gH = wg == 0 ? H0 : H1;
  float* const gsum = sums + (wg == 0 ? 0 : H0 * 1024) + (tid % T) * 2 * gH;
  // two fragment sets: TF32 / 16-bit, one stage's in flight while the next one's load; 3xTF32, a stage's big and
  // small parts (one stage at a time: four sets would pass the consumers' registers)
  uint32_t fa[NA], fb[NA];
  // fp32 element v as fragment register i: TF32-rounded, or its big (a) and small (sm) TF32 parts
  auto put = [&](uint32_t(&a)[NA], uint32_t(&sm)[NA], int i, float v) {
    if constexpr (kSplit) {
      uint32_t fin;
      PolicyExact::split(v, a[i], sm[i], fin);
    } else {
      a[i] = tf32_round(v);
    }
  };
  DgradStage<E, false, kCL> ms(p, group, deal, spt);
  // x row r's wgmmas of the stage: its (kd, kh) pair's weights for the co block, + (kw KS + ks) 1024 bytes added to
  // the descriptor's address field.  3xTF32: the small products first (as PolicyExact), the weights' small parts
  // w_bytes / 2 on
  auto mma_row = [&](const uint32_t(&a)[NA], const uint32_t(&sm)[NA], int kd, int kh, float(&d)[16]) {
    const int blk = ((kd * p.Kh + kh) * p.ncob + ms.cob) * (NKW * KS * 1024);
    const uint64_t b0 = gmma_desc(w_a + uint32_t(blk), 512, 128);
    const uint64_t bs = kSplit ? gmma_desc(w_a + uint32_t(p.w_bytes / 2 + blk), 512, 128) : 0;
#pragma unroll
    for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
      for (int ks = 0; ks < KS; ++ks) {
        const int i = (kw * KS + ks) * 4;
        const uint64_t o = uint64_t((kw * KS + ks) * 64);
        if constexpr (kSplit) {
          dgrad_mma<E>(sm + i, b0 + o, d);
          dgrad_mma<E>(a + i, bs + o, d);
        }
        dgrad_mma<E>(a + i, b0 + o, d);
      }
  };
  // one stage: wait for its slot, fragments into `a` (3xTF32: and `sm`), the slot released, the wgmmas issued (one
  // set per x row that reads the stage's grad_y row); the previous stage's wgmmas (the other register set) retired,
  // 3xTF32 this stage's
  auto step = [&](uint32_t(&a)[NA], uint32_t(&sm)[NA]) {
    Bar::wait(&full[ms.sl], ms.ph);
    const E* const sl = slots + ms.sl * (p.slot_bytes / int(sizeof(E)));
    if (CT3D_PROBE_IS(p, 1)) {
#pragma unroll
      for (int e = 0; e < NA; ++e) a[e] = 0u;
    } else if constexpr (kCL && sizeof(E) == 2) {
      // register 2 cc + h of k-step ks: channels 8 t4 + 4 ks + 2 cc + (0, 1) (co_cl16) = word 2 ks + cc of the chunk
#pragma unroll
      for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          const uint4 v = *reinterpret_cast<const uint4*>(reinterpret_cast<const char*>(sl) + c16 +
                                                          HopperDgradTiles::cl16_row(EW, kw + 8 * EW * h));
          const uint32_t wd[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
          for (int i = 0; i < 4; ++i) a[(kw * KS + i / 2) * 4 + 2 * (i % 2) + h] = wd[i];
        }
    } else if constexpr (sizeof(E) == 2) {
      const uint16_t* const sl16 = reinterpret_cast<const uint16_t*>(sl);
      const int o0 = r16[0] + ((ms.vph + aph16[0]) & (VEC - 1)), o1 = r16[1] + ((ms.vph + aph16[1]) & (VEC - 1));
#pragma unroll
      for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
        for (int ks = 0; ks < KS; ++ks)
#pragma unroll
          for (int r = 0; r < 4; ++r) {  // cc = r / 2, h = r % 2
            const int x = (16 * ks + 8 * (r / 2)) * p.pitch + 8 * EW * (r % 2) + kw;
            a[(kw * KS + ks) * 4 + r] = uint32_t(sl16[o0 + x]) | uint32_t(sl16[o1 + x]) << 16;
          }
      if (ms.wstart < 0) {  // a tile at the row's start: positions before it may hold a word's stray first half
        const int neg = -ms.wstart - EW * m16;  // window positions j < neg lie before the row
#pragma unroll
        for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
          for (int ks = 0; ks < KS; ++ks)
#pragma unroll
            for (int r = 0; r < 4; ++r)
              if (kw + 8 * EW * (r % 2) < neg) a[(kw * KS + ks) * 4 + r] = 0u;
      }
    } else if constexpr (kCL) {
      // register ks * 4 + 2 cc + h of tap kw: channel 8 t4 + 2 ks + cc = element 2 (ks % 2) + cc of chunk ks / 2
#pragma unroll
      for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
          for (int q = 0; q < 2; ++q) {
            const int o = ((q ^ HopperDgradTiles::cl_swz(EW, kw)) ? cl1 : cl0) + 32 * kw + 256 * EW * h;
            const float4 v = *reinterpret_cast<const float4*>(sl + o);
            const float e[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
            for (int i = 0; i < 4; ++i) put(a, sm, kw * 16 + (2 * q + i / 2) * 4 + 2 * (i % 2) + h, e[i]);
          }
    } else {
      const int o0 = rofs + ((ms.vph + aph0) & 3), o1 = rofs + dc * p.pitch + ((ms.vph + aph1) & 3);
      int ofs[8];
#pragma unroll
      for (int ks = 0; ks < 4; ++ks) ofs[2 * ks] = o0 + 8 * ks * p.pitch, ofs[2 * ks + 1] = o1 + 8 * ks * p.pitch;
#pragma unroll
      for (int kw = 0; kw < NKW; ++kw)
#pragma unroll
        for (int ks = 0; ks < 4; ++ks)
#pragma unroll
          for (int r = 0; r < 4; ++r)
            put(a, sm, kw * 16 + ks * 4 + r, float(sl[ofs[2 * ks + r / 2] + 8 * EW * (r % 2) + kw]));
    }
#pragma unroll
    for (int e = 0; e < NA; ++e) {
      asm volatile("" : "+r"(a[e])::"memory");
      if constexpr (kSplit) asm volatile("" : "+r"(sm[e])::"memory");
    }
    pin();
    if constexpr (kSplit) {
      // the warp's fragments are in registers (the pins above used them): the slot is free.  Each x row's
      // products summed apart, then added to its sums with IEEE adds (the tensor cores' fp32 accumulation
      // truncates: PolicyExact's kSplitAcc), one row at a time (a second set would pass the registers)
      __syncwarp();
      if (lane == 0) Bar::arrive(&empty[ms.sl]);
#pragma unroll
      for (int r = 0; r < 4; ++r)
        if (ms.kd[r / 2] >= 0 && ms.kh[r % 2] >= 0 && !CT3D_PROBE_IS(p, 2)) {
          float pacc[16];
#pragma unroll
          for (int e = 0; e < 16; ++e) {
            pacc[e] = 0.f;
            asm volatile("" : "+f"(pacc[e])::"memory");
          }
          cute::warpgroup_arrive();
          mma_row(a, sm, ms.kd[r / 2], ms.kh[r % 2], pacc);
          cute::warpgroup_commit_batch();
          cute::warpgroup_wait<0>();
#pragma unroll
          for (int e = 0; e < 16; ++e) {
            asm volatile("" : "+f"(pacc[e])::"memory");
            acc[r][e] += pacc[e];
          }
        }
    } else if constexpr (kW) {
      // the stage's grad_weight fragments too, before the slot is released: M rows (h, co) of tap kw = kw0 + h, k =
      // positions 16 ks + 2 t4 + (0, 1) (+ 8), the window's elements EW pos + kw; zeros before the row (a tile at the
      // row's start: a stray first half of a straddling word) and for taps past NKW
      uint32_t ga[32];
      const uint16_t* const sl16 = reinterpret_cast<const uint16_t*>(sl);
      const int gb = gco_row + ((ms.vph + gco_ph) & (VEC - 1)), neg = -ms.wstart;
      auto load_ga = [&](int kw0) {
#pragma unroll
        for (int ks = 0; ks < 8; ++ks)
#pragma unroll
          for (int r = 0; r < 4; ++r) {
            const int kw = kw0 + (r & 1), pos = 16 * ks + 2 * t4 + 8 * (r >> 1);
            uint32_t v = 0u;
            if (kw < NKW) {
              const int j0 = EW * pos + kw, j1 = j0 + EW;
              v = uint32_t(sl16[gb + j0]) | uint32_t(sl16[gb + j1]) << 16;
              if (ms.wstart < 0) v &= (j0 < neg ? 0u : 0xFFFFu) | (j1 < neg ? 0u : 0xFFFF0000u);
            }
            ga[4 * ks + r] = v;
          }
      };
      if (wg == 0)
        load_ga(0);
      else
        load_ga(2);
      hold(ga);
      pin();
      // grad_weight first: [kd][kh][kw][co][ci] += sum over the tile's positions of P[(kw, co)][pos] x[ci][pos], per
      // x row that reads the stage (a zero stage, outside grad_y, adds nothing): fresh sums, then added to the shared
      // ones (their wait also retires the previous stage's grad_input batch, which ran under this stage's loads)
      if (ms.pair && gH > 0) {
#pragma unroll
        for (int r = 0; r < NR; ++r)
          if (ms.kd[r] >= 0 && ms.kh[0] >= 0) {
            const int L = ms.r * p.Rd + r, b = L % p.xbufs;
            Bar::wait(&xfull[b], (L / p.xbufs) & 1);
            fence_proxy_async();  // (the row landed by cp.async, the generic proxy; the wgmma reads it by the async one)
            float gd[16];
#pragma unroll
            for (int e = 0; e < 16; ++e) gd[e] = 0.f;
            hold(gd);
            cute::warpgroup_arrive();
            const uint64_t xd = gmma_desc(xbuf_a + uint32_t(b) * XB, 512, 128);
#pragma unroll
            for (int ks = 0; ks < 8; ++ks) dgrad_mma<E>(ga + 4 * ks, xd + uint64_t(ks * 64), gd);
            cute::warpgroup_commit_batch();
            cute::warpgroup_wait<0>();
            hold(gd);
            float* const g = gsum + ((ms.kd[r] * p.Kh + ms.kh[0]) * p.ncob + ms.cob) * (NKW * 1024);
            if (gH == 2) {
#pragma unroll
              for (int j = 0; j < 4; ++j) {
                float4* const q = reinterpret_cast<float4*>(g) + j * T;
                const float4 o = *q;
                *q = make_float4(o.x + gd[4 * j], o.y + gd[4 * j + 1], o.z + gd[4 * j + 2], o.w + gd[4 * j + 3]);
              }
            } else {
#pragma unroll
              for (int j = 0; j < 4; ++j) {
                float2* const q = reinterpret_cast<float2*>(g) + j * T;
                const float2 o = *q;
                *q = make_float2(o.x + gd[4 * j], o.y + gd[4 * j + 1]);
              }
            }
          }
      }
      // then the stage's grad_input batch, left in flight while the next stage loads (as the grad_input kernel does)
      cute::warpgroup_arrive();
#pragma unroll
      for (int r = 0; r < NR; ++r)
        if (ms.kd[r] >= 0 && ms.kh[0] >= 0 && !CT3D_PROBE_IS(p, 2)) mma_row(a, sm, ms.kd[r], ms.kh[0], acc[r]);
      cute::warpgroup_commit_batch();
      __syncwarp();
      if (lane == 0) Bar::arrive(&empty[ms.sl]);  // (every fragment is in registers)
      cute::warpgroup_wait<1>();
      pin();
    } else {
      cute::warpgroup_arrive();
#pragma unroll
      for (int r = 0; r < 4; ++r)
        if (ms.kd[r / 2] >= 0 && ms.kh[r % 2] >= 0 && !CT3D_PROBE_IS(p, 2))
          mma_row(a, sm, ms.kd[r / 2], ms.kh[r % 2], acc[r]);
      cute::warpgroup_commit_batch();
      // the warp's fragments are in registers (the wgmmas, warp-synchronous, have read them): the slot is free
      if (lane == 0) Bar::arrive(&empty[ms.sl]);
      cute::warpgroup_wait<1>();
      pin();
    }
    if (ms.blk == spt - 1) {  // the tile's last stage: its sums out
      cute::warpgroup_wait<0>();
      pin();
      const DgradTile& tl = ms.tl;
      bool masked = false;
      if constexpr (kW)  // the tile's x row buffers are free (its grad_weight wgmmas are done)
        if (lane == 0)
          for (int a = 0; a < p.Rd; ++a) Bar::arrive(&xempty[(ms.r * p.Rd + a) % p.xbufs]);
      if (check) {  // warpgroup-uniform
        float nf[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
        for (int e = 0; e < NR * 16; ++e) nf[e % 4] = fmaf(acc[e / 16][e % 16], 0.f, nf[e % 4]);
        masked = warpgroup_sync_or(wg, isnan(nf[0] + nf[1] + nf[2] + nf[3]));
      }
      if (masked && !CT3D_PROBING(p)) {
        for (int r = 0; r < 4; ++r)
          if (tl.has(r)) dgrad_masked<E, EW, kCL, kSplit>(p, tl, tl.id + r / 2, tl.ih + r % 2, group, cib, wg);
      } else {
        // accumulator (m = 16 warp + g8 (+ 8), n = 8 j + 2 t4 (+ 1)): lanes g8 write 32-byte runs of 4 ci rows
        const int iw = tl.qb * BQ + 64 * wg + 16 * warp + g8;
        // the bias of the thread's channels 8 j + 2 t4 + e (the unit-stride forward's), else -0 (s + -0 is s bit for
        // bit, -0 included, for every s but NaN, which stays NaN: the grad_input's outputs are unchanged)
        float bv[8];
#pragma unroll
        for (int i = 0; i < 8; ++i)
          bv[i] = p.bias ? p.bias[(int64_t(group) * p.Kci + cib * 32 + 8 * (i / 2) + 2 * t4 + i % 2) * p.bias_stride]
                         : -0.f;
        E* const gx = static_cast<E*>(p.gx.data) + tl.n * p.gx.stride[0] +
                          (int64_t(group) * p.Kci + cib * 32) * p.gx.stride[1] + tl.id * p.gx.stride[2] +
                          tl.ih * p.gx.stride[3] + (kCL ? iw * p.gx.stride[4] : iw);
#pragma unroll
        for (int r = 0; r < NR; ++r)
          if (tl.has(2 * row_a(r) + row_b(r)))
#pragma unroll
            for (int h = 0; h < 2; ++h)
              if (iw + 8 * h < p.IW)
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                  E* const row = gx + row_a(r) * p.gx.stride[2] + row_b(r) * p.gx.stride[3];
                  if constexpr (kCL && sizeof(E) == 4) {  // lanes t4 write 32-byte runs of 8 channels of a position
                    float2* const o = reinterpret_cast<float2*>(row + 8 * h * p.gx.stride[4] + 8 * j + 2 * t4);
                    float2 v =
                        make_float2(acc[r][4 * j + 2 * h] + bv[2 * j], acc[r][4 * j + 2 * h + 1] + bv[2 * j + 1]);
                    if (kSplit && p.accumulate) {
                      const float2 old = *o;
                      v = make_float2(old.x + v.x, old.y + v.y);
                    }
                    *o = v;
                  } else if constexpr (kCL) {  // 16-bit: one 4-byte store of the channel pair
                    const E pr[2] = {E(acc[r][4 * j + 2 * h] + bv[2 * j]),
                                     E(acc[r][4 * j + 2 * h + 1] + bv[2 * j + 1])};
                    uint32_t u;
                    memcpy(&u, pr, 4);
                    *reinterpret_cast<uint32_t*>(row + 8 * h * p.gx.stride[4] + 8 * j + 2 * t4) = u;
                  } else {
#pragma unroll
                    for (int e = 0; e < 2; ++e) {
                      E& o = row[(8 * j + 2 * t4 + e) * p.gx.stride[1] + 8 * h];
                      const float v = acc[r][4 * j + 2 * h + e] + bv[2 * j + e];
                      o = kSplit && p.accumulate ? E(float(o) + v) : E(v);
                    }
                  }
                }
      }
#pragma unroll
      for (int e = 0; e < NR * 16; ++e) acc[e / 16][e % 16] = 0.f;
    }
    ms.next(p, group, spt);
  };
  if constexpr (kSplit) {
    for (int t = 0; t < stages; ++t) step(fa, fb);
  } else {
    for (int t = 0; t < stages; t += 2) {
      step(fa, fb);
      if (t + 1 < stages) step(fb, fa);
    }
  }
  cute::warpgroup_wait<0>();
  if constexpr (kW) {
    // the CTA's grad_weight sums to its chunk's partials (every CTA writes all of its segment's, zeros where it had
    // no tiles: the ordered reduce adds every chunk).  A sum that is not finite may hold a zero operand's product with
    // a non-finite one (x rows or positions outside x, zero-filled, times grad_y): recomputed with every product
    // masked, on CUDA cores (thread-private: only such sums pay)
    const int groups = p.nseg / p.ncib, taps = p.Kd * p.Kh * NKW;
    float* const ws = p.gw_ws + int64_t(chunk * groups + group) * taps * p.Kci * p.Kco;
    for (int tb = 0; tb < p.Kd * p.Kh * p.ncob; ++tb) {
      const int cob = tb % p.ncob, pr = tb / p.ncob, kh = pr % p.Kh, kd = pr / p.Kh;
      const float* const g = gsum + tb * (NKW * 1024);
      for (int j = 0; j < 4; ++j)
        for (int h = 0; h < gH; ++h)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const int kw = (wg == 0 ? 0 : 2) + h, co = cob * 32 + gco, ci = cib * 32 + 8 * j + 2 * t4 + e;
            float v = g[j * T * 2 * gH + 2 * h + e];
            if (!isfinite(v) && !CT3D_PROBING(p))
              v = bwd_gw_masked<E, EW>(p, deal, group * p.Kci + ci, group * p.Kco + co, kd, kh, kw);
            ws[int64_t((kd * p.Kh + kh) * NKW + kw) * p.Kci * p.Kco + ci * p.Kco + co] = v;
          }
    }
  }
#endif
}

// The segments' weights packed for B: segment (group, ci block) as [stage of a tile: (kd, kh) pair, co block][kw]
// [ks][kc][ci 32][VEC] (16-byte rows); k index VEC kc + v of k-step ks is channel co_of(Ew, cl, ks, v, kc) of the
// block for fp32 (TF32-rounded; split: the big parts, then the small ones alike), co16 / co_cl16 (ks, v / 2, kc,
// v % 2) for 16-bit.  A value that is not finite sets *w_nonfinite (cleared before this kernel).
template <class E>
__global__ void hopper_dgrad_pack_kernel(const __grid_constant__ HopperDgradParams p, E* out) {
  constexpr int VEC = DgradElem<E>::VEC, KS = DgradElem<E>::KS;
  const int64_t per_seg = p.w_bytes / int(sizeof(E)), n = per_seg * p.nseg;
  const int part = p.split ? int(per_seg / 2) : int(per_seg);  // elements of one part (big, small) of a segment
  const E* const w = static_cast<const E*>(p.w.data);
  bool bad = false;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int seg = int(e / per_seg), small = int(e % per_seg) / part, r = int(e % per_seg) % part;
    const int v = r % VEC, ci = r / VEC % 32, kc = r / (32 * VEC) % 2, ks = r / (64 * VEC) % KS;
    const int rest = r / (64 * VEC * KS);  // 1024 elements a w tap's block of 32 co x 32 ci
    const int kw = rest % p.Kw, st = rest / p.Kw, cob = st % p.ncob, pair = st / p.ncob;
    const int kh = pair % p.Kh, kd = pair / p.Kh;
    const int cig = seg / p.ncib * p.Kci + seg % p.ncib * 32 + ci;
    const int co = cob * 32 + (sizeof(E) == 4 ? HopperDgradTiles::co_of(p.Ew, p.cl != 0, ks, v, kc)
                               : p.cl          ? HopperDgradTiles::co_cl16(ks, v / 2, kc, v % 2)
                                               : HopperDgradTiles::co16(ks, v / 2, kc, v % 2));
    const E val = w[cig * p.w.stride[0] + co * p.w.stride[1] + kd * p.w.stride[2] + kh * p.w.stride[3] +
                    kw * p.w.stride[4]];
    if constexpr (sizeof(E) == 4) {
      uint32_t u = tf32_round_clear(val);
      if (p.split) {  // (small = 0 where big is not finite: the masked recompute then takes those sums)
        uint32_t big, sm, fin;
        PolicyExact::split(val, big, sm, fin);
        u = small ? sm : big;
      }
      bad |= !isfinite(__uint_as_float(u));  // (val, or its big part rounded up to inf)
      out[e] = __uint_as_float(u);
    } else {
      bad |= !isfinite(float(val));
      out[e] = val;
    }
  }
  if (bad) *p.w_nonfinite = 1u;
}

}  // namespace ct3d
