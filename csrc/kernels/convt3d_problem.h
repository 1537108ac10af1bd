// Problem descriptor for 3-D transposed convolution, shared by the CUDA kernels, the host plan and the
// CPU plan emulator (so the index math the GPU runs is testable on a machine without a GPU).
// Torch-free: only <cstdint>.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define CT3D_HD __host__ __device__ __forceinline__
#else
#define CT3D_HD inline
#endif

namespace ct3d {

enum class DType : int { kF32 = 0, kF16 = 1, kBF16 = 2, kF64 = 3 };

// How fp32 products are formed. kTF32: operands rounded to nearest-even TF32 (cuDNN's allow_tf32 mode).
// kExact: fp32-accurate (3xTF32 big/small split). 16-bit and f64 types always use their native MMA.
enum class Math : int { kTF32 = 0, kExact = 1 };

enum class Status : int {
  kSuccess = 0,
  kInvalidProblem,   // arguments describe no valid convolution
  kNotSupported,     // valid, but outside what the kernels can launch (message says which limit)
  kCudaError,        // a CUDA call or launch failed
};

// A strided 5-D view (N, C, D, H, W) with element strides: covers NCDHW, channels_last_3d, slices and
// expanded (stride-0) tensors alike.
struct TensorRef5 {
  void* data;
  int64_t size[5];
  int64_t stride[5];
};

// One spatial dimension's map between an op's output coordinate o and its input coordinate i via tap k:
//   num = o*A + B - k*C;  tap valid iff num % E == 0 and 0 <= num/E < in_extent;  then i = num/E.
// Transposed-conv forward (gather form): A=1, B=pad, C=dil, E=stride.
// Its input gradient, a plain strided convolution: A=stride, B=-pad, C=-dil, E=1.
// Along w the outputs are split into E phases rho = o mod E, o = E*q + rho; a tap valid for a phase is
// valid for all its q, with i = A*q + delta(rho, k).  This is the sub-pixel decomposition.
struct DimMap {
  int A, B, C, E;
  int K;           // kernel extent
  int in_extent;   // extent of the gathered (input-side) tensor
  int out_extent;  // extent of the written (output-side) tensor
  // For a fixed o the valid taps are k0 + j*ks with i = i0 - j*di: ks = E / gcd(|C|, E), di = C / gcd(|C|, E)
  // (see TapWalk).  Set by the map constructors below, so kernels never run the gcd.
  int ks = 1, di = 0;

  // 32-bit on purpose: 64-bit division is a long instruction sequence on the GPU and these run per step.
  // check_problem() guarantees |o*A + B - k*C| < 2^31 for every coordinate and tap.
  CT3D_HD bool tap(int o, int k, int& i) const {
    const int num = o * A + B - k * C;
    if (num % E != 0) return false;
    i = num / E;
    return i >= 0 && i < in_extent;
  }
  // Offset of input for phase rho and tap k (independent of q); false if the tap never lands on rho.
  CT3D_HD bool delta(int rho, int k, int& d) const {
    const int num = rho * A + B - k * C;
    if (num % E != 0) return false;
    d = num / E;
    return true;
  }
  // Number of q with E*q + rho < out_extent.
  CT3D_HD int64_t num_q(int rho) const {
    return rho < out_extent ? (int64_t(out_extent) - rho + E - 1) / E : 0;
  }
};

CT3D_HD DimMap with_walk(DimMap m) {
  int a = m.C < 0 ? -m.C : m.C, b = m.E;  // gcd(|C|, E); C = +-dilation != 0
  while (b) {
    const int t = a % b;
    a = b;
    b = t;
  }
  m.ks = m.E / a;
  m.di = m.C / a;
  return m;
}
CT3D_HD DimMap forward_map(int k, int stride, int pad, int dil, int in_extent, int out_extent) {
  return with_walk(DimMap{1, pad, dil, stride, k, in_extent, out_extent});
}
CT3D_HD DimMap grad_input_map(int k, int stride, int pad, int dil, int gy_extent, int gx_extent) {
  return with_walk(DimMap{stride, -pad, -dil, 1, k, gy_extent, gx_extent});
}

CT3D_HD int floor_div(int a, int b) {  // b > 0
  return (a >= 0) ? a / b : -((-a + b - 1) / b);
}

// The whole convolution.  Weight is PyTorch's (Cin, Cout/groups, kD, kH, kW).
struct ConvT3dProblem {
  int64_t N;
  int Cin, Cout, groups;
  int in[3];    // x: D, H, W
  int out[3];   // y: OD, OH, OW
  int k[3], stride[3], pad[3], dil[3];
  DType dtype;
  Math math;

  CT3D_HD int cin_g() const { return Cin / groups; }
  CT3D_HD int cout_g() const { return Cout / groups; }
  CT3D_HD int taps() const { return k[0] * k[1] * k[2]; }
  CT3D_HD DimMap fwd(int d) const { return forward_map(k[d], stride[d], pad[d], dil[d], in[d], out[d]); }
  CT3D_HD DimMap dgrad(int d) const { return grad_input_map(k[d], stride[d], pad[d], dil[d], out[d], in[d]); }
};

// Tile constants the host plan and the kernels agree on.
struct Tiles {
  static constexpr int kThreads = 128;  // 4 warps
  static constexpr int BQ = 128;        // q positions per phase per CTA (row-conv kernels)
  static constexpr int BN = 32;         // output channels per CTA
  // ... of a group with Nc output channels, for nph phases per CTA: 16 where they fit and the CTA has two
  // phases (a 32-wide tile would multiply absent channels; the one-phase kernels spill in 16-wide tiles, sm_90)
  static constexpr int row_bn(int Nc, int nph) { return Nc <= 16 && nph == 2 ? 16 : BN; }
  static constexpr int BK = 16;         // input channels per pipeline step
  // ... of the row-conv kernels: 32 (two 16-bit MMA k-steps per barrier, as TF32 has) for 2-byte channels_last
  // (column-major, ldmatrix) slabs of more than 16 channels, whose K loop is bound by per-step work
  static constexpr int rowconv_bk(int esz, bool cf, int Kc) { return esz == 2 && cf && Kc > BK ? 2 * BK : BK; }
  static constexpr int KWC = 4;         // w-taps per pipeline step
  static constexpr int kMaxPlanes = 8;  // residue planes of a strided slab (<= KWC * phases)
  // weight-gradient kernel
  static constexpr int WM = 32;         // Cin per CTA
  static constexpr int WN = 32;         // Cout per CTA
  // ... where the CTA's tile has at most 16 output channels (narrow): its four warps split each step's K four
  // ways instead of two K halves x two 16-channel blocks, so none multiplies absent channels
  static constexpr int WN_NARROW = 16;
  static constexpr int WQ = 64;         // input w positions per step
  // ... for esz-byte elements: 128 for 2-byte channels_last slabs (cf), whose steps are short next to their
  // fixed work (the row-conv's 32-channel steps, v28, measured the same trade)
  static constexpr int wgrad_wq(int esz, bool cf) { return esz == 2 && cf ? 2 * WQ : WQ; }
  // grad_weight's channels_last slabs (column-major: column e's C channels at e * LDC + c): the column stride
  // in esz-byte elements.  A fragment's lanes read channel g of column gather * t (t < 4), conflict-free when
  // columns gather apart are an odd multiple of 8 words (2-byte ldmatrix: of 16 bytes); C = 16 and 32 pad alike.
  // 2-byte stride-2 grad_y cannot be (16-byte columns) and stays 2-way; so does 4-byte x beside stride-2 grad_y
  // (36, not 40), which keeps four CTAs per SM in shared memory.
  static constexpr int wgrad_cf_ldc(int esz, int C, int gather, bool gy) {
    return esz == 2 ? C + 8 : esz == 4 ? C + (gather == 2 ? 4 : 8) : C + (gy && gather == 2 ? 2 : 4);
  }
};

// The staged direct row kernel's w window (direct_kernel.cuh): with E <= 2 phases, output o = E*q + rho reads
// i = A*q + d for each tap k landing on rho, d = (rho*A + B - k*C) / E.  A chunk of BQ consecutive q starting at q0
// reads i in [A*q0 + dmin, A*q0 + dmin + WW), WW = A*(BQ - 1) + dmax - dmin + 1; false when no tap lands anywhere
// (then dmin = 0 and WW = A*(BQ - 1) + 1).
CT3D_HD bool direct_row_window(const DimMap& m, int BQ, int& dmin, int64_t& WW) {
  bool any = false;
  int dmax = 0;
  dmin = 0;
  for (int r = 0; r < m.E; ++r)
    for (int k = 0; k < m.K; ++k) {
      const int num = r * m.A + m.B - k * m.C;
      if (num % m.E != 0) continue;
      const int d = num / m.E;
      dmin = (any && dmin < d) ? dmin : d;
      dmax = (any && dmax > d) ? dmax : d;
      any = true;
    }
  WW = int64_t(m.A) * (BQ - 1) + (dmax - dmin) + 1;
  return any;
}

// Direct (CUDA-core) kernels for groups of few channels (see direct_kernel.cuh).
struct DirectTiles {
  static constexpr int kThreads = 128;
  static constexpr int J = 8;      // outputs per lane along w (a warp covers 32 * J consecutive outputs)
  static constexpr int NCMAX = 4;  // channels per group (in and out) the direct kernels take (NC of the kernel: 1, 2, 4)
  static constexpr int KMAX = 3;   // grad_weight: kernel extent per dimension held in registers
  // staged row kernel (direct_row_kernel): a thread's run of q per phase; the widest window offset span it takes
  // at gather stride A (w kernels up to 5 taps at dilation 1) and the 16-byte vectors a run's window needs
  static constexpr int kRun = 4;
  static constexpr int span_max(int A) { return A == 1 ? 4 : 5; }
  static constexpr int win_vecs(int A) { return (A * (kRun - 1) + span_max(A) + 1 + 3) / 4; }
  // ... and a window's shared-memory row for TQ threads per group: the last run's window end (a multiple of 4)
  static constexpr int run_row(int A, int TQ) { return A * kRun * (TQ - 1) + 4 * win_vecs(A); }
  // ... and the output rows (consecutive h, one (n, d)) a CTA of it computes at most, for NC channels per group: the
  // rows share their staged source rows, weights, tap masks and setup (the accumulators: rows x 8 x NC per thread)
  static constexpr int rows_max(int NC) { return NC == 1 ? 4 : NC == 2 ? 2 : 1; }
  // depthwise lane kernels (direct_lane_conv_kernel, direct_wgrad_row_kernel): CTAs per SM they are built for (launch
  // bounds), by the registers a lane holds (KMAX^2 x phases x window offsets of weights or sums: 36, or 54 for two
  // phases of 3 offsets), the most without spills on sm_90; their row slices fill one wave of them
  static constexpr int lane_ctas(int nph, int S) { return nph * S <= 4 ? 4 : 3; }
  // the kernel instance (NC) that takes Nc <= NCMAX output channels
  static constexpr int nc(int Nc) { return Nc == 1 ? 1 : Nc == 2 ? 2 : 4; }
  // outputs per lane of the per-lane kernel (direct_conv_kernel) for NC channels (1, 2, 4) of esz-byte elements:
  // J / NC, halved for 2-byte types (whose conversions otherwise push J = 8 past the register budget)
  static constexpr int lane_outputs(int esz, int NC) { return (esz == 2 ? J / 2 : J) / NC > 0 ? (esz == 2 ? J / 2 : J) / NC : 1; }
};
static_assert(DirectTiles::run_row(1, 32) > DirectTiles::kThreads,
              "the staged kernel's copy advances (row, w) assuming a window row is longer than the CTA");

// v133: the producer warp's transposition of a landed NCDHW x box, [32 channels][rows positions] (rows =
// HopperTiles::rows(S), a multiple of 8), into the slot's K-major rows of 32 channels, one 16-byte chunk holding B
// channels (B = 4 fp32, 8 fp16 / bf16): chunk k of row w at k ^ swz(w), the 128-byte swizzle (w mod 8) for 4-byte
// elements, the 64-byte one (w / 2 mod 4) for 2-byte ones.  Work: blocks of B channels x B positions, a lane's block
// read as B channel rows of B positions and written as B chunks (one per position).  Block b takes channel group
// cg = b mod (32 / B) and position block wb = (b / (32 / B) + (B / 4) cg) mod nwb, a diagonal, so that the 8 lanes of
// a 16-byte access phase read 8 consecutive position blocks (distinct bank groups, but where the diagonal wraps at
// rows 72: 2-way there) and write 8 distinct chunks (4-byte: cg ^ (4 wb + i) mod 8) or 2 lanes a bank group (2-byte:
// a stored row's bank group is fixed by cg and the row's parity, 4 cg values); ct3d_index_test checks all of it
template <int B>
struct HopperXTranspose {
  static_assert(B == 4 || B == 8, "4-byte or 2-byte elements: 16-byte chunks");
  static constexpr int kGroups = 32 / B;  // channel groups (chunks of a row)
  int rows, nwb;                          // positions per landed row, B-position blocks per row
  CT3D_HD static HopperXTranspose make(int rows) { return {rows, rows / B}; }
  CT3D_HD int blocks() const { return kGroups * nwb; }
  CT3D_HD void block(int b, int& cg, int& wb) const {
    cg = b % kGroups;
    wb = b / kGroups + B / 4 * cg;
    if (wb >= nwb) wb -= nwb;
  }
  // element offsets: channel c's row of the landed box (its B positions from B wb on), and the slot's chunk of
  // position w holding channels B cg .. B cg + B - 1
  CT3D_HD int land(int c, int wb) const { return c * rows + B * wb; }
  CT3D_HD static int slot(int w, int cg) { return w * 32 + ((cg ^ (B == 4 ? w & 7 : (w >> 1) & 3)) * B); }
};

// v126's transposition of a 32 x 32 fp32 tile in shared memory (wgemm_sm90.cuh), here for the host index test: block
// q (0..63) reads raw rows 4 pb + i ([position][32 channels] in 128-byte rows, the 128-byte swizzle as the TMA lands
// them: 16-byte chunk c of row r at c ^ r % 8) at channels 4 cb .. 4 cb + 3, and writes K-major rows 4 cb + j
// ([channel][32 positions], the same swizzle) at positions 4 pb .. 4 pb + 3.  pb = q % 8 and cb = q / 8 ^ pb / 2: the
// 8 lanes of a 16-byte access phase (q / 8 alike) touch 8 distinct chunks, i.e. bank groups, reading and writing.
struct WgemmTransposeBlock {
  int pb, cb;
  CT3D_HD explicit WgemmTransposeBlock(int q) : pb(q & 7), cb((q >> 3) ^ ((q & 7) >> 1)) {}
  CT3D_HD int read(int i) const { return swizzled(4 * pb + i, cb); }   // byte offset in the raw tile
  CT3D_HD int write(int j) const { return swizzled(4 * cb + j, pb); }  // byte offset in the K-major tile
  CT3D_HD static int swizzled(int row, int chunk) { return row * 128 + ((chunk ^ (row & 7)) << 4); }
};

// The Hopper grad_input's tile constants (dgrad_sm90.cuh, HopperDgradParams in kernel_params.h); here so that the
// host index test checks its channel order and row pitch.
struct HopperDgradTiles {
  static constexpr int kThreads = 384;  // two consumer warpgroups (64 iw each of the tile's 128), a producer
  static constexpr int BQ = 128;        // iw per tile
  static constexpr int kMaxKw = 4;      // w taps (kernel instances)
  static constexpr int kMaxKwSplit = 3;  // ... of the 3xTF32 instances (two fragment sets of 4 taps spill)
  static constexpr int kMaxRing = 8;    // stages in flight
  static constexpr int kBarBytes = 128;  // their full and empty barriers, before the weights
  static constexpr int kMaxXBufs = 3;    // the fused backward's x row buffers (v146: Rd + 1)
  // registers per thread after setmaxnreg: setmaxnreg moves registers within the CTA's launch allocation (384 x 168),
  // so 2 x 216 + 72 <= 3 x 168 (more and the consumers' request would wait forever)
  static constexpr int kConsumerRegs = 216, kProducerRegs = 72;
  static_assert(2 * kConsumerRegs + kProducerRegs <= 3 * (65536 / 384 / 8 * 8), "setmaxnreg past the CTA's registers");
  // grad_y positions a stage needs per channel: Ew (BQ - 1) + Kw (unit w dilation); the 16-byte vectors of vec
  // elements staged for them from the boundary below (up to vec - 1 elements of phase)
  static constexpr int window(int ew, int kw) { return ew * (BQ - 1) + kw; }
  static constexpr int vectors(int win, int vec = 4) { return (win + 2 * (vec - 1)) / vec; }
  // ... and a staged channel row's pitch in elements: vec x an odd number, so that fp32 rows 4 apart are 16 banks
  // apart and 16-bit rows 2 apart 8 banks apart (their fragments' channels, below)
  static constexpr int pitch(int nv, int vec = 4) { return vec * (nv | 1); }
  // channel (within the stage's 32) of the fragment's k index t4 + 4 cc in k-step ks (A: lane t4's registers 0-1
  // are cc = 0, 2-3 cc = 1; the packed B uses the same order).  w stride 2: a load's lanes g8 read positions 2 apart
  // (8 banks of one parity), lanes t4 channels c, c + 1, c + 4, c + 5: rows 4 apart have the same 4-byte phase and
  // sit 16 banks apart, and c, c + 1 differ in parity where the channel stride is odd (OW odd, as on the mission
  // shape): 32 distinct banks; else 2-way.  Stride 1: channels c, c + 2, c + 4, c + 6 (conflict-free where the
  // channel stride is even).
  // channels_last grad_y (cl): lane t4 takes channels 8 t4 .. 8 t4 + 7 over the four k-steps, two 16-byte chunks of a
  // staged position (below).
  static constexpr int co_of(int ew, bool cl, int ks, int t4, int cc) {
    return cl ? 8 * t4 + 2 * ks + cc
              : ew == 2 ? 8 * ks + 2 * cc + (t4 & 1) + 4 * (t4 >> 1) : 8 * ks + cc + 2 * t4;
  }
  // channels_last grad_y: a stage holds its window's positions j as 128-byte rows of the 32 channels, 16-byte chunk q
  // of row j at chunk q ^ cl_swz(ew, j).  A quarter-warp's 16-byte fragment loads read rows j and j + ew (lanes g8,
  // g8 + 1) at the four chunks 2 t4 + q' of one parity: the swizzle gives the two rows opposite parities, so the
  // eight loads cover all 32 banks.  cl_swz(ew, ew m + kw + 8 ew h) = cl_swz(ew, ew m) ^ cl_swz(ew, kw) for kw < 4:
  // the consumer's addresses are two per-thread bases and constants (the index test checks both).
  static constexpr int cl_swz(int ew, int j) { return (j >> (ew - 1)) & 1; }
  // 16-bit grad_y (k16 wgmmas, two k-steps per 32 channels): channel of the fragment's k index 2 t4 + e + 8 cc in
  // k-step ks.  Lanes t4 read rows 2 apart, at the pitch 8 banks apart; a register's two elements (e) are two rows.
  static constexpr int co16(int ks, int t4, int cc, int e) { return 16 * ks + 8 * cc + 2 * t4 + e; }
  static constexpr int cl_offset(int ew, int j, int co) { return 32 * j + 4 * ((co / 4) ^ cl_swz(ew, j)) + co % 4; }
  // the consumer's chunk 2 t4 + q of row m, tap kw, h: cl_base(ew, m, t4, q ^ cl_swz(ew, kw)) + 32 kw + 256 ew h
  static constexpr int cl_base(int ew, int m, int t4, int x) {
    return 32 * ew * m + 8 * t4 + 4 * (cl_swz(ew, ew * m) ^ x);
  }
  // 16-bit channels_last: a position is a 64-byte row of 4 chunks, lane t4's channels 8 t4 .. 8 t4 + 7 its chunk t4
  // (co_cl16 over the two k-steps).  A quarter-warp reads rows j and j + ew: at w stride 1 they sit in the two 64-byte
  // halves of the banks as they are; at w stride 2 every second pair of rows is followed by 64 bytes of padding
  // (byte offset 96 j, less 32 for odd j), which puts rows 2 apart in opposite halves.  Additive:
  // cl16_row(ew, ew m + c) = cl16_row(ew, ew m) + cl16_row(ew, c), so the consumer's loads are a per-thread base plus
  // immediates.
  static constexpr int co_cl16(int ks, int t4, int cc, int e) { return 8 * t4 + 4 * ks + 2 * cc + e; }
  static constexpr int cl16_row(int ew, int j) { return 64 * j + (ew == 2 ? 64 * (j >> 1) : 0); }
};

// The Hopper grad_input's row pairs along d or h: x rows i and i + 1 read grad_y rows i s - p + k dil and
// (i + 1) s - p + k' dil, the same row where k = k' + s / dil (s a multiple of dil).  S: that shift, or K where no tap
// is shared (then a tile holds one row along the dimension); stage j of K + S holds the grad_y row of row i's tap
// k[0] = j and row i + 1's k[1] = j - S (-1 where outside [0, K), or row i + 1 outside x: !two).
CT3D_HD int hopper_dgrad_shift(int stride, int dil, int K) {
  const int s = stride % dil == 0 ? stride / dil : K;
  return s < K ? s : K;
}
CT3D_HD void hopper_dgrad_taps(int j, int K, int S, bool two, int (&k)[2]) {
  k[0] = j < K ? j : -1;
  k[1] = two && j >= S && j - S < K ? j - S : -1;
}

// How the Hopper grad_input copies a channel row's NV staged 16-byte vectors of V elements, fixed per tile: the window
// starts at wstart in every stage of a tile, and a row's phase ph (0..V - 1) moves vector v's first position to
// wstart + V v - ph.  Whatever the phase, vectors [lo, hi) lie inside [0, OW) and are copied whole, and those below
// zlo or from zhi on lie outside it and are zero-filled, one 16-byte copy each (`whole`, bit i: lane's vector
// lane + 32 i; `zero`: of those, the zero-filled ones); the ne others, [zlo, lo) and [hi, zhi), straddle 0 or OW at
// some phase and go by 4-byte words (one element for fp32, two for 16-bit).  On a full 128-position tile that is one
// vector at each end; a partial tile's vectors past OW are zero-filled whole.
template <int NV, int V = 4>
struct HopperDgradVectors {
  int zlo, lo, hi, zhi, ne;
  uint32_t whole, zero;
  static CT3D_HD int clamp(int v) { return v < 0 ? 0 : v > NV ? NV : v; }
  CT3D_HD HopperDgradVectors(int wstart, int OW, int lane) {
    zlo = clamp(wstart < 0 ? -wstart / V : 0);                    // first v with wstart + V v + V > 0
    lo = clamp(wstart >= V - 1 ? 0 : (2 * (V - 1) - wstart) / V);  // first v with wstart + V v - (V - 1) >= 0
    hi = clamp(OW - V - wstart >= 0 ? (OW - V - wstart) / V + 1 : 0);  // first v with wstart + V v + V > OW
    zhi = clamp(OW + V - 1 - wstart > 0 ? (OW + 2 * (V - 1) - wstart) / V : 0);  // first v: wstart + V v - (V - 1) >= OW
    // a row too short for a whole vector: every vector in [zlo, zhi) goes element by element
    lo = lo < zhi ? lo : zhi;
    hi = hi < zhi ? hi : zhi;
    hi = hi > lo ? hi : lo;
    ne = (lo - zlo) + (zhi - hi);
    whole = zero = 0;
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int i = 0; i < (NV + 31) / 32; ++i) {
      const int v = lane + 32 * i;
      const bool z = v < NV && (v < zlo || v >= zhi);
      whole |= uint32_t(z || (v >= lo && v < hi)) << i;
      zero |= uint32_t(z) << i;
    }
  }
  CT3D_HD int edge(int j) const { return j < lo - zlo ? zlo + j : hi + (j - (lo - zlo)); }  // j-th straddling one
};

// Smallest channel stride >= n with stride % 32 == pad (in elements): keeps the fragment loads of a warp on
// distinct banks.
CT3D_HD int padded_ld(int n, int pad) {
  int r = ((n + 31) / 32) * 32 + pad;
  return (r - 32 >= n) ? r - 32 : r;
}

// Smallest stride >= n that is an odd multiple of pad (pad a power of two): rows g = 0..7 then start on 8
// distinct pad-word banks, as a (g, t) fragment load with t < pad wants, with less padding than padded_ld.
CT3D_HD int odd_multiple_ld(int n, int pad) {
  int r = (n + pad - 1) / pad;
  return (r | 1) * pad;
}

// Geometry of one staged input slab of a row-conv step: which residue planes of i mod A it holds and how
// far into a plane the taps reach.  The slab for q in [q0, q0+BQ) starts at i = A*q0 + base, element
// e = i - (A*q0 + base) lives in plane plane_of(e % A) at column e / A.  A tap with offset delta reads
// plane plane_of((delta - base) % A) from column m + (delta - base) / A for row m of the tile.
struct SlabGeom {
  int base;       // A * floor(min delta / A)
  int nplanes;
  int res[Tiles::kMaxPlanes];
  int jmax;       // largest (delta - base) / A over the taps
  // Fully unrolled with constant indices so the array stays in registers on the GPU.
  CT3D_HD int plane_of(int r) const {
    int found = -1;
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int p = 0; p < Tiles::kMaxPlanes; ++p)
      if (p < nplanes && res[p] == r && found < 0) found = p;
    return found;
  }
  // plane of residue r < 8 in 4 bits (0xF: none): one shift instead of the search, for strides <= 8
  uint32_t lut;
  CT3D_HD int plane_fast(int r) const {
    if (r < 8) {
      const int p = int((lut >> (4 * r)) & 0xFu);
      return p == 0xF ? -1 : p;
    }
    return plane_of(r);
  }
  CT3D_HD void add(int r) {
    if (r < 8) lut = (lut & ~(0xFu << (4 * r))) | (uint32_t(nplanes) << (4 * r));
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int p = 0; p < Tiles::kMaxPlanes; ++p)
      if (p == nplanes) res[p] = r;
    ++nplanes;
  }
};

// Taps kw in [kw0, kw0+kwn) for phases rho in [rho0, rho0+nph) (rho < E).  nplanes == 0: no tap lands.
CT3D_HD SlabGeom slab_geom(const DimMap& m, int rho0, int nph, int kw0, int kwn) {
  SlabGeom g{};
  g.lut = 0xFFFFFFFFu;
  g.base = 0;
  g.nplanes = 0;
  g.jmax = 0;
  bool any = false;
  int dmin = 0;
  for (int r = rho0; r < rho0 + nph && r < m.E; ++r)
    for (int k = kw0; k < kw0 + kwn && k < m.K; ++k) {
      int d;
      if (m.delta(r, k, d)) {
        if (!any || d < dmin) dmin = d;
        any = true;
      }
    }
  if (!any) return g;
  g.base = int(floor_div(dmin, m.A)) * m.A;
  for (int r = rho0; r < rho0 + nph && r < m.E; ++r)
    for (int k = kw0; k < kw0 + kwn && k < m.K; ++k) {
      int d;
      if (!m.delta(r, k, d)) continue;
      const int rel = d - g.base;
      int res = int(rel % m.A);
      int j = int(rel / m.A);
      if (j > g.jmax) g.jmax = j;
      if (g.plane_of(res) < 0) g.add(res);
    }
  return g;
}

// One K-loop step of the row-conv kernels: a valid (kd, kh) tap pair, a block of BK input channels and a
// block of KWC w-taps that lands on at least one of the CTA's phases [rho0, rho0 + nph).
struct RowStep {
  int kd, kh, c0, kw0;
  int id, ih;
};

// Bit c set: w-tap block c (taps [c*KWC, c*KWC+KWC)) lands on at least one phase in [rho0, rho0+nph).
// Blocks past 31 are always visited (a block with no tap adds nothing).
CT3D_HD uint32_t kw_block_mask(const DimMap& mw, int rho0, int nph) {
  uint32_t mask = 0;
  for (int c = 0; c * Tiles::KWC < mw.K && c < 32; ++c)
    if (slab_geom(mw, rho0, nph, c * Tiles::KWC, Tiles::KWC).nplanes > 0) mask |= 1u << c;
  return mask;
}

// The taps of one dimension that land on output coordinate o form an arithmetic progression
// k = k0 + j*ks (ks = E / gcd(|C|, E)) with i = i0 - j*di: found once per row (at most ks divisions) and then
// walked with adds, since the K loop advances per step (no division per step).
struct TapWalk {
  int k0, ks, i0, di;
  bool any;
};
CT3D_HD TapWalk tap_walk(const DimMap& m, int o) {
  TapWalk w{0, m.ks, 0, m.di, false};
  for (int k = 0; k < w.ks && k < m.K; ++k) {
    const int num = o * m.A + m.B - k * m.C;
    if (num % m.E == 0) {
      w.k0 = k;
      w.i0 = num / m.E;
      w.any = true;
      break;
    }
  }
  return w;
}
// Moves (k, i) along the walk to the first tap at or after k whose i is inside the gathered extent.
CT3D_HD bool tap_seek(const DimMap& m, const TapWalk& w, int& k, int& i) {
  for (; k < m.K; k += w.ks, i -= w.di)
    if (i >= 0 && i < m.in_extent) return true;
  return false;
}
// The taps of one dimension that land on output coordinate o inside the gathered extent: k = k0 + j*ks,
// i = i0 - j*di for j in [0, n).  i moves monotonically with j, so the in-range taps are one run of j.
struct TapRange {
  int k0, i0, n;
};
CT3D_HD TapRange tap_range(const DimMap& m, int o) {
  const TapWalk w = tap_walk(m, o);
  TapRange r{0, 0, 0};
  int k = w.k0, i = w.i0;
  if (!w.any || !tap_seek(m, w, k, i)) return r;
  r.k0 = k;
  r.i0 = i;
  for (; k < m.K && i >= 0 && i < m.in_extent; k += w.ks, i -= w.di) ++r.n;
  return r;
}

// The gathered h rows [lo, lo + n) that output rows [oh0, oh0 + nr) read through their valid taps (range_of(oh): the
// row's TapRange; i moves by -di per tap, di of either sign); n = 0 where no row has a tap.  The staged direct kernel
// stages these rows once for all nr output rows, and its host geometry takes the most n over the row blocks.
template <class F>
CT3D_HD int rows_source_span(F&& range_of, int oh0, int nr, int di, int& lo) {
  int hi = 0, n = 0;
  lo = 0;
  for (int r = 0; r < nr; ++r) {
    const TapRange t = range_of(oh0 + r);
    if (t.n <= 0) continue;
    const int e = t.i0 - (t.n - 1) * di, a = t.i0 < e ? t.i0 : e, b = t.i0 < e ? e : t.i0;
    lo = (n && lo < a) ? lo : a;
    hi = (n && hi > b) ? hi : b;
    n = 1;
  }
  return n ? hi - lo + 1 : 0;
}

// The depthwise lane kernels (direct_kernel.cuh) on a map of at most two phases (E) at gather stride A = 1, or one
// phase at A = 2, kernel extent <= 3: output o = E*q + r reads x[A*q + dmin + wdd[r][k]] through tap k, wdd[r][k] = -1
// where k never lands on phase r.  S: the window offsets per phase the kernels hold (dmax - dmin + 1, at least 2).
// false where they do not apply (other phases or strides, K > 3, or offsets spanning more than 3).
struct DirectLaneWindow {
  int dmin, S;
  int8_t wdd[2][3];
};
CT3D_HD bool direct_lane_window(const DimMap& m, DirectLaneWindow& w) {
  if (!((m.A == 1 && m.E <= 2) || (m.A == 2 && m.E == 1)) || m.K > 3) return false;
  bool any = false;
  int dmax = 0;
  w.dmin = 0;
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < 3; ++k) {
      int d = 0;
      const bool lands = r < m.E && k < m.K && m.delta(r, k, d);
      w.wdd[r][k] = lands ? int8_t(d) : int8_t(-128);  // d for now
      if (!lands) continue;
      w.dmin = (any && w.dmin < d) ? w.dmin : d;
      dmax = (any && dmax > d) ? dmax : d;
      any = true;
    }
  if (dmax - w.dmin > 2) return false;
  w.S = dmax - w.dmin + 1 < 2 ? 2 : dmax - w.dmin + 1;
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < 3; ++k) w.wdd[r][k] = w.wdd[r][k] == -128 ? int8_t(-1) : int8_t(w.wdd[r][k] - w.dmin);
  return true;
}
// Position j of tap k in range t (k = t.k0 + j*ks, j < t.n), or -1; for k <= 2, where j = (k - k0) / ks is a shift or
// zero (the lane kernels' compile-time taps)
CT3D_HD int direct_tap_index(const TapRange& t, int ks, int k) {
  const int dk = k - t.k0, j = ks == 1 ? dk : ks == 2 ? (dk >> 1) : 0;
  return (dk >= 0 && j < t.n && j * ks == dk) ? j : -1;
}

// First w-tap block at or after c admitted by the mask (blocks past 31 always are); nblk when none.  Bit
// arithmetic, not a loop: it runs per pipeline step.
CT3D_HD int kw_block_from(uint32_t mask, int c, int nblk) {
  if (c >= 32) return c < nblk ? c : nblk;
  const uint32_t m = mask >> c;
  if (m == 0) return nblk > 32 ? 32 : nblk;
#if defined(__CUDA_ARCH__)
  const int b = c + __ffs(int(m)) - 1;
#else
  const int b = c + __builtin_ctz(m);
#endif
  return b < nblk ? b : nblk;
}

// The K loop of one destination row: valid (kd, kh) tap pairs, BK-channel blocks and the w-tap blocks the
// CTA's mask admits (innermost).  Counters only (the tap ranges are found once per row).  Little state on
// purpose: it lives in registers across the MMAs.
struct RowSteps {
  RowStep s;
  int nd, nh;  // (kd, kh) taps left after the current ones
  int hn;      // kh taps per kd
  uint32_t mask;
  CT3D_HD static int blocks(const DimMap& mw) { return (mw.K + Tiles::KWC - 1) / Tiles::KWC; }
  // false: the row has no step (no tap lands, or no w-tap block is admitted)
  CT3D_HD bool start(const TapRange& d, const TapRange& h, const DimMap& mw, uint32_t kw_mask) {
    mask = kw_mask;
    const int b0 = kw_block_from(mask, 0, blocks(mw));
    s = RowStep{d.k0, h.k0, 0, b0 * Tiles::KWC, d.i0, h.i0};
    nd = d.n - 1;
    nh = hn = h.n - 1;
    return d.n > 0 && h.n > 0 && b0 < blocks(mw);
  }
  // false when the row is done; bk channels per step
  CT3D_HD bool next(const DimMap& md, const DimMap& mh, const DimMap& mw, int Kc, int bk = Tiles::BK) {
    const int nblk = blocks(mw);
    const int b = kw_block_from(mask, s.kw0 / Tiles::KWC + 1, nblk);
    if (b < nblk) {
      s.kw0 = b * Tiles::KWC;
      return true;
    }
    s.kw0 = kw_block_from(mask, 0, nblk) * Tiles::KWC;
    s.c0 += bk;
    if (s.c0 < Kc) return true;
    s.c0 = 0;
    if (nh > 0) {
      --nh;
      s.kh += mh.ks;
      s.ih -= mh.di;
      return true;
    }
    nh = hn;  // back to the row's first kh
    s.kh -= hn * mh.ks;
    s.ih += hn * mh.di;
    if (nd > 0) {
      --nd;
      s.kd += md.ks;
      s.id -= md.di;
      return true;
    }
    return false;
  }
};

// n / d and n % d for 0 <= n < 2^31 by a divisor fixed at plan time: a multiply-high, an add and a shift.
// Round-up method: l = ceil(log2 d), mul = floor(2^32 (2^l - d) / d) + 1, q = (mulhi(n, mul) + n) >> l
// (mulhi(n, mul) <= n < 2^31, so the sum fits 32 bits).  CUTLASS has cutlass::FastDivmod, but this header is
// also compiled without CUTLASS (the CPU extension's plan emulator runs it), so it keeps its own.
struct FastDiv {
  int d = 1;
  uint32_t mul = 1;
  int shift = 0;
  static FastDiv make(int d) {
    FastDiv f;
    f.d = d < 1 ? 1 : d;
    while ((int64_t(1) << f.shift) < f.d) ++f.shift;
    f.mul = uint32_t(((uint64_t(1) << 32) * ((uint64_t(1) << f.shift) - uint64_t(f.d))) / uint64_t(f.d) + 1);
    return f;
  }
  CT3D_HD int div(int n) const {
#if defined(__CUDA_ARCH__)
    const uint32_t hi = __umulhi(uint32_t(n), mul);
#else
    const uint32_t hi = uint32_t((uint64_t(uint32_t(n)) * mul) >> 32);
#endif
    return int((hi + uint32_t(n)) >> shift);
  }
  CT3D_HD int divmod(int n, int& r) const {  // quotient; n - quotient * d in r
    const int q = div(n);
    r = n - q * d;
    return q;
  }
};

// CTAs for n independent pieces of work of costs cost[i] (at most cap[i] each, at least one): the split of `total`
// that minimises the largest cost per CTA (the kernel's end), by giving each next CTA to the piece that now has
// the largest cost per CTA.  Fewer than total where every piece is capped; n where n > total.
inline void share_by_cost(const double* cost, const int64_t* cap, int n, int total, int* out) {
  int sum = 0;
  for (int i = 0; i < n; ++i) out[i] = 1, ++sum;
  for (; sum < total; ++sum) {
    int best = -1;
    for (int i = 0; i < n; ++i)
      if (out[i] < cap[i] && (best < 0 || cost[i] * out[best] > cost[best] * out[i])) best = i;
    if (best < 0) break;
    ++out[best];
  }
}

// Which of a segment's `rows` rows (tiles) CTA `chunk` of `nch` takes, in its order: j = 0 .. count - 1 -> first +
// j * step.  Contiguous (interleave false): the chunk's run of rows; interleaved (v109): every nch-th row from its
// own, so that at any time the segment's CTAs work on neighbouring rows and the rows they share in the source (a
// grad_y row that neighbouring x rows read, an x row of neighbouring grad_y rows) are read from L2, not each a run's
// whole time apart from DRAM.  Both split the rows in CTA counts differing by at most one.
struct RowDeal {
  int first, step, count;
  CT3D_HD int row(int j) const { return first + j * step; }
};
CT3D_HD RowDeal row_deal(int rows, int nch, int chunk, bool interleave) {
  if (interleave) return {chunk, nch, chunk < rows ? (rows - chunk + nch - 1) / nch : 0};
  const int r0 = int(int64_t(rows) * chunk / nch), r1 = int(int64_t(rows) * (chunk + 1) / nch);
  return {r0, 1, r1 - r0};
}

// A pipeline role's walk over stages t0, t0 + 1, ... without divisions (the Hopper grad_weight: `t % ring` and
// `t / blocks` per stage were a fifth of its producer's instructions): stage t's slot in a ring of `ring`, that
// slot's use parity (its barriers' phase), its block within a row of `per_row` blocks, and the row.  next() moves
// one stage on and says whether the row changed.
struct StageWalk {
  int t, sl, ph, blk, r;
  CT3D_HD StageWalk(int t0, int ring, int per_row, int r0)
      : t(t0), sl(t0 % ring), ph(t0 / ring & 1), blk(t0 % per_row), r(r0 + t0 / per_row) {}
  CT3D_HD bool next(int ring, int per_row) {
    ++t;
    if (++sl == ring) sl = 0, ph ^= 1;
    if (++blk < per_row) return false;
    blk = 0;
    ++r;
    return true;
  }
};

// The Hopper grad_weight producer's copies of one grad_y row (wgrad_sm90.cuh): stage a (of katoms) copies, for each
// of the 32 channel rows co, vpr 16-byte vectors of vec elements (4 fp32, 8 16-bit) from the vec-element boundary at
// or below its window start first + a * step + co * cs, i.e. elements [((that) & ~(vec - 1)), + vec vpr).  Every
// vector of every stage lies inside [0, numel) exactly when the first one starts at or after 0 and the last one ends
// by numel (the starts grow with a and co; step, cs >= 0): the rows for which the producer copies without a
// per-vector bound.
CT3D_HD bool wgrad_row_inside(int64_t first, int64_t step, int katoms, int64_t cs, int vpr, int64_t numel,
                              int vec = 4) {
  const int64_t last = first + step * (katoms - 1), mask = ~int64_t(vec - 1);  // the last stage's channel 0
  return (first & mask) >= 0 && ((last + 31 * cs) & mask) + int64_t(vec) * vpr <= numel;
}

// An NCDHW output row of the Hopper forward stored by 16-byte vectors of V elements (v89: 8 16-bit, v91: 4 fp32):
// nout outputs from an address a elements (mod V) past a 16-byte boundary.  Whole aligned vectors v = 0 .. nv - 1
// hold outputs V (vf + v) - a .. + V - 1 (vf: 1 where a > 0, the first boundary being V - a outputs in); the head
// outputs 0 .. head - 1 come before the first, the tail outputs tail0 .. nout - 1 after the last (at most V - 1 each:
// one lane per output).  With no whole vector (a short row) the head takes what fits before the boundary and the tail
// the rest.
template <int V>
struct VecRow {
  int vf, nv, head, tail0;
  CT3D_HD static VecRow make(int a, int nout) {
    VecRow r;
    r.vf = a ? 1 : 0;
    r.nv = (nout + a) / V - r.vf;
    if (r.nv < 0) r.nv = 0;
    r.head = a ? (V - a < nout ? V - a : nout) : 0;
    r.tail0 = V * (r.vf + r.nv) - a;
    if (r.tail0 < r.head) r.tail0 = r.head;
    return r;
  }
};

// v141's register-A tile (rowconv_sm90.cuh: hopper_rs_pair and its epilogue) of MB m64 blocks (64 MB positions:
// whole rows at MB 2, 64-position tiles at MB 1), host-checked by tests/cpp/index_math_test.cpp against a model of the
// TF32 wgmma's register fragments (CuTe's ALayout_64x8 and CLayout_64xN).  Thread (warp, lane = 4 g8 + t4) of a
// consumer warpgroup, G = quad(warp, g8):
//  - loads, of each 32-channel box, channel rows 4 c + t4 (c = 0 .. 7) at positions 2 MB G + i: i < 2 MB by one
//    2 MB-word load, 2 MB <= i < 2 MB + S - 1 as word i - 2 MB of the thread g8 + 1 (lane + 4), g8 7 by its own load;
//  - makes k8 step kk's register quad o (the A of the wgmmas of window offset s and block mb, o = s + mb) of words
//    word(o, 0) and word(o, 1) of channel rows 2 kk and 2 kk + 1 (fragment rows g8 and g8 + 8 of the block: positions
//    2 MB G + MB h + mb + s);
//  - holds accumulator (mb, j, h, e) as output out(G, mb, h, j >> 2) of the row of channel chan(j, t4, e): 4 MB
//    consecutive outputs of each of its 8 channels, from 4 MB G;
//  - stages them from output 0, and stores vector v of a row whose outputs start a elements past 16 bytes as words
//    shift(a) .. 3 of staged vector v and 0 .. shift(a) - 1 of vector v + 1.
template <int MB>
struct RsMap {
  static_assert(MB == 1 || MB == 2, "one or two m64 blocks a tile");
  CT3D_HD static int quad(int warp, int g8) { return 8 * warp + g8; }
  CT3D_HD static int word(int o, int h) { return o + MB * h; }
  CT3D_HD static int out(int G, int mb, int h, int r) { return 4 * MB * G + 2 * MB * h + 2 * mb + r; }
  CT3D_HD static int chan(int j, int t4, int e) { return 8 * (j & 3) + 2 * t4 + e; }
  CT3D_HD static int shift(int a) { return (4 - a) & 3; }
};

// Whether either 16-bit half of w is not finite (its exponent bits all ones: m 0x7f80 bf16, 0x7c00 fp16): the 16-bit
// x copy's report (restage_kernel.cuh, v136), host-checked over every bit pattern by tests/cpp/index_math_test.cpp
CT3D_HD uint32_t nonfinite_halves(uint32_t w, uint32_t m) {
  return uint32_t((w & m) == m) | uint32_t(((w >> 16) & m) == m);
}

// The Hopper forward's share of a chunk [t0, t1) of a segment's tiles (rowconv_sm90.cuh): the chunk's runs of nwg
// consecutive tiles go to its m CTAs in turn (CTA cc takes runs cc, cc + m, ...), a run's tiles to the CTA's
// warpgroups (neighbouring output rows written at once) in a rotating order, so that rows of costlier h classes
// (more pairs) do not always fall to the same warpgroup; a partial last run goes to the CTA whose turn it is.
// tile(wg, k): warpgroup wg's k-th tile; count(): how many it has (k < count).
struct HopperShare {
  int t0, cc, m;
  CT3D_HD int tile(int wg, int k, int nwg) const { return t0 + (k * m + cc) * nwg + (wg + k) % nwg; }
  CT3D_HD static int count(int t0, int t1, int cc, int m, int wg, int nwg) {
    const int runs = (t1 - t0) / nwg, rem = (t1 - t0) % nwg;
    int n = cc < runs ? (runs - cc + m - 1) / m : 0;
    if (rem > 0 && runs % m == cc && (wg + runs / m) % nwg < rem) ++n;
    return n;
  }
};

// Everything a row-conv CTA needs to know about one block of w taps for its phases: the slab geometry and,
// per (phase, tap), the A operand's column offset in the slab (-1: the tap does not land on the phase).
// Depends only on (phase group, tap block), so the host computes it once for all CTAs.
struct PhaseGeom {
  SlabGeom slab;
  int tap_off[2][Tiles::KWC];
};

CT3D_HD PhaseGeom make_phase_geom(const DimMap& mw, int rho0, int nph, int kw0, int LDJ) {
  PhaseGeom g{};
  g.slab = slab_geom(mw, rho0, nph, kw0, Tiles::KWC);
  for (int rl = 0; rl < 2; ++rl)
    for (int kwl = 0; kwl < Tiles::KWC; ++kwl) {
      int d;
      g.tap_off[rl][kwl] = -1;
      if (rl < nph && rho0 + rl < mw.E && kw0 + kwl < mw.K && mw.delta(rho0 + rl, kw0 + kwl, d)) {
        const int rel = d - g.slab.base, j0 = rel / mw.A;
        g.tap_off[rl][kwl] = g.slab.plane_of(rel - j0 * mw.A) * LDJ + j0;
      }
    }
  return g;
}

}  // namespace ct3d
