// Row-convolution kernel: the implicit GEMM behind both the transposed-convolution forward (a strided
// dgrad, gathered per sub-pixel phase) and its input gradient (a plain strided convolution).
//
// One CTA owns one output row (n, d, h) of the destination, BQ positions q of NPH phases along w
// (o = E*q + rho, so with NPH == E it owns E*BQ contiguous outputs) and BN output channels of one group.
// Its GEMM: M = q, N = output channels, K = (valid d/h taps) x (input channels) x (w taps of the phase).
// Only taps that land on the CTA's phases are visited: for stride 2 and kernel 3 that is 27/8 taps per
// output on average instead of 27 (stock CUTLASS strided dgrad masks the other 7/8).
// The results of all phases are interleaved in shared memory and leave as contiguous rows.
#pragma once
#include <type_traits>

#include "kernel_params.h"
#include "slab_loader.cuh"

namespace ct3d {


// Fallbacks for shapes whose geometry table does not fit in the kernel parameters: one out-of-line copy.
static __device__ __noinline__ uint32_t kw_mask_slow(DimMap mw, int rho0, int nph) { return kw_block_mask(mw, rho0, nph); }
static __device__ __noinline__ TapRange tap_range_slow(DimMap m, int o) { return tap_range(m, o); }
static __device__ __noinline__ PhaseGeom phase_geom_slow(DimMap mw, int rho0, int nph, int kw0, int LDJ) {
  return make_phase_geom(mw, rho0, nph, kw0, LDJ);
}

// kGather: how the gathered tensor's w run is staged and read.  1: unit stride (A == 1, the forward);
// 2: stride 2 (grad_input at stride 2), staged contiguous and read at stride 2 (2-way bank conflicts on the
// A fragments, but whole 16-byte copies); 0: any A, split into residue planes.
// kCF: channels_last sources, staged column-major as 16-byte channel vectors (SlabLoader's kCF; kGather 1, 2).
// kShifts: each staged channel row keeps its own 16-byte phase (SlabLoader's kShifts; the plan's row_shifts).
// BN_: output channels per CTA, 32 or 16 (Tiles::row_bn: groups of <= 16 output channels, whose 32-wide tile
// would spend half its MMAs and B fragments on absent channels).
// BK_: input channels per step, 16 or 32 (Tiles::rowconv_bk: 2-byte channel-fast slabs).
template <class P, int NPH, int kGather, bool kCF = false, bool kShifts_ = P::kChannelShifts, int BN_ = Tiles::BN,
          int BK_ = Tiles::BK>
struct RowConv {
  using E = typename P::Element;
  using S = typename P::Smem;
  using Acc = typename P::Acc;
  static constexpr int BQ = Tiles::BQ, BN = BN_, BK = BK_, KWC = Tiles::KWC;
  static_assert(BK == Tiles::BK || (BK == 2 * Tiles::BK && kCF && sizeof(S) == 2), "32-channel steps: 2-byte kCF");
  static_assert(BN == 16 || BN == 32, "a warp covers 32 q x BN channels");
  static constexpr int LDB = BN + 8;
  static constexpr int MT = 2, NT = BN / 8;  // warp tile: 32 q x BN channels
  static constexpr int COLS = NPH * BQ;
  static constexpr int MS = kGather == 2 ? 2 : 1;  // slab columns per GEMM row m
  // output staging: a channel's row of COLS results, shifted by up to OVEC-1 so it lines up with 16-byte
  // vectors of the destination row (see the epilogue); LDO keeps rows on 16-byte boundaries
  static constexpr int OVEC = 16 / int(sizeof(E));
  static constexpr int LDO = COLS + (OVEC > 4 ? OVEC : 4);
  static_assert(LDO * sizeof(Acc) % 16 == 0 && OVEC * sizeof(Acc) % 16 == 0, "staged output rows must hold whole vectors");
  // channels_last destinations stage [column][channel] instead, so an output's channels leave as 16-byte vectors
  static constexpr int LDOC = BN + 4;
  static_assert(LDOC * sizeof(Acc) % 16 == 0 && BN % OVEC == 0, "staged output columns must hold whole vectors");
  static_assert(!kCF || kGather != 0, "channel-fast slabs are contiguous runs");
  // Per-channel row phases: 2-byte types always; other types for stride-2 gathers whose rows do not share one
  // phase (grad_y with OW odd), which would otherwise be copied element by element.  Rows that share one have it
  // folded into the tap offsets, at no per-fragment cost.
  static constexpr bool kShifts = !kCF && kShifts_;
  static_assert(!kShifts_ || P::kAsync, "per-channel phases come with 16-byte copies");
  using Loader = SlabLoader<P, BK, kGather != 0, kCF, kShifts>;
  static_assert(BK % P::kK == 0, "channel step must hold whole MMA k-steps");
  // 2-byte operands: B fragments (and channel-fast A fragments) by ldmatrix rather than two 2-byte loads and a
  // permute per register.  Weight rows (LDB) and channel-fast columns (LDC) are whole 16-byte vectors.
  static constexpr bool kLdsm = sizeof(S) == 2;
  // 4-byte channel-fast A fragments by ldmatrix too (TF32 and 3xTF32 k8 fragments: 4 x 4 bytes per lane)
  static constexpr bool kLdsm32 = kCF && sizeof(S) == 4 && P::kK == 8;
  static_assert(!kLdsm || (LDB * sizeof(S) % 16 == 0 && Loader::LDC * sizeof(S) % 16 == 0 && NT % 2 == 0),
                "ldmatrix rows are 16-byte aligned");

  // A stage: the slab (BK x LDK), the weights (KWC x BK x LDB), the step's tap offsets (NPH x KWC ints) and the
  // slab's per-channel shifts (BK bytes): offsets and shifts travel with their stage instead of living in
  // registers across the MMAs.
  static constexpr int kOffBytes = 2 * KWC * 4 + BK;
  static constexpr int kOffElems = kOffBytes / int(sizeof(S));
  static_assert(NPH <= 2 && kOffBytes % 16 == 0, "stage tail must keep stages 16-byte aligned");
  CT3D_HD static size_t stage_elems(int LDK) { return size_t(BK) * LDK + size_t(KWC) * BK * LDB + kOffElems; }
  CT3D_DEV static int* stage_offs(S* stage, int LDK) {
    return reinterpret_cast<int*>(stage + size_t(BK) * LDK + size_t(KWC) * BK * LDB);
  }
  CT3D_DEV static uint8_t* stage_shifts(S* stage, int LDK) {
    return reinterpret_cast<uint8_t*>(stage_offs(stage, LDK) + 2 * KWC);
  }
  // Pipeline depth: p.stages (2..kMaxStages, the launcher's pick for the shared memory an SM has).  Per-channel
  // phases keep two: fixup() works from the loader's state for the stage it loaded last, which must be the next
  // read.  Register-staged policies keep two as well (the registers hold one step).
  static constexpr int kMaxStages = kShifts || !P::kAsync ? 2 : P::kMaxStages;
  static_assert(kMaxStages >= 2 && kMaxStages <= 4, "stage_commit_wait covers up to two stages in flight behind");
  static size_t smem_bytes(int LDK, int stages) {
    size_t pipe = size_t(stages) * stage_elems(LDK) * sizeof(S);
    size_t out = size_t(BN * LDO > COLS * LDOC ? BN * LDO : COLS * LDOC) * sizeof(Acc);
    return pipe > out ? pipe : out;
  }

  struct WeightLoader {  // one step's KWC x BK x BN weights; cp.async or register-staged like the slab
    static constexpr int NREG = KWC * BK * BN / Tiles::kThreads;
    static constexpr int RSTEP = Tiles::kThreads / BN;  // rows a pass of the block covers (thread = one n)
    E v[P::kAsync ? 1 : NREG];
    const E* base;  // the step's first weight: group, tap (kd, kh, kw0), channel c0, output-channel block
    int kwn, kcn, ncn;  // valid taps / channels / output channels
    int Kc, Nc;
    template <class F>
    CT3D_DEV void for_each(F&& f) const {
      const int n = int(threadIdx.x % BN);
#pragma unroll
      for (int k = 0; k < NREG; ++k) {
        const int r = int(threadIdx.x / BN) + RSTEP * k;  // row = kwl * BK + c
        const int kwl = r / BK, c = r % BK;
        f(k, r * LDB + n, kwl < kwn && c < kcn && n < ncn, base + (int64_t(kwl) * Kc + c) * Nc + n);
      }
    }
    // 16-byte vectors along n when they are whole and aligned (the packed buffer is ours: Nc % VEC == 0 and
    // an aligned workspace suffice); a quarter of the copy instructions of the element path.
    static constexpr int VEC = 16 / int(sizeof(E));
    static constexpr int NVEC = KWC * BK * BN / VEC / Tiles::kThreads;
    bool vec = false;
    // Thread tid copies vectors k = 0..NVEC-1 at row r0 + R*k (r0 = tid / (BN/VEC), R = threads / (BN/VEC)),
    // so with R and BK powers of two its tap and channel are r0/BK + R*k/BK and r0%BK + R*k%BK: a thread
    // constant plus compile-time steps.  Per step only the base moves (plan: taps*Kc*Nc < 2^31, 32-bit offsets).
    CT3D_DEV void load_vec(S* dst) const {
      constexpr int NV = BN / VEC, R = Tiles::kThreads / NV;
      static_assert((R % BK == 0 || BK % R == 0) && Tiles::kThreads % NV == 0, "weight vectors must tile the block");
      const int r0 = threadIdx.x / NV, n = (threadIdx.x % NV) * VEC;
      const int kwl0 = r0 / BK, c0 = r0 % BK;
      const bool nok = n < ncn;
      const E* src0 = base + ((kwl0 * Kc + c0) * Nc + n);
      const uint32_t d0 = cutlass::arch::cutlass_get_smem_pointer(dst + r0 * LDB + n);
#pragma unroll
      for (int k = 0; k < NVEC; ++k) {
        const int dk = R * k / BK, dc = R * k % BK;
        const bool ok = nok && kwl0 + dk < kwn && c0 + dc < kcn;
        const E* src = src0 + (dk * Kc + dc) * Nc;
        cp_async_16(d0 + uint32_t(R * k * LDB * int(sizeof(S))), ok ? src : base, ok ? 16 : 0);
      }
    }
    CT3D_DEV void load(S* dst) {
      if (vec)
        load_vec(dst);
      else if constexpr (P::kAsync)
        for_each([&](int, int o, bool ok, const E* src) { cp_async_elem(dst + o, ok ? src : base, ok); });
      else
        for_each([&](int k, int, bool ok, const E* src) { v[k] = ok ? *src : E(0); });
    }
    CT3D_DEV void store(S* dst) const {
      if constexpr (!P::kAsync)
        if (!vec) for_each([&](int k, int o, bool, const E*) { dst[o] = P::to_smem(v[k]); });
    }
  };

  CT3D_DEV static void run(const RowConvParams& p, unsigned char* smem_raw) {
    S* smem = reinterpret_cast<S*>(smem_raw);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;

    // blockIdx.x = (row * ph_groups + pg) * q_blocks + qb, row = (n * OD + od) * OH + oh; grid.x < 2^31 (the plan
    // checks), so the plan's 32-bit divisors apply.  Done again for the epilogue rather than kept live across the
    // K loop (registers).
    auto coords = [&](int& qb, int& pg, int& od, int& oh) -> int64_t {
      const int row = p.div_ph.divmod(p.div_q.divmod(int(blockIdx.x), qb), pg);
      return p.div_od.divmod(p.div_oh.divmod(row, oh), od);
    };
    int qb, pg, od, oh;
    const int64_t n = coords(qb, pg, od, oh);
    const int nb = blockIdx.y, grp = blockIdx.z;
    const int rho0 = pg * NPH;
    const int q0 = qb * BQ;
    const int A = kGather ? kGather : p.mw.A;
    const uint32_t kw_mask = p.table ? p.kw_mask[pg] : kw_mask_slow(p.mw, rho0, NPH);

    const E* src_n = static_cast<const E*>(p.src.data) + n * p.src.stride[0] + int64_t(grp) * p.Kc * p.src.stride[1];
    const int taps = p.md.K * p.mh.K * p.mw.K;
    const E* wgrp = static_cast<const E*>(p.wpack) + int64_t(grp) * taps * p.Kc * p.Nc + nb * BN;

    const size_t stage = stage_elems(p.LDK);
    Loader sl;
    sl.sC = p.src.stride[1];
    sl.sW = p.src.stride[4];
    sl.in_extent = p.src.size[4];
    sl.A = A;
    sl.A_mul = 0xffffffffu / uint32_t(A) + 1u;
    sl.LDJ = p.LDJ;
    sl.LDK = p.LDK;
    sl.c_fast = (p.src.stride[1] == 1 && p.src.stride[4] != 1);
    sl.valid = true;
    // a register-staging policy is launched only where not everything moves as vectors (else its Async twin
    // is): it keeps to the register path, so no vector path competes for its registers
    sl.vec = P::kAsync && kGather && !kCF && p.vec_src;
    WeightLoader wl;
    wl.Kc = p.Kc;
    wl.Nc = p.Nc;
    wl.ncn = p.Nc - nb * BN;
    wl.vec = P::kAsync && p.w_vec;

    // Per w-tap block: slab geometry and, per (phase, tap), the column offset of its A operand in the slab
    // (-1: the tap does not land on the phase).  Recomputed only when the block changes; thread
    // rl * KWC + kwl keeps entry (rl, kwl) and writes it into every stage it loads.
    int geom_kw0 = -1;
    int my_off = -1;
    auto set_geom = [&](int kw0) {
      if (kw0 == geom_kw0) return;
      geom_kw0 = kw0;
      const PhaseGeom g = p.table ? p.geom[pg * p.kw_blocks + kw0 / KWC] : phase_geom_slow(p.mw, rho0, NPH, kw0, p.LDJ);
      sl.geom = g.slab;
      sl.i0 = int64_t(A) * q0 + sl.geom.base;
      // one phase for all channel rows (see kShifts): folded into the tap offsets
      const int ushift = (!kShifts && sl.vec) ? vec_phase(sl.i0, sl.VEC) : 0;
#pragma unroll
      for (int rl = 0; rl < NPH; ++rl)
#pragma unroll
        for (int kwl = 0; kwl < KWC; ++kwl)
          if (int(threadIdx.x) == rl * KWC + kwl) {
            int d;  // stride 2, contiguous: the tap's first column is its offset from the slab base
            if (kGather == 2)
              my_off = p.mw.delta(rho0 + rl, kw0 + kwl, d) && kw0 + kwl < p.mw.K ? d - sl.geom.base + ushift : -1;
            else
              my_off = g.tap_off[rl][kwl] < 0 ? -1 : g.tap_off[rl][kwl] + ushift;
          }
      sl.ecnt = A * (BQ + sl.geom.jmax);
    };
    // The K loop (RowSteps); the step's addresses are recomputed from its taps (a few multiplies) rather than
    // moved by deltas: two fewer 64-bit values live across the MMAs, which spilled in the grad_input kernels.
    RowSteps steps;
    bool have = p.tap_tab_n ? steps.start(p.tap_tab[od], p.tap_tab[p.dst.size[2] + oh], p.mw, kw_mask)
                            : steps.start(tap_range_slow(p.md, od), tap_range_slow(p.mh, oh), p.mw, kw_mask);
    auto setup = [&](S* stage) {
      const RowStep& s = steps.s;
      set_geom(s.kw0);
      if (threadIdx.x < NPH * KWC) stage_offs(stage, p.LDK)[threadIdx.x] = my_off;
      sl.base = src_n + s.c0 * p.src.stride[1] + s.id * p.src.stride[2] + s.ih * p.src.stride[3];
      sl.nch = p.Kc - s.c0;
      wl.kwn = p.mw.K - s.kw0;
      wl.kcn = p.Kc - s.c0;
      wl.base = wgrp + (int64_t((s.kd * p.mh.K + s.kh) * p.mw.K + s.kw0) * p.Kc + s.c0) * p.Nc;
    };

    // The accumulators start at the bias (the thread's channels ni*8 + 2t + {0,1}): no per-output add later.
    Acc acc[NPH][MT][NT][4];
    {
      const E* bias = static_cast<const E*>(p.bias);
      const int ncn = min(BN, p.Nc - nb * BN);
#pragma unroll
      for (int ni = 0; ni < NT; ++ni)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          const int c = ni * 8 + 2 * t + j;
          const Acc b = (bias && c < ncn) ? P::to_acc(bias[int64_t(grp) * p.Nc + nb * BN + c]) : Acc(0);
#pragma unroll
          for (int r = 0; r < NPH; ++r)
#pragma unroll
            for (int mi = 0; mi < MT; ++mi)
#pragma unroll
              for (int h = 0; h < 2; ++h) acc[r][mi][ni][2 * h + j] = b;
        }
    }

    // ---- tensor-core work on one stage
    auto mma_stage = [&](S* cur_stage) {
      const S* slab = cur_stage;
      const S* wts = slab + size_t(BK) * p.LDK;
      const int* offs = stage_offs(cur_stage, p.LDK);
      StageShifts<BK, kShifts> shifts;  // per slab channel (row k of the A operand)
      shifts.load(stage_shifts(cur_stage, p.LDK));
#pragma unroll
      for (int rl = 0; rl < NPH; ++rl)
        accumulate_block<P>(acc[rl], [&](Acc(&sum)[MT][NT][4]) {
#pragma unroll
          for (int kwl = 0; kwl < KWC; ++kwl) {
            const int off = offs[rl * KWC + kwl];
            if (off < 0) continue;
            // column m of the tile is slab column off + (warp*32 + m) * MS; channel k is a row (or, kCF, a
            // position within the column)
            const S* sa = slab + (off + warp * 32 * MS) * (kCF ? Loader::LDC : 1);
            const S* sb = wts + kwl * BK * LDB;
#pragma unroll
            for (int ks = 0; ks < BK; ks += P::kK) {
              typename P::FragB fb[NT];
              if constexpr (kLdsm) {
                ldsm_b_pairs(fb, sb + (ks + (lane >> 3 & 1) * 8 + (lane & 7)) * LDB + (lane >> 4) * 8);
              } else {
#pragma unroll
                for (int ni = 0; ni < NT; ++ni)
                  fb[ni] = PackedB<P>::load([&](int k, int c) { return sb[(ks + k) * LDB + ni * 8 + c]; }, g, t);
              }
#pragma unroll
              for (int mi = 0; mi < MT; ++mi) {
                typename P::FragA fa;
                if constexpr (kCF && (kLdsm || kLdsm32)) {
                  // channel-fast slab rows are 16-byte aligned: one ldmatrix.x4 per A fragment, matrices
                  // (m 0-7 | 8-15) x (k 0-7 | 8-15) in the fragment's register order.  fp32 the same way: an 8 x 8
                  // b16 matrix is 8 m x 4 k floats and lane (g, t) receives (m g, k t), so matrices (m 0-7 | 8-15)
                  // x (k 0-3 | 4-7) are the k8 fragment's (g, t), (g+8, t), (g, t+4), (g+8, t+4), which the
                  // policy then converts as it would four loaded floats
                  constexpr int KV = 16 / int(sizeof(S));  // k per 16-byte matrix row
                  uint32_t r[4];
                  ldsm_x4<false>(r, sa + (mi * 16 + (lane >> 3 & 1) * 8 + (lane & 7)) * MS * Loader::LDC + ks +
                                        (lane >> 4) * KV);
                  if constexpr (kLdsm)
                    fa = {{r[0], r[1], r[2], r[3]}};
                  else
                    fa = P::load_a([&](int m, int k) { return __uint_as_float(r[(m - g) / 8 + (k - t) / 4 * 2]); }, g, t);
                } else {
                  fa = P::load_a(
                      [&](int m, int k) {
                        if constexpr (kCF) return sa[(mi * 16 + m) * MS * Loader::LDC + ks + k];
                        return sa[(ks + k) * p.LDK + shifts.at(ks + k) + (mi * 16 + m) * MS];
                      }, g, t);
                }
#pragma unroll
                for (int ni = 0; ni < NT; ++ni) P::mma(sum[mi][ni], fa, fb[ni]);
              }
            }
          }
        });
    };

    auto load_step = [&](S* st) {
      setup(st);
      sl.load(st, stage_shifts(st, p.LDK));
      wl.load(st + size_t(BK) * p.LDK);
    };
    auto store_step = [&](S* st) {  // the register path's stores (no-ops for cp.async)
      sl.store(st);
      wl.store(st + size_t(BK) * p.LDK);
    };
    if constexpr (kMaxStages == 2) {
      // Two stages (CUTLASS's "pipelined" main loop): the next step loads (into registers, or by cp.async) while
      // the tensor cores read the current one.
      int buf = 0;
      if (have) {
        load_step(smem);
        store_step(smem);
      }
      stage_wait<P>();
      if (have) sl.fixup(smem);
      __syncthreads();
      while (have) {
        const bool more = steps.next(p.md, p.mh, p.mw, p.Kc, BK);
        // the other buffer is free: the last barrier retired its readers (recomputed, not kept live across the MMAs)
        auto next_stage = [&] { return smem + (buf ^ 1) * stage; };
        if (more) load_step(next_stage());
        mma_stage(smem + buf * stage);
        if (more) store_step(next_stage());
        stage_wait<P>();
        if (more) sl.fixup(next_stage());
        __syncthreads();
        buf ^= 1;
        have = more;
      }
    } else {
      // p.stages stages (CUTLASS's "multistage" main loop): S - 1 steps' cp.async copies in flight ahead of the one
      // the tensor cores read.  One copy group is committed per step, empty ones included, so "all but S - 2 groups
      // landed" always means "the next stage is in".
      const int S_ = p.stages;
      auto stage_at = [&](int i) { return smem + i * stage; };
      int staged = 0;    // steps loaded and not yet computed
      bool more = have;  // steps.s is a step still to load
      for (int i = 0; i < S_ - 1; ++i) {
        if (more) {
          load_step(stage_at(i));
          more = steps.next(p.md, p.mh, p.mw, p.Kc, BK);
          ++staged;
        }
        if (i < S_ - 2) cutlass::arch::cp_async_fence();
      }
      stage_commit_wait(S_ - 2);  // commits the last prologue group: step 0 is in
      __syncthreads();
      for (int rd = 0, wr = S_ - 1; staged; --staged) {
        // stage wr was read one step ago; the barrier since retired its readers
        if (more) {
          load_step(stage_at(wr));
          more = steps.next(p.md, p.mh, p.mw, p.Kc, BK);
          ++staged;
        }
        mma_stage(stage_at(rd));
        stage_commit_wait(S_ - 2);
        __syncthreads();
        rd = rd + 1 == S_ ? 0 : rd + 1;
        wr = wr + 1 == S_ ? 0 : wr + 1;
      }
    }

    // ---- epilogue: interleave the phases in shared memory, then write whole rows
    int qb_, pg_, od_, oh_;
    const int64_t n_ = coords(qb_, pg_, od_, oh_);
    E* dst_row = static_cast<E*>(p.dst.data) + n_ * p.dst.stride[0] + od_ * p.dst.stride[2] + oh_ * p.dst.stride[3];
    const int OW = int(p.dst.size[4]);
    const bool dst_c_fast = (p.dst.stride[1] == 1 && p.dst.stride[4] != 1);
    const int ncn = min(BN, p.Nc - nb * BN);
    const int64_t sC = p.dst.stride[1], sW = p.dst.stride[4];
    E* dst_blk = dst_row + (int64_t(grp) * p.Nc + nb * BN) * sC;
    // Contiguous NCDHW rows (the CTA's columns are consecutive outputs: all E phases, unit w stride) leave as
    // 16-byte vectors: channel c's row is staged shifted by its destination's phase, sh(c), so staged vectors
    // and destination vectors coincide; only a partial vector at either end is stored element by element.
    const int o_first = p.mw.E * q0 + rho0;
    const bool vec_out = !dst_c_fast && sW == 1 && p.mw.E == NPH;
    // sh(c) = phase of channel c's first output = (phase of channel 0 + c * sC) mod OVEC
    const int sh0 = vec_out ? vec_phase(int64_t(reinterpret_cast<uintptr_t>(dst_blk) / sizeof(E)) + o_first, OVEC) : 0;
    const int sh1 = vec_out ? vec_phase(sC, OVEC) : 0;
    auto sh = [&](int c) { return (sh0 + c * sh1) & (OVEC - 1); };
    // channels_last rows of whole aligned channel vectors (the plan's cf_dst) stage [column][channel]
    const bool cf_out = dst_c_fast && sC == 1 && p.cf_dst;
    Acc* out = reinterpret_cast<Acc*>(smem_raw);
    // the column stride is a compile-time constant in each branch, so every store is a base plus an immediate
    auto stage_out = [&](auto cf) {
      constexpr int cs = decltype(cf)::value ? LDOC : 1;  // stride between columns
#pragma unroll
      for (int ni = 0; ni < NT; ++ni)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          const int c = ni * 8 + 2 * t + j;
          Acc* oc = (decltype(cf)::value ? out + c : out + c * LDO + sh(c)) + (warp * 32 + g) * NPH * cs;
#pragma unroll
          for (int rl = 0; rl < NPH; ++rl)
#pragma unroll
            for (int mi = 0; mi < MT; ++mi)
#pragma unroll
              for (int h = 0; h < 2; ++h) oc[((mi * 16 + h * 8) * NPH + rl) * cs] = acc[rl][mi][ni][2 * h + j];
        }
    };
    if (cf_out)
      stage_out(std::true_type{});
    else
      stage_out(std::false_type{});
    __syncthreads();

    if (cf_out) {  // an output's ncn channels are contiguous: 16-byte vectors, consecutive threads along them
      constexpr int NVC = BN / OVEC;
      for (int idx = threadIdx.x; idx < COLS * NVC; idx += Tiles::kThreads) {
        const int col = idx / NVC, c = (idx % NVC) * OVEC;
        const int rho = rho0 + col % NPH;
        const int o = p.mw.E * (q0 + col / NPH) + rho;
        if (rho >= p.mw.E || o >= OW || c >= ncn) continue;
        Acc val[OVEC];
#pragma unroll
        for (int k = 0; k < int(sizeof(val) / 16); ++k)
          reinterpret_cast<uint4*>(val)[k] = reinterpret_cast<const uint4*>(out + col * LDOC + c)[k];
        E w[OVEC];
#pragma unroll
        for (int k = 0; k < OVEC; ++k) w[k] = P::from_acc(val[k]);
        st_global_16(dst_blk + (int64_t(o) * sW + c), w);
      }
    } else if (vec_out) {  // a warp per channel row, a lane per 16-byte vector
      // Vectors [vf, ve) of a row are whole (no checks); the partial ones at either end (at most OVEC-1 outputs
      // each) are stored by lanes 0..2*OVEC-1 element by element.  Lane vectors v = vf + lane + 32 r (r < NR)
      // are all loaded before any is stored.
      constexpr int NR = (COLS + OVEC - 1) / OVEC / 32 + 1;
      static_assert(2 * OVEC <= 32, "a lane per partial-vector element");
      const int ncols = min(COLS, OW - o_first);
#pragma unroll 2
      for (int c = warp; c < ncn; c += Tiles::kThreads / 32) {
        const int a = sh(c);
        E* dc = dst_blk + c * sC + o_first;  // column j at dc[j]; dc - a is 16-byte aligned
        const Acc* sp = out + c * LDO;        // column j at sp[a + j]
        const int vf = a ? 1 : 0, ve = max((ncols + a) / OVEC, vf);
        Acc val[NR][OVEC];
#pragma unroll
        for (int r = 0; r < NR; ++r)
          if (vf + lane + 32 * r < ve)
#pragma unroll
            for (int k = 0; k < int(sizeof(val[r]) / 16); ++k)
              reinterpret_cast<uint4*>(val[r])[k] =
                  reinterpret_cast<const uint4*>(sp + (vf + lane + 32 * r) * OVEC)[k];
#pragma unroll
        for (int r = 0; r < NR; ++r) {
          const int v = vf + lane + 32 * r;
          if (v >= ve) break;
          E w[OVEC];
#pragma unroll
          for (int k = 0; k < OVEC; ++k) w[k] = P::from_acc(val[r][k]);
          st_global_16(dc - a + v * OVEC, w);
        }
        // partial vectors: head columns [0, min(vf*OVEC - a, ncols)), tail columns [max(ve*OVEC - a, head end), ncols)
        const int head = min(vf * OVEC - a, ncols), tail0 = max(ve * OVEC - a, head);
        const int j = lane < OVEC ? lane : tail0 + lane - OVEC;
        if ((lane < OVEC && j < head) || (lane >= OVEC && lane < 2 * OVEC && j < ncols)) dc[j] = P::from_acc(sp[a + j]);
      }
    } else if (!dst_c_fast) {  // NCDHW-like: a warp writes consecutive outputs of one channel
      for (int col = threadIdx.x; col < COLS; col += Tiles::kThreads) {
        const int rho = rho0 + col % NPH;
        const int o = p.mw.E * (q0 + col / NPH) + rho;
        if (rho >= p.mw.E || o >= OW) continue;
        E* dp = dst_blk + int64_t(o) * sW;
        const Acc* sp = out + col;
        if (ncn == BN) {
#pragma unroll 8
          for (int c = 0; c < BN; ++c, dp += sC, sp += LDO) *dp = P::from_acc(*sp);
        } else {
          for (int c = 0; c < ncn; ++c, dp += sC, sp += LDO) *dp = P::from_acc(*sp);
        }
      }
    } else {  // channels-last: a warp writes consecutive channels of one output
      for (int idx = threadIdx.x; idx < BN * COLS; idx += Tiles::kThreads) {
        const int c = idx % BN, col = idx / BN;
        const int rho = rho0 + col % NPH;
        const int o = p.mw.E * (q0 + col / NPH) + rho;
        if (rho >= p.mw.E || o >= OW || c >= ncn) continue;
        dst_blk[c * sC + int64_t(o) * sW] = P::from_acc(out[c * LDO + col]);
      }
    }
  }
};

template <class P, int NPH, int kGather, bool kCF, bool kShifts = P::kChannelShifts, int BN = Tiles::BN,
          int BK = Tiles::BK>
__global__ void __launch_bounds__(Tiles::kThreads, P::kMinBlocks) rowconv_kernel(RowConvParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  RowConv<P, NPH, kGather, kCF, kShifts, BN, BK>::run(p, ct3d_smem);
}

}  // namespace ct3d
