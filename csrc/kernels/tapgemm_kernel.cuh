// Tap-GEMM kernel: the forward where kernel == stride in every dimension (padding 0, output_padding 0: 3D U-Nets'
// up-convolution).  Every output then takes exactly one tap per dimension, so the transposed convolution is one GEMM
// per group,
//   C[m][j] = sum_ci x[n, ci, position m] * W[ci][j],   j over the (output channel, tap) columns,
// and y is C scattered: y[n, co, d*sd + kd, h*sh + kh, w*sw + kw] = C[(d, h, w)][(co, kd, kh, kw)] + bias[co].
// No tap is masked and no tile is short: the row-conv's CTA covers one output row, which leaves most of its
// 128-position tile empty where rows are short (decoder levels of 16-32 positions per row: benchmarks/NOTES.md).
//
// grad_input is the same GEMM transposed: C[m][ci] = sum_j grad_y[n, position m's output block, column j] * W[ci][j],
// its A operand gathered from grad_y (kG = the w stride, 1 or 2: a staged row holds one (co, kd, kh) column's kw
// outputs of BM positions, as they lie in grad_y, so 16-byte copies move them), its outputs plain positions.
// grad_weight: C[ci][j] = sum over positions of x[n, ci, position] * grad_y[n, the position's column j output], A = x
// staged [ci][position], B = grad_y gathered as grad_input's A (kW); the positions cut into chunks whose sums go to a
// workspace, then the ordered reduce (deterministic: the chunks depend on the device only).
// A CTA: BM positions (grad_weight: input channels) of one batch entry x BN columns of one group.  K = input channels of the group in steps of
// BK, cp.async multistage (CUTLASS's scheme, as the row-conv's); 8 warps of 32 x 32.  Epilogue: C staged in shared
// memory, then each element to its address = a row offset (its position) + a column offset (its channel and tap),
// both tabled per CTA, in an order whose consecutive lanes write consecutive addresses of the destination's
// unit-stride dimension (w for NCDHW: (co, kd, kh) rows of sw * positions; channels for channels_last).
#pragma once
#include "kernel_params.h"
#include "slab_loader.cuh"
#include "sm90_common.cuh"  // (the wgmma instance's pieces; instantiated in kernels_sm90.cu only)

namespace ct3d {

// kG: 0 the forward, else a gradient (1 or 2: the w stride of an NCDHW grad_y's gather); kW: grad_weight.
// kCF: channels_last operands, gathered as 16-byte channel vectors: the forward's x (staged [m][k]); grad_input's
// grad_y (A, [m][k], k = (tap, co)); grad_weight's x and grad_y (A = x as [k][m], B = grad_y as [k][n], n = (tap, co)).
// kPh: the phase-GEMM (TapGemmPhase): the forward where kernel != stride, one residue class per CTA, or grad_input as
// one class; A = the source's channel vectors (x; grad_y) at the class's tap offsets from each position (zero outside
// it), K = (tap, source channel), N = destination channel.
// H (v102, sm_90a only: kernels_sm90.cu): void, the MMAs as mma.sync of 8 warps of 32 x 32; or the Hopper element
// traits (sm90_common.cuh), the MMAs as wgmmas of two warpgroups of 64 x 64 straight from the stage.  Then A ([m][k])
// and B (the weights packed K-major, [n][k]) are staged without padding, in rows of BK elements (128 bytes TF32, 64
// bytes 16-bit) in the wgmma's 128- / 64-byte swizzle, and a TF32 A is rounded to nearest in shared memory by the
// thread that copied it (the wgmma would truncate).  The loads, the pipeline and the epilogue are the same code.
template <class H>
struct GmmaRowBytes {  // the wgmma traits' swizzle width (none for the mma.sync instances)
  static constexpr int value = H::kRowBytes;
};
template <>
struct GmmaRowBytes<void> {
  static constexpr int value = 0;
};
template <class P, bool kCF, int kG = 0, bool kW = false, bool kPh = false, class H = void>
struct TapGemm {
  using E = typename P::Element;
  using S = typename P::Smem;
  using Acc = typename P::Acc;
  using T = TapGemmTiles;
  static constexpr int BM = T::BM, BN = T::BN, BK = T::BK, kThreads = T::kThreads;
  static constexpr int MT = 2, NT = 4;  // warp tile 32 x 32: warps 4 along m x 2 along n
  static_assert(kThreads == 256 && BM == 128 && BN == 64, "the warp grid covers the tile");
  static constexpr int VEC = 16 / int(sizeof(E));
  static_assert(!kCF || kG <= 1, "a channels_last grad_y is gathered by channel vectors (kG 1)");
  static_assert(!kW || kG != 0, "grad_weight gathers grad_y");
  static_assert(!kPh || (kCF && kG == 0), "the phase-GEMM gathers a channels_last source by channel vectors");
  static constexpr bool kGN = kG != 0 && !kCF;  // NCDHW grad_y gathered as rows of kw outputs
  static constexpr bool kWN = kW && !kCF;       // ... as grad_weight's B
  static constexpr bool kAmk = kCF != kW;  // A staged [m][k] (grad_weight: an input channel's positions)
  static constexpr bool kGmma = !std::is_void<H>::value;
  static_assert(!kGmma || (kAmk && !kW && !P::kSplitAcc && sizeof(S) == sizeof(E)),
                "the wgmma instance: A [m][k], not grad_weight or 3xTF32, operands staged as they are");
  static constexpr int kRowB = BK * int(sizeof(S));  // (kGmma) a staged row's bytes: the swizzle width
  // A staging: NCDHW x as [k][m] (positions contiguous), channels_last x as [m][k], NCDHW grad_y as
  // [k / kG][m kG + kw], channels_last grad_y as [m][k]; grad_weight's channels_last x as [k][m].
  // Padding: 4-byte fragments read (k t, m g) or (m g, k t) conflict-free (stride = 8 or 4 mod 32 words; kG 2: 16,
  // the two kw columns of a position side by side); 2-byte ones go by ldmatrix, whose eight 16-byte rows then fall
  // in distinct bank groups, or (kG 2) as whole 32-bit (kw 0, kw 1) pairs, word stride 8 mod 32.
  static constexpr int LDA = kGmma ? BK : kAmk ? BK + VEC : kGN && kG == 2 ? 2 * (BM + 8) : BM + 8;
  static constexpr int A_ELEMS = kAmk ? BM * LDA : (kGN && kG == 2 ? BK / 2 : BK) * LDA;
  // B: the packed weights [k][n]; grad_weight's gathered NCDHW grad_y as it lies, [n / kG][k kG + kw] (4-byte
  // fragments conflict-free: word stride 8 mod 32 at kG 2, 4 at kG 1), its channels_last grad_y [k][n] as the weights
  // (kGmma: the weights K-major, [n][k], BK a row)
  static constexpr int LDB = kGmma ? BK : kWN ? (kG == 2 ? 2 * BK + 8 : BK + VEC) : BN + 8;
  static constexpr int B_ELEMS = kGmma ? BN * BK : kWN ? BN / kG * LDB : BK * LDB;
  static constexpr int STAGE = A_ELEMS + B_ELEMS;
  static_assert((A_ELEMS * sizeof(S)) % 16 == 0 && (STAGE * sizeof(S)) % 16 == 0 && (LDA * sizeof(S)) % 16 == 0 &&
                    (LDB * sizeof(S)) % 16 == 0, "16-byte aligned rows and stages");
  static constexpr bool kLdsm = sizeof(S) == 2;
  static_assert(BK % P::kK == 0, "whole MMA k-steps per stage");
  static_assert(!kGmma || (kRowB == GmmaRowBytes<H>::value && (A_ELEMS * sizeof(S)) % 1024 == 0 && (STAGE * sizeof(S)) % 1024 == 0),
                "wgmma stages: rows of the traits' swizzle width, every operand 1024-byte aligned");
  // epilogue: C as [m][BN + 4] Acc, then the tables: row offsets (BM), column offsets (BN), column biases (BN)
  static constexpr int LDC = BN + 4;
  static constexpr size_t kOutBytes = size_t(BM) * LDC * sizeof(Acc);
  static constexpr size_t kEpiBytes = kOutBytes + (BM + BN) * sizeof(int64_t) + BN * sizeof(Acc);
  static size_t smem_bytes(int stages) {
    const size_t pipe = size_t(stages) * STAGE * sizeof(S);
    return (pipe > kEpiBytes ? pipe : kEpiBytes) + (kGmma ? 1024 : 0);  // (kGmma: the base aligned to 1024 bytes)
  }
  // Where element (m, k) of A is staged (row m, column k; a multiple of VEC wherever a copy lands) and, for kGmma,
  // element (n, k) of B: in the swizzle, 16-byte chunk c of row r lies at chunk c ^ (r mod 8) (128-byte rows) or
  // c ^ (r / 2 mod 4) (64-byte rows), as the wgmma's descriptors read them
  CT3D_DEV static int swz(int r, int k) {
    const int ph = kRowB == 128 ? (r & 7) : ((r >> 1) & 3);
    return r * BK + (((k / VEC) ^ ph) * VEC) + k % VEC;
  }
  CT3D_DEV static int a_at(int m, int k) {
    if constexpr (kGmma) return swz(m, k);
    else return kAmk ? m * LDA + k : k * LDA + m;
  }

  // position q's (d, h, w) -> the offset of its output block origin (d sd, h sh, w sw) in a tensor of strides t
  CT3D_DEV static int64_t block_origin(const TapGemmParams& p, int q, const int64_t* t) {
    int w, h;
    const int d = p.div_h.divmod(p.div_w.divmod(q, w), h);
    return int64_t(d) * p.s[0] * t[2] + int64_t(h) * p.s[1] * t[3] + int64_t(w) * p.s[2] * t[4];
  }
  // column j = (tap, co) of a channels_last grad_y -> its offset from the output block origin (tap = (kd, kh, kw))
  CT3D_DEV static int64_t tap_column(const TapGemmParams& p, int j, const int64_t* t) {
    int co, kw, kh;
    const int pair = p.div_sw.divmod(p.div_nc.divmod(j, co), kw);
    const int kd = p.div_sh.divmod(pair, kh);
    return kd * t[2] + kh * t[3] + kw * t[4] + co * t[1];
  }

  CT3D_DEV static void run(const TapGemmParams& p, unsigned char* smem_raw) {
    if constexpr (kGmma)  // (the swizzle's atoms: 1024-byte aligned stages, the slack in smem_bytes)
      smem_raw = reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
    S* smem = reinterpret_cast<S*>(smem_raw);
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, g = lane >> 2, t = lane & 3;
    const int wm0 = (warp & 3) * 32, wn0 = (warp >> 2) * 32;
    int mb;  // position block (grad_weight: chunk) of batch entry n
    // (p.n_fast: the column blocks along grid.x, so the CTAs sharing an A tile run together: see TapGemmParams)
    const int bx = int(p.n_fast ? blockIdx.y : blockIdx.x), by = int(p.n_fast ? blockIdx.x : blockIdx.y);
    // (the phase-GEMM: bx may also carry the class's w residue, TapGemmPhase::block_pos / block_class)
    const int n = p.div_mb.divmod(kPh ? p.ph.block_pos(bx) : bx, mb);
    // columns [j0, jend) (wgen: of one tap, tap_w, whose column blocks are tap_nb apart)
    const int tap_w = kW && p.wgen ? by / p.tap_nb : 0;
    const int j0 = kW && p.wgen ? tap_w * p.Nc + (by - tap_w * p.tap_nb) * BN : by * BN;
    [[maybe_unused]] const int jend = kW && p.wgen ? (tap_w + 1) * p.Nc : p.ncols;
    const int grp = kW ? int(blockIdx.z) / p.ci_blocks : kPh ? int(blockIdx.z) % p.groups : int(blockIdx.z);
    // grad_weight: input channels [m0, m0 + BM) of the group, positions [p0, p1) of entry n
    const int64_t m0 = kW ? int64_t(int(blockIdx.z) - grp * p.ci_blocks) * BM : int64_t(mb) * BM;
    const int64_t p0 = kW ? mb * p.chunk_len : 0, p1 = kW ? min(p.pos, p0 + p.chunk_len) : 0;
    // the phase-GEMM's class: its residue per dimension, positions and K (the grid covers the largest class)
    int cls = 0, res[3] = {0, 0, 0};
    if constexpr (kPh) {
      cls = p.ph.block_class(bx, int(blockIdx.z) / p.groups);
      p.ph.residues(cls, res);
    }
    const TapGemmPhaseDim &Dd = p.ph.dim[0][res[0]], &Dh = p.ph.dim[1][res[1]], &Dw = p.ph.dim[2][res[2]];
    const int64_t pos = kPh ? int64_t(Dd.cnt) * Dh.cnt * Dw.cnt : p.pos;
    const int kdim = kPh ? Dd.ntap * Dh.ntap * Dw.ntap * p.Kc : p.kdim;
    if (kPh && m0 >= pos) return;  // (the whole CTA, before any barrier)
    // forward: x's channels of the group; grad_input: grad_y's
    const E* xg = static_cast<const E*>(p.src.data) + n * p.src.stride[0] +
                  int64_t(grp) * (kG ? p.Nc : p.Kc) * p.src.stride[1];
    const E* bg = kW ? nullptr
                     : static_cast<const E*>(p.wpack) + (kPh ? p.ph.wofs[cls] : 0) + int64_t(grp) * kdim * p.ldb +
                           (kGmma ? 0 : j0);  // (kGmma: rows n of kdim)
    const int64_t sC = p.src.stride[1], sP = p.xsP;
    const int steps = int(((kW ? p1 - p0 : kdim) + BK - 1) / BK);
    // phase-GEMM A: this thread's vectors are column kv_p of rows m_p + r (kThreads / KV) of every step; per row the
    // source coordinates mul Q of its position (d, h, w; far negative past the class's positions, so every tap fails
    // the bounds) and their offset; per step the K index's tap (tp) and channel (ci_p), advanced step by step
    constexpr int KV = BK / VEC, NVP = kPh ? BM * BK / VEC / kThreads : 1;
    static_assert(!kPh || (NVP * kThreads * VEC == BM * BK && kThreads % KV == 0), "the threads tile a stage's A once");
    const int m_p = tid / KV, kv_p = (tid % KV) * VEC;
    int qc[NVP][3];
    int64_t qoff[NVP];
    int ci_p = kv_p, tp[3] = {0, 0, 0};
    if constexpr (kPh) {
#pragma unroll
      for (int r = 0; r < NVP; ++r) {
        const int64_t m = m0 + m_p + r * (kThreads / KV);
        qc[r][0] = qc[r][1] = qc[r][2] = -(1 << 29);
        qoff[r] = 0;
        if (m < pos) {
          int aw, ah;
          const int ad = Dh.div.divmod(Dw.div.divmod(int(m), aw), ah);
          qc[r][0] = Dd.mul * (Dd.q0 + ad);
          qc[r][1] = Dh.mul * (Dh.q0 + ah);
          qc[r][2] = Dw.mul * (Dw.q0 + aw);
          qoff[r] = qc[r][0] * p.src.stride[2] + qc[r][1] * p.src.stride[3] + qc[r][2] * p.src.stride[4];
        }
      }
      TapGemmPhase::advance(ci_p, tp, 0, p.Kc, Dh.ntap, Dw.ntap);  // (a starting channel past Kc < BK: taps on)
    }
    // grad_input: this thread's vectors all start at one position m_t (kG positions' kw outputs per vector, never
    // across an output row: the plan checks W % (VEC / kG) == 0), whose output block in grad_y starts at g_row
    constexpr int VR = (kG ? kG : 1) * BM / VEC;  // vectors per staged grad_y row
    const int m_t = (tid % VR) * VEC / (kG ? kG : 1);
    int64_t g_row = -1;
    // grad_weight: x (the A operand) and grad_y's gather: this thread's B vectors start at position offset k_t of each
    // step, in rows jh_t + r (kThreads / VRB) of fixed (co, kd, kh) columns (their offsets in b_col, -1: past ncols)
    constexpr int VRB = (kG ? kG : 1) * BK / VEC, NVB = BN * BK / VEC / kThreads;
    const E* wx = kW ? static_cast<const E*>(p.dst.data) + n * p.dst.stride[0] + (int64_t(grp) * p.Kc + m0) * p.dst.stride[1]
                     : nullptr;
    const int k_t = (tid % VRB) * VEC / (kG ? kG : 1), jh_t = tid / VRB;
    int64_t b_col[kWN ? NVB : 1];
    if constexpr (kWN) {
#pragma unroll
      for (int r = 0; r < NVB; ++r) {
        const int jh = j0 / kG + jh_t + r * (kThreads / VRB);
        b_col[r] = -1;
        if (jh < p.ncols / kG) {
          int rem, kh;
          const int co = p.div_pairs.divmod(jh, rem);
          const int kd = p.div_sh.divmod(rem, kh);
          b_col[r] = co * sC + kd * p.src.stride[2] + kh * p.src.stride[3];
        }
      }
    }
    if constexpr (kGN && !kW)
      if (m0 + m_t < p.pos) g_row = block_origin(p, int(m0) + m_t, p.src.stride);
    // channels_last grad_y (kCF gradients): grad_input's A vectors are column kv_c of rows m_c + r (kThreads / AV),
    // whose output blocks start at c_row[r] (-1: past the positions); grad_weight's B vectors are column nv_c (offset
    // c_col from the block origin, -1: past ncols) of rows k_c + r (kThreads / BV) of each step
    constexpr int AV = BK / VEC, NVC = BM * BK / VEC / kThreads, BV = BN / VEC;
    const int m_c = tid / AV, kv_c = (tid % AV) * VEC, k_c = tid / BV, nv_c = (tid % BV) * VEC;
    int64_t c_row[kCF && kG && !kW ? NVC : 1];
    int64_t c_col = -1;
    int tk[3] = {0, 0, 0};  // wgen: the column's tap offsets k tdil - tpad (its outputs s q + tk, bounds-checked)
    bool tap_edge = false;  // wgen: some position's output for the block's tap lies outside grad_y (else A unmasked)
    if constexpr (kCF && kG && !kW) {
#pragma unroll
      for (int r = 0; r < NVC; ++r) {
        const int64_t m = m0 + m_c + r * (kThreads / AV);
        c_row[r] = m < p.pos ? block_origin(p, int(m), p.src.stride) : -1;
      }
    }
    if constexpr (kCF && kW) {
      if (p.wgen) {  // the block's tap (every thread: A's mask), the thread's output channel
        int kw, kh;
        const int kd = p.div_sh.divmod(p.div_sw.divmod(tap_w, kw), kh);
        tk[0] = kd * p.tdil[0] - p.tpad[0];
        tk[1] = kh * p.tdil[1] - p.tpad[1];
        tk[2] = kw * p.tdil[2] - p.tpad[2];
        if (j0 + nv_c < jend) c_col = (j0 + nv_c - tap_w * p.Nc) * sC;
        for (int d = 0; d < 3; ++d)  // (x's extents: dst's)
          tap_edge |= tk[d] < 0 || p.s[d] * (p.dst.size[2 + d] - 1) + tk[d] >= p.src.size[2 + d];
      } else if (j0 + nv_c < p.ncols) {
        c_col = tap_column(p, j0 + nv_c, p.src.stride);
      }
    }

    // wgen: position q's output for the block's tap (s q + tk): whether it lies in grad_y, and its offset there
    [[maybe_unused]] auto tap_output = [&](int q, int64_t& row) {
      int w, h;
      const int d = p.div_h.divmod(p.div_w.divmod(q, w), h);
      const int od = p.s[0] * d + tk[0], oh = p.s[1] * h + tk[1], ow = p.s[2] * w + tk[2];
      row = od * p.src.stride[2] + oh * p.src.stride[3] + ow * p.src.stride[4];
      return unsigned(od) < unsigned(p.src.size[2]) && unsigned(oh) < unsigned(p.src.size[3]) &&
             unsigned(ow) < unsigned(p.src.size[4]);
    };
    // one step's copies into stage st: x channels [c0, c0 + BK) of positions [m0, m0 + BM), weight rows c0.. of
    // columns [j0, j0 + BN); zero-filled outside (channels past Kc, positions past pos, columns past ldb)
    auto load = [&](S* st, int step) {
      const int c0 = step * BK;
      S* As = st;
      S* Bs = st + A_ELEMS;
      if constexpr (kPh) {
        // A: the source channels_last as [m][k]: position m's channel vector of this step's tap (plan: Kc % VEC == 0,
        // so one tap), zero outside the source or past the class's taps (tp[0] == ntap of d)
        const bool kin = tp[0] < Dd.ntap;
        const int od = kin ? Dd.off[tp[0]] : 0, oh = Dh.off[tp[1]], ow = Dw.off[tp[2]];
        const int64_t toff = od * p.src.stride[2] + oh * p.src.stride[3] + ow * p.src.stride[4] + ci_p;
#pragma unroll
        for (int r = 0; r < NVP; ++r) {
          const bool ok = kin && unsigned(qc[r][0] + od) < unsigned(p.src.size[2]) &&
                          unsigned(qc[r][1] + oh) < unsigned(p.src.size[3]) &&
                          unsigned(qc[r][2] + ow) < unsigned(p.src.size[4]);
          cp_async_16(As + a_at(m_p + r * (kThreads / KV), kv_p), ok ? xg + qoff[r] + toff : xg, ok ? 16 : 0);
        }
        TapGemmPhase::advance(ci_p, tp, BK, p.Kc, Dh.ntap, Dw.ntap);  // the next step's (tap, channel)
      } else if constexpr (kW && kCF) {
        const int64_t q0 = p0 + int64_t(step) * BK;
        // A: x channels_last as [k][m]: position q0 + k's input-channel vectors (plan: Kc % VEC == 0, aligned);
        // wgen: zero where the position's output for the block's tap lies outside grad_y (as B there)
#pragma unroll
        for (int r = 0; r < NVC; ++r) {
          const int i = tid + r * kThreads, k = i / (BM / VEC), m = (i % (BM / VEC)) * VEC;
          bool ok = q0 + k < p1 && m0 + m < p.Kc;
          int64_t unused;
          if (ok && tap_edge) ok = tap_output(int(q0) + k, unused);
          cp_async_16(As + k * LDA + m, ok ? wx + (q0 + k) * p.xsP + m : wx, ok ? 16 : 0);
        }
        // B: grad_y channels_last as [k][n]: position q0 + k's output block, this thread's (tap, co) vector
#pragma unroll
        for (int r = 0; r < NVB; ++r) {
          const int k = k_c + r * (kThreads / BV);
          bool ok = c_col >= 0 && q0 + k < p1;
          int64_t row = 0;
          if (ok && p.wgen) {  // zero outside grad_y
            ok = tap_output(int(q0) + k, row);
          } else if (ok) {
            row = block_origin(p, int(q0) + k, p.src.stride);
          }
          cp_async_16(Bs + k * LDB + nv_c, ok ? xg + row + c_col : xg, ok ? 16 : 0);
        }
        return;
      } else if constexpr (kW) {
        // A: input channel m's positions q0 + k as 16-byte vectors (x NCDHW, plan: unit position stride, aligned)
        const int64_t q0 = p0 + int64_t(step) * BK;
        constexpr int NVA = BM * BK / VEC / kThreads;
#pragma unroll
        for (int r = 0; r < NVA; ++r) {
          const int i = tid + r * kThreads, m = i / (BK / VEC), k = (i % (BK / VEC)) * VEC;
          const int64_t left = p1 - q0 - k;
          const int bytes = m0 + m < p.Kc ? int(left < 0 ? 0 : left < VEC ? left : VEC) * int(sizeof(E)) : 0;
          cp_async_16(As + m * LDA + k, bytes ? wx + m * p.dst.stride[1] + q0 + k : wx, bytes);
        }
        // B: grad_y's (co, kd, kh) rows at the kG kw outputs of positions q0 + k_t ..
        const int64_t row = q0 + k_t < p1 ? block_origin(p, int(q0) + k_t, p.src.stride) : -1;
#pragma unroll
        for (int r = 0; r < NVB; ++r) {
          const bool ok = row >= 0 && b_col[r] >= 0;
          cp_async_16(Bs + (jh_t + r * (kThreads / VRB)) * LDB + (tid % VRB) * VEC, ok ? xg + row + b_col[r] : xg,
                      ok ? 16 : 0);
        }
        return;
      } else if constexpr (kG != 0 && kCF) {
        // A: grad_y channels_last as [m][k]: position m's (tap, co) vector k (plan: Nc % VEC == 0, so within one tap)
        const int k = c0 + kv_c;
        const int64_t col = k < p.kdim ? tap_column(p, k, p.src.stride) : -1;
#pragma unroll
        for (int r = 0; r < NVC; ++r) {
          const bool ok = col >= 0 && c_row[r] >= 0;
          cp_async_16(As + a_at(m_c + r * (kThreads / AV), kv_c), ok ? xg + c_row[r] + col : xg, ok ? 16 : 0);
        }
      } else if constexpr (kG != 0) {
        // staged row r of the step: K columns (c0 + r kG .. + kG - 1) = one (co, kd, kh) and its kG kw taps
        constexpr int NV = BM * BK / VEC / kThreads;
#pragma unroll
        for (int r = 0; r < NV; ++r) {
          const int row = tid / VR + r * (kThreads / VR), jh = c0 / kG + row;
          int bytes = 0;
          int64_t off = 0;
          if (g_row >= 0 && jh < p.kdim / kG) {
            int rem, kh;
            const int co = p.div_pairs.divmod(jh, rem);
            const int kd = p.div_sh.divmod(rem, kh);
            off = g_row + co * sC + kd * p.src.stride[2] + kh * p.src.stride[3];
            bytes = 16;
          }
          cp_async_16(As + row * LDA + (tid % VR) * VEC, xg + off, bytes);
        }
      } else if (p.a_vec) {
        constexpr int NV = BM * BK / VEC / kThreads;
#pragma unroll
        for (int r = 0; r < NV; ++r) {
          const int i = tid + r * kThreads;
          int k, m, bytes;
          if constexpr (kCF) {  // [m][k]: a position's channel vectors
            m = i / (BK / VEC);
            k = (i % (BK / VEC)) * VEC;
            bytes = m0 + m < p.pos ? min(max(p.kdim - c0 - k, 0), VEC) * int(sizeof(E)) : 0;
          } else {  // [k][m]: a channel's position vectors
            k = i / (BM / VEC);
            m = (i % (BM / VEC)) * VEC;
            const int64_t left = p.pos - m0 - m;
            bytes = c0 + k < p.kdim ? int(left < 0 ? 0 : left < VEC ? left : VEC) * int(sizeof(E)) : 0;
          }
          const E* src = bytes ? xg + (c0 + k) * sC + (m0 + m) * sP : xg;
          cp_async_16(As + a_at(m, k), src, bytes);
        }
      } else {  // any strides: element copies (2-byte: plain loads, cp.async moves >= 4 bytes)
        for (int i = tid; i < BM * BK; i += kThreads) {
          const int k = kCF ? i % BK : i / BM, m = kCF ? i / BK : i % BM;
          const bool ok = c0 + k < p.kdim && m0 + m < p.pos;
          cp_async_elem(As + a_at(m, k), ok ? xg + (c0 + k) * sC + (m0 + m) * sP : xg, ok);
        }
      }
      // weights: [g][kdim][ldb], ldb whole vectors, so a vector is all in or all out; kGmma: [g][ldb][kdim], rows n
      // of the tile's columns, kdim whole vectors (the plan)
      constexpr int NVB = BK * BN / VEC / kThreads;
      if constexpr (kGmma) {
#pragma unroll
        for (int r = 0; r < NVB; ++r) {
          const int i = tid + r * kThreads, nn = i / KV, k = (i % KV) * VEC;
          const bool ok = c0 + k < kdim && j0 + nn < p.ldb;
          cp_async_16(Bs + swz(nn, k), ok ? bg + int64_t(j0 + nn) * kdim + c0 + k : bg, ok ? 16 : 0);
        }
      } else {
#pragma unroll
        for (int r = 0; r < NVB; ++r) {
          const int i = tid + r * kThreads;
          const int k = i / (BN / VEC), c = (i % (BN / VEC)) * VEC;
          const bool ok = c0 + k < kdim && j0 + c < p.ldb;
          cp_async_16(Bs + k * LDB + c, ok ? bg + int64_t(c0 + k) * p.ldb + c : bg, ok ? 16 : 0);
        }
      }
    };

    Acc acc[MT][NT][4];  // (kGmma: the warpgroup's 64 x 64 fragment, 32 a thread, as the flat array wacc)
    static_assert(!kGmma || std::is_same<Acc, float>::value, "wgmma accumulates fp32");
    zero_tiles(acc);
    [[maybe_unused]] float(&wacc)[MT * NT * 4] = reinterpret_cast<float(&)[MT * NT * 4]>(acc);
    // kGmma: this thread's A chunks of a landed stage (the loads' chunk i = tid + r kThreads is row i / KV, chunk
    // i % KV, whichever gather filled it) TF32-rounded in place, then its copies made visible to the wgmmas (the
    // async proxy) before the barrier
    auto landed = [&](S* st) {
      if constexpr (kGmma) {
        if constexpr (H::kTF32) {
          if (!(kPh && p.a_rounded)) {  // (a_rounded: the restaging copy did it; only the phase-GEMM's source is copied
                                        // so, and the tap-GEMM keeps stop 42's loop: NOTES v104)
#pragma unroll
            for (int r = 0; r < BM * KV / kThreads; ++r) {
              const int i = tid + r * kThreads;
              uint4* v = reinterpret_cast<uint4*>(st + swz(i / KV, (i % KV) * VEC));
              uint4 u = *v;
              tf32_round_clear(u);
              *v = u;
            }
          }
        }
        fence_proxy_async();
      }
    };
    auto mma_stage = [&](const S* st) {
      const S* As = st;
      const S* Bs = st + A_ELEMS;
      if constexpr (kGmma) {  // warpgroup wg: rows [64 wg, 64 wg + 64) x the tile's 64 columns, 32-byte k steps
        static_assert(MT * NT * 4 == BN / 2, "a thread's share of the m64 n64 fragment");
#pragma unroll
        for (int e = 0; e < BN / 2; ++e) asm volatile("" : "+f"(wacc[e])::"memory");
        cute::warpgroup_arrive();
        const uint32_t a0 = uint32_t(__cvta_generic_to_shared(As)) + uint32_t(warp >> 2) * 64 * kRowB,
                       b0 = uint32_t(__cvta_generic_to_shared(Bs));
#pragma unroll
        for (int kk = 0; kk < kRowB / 32; ++kk)
          H::mma(gmma_desc_swizzled<kRowB>(a0 + 32 * kk), gmma_desc_swizzled<kRowB>(b0 + 32 * kk), wacc,
                 std::make_index_sequence<BN / 2>{});
        cute::warpgroup_commit_batch();
        return;  // (in flight: mma_done waits, after the next stage's loads are issued)
      }
      accumulate_block<P>(acc, [&](Acc(&sum)[MT][NT][4]) {
        // (exact: one k-step at a time; unrolled, its split fragments spilled on sm_80)
#pragma unroll(P::kSplitAcc ? 1 : BK / P::kK)
        for (int ks = 0; ks < BK; ks += P::kK) {
          typename P::FragB fb[NT];
          if constexpr (kWN) {  // grad_y as it lies: B (k, n) at row n / kG, column k kG + n % kG
#pragma unroll
            for (int ni = 0; ni < NT; ++ni)
              fb[ni] = P::load_b(
                  [&](int k, int c) {
                    const int nn = wn0 + ni * 8 + c;
                    return Bs[(nn / kG) * LDB + (ks + k) * kG + nn % kG];
                  },
                  g, t);
          } else if constexpr (kLdsm) {  // the weights, or a channels_last grad_y: [k][n]
            ldsm_b_pairs(fb, Bs + (ks + (lane >> 3 & 1) * 8 + (lane & 7)) * LDB + wn0 + (lane >> 4) * 8);
          } else if constexpr (kW) {  // channels_last grad_y, [k][n], as it lies (rounded / split here)
#pragma unroll
            for (int ni = 0; ni < NT; ++ni)
              fb[ni] = P::load_b([&](int k, int c) { return Bs[(ks + k) * LDB + wn0 + ni * 8 + c]; }, g, t);
          } else {
#pragma unroll
            for (int ni = 0; ni < NT; ++ni)
              fb[ni] = PackedB<P>::load([&](int k, int c) { return Bs[(ks + k) * LDB + wn0 + ni * 8 + c]; }, g, t);
          }
#pragma unroll
          for (int mi = 0; mi < MT; ++mi) {
            typename P::FragA fa;
            const int mr = wm0 + mi * 16;
            if constexpr (kGN && kG == 2 && !kW) {
              // position m's two kw columns side by side: A (m, k) at row (ks + k) / 2, column 2 m + (ks + k) % 2;
              // 2-byte: a fragment register (m, k 2t..2t+1) is the 32-bit word of row ks / 2 + t at column 2 m
              if constexpr (kLdsm) {
                const uint32_t* w0 = reinterpret_cast<const uint32_t*>(As + (ks / 2 + t) * LDA) + mr + g;
                const uint32_t* w1 = w0 + 4 * LDA / 2;  // k + 8: four rows on
                fa = {{w0[0], w0[8], w1[0], w1[8]}};
              } else {
                fa = P::load_a([&](int m, int k) { return As[(ks + k) / 2 * LDA + 2 * (mr + m) + (k & 1)]; }, g, t);
              }
            } else if constexpr (kLdsm) {
              // matrices (m 0-7 | 8-15) x (k 0-7 | 8-15) in the fragment's register order; [k][m] staging is read
              // transposed (lane (g, t) then holds (m g, k 2t..2t+1) of each)
              uint32_t r[4];
              if constexpr (kAmk)
                ldsm_x4<false>(r, As + (mr + (lane >> 3 & 1) * 8 + (lane & 7)) * LDA + ks + (lane >> 4) * 8);
              else
                ldsm_x4<true>(r, As + (ks + (lane & 7) + (lane >> 4) * 8) * LDA + mr + (lane >> 3 & 1) * 8);
              fa = {{r[0], r[1], r[2], r[3]}};
            } else {
              fa = P::load_a([&](int m, int k) { return kAmk ? As[(mr + m) * LDA + ks + k] : As[(ks + k) * LDA + mr + m]; },
                             g, t);
            }
#pragma unroll
            for (int ni = 0; ni < NT; ++ni) P::mma(sum[mi][ni], fa, fb[ni]);
          }
        }
      });
    };

    // kGmma: the stage's wgmmas complete (mma_stage leaves them in flight)
    auto mma_done = [&]() {
      if constexpr (kGmma) {
        cute::warpgroup_wait<0>();
#pragma unroll
        for (int e = 0; e < BN / 2; ++e) asm volatile("" : "+f"(wacc[e])::"memory");
      }
    };

    // multistage main loop (as RowConv's): S - 1 steps in flight ahead of the one the tensor cores read; one copy
    // group committed per step, empty ones included.  kGmma with p.overlap (v105): the wgmmas are issued first and the
    // next stage's loads (their address math, ~100 instructions a warp) while they run, then waited for
    const int S_ = p.stages;
    auto stage_at = [&](int i) { return smem + i * STAGE; };
    int loaded = 0;
    for (int i = 0; i < S_ - 1; ++i) {
      if (loaded < steps) load(stage_at(i), loaded++);
      if (i < S_ - 2) cutlass::arch::cp_async_fence();
    }
    stage_commit_wait(S_ - 2);
    landed(stage_at(0));
    __syncthreads();
    // (the order chosen once, outside the loop: a branch per step sits in the chain, NOTES v103)
    auto main_loop = [&](auto overlap) {
      for (int step = 0, rd = 0, wr = S_ - 1; step < steps; ++step) {
        if constexpr (decltype(overlap)::value) {
          mma_stage(stage_at(rd));  // (stage wr != rd: the copies never touch what the wgmmas read)
          if (loaded < steps) load(stage_at(wr), loaded++);
        } else {
          if (loaded < steps) load(stage_at(wr), loaded++);
          mma_stage(stage_at(rd));
        }
        mma_done();
        stage_commit_wait(S_ - 2);
        if (step + 1 < steps) landed(stage_at(rd + 1 == S_ ? 0 : rd + 1));
        __syncthreads();
        rd = rd + 1 == S_ ? 0 : rd + 1;
        wr = wr + 1 == S_ ? 0 : wr + 1;
      }
    };
    if constexpr (kGmma) {
      if (p.overlap) main_loop(std::true_type{});
      else main_loop(std::false_type{});
    } else {
      main_loop(std::false_type{});
    }

    // ---- epilogue: C to shared memory, the CTA's row / column offsets tabled, then every element to its output
    Acc* out = reinterpret_cast<Acc*>(smem_raw);
    int64_t* om = reinterpret_cast<int64_t*>(smem_raw + kOutBytes);
    int64_t* oj = om + BM;
    Acc* bj = reinterpret_cast<Acc*>(oj + BN);
    if constexpr (kGmma) {  // the m64 n64 fragment: warp w of warpgroup wg rows 64 wg + 16 w + g (+ 8), n8 block i
      const int r0 = (warp >> 2) * 64 + (warp & 3) * 16 + g;
#pragma unroll
      for (int i = 0; i < BN / 8; ++i)
#pragma unroll
        for (int e = 0; e < 4; ++e) out[(r0 + (e >> 1) * 8) * LDC + i * 8 + 2 * t + (e & 1)] = wacc[i * 4 + e];
    } else
#pragma unroll
    for (int mi = 0; mi < MT; ++mi)
#pragma unroll
      for (int ni = 0; ni < NT; ++ni)
#pragma unroll
        for (int e = 0; e < 4; ++e)
          out[(wm0 + mi * 16 + g + (e >> 1) * 8) * LDC + wn0 + ni * 8 + 2 * t + (e & 1)] = acc[mi][ni][e];
    const int64_t* ys = p.dst.stride;
    if constexpr (kW) {
      // grad_weight: this chunk's sums, input channel ci's (co, tap) at [chunk][group][tap][ci][co] of the workspace
      const int taps = p.kt[0] * p.kt[1] * p.kt[2];
      const int64_t slab = int64_t(p.Kc) * p.Nc;
      if (tid < BM && m0 + tid < p.Kc) {
        om[tid] = ((int64_t(bx) * p.groups + grp) * taps) * slab + (m0 + tid) * p.Nc;
      } else if (tid >= BM && tid < BM + BN && j0 + tid - BM < jend) {
        const int j = j0 + tid - BM;  // (co, tap) columns; channels_last grad_y's (tap, co)
        oj[tid - BM] = kCF ? (j / p.Nc) * slab + j % p.Nc : (j % taps) * slab + j / taps;
      }
      __syncthreads();
      const int mcount = p.Kc - m0 < BM ? int(p.Kc - m0) : BM, jcount = min(BN, jend - j0);
      Acc* ws = static_cast<Acc*>(p.ws);
      // consecutive lanes along co for one tap (contiguous sums) where the tile holds whole (co, all taps) groups
      const int ct = !kCF && BN % taps == 0 ? BN / taps : 0;
#pragma unroll 4
      for (int idx = tid; idx < BM * BN; idx += kThreads) {
        const int q = idx % BN, m = idx / BN, jj = ct ? q % ct * taps + q / ct : q;
        if (m < mcount && jj < jcount) ws[om[m] + oj[jj]] = out[m * LDC + jj];
      }
      return;
    } else if (kG != 0) {  // grad_input: positions and input channels of grad_x
      if (tid < BM && m0 + tid < p.pos) om[tid] = n * ys[0] + (m0 + tid) * p.xsP;
      else if (tid >= BM && tid < BM + BN && j0 + tid - BM < p.ndim) {
        oj[tid - BM] = (int64_t(grp) * p.Kc + j0 + tid - BM) * ys[1];
        bj[tid - BM] = Acc(0);
      }
    } else if (kPh && tid < BM && m0 + tid < pos) {  // the class's position Q -> its output omul Q + obias
      int aw, ah;
      const int ad = Dh.div.divmod(Dw.div.divmod(int(m0) + tid, aw), ah);
      const int64_t od = Dd.omul * (Dd.q0 + ad) + Dd.obias, oh = Dh.omul * (Dh.q0 + ah) + Dh.obias,
                    ow = Dw.omul * (Dw.q0 + aw) + Dw.obias;
      om[tid] = n * ys[0] + od * ys[2] + oh * ys[3] + ow * ys[4];
    } else if (kPh && tid >= BM && tid < BM + BN && j0 + tid - BM < p.ndim) {  // column -> co
      const int co = j0 + tid - BM;
      oj[tid - BM] = (int64_t(grp) * p.Nc + co) * ys[1];
      bj[tid - BM] = p.bias ? P::to_acc(static_cast<const E*>(p.bias)[int64_t(grp) * p.Nc + co]) : Acc(0);
    } else if (!kPh && tid < BM && m0 + tid < p.pos) {  // position (d, h, w) -> its output (d sd, h sh, w sw)
      om[tid] = n * ys[0] + block_origin(p, int(m0) + tid, ys);
    } else if (!kPh && tid >= BM && tid < BM + BN && j0 + tid - BM < p.ndim) {  // column -> (co, kd, kh, kw)
      const int jj = tid - BM, j = j0 + jj, taps = p.s[0] * p.s[1] * p.s[2];
      const int co = p.cl ? j % p.Nc : j / taps, tap = p.cl ? j / p.Nc : j % taps;
      const int kw = tap % p.s[2], kh = tap / p.s[2] % p.s[1], kd = tap / (p.s[2] * p.s[1]);
      oj[jj] = (int64_t(grp) * p.Nc + co) * ys[1] + kd * ys[2] + kh * ys[3] + kw * ys[4];
      bj[jj] = p.bias ? P::to_acc(static_cast<const E*>(p.bias)[int64_t(grp) * p.Nc + co]) : Acc(0);
    }
    __syncthreads();
    const int mcount = pos - m0 < BM ? int(pos - m0) : BM, jcount = min(BN, p.ndim - j0);
    E* y = static_cast<E*>(p.dst.data);
    if (p.vec_cl) {
      // channels fastest, whole aligned vectors (the plan): a lane stores VEC consecutive columns of one position, VEC
      // channels of one tap (grad_input: of grad_x) as one 16-byte vector
      constexpr int NVJ = BN / VEC;
#pragma unroll 2
      for (int idx = tid; idx < BM * NVJ; idx += kThreads) {
        const int jj = idx % NVJ * VEC, m = idx / NVJ;
        if (m < mcount && jj < jcount) {
          E v[VEC];
#pragma unroll
          for (int e = 0; e < VEC; ++e) v[e] = P::from_acc(out[m * LDC + jj + e] + bj[jj + e]);
          st_global_16(y + om[m] + oj[jj], v);
        }
      }
    } else if (p.cl) {  // channels fastest: (tap, co) columns, a tap's channels contiguous in y
#pragma unroll 4
      for (int idx = tid; idx < BM * BN; idx += kThreads) {
        const int jj = idx % BN, m = idx / BN;
        if (m < mcount && jj < jcount) y[om[m] + oj[jj]] = P::from_acc(out[m * LDC + jj] + bj[jj]);
      }
    } else if (p.vec_out) {
      // w stride 2, whole aligned vectors (the plan): a lane stores VEC / 2 consecutive positions' (kw 0, kw 1) pairs
      // of one (co, kd, kh) row as one 16-byte vector (they never cross an output row: W % (VEC / 2) == 0)
      constexpr int PV = VEC / 2;
#pragma unroll 2
      for (int idx = tid; idx < BM / PV * (BN / 2); idx += kThreads) {
        const int m = idx % (BM / PV) * PV, jj = idx / (BM / PV) * 2;
        if (m < mcount && jj < jcount) {
          E v[VEC];
#pragma unroll
          for (int e = 0; e < VEC; ++e) v[e] = P::from_acc(out[(m + e / 2) * LDC + jj + e % 2] + bj[jj + e % 2]);
          st_global_16(y + om[m] + oj[jj], v);
        }
      }
    } else {  // kw fastest, then the position: one (co, kd, kh) row's outputs w sw + kw are consecutive
      const int lsw = p.lsw, sw = 1 << lsw;
#pragma unroll 4
      for (int idx = tid; idx < BM * BN; idx += kThreads) {
        const int kw = idx & (sw - 1), r = idx >> lsw, m = r % BM, jj = (r / BM << lsw) + kw;
        if (m < mcount && jj < jcount) y[om[m] + oj[jj]] = P::from_acc(out[m * LDC + jj] + bj[jj]);
      }
    }
  }
};

// Two CTAs per SM (128 registers); exact fp32 one (its split fragments and per-step sums spilled at 128)
// (__grid_constant__: the phase-GEMM indexes its class tables at run time, which must not copy the parameters)
template <class P, bool kCF, int kG, bool kW>
__global__ void __launch_bounds__(TapGemmTiles::kThreads, P::kSplitAcc ? 1 : 2)
    tapgemm_kernel(const __grid_constant__ TapGemmParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  TapGemm<P, kCF, kG, kW>::run(p, ct3d_smem);
}
// The phase-GEMM's instance (a name of its own: tests and profiles tell it from the tap-GEMM)
template <class P>
__global__ void __launch_bounds__(TapGemmTiles::kThreads, P::kSplitAcc ? 1 : 2)
    phasegemm_kernel(const __grid_constant__ TapGemmParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  TapGemm<P, true, 0, false, true>::run(p, ct3d_smem);
}
// The wgmma instances (v102; kernels_sm90.cu, sm_90a): H the Hopper element traits of P's element type
template <class P, class H, int kG>
__global__ void __launch_bounds__(TapGemmTiles::kThreads, 2) hopper_tapgemm_kernel(const __grid_constant__ TapGemmParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  TapGemm<P, true, kG, false, false, H>::run(p, ct3d_smem);
}
template <class P, class H>
__global__ void __launch_bounds__(TapGemmTiles::kThreads, 2) hopper_phasegemm_kernel(const __grid_constant__ TapGemmParams p) {
  extern __shared__ __align__(16) unsigned char ct3d_smem[];
  TapGemm<P, true, 0, false, true, H>::run(p, ct3d_smem);
}

// Element `rel` of a [groups][kdim][ldb] pack, or of the K-major [groups][ldb][kdim] one (the wgmma instance's,
// TapGemmParams::gmma): its row (group x kdim + k) and column
CT3D_DEV void pack_coords(int64_t rel, int64_t kdim, int ldb, bool kmajor, int64_t& row, int& col) {
  const int64_t per = kdim * ldb, rem = rel % per;
  col = kmajor ? int(rem / kdim) : int(rel % ldb);
  row = kmajor ? rel / per * kdim + rem % kdim : rel / ldb;
}

// The tap-GEMM's B from PyTorch's weight (Cin, Cout_g, kD, kH, kW), any strides, PackedB-prepared (TF32: rounded
// once here, not per fragment), zero past ndim: forward [Cin][ldb] rows of the columns (co, kd, kh, kw) or, for
// channels_last outputs (p.cl), (kd, kh, kw, co); grad_input [groups][ncols][ldb] rows (co, kd, kh, kw) of the
// group's input channels.
template <class P>
__global__ void tapgemm_pack_kernel(TensorRef5 w, TapGemmParams p) {
  using E = typename P::Element;
  E* out = static_cast<E*>(const_cast<void*>(p.wpack));
  const int taps = p.s[0] * p.s[1] * p.s[2];
  const int64_t total = int64_t(p.groups) * p.kdim * p.ldb;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    int c;
    int64_t row;  // forward: the input channel; grad_input: group x ncols + column
    pack_coords(idx, p.kdim, p.ldb, p.gmma, row, c);
    E v = E(0);
    if (c < p.ndim) {
      const int64_t ci = p.dgrad ? row / p.ncols * p.Kc + c : row;
      const int j = p.dgrad ? int(row % p.ncols) : c;
      const bool tap_major = p.dgrad ? p.gcl : p.cl;  // (tap, co) columns
      const int co = tap_major ? j % p.Nc : j / taps, tap = tap_major ? j / p.Nc : j % taps;
      const int kw = tap % p.s[2], kh = tap / p.s[2] % p.s[1], kd = tap / (p.s[2] * p.s[1]);
      v = PackedB<P>::pack(static_cast<const E*>(w.data)[ci * w.stride[0] + co * w.stride[1] + kd * w.stride[2] +
                                                         kh * w.stride[3] + kw * w.stride[4]]);
    }
    out[idx] = v;
  }
}

// The phase-GEMM's B: per class c, [groups][kdim_c][ldb] at wofs[c], row (tap (td, th, tw), ci) of the class's taps,
// column co: W[grp Kc + ci][co][kd, kh, kw of the tap] PackedB-prepared, zero past Nc.  grad_input (p.dgrad, Kc and Nc
// there grad_y's and grad_x's channels per group): row (tap, co), column ci, W[grp Nc + ci][co][tap]
template <class P>
__global__ void phasegemm_pack_kernel(TensorRef5 w, const __grid_constant__ TapGemmParams p) {
  using E = typename P::Element;
  const TapGemmPhase& ph = p.ph;
  E* out = static_cast<E*>(const_cast<void*>(p.wpack));
  const int64_t total = ph.wofs[ph.ncls];
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    int c = 0;
    while (idx >= ph.wofs[c + 1]) ++c;
    int r[3];
    ph.residues(c, r);
    const TapGemmPhaseDim &Dd = ph.dim[0][r[0]], &Dh = ph.dim[1][r[1]], &Dw = ph.dim[2][r[2]];
    const int64_t rel = idx - ph.wofs[c];
    const int64_t kdim = int64_t(Dd.ntap) * Dh.ntap * Dw.ntap * p.Kc;
    int co;
    int64_t row;  // group x kdim_c + (tap, ci)
    pack_coords(rel, kdim, p.ldb, p.gmma, row, co);
    const int grp = int(row / kdim), k = int(row % kdim), ci = k % p.Kc, tap = k / p.Kc;
    const int tw = tap % Dw.ntap, th = tap / Dw.ntap % Dh.ntap, td = tap / (Dw.ntap * Dh.ntap);
    E v = E(0);
    const int64_t wci = p.dgrad ? int64_t(grp) * p.Nc + co : int64_t(grp) * p.Kc + ci, wco = p.dgrad ? ci : co;
    if (co < p.Nc)
      v = PackedB<P>::pack(static_cast<const E*>(w.data)[wci * w.stride[0] + wco * w.stride[1] + Dd.k[td] * w.stride[2] +
                                                         Dh.k[th] * w.stride[3] + Dw.k[tw] * w.stride[4]]);
    out[idx] = v;
  }
}

}  // namespace ct3d
