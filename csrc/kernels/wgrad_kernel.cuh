// Weight gradient: gw[ci, co, kd, kh, kw] = sum over (n, id, ih, iw) of x[n, ci, id, ih, iw] * gy[n, co, od, oh, ow]
// with o = i*stride - pad + k*dil.  Per tap it is a GEMM with M = Cin, N = Cout and a K of ~all input
// positions, so the K dimension is split: CTA (chunk, kd, kh) sums a fixed range of input rows for every
// w tap, and a second kernel adds the chunks in a fixed order.  Fixed split + fixed order = the same bits
// every run, which is what torch.use_deterministic_algorithms asks for, at no extra cost.
#pragma once
#include <climits>
#include <type_traits>

#include "kernel_params.h"
#include "slab_loader.cuh"

namespace ct3d {


// kGather: how grad_y's w run is staged, as in RowConv: 1 (stride 1) and 2 (stride 2) contiguous, grad_y's
// operand read at that stride; 0: any stride, residue planes.
// kGShifts: grad_y's staged rows keep their own 16-byte phases (see RowConv's kShifts; the plan's row_shifts).
// kCF: channels_last x and grad_y (the plan's cf): both slabs column-major, moved as 16-byte channel vectors
// (SlabLoader's kCF); the fragments then run along the channel (A: m = ci, B: n = co) at a column per k.
// kKSplit: how the 4 warps split a step's WQ positions.  2: two K halves x two 16-co blocks of a 32-co tile
// (Tiles::WN); 4 (the plan's narrow, at most 16 co per CTA): four K quarters of one 16-co tile
// (Tiles::WN_NARROW), so no warp multiplies absent channels and the grad_y slab is half as tall.  The warp
// tile is 32 ci x 16 co either way: the same accumulators.
// WQ_: input w positions per step, 64 or (2-byte channel-fast slabs; Tiles::wgrad_wq) 128.
template <class P, int kGather, bool kGShifts = P::kChannelShifts, bool kCF = false, int kKSplit = 2,
          int WQ_ = Tiles::WQ>
struct Wgrad {
  using E = typename P::Element;
  using S = typename P::Smem;
  using Acc = typename P::Acc;
  static constexpr int WM = Tiles::WM, WQ = WQ_, KWC = Tiles::KWC;
  static_assert(WQ == Tiles::WQ || (WQ == 2 * Tiles::WQ && kCF && sizeof(S) == 2), "128-position steps: 2-byte kCF");
  static constexpr int WN = kKSplit == 4 ? Tiles::WN_NARROW : Tiles::WN;
  static constexpr int MT = 2, NT = 2;  // warp tile: 32 ci x 16 co, K part WQK of WQ
  static constexpr int WQK = WQ / kKSplit;  // positions per warp per step
  static_assert(kKSplit == 2 || kKSplit == 4, "two K halves or four K quarters");
  static_assert(kKSplit * (WN / 16) == Tiles::kThreads / 32, "every warp owns one (K part, 16-co block)");
  static constexpr int MS = kGather == 2 ? 2 : 1;  // grad_y slab columns per x position
  static_assert(WQK % P::kK == 0, "each K part must hold whole MMA k-steps");
  static_assert(!kGShifts || P::kAsync, "per-channel phases come with 16-byte copies");
  static_assert(!kCF || (kGather != 0 && P::kAsync), "channel-fast slabs are contiguous 16-byte copies");
  static constexpr bool kXSh = !kCF && P::kChannelShifts, kGSh = !kCF && kGShifts;  // per-channel phases
  static constexpr int LDCx = Tiles::wgrad_cf_ldc(sizeof(S), WM, kGather, false);
  static constexpr int LDCg = Tiles::wgrad_cf_ldc(sizeof(S), WN, kGather, true);
  // register path (2-byte): the narrow grad_y slab stages 12 elements per thread (3 columns of its 4 channels,
  // 3/4 of what the wide slab stages), the rest loaded at the store: beside x's staging the policy's 20 spill
  // 48-112 B in the plane-split instances (sm_90), 16 still 56 B (f16)
  static constexpr int kGStage = kKSplit == 4 ? 12 : P::kStage;
  // 2-byte channel-fast slabs: fragments by ldmatrix (column strides are whole 16-byte vectors)
  static constexpr bool kLdsm = kCF && sizeof(S) == 2;
  static_assert(!kLdsm || (LDCx * sizeof(S) % 16 == 0 && LDCg * sizeof(S) % 16 == 0), "ldmatrix rows are aligned");
  // 4-byte x slabs of rows (NCDHW-like: row = ci, positions along it): A fragments by ldmatrix too, an 8 x 8 b16
  // matrix being 8 ci x 4 positions of fp32 (the plan keeps LDKx a multiple of 4 words and x slabs start at
  // position q0, phase 0).  grad_y's B rows start at any column per tap, so B keeps its loads.
  static constexpr bool kLdsmA32 = !kCF && !kXSh && sizeof(S) == 4 && P::kK == 8;
  // x's fragments loaded once per k-step for all w taps (see the K loop): 2-byte types (A fragments of 8 shared
  // loads and 4 permutes each) and f64 (the tap-by-tap body spills there).  TF32 with ldmatrix A fragments at
  // stride 2 in the 32-co tile (H200 against v35: mission -2.7%, groups4 -1.7%, depthwise -2%, k3s2op1 +1.2%);
  // at stride 1 (k3s1 +17%) and in the narrow tile (in64-out16 +5.6%) it loses, as it did with plain loads
  // (mission -0.5%, k3s1 +4.8%).  Exact mode sums each tap in a fresh fragment and register staging leaves
  // room for one loop body.
  static constexpr bool kShareA =
      !P::kSplitAcc && P::kAsync && (sizeof(E) != 4 || (kLdsmA32 && kGather == 2 && kKSplit == 2));

  // A stage: the x slab (WM x LDKx), the grad_y slab (WN x LDKg), then both slabs' per-channel shifts (WM + WN
  // bytes; see SlabLoader::load_async_vec)
  static constexpr int kShiftElems = (WM + WN) / int(sizeof(S));
  CT3D_HD static size_t stage_elems(int LDKx, int LDKg) {
    return size_t(WM) * LDKx + size_t(WN) * LDKg + kShiftElems;
  }
  CT3D_DEV static uint8_t* stage_shifts(S* stage, int LDKx, int LDKg) {
    return reinterpret_cast<uint8_t*>(stage + size_t(WM) * LDKx + size_t(WN) * LDKg);
  }
  // the end's reduction: the K half 1 warps park their accumulators (narrow: every warp; see the end of run)
  static constexpr int kRedWarps = kKSplit == 4 ? Tiles::kThreads / 32 : Tiles::kThreads / 32 - WN / 16;
  static size_t smem_bytes(int LDKx, int LDKg) {
    size_t pipe = 2 * stage_elems(LDKx, LDKg) * sizeof(S);
    size_t red = size_t(kRedWarps) * KWC * MT * NT * 4 * 32 * sizeof(Acc);
    return pipe > red ? pipe : red;
  }

  CT3D_DEV static void run(const WgradParams& p, unsigned char* smem_raw) {
    S* smem = reinterpret_cast<S*>(smem_raw);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    // K part and 16-co block of the warp (narrow: one block)
    const int wk = kKSplit == 4 ? warp : warp & 1, wn = kKSplit == 4 ? 0 : warp >> 1;
    const int KDH = p.md.K * p.mh.K;
    const int dh = int(blockIdx.x % KDH), chunk = int(blockIdx.x / KDH);
    const int kd = dh / p.mh.K, kh = dh % p.mh.K;
    const int mb = blockIdx.y % p.m_blocks, nb = blockIdx.y / p.m_blocks;
    // groups [g0, g0 + gpack) share this CTA: channel m of the tile is x channel g0 * Cin_g + mb * WM + m (n alike)
    const int g0 = int(blockIdx.z % p.packs) * p.gpack, kwc = int(blockIdx.z / p.packs);
    const int kw0 = kwc * KWC;
    const int A = kGather ? kGather : p.mw.A;
    const int64_t H = p.x.size[3], D = p.x.size[2], W = p.x.size[4];
    const int wblocks = int((W + WQ - 1) / WQ);

    const E* xg = static_cast<const E*>(p.x.data) + (int64_t(g0) * p.Cin_g + mb * WM) * p.x.stride[1];
    const E* gg = static_cast<const E*>(p.gy.data) + (int64_t(g0) * p.Cout_g + nb * WN) * p.gy.stride[1];
    const SlabGeom geom = slab_geom(p.mw, 0, 1, kw0, KWC);
    const size_t stage = stage_elems(p.LDKx, p.LDKg);

    SlabLoader<P, WM, true, kCF, kXSh, LDCx> xl;
    // as in RowConv: a register-staging policy runs only where not both slabs are vectors, on registers alone
    xl.vec = P::kAsync && p.x_vec;
    xl.sC = p.x.stride[1];
    xl.sW = p.x.stride[4];
    xl.in_extent = W;
    xl.A = 1;
    xl.LDJ = p.LDKx;
    xl.LDK = p.LDKx;
    xl.geom = slab_geom(DimMap{1, 0, 0, 1, 1, 1, 1}, 0, 1, 0, 1);  // one plane, residue 0
    xl.c_fast = (p.x.stride[1] == 1 && p.x.stride[4] != 1);
    xl.nch = p.gpack * p.Cin_g - mb * WM;
    xl.ecnt = WQ;
    SlabLoader<P, WN, kGather != 0, kCF, kGSh, LDCg, kGStage> gl;
    gl.vec = P::kAsync && kGather && !kCF && p.gy_vec;
    gl.sC = p.gy.stride[1];
    gl.sW = p.gy.stride[4];
    gl.in_extent = p.gy.size[4];
    gl.A = A;
    gl.A_mul = 0xffffffffu / uint32_t(A) + 1u;
    gl.LDJ = p.LDJ;
    gl.LDK = p.LDKg;
    gl.geom = geom;
    gl.c_fast = (p.gy.stride[1] == 1 && p.gy.stride[4] != 1);
    gl.nch = p.gpack * p.Cout_g - nb * WN;
    gl.ecnt = A * (WQ + geom.jmax);
    // one phase for all rows (see kGShifts): x slabs start at multiples of WQ (phase 0), grad_y's at
    // A * q0 + base, folded into the tap columns below
    const int gshift = (!kGSh && gl.vec) ? vec_phase(geom.base, gl.VEC) : 0;

    // Per w tap of the CTA, fixed for its life: grad_y column of position 0 of a w block ([0]) and the positions
    // q of the row whose grad_y index A*q + d lies in [0, OW) ([1], [2]); a tap past kW has none.  Worked out
    // once (divisions) and read from shared memory per step.
    __shared__ int tap_tab[3][KWC];
    if (threadIdx.x < KWC) {
      const int kwl = threadIdx.x;
      int d;
      if (kw0 + kwl < p.mw.K && p.mw.delta(0, kw0 + kwl, d)) {
        const int rel = d - geom.base, j0 = rel / A;
        // contiguous: column rel (+ the channel's shift), read every MS-th; planes: plane of rel, column j0
        tap_tab[0][kwl] = kGather ? rel + gshift : geom.plane_of(rel - j0 * A) * p.LDJ + j0;
        tap_tab[1][kwl] = int(floor_div(-d - 1, A)) + 1;
        tap_tab[2][kwl] = int(floor_div(int(p.gy.size[4]) - 1 - d, A)) + 1;
      } else {
        tap_tab[0][kwl] = 0, tap_tab[1][kwl] = INT_MAX / 2, tap_tab[2][kwl] = INT_MIN / 2;
      }
    }

    const int64_t r_begin = p.rows * chunk / p.chunks, r_end = p.rows * (chunk + 1) / p.chunks;
    // step = (row, w block); rows whose (kd, kh) tap misses grad_y are skipped.  Rows advance by counters
    // (a 64-bit division per step costs more than the step's loads).
    struct Step { int64_t r; int b; int id, ih, od, oh; int64_t n; };
    auto next_row = [&](Step& s) {
      ++s.r;
      if (++s.ih == int(H)) {
        s.ih = 0;
        if (++s.id == int(D)) {
          s.id = 0;
          ++s.n;
        }
      }
    };
    auto advance = [&](Step& s, bool first) {
      if (!first) {
        if (++s.b < wblocks) return true;
        s.b = 0;
        next_row(s);
      }
      for (; s.r < r_end; next_row(s))
        if (p.md.tap(s.id, kd, s.od) && p.mh.tap(s.ih, kh, s.oh)) return true;
      return false;
    };
    auto setup = [&](const Step& s) {
      int64_t q0 = int64_t(s.b) * WQ;
      xl.base = xg + s.n * p.x.stride[0] + s.id * p.x.stride[2] + s.ih * p.x.stride[3];
      xl.i0 = q0;
      xl.valid = true;
      gl.base = gg + s.n * p.gy.stride[0] + s.od * p.gy.stride[2] + s.oh * p.gy.stride[3];
      gl.i0 = int64_t(A) * q0 + geom.base;
      gl.valid = true;
    };

    Acc acc[KWC][MT][NT][4];
#pragma unroll
    for (int a = 0; a < KWC; ++a) zero_tiles(acc[a]);

    Step cur{r_begin, 0, int((r_begin / H) % D), int(r_begin % H), 0, 0, r_begin / (H * D)};
    bool have = advance(cur, true);
    int buf = 0;
    if (have) {
      setup(cur);
      xl.load(smem, stage_shifts(smem, p.LDKx, p.LDKg));
      gl.load(smem + size_t(WM) * p.LDKx, stage_shifts(smem, p.LDKx, p.LDKg) + WM);
      xl.store(smem);
      gl.store(smem + size_t(WM) * p.LDKx);
    }
    stage_wait<P>();
    if (have) {
      xl.fixup(smem);
      gl.fixup(smem + size_t(WM) * p.LDKx);
    }
    __syncthreads();
    while (have) {
      Step nxt = cur;
      bool more = advance(nxt, false);
      // the other buffer is free: the last barrier retired its readers (recomputed, not kept live across the MMAs)
      auto next_stage = [&] { return smem + (buf ^ 1) * stage; };
      if (more) {
        setup(nxt);
        xl.load(next_stage(), stage_shifts(next_stage(), p.LDKx, p.LDKg));
        gl.load(next_stage() + size_t(WM) * p.LDKx, stage_shifts(next_stage(), p.LDKx, p.LDKg) + WM);
      }
      S* const cur_stage = smem + buf * stage;
      const S* xs = cur_stage;
      const S* gs = xs + size_t(WM) * p.LDKx;
      StageShifts<WM, kXSh> xsh;  // per ci (row m of the A operand)
      StageShifts<16, kGSh> gsh;  // per co of this warp's 16 (column n of the B operand; narrow: the tile's)
      xsh.load(stage_shifts(cur_stage, p.LDKx, p.LDKg));
      gsh.load(stage_shifts(cur_stage, p.LDKx, p.LDKg) + WM + wn * 16);
      // Per w tap: its grad_y column and the positions k of this w block (local) whose product counts:
      // iw < W and 0 <= ow < OW.  Both operands are data here, so a product whose partner is padding must be
      // skipped, not multiplied by a zero (0 * inf = NaN).
      struct TapCols { int gcol, klo, khi; };
      const int q0 = cur.b * WQ, k0 = wk * WQK;
      const int wend = min(WQ, int(W) - q0);
      auto tap_cols = [&](int kwl) {
        return TapCols{tap_tab[0][kwl], max(0, tap_tab[1][kwl] - q0), min(wend, tap_tab[2][kwl] - q0)};
      };
      // this warp's K part [k0, k0 + WQK): taps with any product (live), and those of them meeting an edge
      uint32_t live = 0, edge = 0;
#pragma unroll
      for (int kwl = 0; kwl < KWC; ++kwl) {
        const TapCols c = tap_cols(kwl);
        live |= uint32_t(c.klo < c.khi && c.klo < k0 + WQK && c.khi > k0) << kwl;
        edge |= uint32_t(!(c.klo <= k0 && c.khi >= k0 + WQK)) << kwl;
      }
      const S* xa = kCF ? xs + k0 * LDCx : xs + k0;
      // The thread's fragment rows are fixed (A: ci = mi*16 + g (+8); B: co = ni*8 + g in every policy), so their
      // per-channel shifts are taken out of the packed bytes once per step, not at every fragment load.
      int xs_m[MT][2], gs_n[NT];
#pragma unroll
      for (int mi = 0; mi < MT; ++mi)
#pragma unroll
        for (int h = 0; h < 2; ++h) xs_m[mi][h] = xsh.at(mi * 16 + g + 8 * h);
#pragma unroll
      for (int ni = 0; ni < NT; ++ni) gs_n[ni] = gsh.at(ni * 8 + g);
      auto x_shift = [&](int mi, int m) { return m == g ? xs_m[mi][0] : m == g + 8 ? xs_m[mi][1] : xsh.at(mi * 16 + m); };
      auto g_shift = [&](int ni, int cc) { return cc == g ? gs_n[ni] : gsh.at(ni * 8 + cc); };
      // 2-byte channel-fast slabs: fragments by ldmatrix.trans (rows = k, 8 channels each, 16-byte aligned);
      // masked k are cleared afterwards, in both operands (0 * inf).  A lane holds k = 2t, 2t+1 (+8).
      auto kmask = [&](const TapCols& c, int k) {  // halves (k, k+1) of a register, k local to the K part
        const int kk = k0 + k;
        return (kk >= c.klo && kk < c.khi ? 0xffffu : 0u) | (kk + 1 >= c.klo && kk + 1 < c.khi ? 0xffff0000u : 0u);
      };
      // masked (a compile-time bool): keep only k in [klo, khi) of the tap (an edge block); else plain loads
      auto frag_a = [&](const TapCols& c, int mi, int ks, auto masked) {
        if constexpr (kLdsm) {
          typename P::FragA fa;  // matrices (m 0-7 | 8-15) x (k 0-7 | 8-15) in the fragment's register order
          ldsm_x4<true>(fa.r, xa + (ks + (lane >> 4) * 8 + (lane & 7)) * LDCx + mi * 16 + (lane >> 3 & 1) * 8);
          if constexpr (decltype(masked)::value) {
            const uint32_t lo = kmask(c, ks + 2 * t), hi = kmask(c, ks + 2 * t + 8);
            fa.r[0] &= lo, fa.r[1] &= lo, fa.r[2] &= hi, fa.r[3] &= hi;
          }
          return fa;
        }
        if constexpr (kLdsmA32) {
          // matrices (m 0-7 | 8-15) x (k 0-3 | 4-7): lane (g, t) receives the k8 fragment's (g, t), (g+8, t),
          // (g, t+4), (g+8, t+4), which the policy converts as four loaded floats
          uint32_t r[4];
          ldsm_x4<false>(r, xa + (mi * 16 + (lane >> 3 & 1) * 8 + (lane & 7)) * p.LDKx + ks + (lane >> 4) * 4);
          return P::load_a([&](int m, int k) {
            const int kk = k0 + ks + k;
            return !masked.value || (kk >= c.klo && kk < c.khi) ? __uint_as_float(r[(m - g) / 8 + (k - t) / 4 * 2]) : S(0);
          }, g, t);
        }
        return P::load_a([&](int m, int k) {
          const int kk = k0 + ks + k;
          return !masked.value || (kk >= c.klo && kk < c.khi)
                     ? (kCF ? xa[(ks + k) * LDCx + mi * 16 + m] : xa[(mi * 16 + m) * p.LDKx + x_shift(mi, m) + ks + k])
                     : S(0);
        }, g, t);
      };
      // all NT of the warp's B fragments
      auto frags_b = [&](const TapCols& c, int ks, auto masked, typename P::FragB(&fb)[NT]) {
        const S* gb = kCF ? gs + (c.gcol + MS * k0) * LDCg + wn * 16 : gs + c.gcol + MS * k0 + (wn * 16) * p.LDKg;
        if constexpr (kLdsm) {
          static_assert(NT == 2, "one ldmatrix.x4 holds both n blocks");
          static_assert(WQK % 16 == 0, "a K part is whole k16 steps (narrow: exactly one)");
          uint32_t r[4];  // matrices (k 0-7 | 8-15) x (n block 0 | 1); grad_y's k runs at MS columns
          ldsm_x4<true>(r, gb + MS * (ks + (lane >> 3 & 1) * 8 + (lane & 7)) * LDCg + (lane >> 4) * 8);
          if constexpr (decltype(masked)::value) {
            const uint32_t lo = kmask(c, ks + 2 * t), hi = kmask(c, ks + 2 * t + 8);
            r[0] &= lo, r[1] &= hi, r[2] &= lo, r[3] &= hi;
          }
          fb[0] = {{r[0], r[1]}};
          fb[1] = {{r[2], r[3]}};
          return;
        }
#pragma unroll
        for (int ni = 0; ni < NT; ++ni)
          fb[ni] = P::load_b([&](int k, int cc) {
            const int kk = k0 + ks + k;
            return !masked.value || (kk >= c.klo && kk < c.khi)
                       ? (kCF ? gb[MS * (ks + k) * LDCg + ni * 8 + cc] : gb[(ni * 8 + cc) * p.LDKg + g_shift(ni, cc) + MS * (ks + k)])
                       : S(0);
          }, g, t);
      };
      if constexpr (kShareA) {
        // x's fragments do not depend on the tap: loaded once per k-step and shared by the block's w taps
        // (a third of the fragment loads for kW = 3).  A tap whose K part meets an edge loads its own, masked.
        int gcol[KWC];
#pragma unroll
        for (int kwl = 0; kwl < KWC; ++kwl) gcol[kwl] = tap_tab[0][kwl];
#pragma unroll
        for (int ks = 0; ks < WQK; ks += P::kK) {
          typename P::FragA fa[MT];
#pragma unroll
          for (int mi = 0; mi < MT; ++mi) fa[mi] = frag_a(TapCols{}, mi, ks, std::false_type{});
#pragma unroll
          for (int kwl = 0; kwl < KWC; ++kwl) {
            if (!((live >> kwl) & 1u)) continue;
            auto tap = [&](auto masked) {
              // plain loads need only the column (held for the step); a masked tap reads its range again
              const TapCols c = decltype(masked)::value ? tap_cols(kwl) : TapCols{gcol[kwl], 0, WQ};
              typename P::FragB fb[NT];
              frags_b(c, ks, masked, fb);
#pragma unroll
              for (int mi = 0; mi < MT; ++mi) {
                typename P::FragA fm;
                if constexpr (decltype(masked)::value)
                  fm = frag_a(c, mi, ks, masked);
                else
                  fm = fa[mi];
#pragma unroll
                for (int ni = 0; ni < NT; ++ni) P::mma(acc[kwl][mi][ni], fm, fb[ni]);
              }
            };
            if ((edge >> kwl) & 1u)
              tap(std::true_type{});
            else
              tap(std::false_type{});
          }
        }
      } else {
        // tap by tap: exact mode sums each tap's K part in a fresh fragment (P::kSplitAcc), and register staging
        // leaves room for one loop body only (always masked)
#pragma unroll
        for (int kwl = 0; kwl < KWC; ++kwl) {
          if (!((live >> kwl) & 1u)) continue;
          const TapCols c = tap_cols(kwl);
          auto tap = [&](auto masked) {
            accumulate_block<P>(acc[kwl], [&](Acc(&sum)[MT][NT][4]) {
#pragma unroll
              for (int ks = 0; ks < WQK; ks += P::kK) {
                typename P::FragB fb[NT];
                frags_b(c, ks, masked, fb);
#pragma unroll
                for (int mi = 0; mi < MT; ++mi) {
                  const typename P::FragA fa = frag_a(c, mi, ks, masked);
#pragma unroll
                  for (int ni = 0; ni < NT; ++ni) P::mma(sum[mi][ni], fa, fb[ni]);
                }
              }
            });
          };
          if (!P::kAsync || ((edge >> kwl) & 1u))
            tap(std::true_type{});
          else
            tap(std::false_type{});
        }
      }
      if (more) {
        xl.store(next_stage());
        gl.store(next_stage() + size_t(WM) * p.LDKx);
      }
      stage_wait<P>();
      if (more) {
        xl.fixup(next_stage());
        gl.fixup(next_stage() + size_t(WM) * p.LDKx);
      }
      __syncthreads();
      buf ^= 1;
      cur = nxt;
      have = more;
    }

    // Add the K parts in a fixed order (part 0 + 1 (+ 2 + 3)), then write this chunk's partial sums.
    Acc* red = reinterpret_cast<Acc*>(smem_raw);
    constexpr int PER = KWC * MT * NT * 4;
    auto red_at = [&](int slot, int a, int i, int j, int e) -> Acc& {
      return red[((slot * PER) + ((a * MT + i) * NT + j) * 4 + e) * 32 + lane];
    };
    auto park = [&](int slot) {
#pragma unroll
      for (int a = 0; a < KWC; ++a)
#pragma unroll
        for (int i = 0; i < MT; ++i)
#pragma unroll
          for (int j = 0; j < NT; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) red_at(slot, a, i, j, e) = acc[a][i][j][e];
    };
    // Tile row cm / column cn is channel cm - gi * Cin_g / cn - gj * Cout_g of group g0 + gi / g0 + gj (gi, gj
    // < gpack); a product is kept only within one group.  Its offset in ws[chunk][group][tap][ci][co], from
    // group g0's, is gi * jump + cm * Cout_g + cn with jump = taps * Cin_g * Cout_g - Cin_g * Cout_g - Cout_g.
    // Writes tap kw0 + a (a may be a run-time index) of the K parts' sums, sum(i, j, e) the thread's element.
    auto write_tap = [&](int a, auto&& sum) {
      const int taps = p.md.K * p.mh.K * p.mw.K;
      const int64_t ckn = int64_t(p.Cin_g) * p.Cout_g, jump = taps * ckn - ckn - p.Cout_g;
      int gi[MT][2], gj[NT][2];  // few registers: (wide) the accumulators are all live here
#pragma unroll
      for (int i = 0; i < MT; ++i)
#pragma unroll
        for (int h = 0; h < 2; ++h) gi[i][h] = p.div_cin.div(mb * WM + i * 16 + g + h * 8);
#pragma unroll
      for (int j = 0; j < NT; ++j)
#pragma unroll
        for (int b = 0; b < 2; ++b) gj[j][b] = p.div_cout.div(nb * WN + wn * 16 + j * 8 + 2 * t + b);
      const int tap = (kd * p.mh.K + kh) * p.mw.K + kw0 + a;
      Acc* wt = static_cast<Acc*>(p.ws) + ((int64_t(chunk) * p.groups + g0) * taps + tap) * ckn;
#pragma unroll
      for (int i = 0; i < MT; ++i)
#pragma unroll
        for (int j = 0; j < NT; ++j)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int h = e >> 1, b = e & 1;
            const int cm = mb * WM + i * 16 + g + h * 8, cn = nb * WN + wn * 16 + j * 8 + 2 * t + b;
            const Acc v = sum(i, j, e);
            if (gi[i][h] == gj[j][b] && gi[i][h] < p.gpack) wt[gi[i][h] * jump + int64_t(cm) * p.Cout_g + cn] = v;
          }
    };
    if constexpr (kKSplit == 4) {
      // narrow: every warp parks its part (slot = K part), then warp w adds tap w's four parts and writes them:
      // no accumulators live past the barrier (warp 0 summing all taps from registers spilled at TF32's 128),
      // and four warps share the writes
      static_assert(KWC == Tiles::kThreads / 32, "a warp per tap");
      park(wk);
      __syncthreads();
      if (kw0 + warp < p.mw.K)
        write_tap(warp, [&](int i, int j, int e) {
          Acc v = red_at(0, warp, i, j, e);
#pragma unroll
          for (int k = 1; k < kKSplit; ++k) v += red_at(k, warp, i, j, e);
          return v;
        });
    } else {
      // K half 1 parks its part (slot wn), K half 0 adds it to its own
      if (wk == 1) park(wn);
      __syncthreads();
      if (wk == 0) {
#pragma unroll
        for (int a = 0; a < KWC; ++a) {
          if (kw0 + a >= p.mw.K) break;
          write_tap(a, [&](int i, int j, int e) { return acc[a][i][j][e] + red_at(wn, a, i, j, e); });
        }
      }
    }
  }
};

template <class P, int kGather, bool kGShifts = P::kChannelShifts, bool kCF = false, int kKSplit = 2,
          int WQ = Tiles::WQ>
__global__ void __launch_bounds__(Tiles::kThreads, P::kMinBlocks) wgrad_kernel(WgradParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  Wgrad<P, kGather, kGShifts, kCF, kKSplit, WQ>::run(p, ct3d_smem);
}

// gw[g*Cin_g + ci][co][tap] = sum over chunks, in chunk order, of ws[chunk][g][tap][ci][co]
template <class P>
__global__ void wgrad_reduce_kernel(const typename P::Acc* ws, TensorRef5 gw, int chunks, int groups, int Cin_g,
                                    int Cout_g, int taps) {
  const int64_t total = int64_t(groups) * Cin_g * Cout_g * taps;
  const int64_t per_chunk = total;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    // idx enumerates the contiguous (Cin, Cout_g, taps) order of the weight
    const int tap = int(idx % taps);
    const int co = int((idx / taps) % Cout_g);
    const int64_t cig = idx / (int64_t(taps) * Cout_g);
    const int grp = int(cig / Cin_g), ci = int(cig % Cin_g);
    const int64_t off = ((int64_t(grp) * taps + tap) * Cin_g + ci) * Cout_g + co;
    typename P::Acc s = 0;
    for (int c = 0; c < chunks; ++c) s += ws[c * per_chunk + off];
    const int kw = tap % int(gw.size[4]), kh = (tap / int(gw.size[4])) % int(gw.size[3]),
              kd = tap / int(gw.size[4] * gw.size[3]);
    static_cast<typename P::Element*>(gw.data)[cig * gw.stride[0] + co * gw.stride[1] + kd * gw.stride[2] +
                                               kh * gw.stride[3] + kw * gw.stride[4]] = P::from_acc(s);
  }
}

// grad_bias[c] = sum over (n, d, h, w) of gy[n, c, d, h, w]: CTA (c, chunk) sums a fixed range of rows in a
// fixed order; bias_reduce adds the chunks in order.  Deterministic.
template <class P>
__global__ void bias_partial_kernel(TensorRef5 gy, typename P::Acc* ws, int chunks) {
  using Acc = typename P::Acc;
  using E = typename P::Element;
  const int c = blockIdx.x, chunk = blockIdx.y;
  const int64_t rows = gy.size[0] * gy.size[2] * gy.size[3];
  const int64_t r0 = rows * chunk / chunks, r1 = rows * (chunk + 1) / chunks;
  const E* base = static_cast<const E*>(gy.data) + c * gy.stride[1];
  Acc s = 0;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
  for (int64_t r = r0 + warp; r < r1; r += nw) {
    const int64_t h = r % gy.size[3], d = (r / gy.size[3]) % gy.size[2], n = r / (gy.size[3] * gy.size[2]);
    const E* row = base + n * gy.stride[0] + d * gy.stride[2] + h * gy.stride[3];
    for (int64_t w = lane; w < gy.size[4]; w += 32) s += P::to_acc(row[w * gy.stride[4]]);
  }
  __shared__ Acc part[32];
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  if (lane == 0) part[warp] = s;
  __syncthreads();
  if (threadIdx.x == 0) {
    Acc tot = 0;
    for (int i = 0; i < nw; ++i) tot += part[i];
    ws[int64_t(c) * chunks + chunk] = tot;
  }
}

template <class P>
__global__ void bias_reduce_kernel(const typename P::Acc* ws, typename P::Element* gb, int64_t gb_stride, int C,
                                   int chunks) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  typename P::Acc s = 0;
  for (int i = 0; i < chunks; ++i) s += ws[int64_t(c) * chunks + i];
  gb[c * gb_stride] = P::from_acc(s);
}

// Packs PyTorch's weight (Cin, Cout_g, kD, kH, kW), any strides, into [groups][taps][K][N]:
// forward K = Cin_g, N = Cout_g; grad_input K = Cout_g, N = Cin_g.
template <class P>
__global__ void pack_weight_kernel(TensorRef5 w, typename P::Element* out, int groups, bool kn_is_cout_cin) {
  using E = typename P::Element;
  const int Cin = int(w.size[0]), Cout_g = int(w.size[1]), Cin_g = Cin / groups;
  const int kH = int(w.size[3]), kW = int(w.size[4]);
  const int taps = int(w.size[2]) * kH * kW;
  const int64_t total = int64_t(Cin) * Cout_g * taps;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int tap = int(idx % taps);
    const int co = int((idx / taps) % Cout_g);
    const int cig = int(idx / (int64_t(taps) * Cout_g));
    const int grp = cig / Cin_g, ci = cig % Cin_g;
    const int kw = tap % kW, kh = (tap / kW) % kH, kd = tap / (kW * kH);
    const E v = static_cast<const E*>(w.data)[cig * w.stride[0] + co * w.stride[1] + kd * w.stride[2] +
                                              kh * w.stride[3] + kw * w.stride[4]];
    const int64_t base = (int64_t(grp) * taps + tap) * Cin_g * Cout_g;
    out[base + (kn_is_cout_cin ? int64_t(co) * Cin_g + ci : int64_t(ci) * Cout_g + co)] = PackedB<P>::pack(v);
  }
}

}  // namespace ct3d
