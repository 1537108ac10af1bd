// Launch parameters of the kernels: plain structs the host plan fills and the kernels read.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <string>

#include "convt3d_problem.h"

namespace ct3d {

struct RowConvParams {
  TensorRef5 src;       // gathered tensor: x (forward) or grad_y (grad_input)
  TensorRef5 dst;       // written tensor: y or grad_x
  const void* wpack;    // [groups][kD*kH*kW][Kc][Nc], Element type
  const void* bias;     // [groups*Nc] or null
  DimMap md, mh, mw;
  int groups, Kc, Nc;   // channels per group of src and of dst
  int64_t rows;         // N * dst D * dst H
  int q_blocks, ph_groups, n_blocks;
  int bn;               // output channels per CTA (Tiles::row_bn)
  int bk;               // input channels per pipeline step (Tiles::rowconv_bk)
  int LDJ, LDK;         // slab plane / channel strides (elements)
  int stages;           // pipeline depth (set by the launcher)
  bool vec_src;         // stage the slab with 16-byte copies (unit-stride, aligned rows; see the plan)
  bool row_shifts;      // ... whose rows do not share one 16-byte phase: the kernel reads a phase per channel
  bool w_vec;           // stage the packed weights with 16-byte copies (Nc a whole number of vectors)
  bool cf_src;          // channels_last source of whole aligned channel vectors: column-major 16-byte staging
  bool cf_dst;          // channels_last destination of whole aligned channel vectors: 16-byte stores
  int kw_blocks;        // ceil(kW / KWC)
  // host-computed per-(phase group, tap block) geometry and per-phase-group tap-block masks, when they fit
  static constexpr int kTable = 8;
  bool table;           // false: the kernel computes them itself
  uint32_t kw_mask[kTable];
  PhaseGeom geom[kTable];
  // per-CTA index math the plan does once: divisors of the grid decomposition, and the tap ranges of every
  // destination d coordinate (entries [0, OD)) and h coordinate ([OD, OD + OH)) when they fit
  FastDiv div_q, div_ph, div_oh, div_od;
  static constexpr int kTapTab = 512;
  int tap_tab_n;        // OD + OH, or 0: the kernel finds the ranges itself
  TapRange tap_tab[kTapTab];
};

struct WgradParams {
  TensorRef5 x, gy;
  DimMap md, mh, mw;     // grad_input-style maps: output coordinate = x's, gathered coordinate = gy's
  int groups, Cin_g, Cout_g;
  int gpack, packs;      // groups per CTA (their channels share one WM x WN tile; see the plan); groups / gpack
  FastDiv div_cin, div_cout;  // by Cin_g, Cout_g: a tile channel's group
  int64_t rows;          // N * D * H of x
  int chunks;            // K-split factor
  int m_blocks, n_blocks, kw_chunks;
  bool narrow;           // at most Tiles::WN_NARROW co per CTA: WM x WN_NARROW tiles, K split four ways per step
  int wq;                // input w positions per step (Tiles::wgrad_wq)
  int LDJ, LDKg, LDKx;   // gy slab plane / channel stride, x slab channel stride
  bool x_vec, gy_vec;    // stage x / grad_y slabs with 16-byte copies (see the plan)
  bool row_shifts;       // grad_y's rows do not share one 16-byte phase: the kernel reads a phase per channel
  bool cf;               // channels_last x and grad_y of whole aligned channel vectors: column-major slabs
  void* ws;              // [chunks][groups][taps][Cin_g][Cout_g] Acc
};

// The tap-GEMM (tapgemm_kernel.cuh) where kernel == stride, padding 0, output_padding 0: the forward as one GEMM per
// group (positions x input channels times input channels x (output channel, tap) columns) scattered into y, and
// grad_input as its transpose (positions x (output channel, tap) columns gathered from grad_y, times the weight), and
// grad_weight (input channels x positions times the gathered grad_y, the positions split into chunks).
struct TapGemmTiles {
  static constexpr int kThreads = 256, BM = 128, BN = 64, BK = 32;
  static constexpr int kMaxStages = 4;  // stage_commit_wait keeps up to two groups in flight behind
  // the phase-GEMM (TapGemmPhase): strides and taps per residue and dimension it tables
  static constexpr int kMaxStride = 4, kMaxTaps = 4, kMaxClasses = kMaxStride * kMaxStride * kMaxStride;
};
// The phase-GEMM: the tap-GEMM's forward where kernel != stride (or padding, output padding).  Outputs o = s Q + r - pad
// of one residue r per dimension (a class) take the same taps, those k with k dil = r (mod s), reading x at
// i = Q - (k dil - r) / s: per class a stride-1 gather GEMM, C[position Q][co] = sum over (tap, ci) of
// x[i(Q, tap)][ci] W[ci][co][tap], K = the class's taps x Kc.  Positions of a class: Q = q0 + a, a in [0, cnt)
// per dimension (those whose output lies in y).  grad_input (a strided convolution of grad_y) is one class:
// grad_x[Q][ci] = sum over (tap, co) of grad_y[s Q - pad + k dil][co] W[ci][co][tap], so per dimension the source
// coordinate is mul Q + off[t] and the destination's omul Q + obias (forward: mul 1, omul s, obias r - pad;
// grad_input: mul s, off k dil - pad, omul 1, obias 0).
struct TapGemmPhaseDim {  // one dimension's residue r
  int cnt, q0, ntap;
  int mul, omul, obias;
  int8_t off[TapGemmTiles::kMaxTaps];  // tap t reads the source at mul Q + off[t]
  int8_t k[TapGemmTiles::kMaxTaps];    // its kernel index
  FastDiv div;                         // by cnt
};
struct TapGemmPhase {
  int s[3];  // residues per dimension (forward: the strides; grad_input: 1)
  TapGemmPhaseDim dim[3][TapGemmTiles::kMaxStride];  // [dimension][residue]
  int64_t wofs[TapGemmTiles::kMaxClasses + 1];       // class c's packed weights: wpack + wofs[c], [groups][kdim_c][ldb]
  int ncls;
  // The grid: z = (class, group), the position dimension bx = position blocks of every batch entry (the largest
  // class's count); cfast > 1 (v107 / v108, CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER): the last cfast classes' index
  // (s[2]: the w residues; ncls: every class) moved from z into bx, fastest (bx = position block x cfast + c mod
  // cfast), so that the classes of one position block run side by side instead of a class's whole grid apart: they
  // read the same x tile (one DRAM read instead of one per class) and, on an NCDHW y, the w residues write the two
  // halves of the same 32-byte sectors.  (div_cf: by cfast, a multiply-high per CTA rather than an integer division)
  int cfast;
  FastDiv div_cf;
  // class c = (rd sh + rh) sw + rw of position-dimension block bx and z class index zc = z / groups
  CT3D_HD int block_class(int bx, int zc) const { return zc * cfast + (bx - div_cf.div(bx) * cfast); }
  // ... and its position block over every batch entry (div_mb then splits it)
  CT3D_HD int block_pos(int bx) const { return div_cf.div(bx); }
  // class c = (rd sh + rh) sw + rw
  CT3D_HD void residues(int c, int r[3]) const {
    r[2] = c % s[2];
    r[1] = c / s[2] % s[1];
    r[0] = c / (s[2] * s[1]);
  }
  // A K index (tap (td, th, tw) of a class with nth x ntw taps in h x w, channel ci of Kc), moved on by `by` indices:
  // the kernel walks each thread's K column this way, step by step (td past the class's taps: K exhausted)
  CT3D_HD static void advance(int& ci, int tp[3], int by, int Kc, int nth, int ntw) {
    ci += by;
    while (ci >= Kc) {
      ci -= Kc;
      if (++tp[2] == ntw) {
        tp[2] = 0;
        if (++tp[1] == nth) tp[1] = 0, ++tp[0];
      }
    }
  }
};
struct TapGemmParams {
  TensorRef5 src, dst;  // forward: x -> y; grad_input: grad_y -> grad_x
  const void* wpack;    // [groups][kdim][ldb] Element (tapgemm_pack_kernel): the GEMM's B, zero past ndim
  const void* bias;     // forward: [groups * Nc], contiguous, or null
  int groups, Kc, Nc;   // channels per group: x's, y's
  int s[3];             // kernel == stride, per dimension (grad_weight at any kernel, wgen: the stride)
  int kt[3];            // kernel extents (grad_weight's tap decode and its sums' taps; == s but for wgen)
  int lsw;              // the NCDHW epilogue's kw: log2(s[2]) (forward), 0 (grad_input: its outputs are positions)
  int ncols;            // Nc * taps: y's (output channel, tap) columns of one input position
  int kdim, ndim, ldb;  // the GEMM's K and N (forward Kc, ncols; grad_input ncols, Kc); ldb: N in whole 16-byte vectors
  int64_t pos;          // D * H * W of x (< 2^31)
  int64_t xsP;          // x's position stride (forward: src, grad_input: dst): its w stride, continued by h and d
  FastDiv div_mb, div_w, div_h;  // by position blocks per batch entry, by W, by H
  FastDiv div_pairs, div_sh;     // grad_input: by sd * sh ((kd, kh) pairs per output channel), by sh
  bool dgrad;           // grad_input (K = the gathered (co, tap) columns) rather than the forward
  // grad_weight: C[ci][(co, tap)] = sum over positions of x[ci][position] grad_y[position's (co, tap) output], K split
  // into chunks of chunk_len positions of one batch entry (div_mb: by chunks per entry), each chunk's sums to ws
  // ([chunk][groups][taps][Kc][Nc] Acc, the layout of wgrad_reduce); CTAs along z: groups x ci_blocks
  bool wgrad;
  // grad_weight at any kernel, stride, padding and dilation (v101, channels_last x and grad_y): tap k of dimension d
  // reads grad_y at s q + k tdil - tpad, zero outside it (the kernel == stride case never leaves the output block)
  bool wgen;
  int tdil[3], tpad[3];
  // wgen: column blocks of one tap each (tap_nb = ceil(Nc / BN) a tap), so that a position whose output for the
  // block's tap lies outside grad_y is masked in A (x) as well: zero times a non-finite x must not enter the sum
  int tap_nb;
  int64_t chunk_len;
  int ci_blocks;
  void* ws;
  bool cl;              // channels_last-like destination: a channels-fastest epilogue (forward: (tap, co) columns)
  bool a_cf;            // forward, x channel stride 1: staged [position][channel] (the kCF instance)
  bool a_vec;           // forward: x moves as 16-byte copies (the gathers of grad_input / grad_weight always do)
  bool vec_out;         // forward, NCDHW y at w stride 2: 16-byte stores of VEC / 2 positions' kw pairs (aligned, W % (VEC / 2) == 0)
  bool vec_cl;          // forward / grad_input, channels_last destination: 16-byte stores of VEC channels (whole, aligned)
  // grad_input / grad_weight, grad_y channels_last (channel stride 1; grad_weight: x too): gathered as 16-byte channel
  // vectors of one (position, tap), the gathered columns ordered (tap, co) (the kCF instances); div_nc: by Nc, div_sw:
  // by the w stride (a tap's (kd, kh, kw))
  bool gcl;
  FastDiv div_nc, div_sw;
  // grid order: false: (position blocks / chunks, column blocks, z), the column blocks of one A tile a grid row
  // apart; true: (column blocks, position blocks / chunks, z), so they run together and the A tile (x, or grad_y's
  // gather) is read from DRAM about once instead of once per column block (CUTLASS_CONVT3D_TAPGEMM_ORDER)
  bool n_fast;
  int stages;           // pipeline depth (set by the launcher)
  // the phase-GEMM (forward where kernel != stride, and grad_input; the kCF instance: the source channels_last, read in
  // place or restaged): CTAs along z are (class, group), grid.x covers the largest class's position blocks (the
  // others' surplus exits)
  bool phase;
  TapGemmPhase ph;
  // v102, compute capability 9.0: the Hopper instance (hopper_tapgemm: the same tiles, loads and epilogue, the MMAs
  // as wgmmas of two warpgroups from the stage in the wgmma's swizzle) where A is staged [position][k] (the forward
  // over a channels_last x, the phase-GEMM, grad_input over a channels_last grad_y); the weights then packed K-major,
  // [groups][ldb][kdim] (per class for the phase-GEMM) instead of [groups][kdim][ldb]
  bool gmma;
  // v104, the phase-GEMM over a restaged fp32 source with TF32 products: the copy rounded it to nearest (Restage::
  // kRoundTF32), so the wgmma instance's pass that rounds every landed A chunk in shared memory is skipped (same bits)
  bool a_rounded;
  // v113, grad_weight at any kernel (wgen) with TF32 products over copies of both x and grad_y: the copies rounded them
  // to nearest (Restage::kRoundTF32; grad_y: or the caller's shared copy, Arguments::y_tf32_rounded), so the fragment
  // loads take them as they are (PolicyTF32Rounded: no cvt per element and use; the same bits)
  bool ab_rounded;
  // v105, the wgmma instance: a stage's wgmmas issued before the next stage's loads, waited for after them
  // (CUTLASS_CONVT3D_TAPGEMM_OVERLAP)
  bool overlap;
  // v120, the phase-GEMM forward on compute capability 9.0 over TMA boxes (hopper_pgemm, pgemm_sm90.cuh;
  // CUTLASS_CONVT3D_SM90_PGEMM) instead of the gathering kernels: where hopper_pgemm_geometry admits p
  bool pg_tma;
  // v121: its tiles take both w residues (stride 2 along w) where the geometry admits that (HopperPgemm::wpair;
  // CUTLASS_CONVT3D_SM90_PGEMM_WPAIR)
  bool pg_wpair;
  // v122: consumer warpgroups of its one-class tiles (2: 128 positions, 4: 256; CUTLASS_CONVT3D_SM90_PGEMM_WG)
  int pg_wg;
  // v124: its forward tiles (one class, or w pairs) load one x box for all of a class's h taps (HopperPgemm::halo;
  // CUTLASS_CONVT3D_SM90_PGEMM_HALO)
  bool pg_halo;
};

// v120: the phase-GEMM forward over TMA boxes (pgemm_sm90.cuh).  A tile: BM positions of one residue class, a box of
// bw (w) x bh (h) of its positions in one d row (n, qd), x N output channels; K = the class's taps x k-blocks of
// kRowBytes of input channels, one stage each: A the x box at the tap's offsets (TMA: zeros outside x), B the tap's
// packed weights [N][k-block] (the phase-GEMM's K-major pack); the products' outputs stored from the accumulators.
// v121 (wpair): at stride 2 along w a tile takes both w residues of its (d, h) class: box position k along w is the
// output pair ow = 2k, 2k + 1 (output residue rho = ow mod 2, which is the plan's residue (rho + pad) mod 2, at its
// Q = k + (rho + pad - r) / 2), so a stage is one x box at a w shift u (the union of both residues' shifts) and the
// weights of each residue that has a tap at u, one accumulator set per residue.  x is staged once for the taps the
// residues share (vnet's k3 s2: 2 boxes a (d, h) tap instead of 3), and an NCDHW y's outputs leave as whole pairs.
// v122 (HopperPgemm::wgs = 4, one-class tiles only): four consumer warpgroups, 256 positions a tile, so that a stage's
// weights (a third of v120's L2 -> SM bytes on vnet) serve twice the positions.
// v123 (grad_input, p.dgrad): one class, x position Q reads grad_y at s Q - pad + k dil; the box traverses grad_y at
// the strides (the TMA's element strides: box extent bw s along w, bh s along h), so a stage is still one box.
struct HopperPgemmTiles {
  static constexpr int BM = 128, kRowBytes = 128, kThreads = 128, kWG = 2;  // two consumer warpgroups of 64 rows
  static constexpr int kMaxBox = 256;  // a TMA box's extent a dimension
  static constexpr int kMaxClasses = 8, kMaxRing = 8, kBarBytes = 2 * kMaxRing * 8, kCtasPerSm = 2;
  static constexpr int kMaxShifts = 2 * TapGemmTiles::kMaxTaps;  // wpair: w shifts over both residues
  // v124: a halo slot's bytes at most, so that a ring of 2 fits 2 CTAs an SM (1 at four warpgroups and for w pairs,
  // whose halo slots hold two residues' weights)
  static constexpr int halo_slot_max(int wgs, bool wpair) { return wgs == 4 || wpair ? 96 * 1024 : 48 * 1024; }
  static constexpr int kZeroBytes = 64 * kRowBytes;                // wpair: zero operands (64 rows)
  // CTAs per SM by default: 3 at N = 64 (72 registers; stop 50 call 2, vnet-128-64 forward 2 -> 3: fp32 channels_last
  // 0.251 -> 0.241 ms, bf16 0.160 -> 0.153, bf16 NCDHW 0.238 -> 0.230), else 2 (the launch bounds': N = 128 takes 96
  // registers, so a third CTA would not be resident; wpair's instance at 2 takes 96 with 32-52 bytes of spills, and
  // measured 1 -> 2 (stop 51 call 2, vnet-128-64 forward): bf16 NCDHW 0.178 -> 0.170 ms, channels_last 0.185 ->
  // 0.173, fp32 even)
  // (v122's four warpgroups: one, 544 threads at up to 72 registers and a ring of 40 KB slots)
  // (v124's halo slots: up to 48 KB, so two; with w pairs up to 96, so one)
  static constexpr int ctas_per_sm(int N, bool wpair, int wgs = kWG, bool halo = false) {
    return wgs == 4 || (wpair && halo) ? 1 : N == 64 && !wpair && !halo ? 3 : kCtasPerSm;
  }
  static constexpr int cta_threads(int wgs = kWG) { return wgs * kThreads + 32; }  // (+ the producer warp)
};
struct HopperPgemm {
  int wgs, bm;          // consumer warpgroups (2, or 4 where v122 asks) and positions a tile, 64 wgs
  int bw, lbw, bh;      // the box: bw = 2^lbw w positions (8..bm) x bh = bm / bw h positions
  int es_w, es_h;       // the box's element strides along w and h (grad_input: the strides; the forward: 1)
  int nwb, nhb, nqd;    // w blocks, h blocks and d rows over every class (the largest counts)
  int N, nb;            // output channels a tile (64 or 128) and tiles a group (Nc / N)
  int kb, nkb;          // input channels a k-block (kRowBytes), k-blocks a tap (Kc / kb)
  int ring, slot_bytes, ctas;
  bool pairs;           // channels_last y with pairs of channels aligned: one 2-element store each
  int64_t tiles;        // batch x nqd x nhb x nwb x tile classes x groups x nb
  // v121 (wpair; N = 64): tile classes are the (d, h) classes, w positions k (outputs 2k + rho) of y's ow_n; stage
  // shift i reads x at w k + ushift[i] and takes residue rho's tap utap[i][rho] (an index into its dim[2][wres[rho]];
  // -1: none); wvec: an NCDHW y whose w pairs are aligned 2-element stores
  bool wpair, wvec;
  int nu, ow_n;
  int8_t ushift[HopperPgemmTiles::kMaxShifts], utap[HopperPgemmTiles::kMaxShifts][2], wres[2];
  // v124 (halo; the forward's tiles): a class with several h taps loads one x box of bh + hspan rows (the tile's rows
  // and the halo its taps reach) per (td, tw or wpair's shift, k-block) stage, with the weights of each of its h taps
  // (up to nth boxes of N rows; wpair: of each residue, box th 2 + r), and tap th reads that box from row
  // (off[th] - off[last]) bw on: whole 1 KB swizzle atoms (bw >= 8 rows of 128 bytes), so the operand is the same
  // descriptor at another start.  arows: the slot's x rows (bm without halo), the weights after them
  bool halo;
  int hspan, nth, arows;
  CT3D_HD int tile_classes(const TapGemmPhase& ph) const { return wpair ? ph.ncls / 2 : ph.ncls; }
  // weight boxes a slot holds: wpair's two residues, halo's h taps (of each residue), else one
  CT3D_HD int wboxes() const { return (wpair ? 2 : 1) * (halo ? nth : 1); }
};

// Tile t of the TMA phase-GEMM (the kernel's decode and the plan test's, one code): column block nb fastest, then
// group, tile class, w block, h block, d row, batch entry; its stages (td, th, iw, k-block) with iw over the class's w
// taps (wpair: over the w shifts), and where each of its rows lands in y
struct PgemmTile {
  int n, qd, hb, wb, c, grp, nb;
  const TapGemmPhaseDim *Dd, *Dh, *Dw;  // (Dw: the class's; wpair: residue 0's, unused)
  CT3D_HD PgemmTile(const TapGemmParams& p, const HopperPgemm& g, int t) {
    nb = t % g.nb;
    t /= g.nb;
    grp = t % p.groups;
    t /= p.groups;
    const int ncl = g.tile_classes(p.ph);
    c = t % ncl;
    t /= ncl;
    wb = t % g.nwb;
    t /= g.nwb;
    hb = t % g.nhb;
    t /= g.nhb;
    qd = t % g.nqd;
    n = t / g.nqd;
    int r[3];
    p.ph.residues(g.wpair ? 2 * c : c, r);
    Dd = &p.ph.dim[0][r[0]];
    Dh = &p.ph.dim[1][r[1]];
    Dw = &p.ph.dim[2][r[2]];
  }
  // no position of the class in the box (the class's counts may be one short of the largest)
  CT3D_HD bool empty(const HopperPgemm& g) const {
    return qd >= Dd->cnt || hb * g.bh >= Dh->cnt || wb * g.bw >= (g.wpair ? (g.ow_n + 1) / 2 : Dw->cnt);
  }
  CT3D_HD int wsteps(const HopperPgemm& g) const { return g.wpair ? g.nu : Dw->ntap; }
  // sub-stages (one batch of wgmmas each): a slot's (taps of one x box) x k-blocks x the rest
  CT3D_HD int steps(const HopperPgemm& g) const { return Dd->ntap * Dh->ntap * wsteps(g) * g.nkb; }
  // v124: this tile's slots hold one x box for all its h taps (sub-stages th = 0 .. Dh->ntap - 1 of a slot)
  CT3D_HD bool halo(const HopperPgemm& g) const { return g.halo && Dh->ntap > 1; }
  CT3D_HD int subs(const HopperPgemm& g) const { return halo(g) ? Dh->ntap : 1; }
  // the box row from which h tap th's operand starts (the forward's offsets decrease with the tap: the last is the
  // box's origin)
  CT3D_HD int arow(const HopperPgemm& g, int th) const {
    return halo(g) ? (Dh->off[th] - Dh->off[Dh->ntap - 1]) << g.lbw : 0;
  }
  // the x box's (d, h, w) origin at stage (td, th, iw) (grad_input: of grad_y, box row j at origin + mul j; halo:
  // the box of every h tap, its rows from arow(th) on tap th's)
  CT3D_HD void box(const HopperPgemm& g, int td, int th, int iw, int xo[3]) const {
    xo[0] = Dd->mul * (Dd->q0 + qd) + Dd->off[td];
    xo[1] = Dh->mul * (Dh->q0 + hb * g.bh) + Dh->off[halo(g) ? Dh->ntap - 1 : th];
    xo[2] = g.wpair ? wb * g.bw + g.ushift[iw] : Dw->mul * (Dw->q0 + wb * g.bw) + Dw->off[iw];
  }
  // the weights at stage (td, th, iw) of the tile's residue rho (0 unless wpair): its class (into *cls) and tap index
  // in the class's pack, -1 where that residue has no tap at this stage
  CT3D_HD int wtap(const TapGemmPhase& ph, const HopperPgemm& g, int td, int th, int iw, int rho, int* cls) const {
    if (!g.wpair) {
      *cls = c;
      return (td * Dh->ntap + th) * Dw->ntap + iw;
    }
    const int tw = g.utap[iw][rho];
    *cls = 2 * c + g.wres[rho];
    return tw < 0 ? -1 : (td * Dh->ntap + th) * ph.dim[2][g.wres[rho]].ntap + tw;
  }
  // where box row m (of residue rho where wpair) lands in y: false where outside the class's positions
  CT3D_HD bool out(const HopperPgemm& g, int m, int rho, int64_t o[3]) const {
    const int qh = hb * g.bh + (m >> g.lbw), qw = wb * g.bw + (m & (g.bw - 1));
    if (qh >= Dh->cnt) return false;
    o[0] = int64_t(Dd->omul) * (Dd->q0 + qd) + Dd->obias;
    o[1] = int64_t(Dh->omul) * (Dh->q0 + qh) + Dh->obias;
    if (g.wpair) {
      o[2] = 2 * int64_t(qw) + rho;
      return o[2] < g.ow_n;
    }
    o[2] = int64_t(Dw->omul) * (Dw->q0 + qw) + Dw->obias;
    return qw < Dw->cnt;
  }
};

// The geometry of p (the phase-GEMM's plan, forward or grad_input: the source channels_last, its strides whole 16
// bytes) where the kernel takes it: classes <= kMaxClasses, Kc whole k-blocks, Nc a multiple of 64, class rows <= bm
// positions along w, boxes <= kMaxBox elements a dimension and element strides <= 8 (grad_input), tiles < 2^31; else
// false.  wpair (forward) where p.pg_wpair asks for it and the w stride is 2; four warpgroups where p.pg_wg asks and
// the tiles hold one class; halo (forward) where p.pg_halo asks and one box for a class's h taps is the smaller load.
// ring, slot_bytes and ctas are the launcher's.
inline bool hopper_pgemm_geometry(const TapGemmParams& p, int64_t batch, int es, HopperPgemm* out) {
  using T = HopperPgemmTiles;
  const TapGemmPhase& ph = p.ph;
  if (!p.phase || ph.ncls > T::kMaxClasses || es <= 0 || T::kRowBytes % es != 0) return false;
  // (a box steps through the source at the dimension's mul: grad_input's strides, 1 in the forward; a TMA element
  // stride is <= 8)
  if ((p.dgrad && ph.ncls != 1) || ph.dim[1][0].mul > 8 || ph.dim[2][0].mul > 8) return false;
  HopperPgemm g{};
  g.es_h = ph.dim[1][0].mul;
  g.es_w = ph.dim[2][0].mul;
  g.kb = T::kRowBytes / es;
  if (p.Kc % g.kb != 0 || p.Nc % 64 != 0 || p.ldb != p.Nc) return false;
  g.nkb = p.Kc / g.kb;
  const TensorRef5& y = p.dst;
  g.ow_n = int(y.size[4]);
  g.wpair = !p.dgrad && p.pg_wpair && ph.s[2] == 2;
  g.wgs = p.pg_wg == 4 && !g.wpair ? 4 : 2;
  g.bm = 64 * g.wgs;
  if (g.wpair) {
    // output residue rho = ow mod 2 is the plan's r = (rho + pad) mod 2 at Q = k + delta, delta = (rho + pad - r) / 2:
    // its tap t reads x at k + delta + off[t].  The shifts: both residues' in increasing order, each once
    const int pad = -ph.dim[2][0].obias;  // (obias = r - pad)
    int8_t sh[2][TapGemmTiles::kMaxTaps];
    for (int rho = 0; rho < 2; ++rho) {
      const int r = (rho + pad) % 2, delta = (rho + pad - r) / 2;
      g.wres[rho] = int8_t(r);
      const TapGemmPhaseDim& D = ph.dim[2][r];
      for (int t = 0; t < D.ntap; ++t) {
        const int u = delta + D.off[t];
        if (u < -127 || u > 127) return false;
        sh[rho][t] = int8_t(u);
      }
    }
    g.nu = 0;
    for (int lo = -128;;) {  // the next shift above lo
      int best = 128;
      for (int rho = 0; rho < 2; ++rho)
        for (int t = 0; t < ph.dim[2][g.wres[rho]].ntap; ++t)
          if (sh[rho][t] > lo && sh[rho][t] < best) best = sh[rho][t];
      if (best == 128) break;
      g.ushift[g.nu] = int8_t(best);
      for (int rho = 0; rho < 2; ++rho) {
        g.utap[g.nu][rho] = -1;
        for (int t = 0; t < ph.dim[2][g.wres[rho]].ntap; ++t)
          if (sh[rho][t] == best) g.utap[g.nu][rho] = int8_t(t);
      }
      ++g.nu;
      lo = best;
    }
  }
  g.N = p.Nc % 128 == 0 && !g.wpair ? 128 : 64;
  g.nb = p.Nc / g.N;
  int cd = 0, ch = 0, cw = 0;
  for (int c = 0; c < ph.ncls; ++c) {
    int r[3];
    ph.residues(c, r);
    cd = cd > ph.dim[0][r[0]].cnt ? cd : ph.dim[0][r[0]].cnt;
    ch = ch > ph.dim[1][r[1]].cnt ? ch : ph.dim[1][r[1]].cnt;
    cw = cw > ph.dim[2][r[2]].cnt ? cw : ph.dim[2][r[2]].cnt;
  }
  if (g.wpair) cw = (g.ow_n + 1) / 2;
  if (cw > g.bm) return false;
  for (g.lbw = 3; (1 << g.lbw) < cw; ++g.lbw) {
  }
  g.bw = 1 << g.lbw;
  g.bh = g.bm / g.bw;
  // (a box traverses bw es_w x bh es_h elements: a TMA box's extent is <= kMaxBox)
  if (g.bw * g.es_w > T::kMaxBox || g.bh * g.es_h > T::kMaxBox) return false;
  // v124: one x box for a class's h taps where asked (the forward: boxes step by 1 along h) and where that box is
  // smaller than the taps' boxes (bh > hspan), its offsets decreasing (as the plan makes them), its slot within a
  // ring of two at the CTAs an SM it runs at
  g.hspan = 0;
  g.nth = 1;
  bool dec = true;
  for (int r = 0; r < ph.s[1]; ++r) {
    const TapGemmPhaseDim& D = ph.dim[1][r];
    if (D.ntap < 2) continue;
    for (int t = 1; t < D.ntap; ++t) dec &= D.off[t] < D.off[t - 1];
    g.hspan = g.hspan > D.off[0] - D.off[D.ntap - 1] ? g.hspan : D.off[0] - D.off[D.ntap - 1];
    g.nth = g.nth > D.ntap ? g.nth : D.ntap;
  }
  g.halo = p.pg_halo && !p.dgrad && g.es_h == 1 && dec && g.hspan > 0 && g.bh > g.hspan &&
           g.bh + g.hspan <= T::kMaxBox &&
           ((g.bh + g.hspan) * g.bw + (g.wpair ? 2 : 1) * g.nth * g.N) * T::kRowBytes <= T::halo_slot_max(g.wgs, g.wpair);
  if (!g.halo) g.hspan = 0, g.nth = 1;
  g.arows = (g.bh + g.hspan) * g.bw;
  g.nwb = (cw + g.bw - 1) / g.bw;
  g.nhb = (ch + g.bh - 1) / g.bh;
  g.nqd = cd;
  const int64_t tiles = batch * g.nqd * g.nhb * g.nwb * g.tile_classes(ph) * p.groups * g.nb;
  if (tiles <= 0 || tiles >= (int64_t(1) << 31)) return false;
  g.tiles = tiles;
  const uintptr_t pb = uintptr_t(2 * es), base = reinterpret_cast<uintptr_t>(y.data);
  g.pairs = y.stride[1] == 1 && base % pb == 0 && y.stride[0] % 2 == 0 && y.stride[2] % 2 == 0 &&
            y.stride[3] % 2 == 0 && y.stride[4] % 2 == 0;
  g.wvec = g.wpair && y.stride[4] == 1 && base % pb == 0 && y.stride[0] % 2 == 0 && y.stride[1] % 2 == 0 &&
           y.stride[2] % 2 == 0 && y.stride[3] % 2 == 0;
  if (out) *out = g;
  return true;
}

// The depthwise lane kernels (direct_lane_conv_kernel: forward and grad_input, direct_wgrad_row_kernel: grad_weight as
// the forward's gather read backwards; their channels_last twins), for one input and one output channel per group.
// Rows of unit stride: a warp walks a fixed range of destination rows of one group and one chunk of 32 * kRun q
// positions (lane q = chunk * 32 * kRun + lane + 32 * v).  Channel-fast tensors: a warp walks a fixed range of rows of
// 32 consecutive groups (a lane each), all q in runs of kRun.
struct DirectLaneGeom {
  DirectLaneWindow win;   // w window: offsets and each (phase, kw)'s offset
  bool channels;          // lanes over groups (channels_last) instead of over q
  int wchunks;            // q chunks per row: ceil(nq / (32 * kRun)); 1 for lanes over groups
  int gblocks;            // groups per warp: 1, or ceil(groups / 32) blocks of 32 for lanes over groups
  int slices;             // row ranges per (group block, chunk); the ordered reduce sums slices * wchunks partial sums
  int64_t warps;          // slices * gblocks * wchunks
};
// Their geometry for a gather (md, mh, mw: destination -> source maps) of Kc -> Nc channels per group over `rows`
// destination rows of `groups` groups, on `sms` multiprocessors, where the source and destination rows have unit
// stride (unit_rows) or both channel stride 1 (channel_fast): false where they do not apply (channels, kernel extents
// past KMAX, w window, layout, grid).  Slices: one wave of CTAs.
inline bool direct_lane_geom(const DimMap& md, const DimMap& mh, const DimMap& mw, int Kc, int Nc, bool unit_rows,
                             bool channel_fast, int64_t rows, int groups, int sms, DirectLaneGeom& g) {
  if (Kc != 1 || Nc != 1 || !(unit_rows || channel_fast) || md.K > DirectTiles::KMAX || mh.K > DirectTiles::KMAX)
    return false;
  if (!direct_lane_window(mw, g.win)) return false;
  g.channels = !unit_rows;
  const int64_t per = 32 * DirectTiles::kRun;
  g.wchunks = g.channels ? 1 : int((mw.num_q(0) + per - 1) / per);
  g.gblocks = g.channels ? (groups + 31) / 32 : groups;
  const int64_t per_slice = int64_t(g.gblocks) * g.wchunks;
  const int64_t wave = int64_t(sms) * DirectTiles::lane_ctas(mw.E, g.win.S) * (DirectTiles::kThreads / 32);
  g.slices = int(std::max<int64_t>(1, std::min<int64_t>(wave / per_slice, std::max<int64_t>(rows, 1))));
  g.warps = g.slices * per_slice;
  return (g.warps + 3) / 4 <= INT_MAX;
}

// The Hopper forward (rowconv_sm90.cuh): wgmma on shared-memory operands, x rows by TMA, weights resident per CTA.
// For a w stride of 2, an output row's two w phases times 32 output channels are the GEMM's M = 64 rows, BQ q
// positions its N, and K = (kd, kh) pairs x w window offsets x input channels.  Every row of one d/h phase class
// multiplies the same pairs.  The work is cut into segments, one per (group, 32-channel block, d class) holding
// the weights of all its h classes, or (where those do not fit) one per (group, block, d class, h class); a CTA
// takes tiles of one segment only and copies its weights in once; its warpgroups walk the tiles independently.
// With the h classes in one segment, a CTA writes neighbouring output rows together, so the 32-byte sectors that
// two NCDHW rows share (OW * 4 bytes not a multiple of 32) are filled in L2 at once, not by two CTAs far apart.
struct HopperTiles {
  static constexpr int kThreads = 128;  // one warpgroup
  static constexpr int kMaxWG = 4;      // warpgroups per CTA
  static constexpr int kMaxWGSplit = 3;  // ... for the exact (3xTF32) forward: 32 more accumulators per thread
  static constexpr int M = 64;          // (w phase, output channel) rows of the wgmma
  static constexpr int BN = 32;         // output channels per segment
  static constexpr int BQ = 64;         // q positions per tile (the wgmma's N) ...
  // ... or (v135, HopperParams::bq) kRowBQ: a tile of whole output rows up to 256 (an NCDHW y's runs twice as long:
  // 1 KB fp32 rows; stop 58's probe wrote y 1.69 -> 2.34 TB/s in that order), 64 accumulators a thread, so at most
  // kMaxWGRowBQ warpgroups (the register budget)
  static constexpr int kRowBQ = 128;
  static constexpr int kMaxWGRowBQ = 3;
  static constexpr int kMaxPairs = 16;  // (kd, kh) pairs of a segment, all its h classes
  static constexpr int kMaxEh = 4;      // h classes a segment holds
  static constexpr int kMaxS = 8;       // w window offsets
  static constexpr int kMaxSeg = 32;
  // x rows staged per pair: BQ + S - 1 positions, a whole number of 8-row core matrices
  CT3D_HD static constexpr int rows(int S, int bq = BQ) { return (bq + S - 1 + 7) / 8 * 8; }
  // output staging, in floats, half a tile of bq q positions at a time (in the tile's last x slot): NCDHW rows of
  // 2 bq outputs of BN / 2 channels at pitch ldo (odd: at most 2-way conflicts for the accumulator layout, stored by
  // 4-byte lanes), channels_last the bq positions of one w phase x BN channels (16-byte rows, padded: LDC).
  // HopperTF32 (v115c): rows of ldos = 2 bq with output o of row c at o ^ row_swizzle(c), the accumulators' stores
  // conflict-free (the odd pitch left them 2-way: ncu 10.0 M conflicts a mission forward against channels_last's
  // 1.7 M); within ldo's allocation
  static constexpr int LDC = BN + 4;
  CT3D_HD static constexpr int ldo(int bq) { return 2 * bq + 1; }
  CT3D_HD static constexpr int ldos(int bq) { return 2 * bq; }
  // a warp stores rows g (8 of them) x outputs o0 + 4 t (4 lanes each): bits 0-1 and 4 of o flipped by g's three bits
  // put the 32 lanes on 32 banks; a row's 32 consecutive outputs (the global stores' reads) stay a bank each
  CT3D_HD static constexpr int row_swizzle(int c) { return (c & 3) | (c & 4) << 2; }
  // ... NCDHW rows stored by 16-byte vectors (v89, v91): each row staged its 16-byte phase (< 8 16-bit, < 4 fp32
  // elements) into a pitch of whole vectors; 12 mod 32 (140 at BQ 64, 268 at 128) keeps the staging's stores 2-way
  // conflicted where the channel stride is odd or 2 mod 4 (4-way where it is 0 mod 4)
  CT3D_HD static constexpr int ldv16(int bq) { return 2 * bq + 12; }
  // the output's layout and stores, a kernel instance each: NCDHW rows by element lanes, channels_last 16-byte channel
  // vectors, NCDHW rows by 16-byte vectors at each row's phase (v89 16-bit, v91 fp32; the plan's p.vec16)
  enum Out { kRows = 0, kChannelsLast = 1, kRowVectors = 2 };
  // how x reaches the slots, a kernel instance each: TMA boxes of a channels_last x (its copy, or x itself with the
  // TFLOAT32 map rounding); the same with the producer warps rounding each landed slot (kRoundX); or (v133, fp32 TF32
  // and 16-bit) boxes of an NCDHW x, [32 channels][rows(S) positions], landed in one of two buffers per warpgroup and
  // transposed by the producer warp into the slot's K-major rows (HopperXTranspose<4 / 8>), so that no
  // channels_last copy of x is made; or (v140, 16-bit only) boxes of an NCDHW x, [32 channels][64 positions] in the
  // 128-byte swizzle, landed straight into the slot as the wgmma's MN-major B (one landing per window offset, BQ
  // positions from w0 + s), so that neither a copy nor a transposition is made
  // or (v141, fp32 TF32; v142, 3xTF32 in 64-position tiles) boxes of an NCDHW x, [32 channels][rs_rows positions]
  // unswizzled, landed straight into the slot and loaded by the consumers into registers as the wgmma's A (positions
  // the GEMM's M: the TF32 wgmma takes shared-memory operands K-major only, registers any way; 3xTF32 splits them
  // there), so that neither a copy nor a transposition is made
  enum XIn { kXMap = 0, kXRound = 1, kXTranspose = 2, kXMN = 3, kXRegs = 4 };
  static constexpr int kMNBoxPos = 64;          // v140: positions of one MN-major box (128 bytes of a 16-bit type) ...
  static constexpr int kMNBoxBytes = 32 * 128;  // ... x 32 channels
  // v141: positions of a landed channel row, bq + 8 (at least bq + S - 1 for S <= 9): a row pitch of 8 mod 32 words
  // puts the 8 lanes of each phase of the consumers' 16-byte fragment loads (4 channel rows x 2 position quads) on
  // distinct banks
  CT3D_HD static constexpr int rs_rows(int bq) { return bq + 8; }
  static constexpr int kMaxRsS = 2;       // ... window offsets (registers: 8 channel rows x (4 + S - 1) a box)
  static constexpr int kMaxWGRs = 2;      // ... warpgroups a CTA at whole rows (64 accumulators, 48 fragment registers)
  static constexpr int kMaxWGRs64 = 3;    // ... at 64-position tiles (32 accumulators, 32 fragment registers)
  static constexpr int kMaxWGRsSplit = 2;  // ... 3xTF32 (v142: twice the accumulators and the fragments)
  // the most warpgroups of a forward instance (its launch bounds: the register budget), by the element traits' most
  // (trait_max), how x arrives (XIn), the tile width and whether the operands are split (3xTF32)
  static constexpr int max_wg(int trait_max, int x, int bq, bool split = false) {
    return x == kXRegs ? (split ? kMaxWGRsSplit : bq == BQ ? kMaxWGRs64 : kMaxWGRs)
                       : bq == BQ ? trait_max : kMaxWGRowBQ;
  }
  static constexpr int half_out_bytes(bool cf, int bq = BQ) {
    return cf ? bq * LDC * 4 : BN / 2 * (ldo(bq) > ldv16(bq) ? ldo(bq) : ldv16(bq)) * 4;
  }
  static constexpr int kMaxBars = 32;     // x slots of all warpgroups (three mbarriers each)
  static constexpr int kBarBytes = 1024;  // ... their shared memory, before the weights
  static constexpr int kMaxNSJ = 4;       // (window offset, 32-channel box) blocks per pair: kernel instances
  // ... and one instance beyond them, for 8 (256 input channels at kernel 2 / stride 2: the 3D U-Net's deepest
  // up-convolution; 128 at a window of 2), unless CUTLASS_CONVT3D_SM90_NSJ8=0 (on by default since stop 41)
  static constexpr int kWideNSJ = 8;
};
// the staging pitches at both tile widths: swizzled rows of whole 32-word groups within the odd pitch; row-vector
// rows of whole 16-byte vectors past the phase, 12 mod 32
template <int bq>
constexpr bool hopper_pitches_ok() {
  return HopperTiles::ldos(bq) % 32 == 0 && HopperTiles::ldos(bq) <= HopperTiles::ldo(bq) &&
         HopperTiles::ldv16(bq) % 4 == 0 && HopperTiles::ldv16(bq) >= 7 + 2 * bq + 1 && HopperTiles::ldv16(bq) % 32 == 12;
}
static_assert(hopper_pitches_ok<HopperTiles::BQ>() && hopper_pitches_ok<HopperTiles::kRowBQ>(), "staging pitches");
template <int bq>
constexpr bool hopper_rs_rows_ok() {
  return HopperTiles::rs_rows(bq) % 32 == 8 && HopperTiles::rs_rows(bq) <= 256 &&
         HopperTiles::rs_rows(bq) >= bq + HopperTiles::kMaxRsS - 1;
}
static_assert(hopper_rs_rows_ok<HopperTiles::BQ>() && hopper_rs_rows_ok<HopperTiles::kRowBQ>(),
              "v141's landed rows: 8 mod 32 words, one TMA box (at most 256), the window");
static_assert(HopperTiles::rs_rows(HopperTiles::kRowBQ) == 136 && HopperTiles::kRowBQ == 128 &&
                  HopperTiles::rs_rows(HopperTiles::BQ) == 72 && HopperTiles::BQ == 64 && HopperTiles::kMaxRsS == 2,
              "v141: the numbers tests/cpp/index_math_test.cpp's model (rs_tile) takes");
struct HopperSeg {
  int tiles;       // N x class rows along d x its output rows along h x q blocks
  int cta0, per_chunk;  // its CTAs (cta0, ...): per_chunk for each of the common chunks (see HopperParams)
  int64_t wofs;    // its packed weights' offset (elements) in the workspace
  int group, cblock, rd;
  int nh, rh0;     // h classes: all Eh (its rows are every oh) or the one class rh0 (oh = Eh * qh + rh0)
  int ptotal;      // pairs of all its classes: class c's are pofs[c] .. pofs[c] + npairs[c] - 1
  int npairs[HopperTiles::kMaxEh], pofs[HopperTiles::kMaxEh];
  int kd[HopperTiles::kMaxPairs], kh[HopperTiles::kMaxPairs];  // the taps
  int dd[HopperTiles::kMaxPairs], dh[HopperTiles::kMaxPairs];  // ... and the x rows they read: id = qd + dd
  // Tile order (v100): [n][band][qd][row in band][q block], bands of `band` rows along h (the last one what is
  // left), so an x plane that consecutive qd share is read again after a band's rows, not after a whole plane's (the
  // mission read x about 3 times from DRAM, ncu stop 40); band >= rows: one band, [n][qd][row] (v99 and before)
  int band, nbands;
  FastDiv div_plane, div_bandt, div_band, div_blast;  // nqd x rows, nqd x band, band, rows of the last band
  // tile t's entry n, class row qd along d (od = Ed * qd + rd) and row along h (t without its q block)
  CT3D_HD int row_of(int t, int& n, int& qd) const {
    int t2, within, rb;
    n = div_plane.divmod(t, t2);
    const int b = div_bandt.divmod(t2, within);
    qd = (b == nbands - 1 ? div_blast : div_band).divmod(within, rb);
    return b * band + rb;
  }
};
struct HopperParams {
  TensorRef5 y;
  TensorRef5 x;          // as the caller passed it: the masked recompute of non-finite tiles (the TMA map reads
                         // it in place, or its channels_last copy)
  unsigned* x_nonfinite;  // set by the TF32-rounding or 16-bit restaging copy where x has a non-finite value (null:
                          // x read in place or split: every tile's sums are checked)
  unsigned* fix_count;   // tiles listed for the masked recompute (hopper_fixup_kernel) ...
  int2* fix_list;        // ... as (segment, tile); room for every tile
  const void* bias;      // [groups * Nc] or null
  const void* wpack;     // per segment [pair][s][Kc / VEC][M][VEC], TF32-rounded where the math is TF32 (split:
                         // the big parts, then the small parts)
  int Kc, Nc, D, H, W;   // channels per group, x depth, height and width
  int Ed, Eh;            // d and h strides
  int OW, q_blocks;
  int bq;                // q positions a tile: HopperTiles::BQ, or kRowBQ (v135: whole output rows; a kernel instance)
  FastDiv div_qb, div_eh;
  int dmin, S;           // w window: phase r's tap with offset dmin + s reads x[q + dmin + s]
  int kw_of[2][HopperTiles::kMaxS];  // ... which is tap kw_of[r][s], or -1
  bool cf_dst;           // channels_last y of whole aligned channel vectors
  bool tma_round;        // host: an x read in place is TF32-rounded by its TMA map (TFLOAT32), not by the producers
  int nwg, ring;         // consumer warpgroups (each with a producer warp) per CTA, x slots (one (kd, kh) pair's
                         // row each) per warpgroup, >= 2
  int w_bytes, slot_bytes;   // shared memory: resident weights, one x slot
  // every segment's tiles cut into the same `chunks` equal runs of (n, d, h) rows, each shared by the segment's
  // per_chunk CTAs (more for costlier segments): all segments sweep x together, so the x rows that their pairs
  // share are read from L2, not once per segment from DRAM
  int nseg, chunks, ctas;
  HopperSeg seg[HopperTiles::kMaxSeg];
  DType dtype;  // host: fp32 (multiplied in TF32), fp16 or bf16, the element traits the launch picks
  bool split;   // host: fp32 at fp32 accuracy (3xTF32: Hopper3xTF32; the packed weights and x slots twice as large)
  // split: x is always copied, big TF32 parts then small ones (v88); the small parts' rows along the map's folded
  // n * d dimension start at split_rows (N * D)
  int split_rows;
  int vec16;  // host: an NCDHW y stored by 16-byte vectors (HopperTiles::kRowVectors; v89, v91), else by element lanes
  // v127: L2 eviction priorities (CUTLASS_CONVT3D_SM90_L2HINT): bit 1 y's stores evict_first, bit 2 x's TMA loads
  // evict_last; 0: both evict_normal
  int l2hint;
  // v133 (HopperTiles::kXTranspose): the bytes of one landing buffer (a pair's NCDHW x boxes), two per warpgroup past
  // the slots; 0 where x reaches the slots by the map alone
  int land_bytes;
  // v137 (CUTLASS_CONVT3D_SM90_WGMMA_PIPE, kHopperWgmmaPipeDefault): a pair's wgmmas left in flight while the next
  // pair's are issued (wait for all but the last batch, release the slot before it); whole-row tiles only (bq 128:
  // their instances with kPipe)
  int wgmma_pipe;
  // v140 (HopperTiles::kXMN, CUTLASS_CONVT3D_SM90_X_MN, kHopperXMnDefault): a 16-bit NCDHW x read in place as the
  // wgmma's MN-major B, a slot holding S x Kc / 32 x bq / 64 boxes of [32 channels][64 positions]
  int x_mn;
  // v141 (HopperTiles::kXRegs, CUTLASS_CONVT3D_SM90_X_RS, kHopperXRsDefault): an fp32 NCDHW x read in place as the
  // wgmma's register A (TF32, or v142 3xTF32 split in registers), a slot holding Kc / 32 boxes of [32 channels]
  // [rs_rows(bq) positions] of x as it is (split: one part, the weights still two)
  int x_rs;
#ifdef CT3D_PROBE
  int probe;  // probe builds only: CUTLASS_CONVT3D_PROBE (CT3D_PROBE_IS in sm90_common.cuh)
#endif
};

// The Hopper grad_weight (wgrad_sm90.cuh): per w tap kw and (kd, kh) pair, gw[ci][co] = sum over positions of
// x[ci][pos] * gy[co][pos'] (pos' the y position the tap takes x's pos to), a GEMM with K = x positions.  Work is cut
// into segments (group, 32-channel block of ci, of co, (od, oh) phase class): every grad_y row of a class pairs with
// the same (kd, kh) taps, each with one x row.  A stage is one grad_y row x QS x positions (QS = 32 fp32, 64 16-bit:
// 128 bytes either way): the x rows of the class's pairs (32 ci x QS positions each, TMA, 128-byte swizzle: the
// wgmma's K-major A, two pairs per 64 rows) and the grad_y row's window (cp.async, per channel), turned into B =
// [kw][co][QS positions] (K-major, swizzled; fp32 TF32-rounded) by the transform warpgroups.  D[pair, ci][kw, co]
// accumulates over a CTA's chunk of the segment's rows; the chunks' partial sums are then added in order by the
// ordered reduce (deterministic).
struct HopperWgradTiles {
  static constexpr int kThreads = 128;    // a warpgroup
  // transform warpgroups, taking alternate stages: two where the consumer's accumulators (2 x 16 NKW per thread)
  // fit the 128 registers of 512 threads (NKW = 4 spills there)
  static constexpr int transform_wgs(int nkw) { return nkw <= 3 ? 2 : 1; }
  // a consumer warpgroup, the transform warpgroups, a producer warpgroup
  static constexpr int cta_threads(int nkw) { return (2 + transform_wgs(nkw)) * kThreads; }
  static constexpr int kMaxPairs = 4;     // (kd, kh) pairs per segment: two 64-row A tiles
  // ... for 3xTF32: one A tile, so that its per-stage sums (added to the running ones with IEEE adds) fit beside
  // the running sums in the consumer's registers
  static constexpr int kMaxPairsSplit = 2;
  static constexpr int kMaxKw = 4;        // w taps: N = 32 kw <= 128
  // floats per staged grad_y channel row (the window and its 16-byte phase), for stages of kb 128-byte k-blocks of x
  static constexpr int max_raw(int kb) { return kb == 1 ? 96 : 136; }
  static constexpr int kMaxKB = 2;        // k-blocks per stage (v90: 64 fp32 / 128 16-bit positions)
  static constexpr int kMaxSeg = 64;
  static constexpr int kBarBytes = 1024;  // three mbarriers per slot
  static constexpr int kMaxRing = 16;
  static constexpr int kQB = 4;           // grad_y rows along d per block of the row order (x reuse in L2)
  static constexpr int a_bytes() { return kMaxPairs * 32 * 128; }
};
struct HopperWgradSeg {
  int group, cib, cob;        // group, 32-channel blocks of its ci and co
  int npairs;                 // (kd, kh) pairs of the class: pair i reads x row (qd + dd[i], qh + dh[i]) for grad_y
  int kd[HopperWgradTiles::kMaxPairs], kh[HopperWgradTiles::kMaxPairs];  // row (Ed qd + rd, Eh qh + rh)
  int dd[HopperWgradTiles::kMaxPairs], dh[HopperWgradTiles::kMaxPairs];
  int rd, rh;
  int rows;                   // N x class rows along d x along h (wgrad_sm90.cuh: wgrad_row's order)
  int cta0, nch;              // its CTAs cta0 .. cta0 + nch - 1, one chunk of its rows each (nch by its cost)
  int full_rows;              // rows of a plane (n) in whole blocks of kQB rows along d
  FastDiv div_plane, div_bnqh, div_tail;  // by rows per plane, kQB x rows along h, the tail block's rows along d
};
struct HopperWgradParams {
  TensorRef5 x, gy;           // NCDHW; grad_y dense (its flat index bounds the loads)
  int64_t gy_numel;
  int Cin, Kc, Nc, groups;    // x channels, channels per group in and out
  int ID, IH, IW, OW;
  int Ed, Eh;                 // d and h strides: grad_y row (Ed qd + rd, Eh qh + rh)
  int Ew, nkw, wmin;          // w: tap kw takes x position iw to y position Ew iw + woff[kw]; wmin = min woff
  int woff[HopperWgradTiles::kMaxKw];
  int vpr;                    // 16-byte vectors staged per grad_y channel row (its pitch in the slot: 16 vpr bytes)
  int katoms;                 // QS-position stages per row: ceil(IW / QS), QS = kb x 128 bytes of x (kb 1: 32 fp32,
                              // 64 16-bit)
  int taps, Kh, Kw;           // the weight's taps (the partial sums' layout)
  int chunks, ctas, nseg, ring, slot_bytes, b_off, raw_off;  // chunks: the most of any segment
  int interleave;             // a segment's CTAs' rows: every nch-th (v109), else runs (RowDeal)
  int x_rounded;              // the x map rounds fp32 to TF32 (TFLOAT32): the transform leaves the x tiles alone
  void* ws;                   // [chunks][groups][taps][Kc][Nc] float (a segment's CTAs zero its chunks >= nch)
  HopperWgradSeg seg[HopperWgradTiles::kMaxSeg];
  DType dtype;                // host: fp32 (TF32), fp16 or bf16, the element traits the launch picks
  // fp32 at fp32 accuracy (3xTF32, Hopper3xTF32; v87): the slot also holds the x tiles' and B's small TF32 parts,
  // at xs_off and bs_off (0 otherwise); segments of at most kMaxPairsSplit pairs
  int split, xs_off, bs_off;
  // a stage's 128-byte k-blocks of x positions (1, or 2: by default since v111 for fp32 TF32 and for 16-bit at w
  // stride 1, else under CUTLASS_CONVT3D_SM90_WGRAD_KB=2, v90): the slot holds kb x tiles xkb bytes apart, then kb B
  // blocks of nkw x 4096 bytes, then the windows
  int kb, xkb;
  // v128: L2 eviction priorities (CUTLASS_CONVT3D_SM90_WGRAD_L2HINT): bit 1 grad_y's copies evict_first, bit 2 x's
  // TMA loads evict_last; 0: both evict_normal
  int l2hint;
#ifdef CT3D_PROBE
  int probe;
#endif
};
// The Hopper grad_weight as a plain GEMM over TMA boxes (wgemm_sm90.cuh, v116): per group
//   C[ci][(tap, co)] = sum over x positions (n, id, ih, iw) of x[ci][id][ih][iw] * gy[co][od][oh][Ew iw + woff(kw)],
// K = the positions, both operands K-major as TF32 wgmma needs them: A = an NCDHW x box of M channels x 128 bytes of
// iw (x is K-major as it lies), B = boxes of bc co x 128 bytes of positions, one per (tap, co block) column group.
// A tiled TMA box cannot start at an innermost coordinate that is not 16-byte aligned (an illegal instruction on the
// H100, stop 47), so a tap's w shift cannot be a box offset: grad_y is first copied into one row per distinct w offset
// woff (a "variant") and x row, gyv[n][co][od][oh][v][j] = gy[.., Ew j + woff[v]] for j < Jw (zero outside grad_y's
// row and past x's), and every box starts at a k-block.  Rows outside grad_y (d, h) read as the TMA's zero fill, so no
// tap is masked.  A segment = (box set, M-channel block of ci, group), its x rows (n, id, ih) over the union of its
// boxes' valid (id, ih) ranges; every segment has `chunks` CTAs, CTA blockIdx = chunk x nseg + segment, so the CTAs
// running together cover all segments of a few chunks (x and grad_y rows read once from DRAM, then from L2).
// Partial sums to ws[chunk][group][tap][Kc][Nc]; the ordered reduce adds them.
struct HopperWgemmTiles {
  static constexpr int kThreads = 128;  // a warpgroup
  static constexpr int kMaxBox = 8;     // column boxes per set (N = nbox x bc <= 256)
  static constexpr int kMaxN = 256;
  static constexpr int kMaxSets = 32;
  static constexpr int kMaxRing = 8;
  static constexpr int kMaxVar = 16;    // distinct w offsets (variants of the grad_y copy)
  static constexpr int kBarBytes = 256;  // two mbarriers per slot
  // the layout copies' tiles: 32 positions x 32 channels (x to NCDHW), a grad_y row x 32 co (the variants from a
  // channels_last grad_y, staged as floats at a pitch of 33 in at most 48 KB of shared memory)
  static constexpr int kCopyTile = 32;
  static constexpr int kCopyThreads = 256;  // every copy block (the tile copy's store lanes assume it)
  static constexpr int kMaxTileOW = 48 * 1024 / (4 * (kCopyTile + 1));
  static constexpr size_t tile_copy_smem(int ow) { return size_t(ow) * (kCopyTile + 1) * 4; }
  // MW consumer warpgroups (64 channels of ci each), then one producer warp
  static constexpr int cta_threads(int mw) { return mw * kThreads + 32; }
};
struct HopperWgemmBox {
  int tap, co0;          // the weight's tap (kd, kh, kw) flat, the first of its bc co (within the group)
  int dd, dh;            // grad_y row od = Ed id + dd, oh = Eh ih + dh
  int v;                 // w: the copy's variant (w offset woff[v]: grad_y position Ew iw + woff[v])
};
// A set of column boxes (the same for every group and ci block): its x rows are the union of its boxes' valid rows
struct HopperWgemmSet {
  int nbox;              // live boxes (the instance's N / bc; boxes >= nbox are neither loaded nor stored)
  int id0, nid, ih0, nih;  // x rows id0 .. id0 + nid - 1, ih0 .. ih0 + nih - 1
  HopperWgemmBox box[HopperWgemmTiles::kMaxBox];
};
struct HopperWgemmParams {
  TensorRef5 x;          // NCDHW as the A map reads it (the masked recompute reads it too): the caller's x, or its copy
  TensorRef5 xsrc;       // with x_copy: the caller's x (any strides), copied into x (dense NCDHW rows of pitch xpitch)
  bool x_copy;           // x is not a TMA-readable NCDHW tensor (channels_last, rows off 16 bytes): copied first
  bool inplace;          // x and grad_y channels_last, read in place by 5D maps (grad_y's box traversing w at the
                         // stride), landing [position][channels]; no copies (x and gy the caller's; gyv, Jw, xsrc
                         // unused).  16-bit (v125): the boxes are the wgmma's MN-major operands; fp32 (v126, TF32 takes
                         // K-major ones only): the consumers transpose each stage into kbufs K-major buffers
  int kbufs;             // v126: 2 (fp32 in place), else 0; shared memory past the ring
  bool gy_tiles;         // grad_y's channels have unit stride (channels_last): the copy transposes (w x 32 co) tiles
  void* gycl;            // non-null (with gy_tiles): the tile copy also writes grad_y dense channels_last here,
  bool gycl_round;       // TF32-rounded (Arguments::y_cl_out)
  int xpitch;            // the x copy's row pitch (IW rounded up to 16 bytes)
  TensorRef5 gy;         // grad_y as the caller gave it (the copy's source; the masked recompute)
  void* gyv;             // the copy: [n][co][od][oh][nvar][Jw]
  int Jw;                // its rows: katoms k-blocks of positions
  int nvar;              // its variants, and their w offsets
  int woff[HopperWgemmTiles::kMaxVar];
  int Cin, Cout, Kc, Nc, groups;
  int N, ID, IH, IW, OD, OH, OW;
  int Ed, Eh, Ew;
  int taps;              // the weight's taps (the sums' layout)
  int M, bc, nbox;       // A rows (64 x consumer warpgroups), co per box, boxes per set (the instance: N = nbox bc)
  int rb;                // bytes of a k-block row: 128, or 64 for 16-bit rows of at most 32 positions past a multiple
                         // of 64 (the 64-byte swizzle; the kernel's RB)
  int katoms;            // rb-byte k-blocks of iw per x row
  int nsets, ncib, nseg; // segment s = (set s % nsets, ci block s / nsets % ncib, group s / (nsets ncib))
  int chunks, ring, slot_bytes, b_off;  // slot: A (M x rb bytes), B at b_off (N x rb bytes)
  void* ws;              // [chunks][groups][taps][Kc][Nc] float
  DType dtype;           // fp32 (TF32: both maps TFLOAT32, rounding to nearest), fp16 or bf16
  HopperWgemmSet set[HopperWgemmTiles::kMaxSets];
};

// The Hopper grad_input (dgrad_sm90.cuh): gx[ci][iw] = sum over (kd, kh, kw) and co of
// gy[co][od(id, kd)][oh(ih, kh)][Ew iw + kw - pw] * w[ci][co][kd][kh][kw], per x row (n, id, ih) a GEMM with
// M = 128 iw (two consumer warpgroups of 64), N = 32 ci and K = taps x co; a tile holds four x rows (id + a, ih + b),
// which share the grad_y rows their taps have in common.  A stage is one grad_y row's window for 32 co, staged by
// 16-byte cp.async from the 16-byte boundary below each channel row's window (rows of any 4-byte phase; zeros outside
// the tensor); A is read from it into registers (a strided gather, so the wgmma's register-A form) and TF32-rounded
// there; B, the weights of the CTA's segment (group, 32-ci block), stays in shared
// memory.
// Channels_last grad_y and grad_input (cl): a stage holds whole positions instead, 128-byte rows of the 32 channels,
// zero outside the row, read as 16-byte fragment vectors.
struct HopperDgradParams {
  TensorRef5 gy, gx, w;       // grad_y, grad_input (written), the weight (masked path)
  int cl;                     // both channels_last (channel stride 1, whole 16-byte vectors), else both w stride 1
  DType dtype;                // fp32 (TF32 products), or fp16 / bf16 (k16 wgmmas)
  const void* wpack;          // per segment [(kd, kh) pair][co block][kw][ks][kc][ci 32][16 bytes], fp32 TF32-rounded
  unsigned* w_nonfinite;      // set by the pack where a packed weight is not finite
  DimMap md, mh;              // grad_input maps along d, h: x row id reads grad_y row od = tap(id, kd)
  int Kci, Kco, ncib, ncob;   // channels per group of x and of y; their 32-channel blocks
  int Kd, Kh, Kw, Ew, pw;     // taps; w: x position iw reads y position Ew iw + kw - pw
  int IW, OW;
  int gy_ph;                  // grad_y's data address in floats, mod 4 (its 16-byte phase)
  int s4[4];                  // grad_y's strides mod 4 (the stages' phases without 64-bit math)
  int ID, IH;                 // x depth and height: tiles hold rows (id + a, ih + b), a < Rd, b < Rh
  int Rd, Rh;                 // 2 along a dimension whose taps share grad_y rows (S < K), else 1
  int Sh, nj;                 // h taps kh of row ih and kh - Sh of row ih + 1 read one grad_y row (Sh = Kh: none
                              // shared); nj = Kh + Sh h stages (Kh where Rh = 1)
  int Sd, nd;                 // ... and along d: nd = Kd + Sd d stages (per tile nd x nj x co blocks)
  int rows, qblocks;          // tile rows N x ceil(D / Rd) x ceil(H / Rh); BQ-blocks per row
  FastDiv div_qb, div_ih, div_id;
  int pitch, slot_bytes, w_bytes, ring;  // shared memory: resident weights, then `ring` grad_y stages
  int nseg, chunks;           // segments (group, ci block); each one's tiles cut into `chunks` CTAs
  int interleave;             // the CTAs' tiles: every chunks-th (v109), else runs (RowDeal)
  const float* bias;          // added to every output of its channel, or null (the unit-stride forward's bias)
  int64_t bias_stride;
  int split;                  // exact fp32 as 3xTF32: a segment's packed weights are its big TF32 parts, then its
                              // small ones (w_bytes counts both); grad_y split in the fragments
  int accumulate;             // grad_input += the sums (a tap pass after the first, HopperDgradPlan), else =
  // v146, the fused backward (16-bit NCDHW, one pass): grad_weight from the same staged grad_y rows.  Each tile's x
  // rows (Rd of them; Rh = 1) land in one of xbufs row buffers ([8-position chunk][ci 32][8] K-major, cp.async); the
  // CTA's grad_weight sums stay in shared memory (its segment's taps x co blocks x Kw x 32 co x 32 ci, fp32) and go
  // to gw_ws[chunk][group][tap][Cin_g][Cout_g] at the end (wgrad_reduce_kernel's layout).  fuse 0: grad_input only
  int fuse, xbufs;
  int x_vec;                  // x's rows on 16 bytes (cp.async), else element loads
  TensorRef5 xs;              // x (read)
  float* gw_ws;
#ifdef CT3D_PROBE
  int probe;
#endif
};
// the fused backward's shared memory past the ring: x row buffers (32 ci x BQ positions each), then the grad_weight
// sums (Kd Kh ncob tap blocks of Kw x 32 x 32 floats), then its x buffers' full and empty barriers
CT3D_HD size_t hopper_bwd_xbuf_bytes(const HopperDgradParams& p) {
  return p.fuse ? size_t(32) * HopperDgradTiles::BQ * 2 : 0;  // (16-bit only)
}
CT3D_HD size_t hopper_bwd_sums_bytes(const HopperDgradParams& p) {
  return p.fuse ? size_t(p.Kd) * p.Kh * p.ncob * p.Kw * 32 * 32 * sizeof(float) : 0;
}
inline size_t hopper_dgrad_smem_bytes(const HopperDgradParams& p) {
  return HopperDgradTiles::kBarBytes + size_t(p.w_bytes) + size_t(p.ring) * p.slot_bytes +
         (p.fuse ? size_t(p.xbufs) * hopper_bwd_xbuf_bytes(p) + hopper_bwd_sums_bytes(p) +
                       2 * HopperDgradTiles::kMaxXBufs * sizeof(uint64_t)
                 : 0);
}
// grad_input over grad_y (dgrad_sm90.cuh), after hopper_dgrad_pack put the segments' weights at p.wpack
Status hopper_dgrad_pack(const HopperDgradParams& p, cudaStream_t stream, std::string* why);
Status hopper_dgrad(const HopperDgradParams& p, cudaStream_t stream, std::string* why);

inline size_t hopper_wgrad_smem_bytes(const HopperWgradParams& p) {
  return HopperWgradTiles::kBarBytes + 1024 + size_t(p.ring) * p.slot_bytes;
}

// Its shared memory: barriers, resident weights, then the x slots from the next 1024-byte boundary.
inline size_t hopper_smem_bytes(const HopperParams& p) {
  return HopperTiles::kBarBytes + size_t(p.w_bytes) + 1024 + size_t(p.nwg) * p.ring * p.slot_bytes +
         size_t(p.nwg) * 2 * p.land_bytes;
}
// kernels_sm90.cu, built where the CUDA architectures include 90 (else the plan's stubs answer false / not supported):
// the segments' weights packed at out (TF32-rounded for round_tf32), and the forward over x_cl (x channels_last as
// hopper_plan admits it; round_x: its values are not TF32 yet) on `ctas` CTAs.
bool hopper_built();
Status hopper_pack(const HopperParams& p, const TensorRef5& w, void* out, bool round_tf32, cudaStream_t stream,
                   std::string* why);
Status hopper_forward(const HopperParams& p, const TensorRef5& x_cl, bool round_x, int ctas, cudaStream_t stream,
                      std::string* why);
// grad_weight's partial sums into p.ws (then the ordered reduce of p.chunks chunks)
Status hopper_wgrad_partials(const HopperWgradParams& p, cudaStream_t stream, std::string* why);
// grad_weight as a GEMM over TMA boxes (v116): the copy of grad_y into p.gyv, then the partial sums into
// p.ws (then the ordered reduce of p.chunks chunks)
Status hopper_wgemm_partials(const HopperWgemmParams& p, cudaStream_t stream, std::string* why);
// The grad_weight GEMM's CTA: its segment and chunk of the set's x rows (bid = chunk x nseg + segment)
struct WgemmCta {
  int set, cib, group, r0, r1;
  CT3D_HD WgemmCta(const HopperWgemmParams& p, int bid) {
    const int s = bid % p.nseg, chunk = bid / p.nseg;
    set = s % p.nsets;
    cib = s / p.nsets % p.ncib;
    group = s / (p.nsets * p.ncib);
    const HopperWgemmSet& S = p.set[set];
    const int64_t rows = int64_t(p.N) * S.nid * S.nih;
    r0 = int(rows * chunk / p.chunks);
    r1 = int(rows * (chunk + 1) / p.chunks);
  }
};

// x row r of a set: (n, id, ih) over its rows id0 .. id0 + nid - 1, ih0 .. ih0 + nih - 1
struct WgemmRow {
  int n, id, ih;
  CT3D_HD WgemmRow(const HopperWgemmSet& S, int r) {
    const int plane = S.nid * S.nih;
    n = r / plane;
    const int rem = r - n * plane;
    id = S.id0 + rem / S.nih;
    ih = S.ih0 + rem % S.nih;
  }
  CT3D_HD void next(const HopperWgemmSet& S) {
    if (++ih < S.ih0 + S.nih) return;
    ih = S.ih0;
    if (++id < S.id0 + S.nid) return;
    id = S.id0;
    ++n;
  }
};

// The in-place boxes' first elements (v125 / v126; the 5D maps' (channel, w, h, d, n)), for the producer and the host
// emulation alike: x's channels xc + c0 on at positions iw on of row rw; box bx's grad_y channels yc + co0 + c0 on at
// its positions Ew iw + woff on (the map traversing w at Ew) of the rows its taps take from rw
CT3D_HD void wgemm_inplace_x(const WgemmRow& rw, int xc, int iw, int c0, int (&c)[5]) {
  c[0] = xc + c0, c[1] = iw, c[2] = rw.ih, c[3] = rw.id, c[4] = rw.n;
}
CT3D_HD void wgemm_inplace_gy(const HopperWgemmParams& p, const HopperWgemmBox& bx, const WgemmRow& rw, int yc, int iw,
                              int c0, int (&c)[5]) {
  c[0] = yc + bx.co0 + c0, c[1] = p.Ew * iw + p.woff[bx.v], c[2] = p.Eh * rw.ih + bx.dh, c[3] = p.Ed * rw.id + bx.dd;
  c[4] = rw.n;
}

inline size_t hopper_wgemm_smem_bytes(const HopperWgemmParams& p) {
  return HopperWgemmTiles::kBarBytes + 1024 + size_t(p.ring + p.kbufs) * p.slot_bytes;
}
struct SmemLimits;
// The tap-GEMM's Hopper instance (p.gmma: its weights packed K-major by tapgemm_pack)
Status hopper_tapgemm(DType dtype, const TapGemmParams& p, dim3 grid, const SmemLimits& lim, cudaStream_t stream,
                      std::string* why);
// v120: the phase-GEMM forward over TMA boxes (p.pg_tma; its weights packed K-major by tapgemm_pack)
Status hopper_pgemm(DType dtype, const TapGemmParams& p, const SmemLimits& lim, cudaStream_t stream, std::string* why);

// What the launchers may spend on shared memory: one CTA's opt-in maximum, one SM's total (bytes), and a cap on
// the row-conv pipeline depth (0: the kernel's own; see set_max_pipeline_stages).
struct SmemLimits {
  int optin = 0, per_sm = 0, max_stages = 0;
};

// What a channels_last copy (KernelLaunchers::to_channels_last) writes: the values as they are, TF32-rounded to
// nearest, or split into their big and small TF32 parts (fp32 only; PolicyExact::split)
enum class Restage : int { kCopy, kRoundTF32, kSplitTF32 };

// Entry points of the kernels of one precision policy; one translation unit per policy defines a table
// (kernels_<policy>.cu), so the policies compile in parallel.
struct KernelLaunchers {
  Status (*pack_weight)(const TensorRef5& w, void* out, int groups, bool kn_is_cout_cin, cudaStream_t, std::string*);
  Status (*rowconv)(const RowConvParams&, int nph, dim3 grid, const SmemLimits&, cudaStream_t, std::string*);
  Status (*wgrad)(const WgradParams&, dim3 grid, int smem_optin, const TensorRef5& gw, cudaStream_t, std::string*);
  int (*wgrad_blocks_per_sm)(int LDKx, int LDKg, bool narrow, int wq);  // occupancy, to size the K split in whole waves
  // direct (CUDA-core) kernels for groups of few channels: row gather in `chunks` of w per row, and grad_weight
  // over `slices` of x rows (then the same reduce as wgrad)
  Status (*direct)(const RowConvParams&, int chunks, cudaStream_t, std::string*);
  Status (*direct_wgrad)(const WgradParams&, int slices, const TensorRef5& gw, cudaStream_t, std::string*);
  // depthwise grad_weight by rows (fwd: the forward's row-conv parameters, x as src and grad_y as dst), then the
  // ordered reduce of p.ws; kNotSupported for f64
  Status (*direct_wgrad_rows)(const RowConvParams& fwd, const DirectLaneGeom&, const WgradParams& p,
                              const TensorRef5& gw, cudaStream_t, std::string*);
  Status (*grad_bias)(const TensorRef5& gy, void* ws, int chunks, void* gb, int64_t gb_stride, cudaStream_t,
                      std::string*);
  // dense channels_last copy of src (N, D, H, W, C in memory) at dst, C a whole number of 16-byte vectors; fp32
  // values TF32-rounded (Restage::kRoundTF32: a TF32 forward's x, every reader then takes the values as they are)
  // or split (kSplitTF32: the big parts at dst, the small ones in a second such buffer right after), and then a
  // non-finite value sets *nonfinite (where not null)
  Status (*to_channels_last)(const TensorRef5& src, void* dst, Restage op, unsigned* nonfinite, cudaStream_t,
                             std::string*);
  // the ordered sum of `chunks` partial weight gradients at p.ws into gw (after the Hopper grad_weight)
  Status (*wgrad_reduce)(const WgradParams& p, int chunks, const TensorRef5& gw, cudaStream_t, std::string*);
  // the tap-GEMM (forward, grad_input): its weight pack into p.wpack (initialize), its launch (run); kNotSupported for
  // f64
  Status (*tapgemm_pack)(const TapGemmParams& p, const TensorRef5& w, cudaStream_t, std::string*);
  Status (*tapgemm)(const TapGemmParams& p, dim3 grid, const SmemLimits&, cudaStream_t, std::string*);
};

const KernelLaunchers& launchers_tf32();
const KernelLaunchers& launchers_exact();
const KernelLaunchers& launchers_f16();
const KernelLaunchers& launchers_bf16();
const KernelLaunchers& launchers_f64();

}  // namespace ct3d
