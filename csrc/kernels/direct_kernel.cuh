// Direct (CUDA-core) kernels for groups with few channels (depthwise and the like), where a 32-wide tensor-core
// N tile would be 1/32 used: the row-conv GEMM's gather, one output at a time, and grad_weight as a per-tap
// reduction.  Same maps (DimMap), packed weights and precision contract as the tensor-core kernels:
//   TF32   operands rounded to nearest-even TF32 (products exact in fp32, fp32 sums), as the MMA path
//   Exact  plain fp32 FMA (exact to fp32 rounding)
//   16-bit fp32 accumulation; f64 in double.
#pragma once
#include <algorithm>
#include <climits>
#include <type_traits>

#include "kernel_params.h"
#include "mma_policy.cuh"

namespace ct3d {

// An operand as the policy multiplies it, in the accumulator type: get() for tensor values, packed() for the
// packed weights (already prepared by PackedB<P>::pack).
template <class P>
struct ScalarOperand {
  CT3D_DEV static typename P::Acc get(typename P::Element v) { return P::to_acc(v); }
  CT3D_DEV static typename P::Acc packed(typename P::Element v) { return get(v); }
};
// 16-bit: from the raw bits (plain integer/float ops the compiler keeps in registers)
template <bool C>
struct ScalarOperand<Policy16<cutlass::bfloat16_t, C>> {
  CT3D_DEV static float get(cutlass::bfloat16_t v) { return __uint_as_float(uint32_t(v.raw()) << 16); }
  CT3D_DEV static float packed(cutlass::bfloat16_t v) { return get(v); }
};
template <bool C>
struct ScalarOperand<Policy16<cutlass::half_t, C>> {
  CT3D_DEV static float get(cutlass::half_t v) { return __half2float(__ushort_as_half(v.raw())); }
  CT3D_DEV static float packed(cutlass::half_t v) { return get(v); }
};
// TF32: x (or grad_y) rounded to nearest-even TF32 here, weights already rounded when packed.  The product of
// two TF32 values is exact in fp32, so an fp32 FMA forms what the tensor core would.
template <>
struct ScalarOperand<PolicyTF32> {
  CT3D_DEV static float get(float v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    return __uint_as_float(tf32_round(v) & 0xffffe000u);  // cvt.rn.tf32 keeps inf and NaN (its NaN survives the mask)
#else
    return isfinite(v) ? __uint_as_float(tf32_round(v) & 0xffffe000u) : v;
#endif
  }
  CT3D_DEV static float packed(float v) { return v; }
};

// Forward (gather form) and grad_input: warp u = (row, group, chunk of 32*J outputs); lane outputs
// o = chunk*32*J + lane + 32*j, all Nc (<= NC) channels of the group, every valid tap of every channel.
// NC (1, 2 or 4 >= Nc) sizes the per-thread arrays; J = lane_outputs(...) outputs per lane keep them small.
// Explicit min-blocks: with the bare thread bound, ptxas capped this kernel near 72 registers and spilled.
template <class P, int NC>
__global__ void __launch_bounds__(DirectTiles::kThreads, sizeof(typename P::Acc) == 8 ? 2 : 4)
    direct_conv_kernel(RowConvParams p, int chunks) {
  using E = typename P::Element;
  using Acc = typename P::Acc;
  constexpr int J = DirectTiles::lane_outputs(int(sizeof(E)), NC);
  const int lane = threadIdx.x & 31;
  int64_t u = int64_t(blockIdx.x) * (DirectTiles::kThreads / 32) + (threadIdx.x >> 5);
  const int chunk = int(u % chunks);
  u /= chunks;
  const int grp = int(u % p.groups);
  const int64_t row = u / p.groups;
  if (row >= p.rows) return;
  const int OH = int(p.dst.size[3]), OD = int(p.dst.size[2]), OW = int(p.dst.size[4]);
  const int oh = int(row % OH), od = int((row / OH) % OD);
  const int64_t n = row / OH / OD;
  const int taps = p.md.K * p.mh.K * p.mw.K;

  // w taps per output: a walk k = k0 + s*ks, i = i0 - s*di from its first valid tap (ks, di are the map's);
  // outputs 32 apart share a phase when 32 % E == 0
  int wk0[J], wi0[J];
  uint32_t live = 0;  // bit j: output j exists and some tap lands on its phase
  const int o0 = chunk * 32 * J + lane;
#pragma unroll
  for (int j = 0; j < J; ++j) {
    TapWalk t;
    if (j > 0 && 32 % p.mw.E == 0) {
      t = TapWalk{wk0[0], p.mw.ks, wi0[0] + j * (32 / p.mw.E) * p.mw.A, p.mw.di, (live & 1u) != 0};
    } else {
      t = tap_walk(p.mw, o0 + 32 * j);
    }
    wk0[j] = t.k0;
    wi0[j] = t.i0;
    if (t.any && o0 + 32 * j < OW) live |= 1u << j;
  }
  Acc acc[J][NC];
  const E* bias = static_cast<const E*>(p.bias);
#pragma unroll
  for (int c = 0; c < NC; ++c) {
    const Acc b = (bias && c < p.Nc) ? P::to_acc(bias[int64_t(grp) * p.Nc + c]) : Acc(0);
#pragma unroll
    for (int j = 0; j < J; ++j) acc[j][c] = b;
  }

  constexpr int S = 2;                                 // w taps per output per block
  const int wsteps = (p.mw.K + p.mw.ks - 1) / p.mw.ks;  // most w taps one output can have
  const TapWalk wd = tap_walk(p.md, od), wh = tap_walk(p.mh, oh);
  const E* src_g = static_cast<const E*>(p.src.data) + n * p.src.stride[0] + int64_t(grp) * p.Kc * p.src.stride[1];
  const E* w_g = static_cast<const E*>(p.wpack) + int64_t(grp) * taps * p.Kc * p.Nc;
  const int64_t sC = p.src.stride[1], sW = p.src.stride[4];
  int kd = wd.k0, id = wd.i0;
  if (wd.any && wh.any)
    for (; tap_seek(p.md, wd, kd, id); kd += wd.ks, id -= wd.di)
      for (int kh = wh.k0, ih = wh.i0; tap_seek(p.mh, wh, kh, ih); kh += wh.ks, ih -= wh.di) {
        const E* srow = src_g + id * p.src.stride[2] + ih * p.src.stride[3];
        const E* wt = w_g + int64_t((kd * p.mh.K + kh) * p.mw.K) * p.Kc * p.Nc;
        // w taps in blocks of S per output, unrolled over the J outputs with predicated loads, so the loads of
        // a block are independent and in flight together (a per-output tap loop serialises their latency)
        for (int s0 = 0; s0 < wsteps; s0 += S) {
          for (int kc = 0; kc < p.Kc; ++kc) {
            Acc xv[J][S], wv[J][S][NC];
#pragma unroll
            for (int j = 0; j < J; ++j)
#pragma unroll
              for (int t = 0; t < S; ++t) {
                const int k = wk0[j] + (s0 + t) * p.mw.ks, i = wi0[j] - (s0 + t) * p.mw.di;
                const bool ok = ((live >> j) & 1u) && k < p.mw.K && i >= 0 && i < p.mw.in_extent;
                xv[j][t] = ok ? ScalarOperand<P>::get(srow[kc * sC + i * sW]) : Acc(0);
                const E* w = wt + (k * p.Kc + kc) * p.Nc;
#pragma unroll
                for (int c = 0; c < NC; ++c) wv[j][t][c] = (ok && c < p.Nc) ? ScalarOperand<P>::packed(w[c]) : Acc(0);
              }
#pragma unroll
            for (int j = 0; j < J; ++j)
#pragma unroll
              for (int t = 0; t < S; ++t)
#pragma unroll
                for (int c = 0; c < NC; ++c) acc[j][c] += xv[j][t] * wv[j][t][c];
          }
        }
      }

  E* dst = static_cast<E*>(p.dst.data) + n * p.dst.stride[0] + int64_t(grp) * p.Nc * p.dst.stride[1] +
           od * p.dst.stride[2] + oh * p.dst.stride[3];
#pragma unroll
  for (int j = 0; j < J; ++j) {
    const int o = o0 + 32 * j;
    if (o >= OW) continue;
#pragma unroll
    for (int c = 0; c < NC; ++c)
      if (c < p.Nc) dst[c * p.dst.stride[1] + o * p.dst.stride[4]] = P::from_acc(acc[j][c]);
  }
}

// Staged direct row kernel, register-blocked: forward and grad_input of groups of few channels whose gathered w
// coordinate has at most two phases (E = NPH) and a gather stride A <= 2 (forward at w stride <= 2, grad_input
// at w stride <= 2).  CTA = (RH output rows of one (n, d): consecutive h, G groups, BQ = TQ * kRun positions q per
// phase).  The rows share their source rows (at stride 2 three rows of x serve four output rows), so per pass the
// source windows of up to PD of the kd taps, times the h rows [ih_lo, ih_lo + nih) the CTA's rows read, are copied
// to shared memory once for all G groups (coalesced, converted to the policy's operand, every thread's loads issued
// before its stores; no serial setup: each thread derives the taps from the rows' tap ranges, the w tap table comes
// with the geometry).  A thread owns one group and kRun consecutive q of each row, i.e. the NPH * kRun consecutive
// outputs o = NPH*q + rho; per (row, pair, input channel) it reads the window those outputs share into registers
// with 16-byte loads, and each tap (warp-uniform, from a per-phase (k, d) table) is kRun FMAs per channel from those
// registers, its offset d picked by a warp-uniform switch (so the window stays in registers).  Outputs leave
// through a shared staging as contiguous runs.  Why: the per-lane kernel and v48's one-output-per-thread staged
// kernel spent ~100 instructions per multiply-add on index math (benchmarks/NOTES.md v48); one row per CTA shared
// its setup, weights and tap masks among 8 outputs per thread (v51).
struct DirectRowGeom {
  int wchunks, gblocks, G;  // grid: (n, d) x hblocks x gblocks (G groups each) x wchunks (BQ q each)
  int RH, hblocks;          // output rows per CTA (<= rows_max(NC)) and row blocks per (n, d): ceil(OH / RH)
  FastDiv div_hb;           // by hblocks
  int64_t ctas;             // the grid (< 2^31)
  int TQ, tq_shift;         // threads per group (32, 64, 128) and its log2: BQ = TQ * kRun
  int WN;                   // window per (pair, input channel) a chunk reads: A*(BQ-1) + span + 1
  int WW;                   // ... its shared-memory row (>= WN, a multiple of 4: slack for the 16-byte reads)
  int dmin, span;           // smallest w offset d of any (phase, tap), and dmax - dmin (<= span_max(A))
  int NIH;                  // most source h rows a CTA's rows read (rows_source_span over the row blocks)
  int PD;                   // kd taps staged per pass (of at most ceil(K / ks) per output row)
  int taps_w;               // taps * Kc * Nc weights of a group
  // each phase's w taps (k, d): i = A*q + d for the outputs of phase rho; at most span + 1 of them
  int nw[2];
  int2 wtap[2][DirectTiles::span_max(2) + 1];
};
// Shared-memory layout (bytes), the same on host and device: the source offsets of a pass's window rows (int64,
// [G][PD][NIH][Kc]), the weights of the CTA's G groups, then one region that holds the windows [G][PD][NIH][Kc][WW]
// while the taps run and the output staging [G][NC][RH][NPH*BQ] after (all float).
struct DirectRowSmem {
  size_t rowoff, ws, xs, total;
  CT3D_HD DirectRowSmem(const DirectRowGeom& g, int Kc, int NC, int NPH) {
    auto up = [](size_t v) { return (v + 15) / 16 * 16; };
    const size_t wrows = size_t(g.G) * g.PD * g.NIH * Kc;
    rowoff = 0;
    ws = up(rowoff + wrows * 8);
    xs = up(ws + size_t(g.G) * g.taps_w * 4);
    const size_t win = wrows * g.WW, out = size_t(g.G) * NC * g.RH * NPH * g.TQ * DirectTiles::kRun;
    total = xs + (win > out ? win : out) * 4;
  }
};

// One tap on a thread's run: acc[v][c] += win[A*v + DD] * wv[c] (DD the tap's offset into the window) for the v
// whose bit is set in mask (kMasked; the others' source lies outside the tensor: skipped, not multiplied by a
// staged zero, which a non-finite weight would turn into NaN)
template <int A, int DD, bool kMasked, int V, int NC, int NW>
CT3D_DEV void direct_run_tap(uint32_t mask, float (&acc)[V][NC], const float (&win)[NW], const float (&wv)[NC]) {
  static_assert(A * (V - 1) + DD < NW, "window too short");
#pragma unroll
  for (int v = 0; v < V; ++v)
#pragma unroll
    for (int c = 0; c < NC; ++c)
      if (!kMasked || ((mask >> v) & 1u)) acc[v][c] += win[A * v + DD] * wv[c];
}
template <int A, bool kMasked, int DD, int V, int NC, int NW>
CT3D_DEV void direct_run_switch(int dd, uint32_t mask, float (&acc)[V][NC], const float (&win)[NW],
                                const float (&wv)[NC]) {
  if constexpr (DD <= DirectTiles::span_max(A)) {
    if (dd == DD) direct_run_tap<A, DD, kMasked>(mask, acc, win, wv);
    else direct_run_switch<A, kMasked, DD + 1>(dd, mask, acc, win, wv);
  }
}

// One channel per group (depthwise): 5 CTAs per SM (4 rows' accumulators; 6 CTAs spilled, 2 rows at 6 CTAs measured
// 4-14% slower: NOTES v53); 2 and 4 channels would spill there
template <class P, int NC, int NPH, int A>
__global__ void __launch_bounds__(DirectTiles::kThreads, NC == 1 ? 5 : 4) direct_row_kernel(RowConvParams p, DirectRowGeom g) {
  using E = typename P::Element;
  static_assert(std::is_same<typename P::Acc, float>::value, "the staged direct kernel accumulates in float");
  constexpr int V = DirectTiles::kRun, NW = 4 * DirectTiles::win_vecs(A), R = 16, RM = DirectTiles::rows_max(NC);
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  const DirectRowSmem L(g, p.Kc, NC, NPH);
  int64_t* rowoff = reinterpret_cast<int64_t*>(ct3d_smem + L.rowoff);
  float* ws = reinterpret_cast<float*>(ct3d_smem + L.ws);
  float* xs = reinterpret_cast<float*>(ct3d_smem + L.xs);

  // blockIdx.x = ((nd * hblocks + hb) * gblocks + gb) * wchunks + wc < 2^31 (the launcher checks), nd = n * OD + od
  int b = int(blockIdx.x);
  const int wc = b % g.wchunks;
  b /= g.wchunks;
  const int gb = b % g.gblocks;
  int hb, od;
  const int64_t n = p.div_od.divmod(g.div_hb.divmod(b / g.gblocks, hb), od);
  const int OD = int(p.dst.size[2]), OH = int(p.dst.size[3]), OW = int(p.dst.size[4]);
  const int oh0 = hb * g.RH, nr = min(g.RH, OH - oh0);
  const int tid = threadIdx.x;
  const int g0 = gb * g.G, ng = min(p.groups - g0, g.G);
  const int gme = tid >> g.tq_shift, tq = tid & (g.TQ - 1);  // this thread's group in the CTA, its run
  bool wfin = true;
  {  // the CTA's groups' weights, once (contiguous in the packed buffer)
    const E* wg = static_cast<const E*>(p.wpack) + int64_t(g0) * g.taps_w;
    for (int e = tid; e < ng * g.taps_w; e += DirectTiles::kThreads) {
      const float v = ScalarOperand<P>::packed(wg[e]);
      ws[e] = v;
      wfin = wfin && isfinite(v);
    }
  }
  // With finite weights every warp takes the taps without masks: a source outside the tensor is a staged zero, and
  // zero times a finite weight adds nothing.  Only a non-finite weight needs the masks (it would turn that zero into
  // NaN where the true sum has no such term).
  const bool wfinite = __syncthreads_and(int(wfin)) != 0;
  // the rows' valid taps: kd = rd.k0 + j * ks for j < rd.n (all rows), kh from each row's range; the source h rows
  // [ih_lo, ih_lo + nih) of all of them are staged together
  auto range_h = [&](int oh) { return p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh); };
  const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
  int ih_lo;
  const int nih = rows_source_span(range_h, oh0, nr, p.mh.di, ih_lo);  // <= g.NIH (the plan's bound)
  const DimMap mw = p.mw;
  const int BQ = g.TQ * V, q0 = wc * BQ, qt = q0 + V * tq;
  const int64_t i_lo = int64_t(A) * q0 + g.dmin;  // source w of the windows' first element
  const int64_t sW = p.src.stride[4], sC = p.src.stride[1];
  const E* src_n = static_cast<const E*>(p.src.data) + n * p.src.stride[0] + int64_t(g0) * p.Kc * sC;
  // warps whose every run sees only sources inside the tensor (or all of them, with finite weights) take the tap
  // path without masks; the others, which of the run's sources each (phase, tap) finds inside the tensor: bit
  // 4 * (kTapsMax * r + j) + v
  const int64_t lo = int64_t(A) * qt + g.dmin, hi = int64_t(A) * (qt + V - 1) + g.dmin + g.span;
  const bool plain = wfinite || __all_sync(0xffffffffu, lo >= 0 && hi < mw.in_extent);
  constexpr int kTapsMax = DirectTiles::span_max(2) + 1;
  static_assert(NPH * kTapsMax * V <= 64, "tap masks");
  uint64_t vmask = 0;
  if (!plain)
#pragma unroll
    for (int r = 0; r < NPH; ++r)
      for (int j = 0; j < g.nw[r]; ++j)
#pragma unroll
        for (int v = 0; v < V; ++v) {
          const int64_t i = int64_t(A) * (qt + v) + g.wtap[r][j].y;
          if (i >= 0 && i < mw.in_extent) vmask |= uint64_t(1) << (V * (kTapsMax * r + j) + v);
        }
  const bool glive = gme < ng;

  float acc[RM][NPH][V][NC];
  {
    const E* bias = static_cast<const E*>(p.bias);
#pragma unroll
    for (int c = 0; c < NC; ++c) {
      const float bv = (bias && glive && c < p.Nc) ? P::to_acc(bias[int64_t(g0 + gme) * p.Nc + c]) : 0.f;
#pragma unroll
      for (int h = 0; h < RM; ++h)
#pragma unroll
        for (int r = 0; r < NPH; ++r)
#pragma unroll
          for (int v = 0; v < V; ++v) acc[h][r][v][c] = bv;
    }
  }
  for (int jd0 = 0; nih > 0 && jd0 < rd.n; jd0 += g.PD) {
    const int nkd = min(g.PD, rd.n - jd0);
    if (jd0 > 0) __syncthreads();  // the last pass's readers are done
    // the pass's window rows rr = (group, kd, h row, channel): their source offsets
    const int nrows = ng * nkd * nih * p.Kc;
    for (int rr = tid; rr < nrows; rr += DirectTiles::kThreads) {
      int t = rr / p.Kc;
      const int kc = rr - t * p.Kc, ihl = t % nih;
      t /= nih;
      const int kdl = t % nkd, gl = t / nkd;
      const int id = rd.i0 - (jd0 + kdl) * p.md.di;
      rowoff[rr] = (int64_t(gl) * p.Kc + kc) * sC + id * p.src.stride[2] + (ih_lo + ihl) * p.src.stride[3];
    }
    __syncthreads();
    // the windows, element e = rr * WW + w = tid + kThreads * j: (rr, w) advanced by increments (WW > kThreads, so
    // a step wraps at most one row), up to R loads in flight before any store
    const int total = nrows * g.WW;
    int rr = 0, w = tid;
    for (int e0 = tid; e0 < total; e0 += DirectTiles::kThreads * R) {
      E raw[R];
      int nl = 0;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        if (rr >= nrows) break;
        const int64_t i = i_lo + w;
        raw[r] = (w < g.WN && i >= 0 && i < mw.in_extent) ? src_n[rowoff[rr] + i * sW] : E(0);
        ++nl;
        w += DirectTiles::kThreads;
        if (w >= g.WW) w -= g.WW, ++rr;
      }
#pragma unroll
      for (int r = 0; r < R; ++r)
        if (r < nl) xs[e0 + DirectTiles::kThreads * r] = ScalarOperand<P>::get(raw[r]);
    }
    __syncthreads();
    if (glive)
#pragma unroll
      for (int h = 0; h < RM; ++h) {
        if (h >= nr) break;
        const TapRange rh = range_h(oh0 + h);
        for (int kdl = 0; kdl < nkd; ++kdl) {
          const int kd = rd.k0 + (jd0 + kdl) * p.md.ks;
          for (int jh = 0; jh < rh.n; ++jh) {
            const int tap0 = (kd * p.mh.K + rh.k0 + jh * p.mh.ks) * mw.K;
            const int row0 = (gme * nkd + kdl) * nih + rh.i0 - jh * p.mh.di - ih_lo;  // staged (group, kd, h row)
            for (int kc = 0; kc < p.Kc; ++kc) {
              const float* xw = xs + (row0 * p.Kc + kc) * g.WW + A * V * tq;  // 16-byte aligned
              const float* wk0 = ws + gme * g.taps_w + (tap0 * p.Kc + kc) * p.Nc;
              float win[NW];
#pragma unroll
              for (int m = 0; m < NW / 4; ++m) {
                const float4 t = reinterpret_cast<const float4*>(xw)[m];
                win[4 * m] = t.x, win[4 * m + 1] = t.y, win[4 * m + 2] = t.z, win[4 * m + 3] = t.w;
              }
#pragma unroll
              for (int r = 0; r < NPH; ++r)
                for (int j = 0; j < g.nw[r]; ++j) {
                  const int2 kd_ = g.wtap[r][j];
                  const int dd = kd_.y - g.dmin;
                  const float* wk = wk0 + kd_.x * p.Kc * p.Nc;
                  float wv[NC];
#pragma unroll
                  for (int c = 0; c < NC; ++c) wv[c] = c < p.Nc ? wk[c] : 0.f;
                  if (plain)
                    direct_run_switch<A, false, 0>(dd, 0u, acc[h][r], win, wv);
                  else
                    direct_run_switch<A, true, 0>(dd, uint32_t(vmask >> (V * (kTapsMax * r + j))) & 15u, acc[h][r],
                                                  win, wv);
                }
            }
          }
        }
      }
  }
  __syncthreads();  // window readers done: the staging reuses their region
  const int BO = NPH * BQ;
  float* out = xs;  // [G][NC][RH][BO]
  if (glive)
#pragma unroll
    for (int h = 0; h < RM; ++h)
      if (h < nr)
#pragma unroll
        for (int c = 0; c < NC; ++c) {
          float4* o4 = reinterpret_cast<float4*>(out + ((gme * NC + c) * g.RH + h) * BO + NPH * V * tq);
#pragma unroll
          for (int m = 0; m < NPH * V / 4; ++m) {
            float t[4];
#pragma unroll
            for (int e = 0; e < 4; ++e) t[e] = acc[h][(4 * m + e) % NPH][(4 * m + e) / NPH][c];
            o4[m] = make_float4(t[0], t[1], t[2], t[3]);
          }
        }
  __syncthreads();
  E* dst = static_cast<E*>(p.dst.data) + n * p.dst.stride[0] + int64_t(g0) * p.Nc * p.dst.stride[1] +
           od * p.dst.stride[2] + oh0 * p.dst.stride[3];
  const int o0 = NPH * q0;
  const int64_t dC = p.dst.stride[1], dH = p.dst.stride[3], dW = p.dst.stride[4];
  if (dC == 1 && dW != 1) {  // channels_last: the CTA's ng * Nc channels of an output next to each other
    const int ch = ng * p.Nc;
    for (int h = 0; h < nr; ++h)
      for (int e = tid; e < ch * BO; e += DirectTiles::kThreads) {
        const int c = e % ch, w = e / ch;
        if (o0 + w < OW)
          dst[h * dH + c + int64_t(o0 + w) * dW] = P::from_acc(out[(((c / p.Nc) * NC + c % p.Nc) * g.RH + h) * BO + w]);
      }
  } else {  // a channel's outputs in a run: per run one 64-bit address, then 32-bit offsets
    const int nw_ = min(BO, OW - o0);
    for (int gl = 0; gl < ng; ++gl)
      for (int c = 0; c < p.Nc; ++c) {
        E* dgc = dst + int64_t(gl * p.Nc + c) * dC + o0 * dW;
        const float* ogc = out + (gl * NC + c) * g.RH * BO;
        for (int h = 0; h < nr; ++h, dgc += dH, ogc += BO) {
          if (dW == 1) {
            for (int w = tid; w < nw_; w += DirectTiles::kThreads) dgc[w] = P::from_acc(ogc[w]);
          } else {
            for (int w = tid; w < nw_; w += DirectTiles::kThreads) dgc[w * dW] = P::from_acc(ogc[w]);
          }
        }
      }
  }
}

// The staged kernel's geometry for p, or false where it is not launched (the per-lane kernel runs there): more
// than two w phases, a gather stride past 2 or two phases at stride 2, a window span past kSpanMax (wide or
// dilated w kernels), tables or windows past kMaxSmem, or a grid past 2^31 - 1 CTAs.  Rows per CTA: the most
// (<= rows_max(NC)) whose windows of one kd tap still fit.
inline bool direct_row_geom(const RowConvParams& p, DirectRowGeom& g, size_t& smem) {
  constexpr size_t kMaxSmem = 47 * 1024;  // under the default limit (48 KB with the static part): no opt-in
  constexpr size_t kTarget = 24 * 1024;   // where windows fit, 8+ CTAs per SM
  const DimMap& mw = p.mw;
  const int NPH = mw.E, A = mw.A, V = DirectTiles::kRun;
  if (p.rows <= 0 || p.Nc > DirectTiles::NCMAX || p.Kc > DirectTiles::NCMAX) return false;
  if (!((NPH == 1 && (A == 1 || A == 2)) || (NPH == 2 && A == 1))) return false;
  const int64_t nq = (int64_t(p.dst.size[4]) + NPH - 1) / NPH, runs = (nq + V - 1) / V;
  g.TQ = runs <= 32 ? 32 : runs <= 64 ? 64 : 128;
  g.tq_shift = g.TQ == 32 ? 5 : g.TQ == 64 ? 6 : 7;
  g.G = DirectTiles::kThreads / g.TQ;
  const int BQ = g.TQ * V;
  int64_t WN;
  direct_row_window(mw, BQ, g.dmin, WN);  // no tap anywhere: span 0, the kernel writes the bias
  const int64_t span = WN - int64_t(A) * (BQ - 1) - 1;
  if (span > DirectTiles::span_max(A)) return false;
  g.span = int(span);
  g.WN = int(WN);
  g.WW = DirectTiles::run_row(A, g.TQ);
  const int64_t pdmax = (p.md.K + p.md.ks - 1) / p.md.ks;
  const int64_t taps_w = int64_t(p.md.K) * p.mh.K * mw.K * p.Kc * p.Nc;
  if (pdmax > 1024 || taps_w > 2048) return false;
  g.taps_w = int(taps_w);
  g.wchunks = int((nq + BQ - 1) / BQ);
  g.gblocks = (p.groups + g.G - 1) / g.G;
  const int NC = DirectTiles::nc(p.Nc);
  for (int r = 0; r < 2; ++r) {
    g.nw[r] = 0;
    for (int k = 0; r < NPH && k < mw.K; ++k) {
      const int num = r * A + mw.B - k * mw.C;
      if (num % NPH == 0) g.wtap[r][g.nw[r]++] = int2{k, num / NPH};  // <= span + 1 taps: distinct d in the span
    }
  }
  const int OH = int(p.dst.size[3]);
  auto range_h = [&](int oh) { return tap_range(p.mh, oh); };
  for (g.RH = std::min(DirectTiles::rows_max(NC), OH); g.RH >= 1; --g.RH) {
    g.NIH = 0;
    for (int oh0 = 0; oh0 < OH; oh0 += g.RH) {
      int lo;
      g.NIH = std::max(g.NIH, rows_source_span(range_h, oh0, std::min(g.RH, OH - oh0), p.mh.di, lo));
    }
    g.PD = 1;
    const size_t fixed = DirectRowSmem(g, p.Kc, NC, NPH).xs, per_kd = size_t(g.G) * g.NIH * p.Kc * (g.WW * 4 + 8);
    const size_t room = fixed < kTarget ? kTarget - fixed : 0;
    g.PD = int(std::max<size_t>(1, std::min<size_t>(size_t(pdmax), per_kd ? room / per_kd : pdmax)));
    smem = DirectRowSmem(g, p.Kc, NC, NPH).total;
    if (smem <= kMaxSmem) break;
  }
  if (g.RH < 1) return false;
  g.hblocks = (OH + g.RH - 1) / g.RH;
  g.div_hb = FastDiv::make(g.hblocks);
  g.ctas = p.rows / OH * g.hblocks * g.gblocks * g.wchunks;
  return g.ctas <= INT_MAX;
}

// grad_weight for kernels of at most KMAX per dimension: block (key, slice) with key = (group, ci, co) walks x
// rows [slice*rows/slices, (slice+1)*rows/slices), a thread per x column, accumulating every tap's products in
// registers; the block's sums go to ws[slice][group][tap][ci][co] (the layout wgrad_reduce_kernel reduces).
// Fixed assignment and summation order: bitwise repeatable.
template <class P>
__global__ void __launch_bounds__(DirectTiles::kThreads) direct_wgrad_kernel(WgradParams p, int slices) {
  using E = typename P::Element;
  using Acc = typename P::Acc;
  constexpr int KM = DirectTiles::KMAX;
  __shared__ Acc red[KM * KM * KM][DirectTiles::kThreads / 32];
  int key = blockIdx.x;
  const int co = key % p.Cout_g;
  key /= p.Cout_g;
  const int ci = key % p.Cin_g;
  const int grp = key / p.Cin_g;
  const int slice = blockIdx.y;
  const int64_t r0 = p.rows * slice / slices, r1 = p.rows * (slice + 1) / slices;
  const int D = int(p.x.size[2]), H = int(p.x.size[3]), W = int(p.x.size[4]);
  const E* xc = static_cast<const E*>(p.x.data) + (int64_t(grp) * p.Cin_g + ci) * p.x.stride[1];
  const E* gc = static_cast<const E*>(p.gy.data) + (int64_t(grp) * p.Cout_g + co) * p.gy.stride[1];

  Acc acc[KM][KM][KM];
#pragma unroll
  for (int a = 0; a < KM; ++a)
#pragma unroll
    for (int b = 0; b < KM; ++b)
#pragma unroll
      for (int c = 0; c < KM; ++c) acc[a][b][c] = Acc(0);

  for (int64_t r = r0; r < r1; ++r) {
    const int ih = int(r % H), id = int((r / H) % D);
    const int64_t n = r / H / D;
    const E* xrow = xc + n * p.x.stride[0] + id * p.x.stride[2] + ih * p.x.stride[3];
    const E* gn = gc + n * p.gy.stride[0];
    for (int iw = threadIdx.x; iw < W; iw += DirectTiles::kThreads) {
      const Acc xv = ScalarOperand<P>::get(xrow[iw * p.x.stride[4]]);
      int ow[KM];
      bool okw[KM];
#pragma unroll
      for (int c = 0; c < KM; ++c) okw[c] = c < p.mw.K && p.mw.tap(iw, c, ow[c]);
#pragma unroll
      for (int a = 0; a < KM; ++a) {
        int od;
        if (!(a < p.md.K && p.md.tap(id, a, od))) continue;
#pragma unroll
        for (int b = 0; b < KM; ++b) {
          int oh;
          if (!(b < p.mh.K && p.mh.tap(ih, b, oh))) continue;
          const E* grow = gn + od * p.gy.stride[2] + oh * p.gy.stride[3];
#pragma unroll
          for (int c = 0; c < KM; ++c)
            if (okw[c]) acc[a][b][c] += xv * ScalarOperand<P>::get(grow[ow[c] * p.gy.stride[4]]);
        }
      }
    }
  }

  // block sums, fixed order: lanes by shuffle tree, then warps in order
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int a = 0; a < KM; ++a)
#pragma unroll
    for (int b = 0; b < KM; ++b)
#pragma unroll
      for (int c = 0; c < KM; ++c) {
        Acc v = acc[a][b][c];
#pragma unroll
        for (int s = 16; s > 0; s >>= 1) v += __shfl_xor_sync(0xffffffffu, v, s);
        if (lane == 0) red[(a * KM + b) * KM + c][warp] = v;
      }
  __syncthreads();
  const int taps = p.md.K * p.mh.K * p.mw.K;
  for (int t = threadIdx.x; t < taps; t += DirectTiles::kThreads) {
    const int c = t % p.mw.K, b = (t / p.mw.K) % p.mh.K, a = t / (p.mw.K * p.mh.K);
    Acc s = 0;
#pragma unroll
    for (int w = 0; w < DirectTiles::kThreads / 32; ++w) s += red[(a * KM + b) * KM + c][w];
    Acc* ws = static_cast<Acc*>(p.ws);
    ws[(((int64_t(slice) * p.groups + grp) * taps + t) * p.Cin_g + ci) * p.Cout_g + co] = s;
  }
}

// grad_weight of depthwise groups (one input and one output channel each) as the forward's gather read backwards:
// dW[kd][kh][kw] = sum over outputs o of gy[o] * x[i(o, k)].  A warp walks a fixed range of output rows (n, od, oh)
// of one group and one chunk of 32 * V q positions: lane q_v = q0 + 32 v (v < V), outputs o = NPH * q_v + r of each
// phase r, reading x[q_v + dmin + dd] for the S window offsets dd of a phase (so a warp's loads of one (v, dd) are
// 32 consecutive elements of the row: coalesced, and grad_y's at stride NPH).  Per valid (kd, kh) of the row it
// sums gy[r][v] * x[v][dd] into acc[kd][kh][r][dd] for every (r, dd), kd and kh compile-time (registers), whether
// or not a tap maps to (r, dd): the unused combinations are dropped when the sums are mapped to taps at the end.
// Why: the tensor-core tile (groups packed into 32 x 32) spends its time on staging and its MMAs are 1/32 live, and
// the older direct kernel (a thread per x column, 27 gathered grad_y loads per x) walks taps per element.
// Elements outside the tensor (x past the row's ends, outputs o >= OW) are loaded as zeros; a product of such a zero
// with a non-finite value would be NaN where the true sum has no term, so a warp whose tap sums come out non-finite
// walks its rows again with every product masked (kMode 2), which gives the exact sums (and costs only there).
// Fixed assignment and summation order: bitwise repeatable.
// Destination row (n, od, oh) of the flat row index N * OD * OH, advanced by increments (no division per row)
struct DirectRowCursor {
  int oh, od;
  int64_t n;
  CT3D_DEV DirectRowCursor(int64_t r, int OD, int OH) {
    oh = int(r % OH);
    const int64_t nd = r / OH;
    od = int(nd % OD);
    n = nd / OD;
  }
  CT3D_DEV void next(int OD, int OH) {
    if (++oh == OH) {
      oh = 0;
      if (++od == OD) od = 0, ++n;
    }
  }
};
// The lane kernels' weight table of group grp: wt[kd][kh][r][dd] is the weight of the w tap that maps (phase r, window
// offset dd), zero where none does; returns which (r, dd) a tap maps (bit r * S + dd)
template <class P, int NPH, int S>
__device__ __forceinline__ uint32_t direct_lane_weights(const RowConvParams& p, const DirectLaneGeom& g, int grp,
                                                        float (&wt)[DirectTiles::KMAX][DirectTiles::KMAX][NPH][S]) {
  using E = typename P::Element;
  constexpr int KM = DirectTiles::KMAX;
  const int Kd = p.md.K, Kh = p.mh.K, Kw = p.mw.K;
  const E* wg = static_cast<const E*>(p.wpack) + int64_t(grp) * Kd * Kh * Kw;
  uint32_t used = 0;
#pragma unroll
  for (int r = 0; r < NPH; ++r)
#pragma unroll
    for (int dd = 0; dd < S; ++dd) {
      int kw = -1;
#pragma unroll
      for (int c = 0; c < KM; ++c)
        if (g.win.wdd[r][c] == dd) kw = c;
      if (kw >= 0) used |= 1u << (r * S + dd);
#pragma unroll
      for (int a = 0; a < KM; ++a)
#pragma unroll
        for (int b = 0; b < KM; ++b)
          wt[a][b][r][dd] = (kw >= 0 && a < Kd && b < Kh) ? ScalarOperand<P>::packed(wg[(a * Kh + b) * Kw + kw]) : 0.f;
    }
  return used;
}
// grad_weight's sums by (kd, kh, r, dd) mapped to taps (kd, kh, kw) through the plan's table; false if any is not
// finite.  red is indexed at run time, so it must be a copy of the accumulators (else they would move to local memory).
template <int NPH, int S>
__device__ __forceinline__ bool direct_lane_taps(const DirectLaneGeom& g,
                                                 const float (&red)[DirectTiles::KMAX][DirectTiles::KMAX][NPH][S],
                                                 float (&tv)[DirectTiles::KMAX][DirectTiles::KMAX][DirectTiles::KMAX]) {
  constexpr int KM = DirectTiles::KMAX;
  bool fin = true;
#pragma unroll
  for (int a = 0; a < KM; ++a)
#pragma unroll
    for (int b = 0; b < KM; ++b)
#pragma unroll
      for (int c = 0; c < KM; ++c) {
        float s = 0.f;
#pragma unroll
        for (int r = 0; r < NPH; ++r)
          if (g.win.wdd[r][c] >= 0) s += red[a][b][r][g.win.wdd[r][c]];
        tv[a][b][c] = s;
        fin = fin && isfinite(s);
      }
  return fin;
}
// The valid (kd, kh) pairs of a destination row (compile-time loops, so callers index registers by them), each with
// the lane's source window xv[v][dd] = x[A * 32 * v + dd] of its source row (xn: the lane's start in batch n): body(kd,
// kh, xv).  kMode 0 loads the middle v unpredicated, otherwise loads outside the row (xok bit v * S + dd clear) are zero.
template <class P, int A, int S, int kMode, class F>
__device__ __forceinline__ void direct_lane_pairs(const RowConvParams& p, const typename P::Element* xn,
                                                  const TapRange& rd, const TapRange& rh, uint32_t xok, F&& body) {
  using E = typename P::Element;
  constexpr int V = DirectTiles::kRun, KM = DirectTiles::KMAX;
#pragma unroll
  for (int kd = 0; kd < KM; ++kd) {
    const int jd = direct_tap_index(rd, p.md.ks, kd);
    if (jd < 0) continue;
    const E* xd = xn + int64_t(rd.i0 - jd * p.md.di) * p.src.stride[2];
#pragma unroll
    for (int kh = 0; kh < KM; ++kh) {
      const int jh = direct_tap_index(rh, p.mh.ks, kh);
      if (jh < 0) continue;
      const E* xr = xd + int64_t(rh.i0 - jh * p.mh.di) * p.src.stride[3];
      float xv[V][S];
#pragma unroll
      for (int v = 0; v < V; ++v)
#pragma unroll
        for (int dd = 0; dd < S; ++dd) {
          const bool free = kMode == 0 && v > 0 && v < V - 1;
          xv[v][dd] = (free || ((xok >> (v * S + dd)) & 1u)) ? ScalarOperand<P>::get(xr[A * 32 * v + dd]) : 0.f;
        }
      body(kd, kh, xv);
    }
  }
}
// A warp of the lane kernels and its work: NCDHW (q lanes) a (group, q chunk, row slice), the lane's first q and which
// of its loads lie inside the tensor (source bit v * S + dd, destination or grad_y bit v * NPH + r), and whether every
// lane's middle v are inside (their loads then need no predicate); channels_last (kChannels) a (block of 32 groups, row
// slice), the lane's group.  init is false for a warp past the grid's work (whole warps return).
template <int NPH, int A, int S, bool kChannels = false>
struct DirectLaneWarp {
  int grp, slice, q0 = 0;
  int64_t r0, r1;
  uint32_t xok = 0, gok = 0;
  bool mid_in = false, live = true;
  CT3D_DEV bool init(const RowConvParams& p, const DirectLaneGeom& g) {
    constexpr int V = DirectTiles::kRun;
    const int lane = threadIdx.x & 31;
    const int64_t wid = int64_t(blockIdx.x) * (DirectTiles::kThreads / 32) + (threadIdx.x >> 5);
    if (wid >= g.warps) return false;
    int wc = 0;
    if (kChannels) {
      slice = int(wid / g.gblocks);
      grp = int(wid % g.gblocks) * 32 + lane;
      live = grp < p.groups;
    } else {
      wc = int(wid % g.wchunks);
      const int64_t gs = wid / g.wchunks;
      grp = int(gs % p.groups);
      slice = int(gs / p.groups);
    }
    r0 = p.rows * slice / g.slices;
    r1 = p.rows * (slice + 1) / g.slices;
    if (kChannels) return true;
    const int OW = int(p.mw.out_extent), W = p.mw.in_extent;
    q0 = wc * 32 * V + lane;
#pragma unroll
    for (int v = 0; v < V; ++v) {
#pragma unroll
      for (int dd = 0; dd < S; ++dd) {
        const int64_t i = int64_t(A) * (q0 + 32 * v) + g.win.dmin + dd;
        if (i >= 0 && i < W) xok |= 1u << (v * S + dd);
      }
#pragma unroll
      for (int r = 0; r < NPH; ++r)
        if (int64_t(NPH) * (q0 + 32 * v) + r < OW) gok |= 1u << (v * NPH + r);
    }
    constexpr uint32_t xmid = ((1u << ((V - 1) * S)) - 1) & ~((1u << S) - 1);
    constexpr uint32_t gmid = ((1u << ((V - 1) * NPH)) - 1) & ~((1u << NPH) - 1);
    mid_in = __all_sync(0xffffffffu, (xok & xmid) == xmid && (gok & gmid) == gmid) != 0;
    return true;
  }
};
struct DirectLaneWgrad {
  const void* x;   // the lane's group, at w = q0 + dmin of row (0, 0, 0)
  const void* gy;  // the lane's group, at w = NPH * q0 of row (0, 0, 0)
  uint32_t xok;    // x loads inside the row: bit v * S + dd
  uint32_t gok;    // grad_y loads inside the row (o < OW): bit v * NPH + r
};
// kMode 0: the middle v of a lane unpredicated (every lane's are inside), 1: every load predicated, 2: every product
// masked as well
template <class P, int NPH, int S, int kMode>
__device__ __forceinline__ void direct_wgrad_walk(const RowConvParams& p, const DirectLaneWgrad& l, int64_t r0, int64_t r1,
                                                  float (&acc)[DirectTiles::KMAX][DirectTiles::KMAX][NPH][S]) {
  using E = typename P::Element;
  constexpr int V = DirectTiles::kRun, KM = DirectTiles::KMAX;
#pragma unroll
  for (int a = 0; a < KM; ++a)
#pragma unroll
    for (int b = 0; b < KM; ++b)
#pragma unroll
      for (int r = 0; r < NPH; ++r)
#pragma unroll
        for (int dd = 0; dd < S; ++dd) acc[a][b][r][dd] = 0.f;
  if (r0 >= r1) return;
  const int OD = int(p.dst.size[2]), OH = int(p.dst.size[3]);
  DirectRowCursor rc(r0, OD, OH);
  for (int64_t row = r0; row < r1; ++row, rc.next(OD, OH)) {
    const int oh = rc.oh, od = rc.od;
    const int64_t n = rc.n;
    const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
    const TapRange rh = p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh);
    if (rd.n > 0 && rh.n > 0) {
      const E* gr = static_cast<const E*>(l.gy) + n * p.dst.stride[0] + od * p.dst.stride[2] + oh * p.dst.stride[3];
      float gv[NPH][V];
#pragma unroll
      for (int v = 0; v < V; ++v)
#pragma unroll
        for (int r = 0; r < NPH; ++r) {
          const bool free = kMode == 0 && v > 0 && v < V - 1;
          gv[r][v] = (free || ((l.gok >> (v * NPH + r)) & 1u)) ? ScalarOperand<P>::get(gr[NPH * 32 * v + r]) : 0.f;
        }
      const E* xn = static_cast<const E*>(l.x) + n * p.src.stride[0];
      direct_lane_pairs<P, 1, S, kMode>(p, xn, rd, rh, l.xok, [&](int kd, int kh, const float (&xv)[V][S]) {
#pragma unroll
        for (int r = 0; r < NPH; ++r)
#pragma unroll
          for (int dd = 0; dd < S; ++dd)
#pragma unroll
            for (int v = 0; v < V; ++v)
              if (kMode < 2 || ((l.xok >> (v * S + dd)) & (l.gok >> (v * NPH + r)) & 1u))
                acc[kd][kh][r][dd] += gv[r][v] * xv[v][dd];
      });
    }
  }
}
// The warp's sums of the taps (kd, kh, kw), the same bits in every lane: the (phase, offset) sums added over the
// warp by a butterfly, then each kw's pairs from the plan's table; false if any tap's sum is not finite.  The table
// lookup indexes a copy (red): indexing acc at run time would move the accumulators to local memory.
template <int NPH, int S>
__device__ __forceinline__ bool direct_wgrad_taps(const DirectLaneGeom& g,
                                                  const float (&acc)[DirectTiles::KMAX][DirectTiles::KMAX][NPH][S],
                                                  float (&tv)[DirectTiles::KMAX][DirectTiles::KMAX][DirectTiles::KMAX]) {
  constexpr int KM = DirectTiles::KMAX;
  float red[KM][KM][NPH][S];
#pragma unroll
  for (int a = 0; a < KM; ++a)
#pragma unroll
    for (int b = 0; b < KM; ++b)
#pragma unroll
      for (int r = 0; r < NPH; ++r)
#pragma unroll
        for (int dd = 0; dd < S; ++dd) {
          float v = acc[a][b][r][dd];
#pragma unroll
          for (int m = 16; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
          red[a][b][r][dd] = v;
        }
  return direct_lane_taps<NPH, S>(g, red, tv);
}
template <class P, int NPH, int S>
__global__ void __launch_bounds__(DirectTiles::kThreads, DirectTiles::lane_ctas(NPH, S))
    direct_wgrad_row_kernel(RowConvParams p, DirectLaneGeom g, float* ws) {
  using E = typename P::Element;
  static_assert(std::is_same<typename P::Acc, float>::value, "the depthwise grad_weight kernel accumulates in float");
  constexpr int V = DirectTiles::kRun, KM = DirectTiles::KMAX;
  DirectLaneWarp<NPH, 1, S> w;
  if (!w.init(p, g)) return;
  const int lane = threadIdx.x & 31, grp = w.grp, slice = w.slice, q0 = w.q0, wc = q0 / (32 * V);
  const int64_t r0 = w.r0, r1 = w.r1;
  const bool mid_in = w.mid_in;
  DirectLaneWgrad l;
  l.x = static_cast<const E*>(p.src.data) + int64_t(grp) * p.src.stride[1] + (q0 + g.win.dmin);
  l.gy = static_cast<const E*>(p.dst.data) + int64_t(grp) * p.dst.stride[1] + int64_t(NPH) * q0;
  l.xok = w.xok;
  l.gok = w.gok;

  float acc[KM][KM][NPH][S], tv[KM][KM][KM];
  if (mid_in) direct_wgrad_walk<P, NPH, S, 0>(p, l, r0, r1, acc);
  else direct_wgrad_walk<P, NPH, S, 1>(p, l, r0, r1, acc);
  if (!direct_wgrad_taps(g, acc, tv)) {  // warp-uniform
    direct_wgrad_walk<P, NPH, S, 2>(p, l, r0, r1, acc);
    direct_wgrad_taps(g, acc, tv);
  }
  const int Kd = p.md.K, Kh = p.mh.K, Kw = p.mw.K, taps = Kd * Kh * Kw;
  float* out = ws + ((int64_t(slice) * g.wchunks + wc) * p.groups + grp) * taps;
  if (lane == 0)
#pragma unroll
    for (int a = 0; a < KM; ++a)
#pragma unroll
      for (int b = 0; b < KM; ++b)
#pragma unroll
        for (int c = 0; c < KM; ++c)
          if (a < Kd && b < Kh && c < Kw) out[(a * Kh + b) * Kw + c] = tv[a][b][c];
}

// Forward and grad_input of depthwise groups (one input and one output channel each) with the grad_weight row kernel's
// lanes: a warp walks a fixed range of destination rows of one group and one chunk of 32 * V q positions, lane q_v =
// q0 + 32 v, outputs o = NPH * q_v + r; per valid (kd, kh) of a row it loads x[A * q_v + dmin + dd] (coalesced runs of
// the row) and adds wt[kd][kh][r][dd] * x[v][dd] into out[r][v], wt the weight of the w tap that maps (r, dd) (zero
// where none does), all indices compile-time.  No shared memory, no staging, no barrier: the staged kernel
// (direct_row_kernel) spent most of its instructions on the copy, the tap switch and the output staging (NOTES v51).
// A zero loaded for a source outside the tensor, or a zero weight, times a non-finite value is NaN where the true sum
// has no such term: a row whose outputs come out non-finite is recomputed with every product masked (kMode 2).
template <class P, int NPH, int A, int S, int kMode>
__device__ __forceinline__ void direct_lane_row(const RowConvParams& p, const void* src, int64_t n, int od, int oh,
                                                uint32_t xok, uint32_t used, float bias,
                                                const float (&wt)[DirectTiles::KMAX][DirectTiles::KMAX][NPH][S],
                                                float (&out)[NPH][DirectTiles::kRun]) {
  using E = typename P::Element;
  constexpr int V = DirectTiles::kRun;
#pragma unroll
  for (int r = 0; r < NPH; ++r)
#pragma unroll
    for (int v = 0; v < V; ++v) out[r][v] = bias;
  const int OD = int(p.dst.size[2]);
  const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
  const TapRange rh = p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh);
  if (rd.n <= 0 || rh.n <= 0) return;
  const E* xn = static_cast<const E*>(src) + n * p.src.stride[0];
  direct_lane_pairs<P, A, S, kMode>(p, xn, rd, rh, xok, [&](int kd, int kh, const float (&xv)[V][S]) {
#pragma unroll
    for (int r = 0; r < NPH; ++r)
#pragma unroll
      for (int dd = 0; dd < S; ++dd)
#pragma unroll
        for (int v = 0; v < V; ++v)
          if (kMode < 2 || ((used >> (r * S + dd)) & (xok >> (v * S + dd)) & 1u)) out[r][v] += wt[kd][kh][r][dd] * xv[v][dd];
  });
}
template <class P, int NPH, int A, int S>
__global__ void __launch_bounds__(DirectTiles::kThreads, DirectTiles::lane_ctas(NPH, S))
    direct_lane_conv_kernel(RowConvParams p, DirectLaneGeom g) {
  using E = typename P::Element;
  static_assert(std::is_same<typename P::Acc, float>::value, "the depthwise lane kernel accumulates in float");
  constexpr int V = DirectTiles::kRun, KM = DirectTiles::KMAX;
  DirectLaneWarp<NPH, A, S> w;
  if (!w.init(p, g)) return;
  const int grp = w.grp, q0 = w.q0;
  const int64_t r0 = w.r0, r1 = w.r1;
  const int OD = int(p.dst.size[2]), OH = int(p.dst.size[3]);
  const uint32_t xok = w.xok, gok = w.gok;
  const bool mid_in = w.mid_in;
  float wt[KM][KM][NPH][S];
  const uint32_t used = direct_lane_weights<P, NPH, S>(p, g, grp, wt);
  const E* bp = static_cast<const E*>(p.bias);
  const float bias = bp ? P::to_acc(bp[grp]) : 0.f;
  const void* src = static_cast<const E*>(p.src.data) + int64_t(grp) * p.src.stride[1] + (int64_t(A) * q0 + g.win.dmin);
  E* dst_g = static_cast<E*>(p.dst.data) + int64_t(grp) * p.dst.stride[1] + int64_t(NPH) * q0;
  if (r0 >= r1) return;
  DirectRowCursor rc(r0, OD, OH);
  for (int64_t row = r0; row < r1; ++row, rc.next(OD, OH)) {
    const int oh = rc.oh, od = rc.od;
    const int64_t n = rc.n;
    float out[NPH][V];
    if (mid_in) direct_lane_row<P, NPH, A, S, 0>(p, src, n, od, oh, xok, used, bias, wt, out);
    else direct_lane_row<P, NPH, A, S, 1>(p, src, n, od, oh, xok, used, bias, wt, out);
    bool fin = true;
#pragma unroll
    for (int r = 0; r < NPH; ++r)
#pragma unroll
      for (int v = 0; v < V; ++v) fin = fin && (isfinite(out[r][v]) || !((gok >> (v * NPH + r)) & 1u));
    if (!__all_sync(0xffffffffu, fin)) direct_lane_row<P, NPH, A, S, 2>(p, src, n, od, oh, xok, used, bias, wt, out);
    E* dr = dst_g + n * p.dst.stride[0] + od * p.dst.stride[2] + oh * p.dst.stride[3];
#pragma unroll
    for (int v = 0; v < V; ++v)
#pragma unroll
      for (int r = 0; r < NPH; ++r) {
        const bool free = v > 0 && v < V - 1 && mid_in;
        if (free || ((gok >> (v * NPH + r)) & 1u)) dr[NPH * 32 * v + r] = P::from_acc(out[r][v]);
      }
  }
}

// channels_last twins of the lane kernels (channel stride 1, one channel per group): lanes over 32 consecutive groups
// instead of over q, so a warp's load or store of one position is the 128 bytes of its groups' channels; a lane walks
// its row's q in runs of V, reading the run's window of A * (V - 1) + S elements once for the V outputs of each phase
// (window bounds and output bounds are the same for every lane: warp-uniform).  A warp = (32 groups, slice of rows).
template <class P, int NPH, int A, int S>
struct DirectLaneCL {
  using E = typename P::Element;
  static constexpr int V = DirectTiles::kRun, KM = DirectTiles::KMAX, NW = A * (V - 1) + S;
  // the lane's source rows of a destination row per (kd, kh), null where the pair has no tap (src_n: the lane's
  // channel in batch n)
  CT3D_DEV static void rows(const RowConvParams& p, const E* src_n, const TapRange& rd, const TapRange& rh,
                            const E* (&xs)[KM][KM]) {
#pragma unroll
    for (int kd = 0; kd < KM; ++kd)
#pragma unroll
      for (int kh = 0; kh < KM; ++kh) {
        const int jd = direct_tap_index(rd, p.md.ks, kd), jh = direct_tap_index(rh, p.mh.ks, kh);
        xs[kd][kh] = (rd.n > 0 && rh.n > 0 && jd >= 0 && jh >= 0)
                         ? src_n + int64_t(rd.i0 - jd * p.md.di) * p.src.stride[2] + int64_t(rh.i0 - jh * p.mh.di) * p.src.stride[3]
                         : nullptr;
      }
  }
  // each pair's window of the run, x[i0 + e] for e < NW (zeros outside [0, W)): body(kd, kh, win)
  template <class F>
  CT3D_DEV static void pairs(const E* const (&xs)[KM][KM], int64_t sW, int i0, int W, bool inside, F&& body) {
#pragma unroll
    for (int kd = 0; kd < KM; ++kd)
#pragma unroll
      for (int kh = 0; kh < KM; ++kh) {
        if (!xs[kd][kh]) continue;
        float win[NW];
#pragma unroll
        for (int e = 0; e < NW; ++e)
          win[e] = (inside || (i0 + e >= 0 && i0 + e < W)) ? ScalarOperand<P>::get(xs[kd][kh][int64_t(i0 + e) * sW]) : 0.f;
        body(kd, kh, win);
      }
  }
};

template <class P, int NPH, int A, int S>
__global__ void __launch_bounds__(DirectTiles::kThreads, DirectTiles::lane_ctas(NPH, S))
    direct_lane_conv_cl_kernel(RowConvParams p, DirectLaneGeom g) {
  using L = DirectLaneCL<P, NPH, A, S>;
  using E = typename P::Element;
  constexpr int V = L::V, KM = L::KM, NW = L::NW;
  DirectLaneWarp<NPH, A, S, true> w;
  if (!w.init(p, g)) return;
  const int grp = w.grp;
  const bool live = w.live;
  const int gq = live ? grp : p.groups - 1;  // lanes past the groups read their neighbour's (never stored)
  const int64_t r0 = w.r0, r1 = w.r1;
  const int OD = int(p.dst.size[2]), OH = int(p.dst.size[3]), OW = int(p.mw.out_extent), W = p.mw.in_extent;
  float wt[KM][KM][NPH][S];
  const uint32_t used = direct_lane_weights<P, NPH, S>(p, g, gq, wt);
  const E* bp = static_cast<const E*>(p.bias);
  const float bias = bp ? P::to_acc(bp[gq]) : 0.f;
  const int64_t sW = p.src.stride[4], dW = p.dst.stride[4];
  const E* src_g = static_cast<const E*>(p.src.data) + int64_t(gq) * p.src.stride[1];
  E* dst_g = static_cast<E*>(p.dst.data) + int64_t(grp) * p.dst.stride[1];
  const int64_t nq = p.mw.num_q(0);
  if (r0 >= r1) return;
  DirectRowCursor rc(r0, OD, OH);
  for (int64_t row = r0; row < r1; ++row, rc.next(OD, OH)) {
    const int oh = rc.oh, od = rc.od;
    const int64_t n = rc.n;
    const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
    const TapRange rh = p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh);
    const E* xs[KM][KM];
    L::rows(p, src_g + n * p.src.stride[0], rd, rh, xs);
    E* dr = dst_g + n * p.dst.stride[0] + od * p.dst.stride[2] + oh * p.dst.stride[3];
    for (int64_t q0 = 0; q0 < nq; q0 += V) {
      const int i0 = int(A * q0) + g.win.dmin;
      const bool inside = i0 >= 0 && i0 + NW <= W;  // the run's window inside the row (uniform)
      float out[NPH][V];
      auto run = [&](auto masked) {
#pragma unroll
        for (int r = 0; r < NPH; ++r)
#pragma unroll
          for (int v = 0; v < V; ++v) out[r][v] = bias;
        L::pairs(xs, sW, i0, W, inside, [&](int kd, int kh, const float (&win)[NW]) {
#pragma unroll
          for (int r = 0; r < NPH; ++r)
#pragma unroll
            for (int dd = 0; dd < S; ++dd)
#pragma unroll
              for (int v = 0; v < V; ++v) {
                const int i = i0 + A * v + dd;
                if (!decltype(masked)::value || (((used >> (r * S + dd)) & 1u) && i >= 0 && i < W))
                  out[r][v] += wt[kd][kh][r][dd] * win[A * v + dd];
              }
        });
      };
      run(std::false_type());
      bool fin = true;
#pragma unroll
      for (int r = 0; r < NPH; ++r)
#pragma unroll
        for (int v = 0; v < V; ++v) fin = fin && (isfinite(out[r][v]) || NPH * (q0 + v) + r >= OW);
      if (!__all_sync(0xffffffffu, fin || !live)) run(std::true_type());
      if (live)
#pragma unroll
        for (int v = 0; v < V; ++v)
#pragma unroll
          for (int r = 0; r < NPH; ++r) {
            const int64_t o = NPH * (q0 + v) + r;
            if (o < OW) dr[o * dW] = P::from_acc(out[r][v]);
          }
    }
  }
}

// grad_weight, channels_last: each lane sums its own group's taps (no cross-lane reduction), writing
// ws[slice][group][tap] for the ordered reduce
template <class P, int NPH, int S>
__global__ void __launch_bounds__(DirectTiles::kThreads, DirectTiles::lane_ctas(NPH, S))
    direct_wgrad_cl_kernel(RowConvParams p, DirectLaneGeom g, float* ws) {
  using L = DirectLaneCL<P, NPH, 1, S>;
  using E = typename P::Element;
  constexpr int V = L::V, KM = L::KM, NW = L::NW;
  DirectLaneWarp<NPH, 1, S, true> w;
  if (!w.init(p, g)) return;
  const int grp = w.grp, slice = w.slice;
  const bool live = w.live;
  const int gq = live ? grp : p.groups - 1;
  const int64_t r0 = w.r0, r1 = w.r1;
  const int OD = int(p.dst.size[2]), OH = int(p.dst.size[3]), OW = int(p.mw.out_extent), W = p.mw.in_extent;
  const int64_t sW = p.src.stride[4], gW = p.dst.stride[4];
  const E* x_g = static_cast<const E*>(p.src.data) + int64_t(gq) * p.src.stride[1];
  const E* gy_g = static_cast<const E*>(p.dst.data) + int64_t(gq) * p.dst.stride[1];
  const int64_t nq = p.mw.num_q(0);
  float acc[KM][KM][NPH][S];
  auto walk = [&](auto masked) {
#pragma unroll
    for (int a = 0; a < KM; ++a)
#pragma unroll
      for (int b = 0; b < KM; ++b)
#pragma unroll
        for (int r = 0; r < NPH; ++r)
#pragma unroll
          for (int dd = 0; dd < S; ++dd) acc[a][b][r][dd] = 0.f;
    if (r0 >= r1) return;
    DirectRowCursor rc(r0, OD, OH);
    for (int64_t row = r0; row < r1; ++row, rc.next(OD, OH)) {
      const int oh = rc.oh, od = rc.od;
      const int64_t n = rc.n;
      const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
      const TapRange rh = p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh);
      if (rd.n > 0 && rh.n > 0) {
        const E* xs[KM][KM];
        L::rows(p, x_g + n * p.src.stride[0], rd, rh, xs);
        const E* gr = gy_g + n * p.dst.stride[0] + od * p.dst.stride[2] + oh * p.dst.stride[3];
        for (int64_t q0 = 0; q0 < nq; q0 += V) {
          const int i0 = int(q0) + g.win.dmin;
          const bool inside = i0 >= 0 && i0 + NW <= W;
          float gv[NPH][V];
#pragma unroll
          for (int v = 0; v < V; ++v)
#pragma unroll
            for (int r = 0; r < NPH; ++r) {
              const int64_t o = NPH * (q0 + v) + r;
              gv[r][v] = o < OW ? ScalarOperand<P>::get(gr[o * gW]) : 0.f;
            }
          L::pairs(xs, sW, i0, W, inside, [&](int kd, int kh, const float (&win)[NW]) {
#pragma unroll
            for (int r = 0; r < NPH; ++r)
#pragma unroll
              for (int dd = 0; dd < S; ++dd)
#pragma unroll
                for (int v = 0; v < V; ++v) {
                  const int i = i0 + v + dd;
                  if (!decltype(masked)::value || (i >= 0 && i < W && NPH * (q0 + v) + r < OW))
                    acc[kd][kh][r][dd] += gv[r][v] * win[v + dd];
                }
          });
        }
      }
    }
  };
  // the lane's tap sums: kw's (phase, offset) pairs from the plan's table (a copy indexed at run time, see
  // direct_wgrad_taps)
  auto taps = [&](float (&tv)[KM][KM][KM]) {
    float red[KM][KM][NPH][S];
#pragma unroll
    for (int a = 0; a < KM; ++a)
#pragma unroll
      for (int b = 0; b < KM; ++b)
#pragma unroll
        for (int r = 0; r < NPH; ++r)
#pragma unroll
          for (int dd = 0; dd < S; ++dd) red[a][b][r][dd] = acc[a][b][r][dd];
    return direct_lane_taps<NPH, S>(g, red, tv);
  };
  float tv[KM][KM][KM];
  walk(std::false_type());
  if (!__all_sync(0xffffffffu, taps(tv) || !live)) {
    walk(std::true_type());
    taps(tv);
  }
  const int Kd = p.md.K, Kh = p.mh.K, Kw = p.mw.K, ntaps = Kd * Kh * Kw;
  if (live) {
    float* out = ws + (int64_t(slice) * p.groups + grp) * ntaps;
#pragma unroll
    for (int a = 0; a < KM; ++a)
#pragma unroll
      for (int b = 0; b < KM; ++b)
#pragma unroll
        for (int c = 0; c < KM; ++c)
          if (a < Kd && b < Kh && c < Kw) out[(a * Kh + b) * Kw + c] = tv[a][b][c];
  }
}

}  // namespace ct3d
