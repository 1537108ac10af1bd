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
#include "kernel_params.h"
#include "slab_loader.cuh"

namespace ct3d {


template <class P, int NPH>
struct RowConv {
  using E = typename P::Element;
  using S = typename P::Smem;
  using Acc = typename P::Acc;
  static constexpr int BQ = Tiles::BQ, BN = Tiles::BN, BK = Tiles::BK, KWC = Tiles::KWC;
  static constexpr int LDB = BN + 8;
  static constexpr int MT = 2, NT = 4;  // warp tile: 32 q x 32 channels
  static constexpr int COLS = NPH * BQ;
  static constexpr int LDO = COLS + 4;
  static_assert(BK % P::kK == 0, "channel step must hold whole MMA k-steps");

  CT3D_HD static size_t stage_elems(int LDK) { return size_t(BK) * LDK + size_t(KWC) * BK * LDB; }
  static size_t smem_bytes(int LDK) {
    size_t pipe = 2 * stage_elems(LDK) * sizeof(S);
    size_t out = size_t(BN) * LDO * sizeof(Acc);
    return pipe > out ? pipe : out;
  }

  struct WeightLoader {
    static constexpr int NREG = KWC * BK * BN / Tiles::kThreads;
    E v[NREG];
    const E* base;  // group's packed weights, output-channel block applied
    int tap0;       // (kd*kH + kh)*kW + kw0
    int kwn, kcn, ncn;  // valid taps / channels / output channels
    int Kc, Nc;
    CT3D_DEV void load() {
      int n = threadIdx.x & 31;
#pragma unroll
      for (int k = 0; k < NREG; ++k) {
        int r = (threadIdx.x >> 5) + 4 * k;  // row = kwl * BK + c
        int kwl = r / BK, c = r % BK;
        bool ok = kwl < kwn && c < kcn && n < ncn;
        v[k] = ok ? base[(int64_t(tap0 + kwl) * Kc + c) * Nc + n] : E(0);
      }
    }
    CT3D_DEV void store(S* s) const {
      int n = threadIdx.x & 31;
#pragma unroll
      for (int k = 0; k < NREG; ++k) {
        int r = (threadIdx.x >> 5) + 4 * k;
        s[r * LDB + n] = P::to_smem(v[k]);
      }
    }
  };

  CT3D_DEV static void run(const RowConvParams& p, unsigned char* smem_raw) {
    S* smem = reinterpret_cast<S*>(smem_raw);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;

    int64_t bx = blockIdx.x;
    const int qb = int(bx % p.q_blocks);
    bx /= p.q_blocks;
    const int pg = int(bx % p.ph_groups);
    const int64_t row = bx / p.ph_groups;
    const int nb = blockIdx.y, grp = blockIdx.z;
    const int64_t OH = p.dst.size[3], OD = p.dst.size[2];
    const int64_t oh = row % OH, od = (row / OH) % OD, n = row / (OH * OD);
    const int rho0 = pg * NPH;
    const int64_t q0 = int64_t(qb) * BQ;
    const int A = p.mw.A;

    const E* src_n = static_cast<const E*>(p.src.data) + n * p.src.stride[0] + int64_t(grp) * p.Kc * p.src.stride[1];
    const int taps = p.md.K * p.mh.K * p.mw.K;
    const E* wgrp = static_cast<const E*>(p.wpack) + int64_t(grp) * taps * p.Kc * p.Nc + nb * BN;

    const size_t stage = stage_elems(p.LDK);
    SlabLoader<P, BK> sl;
    sl.sC = p.src.stride[1];
    sl.sW = p.src.stride[4];
    sl.in_extent = p.src.size[4];
    sl.A = A;
    sl.LDJ = p.LDJ;
    sl.LDK = p.LDK;
    sl.c_fast = (p.src.stride[1] == 1 && p.src.stride[4] != 1);
    WeightLoader wl;
    wl.Kc = p.Kc;
    wl.Nc = p.Nc;
    wl.ncn = p.Nc - nb * BN;

    auto setup = [&](const RowStep& s) {
      sl.geom = slab_geom(p.mw, rho0, NPH, s.kw0, KWC);
      sl.base = src_n + s.c0 * p.src.stride[1] + s.id * p.src.stride[2] + s.ih * p.src.stride[3];
      sl.nch = p.Kc - s.c0;
      sl.i0 = A * q0 + sl.geom.base;
      sl.ecnt = A * (BQ + sl.geom.jmax);
      sl.valid = true;
      wl.tap0 = (s.kd * p.mh.K + s.kh) * p.mw.K + s.kw0;
      wl.kwn = p.mw.K - s.kw0;
      wl.kcn = p.Kc - s.c0;
      wl.base = wgrp + int64_t(s.c0) * p.Nc;
    };

    Acc acc[NPH][MT][NT][4];
#pragma unroll
    for (int r = 0; r < NPH; ++r)
#pragma unroll
      for (int i = 0; i < MT; ++i)
#pragma unroll
        for (int j = 0; j < NT; ++j)
#pragma unroll
          for (int e = 0; e < 4; ++e) acc[r][i][j][e] = Acc(0);

    RowStep cur;
    bool have = row_step_next(p.md, p.mh, p.mw, p.Kc, od, oh, rho0, NPH, cur, true);
    int buf = 0;
    if (have) {
      setup(cur);
      sl.load();
      wl.load();
      sl.store(smem);
      wl.store(smem + size_t(BK) * p.LDK);
    }
    __syncthreads();

    while (have) {
      RowStep nxt = cur;
      bool more = row_step_next(p.md, p.mh, p.mw, p.Kc, od, oh, rho0, NPH, nxt, false);
      SlabGeom geom = sl.geom;  // geometry of the staged (current) step
      if (more) {
        setup(nxt);
        sl.load();
        wl.load();
      }
      // ---- tensor-core work on the current stage
      const S* slab = smem + buf * stage;
      const S* wts = slab + size_t(BK) * p.LDK;
#pragma unroll
      for (int rl = 0; rl < NPH; ++rl) {
        const int rho = rho0 + rl;
        // (no break here: the loop must unroll so acc[rl] stays in registers)
        for (int kwl = 0; kwl < KWC; ++kwl) {
          const int kw = cur.kw0 + kwl;
          int64_t d;
          if (rho >= p.mw.E || kw >= p.mw.K || !p.mw.delta(rho, kw, d)) continue;
          const int64_t rel = d - geom.base;
          const int j0 = int(rel / A);
          const int plane = geom.plane_of(int(rel - int64_t(j0) * A));
          const S* sa = slab + plane * p.LDJ + j0 + warp * 32;
          const S* sb = wts + kwl * BK * LDB;
#pragma unroll
          for (int ks = 0; ks < BK; ks += P::kK) {
            typename P::FragB fb[NT];
#pragma unroll
            for (int ni = 0; ni < NT; ++ni)
              fb[ni] = P::load_b([&](int k, int c) { return sb[(ks + k) * LDB + ni * 8 + c]; }, g, t);
#pragma unroll
            for (int mi = 0; mi < MT; ++mi) {
              typename P::FragA fa =
                  P::load_a([&](int m, int k) { return sa[(ks + k) * p.LDK + mi * 16 + m]; }, g, t);
#pragma unroll
              for (int ni = 0; ni < NT; ++ni) P::mma(acc[rl][mi][ni], fa, fb[ni]);
            }
          }
        }
      }
      if (more) {
        S* dst = smem + (buf ^ 1) * stage;
        sl.store(dst);
        wl.store(dst + size_t(BK) * p.LDK);
      }
      __syncthreads();
      buf ^= 1;
      cur = nxt;
      have = more;
    }

    // ---- epilogue: interleave the phases in shared memory, then write whole rows
    Acc* out = reinterpret_cast<Acc*>(smem_raw);
#pragma unroll
    for (int rl = 0; rl < NPH; ++rl)
#pragma unroll
      for (int mi = 0; mi < MT; ++mi)
#pragma unroll
        for (int ni = 0; ni < NT; ++ni)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            int m = warp * 32 + mi * 16 + g + (e >> 1) * 8;
            int c = ni * 8 + 2 * t + (e & 1);
            out[c * LDO + m * NPH + rl] = acc[rl][mi][ni][e];
          }
    __syncthreads();

    E* dst_row = static_cast<E*>(p.dst.data) + n * p.dst.stride[0] + od * p.dst.stride[2] + oh * p.dst.stride[3];
    const E* bias = static_cast<const E*>(p.bias);
    const int64_t OW = p.dst.size[4];
    const bool dst_c_fast = (p.dst.stride[1] == 1 && p.dst.stride[4] != 1);
    for (int idx = threadIdx.x; idx < BN * COLS; idx += Tiles::kThreads) {
      int c, col;
      if (dst_c_fast) {
        c = idx % BN;
        col = idx / BN;
      } else {
        c = idx / COLS;
        col = idx % COLS;
      }
      const int rho = rho0 + col % NPH;
      const int64_t o = int64_t(p.mw.E) * (q0 + col / NPH) + rho;
      const int ch = nb * BN + c;
      if (rho >= p.mw.E || o >= OW || ch >= p.Nc) continue;
      const int64_t chg = int64_t(grp) * p.Nc + ch;
      Acc v = out[c * LDO + col];
      if (bias) v += P::to_acc(bias[chg]);
      dst_row[chg * p.dst.stride[1] + o * p.dst.stride[4]] = P::from_acc(v);
    }
  }
};

template <class P, int NPH>
__global__ void __launch_bounds__(Tiles::kThreads, 2) rowconv_kernel(RowConvParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  RowConv<P, NPH>::run(p, ct3d_smem);
}

}  // namespace ct3d
