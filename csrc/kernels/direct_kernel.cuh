// Direct (CUDA-core) kernels for groups with few channels (depthwise and the like), where a 32-wide tensor-core
// N tile would be 1/32 used: the row-conv GEMM's gather, one output at a time, and grad_weight as a per-tap
// reduction.  Same maps (DimMap), packed weights and precision contract as the tensor-core kernels:
//   TF32   operands rounded to nearest-even TF32 (products exact in fp32, fp32 sums), as the MMA path
//   Exact  plain fp32 FMA (exact to fp32 rounding)
//   16-bit fp32 accumulation; f64 in double.
#pragma once
#include <algorithm>
#include <climits>

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

// Staged direct row kernel: forward and grad_input of groups of few channels where the gathered w coordinate
// has at most two phases (E = NPH <= 2).  Launched for 4-byte one-phase gathers (grad_input, stride-1 forwards;
// see direct<P> in kernel_launch.cuh), where it beats the kernel above (H200 depthwise fp32 grad_input
// -22..-32%, benchmarks/NOTES.md v48); two phases and 2-byte types measured slower and keep the kernel above.  Here
// CTA = (output row, G consecutive groups, BQ = 128 positions q per phase): per group, the source windows of the
// row's valid (kd, kh) pairs are copied to shared memory once (coalesced, already converted to the policy's
// operand), a thread forms the NPH outputs o = NPH*q + rho of its q from them with warp-uniform tap loops, and
// the chunk leaves through a shared staging as contiguous runs.
struct DirectRowGeom {
  int wchunks, gblocks, G;  // grid: rows x gblocks (G groups each) x wchunks (BQ q each)
  int WW;                   // staged window per (pair, input channel): A*(BQ-1) + dmax - dmin + 1
  int dmin;                 // smallest w offset d of any (phase, tap); a chunk's window starts at A*q0 + dmin
  int pmax;                 // most valid (kd, kh) pairs one output row can have
  int taps_w;               // taps * Kc * Nc weights of a group
};
// Shared-memory layout (bytes), the same on host and device: pair offsets (int64), pair taps (int), each
// phase's w taps (k, d), then the weights of the CTA's G groups, the output staging [Nc][NPH*BQ] and the windows [pair][Kc][WW], all in the accumulator type.
struct DirectRowSmem {
  size_t poff, ptap, wtap, ws, out, xs, total;
  CT3D_HD DirectRowSmem(const DirectRowGeom& g, int Kc, int KW, int NC, int NPH, int acc_size) {
    auto up = [](size_t v) { return (v + 15) / 16 * 16; };
    poff = 0;
    ptap = up(poff + size_t(g.pmax) * 8);
    wtap = up(ptap + size_t(g.pmax) * 4);
    ws = up(wtap + size_t(NPH) * KW * 8);
    out = up(ws + size_t(g.G) * g.taps_w * acc_size);
    xs = up(out + size_t(NC) * NPH * DirectTiles::kThreads * acc_size);
    total = xs + size_t(g.pmax) * Kc * g.WW * acc_size;
  }
};

// Explicit min-blocks as for the kernel above: with the bare thread bound ptxas spilled 12-64 bytes here (sm_90).
template <class P, int NC, int NPH>
__global__ void __launch_bounds__(DirectTiles::kThreads, sizeof(typename P::Acc) == 8 ? 2 : 4)
    direct_row_kernel(RowConvParams p, DirectRowGeom g) {
  using E = typename P::Element;
  using Acc = typename P::Acc;
  constexpr int BQ = DirectTiles::kThreads, BO = NPH * BQ;
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  const DirectRowSmem L(g, p.Kc, p.mw.K, NC, NPH, int(sizeof(Acc)));
  int64_t* poff = reinterpret_cast<int64_t*>(ct3d_smem + L.poff);
  int* ptap = reinterpret_cast<int*>(ct3d_smem + L.ptap);
  int2* wtap = reinterpret_cast<int2*>(ct3d_smem + L.wtap);  // [phase][j]: tap k, offset d (i = A*q + d)
  Acc* ws = reinterpret_cast<Acc*>(ct3d_smem + L.ws);
  Acc* out = reinterpret_cast<Acc*>(ct3d_smem + L.out);
  Acc* xs = reinterpret_cast<Acc*>(ct3d_smem + L.xs);
  __shared__ int npairs, nw[NPH];

  // blockIdx.x = (row * gblocks + gb) * wchunks + wc < 2^31 (the launcher checks), row < 2^31 (the plan's)
  int b = int(blockIdx.x);
  const int wc = b % g.wchunks;
  b /= g.wchunks;
  const int gb = b % g.gblocks;
  const int row = b / g.gblocks;
  const int OD = int(p.dst.size[2]), OW = int(p.dst.size[4]);
  int oh, od;
  const int64_t n = p.div_od.divmod(p.div_oh.divmod(row, oh), od);
  const int tid = threadIdx.x;
  const int g0 = gb * g.G, ng = min(p.groups - g0, g.G);
  // the CTA's groups' weights, once (contiguous in the packed buffer)
  {
    const E* wg = static_cast<const E*>(p.wpack) + int64_t(g0) * g.taps_w;
    for (int e = tid; e < ng * g.taps_w; e += DirectTiles::kThreads) ws[e] = ScalarOperand<P>::packed(wg[e]);
  }
  if (tid == 0) {  // the row's valid (kd, kh) pairs: at most g.pmax (the plan's bound)
    const TapRange rd = p.tap_tab_n ? p.tap_tab[od] : tap_range(p.md, od);
    const TapRange rh = p.tap_tab_n ? p.tap_tab[OD + oh] : tap_range(p.mh, oh);
    int np = 0;
    for (int a = 0; a < rd.n; ++a)
      for (int c = 0; c < rh.n; ++c, ++np) {
        const int kd = rd.k0 + a * p.md.ks, id = rd.i0 - a * p.md.di;
        const int kh = rh.k0 + c * p.mh.ks, ih = rh.i0 - c * p.mh.di;
        poff[np] = id * p.src.stride[2] + ih * p.src.stride[3];
        ptap[np] = (kd * p.mh.K + kh) * p.mw.K;
      }
    npairs = np;
#pragma unroll
    for (int r = 0; r < NPH; ++r) {
      int nt = 0;
      for (int k = 0; k < p.mw.K; ++k) {
        const int num = r * p.mw.A + p.mw.B - k * p.mw.C;
        if (num % NPH == 0) wtap[r * p.mw.K + nt++] = make_int2(k, num / NPH);
      }
      nw[r] = nt;
    }
  }
  const DimMap mw = p.mw;
  const int q0 = wc * BQ, q = q0 + tid;
  const int64_t i_lo = int64_t(mw.A) * q0 + g.dmin;
  const int64_t sW = p.src.stride[4];
  const int64_t sC = p.src.stride[1];
  const int nW = (g.WW + BQ - 1) / BQ;  // window slots per (pair, channel) and thread
  for (int gl = 0; gl < ng; ++gl) {
    const int grp = g0 + gl;
    __syncthreads();  // the last group's readers are done (first pass: pair list and weights are visible)
    const E* src_g = static_cast<const E*>(p.src.data) + n * p.src.stride[0] + int64_t(grp) * p.Kc * sC;
    const int np = npairs;
    // The windows, slot s = (pair, channel, w / BQ) in batches of R: a batch's loads are all issued before any
    // lands in shared memory (one memory latency per batch, not per slot).
    constexpr int R = 8;
    const int total = np * p.Kc * nW;
    int pr = 0, kc = 0, wi = 0;
    for (int s0 = 0; s0 < total; s0 += R) {
      E raw[R];
      int at[R];
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const int w = wi * BQ + tid;
        const int64_t i = i_lo + w;
        const bool live = s0 + r < total && w < g.WW;
        at[r] = live ? (pr * p.Kc + kc) * g.WW + w : -1;
        raw[r] = (live && i >= 0 && i < mw.in_extent) ? src_g[poff[live ? pr : 0] + kc * sC + i * sW] : E(0);
        if (++wi == nW) {
          wi = 0;
          if (++kc == p.Kc) kc = 0, ++pr;
        }
      }
#pragma unroll
      for (int r = 0; r < R; ++r)
        if (at[r] >= 0) xs[at[r]] = ScalarOperand<P>::get(raw[r]);
    }
    __syncthreads();
    const Acc* wsg = ws + gl * g.taps_w;

    Acc acc[NPH][NC];
    const E* bias = static_cast<const E*>(p.bias);
#pragma unroll
    for (int c = 0; c < NC; ++c) {
      const Acc bv = (bias && c < p.Nc) ? P::to_acc(bias[int64_t(grp) * p.Nc + c]) : Acc(0);
#pragma unroll
      for (int r = 0; r < NPH; ++r) acc[r][c] = bv;
    }
    for (int pr = 0; pr < np; ++pr) {
      const Acc* xp = xs + pr * p.Kc * g.WW;
      const int tap0 = ptap[pr];
#pragma unroll
      for (int r = 0; r < NPH; ++r)
        for (int j = 0; j < nw[r]; ++j) {
          // tap k lands on phase r at offset d (i = A*q + d); an i outside the source is skipped, not
          // multiplied by a staged zero (a non-finite weight would turn it into NaN)
          const int2 kd_ = wtap[r * mw.K + j];
          const int k = kd_.x, d = kd_.y;
          const int64_t i = int64_t(mw.A) * q + d;
          if (i < 0 || i >= mw.in_extent) continue;
          const int loc = mw.A * tid + d - g.dmin;
          for (int kc = 0; kc < p.Kc; ++kc) {
            const Acc xv = xp[kc * g.WW + loc];
            const Acc* wk = wsg + ((tap0 + k) * p.Kc + kc) * p.Nc;
#pragma unroll
            for (int c = 0; c < NC; ++c)
              if (c < p.Nc) acc[r][c] += xv * wk[c];
          }
        }
    }
#pragma unroll
    for (int r = 0; r < NPH; ++r)
#pragma unroll
      for (int c = 0; c < NC; ++c) out[c * BO + NPH * tid + r] = acc[r][c];
    __syncthreads();
    E* dst = static_cast<E*>(p.dst.data) + n * p.dst.stride[0] + int64_t(grp) * p.Nc * p.dst.stride[1] +
             od * p.dst.stride[2] + oh * p.dst.stride[3];
    const int o0 = NPH * q0;
    const int64_t dC = p.dst.stride[1], dW = p.dst.stride[4];
    if (dC == 1 && dW != 1) {  // channels_last: an output's channels next to each other
      for (int e = tid; e < p.Nc * BO; e += BQ) {
        const int c = e % p.Nc, w = e / p.Nc;
        if (o0 + w < OW) dst[c + int64_t(o0 + w) * dW] = P::from_acc(out[c * BO + w]);
      }
    } else {  // a channel's outputs in a run
      for (int e = tid; e < p.Nc * BO; e += BQ) {
        const int c = e / BO, w = e % BO;
        if (o0 + w < OW) dst[c * dC + int64_t(o0 + w) * dW] = P::from_acc(out[e]);
      }
    }
  }
}

// The staged kernel's geometry for p, or false where it is not launched: more than one w phase (two measured
// slower, see above; the kernel and window math take two), a window or tap table past kMaxSmem, or a grid past
// 2^31 - 1 CTAs.  The per-lane kernel runs there.
inline bool direct_row_geom(const RowConvParams& p, int acc_size, DirectRowGeom& g, size_t& smem) {
  constexpr size_t kMaxSmem = 48 * 1024;  // the default dynamic limit: no opt-in needed
  const DimMap& mw = p.mw;
  if (mw.E != 1 || p.rows <= 0 || p.Nc > DirectTiles::NCMAX || p.Kc > DirectTiles::NCMAX) return false;
  const int NPH = mw.E, BQ = DirectTiles::kThreads;
  int64_t WW;
  direct_row_window(mw, BQ, g.dmin, WW);
  const int64_t pmax = int64_t((p.md.K + p.md.ks - 1) / p.md.ks) * ((p.mh.K + p.mh.ks - 1) / p.mh.ks);
  const int64_t taps_w = int64_t(p.md.K) * p.mh.K * mw.K * p.Kc * p.Nc;
  if (WW > (1 << 16) || pmax > (1 << 16) || taps_w > (1 << 16)) return false;
  g.WW = int(WW);
  g.pmax = int(pmax);
  g.taps_w = int(taps_w);
  const int64_t nq = (int64_t(p.dst.size[4]) + NPH - 1) / NPH;
  g.wchunks = int((nq + BQ - 1) / BQ);
  // a few groups per CTA share the row's setup and their weights' load; fewer where their weights crowd the window
  for (g.G = std::min(p.groups, 4); g.G >= 1; --g.G) {
    g.gblocks = (p.groups + g.G - 1) / g.G;
    smem = DirectRowSmem(g, p.Kc, mw.K, DirectTiles::nc(p.Nc), NPH, acc_size).total;
    if (smem <= kMaxSmem) break;
  }
  return g.G >= 1 && p.rows * g.gblocks * g.wchunks <= INT_MAX;
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

}  // namespace ct3d
