// Plans of the Hopper kernels (rowconv_sm90.cuh, wgrad_sm90.cuh, dgrad_sm90.cuh): whether a problem takes one on
// this device and its launch parameters.  Host-only C++; the sm_80 plans and the operators are in convt3d_plan.cpp.
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <vector>

#include "convt3d_plan_sm90.h"
#include "device_cache.h"

namespace ct3d {
namespace planning {
namespace {

// The (kd, kh) taps of d class rd and h class rh (y rows Ed qd + rd, Eh qh + rh) and the x-row offsets they read
// (x row qd + dd, qh + dh), appended to a Hopper segment's pair arrays at n; false past max pairs.
template <class Seg>
bool append_class_pairs(const DimMap& md, const DimMap& mh, int rd, int rh, int max, int& n, Seg& s) {
  for (int kd = 0; kd < md.K; ++kd)
    for (int kh = 0; kh < mh.K; ++kh) {
      int dd, dh;
      if (!md.delta(rd, kd, dd) || !mh.delta(rh, kh, dh)) continue;
      if (n == max) return false;
      s.kd[n] = kd;
      s.kh[n] = kh;
      s.dd[n] = dd;
      s.dh[n] = dh;
      ++n;
    }
  return true;
}

// A measurement knob's value: the environment variable as a number where it is set and at least lo, else dflt
double env_knob(const char* var, double dflt, double lo = 0.0) {
  const char* e = std::getenv(var);
  const double v = e && *e ? std::atof(e) : lo - 1;
  return v >= lo ? v : dflt;
}

// CUTLASS_CONVT3D_SM90_TMA_ROUND=1: x read in place by TMA (the channels_last forward, grad_weight) is TF32-rounded
// by its tensor map (TFLOAT32) instead of by the kernels' rounding passes.  On by default (=0 turns it off): on the
// H200 the TMA rounds to nearest (same bits as the rounding passes) and the channels_last mission forward takes
// 0.49 instead of 0.65 ms (NOTES v78).
// Probe builds only (sm90_common.cuh): the piece of each Hopper kernel CUTLASS_CONVT3D_PROBE=<m> leaves out
template <class Params>
void set_probe([[maybe_unused]] Params& p) {
#ifdef CT3D_PROBE
  p.probe = int(env_knob("CUTLASS_CONVT3D_PROBE", 0.0));
#endif
}

// The Hopper forward's tile order (HopperSeg::row_of): bands of CUTLASS_CONVT3D_SM90_BAND rows along h (0: one band,
// the order before v100); default kHopperBand
void hopper_bands(HopperSeg& s, int nqd, int nrow) {
  const int b = int(env_knob("CUTLASS_CONVT3D_SM90_BAND", double(kHopperBand)));
  s.band = b <= 0 || b >= nrow ? nrow : b;
  s.nbands = (nrow + s.band - 1) / s.band;
  s.div_plane = FastDiv::make(nqd * nrow);
  s.div_bandt = FastDiv::make(nqd * s.band);
  s.div_band = FastDiv::make(s.band);
  s.div_blast = FastDiv::make(nrow - (s.nbands - 1) * s.band);
}

bool tma_rounds_tf32() { return env_knob("CUTLASS_CONVT3D_SM90_TMA_ROUND", 1.0) != 0.0; }

// On by default where it applies (CUTLASS_CONVT3D_SM90=0 turns it off): faster than the sm_80 row-conv on every
// shape measured since v64 (H200, benchmarks/NOTES.md: mission forward 0.785 / 0.656 ms NCDHW / channels_last,
// against 0.815 / 0.726).
bool hopper_enabled() {
  const char* e = std::getenv("CUTLASS_CONVT3D_SM90");
  return !(e && e[0] == '0');
}
// fp16 and bf16 on the Hopper kernels too (forward, grad_weight, grad_input: k16 wgmmas); on by default, =0 keeps
// them on the sm_80 kernels.  H200, mission bf16: forward 0.61 -> 0.51, grad_weight 1.01 -> 0.39, grad_input 0.72
// -> 0.50 ms (NOTES v80, v82, v85).
bool hopper_16bit() { return env_knob("CUTLASS_CONVT3D_SM90_16BIT", 1.0) != 0.0; }
// The exact fp32 forward (cudnn.allow_tf32 = False) on the Hopper kernel too, as 3xTF32 (Hopper3xTF32), x split into
// its big and small TF32 parts by its restaging copy (v88); on by default, CUTLASS_CONVT3D_SM90_EXACT=0 keeps the sm_80
// kernel.  H100, mission (stop 36): NCDHW 1.90 -> 1.49-1.53 ms, channels_last 1.84 -> 1.23 (v81, which split every
// landed x slot in its producers, had lost: 2.20 against 1.87 on the H200).
bool hopper_exact() { return env_knob("CUTLASS_CONVT3D_SM90_EXACT", 1.0) != 0.0; }
// The exact fp32 grad_weight on the Hopper kernel too, as 3xTF32 (v87); on by default, CUTLASS_CONVT3D_SM90_EXACT_WGRAD=0
// keeps the sm_80 kernel.  H100, mission NCDHW (stop 36): 2.64 -> 1.36 ms; k3s2op1 2.27 -> 1.38.
bool hopper_exact_wgrad() { return env_knob("CUTLASS_CONVT3D_SM90_EXACT_WGRAD", 1.0) != 0.0; }
// v109: CUTLASS_CONVT3D_SM90_INTERLEAVE bit 1: the Hopper grad_input's CTAs take every chunks-th tile instead of a
// run; bit 2: the Hopper grad_weight's CTAs every nch-th row of their segment (RowDeal)
int hopper_interleave() { return int(env_knob("CUTLASS_CONVT3D_SM90_INTERLEAVE", double(kHopperInterleaveDefault))); }

// A backward Hopper kernel's switch (CUTLASS_CONVT3D_SM90_WGRAD, _DGRAD): 0 sends the op to the sm_80 kernels, 1
// forces the Hopper kernel wherever it applies, unset picks it where it is the faster one; CUTLASS_CONVT3D_SM90=0
// turns every Hopper kernel off.
enum class Sm90Mode { kOff, kAuto, kForce };
Sm90Mode sm90_mode(const char* var) {
  const char* e = std::getenv(var);
  if (!hopper_enabled() || (e && e[0] == '0')) return Sm90Mode::kOff;
  return e && e[0] == '1' ? Sm90Mode::kForce : Sm90Mode::kAuto;
}

}  // namespace

bool streams_past_l2(int64_t bytes, int times) {
  const int64_t l2 = device_attrs().l2_bytes;
  return l2 > 0 && bytes > times * l2;
}

namespace {
// An L2-residency knob (v127 / v128): the variable where set, else dflt where a stream of `bytes` passes the L2, else 0
int past_l2_knob(const char* var, int dflt, int64_t bytes) {
  return int(env_knob(var, streams_past_l2(bytes) ? double(dflt) : 0.0));
}
}  // namespace

// ---------------------------------------------------------------- Hopper forward (rowconv_sm90.cuh)
// The forward on wgmma where it applies: a compute capability 9.0 device; fp32 multiplied in TF32 (or, with
// hopper_16bit, fp16 / bf16; with hopper_exact, exact fp32 as 3xTF32); w stride 2 (two phases x 32 channels fill
// the wgmma's 64 rows); whole 32-channel blocks in and out per group; x channels_last (or copied so); y NCDHW with unit w stride or channels_last of whole vectors; the segments'
// weights and the warpgroups' x stages in shared memory.  False: the sm_80 row-conv takes it.
bool hopper_plan(const Arguments& a, HopperPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  if (!hopper_built() || !hopper_enabled() || device_attrs().cc != 90) return false;
  const bool tf32 = pb.dtype == DType::kF32 && op_math(pb, Kind::kForward) == Math::kTF32;
  const bool half = (pb.dtype == DType::kF16 || pb.dtype == DType::kBF16) && hopper_16bit();
  const bool exact = pb.dtype == DType::kF32 && op_math(pb, Kind::kForward) == Math::kExact && hopper_exact();
  if (!(tf32 || half || exact) || use_direct(pb)) return false;
  const DimMap md = pb.fwd(0), mh = pb.fwd(1), mw = pb.fwd(2);
  const int Kc = pb.cin_g(), Nc = pb.cout_g();
  if (mw.E != 2 || Nc % HopperTiles::BN || Kc % 32) return false;
  // (the map's folded n * d rows, twice for the split copy's two parts, are 32-bit TMA coordinates)
  if (numel(a.y) == 0 || numel(a.x) == 0 || a.x.size[0] * pb.in[0] * (exact ? 2 : 1) >= INT_MAX) return false;
  HopperPlan r{};
  HopperParams& p = r.p;
  p.dtype = pb.dtype;
  p.split = exact;
  const int esize = int(elem_size(pb.dtype)), parts = exact ? 2 : 1;  // exact: big and small TF32 parts
  // w window: phase r's taps read x[q + d], d in [dmin, dmin + S)
  int dmin = INT_MAX, dmax = INT_MIN;
  for (int rho = 0; rho < 2; ++rho)
    for (int k = 0; k < mw.K; ++k) {
      int d;
      if (mw.delta(rho, k, d)) dmin = std::min(dmin, d), dmax = std::max(dmax, d);
    }
  if (dmin > dmax || dmax - dmin + 1 > HopperTiles::kMaxS) return false;
  p.dmin = dmin;
  p.S = dmax - dmin + 1;
  // the kernel's instances: 1-4 blocks per pair, and 8 (unless CUTLASS_CONVT3D_SM90_NSJ8=0) for decoder levels of 256
  // input channels, which the sm_80 row-conv runs at one short output row per CTA (H200, stop 41, unet-256-128 with the
  // tap-GEMM off: 0.469 -> 0.157 ms fp32, 0.523 -> 0.111 bf16)
  const int nsj = p.S * (Kc / 32);
  if (nsj > HopperTiles::kMaxNSJ &&
      !(nsj == HopperTiles::kWideNSJ && p.S == 1 && !exact && env_knob("CUTLASS_CONVT3D_SM90_NSJ8", 1.0) != 0.0))
    return false;  // (the wide instance: one window offset, see rowconv_sm90.cuh; not 3xTF32, whose weights and x
                   // slots, twice the bytes, would not fit: 128 KB of weights a pair, 128 KB a slot)
  for (int rho = 0; rho < 2; ++rho)
    for (int s = 0; s < HopperTiles::kMaxS; ++s) {
      p.kw_of[rho][s] = -1;
      for (int k = 0; k < mw.K; ++k) {
        int d;
        if (s < p.S && mw.delta(rho, k, d) && d == dmin + s) p.kw_of[rho][s] = k;
      }
    }
  // x: channels_last as the TMA map reads it, else a copy; exact: always a copy, split into its big and small TF32
  // parts (v88: the TMA lands both, where v81's producers split every slot after it landed)
  const bool x_ok = cf_rows(a.x, Kc, pb.dtype) && !has_zero_stride(a.x) && a.x.stride[0] == pb.in[0] * a.x.stride[2];
  r.restage_x = !x_ok || exact;
  r.x_bytes = size_t(numel(a.x)) * elem_size(pb.dtype) * parts;
  if (exact ? has_zero_stride(a.x) : r.restage_x && !restageable(a.x, Kc, pb.dtype)) return false;
  p.split_rows = int(a.x.size[0] * pb.in[0]);
  p.tma_round = tf32 && tma_rounds_tf32();
  p.x = a.x;
  p.y = a.y;
  p.cf_dst = cf_rows(a.y, Nc, pb.dtype);
  if (!p.cf_dst && a.y.stride[4] != 1) return false;
  // an NCDHW y by 16-byte vectors at each row's phase (v89 16-bit, v91 fp32 TF32; not for the exact forward):
  // kHopperVec16Default (16-bit always, fp32 where y's rows do not all start on 16 bytes); =0 / 1 never / always
  const int vec16 = env_level("CUTLASS_CONVT3D_SM90_VEC16", 2, kHopperVec16Default);
  const bool rows_off16 = !p.cf_dst && !aligned16(a.y, {0, 1, 2, 3}, esize);
  p.vec16 = !p.cf_dst && !exact && (vec16 == 1 || (vec16 == 2 && (half || rows_off16)));
  // v133: CUTLASS_CONVT3D_SM90_X_NCDHW (kHopperXNcdhwDefault): an fp32 TF32 or 16-bit NCDHW x (w stride 1, the
  // other strides whole 16 bytes) read in place by its own TMA map, each pair's boxes landed [channel][position] and
  // transposed into the slot by the producer warps (HopperTiles::kXTranspose), instead of the channels_last copy (the
  // mission: 134 MB read and written, ~0.1 ms of the 0.66 ms fp32 forward); NCDHW y, at most 4 blocks a pair.  The
  // landing buffers take shared memory the slots and warpgroups would have: at 1 only where the copy's plan keeps as
  // many warpgroups and slots (the mission's 3 x 2), at 2 wherever they fit (for measurements); else the copy (below)
  const int x_ncdhw = env_level("CUTLASS_CONVT3D_SM90_X_NCDHW", 2, kHopperXNcdhwDefault);
  // v135: CUTLASS_CONVT3D_SM90_WHOLE_ROWS (kHopperWholeRowsDefault): tiles of 128 q positions (HopperTiles::kRowBQ),
  // whole output rows up to 256, for an NCDHW y stored by row vectors (fp32 TF32 or 16-bit; not with VEC16=0) whose
  // rows are longer than one 64-position tile covers, x reaching the slots by the map alone, at most 4 blocks a pair,
  // at most kMaxWGRowBQ warpgroups (the plan falls back to 64 where they do not fit): at 1 for 16-bit and for fp32
  // whose rows are off 16 bytes (the measured wins, kHopperWholeRowsDefault's comment), at 2 wherever they apply
  const int wr = env_level("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", 2, kHopperWholeRowsDefault);
  const bool whole_rows = wr > 0 && !p.cf_dst && !exact && vec16 != 0 && (wr == 2 || half || rows_off16) &&
                          (r.restage_x || !tf32 || p.tma_round) && mw.num_q(0) > HopperTiles::BQ &&
                          p.S * (Kc / 32) <= HopperTiles::kMaxNSJ;
  const int land_bytes = (Kc / 32 * HopperTiles::rows(p.S) * 32 * esize + 1023) / 1024 * 1024;
  const bool x_in_ncdhw = x_ncdhw > 0 && (tf32 || half) && r.restage_x && !p.cf_dst && a.x.stride[4] == 1 &&
                          !has_zero_stride(a.x) && aligned16(a.x, {0, 1, 2, 3}, esize) &&
                          p.S * (Kc / 32) <= HopperTiles::kMaxNSJ;
  p.land_bytes = 0;
  // v140: CUTLASS_CONVT3D_SM90_X_MN (kHopperXMnDefault): a 16-bit NCDHW x (w stride 1, the other strides whole 16
  // bytes) read in place as the wgmma's MN-major B (Kc / 32 x bq / 64 boxes a slot), instead of the channels_last
  // copy; NCDHW y by row vectors, at most 4 blocks a pair.  One window offset only, starting on 16 bytes (dmin a
  // multiple of 8 positions: every box's w start then is): with two (the mission, w0 + 1 for s = 1) the kernel
  // stopped with an illegal instruction on the H100 (stop 61), where kernel 2 / stride 2 ran and gave the copy's bits
  p.x_mn = half && env_level("CUTLASS_CONVT3D_SM90_X_MN", 1, kHopperXMnDefault) == 1 && r.restage_x && !p.cf_dst &&
           p.vec16 && a.x.stride[4] == 1 && !has_zero_stride(a.x) && aligned16(a.x, {0, 1, 2, 3}, esize) &&
           p.S == 1 && p.dmin % 8 == 0 && p.S * (Kc / 32) <= HopperTiles::kMaxNSJ;
  // v141: CUTLASS_CONVT3D_SM90_X_RS (kHopperXRsDefault): an fp32 TF32 NCDHW x (w stride 1, the other strides whole 16
  // bytes) read in place, rounded by its TFLOAT32 map, as the wgmma's register A (the consumers load each landed row's
  // fragments), instead of the channels_last copy (the mission: 134 MB read and written, ~97 us of the 0.61 ms fp32
  // forward); an NCDHW y by row vectors (where its rows lie on 16 bytes too: the instances store no other way), at
  // most kMaxRsS window offsets, kMaxWGRs warpgroups at whole rows, kMaxWGRs64 at 64-position tiles.  v142, the same
  // for the exact forward (3xTF32, 64-position tiles, kMaxWGRsSplit warpgroups): x lands as it is and the consumers
  // split it, instead of the splitting copy (134 MB read, 268 MB written on the mission)
  // (VEC16=0, stores by element lanes, keeps the copy: its instances store by vectors only.)  Levels: 0 never; 1 where
  // it was measured to win (kHopperXRsDefault's comment): at most two boxes a pair (Kc <= 64), 64-position tiles for
  // TF32 (whole rows are left to the copy, below), one window offset for the exact forward, and not where v133's
  // landing buffers are asked for (X_NCDHW); 2 wherever it applies
  const int xrs = env_level("CUTLASS_CONVT3D_SM90_X_RS", 2, kHopperXRsDefault);
  p.x_rs = ((tf32 && p.tma_round) || exact) && xrs > 0 &&
           (xrs == 2 || (Kc / 32 <= 2 && (!exact || p.S == 1) && x_ncdhw == 0)) && vec16 != 0 &&
           r.restage_x && !p.cf_dst && a.x.stride[4] == 1 && !has_zero_stride(a.x) &&
           aligned16(a.x, {0, 1, 2, 3}, esize) && p.S <= HopperTiles::kMaxRsS;
  // v127: L2 eviction priorities, CUTLASS_CONVT3D_SM90_L2HINT (kHopperL2HintDefault): bit 1 y's stores evict_first,
  // bit 2 x's loads evict_last.  ncu (stop 46, mission): DRAM reads 506 MB NCDHW / 419 MB channels_last for a 134 MB x
  // -- each x row is read by the next d row's tiles, ~100 MB of y writes later (12 chunks of CTAs, each writing ~8 MB
  // a d row), past the 50 MB L2
  p.l2hint = past_l2_knob("CUTLASS_CONVT3D_SM90_L2HINT", kHopperL2HintDefault, numel(a.y) * esize) & 3;
  p.bias = a.bias;
  p.Kc = Kc;
  p.Nc = Nc;
  p.D = pb.in[0];
  p.H = pb.in[1];
  p.W = pb.in[2];
  p.Ed = md.E;
  p.Eh = mh.E;
  p.OW = pb.out[2];
  p.div_eh = FastDiv::make(mh.E);
  // tiles of bq q positions: q blocks and the slots (a pair's x row, or the epilogue's half tile)
  auto tile_width = [&](int bq) {
    p.bq = bq;
    p.q_blocks = int((mw.num_q(0) + bq - 1) / bq);
    if (int64_t(p.q_blocks) * bq + p.S >= INT_MAX) return false;
    p.div_qb = FastDiv::make(p.q_blocks);
    // (v140: a landing of bq positions per window offset, where the map's rows start the offsets inside one row)
    // (v141: rs_rows(bq) positions a channel row; v142: one part, split in registers)
    const int64_t pair_bytes = int64_t(Kc / 32) *
                               (p.x_mn   ? p.S * bq
                                : p.x_rs ? HopperTiles::rs_rows(bq)
                                         : HopperTiles::rows(p.S, bq)) *
                               32 * esize * (p.x_rs ? 1 : parts);
    const int64_t slot = std::max<int64_t>(pair_bytes, HopperTiles::half_out_bytes(p.cf_dst, bq));
    if (slot > (1 << 20)) return false;
    p.slot_bytes = int((slot + 1023) / 1024 * 1024);
    return true;
  };
  // segments: (group, channel block, d class) with all h classes (merge), or one per h class as well; each with
  // the (kd, kh) pairs of its classes
  int64_t wofs = 0;
  std::vector<double> cost;
  // a tile's cost: its pairs (an x row load and its wgmmas each) plus its epilogue (16 KB of stores), which costs
  // about 3 pairs for NCDHW y (v74, H200: 0 1 2 3 4 6 10 gave the mission forward 0.77 0.70 0.67 0.65 0.65 0.66
  // 0.70 ms; pairs alone gave the 1-kd-tap d class a third of the SMs for half the tiles) and 2 for channels_last y,
  // whose stores are whole 128-byte lines (0 2 3 6: 0.711 0.652 0.698 0.692 ms, one round; after v78, 2 4 5 6:
  // 0.49-0.50 0.50-0.51 0.50-0.51 0.50-0.51), but 5 for 16-bit channels_last y, whose pairs cost half (stop 33, bf16
  // mission 2 4 5 6: 0.398-0.405 0.372-0.377 0.371-0.386 0.373; k3s2op1 0.41 0.40 0.39 0.39);
  // CUTLASS_CONVT3D_SM90_TILE_COST=<f> sets it, for measurements
  // v132: 5 for 16-bit NCDHW y as well where it streams past the L2 (H100 stop 57, one binary, same bits: bf16 /
  // fp16 mission 0.508 -> 0.491 / 0.505 -> 0.490 ms, k3s2op1 0.568 -> 0.541 / 0.563 -> 0.539; k2s2, k3s1, in64out16
  // and vnet-128-64 even; video-64-32, y within the L2, 0.067 -> 0.068-0.069)
  const bool half_ncdhw_past_l2 = esize == 2 && !p.cf_dst && streams_past_l2(numel(a.y) * esize);
  const double tile_cost =
      env_knob("CUTLASS_CONVT3D_SM90_TILE_COST", p.cf_dst ? (esize == 2 ? 5.0 : 2.0) : half_ncdhw_past_l2 ? 5.0 : 3.0);
  auto segments = [&](bool merge) {
    wofs = 0;
    cost.clear();
    p.nseg = 0;
    int max_pairs = 0;
    for (int g = 0; g < pb.groups; ++g)
      for (int cb = 0; cb < Nc / HopperTiles::BN; ++cb)
        for (int rd = 0; rd < md.E; ++rd)
          for (int rh0 = 0; rh0 < (merge ? 1 : mh.E); ++rh0) {
            const int64_t nqd = md.num_q(rd), nrow = merge ? pb.out[1] : mh.num_q(rh0);
            if (nqd == 0 || nrow == 0) continue;
            if (p.nseg == HopperTiles::kMaxSeg) return false;
            HopperSeg& s = p.seg[p.nseg++];
            s.group = g;
            s.cblock = cb;
            s.rd = rd;
            s.nh = merge ? mh.E : 1;
            s.rh0 = merge ? 0 : rh0;
            s.ptotal = 0;
            int64_t row_pairs = 0;  // pairs summed over the segment's rows along h
            for (int c = 0; c < s.nh; ++c) {
              const int rh = merge ? c : rh0;
              s.pofs[c] = s.ptotal;
              if (!append_class_pairs(md, mh, rd, rh, HopperTiles::kMaxPairs, s.ptotal, s)) return false;
              s.npairs[c] = s.ptotal - s.pofs[c];
              // rows of bias alone: the sm_80 kernels write them
              if (s.npairs[c] == 0 && mh.num_q(rh) > 0) return false;
              row_pairs += mh.num_q(rh) * s.npairs[c];
            }
            const int64_t tiles = a.y.size[0] * nqd * nrow * p.q_blocks;
            if (tiles >= INT_MAX) return false;
            s.tiles = int(tiles);
            hopper_bands(s, int(nqd), int(nrow));
            s.wofs = wofs;
            cost.push_back(double(a.y.size[0] * nqd * p.q_blocks) * (row_pairs + tile_cost * nrow));
            wofs += int64_t(s.ptotal) * p.S * Kc * HopperTiles::M * parts;
            max_pairs = std::max(max_pairs, s.ptotal);
          }
    p.w_bytes = int((int64_t(max_pairs) * p.S * Kc * HopperTiles::M * esize * parts + 127) / 128 * 128);
    return p.nseg > 0;
  };
  // warpgroups x slots per warpgroup: the most slots (up to 8) for the first warpgroup count with at least 2
  // (CUTLASS_CONVT3D_SM90_CFG="<nwg><ring>" picks one, for measurements)
  const char* cfg = std::getenv("CUTLASS_CONVT3D_SM90_CFG");
  const bool forced = cfg && cfg[0] >= '1' && cfg[0] <= '4' && cfg[1] >= '2' && cfg[1] <= '8';
  // v132: an fp32 TF32 NCDHW y whose rows are off 16 bytes (by v131's row vectors) and that is many times the L2
  // takes 3 warpgroups x 2 slots where they fit, the rest of the search otherwise.  H100 stop 57, one binary, same
  // bits: mission (y 1.04 GB) 0.766-0.772 -> 0.664-0.673 ms with row vectors at 4 x 3, the search's pick (3 x 3
  // 0.671, 4 x 2 0.826); but odd-32-32 (y 109 MB, twice the L2) 0.176 -> 0.190; without row vectors 3 x 3 on the
  // mission 0.784 -> 0.731, k3s2op1 (rows on 16 bytes) 0.611 -> 0.684, fp32 channels_last / bf16 +8% / +11%.  Not
  // explained (ncu, which runs kernels one at a time at base clocks, timed the mission kernel the other way, 676
  // against 613 us), so the bound of 8 L2s lies somewhere between the two shapes measured, not at a located edge
  const bool wg3 = tf32 && rows_off16 && p.vec16 && !forced && streams_past_l2(numel(a.y) * esize, 8);
  auto configure = [&] {
    if (wg3) {  // (v135: whole-row tiles there at 2 x 2, H100 stop 59: mission 0.682 at 3 x 2 -> 0.602-0.605 ms)
      p.nwg = p.bq == HopperTiles::kRowBQ ? 2 : 3;
      p.ring = 2;
      if (hopper_smem_bytes(p) <= size_t(device_smem_optin())) return true;
    }
    const int max_wg = HopperTiles::max_wg(exact ? HopperTiles::kMaxWGSplit : HopperTiles::kMaxWG,
                                           p.x_rs ? HopperTiles::kXRegs : HopperTiles::kXMap, p.bq, exact);
    // (whole rows at 2 warpgroups or more unless forced: their wins were measured at 2 and 3, and where only 1 fits
    // the 64-position tiles keep 2 or more)
    const int min_wg = p.bq == HopperTiles::kRowBQ && !forced ? 2 : 1;
    for (int nwg = max_wg; nwg >= min_wg; --nwg) {
      if (forced && nwg != cfg[0] - '0') continue;
      for (int ring = forced ? cfg[1] - '0' : 8; ring >= 2; --ring) {
        p.nwg = nwg;
        p.ring = ring;
        if (nwg * ring <= HopperTiles::kMaxBars && hopper_smem_bytes(p) <= size_t(device_smem_optin())) return true;
        if (forced) break;
      }
    }
    return false;
  };
  // h classes merged where their weights fit (CUTLASS_CONVT3D_SM90_MERGE=0: never, for measurements)
  const char* mg = std::getenv("CUTLASS_CONVT3D_SM90_MERGE");
  auto fit = [&] {
    for (int merge = (mg && mg[0] == '0') || mh.E > HopperTiles::kMaxEh ? 0 : 1; merge >= 0; --merge)
      if (segments(merge == 1) && configure()) return true;
    return false;
  };
  auto tiles = [&]() -> int {  // 1: fits; 0: not; -1: no 64-position tile width (no plan)
    if (whole_rows) {  // v135: whole-row tiles, stored by row vectors, where they fit
      const bool vec = p.vec16;
      p.vec16 = true;
      if (tile_width(HopperTiles::kRowBQ) && fit()) return 1;
      p.vec16 = vec;
    }
    if (!tile_width(HopperTiles::BQ)) return -1;
    return fit() ? 1 : 0;
  };
  int tiled = tiles();
  if (tiled != 1 && p.x_mn) {  // (v140's slots, S landings a pair, did not fit where the copy's may)
    p.x_mn = 0;
    tiled = tiles();
  }
  // (v141: its warpgroups, at most 2 or 3, found no configuration where the copy's may; or, at level 1, whole rows,
  // where the copy's instances were faster)
  if (p.x_rs && (tiled != 1 || (xrs == 1 && p.bq == HopperTiles::kRowBQ))) {
    p.x_rs = 0;
    tiled = tiles();
  }
  if (p.x_rs) p.vec16 = 1;  // (v141's instances store rows by vectors only)
  if (tiled < 0) return false;
  bool fits = tiled == 1;
  // v133: the landing buffers, where they fit (at level 1 without costing warpgroups or slots); not beside whole rows
  if (x_in_ncdhw && p.bq == HopperTiles::BQ && !p.x_mn && !p.x_rs) {
    const HopperParams copy = p;
    p.land_bytes = land_bytes;
    if (fit() && (!fits || x_ncdhw == 2 || (p.nwg == copy.nwg && p.ring == copy.ring))) {
      r.restage_x = false;
      fits = true;
    } else {
      p = copy;
    }
  }
  if (!fits) return false;
  if (p.x_mn || p.x_rs) r.restage_x = false;  // (v140, v141: read in place; the kernel then checks every tile's sums)
  // v137: CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1, a pair's wgmmas in flight while the next pair's are issued (whole-row
  // tiles only: instances of their own)
  p.wgmma_pipe = p.bq == HopperTiles::kRowBQ && !p.x_mn && !p.x_rs &&
                 env_level("CUTLASS_CONVT3D_SM90_WGMMA_PIPE", 1, kHopperWgmmaPipeDefault);
  // CTAs: per_chunk per segment in proportion to its cost, the proportions rounded at the scale (1-8 CTAs for the
  // cheapest) whose common chunks then fill the SMs with the least predicted time: the largest cost per CTA
  // (mission, tile cost 3: 1 + 1 CTAs per chunk predict 13% over an even split of the SMs, 3 + 4 (126 CTAs) 7%,
  // 5 + 6 (132 CTAs) 3%)
  const int sms = device_sms();
  int min_tiles = INT_MAX;
  for (int i = 0; i < p.nseg; ++i) min_tiles = std::min(min_tiles, p.seg[i].tiles);
  double cmin = 1e300;
  for (double c : cost) cmin = std::min(cmin, std::max(c, 1.0));
  // (clamped: a share past the SMs only ends the search below, and no sum of shares overflows)
  auto share = [&](int mu, double c) { return std::max(1, int(std::min(mu * c / cmin + 0.5, sms + 1.0))); };
  // v127: CUTLASS_CONVT3D_SM90_FWD_CHUNKS=<c> caps the chunks (the scale then goes up to 64): fewer chunks sweep x in
  // fewer places at once, so that an x row is still in L2 when the next d row's tiles read it again
  const int max_chunks = past_l2_knob("CUTLASS_CONVT3D_SM90_FWD_CHUNKS", kHopperFwdChunksDefault, numel(a.y) * esize);
  double best = 1e300;
  int best_mu = 1;
  for (int mu = 1; mu <= (max_chunks > 0 ? 64 : 8); ++mu) {
    int sum = 0;
    for (double c : cost) sum += share(mu, c);
    if (sum > sms) break;
    int chunks = std::max(1, std::min(sms / sum, min_tiles));
    if (max_chunks > 0) chunks = std::min(chunks, max_chunks);
    double t = 0;
    for (double c : cost) t = std::max(t, c / (double(share(mu, c)) * chunks));
    if (t < best * 0.99) best = t, best_mu = mu;
  }
  int per_sm = 0;
  for (int i = 0; i < p.nseg; ++i) {
    p.seg[i].per_chunk = share(best_mu, cost[i]);
    per_sm += p.seg[i].per_chunk;
  }
  p.chunks = std::max(1, std::min(sms / per_sm, min_tiles));
  if (max_chunks > 0) p.chunks = std::min(p.chunks, max_chunks);
  p.ctas = 0;
  for (int i = 0; i < p.nseg; ++i) {
    p.seg[i].cta0 = p.ctas;
    p.ctas += p.chunks * p.seg[i].per_chunk;
  }
  r.pack_bytes = align256(size_t(wofs) * esize);
  set_probe(p);
  r.tiles = 0;
  for (int i = 0; i < p.nseg; ++i) r.tiles += p.seg[i].tiles;
  if (out) *out = r;
  return true;
}

// ---------------------------------------------------------------- Hopper grad_weight (wgrad_sm90.cuh)
namespace {
// x NCDHW as both grad_weight kernels' TMA maps read it, (w, h, d, n * Cin): w stride 1, n and channel foldable, no
// zero stride, 16-byte aligned data and row / plane / channel pitches (below the maps' 2^40 bytes)
bool tma_ncdhw_x(const TensorRef5& x, int Cin, int64_t esize) {
  if (x.stride[4] != 1 || x.stride[0] != Cin * x.stride[1] || has_zero_stride(x)) return false;
  if (reinterpret_cast<uintptr_t>(x.data) % 16) return false;
  for (int d = 1; d < 4; ++d)
    if ((x.stride[d] * esize) % 16 || x.stride[d] * esize >= (int64_t(1) << 40)) return false;
  return true;
}

// A channels_last tensor as the 5D maps (channel, w, h, d, n) read it in place (map_cl5): channel stride 1, no zero
// stride, 16-byte aligned data, and the other pitches whole 16 bytes below 2^40 (a dimension of extent 1 excepted: the
// map takes the dense pitch there)
bool tma_cl5(const TensorRef5& t, int64_t esize) {
  if (t.stride[1] != 1 || has_zero_stride(t) || reinterpret_cast<uintptr_t>(t.data) % 16) return false;
  for (int d : {0, 2, 3, 4})
    if (t.size[d] != 1 && ((t.stride[d] * esize) % 16 || t.stride[d] * esize >= (int64_t(1) << 40))) return false;
  return true;
}
}  // namespace

// grad_weight on wgmma where it applies: compute capability 9.0; fp32 multiplied in TF32 (or, with hopper_16bit,
// fp16 / bf16: 64-position stages; with hopper_exact_wgrad, fp32 at fp32 accuracy: 3xTF32); whole 32-channel blocks
// in and out per group; w stride <= 2 and <= 4 w taps (the window one staged grad_y row covers); at most 4 (kd, kh)
// pairs per segment (two 64-row tiles; 2 for 3xTF32; a class of more is cut into several); x NCDHW as a TMA map
// reads it (w stride 1, 16-byte row pitches, n and channel foldable), grad_y dense NCDHW.  False: the sm_80 kernels
// take it.
bool hopper_wgrad_plan(const Arguments& a, HopperWgradPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  const Sm90Mode mode = sm90_mode("CUTLASS_CONVT3D_SM90_WGRAD");
  if (!hopper_built() || mode == Sm90Mode::kOff || device_attrs().cc != 90) return false;
  const bool tf32 = pb.dtype == DType::kF32 && op_math(pb, Kind::kGradWeight) == Math::kTF32;
  const bool half = (pb.dtype == DType::kF16 || pb.dtype == DType::kBF16) && hopper_16bit();
  const bool split = pb.dtype == DType::kF32 && op_math(pb, Kind::kGradWeight) == Math::kExact && hopper_exact_wgrad();
  if (!(tf32 || half || split)) return false;
  const int Kc = pb.cin_g(), Nc = pb.cout_g();
  if (Kc % 32 || Nc % 32 || pb.k[2] > HopperWgradTiles::kMaxKw || pb.stride[2] > 2) return false;
  if (numel(a.x) == 0 || numel(a.y) == 0) return false;
  const TensorRef5 &x = a.x, &gy = a.y;
  const int esize = int(elem_size(pb.dtype)), vec = 16 / esize;  // elements per 16-byte vector
  if (!tma_ncdhw_x(x, pb.Cin, esize) || reinterpret_cast<uintptr_t>(gy.data) % 16) return false;
  if (gy.stride[4] != 1 || gy.stride[3] != gy.size[4] || gy.stride[2] != gy.size[3] * gy.stride[3] ||
      gy.stride[1] != gy.size[2] * gy.stride[2] || gy.stride[0] != gy.size[1] * gy.stride[1])
    return false;
  HopperWgradPlan r{};
  HopperWgradParams& p = r.p;
  p.x = x;
  p.dtype = pb.dtype;
  p.x_rounded = tf32 && tma_rounds_tf32();
  p.split = split;
  p.gy = gy;
  p.gy_numel = numel(gy);
  p.Cin = pb.Cin;
  p.Kc = Kc;
  p.Nc = Nc;
  p.groups = pb.groups;
  p.ID = pb.in[0];
  p.IH = pb.in[1];
  p.IW = pb.in[2];
  p.OW = pb.out[2];
  p.Ed = pb.stride[0];
  p.Eh = pb.stride[1];
  p.Ew = pb.stride[2];
  p.nkw = p.Kw = pb.k[2];
  p.Kh = pb.k[1];
  p.taps = pb.taps();
  // w: x position iw meets y position Ew iw + kw dil - pad through tap kw
  int wmax = INT_MIN;
  p.wmin = INT_MAX;
  for (int kw = 0; kw < p.nkw; ++kw) {
    p.woff[kw] = kw * pb.dil[2] - pb.pad[2];
    p.wmin = std::min(p.wmin, p.woff[kw]);
    wmax = std::max(wmax, p.woff[kw]);
  }
  // a stage's window, kb 128-byte k-blocks of x positions: Ew (qs - 1) + span + 1 grad_y positions, + up to vec - 1
  // elements of phase, in 16-byte vectors
  auto window_vectors = [&](int kb) {
    const int64_t need = int64_t(p.Ew) * (kb * 128 / esize - 1) + wmax - p.wmin + 1;
    return (need + 2 * (vec - 1)) / vec;
  };
  // CUTLASS_CONVT3D_SM90_WGRAD_KB=1 / 2 (v90; v111: 2 the default for fp32 TF32 and for 16-bit at w stride 1, else 1):
  // stages of two 128-byte k-blocks (64 fp32 positions, 128 16-bit), half the stages and their fixed cost (barrier
  // round trips, per-stage setup) per byte, in a ring of 3 instead of 6 (slower at stop 36; with v109's interleaved
  // rows H100 fp32 mission 0.680 -> 0.650 ms, k3s1 0.552 -> 0.453; 16-bit within 1% but k3s1, -9%, and k3s2op1,
  // +1.6%); a TF32 x rounded by its TMA map (the transform's rounding pass would need twice its registers); not
  // 3xTF32.  One k-block where a row has only one (its second would be zeros) or where the longer window does not fit
  // (w dilation: a span past 6 at w stride 2)
  const bool kb2 = (tf32 ? tma_rounds_tf32() : half) && p.IW > 128 / esize &&
                   window_vectors(2) * 16 <= HopperWgradTiles::max_raw(2) * 4;
  const double kb_default = tf32 || p.Ew == 1 ? 2.0 : 1.0;
  const int kb = kb2 && env_knob("CUTLASS_CONVT3D_SM90_WGRAD_KB", kb_default, 1.0) == 2.0 ? 2 : 1;
  const int qs = kb * 128 / esize;  // positions per stage
  if (window_vectors(kb) * 16 > HopperWgradTiles::max_raw(kb) * 4) return false;
  p.vpr = int(window_vectors(kb));
  p.katoms = (p.IW + qs - 1) / qs;
  const DimMap md = pb.fwd(0), mh = pb.fwd(1);
  // CUTLASS_CONVT3D_SM90_WGRAD_PAIRS=<n> (1-4) caps a segment's pairs, for measurements: fewer make smaller slots and
  // a deeper ring, but read a class's grad_y rows once per segment
  const int max_pairs_knob =
      int(std::min<double>(HopperWgradTiles::kMaxPairs, env_knob("CUTLASS_CONVT3D_SM90_WGRAD_PAIRS", 4.0, 1.0)));
  int max_pairs = 0;
  for (int g = 0; g < pb.groups; ++g)
    for (int cib = 0; cib < Kc / 32; ++cib)
      for (int cob = 0; cob < Nc / 32; ++cob)
        for (int rd = 0; rd < md.E; ++rd)
          for (int rh = 0; rh < mh.E; ++rh) {
            // the class's (kd, kh) pairs, in segments of at most kMaxPairs (two 64-row A tiles; split: kMaxPairsSplit,
            // one), sizes balanced; a class of more (stride 1 along d and h: K^2 pairs, e.g. 9 for k3s1) has several
            // segments, each reading the class's grad_y rows again (v83; H200 k3s1 grad_weight fp32 0.89 -> 0.58 ms,
            // bf16 0.60 -> 0.32)
            auto each_pair = [&](auto f) {  // f(i, kd, kh, dd, dh) for the class's pairs in order; their count
              int i = 0;
              for (int kd = 0; kd < md.K; ++kd)
                for (int kh = 0; kh < mh.K; ++kh) {
                  int dd, dh;
                  if (md.delta(rd, kd, dd) && mh.delta(rh, kh, dh)) f(i++, kd, kh, dd, dh);
                }
              return i;
            };
            const int n = each_pair([](int, int, int, int, int) {});
            if (n == 0) continue;  // grad_y rows no tap reaches add nothing
            const int maxp = split ? HopperWgradTiles::kMaxPairsSplit : max_pairs_knob;
            const int parts = (n + maxp - 1) / maxp;
            const int64_t nqd = md.num_q(rd), nqh = mh.num_q(rh), rows = gy.size[0] * nqd * nqh;
            if (rows == 0) return false;  // the class's taps would have no partial sums written
            for (int part = 0; part < parts; ++part) {
              HopperWgradSeg s{};
              s.group = g;
              s.cib = cib;
              s.cob = cob;
              s.rd = rd;
              s.rh = rh;
              const int lo = n * part / parts, hi = n * (part + 1) / parts;
              each_pair([&](int i, int kd, int kh, int dd, int dh) {
                if (i < lo || i >= hi) return;
                s.kd[s.npairs] = kd;
                s.kh[s.npairs] = kh;
                s.dd[s.npairs] = dd;
                s.dh[s.npairs] = dh;
                ++s.npairs;
              });
              if (rows >= INT_MAX / std::max(p.katoms, 1) || p.nseg == HopperWgradTiles::kMaxSeg) return false;
              s.rows = int(rows);
              constexpr int B = HopperWgradTiles::kQB;
              s.full_rows = int(nqd / B * B * nqh);
              s.div_plane = FastDiv::make(int(nqd * nqh));
              s.div_bnqh = FastDiv::make(int(B * nqh));
              s.div_tail = FastDiv::make(std::max(1, int(nqd % B)));
              max_pairs = std::max(max_pairs, s.npairs);
              p.seg[p.nseg++] = s;
            }
          }
  if (p.nseg == 0) return false;
  // fewer than two (kd, kh) pairs per class on average (kernel 2, stride 2: one): a stage's fixed cost is paid for
  // half an A tile, and the sm_80 kernel was faster (k2s2 0.52 against 0.60 ms, v68); the tests force it (=1).  Not
  // for 3xTF32, whose segments hold at most 2 and whose sm_80 kernel is three times the TF32 one
  int total_pairs = 0;
  for (int i = 0; i < p.nseg; ++i) total_pairs += p.seg[i].npairs;
  if (!split && total_pairs < 2 * p.nseg && mode != Sm90Mode::kForce) return false;
  // slot: x tiles (two or four pairs of 4 KB) per k-block, B (4 KB per w tap) per k-block, the staged grad_y
  // windows; 1024-byte aligned.  split (one k-block): the x tiles' small parts after theirs, B's after B
  const int xa = (max_pairs > 2 ? 4 : 2) * 4096;
  p.kb = kb;
  p.xkb = xa;
  p.xs_off = split ? xa : 0;
  p.b_off = split ? 2 * xa : kb * xa;
  p.bs_off = split ? p.b_off + p.nkw * 4096 : 0;
  p.raw_off = (split ? p.bs_off : p.b_off) + kb * p.nkw * 4096;
  p.slot_bytes = (p.raw_off + 32 * p.vpr * 16 + 1023) / 1024 * 1024;
  // CUTLASS_CONVT3D_SM90_WGRAD_RING=<n> caps the ring, for measurements
  const int64_t rcap = int64_t(env_knob("CUTLASS_CONVT3D_SM90_WGRAD_RING", HopperWgradTiles::kMaxRing, 1));
  p.ring = int(std::min<int64_t>(std::min<int64_t>(HopperWgradTiles::kMaxRing, rcap),
                                 (int64_t(device_smem_optin()) - HopperWgradTiles::kBarBytes - 1024) / p.slot_bytes));
  if (p.ring < 2) return false;
  // one CTA per SM (its shared memory), the SMs shared among the segments by cost: a stage costs its pairs (x
  // tiles) plus a fixed part worth ~8 of them (v75, H200 mission: 1 2.1 4 6 8 16 and equal shares gave 0.97 0.85
  // 0.77 0.72 0.70 0.72 0.79 ms; the kernel is bound by each stage's latency, not by its bytes: L2 50%, DRAM 35%).
  // CUTLASS_CONVT3D_SM90_WGRAD_F=<f> sets the fixed part (a large f: equal shares), for measurements.  Stages of two
  // k-blocks (v90) pay it once per two: 4 (assumed; the fixed-part sweep at KB 2 is not measured)
  const double fixed = env_knob("CUTLASS_CONVT3D_SM90_WGRAD_F", 8.0 / kb);
  double cost[HopperWgradTiles::kMaxSeg];
  int64_t cap[HopperWgradTiles::kMaxSeg];
  int nch[HopperWgradTiles::kMaxSeg];
  for (int i = 0; i < p.nseg; ++i) {
    cost[i] = double(p.seg[i].rows) * (p.seg[i].npairs + fixed);
    cap[i] = p.seg[i].rows;
  }
  share_by_cost(cost, cap, p.nseg, device_sms(), nch);
  p.chunks = p.ctas = 0;
  for (int i = 0; i < p.nseg; ++i) {
    p.seg[i].cta0 = p.ctas;
    p.seg[i].nch = nch[i];
    p.ctas += nch[i];
    p.chunks = std::max(p.chunks, nch[i]);
  }
  r.ws_bytes = size_t(p.chunks) * pb.groups * p.taps * size_t(Kc) * Nc * 4;
  p.interleave = (hopper_interleave() & 2) != 0;  // v109
  // v128: L2 eviction priorities (kHopperWgradL2HintDefault).  H100 ncu (stop 45, mission fp32): 1.73 GB of reads for
  // x + grad_y's 1.17 -- x, which every class's pairs read again, ~5 times; grad_y once
  p.l2hint = past_l2_knob("CUTLASS_CONVT3D_SM90_WGRAD_L2HINT", kHopperWgradL2HintDefault, numel(a.y) * esize) & 3;
  set_probe(p);
  if (out) *out = r;
  return true;
}

// ---------------------------------------------------------------- Hopper grad_weight GEMM (wgemm_sm90.cuh, v116)
// CUTLASS_CONVT3D_SM90_WGEMM: 0 off, 1 where it applies with 64-channel column boxes (Nc % 64 == 0) and kernel !=
// stride somewhere, 2 wherever it applies (kernel == stride, 32-channel boxes: Nc % 32 == 0);
// unset: kHopperWgemmDefault.  Over every other grad_weight kernel where it applies.  Stop 49 (H100, one binary, knob
// 0 -> default, vnet-128-64): fp32 NCDHW 0.570 -> 0.276 ms, channels_last 0.468 -> 0.302, bf16 NCDHW 0.293 -> 0.227,
// fp16 0.292 -> 0.229 (16-bit channels_last stays off, see below); stop 47, at level 2 slower where the others read
// grad_y in place or the copy costs more than the GEMM saves: k2s2 unet-128-64 fp32 0.138 -> 0.241, 32-channel
// video-64-32 0.104 -> 0.156.
int hopper_wgemm_mode() {
  const char* e = std::getenv("CUTLASS_CONVT3D_SM90_WGEMM");
  const int v = e && e[0] >= '0' && e[0] <= '2' && !e[1] ? e[0] - '0' : kHopperWgemmDefault;
  return hopper_enabled() ? v : 0;
}

// grad_weight as one GEMM per group over TMA boxes where it applies: compute capability 9.0; fp32 multiplied in TF32
// with TMA rounding (its maps round both operands) or fp16 / bf16; Kc a multiple of 64 (the wgmma's M per consumer
// warpgroup), Nc of the box's 64 (32 at mode 2); x NCDHW as a TMA map reads it (w stride 1, 16-byte strides, n and
// channel foldable); grad_y with no zero stride (its copy would materialise an expanded one), copied into the
// workspace first, one row per distinct w offset and x row.
// CUTLASS_CONVT3D_SM90_WGEMM_FUSE=1 (v118, opt-in): the both-gradients op's channels_last grad_y copy for grad_input
// written by the grad_weight GEMM's tile copy from the tiles it stages (one read of grad_y for both copies); default
// 0, each pass copies for itself: stop 49 (H100, bench.py, vnet-128-64 fp32 forward + backward) 0.908 ms unfused
// against 0.962 fused (the tile copy, SM-bound at 84%, costs more than the second read of grad_y saves)
bool wgemm_fuse() { return env_knob("CUTLASS_CONVT3D_SM90_WGEMM_FUSE", 0.0) != 0.0; }

bool hopper_wgemm_plan(const Arguments& a, HopperWgemmPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  const int mode = hopper_wgemm_mode();
  if (!hopper_built() || mode == 0 || device_attrs().cc != 90) return false;
  const bool tf32 = pb.dtype == DType::kF32 && op_math(pb, Kind::kGradWeight) == Math::kTF32 && tma_rounds_tf32();
  const bool half = pb.dtype == DType::kF16 || pb.dtype == DType::kBF16;
  if (!(tf32 || half)) return false;
  if (mode == 1) {
    bool tap = true;  // kernel == stride, padding 0, dilation 1, no output padding: the tap-GEMM's problem
    for (int d = 0; d < 3; ++d)
      tap &= pb.k[d] == pb.stride[d] && pb.pad[d] == 0 && pb.dil[d] == 1 &&
             pb.out[d] == pb.in[d] * pb.stride[d];
    if (tap) return false;
  }
  const int Kc = pb.cin_g(), Nc = pb.cout_g();
  const int bc = Nc % 64 == 0 ? 64 : (mode == 2 && Nc % 32 == 0) ? 32 : 0;
  if (Kc % 64 || bc == 0) return false;
  const TensorRef5 &x = a.x, &gy = a.y;
  if (numel(x) == 0 || numel(gy) == 0 || has_zero_stride(gy)) return false;
  const int64_t es = int64_t(elem_size(pb.dtype));
  const int64_t N = x.size[0], OD = gy.size[2], OH = gy.size[3], OW = gy.size[4];
  if (N * pb.Cin >= INT_MAX || N * pb.Cout >= INT_MAX || N * pb.Cout * OD * OH >= INT_MAX) return false;
  const int Ed = pb.stride[0], Eh = pb.stride[1], Ew = pb.stride[2];
  HopperWgemmPlan r{};
  HopperWgemmParams& p = r.p;
  p.x = x;
  // CUTLASS_CONVT3D_SM90_WGEMM_CL=1 (kHopperWgemmClDefault): x and grad_y both channels_last, read in place, no
  // copies: 16-bit as MN-major operands (v125; wgmma takes those for 16-bit types only), fp32 transposed K-major in
  // shared memory by the consumers (v126); grad_y's box traverses w at the stride (TMA element strides <= 8; its box
  // of QB Ew w elements <= 256); 64-channel boxes (16-bit: one 128-byte swizzle row; fp32: two)
  const int64_t qbmax = 128 / es;  // (positions a k-block at most: the 128-byte k-blocks' QB)
  p.inplace = bc == 64 && env_knob("CUTLASS_CONVT3D_SM90_WGEMM_CL", double(kHopperWgemmClDefault)) != 0.0 &&
              tma_cl5(x, es) && tma_cl5(gy, es) && Ew <= 8 && qbmax * Ew <= 256;
  p.kbufs = p.inplace && es == 4 ? 2 : 0;
  // an x the A map cannot read in place (channels_last, rows off 16 bytes, expanded) is copied NCDHW first, its rows
  // padded to 16 bytes (x is 1/8 of grad_y at stride 2: vnet-128-64's is 34 MB)
  p.x_copy = !p.inplace && !tma_ncdhw_x(x, pb.Cin, es);
  p.xpitch = int((x.size[4] * es + 15) / 16 * 16 / es);
  r.x_bytes = 0;
  if (p.x_copy) {
    const int64_t rows = N * pb.Cin * x.size[2] * x.size[3];
    const int64_t T = HopperWgemmTiles::kCopyTile;  // (its grid: rows x w tiles x channel tiles)
    if (N * x.size[2] * x.size[3] >= INT_MAX || (x.size[4] + T - 1) / T > 65535 || pb.Cin / T > 65535 ||
        x.size[2] * x.size[3] * p.xpitch * es >= (int64_t(1) << 40))
      return false;
    p.xsrc = x;
    p.x.data = nullptr;  // (set_workspace)
    p.x.stride[4] = 1;
    p.x.stride[3] = p.xpitch;
    p.x.stride[2] = x.size[3] * p.x.stride[3];
    p.x.stride[1] = x.size[2] * p.x.stride[2];
    p.x.stride[0] = pb.Cin * p.x.stride[1];
    r.x_bytes = align256(size_t(rows) * p.xpitch * es);
  }
  p.gy = gy;
  // a channels_last grad_y: the copy reads (w x 32 co) tiles along the channels (lanes along w would each read a line);
  // CUTLASS_CONVT3D_SM90_WGEMM_TILES=1: any grad_y by tiles (read along w), =0 never
  const double tiles = env_knob("CUTLASS_CONVT3D_SM90_WGEMM_TILES", -1.0);
  const bool tiles_fit = pb.Cout % HopperWgemmTiles::kCopyTile == 0 && OW <= HopperWgemmTiles::kMaxTileOW;
  p.gy_tiles = !p.inplace && (tiles > 0 || (tiles < 0 && gy.stride[1] == 1)) && tiles_fit;
  // fp16 / bf16 at the default only where neither layout copy runs: stop 49 (H100), bf16 vnet-128-64 grad_weight
  // NCDHW 0.291 -> 0.227 ms, channels_last 0.231 -> 0.317 (the x and tile copies cost more than the cl kernel takes)
  if (half && mode == 1 && (p.x_copy || p.gy_tiles)) return false;
  // the both-gradients op's channels_last grad_y for grad_input, written by the tile copy (wgemm_writes_gy_cl)
  p.gycl = nullptr;
  p.gycl_round = false;
  if (a.y_cl_out && !p.inplace && tiles_fit && reinterpret_cast<uintptr_t>(a.y_cl_out) % 16 == 0 && wgemm_fuse()) {
    p.gy_tiles = true;
    p.gycl = a.y_cl_out;
    p.gycl_round = a.y_cl_out_rounded;
  }
  p.dtype = pb.dtype;
  p.Cin = pb.Cin;
  p.Cout = pb.Cout;
  p.Kc = Kc;
  p.Nc = Nc;
  p.groups = pb.groups;
  p.N = int(N);
  p.ID = int(x.size[2]);
  p.IH = int(x.size[3]);
  p.IW = int(x.size[4]);
  p.OD = int(OD);
  p.OH = int(OH);
  p.OW = int(OW);
  p.Ed = Ed;
  p.Eh = Eh;
  p.Ew = Ew;
  p.taps = pb.taps();
  p.M = Kc % 128 == 0 ? 128 : 64;
  p.ncib = Kc / p.M;
  p.bc = bc;
  // 64-byte k-block rows for 16-bit types where 128-byte ones would carry 32 or more zeros a row (vnet's 32-wide rows:
  // half; CUTLASS_CONVT3D_SM90_WGEMM_RB=128 keeps 128).  In place (v125 / v126): the same QB = rb / es positions a
  // k-block, landing as QB rows of 64 16-bit channels (fp32: two boxes of 32), so that the slot's bytes are the K-major
  // form's
  p.rb = es == 2 && p.IW % qbmax != 0 && p.IW % qbmax <= 32 && env_knob("CUTLASS_CONVT3D_SM90_WGEMM_RB", 64.0) == 64.0
             ? 64 : 128;
  const int64_t qb = p.rb / es;
  p.katoms = int((p.IW + qb - 1) / qb);
  p.Jw = int(p.katoms * qb);
  // the copy's variants: the distinct w offsets kw dil - pad
  p.nvar = 0;
  int var_of[64];
  if (pb.k[2] > 64) return false;
  for (int kw = 0; kw < pb.k[2]; ++kw) {
    const int woff = kw * pb.dil[2] - pb.pad[2];
    int v = 0;
    while (v < p.nvar && p.woff[v] != woff) ++v;
    if (v == p.nvar) {
      if (p.nvar == HopperWgemmTiles::kMaxVar) return false;
      p.woff[p.nvar++] = woff;
    }
    var_of[kw] = v;
  }
  const size_t copy_bytes = p.inplace ? 0 : align256(size_t(N) * pb.Cout * OD * OH * p.nvar * p.Jw * es);
  // column boxes: every (tap, co block), taps in (kd, kh, kw) order, in sets of nbox (N = nbox bc <= 256; the sets
  // balanced; 32-channel boxes in pairs, so that N is a multiple of 64)
  const int cobs = Nc / bc, total = p.taps * cobs, maxbox = HopperWgemmTiles::kMaxN / bc;
  const int nsets = (total + maxbox - 1) / maxbox;
  if (nsets > HopperWgemmTiles::kMaxSets) return false;
  int nbox = (total + nsets - 1) / nsets;
  if (bc == 32) nbox += nbox & 1;
  p.nsets = nsets;
  p.nbox = nbox;
  // x rows i whose grad_y row s i + off lies in [0, O): [lo, hi)
  auto valid = [&](int off, int s, int O, int I, int& lo, int& hi) {
    lo = std::max(0, floor_div(-off + s - 1, s));
    hi = std::min(I, floor_div(O - 1 - off, s) + 1);
  };
  for (int si = 0; si < nsets; ++si) {
    HopperWgemmSet& S = p.set[si];
    const int b0 = int(int64_t(total) * si / nsets), b1 = int(int64_t(total) * (si + 1) / nsets);
    S.nbox = b1 - b0;
    int dlo = INT_MAX, dhi = INT_MIN, hlo = INT_MAX, hhi = INT_MIN;
    for (int b = b0; b < b1; ++b) {
      HopperWgemmBox& bx = S.box[b - b0];
      bx.tap = b / cobs;
      bx.co0 = b % cobs * bc;
      const int kw = bx.tap % pb.k[2], kh = bx.tap / pb.k[2] % pb.k[1], kd = bx.tap / (pb.k[2] * pb.k[1]);
      bx.dd = kd * pb.dil[0] - pb.pad[0];
      bx.dh = kh * pb.dil[1] - pb.pad[1];
      bx.v = var_of[kw];
      int l0, h0, l1, h1;
      valid(bx.dd, Ed, p.OD, p.ID, l0, h0);
      valid(bx.dh, Eh, p.OH, p.IH, l1, h1);
      if (l0 >= h0 || l1 >= h1) continue;  // a tap no x row meets: its sums are zero
      dlo = std::min(dlo, l0);
      dhi = std::max(dhi, h0);
      hlo = std::min(hlo, l1);
      hhi = std::max(hhi, h1);
    }
    S.id0 = dlo < dhi ? dlo : 0;
    S.nid = dlo < dhi ? dhi - dlo : 0;
    S.ih0 = hlo < hhi ? hlo : 0;
    S.nih = hlo < hhi ? hhi - hlo : 0;
    if (N * S.nid * S.nih * p.katoms >= INT_MAX) return false;
  }
  // CUTLASS_CONVT3D_SM90_WGEMM_ROWS=1 (the default): every set walks the union of all sets' rows, so that the CTAs of
  // one chunk read the same x and grad_y rows at about the same time (call 2's ncu, vnet-128-64 fp32: 344 MB of DRAM
  // reads for the 235 MB of x and the copy, with the sets' own ranges offsetting their chunks); a set's rows outside
  // its own range load only the TMA's zero fill.  0: each set its own rows
  if (env_knob("CUTLASS_CONVT3D_SM90_WGEMM_ROWS", 1.0) != 0.0) {
    int dlo = INT_MAX, dhi = INT_MIN, hlo = INT_MAX, hhi = INT_MIN;
    for (int si = 0; si < nsets; ++si) {
      const HopperWgemmSet& S = p.set[si];
      if (S.nid == 0 || S.nih == 0) continue;
      dlo = std::min(dlo, S.id0);
      dhi = std::max(dhi, S.id0 + S.nid);
      hlo = std::min(hlo, S.ih0);
      hhi = std::max(hhi, S.ih0 + S.nih);
    }
    for (int si = 0; si < nsets && dlo < dhi && hlo < hhi; ++si) {
      HopperWgemmSet& S = p.set[si];
      S.id0 = dlo;
      S.nid = dhi - dlo;
      S.ih0 = hlo;
      S.nih = hhi - hlo;
    }
  }
  const int64_t nseg = int64_t(nsets) * p.ncib * pb.groups;
  if (nseg >= INT_MAX / 4) return false;
  p.nseg = int(nseg);
  // one CTA per SM (its shared memory); every segment the same chunks, so that the CTAs resident together cover
  // all segments of a few chunks (CUTLASS_CONVT3D_SM90_WGEMM_CHUNKS=<c> sets them, for measurements)
  int64_t maxrows = 1;
  for (int si = 0; si < nsets; ++si) maxrows = std::max<int64_t>(maxrows, N * p.set[si].nid * p.set[si].nih);
  const int64_t dflt = std::max<int64_t>(1, device_sms() / nseg);
  p.chunks = int(std::min<int64_t>(maxrows, int64_t(env_knob("CUTLASS_CONVT3D_SM90_WGEMM_CHUNKS", double(dflt), 1.0))));
  if (int64_t(p.chunks) * p.nseg >= INT_MAX) return false;
  p.b_off = p.M * p.rb;
  p.slot_bytes = (p.b_off + nbox * bc * p.rb + 1023) / 1024 * 1024;
  const int64_t rcap = int64_t(env_knob("CUTLASS_CONVT3D_SM90_WGEMM_RING", HopperWgemmTiles::kMaxRing, 2.0));
  // (v126: the two K-major buffers past the ring)
  p.ring = int(std::min<int64_t>(
      std::min<int64_t>(HopperWgemmTiles::kMaxRing, rcap),
      (int64_t(device_smem_optin()) - HopperWgemmTiles::kBarBytes - 1024) / p.slot_bytes - p.kbufs));
  if (p.ring < 2) return false;
  r.copy_bytes = copy_bytes;
  r.ws_bytes = copy_bytes + r.x_bytes + size_t(p.chunks) * pb.groups * p.taps * size_t(Kc) * Nc * 4;
  if (out) *out = r;
  return true;
}

// ---------------------------------------------------------------- Hopper grad_input (dgrad_sm90.cuh)
namespace {
bool hopper_exact_dgrad() {
  return env_knob("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", double(kHopperExactDgradDefault)) != 0.0;
}

// The ways to cut a dimension's K taps (stride s, dilation dil) into pass sets, fewest sets first: all of them; with
// more than one class (m = s / gcd(s, dil)), the classes c + m j; then each set halved, until every set is one tap.
std::vector<std::vector<DgradTaps>> dgrad_tap_cuts(int K, int s, int dil) {
  int g = s, b = dil;
  while (b) std::swap(g, b), b %= g;
  const int m = s / g;
  std::vector<std::vector<DgradTaps>> cuts{{DgradTaps{0, 1, K}}};
  if (m > 1 && K > 1) {
    std::vector<DgradTaps> cls;
    for (int c = 0; c < std::min(m, K); ++c) cls.push_back(DgradTaps{c, m, (K - c + m - 1) / m});
    cuts.push_back(cls);
  }
  while (cuts.back().size() < size_t(K)) {
    std::vector<DgradTaps> next;
    for (const DgradTaps& t : cuts.back()) {
      if (t.K == 1) {
        next.push_back(t);
        continue;
      }
      next.push_back(DgradTaps{t.c, t.m, t.K / 2});
      next.push_back(DgradTaps{t.c + t.m * (t.K / 2), t.m, t.K - t.K / 2});
    }
    cuts.push_back(next);
  }
  return cuts;
}

// One pass's tap-dependent parameters (td, th: its taps along d and h) over the tap-independent ones already in p:
// its maps (x row id reads grad_y row id s - pad + (c + m j) dil: padding pad - c dil, dilation m dil), the tiles'
// shared rows, its weights as a strided view of w and their bytes (parts: 2 for 3xTF32's big and small), the ring
// beside them (at least min_ring slots, else false) and the CTAs.
// fuse (v146): the fused backward's pass (one h row a tile, its x buffers and grad_weight sums in shared memory too)
bool dgrad_pass(const Arguments& a, DgradTaps td, DgradTaps th, int parts, int min_ring, HopperDgradParams& p,
                bool fuse = false) {
  const ConvT3dProblem& pb = a.problem;
  const int esize = int(elem_size(pb.dtype));
  const DgradTaps t[2] = {td, th};
  int S[2], R[2];
  for (int d = 0; d < 2; ++d) {
    // x rows i and i + 1 read grad_y row o at taps j and j - s / (m dil): shared rows where s is a multiple of m dil
    S[d] = hopper_dgrad_shift(pb.stride[d], t[d].m * pb.dil[d], t[d].K);
    R[d] = S[d] < t[d].K ? 2 : 1;  // pairs of rows only where they share (else 4 rows per tile cost balance: v73 k2s2)
  }
  // the fused kernel's accumulators are for one h row (its grad_weight sums take the registers and shared memory a
  // second one would need)
  if (fuse) R[1] = 1;
  p.md = grad_input_map(td.K, pb.stride[0], pb.pad[0] - td.c * pb.dil[0], td.m * pb.dil[0], pb.out[0], pb.in[0]);
  p.mh = grad_input_map(th.K, pb.stride[1], pb.pad[1] - th.c * pb.dil[1], th.m * pb.dil[1], pb.out[1], pb.in[1]);
  p.Kd = td.K;
  p.Kh = th.K;
  p.Sd = S[0];
  p.Sh = S[1];
  p.Rd = R[0];
  p.Rh = R[1];
  p.nd = p.Kd + (p.Rd == 2 ? p.Sd : 0);
  p.nj = p.Kh + (p.Rh == 2 ? p.Sh : 0);
  const int64_t rows = a.x.size[0] * ((pb.in[0] + p.Rd - 1) / p.Rd) * ((pb.in[1] + p.Rh - 1) / p.Rh);
  if (rows * p.qblocks >= INT_MAX) return false;
  p.rows = int(rows);
  p.div_ih = FastDiv::make((pb.in[1] + p.Rh - 1) / p.Rh);
  p.div_id = FastDiv::make((pb.in[0] + p.Rd - 1) / p.Rd);
  p.w = a.w;  // taps c + m j: the view from tap c at m times the stride
  p.w.data = static_cast<char*>(a.w.data) + (td.c * a.w.stride[2] + th.c * a.w.stride[3]) * int64_t(esize);
  p.w.size[2] = td.K;
  p.w.size[3] = th.K;
  p.w.stride[2] *= td.m;
  p.w.stride[3] *= th.m;
  const int64_t wb = int64_t(td.K) * th.K * pb.k[2] * p.Kco * 32 * esize * parts;
  p.fuse = fuse;
  p.xbufs = fuse ? p.Rd + 1 : 0;  // (Rd + 1: a tile's second row loads while the tile before still reads its rows)
  p.ring = 0;
  const int64_t extra = int64_t(hopper_dgrad_smem_bytes(p)) - HopperDgradTiles::kBarBytes - int64_t(p.w_bytes);
  const int64_t room = device_smem_optin() - wb - HopperDgradTiles::kBarBytes - extra;
  if (room < int64_t(min_ring) * p.slot_bytes) return false;
  p.w_bytes = int(wb);
  p.ring = int(std::min<int64_t>(HopperDgradTiles::kMaxRing, room / p.slot_bytes));
  // one CTA per SM (its shared memory); each segment's tiles cut into the same number of runs of x rows
  const int64_t tiles = rows * p.qblocks;
  p.chunks = int(std::max<int64_t>(1, std::min<int64_t>(device_sms() / std::max(p.nseg, 1), tiles)));
  if (int64_t(p.nseg) * p.chunks >= INT_MAX) return false;
  // a CTA's stages (tiles x nd x nj x co blocks) are counted in 32 bits
  return (tiles / p.chunks + 1) * p.nd * p.nj * p.ncob < INT_MAX;
}

// grad_input on wgmma where it applies: compute capability 9.0; fp32 multiplied in TF32 (fp16 / bf16 too under
// CUTLASS_CONVT3D_SM90_16BIT, v85 / v86; exact fp32 as 3xTF32 under CUTLASS_CONVT3D_SM90_EXACT_DGRAD, v129); whole
// 32-channel blocks in and out per group; w stride <= 2, w dilation 1 and <= 4 w taps (the kernel's instances and
// channel order); grad_y and grad_input of unit w stride (any other strides); the segment's weights (3xTF32: a pass's,
// HopperDgradPlan) and two grad_y stages in shared memory.
// On by default (v73, H200: mission 0.51 against the sm_80 row-conv's 0.87 ms, faster on every shape measured;
// benchmarks/NOTES.md); CUTLASS_CONVT3D_SM90_DGRAD=0 (or CUTLASS_CONVT3D_SM90=0) keeps the sm_80 kernel.  grad_y and
// grad_input both channels_last of whole 16-byte vectors instead (v84, v86; H200 mission channels_last grad_input
// fp32 0.77 -> 0.41, bf16 0.43 -> 0.23 ms).  False: the sm_80 row-conv takes it.
bool hopper_dgrad_plan(const Arguments& a, HopperDgradPlan* out, bool fuse = false) {
  const ConvT3dProblem& pb = a.problem;
  const Sm90Mode mode = sm90_mode("CUTLASS_CONVT3D_SM90_DGRAD");
  if (!hopper_built() || mode == Sm90Mode::kOff || device_attrs().cc != 90) return false;
  const Math math = op_math(pb, Kind::kGradInput);
  const bool tf32 = pb.dtype == DType::kF32 && math == Math::kTF32;
  const bool exact = pb.dtype == DType::kF32 && math == Math::kExact && hopper_exact_dgrad();
  const bool half = (pb.dtype == DType::kF16 || pb.dtype == DType::kBF16) && hopper_16bit();
  if (!(tf32 || exact || half) || use_direct(pb)) return false;
  const int Kci = pb.cin_g(), Kco = pb.cout_g(), esize = int(elem_size(pb.dtype)), vec = 16 / esize;
  if (Kci % 32 || Kco % 32 || pb.stride[2] > 2 || pb.dil[2] != 1 || pb.k[2] > HopperDgradTiles::kMaxKw) return false;
  if (exact && pb.k[2] > HopperDgradTiles::kMaxKwSplit) return false;
  if (numel(a.x) == 0 || numel(a.y) == 0 || reinterpret_cast<uintptr_t>(a.y.data) % esize) return false;
  // (cf_rows: w stride not 1; grad_input written, so no zero strides)
  const bool cl = cf_rows(a.y, Kco, pb.dtype) && cf_rows(a.x, Kci, pb.dtype) && !has_zero_stride(a.x);
  if (!cl && (a.y.stride[4] != 1 || a.x.stride[4] != 1)) return false;
  HopperDgradParams p{};  // the tap-independent parameters (dgrad_pass sets the others)
  p.gy = a.y;
  p.gx = a.x;
  p.cl = cl;
  p.dtype = pb.dtype;
  p.split = exact;
  p.Kci = Kci;
  p.Kco = Kco;
  p.ncib = Kci / 32;
  p.ncob = Kco / 32;
  p.Kw = pb.k[2];
  p.Ew = pb.stride[2];
  p.pw = pb.pad[2];
  p.IW = pb.in[2];
  p.OW = pb.out[2];
  p.ID = pb.in[0];
  p.IH = pb.in[1];
  p.qblocks = (p.IW + HopperDgradTiles::BQ - 1) / HopperDgradTiles::BQ;
  p.div_qb = FastDiv::make(p.qblocks);
  // a stage: 32 channel rows of the window's vectors at a pitch, or (channels_last) the window's 128-byte positions
  const int win = HopperDgradTiles::window(p.Ew, p.Kw);
  p.pitch = cl ? 32 : HopperDgradTiles::pitch(HopperDgradTiles::vectors(win, vec), vec);
  // (16-bit channels_last: 64-byte positions, at w stride 2 with padding: HopperDgradTiles::cl16_row)
  const int cl_bytes = esize == 4 ? win * 128 : HopperDgradTiles::cl16_row(p.Ew, win - 1) + 64;
  p.slot_bytes = ((cl ? cl_bytes : 32 * p.pitch * esize) + 127) / 128 * 128;
  p.gy_ph = int(reinterpret_cast<uintptr_t>(a.y.data) / esize % vec);
  for (int d = 0; d < 4; ++d) p.s4[d] = int(a.y.stride[d] & 7);  // (mod 8: the kernel takes them mod vec)
  p.nseg = pb.groups * p.ncib;
  p.interleave = (hopper_interleave() & 1) != 0;  // v109
  set_probe(p);
  // one pass per (d set, h set) of the cuts, the first writing grad_input and the rest adding to it; false where one
  // does not fit beside min_ring slots
  const int parts = exact ? 2 : 1;
  const int min_ring = exact ? int(env_knob("CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING", 2.0, 2.0)) : 2;
  auto plan = [&](const DgradTaps* sd, int nsd, const DgradTaps* sh, int nsh) {
    HopperDgradPlan r{};
    size_t most = 0;
    for (int i = 0; i < nsd; ++i)
      for (int j = 0; j < nsh; ++j) {
        const int k = i * nsh + j;
        r.pass[k] = p;
        r.td[k] = sd[i];
        r.th[k] = sh[j];
        r.pass[k].accumulate = k > 0;
        if (!dgrad_pass(a, sd[i], sh[j], parts, min_ring, r.pass[k], fuse)) return false;
        most = std::max(most, size_t(p.nseg) * size_t(r.pass[k].w_bytes));
      }
    r.npass = nsd * nsh;
    r.pack_bytes = align256(most);
    if (out) *out = r;
    return true;
  };
  const DgradTaps all_d{0, 1, pb.k[0]}, all_h{0, 1, pb.k[1]};
  if (!exact) return plan(&all_d, 1, &all_h, 1);  // TF32 / 16-bit: every tap in one pass
  // 3xTF32: the fewest passes that fit beside CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING slots (default 2)
  const auto cd = dgrad_tap_cuts(pb.k[0], pb.stride[0], pb.dil[0]);
  const auto ch = dgrad_tap_cuts(pb.k[1], pb.stride[1], pb.dil[1]);
  for (size_t n = 1; n <= size_t(HopperDgradPlan::kMaxPasses); ++n)
    for (const auto& sh : ch)  // (for as many passes, cut along d first)
      for (const auto& sd : cd)
        if (sd.size() * sh.size() == n && plan(sd.data(), int(sd.size()), sh.data(), int(sh.size()))) return true;
  return false;
}

// The forward at unit stride on the Hopper grad_input kernel (v79; on by default, CUTLASS_CONVT3D_SM90_UNIT_FWD=0 turns
// it off; H200 k3s1p1 forward 0.60 -> 0.32 ms NCDHW, 0.54 -> 0.27 channels_last).
// There y[co][o] = sum over taps k and ci of x[ci][o + p - k dil] w[ci][co][k]: the grad_input of the adjoint problem
// -- its input y, its output x, padding (K - 1) dil - p, the weight with its channel dims swapped and every tap
// flipped (a strided view of w, no copy) -- so that kernel reads x as its grad_y and writes y as its grad_input.
// groups 1, no output padding, padding <= (K - 1) dil; the bias added by the grad_input kernel's epilogue.  hd: the
// plan of those arguments.  (The stride-1 Hopper forward does not exist: its two w phases fill the wgmma's rows.)
bool unit_forward_dgrad(const Arguments& a, HopperDgradPlan* hd) {
  const ConvT3dProblem& pb = a.problem;
  if (env_knob("CUTLASS_CONVT3D_SM90_UNIT_FWD", 1.0) == 0.0) return false;
  if (pb.groups != 1 || pb.dtype != DType::kF32) return false;  // (the epilogue's bias is fp32)
  Arguments q = a;
  ConvT3dProblem& qp = q.problem;
  std::swap(qp.Cin, qp.Cout);
  char* wdata = static_cast<char*>(a.w.data);
  q.w.size[0] = a.w.size[1];
  q.w.size[1] = a.w.size[0];
  q.w.stride[0] = a.w.stride[1];
  q.w.stride[1] = a.w.stride[0];
  for (int d = 0; d < 3; ++d) {
    const int64_t reach = int64_t(pb.k[d] - 1) * pb.dil[d];
    if (pb.stride[d] != 1 || pb.pad[d] > reach || pb.out[d] != pb.in[d] + reach - 2 * pb.pad[d]) return false;
    qp.in[d] = pb.out[d];
    qp.out[d] = pb.in[d];
    qp.pad[d] = int(reach - pb.pad[d]);
    q.w.stride[2 + d] = -a.w.stride[2 + d];  // tap k' reads tap K - 1 - k'
    wdata += (pb.k[d] - 1) * a.w.stride[2 + d] * int64_t(elem_size(pb.dtype));
  }
  q.w.data = wdata;
  q.x = a.y;  // the grad_input it writes
  q.y = a.x;  // the grad_y it reads
  if (check_problem(qp, nullptr) != Status::kSuccess || !hopper_dgrad_plan(q, hd)) return false;
  if (hd) {  // (a caller asking only whether it applies passes none)
    hd->pass[0].bias = static_cast<const float*>(a.bias);  // y's channels: the grad_input's (added once: first pass)
    hd->pass[0].bias_stride = a.bias_stride;
  }
  return true;
}

}  // namespace

bool dgrad_kernel_plan(Kind K, const Arguments& a, HopperDgradPlan* hd) {
  return K == Kind::kForward ? unit_forward_dgrad(a, hd) : K == Kind::kGradInput && hopper_dgrad_plan(a, hd);
}

int hopper_fused_bwd() { return int(env_knob("CUTLASS_CONVT3D_SM90_FUSED_BWD", double(kHopperFusedBwdDefault))); }

bool hopper_bwd_plan(const Arguments& a, const TensorRef5& x, HopperDgradPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  if (hopper_fused_bwd() == 0 || (pb.dtype != DType::kF16 && pb.dtype != DType::kBF16)) return false;
  // x rows of unit w stride, read by 16-byte copies of 8 positions where they start on 16 bytes (x_vec), else by
  // element loads (an expanded x: zero strides are fine)
  if (x.stride[4] != 1 || reinterpret_cast<uintptr_t>(x.data) % 2) return false;
  for (int d = 0; d < 5; ++d)
    if (x.size[d] != a.x.size[d]) return false;
  bool x_vec = reinterpret_cast<uintptr_t>(x.data) % 16 == 0;
  for (int d = 0; d < 4; ++d) x_vec &= x.stride[d] % 8 == 0;
  HopperDgradPlan hd;
  if (!hopper_dgrad_plan(a, &hd, true) || hd.npass != 1 || hd.pass[0].cl || !hd.pass[0].fuse) return false;
  // the write-out's partial sums are indexed in 32 bits within a chunk's groups x taps x channels
  if (int64_t(pb.groups) * pb.taps() * pb.cin_g() * pb.cout_g() >= INT_MAX) return false;
  hd.pass[0].xs = x;
  hd.pass[0].x_vec = x_vec;
  if (out) *out = hd;
  return true;
}

size_t hopper_bwd_partials_bytes(const ConvT3dProblem& pb, const HopperDgradPlan& hd) {
  return align256(size_t(hd.pass[0].chunks) * pb.groups * pb.taps() * pb.cin_g() * pb.cout_g() * sizeof(float));
}

}  // namespace planning
}  // namespace ct3d
