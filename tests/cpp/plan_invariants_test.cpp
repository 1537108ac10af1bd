// Host checks of the Hopper plans (convt3d_plan_sm90.cpp, no GPU): the real hopper_plan, hopper_wgrad_plan and
// dgrad_kernel_plan, with the device queries answered as an H100's (132 SMs, 227 KB of shared memory per CTA,
// compute capability 9.0), over random problems (dtypes, layouts, kernels, strides, paddings, dilations, groups,
// channel counts, widths) and the measurement knobs that change a plan's layout (KB, PAIRS, EXACT, TMA_ROUND, VEC16,
// MERGE).  Where a plan says yes, what its kernel relies on must hold: shared memory within the opt-in limit, the
// slot regions inside their slot, apart and 1024-byte aligned (wgmma's swizzle atoms), windows that cover what the
// transform reads, every output row / every (kd, kh) tap of every class in exactly one segment, the CTAs within the
// SMs.  The kernels cannot run without a GPU; these are the plans' half of their contract.  Built and run by .ci/run;
// exit status 1 on any violation.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "convt3d_plan_sm90.h"
#include "device_cache.h"

namespace ct3d {
// the device: an H100 (the plans read nothing else of it)
const DeviceAttrs& device_attrs() {
  static const DeviceAttrs d{132, 232448, 233472, 90, 50 << 20};
  return d;
}
bool hopper_built() { return true; }
bool grad_input_copies_gy(const Arguments& a);  // (convt3d_plan.cpp's, for v118's premise)
// the launchers: never reached by a plan
[[noreturn]] static void not_here(const char* f) {
  std::printf("plan_invariants_test: %s called\n", f);
  std::exit(2);
}
const KernelLaunchers& launchers_tf32() { not_here(__func__); }
const KernelLaunchers& launchers_exact() { not_here(__func__); }
const KernelLaunchers& launchers_f16() { not_here(__func__); }
const KernelLaunchers& launchers_bf16() { not_here(__func__); }
const KernelLaunchers& launchers_f64() { not_here(__func__); }
Status hopper_pack(const HopperParams&, const TensorRef5&, void*, bool, cudaStream_t, std::string*) { not_here(__func__); }
Status hopper_forward(const HopperParams&, const TensorRef5&, bool, int, cudaStream_t, std::string*) {
  not_here(__func__);
}
Status hopper_wgrad_partials(const HopperWgradParams&, cudaStream_t, std::string*) { not_here(__func__); }
Status hopper_wgemm_partials(const HopperWgemmParams&, cudaStream_t, std::string*) { not_here(__func__); }
Status hopper_dgrad_pack(const HopperDgradParams&, cudaStream_t, std::string*) { not_here(__func__); }
Status hopper_dgrad(const HopperDgradParams&, cudaStream_t, std::string*) { not_here(__func__); }
Status hopper_tapgemm(DType, const TapGemmParams&, dim3, const SmemLimits&, cudaStream_t, std::string*) {
  not_here(__func__);
}
Status hopper_pgemm(DType, const TapGemmParams&, const SmemLimits&, cudaStream_t, std::string*) { not_here(__func__); }
}  // namespace ct3d

using namespace ct3d;
using namespace ct3d::planning;

static int failures = 0;
static std::string where;  // the problem being checked
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond) && failures++ < 20) {                     \
      std::printf("FAIL %s [%s]: ", #cond, where.c_str()); \
      std::printf(__VA_ARGS__);                           \
      std::printf("\n");                                  \
    }                                                     \
  } while (0)

static const int kOptin = 232448, kSms = 132;

static TensorRef5 dense(void* data, int64_t n, int64_t c, int64_t d, int64_t h, int64_t w, bool cl) {
  TensorRef5 t{data, {n, c, d, h, w}, {}};
  if (cl) {
    t.stride[1] = 1, t.stride[4] = c, t.stride[3] = w * c, t.stride[2] = h * w * c, t.stride[0] = d * h * w * c;
  } else {
    t.stride[4] = 1, t.stride[3] = w, t.stride[2] = h * w, t.stride[1] = d * h * w, t.stride[0] = c * d * h * w;
  }
  return t;
}

// The arguments of problem pb over dense tensors at data: x and y NCDHW or channels_last, w PyTorch's layout
static Arguments dense_args(void* data, const ConvT3dProblem& pb, bool xcl, bool ycl) {
  Arguments a{};
  a.problem = pb;
  a.x = dense(data, pb.N, pb.Cin, pb.in[0], pb.in[1], pb.in[2], xcl);
  a.y = dense(data, pb.N, pb.Cout, pb.out[0], pb.out[1], pb.out[2], ycl);
  a.w = dense(data, pb.Cin, pb.Cout / pb.groups, pb.k[0], pb.k[1], pb.k[2], false);
  return a;
}

// [lo, hi) byte ranges of one slot: inside [0, size), 1024-byte aligned starts, pairwise apart
static void check_regions(std::vector<std::pair<int64_t, int64_t>> r, int64_t size, const char* what) {
  std::sort(r.begin(), r.end());
  for (size_t i = 0; i < r.size(); ++i) {
    CHECK(r[i].first % 1024 == 0 && r[i].first >= 0 && r[i].second <= size && r[i].first <= r[i].second,
          "%s region [%lld, %lld) of a %lld-byte slot", what, (long long)r[i].first, (long long)r[i].second,
          (long long)size);
    if (i) CHECK(r[i - 1].second <= r[i].first, "%s regions overlap at %lld", what, (long long)r[i].first);
  }
}

using PairBag = std::multiset<std::pair<int, int>>;  // (kd, kh) taps, each as often as segments hold it

// the (kd, kh) taps of class (rd, rh), as every plan derives them
static std::set<std::pair<int, int>> class_pairs(const ConvT3dProblem& pb, int rd, int rh) {
  const DimMap md = pb.fwd(0), mh = pb.fwd(1);
  std::set<std::pair<int, int>> s;
  for (int kd = 0; kd < md.K; ++kd)
    for (int kh = 0; kh < mh.K; ++kh) {
      int dd, dh;
      if (md.delta(rd, kd, dd) && mh.delta(rh, kh, dh)) s.insert({kd, kh});
    }
  return s;
}

static int wide_plans = 0;  // forward plans of kWideNSJ blocks per pair (unless CUTLASS_CONVT3D_SM90_NSJ8=0)
static int x_ncdhw_plans = 0;  // ... reading an NCDHW x in place (v133, under CUTLASS_CONVT3D_SM90_X_NCDHW=1)
static int whole_row_plans = 0;  // ... of whole-row tiles (v135, under CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2)
static int x_mn_plans = 0;  // ... reading a 16-bit NCDHW x in place as MN-major B (v140, under CUTLASS_CONVT3D_SM90_X_MN=1)
static int x_rs_plans = 0;  // ... reading an fp32 NCDHW x in place as register A (v141, under CUTLASS_CONVT3D_SM90_X_RS=2)
static bool nsj8_off() {
  const char* e = std::getenv("CUTLASS_CONVT3D_SM90_NSJ8");
  return e && std::atof(e) == 0.0;
}
static void check_forward(const Arguments& a, const HopperPlan& r) {
  const ConvT3dProblem& pb = a.problem;
  const HopperParams& p = r.p;
  const int es = int(elem_size(pb.dtype)), parts = p.split ? 2 : 1;
  CHECK(hopper_smem_bytes(p) <= size_t(kOptin), "shared memory %zu", hopper_smem_bytes(p));
  CHECK(p.nwg >= 1 && p.nwg <= HopperTiles::max_wg(p.split ? HopperTiles::kMaxWGSplit : HopperTiles::kMaxWG,
                                                   p.x_rs ? HopperTiles::kXRegs : HopperTiles::kXMap, p.bq, p.split),
        "nwg %d at BQ %d", p.nwg, p.bq);
  // v135: whole-row tiles only with the knob on (its default 1), for an NCDHW y by row vectors longer than one
  // 64-position tile, not split, x by the map alone, at most 4 blocks a pair; 2 warpgroups or more unless forced
  const char* wr = std::getenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS");
  CHECK(p.bq == HopperTiles::BQ ||
            (p.bq == HopperTiles::kRowBQ && (wr ? wr[0] != '0' : kHopperWholeRowsDefault > 0) && p.vec16 && !p.cf_dst &&
             !p.split && p.land_bytes == 0 && p.S * (p.Kc / 32) <= HopperTiles::kMaxNSJ && pb.out[2] > 2 * HopperTiles::BQ),
        "BQ %d", p.bq);
  CHECK(p.bq == HopperTiles::BQ || p.nwg >= 2 || std::getenv("CUTLASS_CONVT3D_SM90_CFG"), "whole rows at %d warpgroup",
        p.nwg);
  // v137: the wgmma pipelining only under its knob (off by default), only in whole-row tiles (their instances)
  const char* wp = std::getenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE");
  CHECK(p.wgmma_pipe == (p.bq == HopperTiles::kRowBQ && (wp ? wp[0] == '1' : kHopperWgmmaPipeDefault == 1)),
        "wgmma_pipe %d at BQ %d", p.wgmma_pipe, p.bq);
  whole_row_plans += p.bq == HopperTiles::kRowBQ;
  CHECK(p.ring >= 2 && p.nwg * p.ring <= HopperTiles::kMaxBars, "ring %d x %d", p.nwg, p.ring);
  CHECK(p.S >= 1 && (p.S * (p.Kc / 32) <= HopperTiles::kMaxNSJ ||
                     (p.S * (p.Kc / 32) == HopperTiles::kWideNSJ && p.S == 1 && !nsj8_off())),
        "S %d Kc %d", p.S, p.Kc);
  wide_plans += p.S * (p.Kc / 32) == HopperTiles::kWideNSJ;
  // a slot: a pair's x row (both parts where split), or the epilogue's half tile staged in the tile's last slot
  // (v141 / v142: x in registers lands one part of rs_rows(bq) positions, checked below)
  CHECK(p.slot_bytes % 1024 == 0 &&
            (p.x_rs || p.slot_bytes >= parts * (p.Kc / 32) * HopperTiles::rows(p.S, p.bq) * 32 * es) &&
            p.slot_bytes >= HopperTiles::half_out_bytes(p.cf_dst, p.bq) && HopperTiles::rows(p.S, p.bq) <= 256,
        "slot %d", p.slot_bytes);
  CHECK(int64_t(p.q_blocks) * p.bq * 2 >= pb.out[2] && int64_t(p.q_blocks - 1) * p.bq * 2 < pb.out[2],
        "q blocks %d of %d for OW %d", p.q_blocks, p.bq, pb.out[2]);
  CHECK(!p.vec16 || (!p.cf_dst && (!p.split || p.x_rs)), "vec16 on a %s%s y", p.split ? "split " : "",
        p.cf_dst ? "channels_last" : "NCDHW");
  // v133: an NCDHW x read in place (fp32 TF32, NCDHW y, w stride 1, whole 16-byte strides), two landing buffers of a
  // pair's boxes per warpgroup, no copy; never by default
  if (p.land_bytes > 0) {
    CHECK(!r.restage_x && pb.math == Math::kTF32 && !p.split && !p.cf_dst && a.x.stride[4] == 1 &&
              aligned16(a.x, {0, 1, 2, 3}, es) && p.S * (p.Kc / 32) <= HopperTiles::kMaxNSJ &&
              p.land_bytes % 1024 == 0 && p.land_bytes >= (p.Kc / 32) * HopperTiles::rows(p.S) * 32 * es &&
              std::getenv("CUTLASS_CONVT3D_SM90_X_NCDHW"),
          "an NCDHW x in place: land %d", p.land_bytes);
    // (the transpositions' block maps wrap once: nwb past the largest offset they add)
    CHECK(HopperXTranspose<4>::make(HopperTiles::rows(p.S)).nwb >= 8 &&
              HopperXTranspose<8>::make(HopperTiles::rows(p.S)).nwb >= 7,
          "the transposition's diagonal wraps once");
  }
  // v140: a 16-bit NCDHW x read in place as the wgmma's MN-major B (NCDHW y by row vectors, w stride 1, whole 16-byte
  // strides, no landing buffers, not pipelined), a slot of S landings of bq positions per 32 channels; only under
  // its knob, never by default
  if (p.x_mn) {
    const char* xm = std::getenv("CUTLASS_CONVT3D_SM90_X_MN");
    CHECK(!r.restage_x && pb.dtype != DType::kF32 && !p.split && !p.cf_dst && p.vec16 && p.land_bytes == 0 &&
              !p.wgmma_pipe && a.x.stride[4] == 1 && aligned16(a.x, {0, 1, 2, 3}, es) &&
              p.S == 1 && p.dmin % 8 == 0 && p.S * (p.Kc / 32) <= HopperTiles::kMaxNSJ &&
              p.bq % HopperTiles::kMNBoxPos == 0 &&
              p.slot_bytes >= (p.Kc / 32) * p.S * p.bq * 32 * es && (xm ? xm[0] == '1' : kHopperXMnDefault == 1),
          "an MN-major x in place: slot %d, BQ %d", p.slot_bytes, p.bq);
    ++x_mn_plans;
  }
  // v141: an fp32 NCDHW x read in place as the wgmma's register A, TF32 rounded by its TFLOAT32 map or (v142) exact,
  // split by the consumers in 64-position tiles (an NCDHW y by row vectors, w stride 1, whole 16-byte strides, at
  // most kMaxRsS window offsets, kMaxWGRs warpgroups at whole rows, kMaxWGRs64 at 64 positions, kMaxWGRsSplit split,
  // not pipelined), a slot of Kc / 32 boxes of rs_rows(bq) positions (one part); only under its knob
  if (p.x_rs) {
    const char* xr = std::getenv("CUTLASS_CONVT3D_SM90_X_RS");
    CHECK(!r.restage_x && pb.dtype == DType::kF32 &&
              (p.split ? pb.math == Math::kExact && p.bq == HopperTiles::BQ : pb.math == Math::kTF32 && p.tma_round) &&
              !p.cf_dst && p.vec16 && p.land_bytes == 0 && !p.x_mn && !p.wgmma_pipe &&
              a.x.stride[4] == 1 && aligned16(a.x, {0, 1, 2, 3}, es) && p.S <= HopperTiles::kMaxRsS &&
              p.nwg <= (p.split                    ? HopperTiles::kMaxWGRsSplit
                        : p.bq == HopperTiles::BQ ? HopperTiles::kMaxWGRs64
                                                  : HopperTiles::kMaxWGRs) &&
              HopperTiles::rs_rows(p.bq) <= 256 &&
              p.slot_bytes >= (p.Kc / 32) * HopperTiles::rs_rows(p.bq) * 32 * es &&
              (xr ? xr[0] != '0' : kHopperXRsDefault > 0),
          "x in registers: slot %d, BQ %d, S %d, %d warpgroups", p.slot_bytes, p.bq, p.S, p.nwg);
    ++x_rs_plans;
  }
  CHECK(p.nseg >= 1 && p.nseg <= HopperTiles::kMaxSeg, "%d segments", p.nseg);
  // every output row of every (group, channel block) in exactly one segment, each with its class's pairs
  const DimMap md = pb.fwd(0), mh = pb.fwd(1);
  std::map<std::tuple<int, int, int, int>, int> rows;  // (group, cblock, rd, rh) -> rows along h covered
  int64_t tiles = 0, per_sm = 0;
  for (int i = 0; i < p.nseg; ++i) {
    const HopperSeg& s = p.seg[i];
    CHECK(s.ptotal <= HopperTiles::kMaxPairs && int64_t(s.ptotal) * p.S * p.Kc * HopperTiles::M * es * parts <=
                                                    p.w_bytes,
          "segment %d: %d pairs, %d weight bytes", i, s.ptotal, p.w_bytes);
    CHECK(s.per_chunk >= 1 && s.cta0 == p.chunks * per_sm, "segment %d CTAs", i);
    per_sm += s.per_chunk;
    tiles += s.tiles;
    for (int c = 0; c < s.nh; ++c) {
      const int rh = s.nh == 1 ? s.rh0 : c;
      std::set<std::pair<int, int>> got;
      for (int j = s.pofs[c]; j < s.pofs[c] + s.npairs[c]; ++j) got.insert({s.kd[j], s.kh[j]});
      CHECK(got == class_pairs(pb, s.rd, rh) && int(got.size()) == s.npairs[c], "segment %d class %d pairs", i, c);
      rows[{s.group, s.cblock, s.rd, rh}] += int(mh.num_q(rh));
    }
    CHECK(int64_t(s.tiles) == a.y.size[0] * md.num_q(s.rd) * (s.nh == 1 ? mh.num_q(s.rh0) : pb.out[1]) * p.q_blocks,
          "segment %d tiles %d", i, s.tiles);
    // the tile order (row_of): every (n, qd, row) once, rows in bands of s.band, qd within a band
    const int nqd = int(md.num_q(s.rd)), nrow = int(s.nh == 1 ? mh.num_q(s.rh0) : pb.out[1]);
    CHECK(s.band >= 1 && s.band <= nrow && s.nbands == (nrow + s.band - 1) / s.band, "segment %d band %d of %d rows", i,
          s.band, nrow);
    std::vector<char> seen(size_t(s.tiles / p.q_blocks), 0);
    int prev_n = -1, prev_b = -1, prev_qd = -1, prev_ro = -1;
    for (int t = 0; t < s.tiles / p.q_blocks; ++t) {
      int n, qd;
      const int ro = s.row_of(t, n, qd);
      const bool in = n >= 0 && n < a.y.size[0] && qd >= 0 && qd < nqd && ro >= 0 && ro < nrow;
      CHECK(in, "segment %d tile %d: n %d qd %d row %d", i, t, n, qd, ro);
      if (!in) break;
      char& c = seen[(size_t(n) * nqd + qd) * nrow + ro];
      CHECK(!c, "segment %d tile %d: (%d %d %d) twice", i, t, n, qd, ro);
      c = 1;
      const int b = ro / s.band;  // within a band qd ascends, rows ascend within a qd
      CHECK(n != prev_n || b != prev_b || qd > prev_qd || (qd == prev_qd && ro == prev_ro + 1), "segment %d tile %d order",
            i, t);
      prev_n = n, prev_b = b, prev_qd = qd, prev_ro = ro;
    }
  }
  for (int g = 0; g < pb.groups; ++g)
    for (int cb = 0; cb < p.Nc / HopperTiles::BN; ++cb)
      for (int rd = 0; rd < md.E; ++rd)
        for (int rh = 0; rh < mh.E; ++rh) {
          const auto it = rows.find({g, cb, rd, rh});
          const int want = md.num_q(rd) > 0 ? int(mh.num_q(rh)) : 0;
          CHECK((it == rows.end() ? 0 : it->second) == want, "class (%d %d %d %d) rows", g, cb, rd, rh);
        }
  CHECK(tiles == r.tiles && int64_t(p.chunks) * per_sm == p.ctas && p.ctas <= kSms && p.chunks >= 1,
        "tiles %lld, CTAs %d = %d x %lld", (long long)tiles, p.ctas, p.chunks, (long long)per_sm);
}

static void check_wgrad(const Arguments& a, const HopperWgradPlan& r) {
  const ConvT3dProblem& pb = a.problem;
  const HopperWgradParams& p = r.p;
  const int es = int(elem_size(pb.dtype)), vec = 16 / es, qs = p.kb * 128 / es;
  // two k-blocks: not split, a TF32 x rounded by its map, rows of more than one k-block
  CHECK(p.kb == 1 || (p.kb == 2 && !p.split && (pb.dtype != DType::kF32 || p.x_rounded) && pb.in[2] > 128 / es),
        "kb %d", p.kb);
  CHECK(p.ring >= 2 && p.ring <= HopperWgradTiles::kMaxRing && hopper_wgrad_smem_bytes(p) <= size_t(kOptin),
        "ring %d of %d-byte slots", p.ring, p.slot_bytes);
  int max_pairs = 0;
  for (int i = 0; i < p.nseg; ++i) max_pairs = std::max(max_pairs, p.seg[i].npairs);
  CHECK(max_pairs * 4096 <= p.xkb && p.xkb % 1024 == 0, "x k-block %d for %d pairs", p.xkb, max_pairs);
  std::vector<std::pair<int64_t, int64_t>> reg;
  for (int kb = 0; kb < p.kb; ++kb) {
    reg.push_back({int64_t(kb) * p.xkb, int64_t(kb) * p.xkb + p.xkb});
    reg.push_back({p.b_off + int64_t(kb) * p.nkw * 4096, p.b_off + int64_t(kb + 1) * p.nkw * 4096});
  }
  if (p.split) {
    CHECK(p.kb == 1, "split with kb %d", p.kb);
    reg.push_back({p.xs_off, p.xs_off + p.xkb});
    reg.push_back({p.bs_off, p.bs_off + p.nkw * 4096});
  }
  reg.push_back({p.raw_off, p.raw_off + 32 * int64_t(p.vpr) * 16});
  check_regions(reg, p.slot_bytes, "grad_weight");
  // the window: Ew (qs - 1) + span + 1 positions from up to vec - 1 elements of phase, within max_raw
  int wmax = INT32_MIN;
  for (int k = 0; k < p.nkw; ++k) wmax = std::max(wmax, p.woff[k]);
  const int need = p.Ew * (qs - 1) + wmax - p.wmin + 1;
  CHECK(vec * p.vpr >= need + vec - 1 && p.vpr * 16 <= HopperWgradTiles::max_raw(p.kb) * 4, "vpr %d for %d", p.vpr,
        need);
  CHECK(int64_t(p.katoms) * qs >= pb.in[2] && int64_t(p.katoms - 1) * qs < pb.in[2], "katoms %d", p.katoms);
  // every (group, ci block, co block, class) with rows: its pairs, each in exactly one segment
  std::map<std::tuple<int, int, int, int, int>, PairBag> got;
  int ctas = 0, chunks = 0;
  for (int i = 0; i < p.nseg; ++i) {
    const HopperWgradSeg& s = p.seg[i];
    CHECK(s.npairs >= 1 && s.npairs <= (p.split ? HopperWgradTiles::kMaxPairsSplit : HopperWgradTiles::kMaxPairs),
          "segment %d: %d pairs", i, s.npairs);
    CHECK(s.cta0 == ctas && s.nch >= 1 && s.nch <= s.rows, "segment %d CTAs", i);
    ctas += s.nch;
    chunks = std::max(chunks, s.nch);
    auto& m = got[{s.group, s.cib, s.cob, s.rd, s.rh}];
    for (int j = 0; j < s.npairs; ++j) m.insert({s.kd[j], s.kh[j]});
  }
  const DimMap md = pb.fwd(0), mh = pb.fwd(1);
  for (int g = 0; g < pb.groups; ++g)
    for (int cib = 0; cib < p.Kc / 32; ++cib)
      for (int cob = 0; cob < p.Nc / 32; ++cob)
        for (int rd = 0; rd < md.E; ++rd)
          for (int rh = 0; rh < mh.E; ++rh) {
            const auto want = class_pairs(pb, rd, rh);
            const auto it = got.find({g, cib, cob, rd, rh});
            const PairBag have = it == got.end() ? PairBag() : it->second;
            const bool same = have == PairBag(want.begin(), want.end());
            CHECK(same, "class (%d %d %d %d %d): %zu pairs in segments, %zu taps", g, cib, cob, rd, rh, have.size(),
                  want.size());
          }
  CHECK(ctas == p.ctas && chunks == p.chunks && p.ctas <= kSms, "CTAs %d, chunks %d", p.ctas, p.chunks);
  CHECK(r.ws_bytes == size_t(p.chunks) * pb.groups * p.taps * size_t(p.Kc) * p.Nc * 4, "workspace %zu", r.ws_bytes);
}

// The grad_weight GEMM (v116): slot and ring; every (tap, co block) in exactly one box of one set; each box's grad_y
// position of x position (id, ih, iw) is the transposed convolution's (o = s i + k dil - pad per dimension), its
// residue inside the copy's rows; every x row with a valid grad_y row for a box inside its set's rows; the chunks
// partition each set's rows; the workspace holds the copy and the sums.
static void check_wgemm(const Arguments& a, const HopperWgemmPlan& r) {
  const ConvT3dProblem& pb = a.problem;
  const HopperWgemmParams& p = r.p;
  const int es = int(elem_size(pb.dtype)), vec = 16 / es, N = p.nbox * p.bc;
  CHECK(N == 64 || N == 128 || N == 192 || N == 256, "N %d", N);
  CHECK((p.M == 64 || p.M == 128) && p.Kc % p.M == 0 && p.ncib == p.Kc / p.M && p.Nc % p.bc == 0, "M %d bc %d", p.M,
        p.bc);
  CHECK(p.ring >= 2 && p.ring <= HopperWgemmTiles::kMaxRing && hopper_wgemm_smem_bytes(p) <= size_t(kOptin), "ring %d",
        p.ring);
  // 64-byte rows only for 16-bit types, where 128-byte ones would carry >= 32 zeros
  const int qb128 = 128 / es;
  CHECK(p.rb == 128 || (p.rb == 64 && es == 2 && pb.in[2] % qb128 != 0 && pb.in[2] % qb128 <= 32), "rb %d", p.rb);
  CHECK(p.slot_bytes % 1024 == 0 && p.b_off == p.M * p.rb && p.b_off + N * p.rb <= p.slot_bytes, "slot %d",
        p.slot_bytes);
  CHECK(int64_t(p.katoms) * p.rb / es >= pb.in[2] && int64_t(p.katoms - 1) * p.rb / es < pb.in[2], "katoms %d",
        p.katoms);
  CHECK(p.nseg == p.nsets * p.ncib * pb.groups && int64_t(p.nseg) * p.chunks < INT_MAX && p.chunks >= 1, "grid");
  std::map<std::pair<int, int>, int> seen;  // (tap, co0) -> boxes
  for (int si = 0; si < p.nsets; ++si) {
    const HopperWgemmSet& S = p.set[si];
    CHECK(S.nbox >= 1 && S.nbox <= p.nbox, "set %d: %d boxes", si, S.nbox);
    const int64_t rows = int64_t(pb.N) * S.nid * S.nih;
    int64_t covered = 0;
    for (int c = 0; c < p.chunks; ++c) {  // the kernel's WgemmCta
      const int64_t r0 = rows * c / p.chunks, r1 = rows * (c + 1) / p.chunks;
      CHECK(r0 == covered && r1 >= r0, "set %d chunk %d", si, c);
      covered = r1;
    }
    CHECK(covered == rows, "set %d rows", si);
    for (int b = 0; b < S.nbox; ++b) {
      const HopperWgemmBox& bx = S.box[b];
      ++seen[{bx.tap, bx.co0}];
      const int kw = bx.tap % pb.k[2], kh = bx.tap / pb.k[2] % pb.k[1], kd = bx.tap / (pb.k[2] * pb.k[1]);
      CHECK(bx.v >= 0 && bx.v < p.nvar && p.woff[bx.v] == kw * pb.dil[2] - pb.pad[2], "box variant %d", bx.v);
      for (int id = 0; id < pb.in[0]; ++id)
        for (int ih = 0; ih < pb.in[1]; ++ih) {
          const int od = pb.stride[0] * id + kd * pb.dil[0] - pb.pad[0];
          const int oh = pb.stride[1] * ih + kh * pb.dil[1] - pb.pad[1];
          CHECK(od == pb.stride[0] * id + bx.dd && oh == pb.stride[1] * ih + bx.dh, "d / h offsets of tap %d", bx.tap);
          if (od < 0 || od >= pb.out[0] || oh < 0 || oh >= pb.out[1]) continue;
          CHECK(id >= S.id0 && id < S.id0 + S.nid && ih >= S.ih0 && ih < S.ih0 + S.nih,
                "x row (%d %d) of tap %d outside set %d's rows", id, ih, bx.tap, si);
        }
    }
  }
  for (int tap = 0; tap < pb.taps(); ++tap)
    for (int co0 = 0; co0 < p.Nc; co0 += p.bc) {
      const auto it = seen.find({tap, co0});
      CHECK(it != seen.end() && it->second == 1, "tap %d co %d in %d boxes", tap, co0, it == seen.end() ? 0 : it->second);
    }
  CHECK(seen.size() == size_t(pb.taps()) * (p.Nc / p.bc), "boxes");
  // the copy: the variants distinct, rows of whole k-blocks covering x's row
  for (int v = 0; v < p.nvar; ++v)
    for (int u = 0; u < v; ++u) CHECK(p.woff[u] != p.woff[v], "variants %d and %d alike", u, v);
  CHECK(p.Jw == p.katoms * p.rb / es && p.Jw % vec == 0 && p.Jw >= pb.in[2] &&
            (p.inplace ? r.copy_bytes == 0
                  : r.copy_bytes >= size_t(pb.N) * pb.Cout * pb.out[0] * pb.out[1] * p.nvar * p.Jw * es),
        "copy: Jw %d, %zu bytes", p.Jw, r.copy_bytes);
  // CUTLASS_CONVT3D_SM90_WGEMM_CL=1: x and grad_y read in place (v125 16-bit MN-major boxes, v126 fp32 transposed in
  // shared memory) wherever both are channels_last tensors the 5D maps read (16-byte pitches and address), with
  // 64-channel boxes and grad_y's box of QB Ew w elements inside the TMA's 256 at an element stride <= 8; then no
  // copy of either, the slot's boxes (M / CH of x, 64 / CH per grad_y box, QB rows of 128 bytes each) are the K-major
  // form's bytes, and fp32 keeps two K-major buffers past the ring
  auto cl5 = [&](const TensorRef5& t) {
    bool ok = t.stride[1] == 1 && reinterpret_cast<uintptr_t>(t.data) % 16 == 0;
    for (int d = 0; d < 5; ++d) ok &= t.stride[d] != 0 && (d == 1 || t.size[d] == 1 || (t.stride[d] * es) % 16 == 0);
    return ok;
  };
  const char* clk = std::getenv("CUTLASS_CONVT3D_SM90_WGEMM_CL");
  const bool in_want = p.bc == 64 && (clk ? clk[0] == '1' : kHopperWgemmClDefault != 0) && cl5(a.x) && cl5(a.y) &&
                       int64_t(128 / es) * pb.stride[2] <= 256;
  CHECK(p.inplace == in_want, "in place %d (wanted %d)", int(p.inplace), int(in_want));
  CHECK(p.kbufs == (p.inplace && es == 4 ? 2 : 0), "K-major buffers %d", p.kbufs);
  if (p.inplace) {
    const int QB = p.rb / es, CH = 128 / es;
    CHECK(QB * pb.stride[2] <= 256 && pb.stride[2] <= 8 && p.M / CH * QB * 128 == p.b_off &&
              p.b_off + p.nbox * (64 / CH) * QB * 128 <= p.slot_bytes && r.x_bytes == 0 && !p.x_copy && !p.gy_tiles &&
              p.x.data == a.x.data && p.gy.data == a.y.data && (es == 2 || (p.rb == 128 && QB == 32)),
          "in place: QB %d, slot %d", QB, p.slot_bytes);
  }
  // kernel == stride (padding 0, no output padding) or 32-channel boxes only at CUTLASS_CONVT3D_SM90_WGEMM=2
  bool tap = true;
  for (int d = 0; d < 3; ++d)
    tap &= pb.k[d] == pb.stride[d] && pb.pad[d] == 0 && pb.dil[d] == 1 && pb.out[d] == pb.in[d] * pb.stride[d];
  const char* mode = std::getenv("CUTLASS_CONVT3D_SM90_WGEMM");
  CHECK((!tap && p.bc == 64 && (pb.dtype == DType::kF32 || (!p.x_copy && !p.gy_tiles))) || (mode && mode[0] == '2'),
        "a kernel == stride, 32-channel-box or 16-bit problem with layout copies planned at the default");
  // x: read in place where the A map can (NCDHW, w unit stride, n and channel foldable, 16-byte rows and address),
  // else copied into dense NCDHW rows padded to 16 bytes between the grad_y copy and the sums
  const TensorRef5& x = a.x;
  bool direct = x.stride[4] == 1 && x.stride[0] == pb.Cin * x.stride[1] && reinterpret_cast<uintptr_t>(x.data) % 16 == 0;
  for (int d = 0; d < 5; ++d) direct &= x.stride[d] != 0 && (d == 0 || d == 4 || (x.stride[d] * es) % 16 == 0);
  CHECK(p.x_copy == (!direct && !p.inplace), "x copied: %d", int(p.x_copy));
  if (p.x_copy) {
    CHECK(p.xsrc.data == x.data && p.x.data == nullptr && p.xpitch >= pb.in[2] && (int64_t(p.xpitch) * es) % 16 == 0 &&
              (p.xpitch - pb.in[2]) * es < 16,
          "x copy pitch %d", p.xpitch);
    CHECK(p.x.stride[4] == 1 && p.x.stride[3] == p.xpitch && p.x.stride[2] == pb.in[1] * p.x.stride[3] &&
              p.x.stride[1] == pb.in[0] * p.x.stride[2] && p.x.stride[0] == pb.Cin * p.x.stride[1],
          "x copy strides");
    for (int d = 0; d < 5; ++d) CHECK(p.x.size[d] == x.size[d], "x copy size %d", d);
    CHECK(r.x_bytes >= size_t(pb.N) * pb.Cin * pb.in[0] * pb.in[1] * p.xpitch * es && r.x_bytes % 256 == 0 &&
              r.copy_bytes % 256 == 0,
          "x copy: %zu bytes", r.x_bytes);
  } else {
    CHECK(r.x_bytes == 0 && p.x.data == x.data, "x in place");
  }
  // grad_y's copy by (row x 32 co) tiles where its channels have unit stride and the row fits the tile's smem
  CHECK(p.gy_tiles == (!p.inplace && a.y.stride[1] == 1 && pb.out[2] <= HopperWgemmTiles::kMaxTileOW), "gy tiles %d",
        int(p.gy_tiles));
  CHECK(HopperWgemmTiles::tile_copy_smem(HopperWgemmTiles::kMaxTileOW) <= 48 * 1024 && pb.Cout % 32 == 0, "tile smem");
  // the both-gradients op's channels_last copy (Arguments::y_cl_out, v118): written by the tile copy wherever the
  // tiles fit (then by tiles whatever grad_y's layout), else left to run(); the same plan otherwise
  CHECK(p.gycl == nullptr, "a channels_last copy nobody asked for");
  if (a.y_cl_out == nullptr) {
    Arguments b = a;
    alignas(16) static char cl_out[16];  // (the copy's 16-byte stores: an address off 16 bytes is never fused)
    b.y_cl_out = cl_out;
    b.y_cl_out_rounded = true;
    HopperWgemmPlan f{};
    CHECK(hopper_wgemm_plan(b, &f) && f.p.gycl == nullptr, "fused at the default (CUTLASS_CONVT3D_SM90_WGEMM_FUSE 0)");
    setenv("CUTLASS_CONVT3D_SM90_WGEMM_FUSE", "1", 1);
    CHECK(hopper_wgemm_plan(b, &f), "asking for the channels_last copy changes whether the GEMM plans");
    const bool fit = pb.out[2] <= HopperWgemmTiles::kMaxTileOW && !p.inplace;  // (in place: no copy to fuse)
    CHECK((f.p.gycl == cl_out) == fit && (!fit || (f.p.gy_tiles && f.p.gycl_round)) && f.ws_bytes == r.ws_bytes &&
              f.p.nsets == p.nsets && f.p.chunks == p.chunks,
          "channels_last copy: fit %d, gycl %d, tiles %d", int(fit), int(f.p.gycl != nullptr), int(f.p.gy_tiles));
    b.y_cl_out = cl_out + 4;
    CHECK(hopper_wgemm_plan(b, &f) && f.p.gycl == nullptr, "a channels_last copy off 16 bytes fused");
    unsetenv("CUTLASS_CONVT3D_SM90_WGEMM_FUSE");
  }
  CHECK(r.ws_bytes ==
            r.copy_bytes + r.x_bytes + size_t(p.chunks) * pb.groups * pb.taps() * size_t(p.Kc) * p.Nc * 4,
        "workspace");
  // the workspace as run() lays it out: the grad_y copy, x's copy, the sums, disjoint
  HopperWgemmPlan w = r;
  alignas(256) static char base[1];
  w.set_workspace(base);
  CHECK(w.p.gyv == base && static_cast<char*>(w.p.ws) == base + r.copy_bytes + r.x_bytes &&
            (!p.x_copy || static_cast<char*>(w.p.x.data) == base + r.copy_bytes),
        "workspace layout");
}

// The grad_weight GEMM run on the host in float64 through its own decode (WgemmCta, WgemmRow) and the in-place boxes'
// coordinates (wgemm_inplace_x / _gy), each box element read as the TMA reads it (grad_y's at the map's element stride
// along w; zero outside the tensor, which is every bound of the sum): every CTA's sums written once into the chunks'
// partials, whose ordered sum must equal grad_weight summed directly (integer-valued operands: exact).  Both forms
// take the same sums (the K-major form's copy holds grad_y at the same positions, zeros past x's rows); returns false
// where the problem is too large to emulate
static bool emulate_wgemm(const Arguments& a, const HopperWgemmPlan& r) {
  const ConvT3dProblem& pb = a.problem;
  const HopperWgemmParams& p = r.p;
  const int es = int(elem_size(pb.dtype)), QB = p.rb / es, N = p.nbox * p.bc;
  const int64_t work = int64_t(pb.N) * pb.in[0] * pb.in[1] * p.katoms * QB * pb.Cin * int64_t(pb.taps()) * p.Nc;
  if (work > 20000000) return false;
  auto xv = [&](int n, int c, int d, int h, int w) {
    return d < 0 || d >= pb.in[0] || h < 0 || h >= pb.in[1] || w < 0 || w >= pb.in[2] || c >= pb.Cin || n >= pb.N
               ? 0.0 : double((n * 131 + c * 31 + d * 17 + h * 7 + w * 3) % 13 - 6);
  };
  auto gv = [&](int n, int c, int d, int h, int w) {
    return d < 0 || d >= pb.out[0] || h < 0 || h >= pb.out[1] || w < 0 || w >= pb.out[2] || c >= pb.Cout || n >= pb.N
               ? 0.0 : double((n * 29 + c * 37 + d * 5 + h * 11 + w * 19) % 11 - 5);
  };
  const size_t per_chunk = size_t(pb.groups) * pb.taps() * p.Kc * p.Nc;
  std::vector<double> ws(size_t(p.chunks) * per_chunk, std::nan(""));
  std::vector<double> acc(size_t(p.M) * N);
  for (int bid = 0; bid < p.nseg * p.chunks; ++bid) {
    const WgemmCta cta(p, bid);
    const HopperWgemmSet& S = p.set[cta.set];
    const int xc = cta.group * p.Kc + cta.cib * p.M, yc = cta.group * p.Nc;
    std::fill(acc.begin(), acc.end(), 0.0);
    WgemmRow rw(S, cta.r0);
    for (int t = 0, kb = 0; t < (cta.r1 - cta.r0) * p.katoms; ++t) {
      const int iw = kb * QB;
      for (int b = 0; b < S.nbox; ++b) {
        int cx[5], cg[5];
        wgemm_inplace_x(rw, xc, iw, 0, cx);
        wgemm_inplace_gy(p, S.box[b], rw, yc, iw, 0, cg);
        for (int m = 0; m < p.M; ++m)
          for (int co = 0; co < p.bc; ++co) {
            double sum = 0;
            for (int k = 0; k < QB; ++k)
              sum += xv(cx[4], cx[0] + m, cx[3], cx[2], cx[1] + k) * gv(cg[4], cg[0] + co, cg[3], cg[2], cg[1] + k * p.Ew);
            acc[size_t(m) * N + b * p.bc + co] += sum;
          }
      }
      if (++kb == p.katoms) kb = 0, rw.next(S);
    }
    const int chunk = bid / p.nseg;
    for (int b = 0; b < S.nbox; ++b)
      for (int m = 0; m < p.M; ++m)
        for (int co = 0; co < p.bc; ++co) {
          double& o = ws[size_t(chunk) * per_chunk +
                         ((size_t(cta.group) * pb.taps() + S.box[b].tap) * p.Kc + cta.cib * p.M + m) * p.Nc +
                         S.box[b].co0 + co];
          CHECK(std::isnan(o), "partial (chunk %d, tap %d, ci %d, co %d) written twice", chunk, S.box[b].tap, m,
                S.box[b].co0 + co);
          o = acc[size_t(m) * N + b * p.bc + co];
        }
  }
  int bad = 0;
  for (int g = 0; g < pb.groups; ++g)
    for (int tap = 0; tap < pb.taps(); ++tap) {
      const int kw = tap % pb.k[2], kh = tap / pb.k[2] % pb.k[1], kd = tap / (pb.k[2] * pb.k[1]);
      for (int ci = 0; ci < p.Kc; ++ci)
        for (int co = 0; co < p.Nc; ++co) {
          double ref = 0, got = 0;
          for (int n = 0; n < pb.N; ++n)
            for (int id = 0; id < pb.in[0]; ++id)
              for (int ih = 0; ih < pb.in[1]; ++ih)
                for (int iw = 0; iw < pb.in[2]; ++iw)
                  ref += xv(n, g * p.Kc + ci, id, ih, iw) *
                         gv(n, g * p.Nc + co, pb.stride[0] * id + kd * pb.dil[0] - pb.pad[0],
                            pb.stride[1] * ih + kh * pb.dil[1] - pb.pad[1], pb.stride[2] * iw + kw * pb.dil[2] - pb.pad[2]);
          for (int c = 0; c < p.chunks; ++c)
            got += ws[size_t(c) * per_chunk + ((size_t(g) * pb.taps() + tap) * p.Kc + ci) * p.Nc + co];
          if (!(got == ref) && bad++ < 3)
            CHECK(false, "emulated grad_weight GEMM: group %d tap %d ci %d co %d: %g, expected %g", g, tap, ci, co, got,
                  ref);
        }
    }
  return true;
}

// v120 / v121: the TMA phase-GEMM's tile walk through the kernel's own decode (PgemmTile: tiles, empty test, stages,
// output mapping) writes every output position of every column block once, and at every stage each row's box holds x
// at the input of its output for the tap whose weights the stage loads, every tap of the output exactly once.
// v122: the same for tiles of four warpgroups (256 positions); v123 (p.dgrad): grad_input, whose outputs are x's
// positions Q and whose box row (j, i) holds grad_y at the box origin + (s_h j, s_w i), every tap a term of each.
// Returns whether the geometry took p (false: nothing walked)
static bool check_pgemm(const ConvT3dProblem& pb, const TapGemmParams& p) {
  using T = HopperPgemmTiles;
  HopperPgemm g{};
  if (!hopper_pgemm_geometry(p, pb.N, int(elem_size(pb.dtype)), &g)) return false;
  const bool dg = p.dgrad;
  const int* const oext = dg ? pb.in : pb.out;  // the destination's extents
  const int ncols = dg ? pb.cin_g() : pb.cout_g(), nk = dg ? pb.cout_g() : pb.cin_g();
  CHECK(g.bw == 1 << g.lbw && g.bw * g.bh == g.bm && g.bm == 64 * g.wgs && g.bw >= 8 && g.nb * g.N == ncols &&
            g.nkb * g.kb == nk && g.bw * g.es_w <= T::kMaxBox && g.bh * g.es_h <= T::kMaxBox,
        "geometry bm %d bw %d bh %d N %d nb %d", g.bm, g.bw, g.bh, g.N, g.nb);
  CHECK(g.wgs == (p.pg_wg == 4 && !g.wpair ? 4 : 2), "warpgroups %d (asked %d)", g.wgs, p.pg_wg);
  CHECK(g.es_w == (dg ? pb.stride[2] : 1) && g.es_h == (dg ? pb.stride[1] : 1), "element strides %d %d", g.es_w,
        g.es_h);
  CHECK(g.wpair == (!dg && p.pg_wpair && pb.stride[2] == 2) && (!g.wpair || (g.N == 64 && g.nu <= T::kMaxShifts)),
        "wpair %d (asked %d, w stride %d), N %d, %d shifts", g.wpair, p.pg_wpair, pb.stride[2], g.N, g.nu);
  for (int i = 1; g.wpair && i < g.nu; ++i) CHECK(g.ushift[i] > g.ushift[i - 1], "shifts not increasing");
  const int64_t outs = int64_t(pb.N) * oext[0] * oext[1] * oext[2] * pb.groups * g.nb;
  if (outs > (int64_t(1) << 22)) return true;  // (the emulation's memory)
  std::vector<uint8_t> seen(size_t(outs), 0);
  const int nr = g.wpair ? 2 : 1;
  // v124: the halo box holds every h tap's rows of the tile, in whole swizzle atoms; its slot fits a ring of two
  if (g.halo) {
    int span = 0;
    for (int r = 0; r < pb.stride[1]; ++r) {
      const TapGemmPhaseDim& D = p.ph.dim[1][r];
      if (D.ntap > 1) span = std::max(span, D.off[0] - D.off[D.ntap - 1]);
    }
    CHECK(!dg && g.hspan == span && g.bh > span && g.arows == (g.bh + span) * g.bw &&
              g.wboxes() == (g.wpair ? 2 : 1) * g.nth &&
              (g.arows + g.wboxes() * g.N) * T::kRowBytes <= T::halo_slot_max(g.wgs, g.wpair),
          "halo: span %d (%d), bh %d, rows %d", g.hspan, span, g.bh, g.arows);
  } else {
    CHECK(g.arows == g.bm && g.hspan == 0, "no halo: rows %d", g.arows);
  }
  int64_t bad_tap = 0, bad_count = 0, bad_row = 0;
  for (int64_t t = 0; t < g.tiles; ++t) {
    const PgemmTile tl(p, g, int(t));
    if (tl.empty(g)) continue;
    for (int m = 0; m < g.bm; ++m)
      for (int rho = 0; rho < nr; ++rho) {
        int64_t o[3];
        if (!tl.out(g, m, rho, o)) continue;
        if (o[0] < 0 || o[0] >= oext[0] || o[1] < 0 || o[1] >= oext[1] || o[2] < 0 || o[2] >= oext[2]) {
          CHECK(false, "tile %lld row %d residue %d: output (%lld %lld %lld) outside y", (long long)t, m, rho,
                (long long)o[0], (long long)o[1], (long long)o[2]);
          continue;
        }
        const int64_t at = (((int64_t(tl.n) * oext[0] + o[0]) * oext[1] + o[1]) * oext[2] + o[2]) * pb.groups *
                               g.nb + int64_t(tl.grp) * g.nb + tl.nb;
        ++seen[size_t(at)];
        int taps = 0;
        for (int td = 0; td < tl.Dd->ntap; ++td)
          for (int th = 0; th < tl.Dh->ntap; ++th)
            for (int iw = 0; iw < tl.wsteps(g); ++iw) {
              int cls = -1;
              const int tap = tl.wtap(p.ph, g, td, th, iw, rho, &cls);
              if (tap < 0) continue;
              ++taps;
              int r[3];
              p.ph.residues(cls, r);
              const TapGemmPhaseDim* D3[3] = {&p.ph.dim[0][r[0]], &p.ph.dim[1][r[1]], &p.ph.dim[2][r[2]]};
              // the pack's tap index (td, th, tw) of the class; the class's d and h residues the tile's
              const int tw = tap % D3[2]->ntap, t3[3] = {tap / D3[2]->ntap / D3[1]->ntap, tap / D3[2]->ntap % D3[1]->ntap, tw};
              int xo[3];
              tl.box(g, td, th, iw, xo);
              // (the box row's source position: the forward's x, grad_input's grad_y at the element strides; v124's
              // halo boxes: tap th's operand from row arow(th) on, inside the box's bh + hspan rows)
              const int row = tl.arow(g, th) + m;
              bad_row += row >= (tl.halo(g) ? g.arows : g.bm) || (row & 7) != (m & 7);
              const int64_t x3[3] = {xo[0], xo[1] + int64_t(g.es_h) * (row >> g.lbw),
                                     xo[2] + int64_t(g.es_w) * (row & (g.bw - 1))};
              bool ok = D3[0] == tl.Dd && D3[1] == tl.Dh && t3[0] == td && t3[1] == th && tap < D3[0]->ntap * D3[1]->ntap * D3[2]->ntap;
              for (int d = 0; d < 3; ++d) {
                const int64_t kd = int64_t(D3[d]->k[t3[d]]) * pb.dil[d];
                ok &= dg ? x3[d] == pb.stride[d] * o[d] - pb.pad[d] + kd
                         : o[d] + pb.pad[d] == pb.stride[d] * x3[d] + kd;
              }
              bad_tap += !ok;
            }
        // the output's taps (x bounds aside: the TMA's zero fill): per dimension the k with o + pad = s i + k dil
        // (grad_input: every k)
        int want = 1;
        for (int d = 0; d < 3; ++d) {
          int n = 0;
          for (int k = 0; k < pb.k[d]; ++k) n += dg || (o[d] + pb.pad[d] - int64_t(k) * pb.dil[d]) % pb.stride[d] == 0;
          want *= n;
        }
        bad_count += taps != want;
      }
  }
  int64_t bad = 0;
  for (uint8_t v : seen) bad += v != 1;
  CHECK(bad == 0, "%lld output (position, column block) not written exactly once", (long long)bad);
  CHECK(bad_tap == 0, "%lld (output, stage) pairs: the box off the output's input for the loaded tap", (long long)bad_tap);
  CHECK(bad_row == 0, "%lld (output, stage) pairs: an operand row outside the box or off its atom", (long long)bad_row);
  CHECK(bad_count == 0, "%lld outputs: stages' taps not the output's", (long long)bad_count);
  return true;
}

// The Hopper grad_input's plan: each pass's shared memory, slots and CTAs; the passes' taps (kd, kh) each in exactly
// one pass, the first pass writing (with any bias) and the others adding; for grad_input (not fwd: the unit-stride
// forward runs its adjoint), each pass's weights a view of w from its first tap and its maps reading tap c + m j's
// grad_y rows at its j
static int dgrad_multipass = 0, dgrad_split = 0;
static void check_dgrad(const Arguments& a, const HopperDgradPlan& r, bool fwd, const char* what) {
  CHECK(r.npass >= 1 && r.npass <= HopperDgradPlan::kMaxPasses, "%s: %d passes", what, r.npass);
  if (r.npass < 1 || r.npass > HopperDgradPlan::kMaxPasses) return;
  dgrad_multipass += r.npass > 1;
  dgrad_split += r.pass[0].split != 0;
  const HopperDgradParams& p0 = r.pass[0];
  CHECK(r.npass == 1 || p0.split, "%s: %d passes without 3xTF32", what, r.npass);
  std::vector<int> cover(64 * 64, 0);
  for (int i = 0; i < r.npass; ++i) {
    const HopperDgradParams& p = r.pass[i];
    const DgradTaps td = r.td[i], th = r.th[i];
    CHECK(hopper_dgrad_smem_bytes(p) <= size_t(kOptin) && p.ring >= 2 && p.ring <= HopperDgradTiles::kMaxRing,
          "%s pass %d: ring %d of %d-byte slots beside %d bytes of weights", what, i, p.ring, p.slot_bytes, p.w_bytes);
    CHECK(p.slot_bytes % 128 == 0 && p.chunks >= 1 && int64_t(p.nseg) * p.chunks <= 4 * kSms, "%s: slots, CTAs",
          what);
    CHECK(int64_t(p.qblocks) * HopperDgradTiles::BQ >= p.IW && p.Kw <= HopperDgradTiles::kMaxKw, "%s: q blocks",
          what);
    CHECK(!p.split || p.Kw <= HopperDgradTiles::kMaxKwSplit, "%s: %d w taps in 3xTF32", what, p.Kw);
    CHECK(size_t(p.nseg) * size_t(p.w_bytes) <= r.pack_bytes, "%s pass %d: packed weights past their room", what, i);
    CHECK(p.accumulate == (i > 0) && (i == 0 || !p.bias) && p.split == p0.split,
          "%s pass %d: accumulate %d, bias %p", what, i, p.accumulate, static_cast<const void*>(p.bias));
    CHECK(p.Kd == td.K && p.Kh == th.K && td.K >= 1 && th.K >= 1, "%s pass %d: taps", what, i);
    for (int j = 0; j < td.K; ++j)
      for (int l = 0; l < th.K; ++l) {
        const int kd = td.c + td.m * j, kh = th.c + th.m * l;
        if (kd < 64 && kh < 64) ++cover[kd * 64 + kh];
        else CHECK(false, "%s pass %d: tap (%d, %d)", what, i, kd, kh);
      }
    if (!fwd) {
      const ConvT3dProblem& pb = a.problem;
      const int64_t es = int64_t(elem_size(pb.dtype));
      CHECK(p.w.data == static_cast<char*>(a.w.data) + (td.c * a.w.stride[2] + th.c * a.w.stride[3]) * es &&
                p.w.stride[2] == a.w.stride[2] * td.m && p.w.stride[3] == a.w.stride[3] * th.m &&
                p.w.stride[4] == a.w.stride[4],
            "%s pass %d: the weight's view", what, i);
      for (int j = 0; j < td.K; ++j)
        for (int id : {0, p.ID - 1}) {  // x row id, pass tap j: grad_y row id s - pad + (c + m j) dil
          const int kd = td.c + td.m * j;
          CHECK(id * p.md.A + p.md.B - j * p.md.C == id * pb.stride[0] - pb.pad[0] + kd * pb.dil[0],
                "%s pass %d: d tap %d reads another grad_y row", what, i, kd);
        }
      for (int l = 0; l < th.K; ++l)
        for (int ih : {0, p.IH - 1}) {
          const int kh = th.c + th.m * l;
          CHECK(ih * p.mh.A + p.mh.B - l * p.mh.C == ih * pb.stride[1] - pb.pad[1] + kh * pb.dil[1],
                "%s pass %d: h tap %d reads another grad_y row", what, i, kh);
        }
    }
  }
  for (int kd = 0; kd < a.problem.k[0]; ++kd)
    for (int kh = 0; kh < a.problem.k[1]; ++kh)
      CHECK(cover[kd * 64 + kh] == 1, "%s: tap (%d, %d) in %d passes", what, kd, kh, cover[kd * 64 + kh]);
}

// The phase-GEMM's pass through its plan's tables as the kernel walks them: the plan's grid block by block, each
// decoded as the kernel does (the position dimension with n_fast; v107's w residue in it, TapGemmPhase::block_class;
// the batch entry and position block by div_mb), per position m of the block (the kernel's FastDiv decomposition; a
// block past its class's positions exits), the destination omul Q + obias, K = (tap, channel) walked by
// TapGemmPhase::advance, the source read at mul Q + off (zero outside its extents se); src(n, c, d, h, w) reads the
// source, wt(group, K channel, N channel, kd, kh, kw) the weight in the GEMM's roles.  The destination (extents de,
// p.groups * p.Nc channels) comes back in float64; an element written twice or never is NaN.
template <class Src, class Wt>
static std::vector<double> emulate_phase(const TapGemmPlan& plan, int64_t N, const int* se, const int* de, Src src, Wt wt) {
  const TapGemmParams& p = plan.p;
  const TapGemmPhase& ph = p.ph;
  const int C = p.groups * p.Nc;
  std::vector<double> out(static_cast<size_t>(N * C * int64_t(de[0]) * de[1] * de[2]), std::nan(""));
  const unsigned gpos = p.n_fast ? plan.grid.y : plan.grid.x;
  for (unsigned z = 0; z < plan.grid.z; ++z)
    for (unsigned bx = 0; bx < gpos; ++bx) {
      int mb;
      const int64_t n = p.div_mb.divmod(ph.block_pos(int(bx)), mb);
      const int c = ph.block_class(int(bx), int(z) / p.groups), grp = int(z) % p.groups;
      if (bx % ph.cfast == 0)  // (v107 / v108's point: a position block's classes in consecutive blocks, in order)
        for (int j = 1; j < ph.cfast && bx + j < gpos; ++j)
          CHECK(ph.block_pos(int(bx) + j) == ph.block_pos(int(bx)) &&
                    ph.block_class(int(bx) + j, int(z) / p.groups) == c + j,
                "block %u + %d: not the next class of the same positions", bx, j);
      if (n >= N || c >= ph.ncls) {
        CHECK(false, "block (%u, %u): batch entry %lld, class %d past the problem", bx, z, (long long)n, c);
        continue;
      }
      int res[3];
      ph.residues(c, res);
      const TapGemmPhaseDim &Dd = ph.dim[0][res[0]], &Dh = ph.dim[1][res[1]], &Dw = ph.dim[2][res[2]];
      const int64_t pos = int64_t(Dd.cnt) * Dh.cnt * Dw.cnt;
      const int kdim = Dd.ntap * Dh.ntap * Dw.ntap * p.Kc;
      for (int m = mb * TapGemmTiles::BM; m < std::min<int64_t>(pos, int64_t(mb + 1) * TapGemmTiles::BM); ++m) {
        int aw, ah;
        const int ad = Dh.div.divmod(Dw.div.divmod(m, aw), ah);
        const int q[3] = {Dd.q0 + ad, Dh.q0 + ah, Dw.q0 + aw};
        const int64_t o[3] = {int64_t(Dd.omul) * q[0] + Dd.obias, int64_t(Dh.omul) * q[1] + Dh.obias,
                              int64_t(Dw.omul) * q[2] + Dw.obias};
        if (o[0] < 0 || o[0] >= de[0] || o[1] < 0 || o[1] >= de[1] || o[2] < 0 || o[2] >= de[2]) {
          CHECK(false, "class %d position %d: destination outside", c, m);
          continue;
        }
        for (int nc = 0; nc < p.Nc; ++nc) {
          double acc = 0;
          // one K index (tap tp, channel kc) as the kernel's step reads it; each must come exactly once
          std::vector<int> seen(static_cast<size_t>(kdim), 0);
          auto term = [&](int kc, const int* tp) {
            ++seen[size_t(((tp[0] * Dh.ntap + tp[1]) * Dw.ntap + tp[2]) * p.Kc + kc)];
            const int sd = Dd.mul * q[0] + Dd.off[tp[0]], sh = Dh.mul * q[1] + Dh.off[tp[1]],
                      sw = Dw.mul * q[2] + Dw.off[tp[2]];
            if (unsigned(sd) >= unsigned(se[0]) || unsigned(sh) >= unsigned(se[1]) || unsigned(sw) >= unsigned(se[2]))
              return;
            acc += src(n, grp * p.Kc + kc, sd, sh, sw) * wt(grp, kc, nc, Dd.k[tp[0]], Dh.k[tp[1]], Dw.k[tp[2]]);
          };
          int kc = 0, tp[3] = {0, 0, 0};
          for (int k = 0; k < kdim; ++k, TapGemmPhase::advance(kc, tp, 1, p.Kc, Dh.ntap, Dw.ntap)) term(kc, tp);
          for (int k = 0; k < kdim; ++k) CHECK(seen[size_t(k)] == 1, "class %d: K index %d read %d times", c, k, seen[size_t(k)]);
          double& d = out[size_t((((n * C + grp * p.Nc + nc) * de[0] + o[0]) * de[1] + o[1]) * de[2] + o[2])];
          d = std::isnan(d) ? acc : std::nan("");  // (written twice: NaN, never equal to the reference)
        }
      }
    }
  return out;
}

// The tap-GEMM grad_weight at any kernel (wgen) as the kernel walks its plan: per batch entry and chunk of chunk_len
// positions (div_mb: chunks per entry), group, input channel and column j = (tap, co) decoded by the plan's FastDivs,
// position q -> (d, h, w) by div_h / div_w, grad_y read at s (d, h, w) + k dil - pad (zero outside its extents O); the
// chunks' sums then added in order, as the reduce does.  Returns [Cin][Cout_g][taps] in float64.
template <class X, class G>
static std::vector<double> emulate_wgen(const TapGemmParams& p, int64_t N, const int* O, X xat, G gyat) {
  const int taps = p.kt[0] * p.kt[1] * p.kt[2];
  std::vector<double> gw(static_cast<size_t>(p.groups) * p.Kc * p.Nc * taps, 0.0);
  const int cpn = p.div_mb.d;
  for (int64_t n = 0; n < N; ++n)
    for (int c = 0; c < cpn; ++c) {
      const int64_t p0 = c * p.chunk_len, p1 = std::min(p.pos, p0 + p.chunk_len);
      for (int grp = 0; grp < p.groups; ++grp)
        for (int by = 0; by < taps * p.tap_nb; ++by)  // the kernel's column blocks: one tap each
        for (int tap = by / p.tap_nb, j = tap * p.Nc + (by % p.tap_nb) * TapGemmTiles::BN;
             j < std::min((tap + 1) * p.Nc, tap * p.Nc + (by % p.tap_nb + 1) * TapGemmTiles::BN); ++j) {
          int kw, kh;
          const int co = j - tap * p.Nc, kd = p.div_sh.divmod(p.div_sw.divmod(tap, kw), kh);
          const int tk[3] = {kd * p.tdil[0] - p.tpad[0], kh * p.tdil[1] - p.tpad[1], kw * p.tdil[2] - p.tpad[2]};
          for (int ci = 0; ci < p.Kc; ++ci) {
            double acc = 0;
            for (int64_t q = p0; q < p1; ++q) {
              int w, h;
              const int d = p.div_h.divmod(p.div_w.divmod(int(q), w), h);
              const int o[3] = {p.s[0] * d + tk[0], p.s[1] * h + tk[1], p.s[2] * w + tk[2]};
              if (unsigned(o[0]) >= unsigned(O[0]) || unsigned(o[1]) >= unsigned(O[1]) || unsigned(o[2]) >= unsigned(O[2]))
                continue;
              acc += xat(n, grp * p.Kc + ci, d, h, w) * gyat(n, grp * p.Nc + co, o[0], o[1], o[2]);
            }
            gw[size_t((int64_t(grp * p.Kc + ci) * p.Nc + co) * taps + j / p.Nc)] += acc;
          }
        }
    }
  return gw;
}

// v146, the fused backward (hopper_bwd_plan, under CUTLASS_CONVT3D_SM90_FUSED_BWD=1): its plan is the grad_input
// plan with one h row a tile, Rd + 1 x row buffers and the grad_weight sums in shared memory; 16-bit NCDHW only.
static int fused_planned = 0, fused_emulated = 0, fused_x_elem = 0;
static void check_fused(const Arguments& a, const HopperDgradPlan& r) {
  const ConvT3dProblem& pb = a.problem;
  const HopperDgradParams& p = r.pass[0];
  CHECK(r.npass == 1 && p.fuse && !p.cl && !p.split && pb.dtype != DType::kF32, "fused: %d passes, cl %d", r.npass,
        p.cl);
  CHECK(p.Rh == 1 && p.nj == p.Kh && p.xbufs == p.Rd + 1 && p.xbufs <= HopperDgradTiles::kMaxXBufs,
        "fused: Rh %d, nj %d, %d x buffers for Rd %d", p.Rh, p.nj, p.xbufs, p.Rd);
  CHECK(hopper_bwd_sums_bytes(p) == size_t(pb.taps()) * (p.Kco / 32) * 4096 && p.Kco == pb.cout_g() &&
            hopper_bwd_xbuf_bytes(p) == 32 * 128 * 2,
        "fused: %zu bytes of sums", hopper_bwd_sums_bytes(p));
  CHECK(hopper_dgrad_smem_bytes(p) <= size_t(kOptin) && p.ring >= 2, "fused: %zu bytes of shared memory, ring %d",
        hopper_dgrad_smem_bytes(p), p.ring);
  CHECK(int64_t(p.rows) == pb.N * ((pb.in[0] + p.Rd - 1) / p.Rd) * pb.in[1], "fused: %d tile rows", p.rows);
  CHECK(p.xs.data == a.x.data && p.xs.stride[4] == 1, "fused: x");
  fused_x_elem += !p.x_vec;
}

// ... and its grad_weight by the kernel's walk: each CTA's tiles (RowDeal), their stages (jd, jh, co block) with the
// taps and grad_y row DgradStage::locate finds, each x row of the tile that reads the stage (kd[a] >= 0, kh[0] >= 0,
// the grad_y row inside), the window's element EW pos + kw from wstart (zero outside [0, OW)) times x at qb BQ + pos
// (zero past IW) -- against the direct sum over x's positions, for a few (input, output) channel pairs.  A term
// counted twice or missed (a stage order, a tap, a window offset) fails.  Values: a hash of the element's index.
static double hval(int64_t i, int salt) {
  uint64_t h = uint64_t(i) * 0x9E3779B97F4A7C15ull + uint64_t(salt) * 0xBF58476D1CE4E5B9ull;
  h ^= h >> 31, h *= 0x94D049BB133111EBull, h ^= h >> 29;
  return double(h % 2001) / 1000.0 - 1.0;
}
static bool emulate_fused(const Arguments& a, const HopperDgradPlan& r, std::mt19937& rng) {
  const ConvT3dProblem& pb = a.problem;
  const HopperDgradParams& p = r.pass[0];
  const int BQ = HopperDgradTiles::BQ, tiles = p.rows * p.qblocks;
  if (int64_t(tiles) * p.nd * p.nj * p.ncob > 4000) return false;  // (cost)
  auto X = [&](int64_t n, int64_t c, int64_t d, int64_t h, int64_t w) {
    return hval(n * a.x.stride[0] + c * a.x.stride[1] + d * a.x.stride[2] + h * a.x.stride[3] + w, 1);
  };
  auto G = [&](int64_t n, int64_t c, int64_t d, int64_t h, int64_t w) {
    return hval(n * a.y.stride[0] + c * a.y.stride[1] + d * a.y.stride[2] + h * a.y.stride[3] + w, 2);
  };
  const int K = pb.taps();
  for (int sample = 0; sample < 3; ++sample) {
    const int cig = int(rng() % pb.Cin), group = cig / p.Kci, cob = int(rng() % p.ncob), co = cob * 32 + int(rng() % 32);
    const int seg = group * p.ncib + (cig % p.Kci) / 32;
    std::vector<double> ref(K, 0.0), emu(K, 0.0), mag(K, 0.0);
    for (int n = 0; n < pb.N; ++n)
      for (int id = 0; id < pb.in[0]; ++id)
        for (int ih = 0; ih < pb.in[1]; ++ih)
          for (int kd = 0; kd < pb.k[0]; ++kd)
            for (int kh = 0; kh < pb.k[1]; ++kh) {
              const int od = id * pb.stride[0] - pb.pad[0] + kd * pb.dil[0];
              const int oh = ih * pb.stride[1] - pb.pad[1] + kh * pb.dil[1];
              if (od < 0 || od >= pb.out[0] || oh < 0 || oh >= pb.out[1]) continue;
              for (int kw = 0; kw < pb.k[2]; ++kw)
                for (int iw = 0; iw < pb.in[2]; ++iw) {
                  const int ow = iw * pb.stride[2] - pb.pad[2] + kw;
                  if (ow < 0 || ow >= pb.out[2]) continue;
                  const double t = X(n, cig, id, ih, iw) * G(n, group * p.Kco + co, od, oh, ow);
                  ref[(kd * pb.k[1] + kh) * pb.k[2] + kw] += t;
                  mag[(kd * pb.k[1] + kh) * pb.k[2] + kw] += std::fabs(t);
                }
            }
    (void)seg;
    for (int chunk = 0; chunk < p.chunks; ++chunk) {
      const RowDeal deal = row_deal(tiles, p.chunks, chunk, p.interleave != 0);
      for (int j = 0; j < deal.count; ++j) {
        int qb, hp, dp;
        const int row = p.div_qb.divmod(deal.row(j), qb);
        const int n = p.div_id.divmod(p.div_ih.divmod(row, hp), dp), id = p.Rd * dp, ih = p.Rh * hp;
        const bool twod = p.Rd == 2 && id + 1 < p.ID;
        for (int jd = 0; jd < p.nd; ++jd)
          for (int jh = 0; jh < p.nj; ++jh)
            for (int cb = 0; cb < p.ncob; ++cb) {
              int kd[2], kh[2];
              hopper_dgrad_taps(jd, p.Kd, p.Sd, twod, kd);
              hopper_dgrad_taps(jh, p.Kh, p.Sh, false, kh);
              const int od = kd[0] >= 0 ? id * p.md.A + p.md.B - kd[0] * p.md.C : (id + 1) * p.md.A + p.md.B - kd[1] * p.md.C;
              const int oh = kh[0] >= 0 ? ih * p.mh.A + p.mh.B - kh[0] * p.mh.C : (ih + 1) * p.mh.A + p.mh.B - kh[1] * p.mh.C;
              const bool pair = (kd[0] >= 0 || kd[1] >= 0) && kh[0] >= 0 && unsigned(od) < unsigned(p.md.in_extent) &&
                                unsigned(oh) < unsigned(p.mh.in_extent);
              if (!pair || cb != cob) continue;
              const int wstart = p.Ew * qb * BQ - p.pw;
              for (int ra = 0; ra < 2; ++ra) {
                if (kd[ra] < 0) continue;
                for (int kw = 0; kw < p.Kw; ++kw)
                  for (int pos = 0; pos < BQ; ++pos) {
                    const int iw = qb * BQ + pos, w = wstart + p.Ew * pos + kw;
                    if (iw >= p.IW || id + ra >= p.ID || w < 0 || w >= p.OW) continue;
                    emu[(kd[ra] * p.Kh + kh[0]) * p.Kw + kw] +=
                        X(n, cig, id + ra, ih, iw) * G(n, group * p.Kco + co, od, oh, w);
                  }
              }
            }
      }
    }
    for (int t = 0; t < K; ++t)
      CHECK(std::fabs(emu[t] - ref[t]) <= 1e-9 * (1.0 + mag[t]), "fused walk: channel %d, %d tap %d: %.17g, direct %.17g",
            cig, co, t, emu[t], ref[t]);
  }
  return true;
}

int main(int argc, char** argv) {
  const int n_problems = argc > 1 ? std::atoi(argv[1]) : 20000;
  alignas(256) static char data[256];
  std::mt19937 rng(11);
  auto pick = [&](std::initializer_list<int> v) { return *(v.begin() + rng() % v.size()); };
  // knob sets: the defaults, then each knob that changes a plan's layout
  const std::vector<std::vector<std::pair<const char*, const char*>>> knobs = {
      {},
      {{"CUTLASS_CONVT3D_SM90_WGRAD_KB", "1"}},  // (2: fp32 TF32's default since v111, 16-bit's at w stride 1)
      {{"CUTLASS_CONVT3D_SM90_WGRAD", "1"}, {"CUTLASS_CONVT3D_SM90_WGRAD_PAIRS", "2"}},
      {{"CUTLASS_CONVT3D_SM90_EXACT", "0"}, {"CUTLASS_CONVT3D_SM90_NSJ8", "1"}},
      {{"CUTLASS_CONVT3D_SM90_TMA_ROUND", "0"}, {"CUTLASS_CONVT3D_SM90_WGRAD_KB", "2"}},  // (fp32 TF32: one k-block)
      {{"CUTLASS_CONVT3D_SM90_VEC16", "1"}, {"CUTLASS_CONVT3D_SM90_MERGE", "0"}, {"CUTLASS_CONVT3D_SM90_WGRAD", "1"}},
      {{"CUTLASS_CONVT3D_SM90_WGEMM_CL", "1"}},  // (v125 / v126: the grad_weight GEMM in place)
      {{"CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "1"}, {"CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING", "4"}},
  };
  int planned[4] = {0, 0, 0, 0}, wgemm_planned = 0, wgemm_in[2] = {0, 0}, wgemm_emulated[2] = {0, 0};
  for (size_t ki = 0; ki < knobs.size(); ++ki) {
    for (const auto& kv : knobs[ki]) setenv(kv.first, kv.second, 1);
    for (int t = 0; t < n_problems; ++t) {
      ConvT3dProblem pb{};
      const int dt = int(rng() % 4);  // fp32 TF32, fp32 exact, fp16, bf16
      pb.dtype = dt < 2 ? DType::kF32 : dt == 2 ? DType::kF16 : DType::kBF16;
      pb.math = dt == 1 ? Math::kExact : Math::kTF32;
      pb.groups = pick({1, 1, 1, 2, 4});
      pb.Cin = pick({32, 32, 64, 96, 128, 256}) * pb.groups;
      pb.Cout = pick({32, 32, 64, 128}) * pb.groups;
      pb.N = pick({1, 2, 3});
      const int ins[3] = {pick({1, 2, 3, 5, 8}), pick({1, 3, 4, 6, 9}), pick({8, 24, 36, 40, 64, 68, 72, 100, 128, 255})};
      bool ok = true;
      for (int d = 0; d < 3; ++d) {
        pb.in[d] = ins[d];
        pb.k[d] = pick({1, 2, 3, 3, 4});
        pb.stride[d] = pick({1, 2, 2, 3});
        pb.dil[d] = pick({1, 1, 1, 2});
        pb.pad[d] = int(rng() % (pb.dil[d] * (pb.k[d] - 1) + 1));
        const int op = int(rng() % std::max(pb.stride[d], pb.dil[d]));
        pb.out[d] = (pb.in[d] - 1) * pb.stride[d] - 2 * pb.pad[d] + pb.dil[d] * (pb.k[d] - 1) + 1 + (rng() % 2 ? op : 0);
        ok &= pb.out[d] > 0;
      }
      if (!ok || check_problem(pb, nullptr) != Status::kSuccess) continue;
      const bool xcl = rng() % 2, ycl = rng() % 3 == 0 ? !xcl : xcl;
      const Arguments a = dense_args(data, pb, xcl, ycl);
      char buf[256];
      std::snprintf(buf, sizeof buf, "knobs %zu dt %d N%lld %d->%d g%d x %dx%dx%d%s y%s k%d%d%d s%d%d%d p%d%d%d d%d%d%d", ki,
                    dt, (long long)pb.N, pb.Cin, pb.Cout, pb.groups, pb.in[0], pb.in[1], pb.in[2], xcl ? " cl" : "",
                    ycl ? " cl" : "", pb.k[0], pb.k[1], pb.k[2], pb.stride[0], pb.stride[1], pb.stride[2], pb.pad[0],
                    pb.pad[1], pb.pad[2], pb.dil[0], pb.dil[1], pb.dil[2]);
      where = buf;
      HopperPlan f{};
      // the forward's tile order: bands of 1-9 rows, the whole plane (0), or the default
      const int band = int(rng() % 12) - 1;
      if (band >= 0) setenv("CUTLASS_CONVT3D_SM90_BAND", std::to_string(band).c_str(), 1);
      const bool fplan = hopper_plan(a, &f);
      if (fplan) ++planned[0], check_forward(a, f);
      // a forward knob at a level: the same problem plans exactly where it planned without, every invariant held
      // (the count of kWideNSJ plans left to the plain plan's check)
      // (may_add: the knob may plan where the default does not, never the reverse: v142's exact x slots, one part where
      // the splitting copy's are two, fit where those do not)
      auto replan = [&](const char* var, const char* level, bool may_add = false) {
        setenv(var, level, 1);
        HopperPlan k{};
        const bool kplan = hopper_plan(a, &k);
        CHECK(kplan == fplan || (may_add && kplan), "%s=%s changes whether the Hopper forward plans", var, level);
        if (kplan) {
          const int wide = wide_plans;
          check_forward(a, k);
          wide_plans = wide;
        }
        unsetenv(var);
        return k;
      };
      // v133 (CUTLASS_CONVT3D_SM90_X_NCDHW=2: wherever the landing buffers fit; the copy where they do not), and
      // where it reads an NCDHW x in place, that x as the map needs
      x_ncdhw_plans += replan("CUTLASS_CONVT3D_SM90_X_NCDHW", "2").p.land_bytes > 0;
      // v140 (CUTLASS_CONVT3D_SM90_X_MN=1: the same problems plan, in place where it applies)
      replan("CUTLASS_CONVT3D_SM90_X_MN", "1");
      // v141 (CUTLASS_CONVT3D_SM90_X_RS=2: the same problems plan, in place where it applies)
      replan("CUTLASS_CONVT3D_SM90_X_RS", "2", true);
      // v135 (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2; 64-position tiles where whole rows do not fit)
      replan("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", t % 2 ? "1" : "2");
      // v137 (CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1: plans and tiles unchanged, whole-row ones pipelined)
      {
        const HopperPlan k = replan("CUTLASS_CONVT3D_SM90_WGMMA_PIPE", "1");
        CHECK(!fplan || (k.p.bq == f.p.bq && k.p.nwg == f.p.nwg && k.p.ring == f.p.ring && k.p.ctas == f.p.ctas),
              "WGMMA_PIPE=1 changed the plan: BQ %d, %d x %d, %d CTAs", k.p.bq, k.p.nwg, k.p.ring, k.p.ctas);
      }
      unsetenv("CUTLASS_CONVT3D_SM90_BAND");
      HopperWgradPlan w{};
      const bool wplan = hopper_wgrad_plan(a, &w);
      if (wplan) ++planned[1], check_wgrad(a, w);
      if (ki == 1) {  // two k-blocks where they fit, else one: never a shape sent back to sm_80 by the knob; unset,
                      // fp32 TF32 and 16-bit at w stride 1 plan as under KB=2 (v111), the rest as under KB=1
        int kb_at2 = 0;
        for (const char* kb : {"2", static_cast<const char*>(nullptr)}) {
          if (kb) setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", kb, 1);
          else unsetenv("CUTLASS_CONVT3D_SM90_WGRAD_KB");
          HopperWgradPlan w2{};
          CHECK(hopper_wgrad_plan(a, &w2) == wplan, "KB=%s changes whether the Hopper grad_weight plans",
                kb ? kb : "unset");
          if (!wplan) continue;
          check_wgrad(a, w2);
          if (kb) kb_at2 = w2.p.kb;
          else CHECK(w2.p.kb == ((pb.dtype == DType::kF32 && pb.math == Math::kTF32) ||
                                         (pb.dtype != DType::kF32 && pb.stride[2] == 1) ? kb_at2 : 1),
                     "default kb %d", w2.p.kb);
        }
        setenv("CUTLASS_CONVT3D_SM90_WGRAD_KB", "1", 1);
      }
      HopperWgemmPlan gm{};
      if (t % 2) setenv("CUTLASS_CONVT3D_SM90_WGEMM", "2", 1);  // (32-channel boxes too)
      if (hopper_wgemm_plan(a, &gm)) {
        ++wgemm_planned, wgemm_in[gm.p.kbufs ? 1 : 0] += gm.p.inplace, check_wgemm(a, gm);
        if (wgemm_emulated[gm.p.inplace] < 40 && emulate_wgemm(a, gm)) ++wgemm_emulated[gm.p.inplace];
      }
      unsetenv("CUTLASS_CONVT3D_SM90_WGEMM");
      HopperDgradPlan d{};
      if (dgrad_kernel_plan(Kind::kGradInput, a, &d)) ++planned[2], check_dgrad(a, d, false, "grad_input");
      if (dgrad_kernel_plan(Kind::kForward, a, &d)) ++planned[3], check_dgrad(a, d, true, "unit-stride forward");
      if (ki == 0) {  // v146: off by default; on, where it plans (x is dense here: rows on 16 bytes where W is)
        HopperDgradPlan fd{};
        CHECK(!hopper_bwd_plan(a, a.x, &fd), "the fused backward planned with its knob unset");
        setenv("CUTLASS_CONVT3D_SM90_FUSED_BWD", "1", 1);
        const bool fplan2 = hopper_bwd_plan(a, a.x, &fd);
        const bool expect = pb.dtype != DType::kF32 && !xcl;
        CHECK(!fplan2 || expect, "the fused backward planned an fp32 / channels_last problem");
        CHECK(!fplan2 || fd.pass[0].x_vec == (pb.in[2] % 8 == 0), "x's rows by vectors: %d", fd.pass[0].x_vec);
        if (fplan2) {
          ++fused_planned, check_fused(a, fd);
          if (fused_emulated < 60 && emulate_fused(a, fd, rng)) ++fused_emulated;
        }
        unsetenv("CUTLASS_CONVT3D_SM90_FUSED_BWD");
      }
    }
    for (const auto& kv : knobs[ki]) unsetenv(kv.first);
  }
  // the phase-GEMM (the forward where kernel != stride): random problems under CUTLASS_CONVT3D_PHASEGEMM=1, =2 and
  // =3 (short rows).  Where planned: per dimension the residues' positions map onto y's outputs exactly once, each residue's
  // taps are exactly the k with k dil = r (mod s) and read x at the transposed convolution's i (o + pad = s i + k dil),
  // the classes' packed B back to back, the grid over every class's positions, the workspace holding the pack and a
  // restaged x; =3 only at W <= kPhaseGemmShortW where no Hopper forward takes the problem; unset: off (v99)
  {
    std::mt19937 prng(29);
    auto pk = [&](std::initializer_list<int> v) { return *(v.begin() + prng() % v.size()); };
    int phase_planned = 0, emulated = 0, wgen_emulated = 0, pg_planned = 0, pg_wpair = 0, pg_wg4 = 0, pg_dgrad = 0,
        pg_halo = 0, pg_halo_pair = 0;
    for (int t = 0; t < 6000; ++t) {
      ConvT3dProblem pb{};
      const int dt = int(prng() % 4);
      pb.dtype = dt < 2 ? DType::kF32 : dt == 2 ? DType::kF16 : DType::kBF16;
      pb.math = dt == 1 ? Math::kExact : Math::kTF32;
      pb.groups = pk({1, 1, 2, 4});
      pb.Cin = pk({8, 16, 24, 32, 40, 64, 128}) * pb.groups;
      pb.Cout = pk({8, 16, 32, 48, 64}) * pb.groups;
      pb.N = pk({1, 2});
      bool ok = true;
      for (int d = 0; d < 3; ++d) {
        pb.in[d] = pk({1, 2, 3, 5, 8, 16, 32, 40});
        pb.k[d] = pk({1, 2, 3, 3, 4, 5});
        pb.stride[d] = pk({1, 2, 2, 3, 4, 5});
        pb.dil[d] = pk({1, 1, 1, 2, 3});
        pb.pad[d] = int(prng() % (pb.dil[d] * (pb.k[d] - 1) + 1));
        const int op = int(prng() % std::max(pb.stride[d], pb.dil[d]));
        pb.out[d] = (pb.in[d] - 1) * pb.stride[d] - 2 * pb.pad[d] + pb.dil[d] * (pb.k[d] - 1) + 1 + (prng() % 2 ? op : 0);
        ok &= pb.out[d] > 0;
      }
      if (!ok || check_problem(pb, nullptr) != Status::kSuccess) continue;
      const bool xcl = prng() % 2, ycl = prng() % 2;
      const Arguments a = dense_args(data, pb, xcl, ycl);
      char buf[256];
      std::snprintf(buf, sizeof buf, "phase-GEMM dt %d %d->%d g%d x %dx%dx%d%s y%s k%d%d%d s%d%d%d p%d%d%d d%d%d%d", dt,
                    pb.Cin, pb.Cout, pb.groups, pb.in[0], pb.in[1], pb.in[2], xcl ? " cl" : "", ycl ? " cl" : "",
                    pb.k[0], pb.k[1], pb.k[2], pb.stride[0], pb.stride[1], pb.stride[2], pb.pad[0], pb.pad[1],
                    pb.pad[2], pb.dil[0], pb.dil[1], pb.dil[2]);
      where = buf;
      bool tap_shape = true;
      for (int d = 0; d < 3; ++d)
        tap_shape &= pb.k[d] == pb.stride[d] && pb.pad[d] == 0 && pb.out[d] == pb.in[d] * pb.k[d] &&
                     (pb.k[d] == 1 || pb.dil[d] == 1);
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "1", 1);
      const int order_mode = t % 5;  // (v107 / v108's knob, each level in turn)
      setenv("CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER", std::to_string(order_mode).c_str(), 1);
      TapGemmPlan g{};
      const bool planned = tapgemm_plan(Kind::kForward, a, &g) && g.p.phase;
      const int vec = 16 / int(elem_size(pb.dtype));
      // where it must plan: every stride and per-residue tap count within its tables, whole channel vectors
      bool fits = !tap_shape && !use_direct(pb) && pb.cin_g() % vec == 0;
      for (int d = 0; d < 3; ++d) {
        fits &= pb.stride[d] <= TapGemmTiles::kMaxStride;
        for (int r = 0; r < pb.stride[d]; ++r) {
          int n = 0;
          for (int k = 0; k < pb.k[d]; ++k) n += (k * pb.dil[d] - r) % pb.stride[d] == 0;
          fits &= n <= TapGemmTiles::kMaxTaps;
        }
      }
      CHECK(planned == fits, "planned %d, expected %d", planned, fits);
      if (planned) {
        ++phase_planned;
        const TapGemmPhase& ph = g.p.ph;
        CHECK(ph.ncls == pb.stride[0] * pb.stride[1] * pb.stride[2], "classes %d", ph.ncls);
        int64_t maxpos = 1;
        for (int d = 0; d < 3; ++d) {
          std::vector<int> seen(pb.out[d], 0);
          int64_t most = 0;
          for (int r = 0; r < pb.stride[d]; ++r) {
            const TapGemmPhaseDim& D = ph.dim[d][r];
            most = std::max<int64_t>(most, D.cnt);
            CHECK(D.div.d == std::max(D.cnt, 1), "divisor");
            for (int q = D.q0; q < D.q0 + D.cnt; ++q) {
              const int o = pb.stride[d] * q + r - pb.pad[d];
              if (o < 0 || o >= pb.out[d]) {
                CHECK(false, "dim %d residue %d: output %d outside y", d, r, o);
                continue;
              }
              ++seen[o];
              // the residue's taps: exactly the k with o + pad = s i + k dil, at i = q + off
              int n = 0;
              for (int k = 0; k < pb.k[d]; ++k) {
                const int num = o + pb.pad[d] - k * pb.dil[d];
                if (num % pb.stride[d] != 0) continue;
                bool found = false;
                for (int tt = 0; tt < D.ntap; ++tt)
                  found |= D.k[tt] == k && q + D.off[tt] == num / pb.stride[d];
                CHECK(found, "dim %d output %d: tap %d missing or at the wrong x", d, o, k);
                ++n;
              }
              CHECK(n == D.ntap, "dim %d output %d: %d taps, table %d", d, o, n, D.ntap);
            }
          }
          for (int o = 0; o < pb.out[d]; ++o) CHECK(seen[o] == 1, "dim %d output %d covered %d times", d, o, seen[o]);
          maxpos *= most;
        }
        int64_t wsum = 0;
        for (int c = 0; c < ph.ncls; ++c) {
          int res[3];
          ph.residues(c, res);
          CHECK(ph.wofs[c] == wsum && ph.wofs[c] % vec == 0, "class %d pack offset", c);
          wsum += int64_t(pb.groups) * ph.dim[0][res[0]].ntap * ph.dim[1][res[1]].ntap * ph.dim[2][res[2]].ntap *
                  pb.cin_g() * g.p.ldb;
        }
        CHECK(ph.wofs[ph.ncls] == wsum && g.pack_bytes >= size_t(wsum) * elem_size(pb.dtype), "pack size");
        // v102's wgmma instance on this emulated H100 wherever the math is TF32 or 16-bit (A is always [m][k] here)
        CHECK(g.p.gmma == (pb.dtype != DType::kF64 && op_math(pb, Kind::kForward) != Math::kExact), "phase gmma %d",
              g.p.gmma);
        const int64_t nx = pb.N * pb.Cin * int64_t(pb.in[0]) * pb.in[1] * pb.in[2];
        CHECK(g.workspace >= g.pack_bytes + (g.restage ? size_t(nx) * elem_size(pb.dtype) : 0), "workspace");
        const bool one_pos = pb.in[0] == 1 && pb.in[1] == 1 && pb.in[2] == 1;  // (NCDHW: channel stride 1 too)
        // (v104's default 2: an fp32 x with TF32 products, every element staged >= 16 times, copied rounded anyway)
        const bool tf32 = pb.dtype == DType::kF32 && op_math(pb, Kind::kForward) == Math::kTF32;
        const bool round_anyway =
            kPhaseGemmRoundedCopyDefault == 2 && g.p.gmma && tf32 && pb.taps() >= kPhaseGemmRoundCopyTaps;
        // v120: the forward over TMA boxes wherever its geometry admits the problem (then an aligned channels_last x
        // in place: its map rounds)
        const int kb = HopperPgemmTiles::kRowBytes / int(elem_size(pb.dtype));
        // (v121's wpair, the default, at w stride 2: positions k of the outputs 2k, 2k + 1)
        const bool half = elem_size(pb.dtype) == 2;
        const bool wpair = pb.stride[2] == 2 && (kSm90PgemmWpairDefault == 2 || (kSm90PgemmWpairDefault == 1 && !ycl));
        int cw_max = wpair ? (pb.out[2] + 1) / 2 : 0;
        for (int r = 0; r < pb.stride[2] && !wpair; ++r) cw_max = std::max(cw_max, ph.dim[2][r].cnt);
        // (the default rule: a channels_last y, its channel pairs aligned, a 16-bit type, or wpair's NCDHW y whose
        // w pairs are aligned: dense, so OW even)
        const bool pairs = ycl && pb.cout_g() % 2 == 0;
        const bool wvec = wpair && !ycl && pb.out[2] % 2 == 0;
        const bool pg = g.p.gmma && ph.ncls <= HopperPgemmTiles::kMaxClasses && pb.cin_g() % kb == 0 &&
                        pb.cout_g() % 64 == 0 && cw_max <= HopperPgemmTiles::BM && (pairs || half || wvec);
        CHECK(g.p.pg_tma == pg, "TMA phase-GEMM %d, expected %d", g.p.pg_tma, pg);
        pg_planned += pg;
        CHECK(g.restage == (!(xcl || one_pos) || (round_anyway && !pg)), "restage %d with x %s", g.restage,
              xcl ? "channels_last" : "NCDHW");
        if (pg) {  // the plan's tiles, the other tiling (wpair off / on) where the w stride is 2, four warpgroups
          // (v122's default: four warpgroups for 4-byte types, two for 16-bit ones)
          CHECK(g.p.pg_wg == (half ? 2 : 4), "warpgroups asked %d", g.p.pg_wg);
          CHECK(check_pgemm(pb, g.p), "geometry declined a planned problem");
          pg_wpair += g.p.pg_wpair && pb.stride[2] == 2;
          TapGemmParams q = g.p;
          q.pg_wpair = !q.pg_wpair;
          if (pb.stride[2] == 2) {
            CHECK(check_pgemm(pb, q), "geometry declined wpair %d", q.pg_wpair);
            ++pg_wpair;
          }
          q.pg_wpair = false;
          q.pg_wg = 4;  // (v122: where class rows fit 256 positions, which every planned problem's do)
          CHECK(check_pgemm(pb, q), "geometry declined four warpgroups");
          ++pg_wg4;
          // v124: one x box for a class's h taps, with two and four warpgroups and w pairs (off by default)
          CHECK(!g.p.pg_halo || kSm90PgemmHaloDefault == 1, "halo asked by default");
          q.pg_halo = true;
          for (int wgs : {2, 4, 0}) {  // (0: w pairs, where the w stride is 2)
            if (wgs == 0 && pb.stride[2] != 2) continue;
            q.pg_wg = wgs ? wgs : 2;
            q.pg_wpair = wgs == 0;
            HopperPgemm hg{};
            CHECK(check_pgemm(pb, q) && hopper_pgemm_geometry(q, pb.N, int(elem_size(pb.dtype)), &hg),
                  "geometry declined halo");
            pg_halo += hg.halo;
            pg_halo_pair += hg.halo && hg.wpair;
          }
          q.pg_wpair = false;
        }
        {  // the mma.sync instance rounds as its fragments load: an in-place x stays in place there
          setenv("CUTLASS_CONVT3D_TAPGEMM_SM90", "0", 1);
          TapGemmPlan g0{};
          CHECK(tapgemm_plan(Kind::kForward, a, &g0) && !g0.p.gmma && g0.restage == !(xcl || one_pos),
                "sm_80 instance: restage %d with x %s", g0.restage, xcl ? "channels_last" : "NCDHW");
          unsetenv("CUTLASS_CONVT3D_TAPGEMM_SM90");
        }
        // v104: a restaged fp32 x with TF32 products is rounded by the copy, and only then
        CHECK(g.p.a_rounded == (g.restage && pb.dtype == DType::kF32 && op_math(pb, Kind::kForward) == Math::kTF32),
              "rounded copy %d", g.p.a_rounded);
        const unsigned gx = g.p.n_fast ? g.grid.y : g.grid.x, gy = g.p.n_fast ? g.grid.x : g.grid.y;
        // v107 / v108: classes in the position dimension: every class at knob 4, and at 3 where y is not
        // channels_last; else the w residues at 2 wherever the w stride is > 1, at 1 where y is not channels_last
        // (the emulation below walks this grid through the kernel's decode)
        const bool ncdhw_y = !g.p.cl;
        const int wf = order_mode == 4 || (order_mode == 3 && ncdhw_y) ? ph.ncls
                       : pb.stride[2] > 1 && (order_mode == 2 || (order_mode == 1 && ncdhw_y)) ? pb.stride[2]
                                                                                                 : 1;
        CHECK(ph.cfast == wf, "classes along the positions: %d, expected %d (knob %d)", ph.cfast, wf, order_mode);
        CHECK(int64_t(gx) == pb.N * ((maxpos + TapGemmTiles::BM - 1) / TapGemmTiles::BM) * wf &&
                  int64_t(gy) * TapGemmTiles::BN >= pb.cout_g() && g.grid.z * wf == unsigned(pb.groups * ph.ncls),
              "grid %u %u %u", g.grid.x, g.grid.y, g.grid.z);
        CHECK(g.p.vec_cl == (ycl && pb.cout_g() % vec == 0), "vector stores %d", g.p.vec_cl);
        // the kernel's K walk (TapGemmPhase::advance from each thread's column, BK a step) against the direct decode
        for (int c = 0; c < ph.ncls; ++c) {
          int res[3];
          ph.residues(c, res);
          const TapGemmPhaseDim &Dd = ph.dim[0][res[0]], &Dh = ph.dim[1][res[1]], &Dw = ph.dim[2][res[2]];
          const int kdim = Dd.ntap * Dh.ntap * Dw.ntap * pb.cin_g(), steps = (kdim + TapGemmTiles::BK - 1) / TapGemmTiles::BK;
          for (int kv = 0; kv < TapGemmTiles::BK; kv += vec) {
            int ci = kv, tp[3] = {0, 0, 0};
            TapGemmPhase::advance(ci, tp, 0, pb.cin_g(), Dh.ntap, Dw.ntap);
            for (int st = 0; st < steps; ++st) {
              const int k = st * TapGemmTiles::BK + kv, tap = k / pb.cin_g();
              const bool in = k < kdim;
              CHECK((tp[0] < Dd.ntap) == in, "class %d step %d column %d: K end", c, st, kv);
              if (in)
                CHECK(ci == k % pb.cin_g() && tp[2] == tap % Dw.ntap && tp[1] == tap / Dw.ntap % Dh.ntap &&
                          tp[0] == tap / (Dw.ntap * Dh.ntap),
                      "class %d step %d column %d: (%d %d %d, %d)", c, st, kv, tp[0], tp[1], tp[2], ci);
              TapGemmPhase::advance(ci, tp, TapGemmTiles::BK, pb.cin_g(), Dh.ntap, Dw.ntap);
            }
          }
        }
      }
      // grad_input: one class, every tap, x position Q reads grad_y at s Q - pad + k dil
      TapGemmPlan gd{};
      const bool dplanned = tapgemm_plan(Kind::kGradInput, a, &gd) && gd.p.phase;
      bool dfits = !tap_shape && !use_direct(pb) && pb.cout_g() % vec == 0;
      for (int d = 0; d < 3; ++d) dfits &= pb.stride[d] <= TapGemmTiles::kMaxStride && pb.k[d] <= TapGemmTiles::kMaxTaps;
      CHECK(dplanned == dfits, "grad_input planned %d, expected %d", dplanned, dfits);
      if (dplanned) {
        const TapGemmParams& q = gd.p;
        CHECK(q.ph.ncls == 1 && q.dgrad && q.Kc == pb.cout_g() && q.Nc == pb.cin_g() && !q.bias, "grad_input roles");
        const bool one_out = pb.out[0] == 1 && pb.out[1] == 1 && pb.out[2] == 1;
        const bool dtf32 = pb.dtype == DType::kF32 && op_math(pb, Kind::kGradInput) == Math::kTF32;
        const bool dround = kPhaseGemmRoundedCopyDefault == 2 && q.gmma && dtf32 &&
                            pb.taps() / (pb.stride[0] * pb.stride[1] * pb.stride[2]) >= kPhaseGemmRoundCopyTaps;
        // (the TMA phase-GEMM's maps round as the boxes land: an aligned channels_last grad_y is never copied)
        CHECK(gd.restage == (!(ycl || one_out) || (dround && !q.pg_tma)), "grad_y restaged %d", gd.restage);
        CHECK(q.a_rounded == (gd.restage && pb.dtype == DType::kF32 && op_math(pb, Kind::kGradInput) == Math::kTF32),
              "grad_y rounded copy %d", q.a_rounded);
        // v123: grad_input on the TMA phase-GEMM (by default, and at CUTLASS_CONVT3D_SM90_PGEMM_DGRAD=1) where its
        // geometry admits the problem: a group's grad_y channels whole k-blocks, its x channels a multiple of 64, x
        // rows <= bm positions, boxes of <= 256 elements, strides <= 8; the tiles walked both with 2 and with 4
        // warpgroups
        const int dkb = HopperPgemmTiles::kRowBytes / int(elem_size(pb.dtype));
        int bw = 8;
        while (bw < pb.in[2]) bw *= 2;
        const bool dfit = pb.cout_g() % dkb == 0 && pb.cin_g() % 64 == 0 && pb.in[2] <= 128 &&
                          pb.stride[1] <= 8 && pb.stride[2] <= 8 && bw * pb.stride[2] <= 256 &&
                          128 / bw * pb.stride[1] <= 256;
        TapGemmParams qt = q;
        qt.pg_wg = 2;
        CHECK(check_pgemm(pb, qt) == dfit, "grad_input TMA geometry, expected %d", dfit);
        if (dfit) {
          qt.pg_wg = 4;
          check_pgemm(pb, qt);
          ++pg_dgrad;
        }
        setenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD", "1", 1);
        TapGemmPlan gt{};
        CHECK(tapgemm_plan(Kind::kGradInput, a, &gt) && gt.p.pg_tma == (dfit && q.gmma),
              "grad_input TMA planned %d, expected %d", gt.p.pg_tma, dfit && q.gmma);
        CHECK(!gt.p.pg_tma || gt.restage == !(ycl || one_out), "grad_input TMA: grad_y restaged %d", gt.restage);
        CHECK(q.pg_tma == gt.p.pg_tma && (!q.pg_tma || q.pg_wg == (elem_size(pb.dtype) == 4 ? 4 : 2)),
              "grad_input TMA by default %d (warpgroups %d)", q.pg_tma, q.pg_wg);
        setenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD", "0", 1);
        CHECK(tapgemm_plan(Kind::kGradInput, a, &gt) && !gt.p.pg_tma, "grad_input TMA at DGRAD=0");
        unsetenv("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD");
      }
      // small problems: both passes end to end through the plans' tables as the kernel walks them, against the
      // transposed convolution and its grad_input in float64
      const int64_t nx = pb.N * pb.Cin * int64_t(pb.in[0]) * pb.in[1] * pb.in[2];
      const int64_t ny = pb.N * pb.Cout * int64_t(pb.out[0]) * pb.out[1] * pb.out[2];
      // grad_weight at any kernel (v101, CUTLASS_CONVT3D_PHASEGEMM_WGRAD=1): where the shape is not the tap-GEMM's own,
      // every channel of a group whole 16-byte vectors; x and grad_y restaged exactly where not channels_last
      setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "1", 1);
      TapGemmPlan gw{};
      const bool wplanned = tapgemm_plan(Kind::kGradWeight, a, &gw);
      CHECK(!wplanned || gw.p.wgen == !tap_shape, "grad_weight wgen %d at the tap-GEMM's shape %d", gw.p.wgen, tap_shape);
      const bool wfits = !tap_shape && !use_direct(pb) && pb.cin_g() % vec == 0 && pb.cout_g() % vec == 0;
      CHECK(tap_shape || wplanned == wfits, "grad_weight planned %d, expected %d", wplanned, wfits);
      if (wplanned && !tap_shape) {
        const bool one_in = pb.in[0] == 1 && pb.in[1] == 1 && pb.in[2] == 1;
        const bool one_out = pb.out[0] == 1 && pb.out[1] == 1 && pb.out[2] == 1;
        CHECK(gw.restage_x == !(xcl || one_in) && gw.restage_y == !(ycl || one_out), "grad_weight restage x %d y %d",
              gw.restage_x, gw.restage_y);
        const size_t es = elem_size(pb.dtype);
        const int64_t nx = pb.N * pb.Cin * int64_t(pb.in[0]) * pb.in[1] * pb.in[2];
        const int64_t ny = pb.N * pb.Cout * int64_t(pb.out[0]) * pb.out[1] * pb.out[2];
        CHECK(gw.sums_off >= (gw.restage_x ? size_t(nx) * es : 0) + (gw.restage_y ? size_t(ny) * es : 0) &&
                  gw.sums_off % 256 == 0 &&
                  gw.workspace >= gw.sums_off + size_t(gw.chunks) * pb.groups * pb.taps() * pb.cin_g() * pb.cout_g() *
                                                    acc_size(pb.dtype),
              "grad_weight workspace");
        const unsigned gx = gw.p.n_fast ? gw.grid.y : gw.grid.x, gyb = gw.p.n_fast ? gw.grid.x : gw.grid.y;
        CHECK(int64_t(gx) == pb.N * gw.p.div_mb.d && gw.chunks == int(gx) &&
                  (gw.p.wgen ? int64_t(gyb) == int64_t(pb.taps()) * gw.p.tap_nb &&
                                   int64_t(gw.p.tap_nb) * TapGemmTiles::BN >= pb.cout_g() &&
                                   int64_t(gw.p.tap_nb - 1) * TapGemmTiles::BN < pb.cout_g()
                             : int64_t(gyb) * TapGemmTiles::BN >= int64_t(pb.cout_g()) * pb.taps()) &&
                  int64_t(gw.p.div_mb.d) * gw.p.chunk_len >= gw.p.pos && gw.p.chunk_len % TapGemmTiles::BK == 0,
              "grad_weight grid %u %u %u", gw.grid.x, gw.grid.y, gw.grid.z);
      }
      setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "0", 1);
      CHECK(tap_shape || !tapgemm_plan(Kind::kGradWeight, a, nullptr), "grad_weight with CUTLASS_CONVT3D_PHASEGEMM_WGRAD=0");
      unsetenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD");
      const bool in_place = wplanned && !gw.restage_x && !gw.restage_y;
      CHECK(tap_shape || tapgemm_plan(Kind::kGradWeight, a, nullptr) ==
                             (kPhaseGemmWgradDefault == 1 ? wplanned : kPhaseGemmWgradDefault == 2 && in_place),
            "grad_weight by default");
      setenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", "2", 1);
      CHECK(tap_shape || tapgemm_plan(Kind::kGradWeight, a, nullptr) == in_place, "grad_weight at 2 (in place only)");
      unsetenv("CUTLASS_CONVT3D_PHASEGEMM_WGRAD");
      const bool wgen = wplanned && !tap_shape;
      if ((planned || dplanned || wgen) && emulated < 400 && (nx + ny) * pb.cout_g() * pb.taps() <= 6000000) {
        ++emulated;
        const int Kc = pb.cin_g(), Nc = pb.cout_g(), I[3] = {pb.in[0], pb.in[1], pb.in[2]};
        const int O[3] = {pb.out[0], pb.out[1], pb.out[2]};
        std::vector<double> xv(static_cast<size_t>(nx)), gyv(static_cast<size_t>(ny)),
            wv(static_cast<size_t>(pb.Cin) * Nc * pb.taps()), yref(static_cast<size_t>(ny), 0.0),
            gref(static_cast<size_t>(nx), 0.0), wref(wv.size(), 0.0);
        for (auto* v : {&xv, &gyv, &wv})
          for (auto& e : *v) e = double(int(prng() % 17) - 8);
        auto at = [&](int64_t n, int64_t c, int64_t C, const int* E, int64_t d, int64_t h, int64_t w) {
          return size_t((((n * C + c) * E[0] + d) * E[1] + h) * E[2] + w);
        };
        auto W = [&](int64_t ci, int64_t co, int kd, int kh, int kw) {
          return wv[size_t((((ci * Nc + co) * pb.k[0] + kd) * pb.k[1] + kh) * pb.k[2] + kw)];
        };
        // x position i, tap k -> output o = s i - pad + k dil: the three references (grad_weight's [ci][co][tap])
        for (int64_t n = 0; n < pb.N; ++n)
          for (int ci = 0; ci < pb.Cin; ++ci)
            for (int id = 0; id < I[0]; ++id)
              for (int ih = 0; ih < I[1]; ++ih)
                for (int iw = 0; iw < I[2]; ++iw)
                  for (int kd = 0; kd < pb.k[0]; ++kd)
                    for (int kh = 0; kh < pb.k[1]; ++kh)
                      for (int kw = 0; kw < pb.k[2]; ++kw) {
                        const int od = id * pb.stride[0] - pb.pad[0] + kd * pb.dil[0];
                        const int oh = ih * pb.stride[1] - pb.pad[1] + kh * pb.dil[1];
                        const int ow = iw * pb.stride[2] - pb.pad[2] + kw * pb.dil[2];
                        if (od < 0 || od >= O[0] || oh < 0 || oh >= O[1] || ow < 0 || ow >= O[2]) continue;
                        const int grp = ci / Kc;
                        for (int c2 = 0; c2 < Nc; ++c2) {
                          const double wk = W(ci, c2, kd, kh, kw), xe = xv[at(n, ci, pb.Cin, I, id, ih, iw)],
                                       ge = gyv[at(n, grp * Nc + c2, pb.Cout, O, od, oh, ow)];
                          yref[at(n, grp * Nc + c2, pb.Cout, O, od, oh, ow)] += xe * wk;
                          gref[at(n, ci, pb.Cin, I, id, ih, iw)] += ge * wk;
                          wref[size_t((((int64_t(ci) * Nc + c2) * pb.k[0] + kd) * pb.k[1] + kh) * pb.k[2] + kw)] += xe * ge;
                        }
                      }
        if (planned) {
          std::vector<double> y = emulate_phase(g, pb.N, I, O, [&](int64_t n, int64_t c, int d, int h, int w) {
            return xv[at(n, c, pb.Cin, I, d, h, w)];
          }, [&](int grp, int kc, int nc, int kd, int kh, int kw) { return W(int64_t(grp) * Kc + kc, nc, kd, kh, kw); });
          CHECK(y == yref, "emulated forward differs from the transposed convolution");
        }
        if (dplanned) {
          std::vector<double> gx = emulate_phase(gd, pb.N, O, I, [&](int64_t n, int64_t c, int d, int h, int w) {
            return gyv[at(n, c, pb.Cout, O, d, h, w)];
          }, [&](int grp, int kc, int nc, int kd, int kh, int kw) { return W(int64_t(grp) * Kc + nc, kc, kd, kh, kw); });
          CHECK(gx == gref, "emulated grad_input differs from the strided convolution of grad_y");
        }
        if (wgen) {
          std::vector<double> gwv = emulate_wgen(gw.p, pb.N, O, [&](int64_t n, int64_t c, int d, int h, int w) {
            return xv[at(n, c, pb.Cin, I, d, h, w)];
          }, [&](int64_t n, int64_t c, int d, int h, int w) { return gyv[at(n, c, pb.Cout, O, d, h, w)]; });
          CHECK(gwv == wref, "emulated grad_weight differs from the reference");
          ++wgen_emulated;
        }
      }
      const bool hopper = hopper_plan(a, nullptr) || dgrad_kernel_plan(Kind::kForward, a, nullptr);
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "2", 1);
      CHECK((tapgemm_plan(Kind::kForward, a, &g) && g.p.phase) == (planned && !hopper), "mode 2");
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "3", 1);
      CHECK((tapgemm_plan(Kind::kForward, a, &g) && g.p.phase) ==
                (planned && !hopper && pb.in[2] <= kPhaseGemmShortW), "mode 3");
      // grad_input: mode 2 yields to the Hopper grad_input, mode 3 (short rows) does not
      const bool dhopper = dgrad_kernel_plan(Kind::kGradInput, a, nullptr);
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "1", 1);
      const bool dany = tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase;
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "2", 1);
      CHECK((tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase) == (dany && !dhopper), "grad_input mode 2");
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "3", 1);
      CHECK((tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase) == (dany && pb.in[2] <= kPhaseGemmShortW),
            "grad_input mode 3");
      unsetenv("CUTLASS_CONVT3D_PHASEGEMM");
      const bool by_mode[4] = {false, planned, planned && !hopper, planned && !hopper && pb.in[2] <= kPhaseGemmShortW};
      CHECK((tapgemm_plan(Kind::kForward, a, &g) && g.p.phase) == by_mode[kPhaseGemmDefault], "default (mode %d)",
            kPhaseGemmDefault);
      setenv("CUTLASS_CONVT3D_PHASEGEMM", "0", 1);
      CHECK(!(tapgemm_plan(Kind::kForward, a, &g) && g.p.phase), "mode 0");
      CHECK(!(tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase), "grad_input at mode 0");
      CHECK(!(tapgemm_plan(Kind::kGradWeight, a, &g) && g.p.phase), "grad_weight");
      unsetenv("CUTLASS_CONVT3D_PHASEGEMM");
    }
    unsetenv("CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER");
    std::printf("phase-GEMM plans checked: %d forward (%d over TMA boxes, %d tilings of w pairs, %d of four "
                "warpgroups, %d of halo boxes (%d of w pairs); %d grad_input over TMA boxes); %d small problems "
                "emulated (forward, grad_input and / or grad_weight; %d grad_weight at any kernel)\n",
                phase_planned, pg_planned, pg_wpair, pg_wg4, pg_halo, pg_halo_pair, pg_dgrad, emulated, wgen_emulated);
    CHECK(pg_planned > 20 && pg_wpair > 10 && pg_wg4 > 20 && pg_halo > 20 && pg_halo_pair > 5 && pg_dgrad > 20,
          "too few TMA phase-GEMM plans to check: %d (%d of w pairs, %d of four warpgroups, %d of halo boxes, %d "
          "grad_input)", pg_planned, pg_wpair, pg_wg4, pg_halo, pg_dgrad);
    CHECK(wgen_emulated > 50, "too few grad_weight plans at any kernel emulated: %d", wgen_emulated);
    CHECK(phase_planned > 500 && emulated > 150, "too few phase-GEMM plans to check: %d (%d emulated)", phase_planned,
          emulated);
  }
  // the planners asked only whether a kernel applies (no plan to fill): the unit-stride forward on the Hopper grad_input
  // kernel once wrote its bias through the null plan (a pointwise fp32 channels_last forward at 16 < W <= 32 reached
  // it through the tap-GEMM's short-row rule of then: a crash)
  {
    ConvT3dProblem pb{};
    pb.dtype = DType::kF32;
    pb.math = Math::kTF32;
    pb.groups = 1, pb.N = 1, pb.Cin = 32, pb.Cout = 32;
    const int ins[3] = {2, 3, 24};
    for (int d = 0; d < 3; ++d) pb.in[d] = pb.out[d] = ins[d], pb.k[d] = pb.stride[d] = pb.dil[d] = 1;
    const Arguments a = dense_args(data, pb, true, true);
    where = "pointwise channels_last forward, W 24";
    HopperDgradPlan hd{};
    CHECK(dgrad_kernel_plan(Kind::kForward, a, &hd), "the unit-stride forward no longer takes it: the case tests nothing");
    CHECK(dgrad_kernel_plan(Kind::kForward, a, nullptr), "applies without a plan to fill");
    TapGemmPlan g{};  // (a channels_last fp32 x at W <= 32: the tap-GEMM's since stop 40, without that query)
    CHECK(tapgemm_plan(Kind::kForward, a, &g), "the short-row default did not take it");
  }
  // v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE): the U-Net levels' k2s2 forwards through the TMA phase-GEMM (eight one-tap
  // classes) at 1 (the default since stop 60) where the tap-GEMM's short rows take them (W <= 32), at 2 at any W; the
  // tap-GEMM at 0; never exact fp32 (no TMA instance) and never grad_input / grad_weight
  {
    struct Level {
      int cin, cout, w;
    };
    int v134_planned = 0;
    for (const Level lv : {Level{256, 128, 16}, Level{128, 64, 32}, Level{64, 32, 64}})
      for (DType dt : {DType::kF32, DType::kBF16})
        for (bool cl : {false, true}) {
          ConvT3dProblem pb{};
          pb.dtype = dt;
          pb.math = Math::kTF32;
          pb.groups = 1, pb.N = 2, pb.Cin = lv.cin, pb.Cout = lv.cout;
          for (int d = 0; d < 3; ++d)
            pb.in[d] = lv.w, pb.k[d] = pb.stride[d] = 2, pb.dil[d] = 1, pb.pad[d] = 0, pb.out[d] = 2 * lv.w;
          const Arguments a = dense_args(data, pb, cl, cl);
          static char buf[96];
          std::snprintf(buf, sizeof buf, "v134 unet-%d-%d %s%s", lv.cin, lv.cout, dt == DType::kF32 ? "fp32" : "bf16",
                        cl ? " channels_last" : "");
          where = buf;
          // (the default's short rows: W <= 32, a 16-bit channels_last x's at W <= 16 beside the Hopper forward; the
          // TMA kernel's N: output channels a multiple of 64, so not unet-64-32)
          const bool short_rows = lv.w <= kTapGemmShortW && !(dt != DType::kF32 && cl && lv.w > kTapGemmShortWcl);
          const bool fits = lv.cout % 64 == 0;
          TapGemmPlan g{};
          setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0", 1);
          const bool tap = tapgemm_plan(Kind::kForward, a, &g) && !g.p.phase;
          CHECK(tap == short_rows, "TAPGEMM_PHASE=0: tap-GEMM %d", tap);
          for (const char* lvl : {"1", "2", "default"}) {
            if (lvl[0] == 'd')
              unsetenv("CUTLASS_CONVT3D_TAPGEMM_PHASE");
            else
              setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", lvl, 1);
            const char level = lvl[0] == 'd' ? char('0' + kTapGemmPhaseDefault) : lvl[0];
            g = TapGemmPlan{};
            const bool via = tapgemm_plan(Kind::kForward, a, &g) && g.p.phase && g.p.pg_tma;
            CHECK(via == (fits && level != '0' && (level == '2' || short_rows)), "TAPGEMM_PHASE=%s: TMA phase-GEMM %d",
                  lvl, via);
            if (via && lvl[0] != 'd') ++v134_planned;
            CHECK(!via || (g.p.ph.ncls == 8 && g.restage == !cl), "TAPGEMM_PHASE=%s: %d classes, restaged %d", lvl,
                  g.p.ph.ncls, g.restage);
            CHECK(!(tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase), "TAPGEMM_PHASE=%s: grad_input", lvl);
            ConvT3dProblem ex = pb;
            ex.math = Math::kExact;
            CHECK(dt != DType::kF32 || !(tapgemm_plan(Kind::kForward, dense_args(data, ex, cl, cl), &g) && g.p.phase),
                  "TAPGEMM_PHASE=%s: exact", lvl);
            unsetenv("CUTLASS_CONVT3D_TAPGEMM_PHASE");
          }
        }
    CHECK(v134_planned == 15, "v134 plans: %d of 15", v134_planned);
    // test_tapgemm_phase_forward's shapes at level 2 (its expectations: 64 classes never; an fp32 NCDHW y by w pairs only)
    struct Shape {
      int n, cin, d, h, w, cout, k[3], g;
    };
    for (const Shape& sh : {Shape{2, 256, 3, 4, 16, 128, {2, 2, 2}, 1}, Shape{1, 64, 3, 5, 10, 64, {2, 2, 2}, 1},
                            Shape{1, 128, 2, 3, 8, 128, {2, 2, 2}, 2}, Shape{1, 64, 4, 3, 12, 64, {1, 2, 2}, 1},
                            Shape{1, 64, 3, 3, 5, 64, {1, 1, 1}, 1}, Shape{1, 64, 2, 2, 40, 64, {2, 2, 2}, 1},
                            Shape{1, 64, 2, 2, 6, 64, {4, 4, 4}, 1}})
      for (DType dt : {DType::kF32, DType::kBF16})
        for (bool cl : {false, true}) {
          ConvT3dProblem pb{};
          pb.dtype = dt;
          pb.math = Math::kTF32;
          pb.groups = sh.g, pb.N = sh.n, pb.Cin = sh.cin, pb.Cout = sh.cout;
          const int in[3] = {sh.d, sh.h, sh.w};
          for (int d = 0; d < 3; ++d)
            pb.in[d] = in[d], pb.k[d] = pb.stride[d] = sh.k[d], pb.dil[d] = 1, pb.pad[d] = 0, pb.out[d] = in[d] * sh.k[d];
          static char buf[96];
          std::snprintf(buf, sizeof buf, "v134 test shape x%d-%d k%d%d%d %s%s", sh.cin, sh.w, sh.k[0], sh.k[1], sh.k[2],
                        dt == DType::kF32 ? "fp32" : "bf16", cl ? " channels_last" : "");
          where = buf;
          setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "2", 1);
          TapGemmPlan g{};
          const bool via = tapgemm_plan(Kind::kForward, dense_args(data, pb, cl, cl), &g) && g.p.phase && g.p.pg_tma;
          unsetenv("CUTLASS_CONVT3D_TAPGEMM_PHASE");
          const bool expect = sh.k[0] != 4 && (dt != DType::kF32 || cl || sh.k[2] == 2);
          CHECK(via == expect, "TMA phase-GEMM %d, expected %d", via, expect);
        }
  }
  // v129 on the mission's exact grad_input (both layouts): by default (kHopperExactDgradDefault) the Hopper
  // grad_input in two passes over the d classes {0, 2} and {1} (the whole weights, 221 KB big + small, leave no room
  // for two stages; a class each fits), with no tap-GEMM / phase-GEMM plan ahead of it in Operator::run; at ring 4,
  // more passes; CUTLASS_CONVT3D_SM90_EXACT_DGRAD=0: the sm_80 row-conv
  {
    ConvT3dProblem pb{};
    pb.dtype = DType::kF32;
    pb.math = Math::kExact;
    pb.groups = 1, pb.N = 4, pb.Cin = 32, pb.Cout = 32;
    const int ins[3] = {32, 64, 128};
    for (int d = 0; d < 3; ++d)
      pb.in[d] = ins[d], pb.k[d] = 3, pb.stride[d] = 2, pb.pad[d] = 1, pb.dil[d] = 1, pb.out[d] = 2 * ins[d] - 1;
    for (bool cl : {false, true}) {
      where = cl ? "mission exact grad_input, channels_last" : "mission exact grad_input";
      const Arguments a = dense_args(data, pb, cl, cl);
      HopperDgradPlan hd{};
      // (v127 / v128's defaults where y streams past the L2: the forward's priorities and chunk cap, grad_weight's
      // evict_first grad_y)
      HopperPlan f{};
      CHECK(hopper_plan(a, &f) && f.p.l2hint == kHopperL2HintDefault && f.p.chunks <= kHopperFwdChunksDefault,
            "the forward's L2 defaults: hint %d, %d chunks", f.p.l2hint, f.p.chunks);
      HopperWgradPlan wg{};
      if (hopper_wgrad_plan(a, &wg))
        CHECK(wg.p.l2hint == kHopperWgradL2HintDefault, "grad_weight's L2 hint %d", wg.p.l2hint);
      setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD", "0", 1);
      CHECK(!dgrad_kernel_plan(Kind::kGradInput, a, &hd), "the Hopper grad_input took it at =0");
      unsetenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD");
      TapGemmPlan g{};
      CHECK(!tapgemm_plan(Kind::kGradInput, a, &g), "a tap-GEMM plan runs ahead of the Hopper grad_input");
      CHECK(dgrad_kernel_plan(Kind::kGradInput, a, &hd) && hd.npass == 2 && hd.pass[0].split,
            "not in two 3xTF32 passes");
      if (hd.npass == 2) {
        CHECK(hd.td[0].c == 0 && hd.td[0].m == 2 && hd.td[0].K == 2 && hd.td[1].c == 1 && hd.td[1].K == 1 &&
                  hd.th[0].K == 3 && hd.th[1].K == 3,
              "passes not the d classes");
        CHECK(hd.pass[0].w_bytes == 2 * 6 * 3 * 32 * 32 * 4 && hd.pass[0].ring == 2 && hd.pass[1].ring >= 3,
              "pass 0: %d bytes of weights, ring %d", hd.pass[0].w_bytes, hd.pass[0].ring);
        check_dgrad(a, hd, false, where.c_str());
      }
      setenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING", "4", 1);
      CHECK(dgrad_kernel_plan(Kind::kGradInput, a, &hd) && hd.npass > 2 && hd.pass[0].ring >= 4, "ring 4: %d passes",
            hd.npass);
      unsetenv("CUTLASS_CONVT3D_SM90_EXACT_DGRAD_RING");
    }
  }
  // v131: the Hopper forward's NCDHW y by 16-byte row vectors (CUTLASS_CONVT3D_SM90_VEC16, kHopperVec16Default 2):
  // 16-bit always, fp32 TF32 where y's rows are off 16 bytes (the mission's OW 255), not on them (output padding 1:
  // OW 256), never channels_last or exact; =0 / =1 never / always
  {
    ConvT3dProblem pb{};
    pb.groups = 1, pb.N = 4, pb.Cin = 32, pb.Cout = 32;
    const int ins[3] = {32, 64, 128};
    HopperPlan f{};
    // (the copy's plans: v141 / v142, by default where they won since stop 62, are checked with their knob below)
    setenv("CUTLASS_CONVT3D_SM90_X_RS", "0", 1);
    auto vec16 = [&](DType dt, Math m, int op, bool cl) {
      pb.dtype = dt;
      pb.math = m;
      for (int d = 0; d < 3; ++d)
        pb.in[d] = ins[d], pb.k[d] = 3, pb.stride[d] = 2, pb.pad[d] = 1, pb.dil[d] = 1, pb.out[d] = 2 * ins[d] - 1 + op;
      f = HopperPlan{};
      const bool ok = hopper_plan(dense_args(data, pb, cl, cl), &f);
      return ok ? int(f.p.vec16) : -1;
    };
    // v132: with them, fp32 TF32 takes 3 warpgroups x 2 slots; the search's pick (4 x 3 on the mission) elsewhere
    // (of 64-position tiles: v135's whole-row tiles, the default since stop 60, off until their checks below)
    setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "0", 1);
    auto cfg = [&] { return 10 * f.p.nwg + f.p.ring; };
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(cfg() == 32, "fp32 rows off 16 bytes: %d warpgroups x %d slots", f.p.nwg, f.p.ring);
    for (int op : {0, 1}) {
      vec16(DType::kBF16, Math::kTF32, op, false);
      CHECK(f.p.nwg == 4, "bf16: %d warpgroups", f.p.nwg);
    }
    vec16(DType::kF32, Math::kTF32, 1, false);
    CHECK(cfg() == 43, "fp32 rows on 16 bytes: %d warpgroups x %d slots", f.p.nwg, f.p.ring);
    {  // odd-32-32 (y 109 MB, not past 8 L2s): row vectors, the search's pick
      ConvT3dProblem q = pb;
      q.N = 2;
      const int qi[3] = {24, 48, 96};
      for (int d = 0; d < 3; ++d) q.in[d] = qi[d], q.out[d] = 2 * qi[d] - 1;
      f = HopperPlan{};
      CHECK(hopper_plan(dense_args(data, q, false, false), &f) && f.p.vec16 && cfg() != 32,
            "odd-32-32: row vectors %d, %d warpgroups x %d slots", f.p.vec16, f.p.nwg, f.p.ring);
    }
    vec16(DType::kF32, Math::kTF32, 0, true);
    CHECK(cfg() == 43, "fp32 channels_last: %d warpgroups x %d slots", f.p.nwg, f.p.ring);
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "0", 1);
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(cfg() == 43, "fp32 rows off 16 bytes at VEC16=0: %d warpgroups x %d slots", f.p.nwg, f.p.ring);
    unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    // v133 at level 1: in place only where the copy's plan keeps its warpgroups and slots (the mission: 3 x 2 either
    // way), at 2 wherever the landing buffers fit (rows on 16 bytes: 4 x 3 with the copy, 3 x 2 in place); never
    // channels_last or exact; the workspace then has no room for a copy of x
    for (const char* lvl : {"1", "2"}) {
      setenv("CUTLASS_CONVT3D_SM90_X_NCDHW", lvl, 1);
      vec16(DType::kF32, Math::kTF32, 0, false);
      CHECK(f.p.land_bytes == 9216 && !f.restage_x && cfg() == 32, "X_NCDHW=%s mission: land %d, %d x %d", lvl,
            f.p.land_bytes, f.p.nwg, f.p.ring);
      vec16(DType::kF32, Math::kTF32, 1, false);
      CHECK((f.p.land_bytes > 0) == (lvl[0] == '2') && cfg() == (lvl[0] == '2' ? 32 : 43),
            "X_NCDHW=%s rows on 16 bytes: land %d, %d x %d", lvl, f.p.land_bytes, f.p.nwg, f.p.ring);
      vec16(DType::kF32, Math::kTF32, 0, true);
      CHECK(f.p.land_bytes == 0, "X_NCDHW=%s channels_last: land %d", lvl, f.p.land_bytes);
      vec16(DType::kF32, Math::kExact, 0, false);
      CHECK(f.p.land_bytes == 0 && f.restage_x, "X_NCDHW=%s exact: land %d", lvl, f.p.land_bytes);
    }
    unsetenv("CUTLASS_CONVT3D_SM90_X_NCDHW");
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(f.p.land_bytes == 0 && f.restage_x, "by default: land %d", f.p.land_bytes);
    // v135 (CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2): whole-row tiles by row vectors (1 q block of 128 positions) for
    // the mission's rows (OW 255, off 16 bytes) and OW 256's: at 1 16-bit always (3 warpgroups), fp32 only off 16
    // bytes, where the mission (past 8 L2s) takes 2 warpgroups x 2 slots; at 2 fp32 OW 256 too (at most 3
    // warpgroups); 2 q blocks of 64 at 0; never channels_last or exact; not with VEC16=0; unset: kHopperWholeRowsDefault
    CHECK(f.p.bq == HopperTiles::BQ && f.p.q_blocks == 2, "WHOLE_ROWS=0: BQ %d, %d q blocks", f.p.bq, f.p.q_blocks);
    static_assert(kHopperWholeRowsDefault == 1, "the default checked below as level 1");
    for (const char* lvl : {"1", "2", "1 (default)"}) {
      if (lvl[1] == ' ')
        unsetenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS");
      else
        setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", lvl, 1);
      for (int op : {0, 1})
        for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
          const bool whole = lvl[0] == '2' || dt != DType::kF32 || op == 0;
          CHECK(vec16(dt, Math::kTF32, op, false) == (whole ? 1 : 0) && (f.p.bq == HopperTiles::kRowBQ) == whole &&
                    f.p.q_blocks == (whole ? 1 : 2) &&
                    (!whole || (f.p.nwg == (dt == DType::kF32 && op == 0 ? 2 : 3) && f.p.slot_bytes == 17408)),
                "WHOLE_ROWS=%s op %d dtype %d: BQ %d, %d q blocks, %d x %d, slot %d", lvl, op, int(dt), f.p.bq,
                f.p.q_blocks, f.p.nwg, f.p.ring, f.p.slot_bytes);
        }
      vec16(DType::kF32, Math::kTF32, 0, false);
      CHECK(cfg() == 22, "WHOLE_ROWS=%s mission: %d x %d", lvl, f.p.nwg, f.p.ring);
      // v137 beside it: the same plan, its instances pipelined
      setenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE", "1", 1);
      vec16(DType::kF32, Math::kTF32, 0, false);
      CHECK(cfg() == 22 && f.p.bq == HopperTiles::kRowBQ && f.p.wgmma_pipe == 1, "WGMMA_PIPE=1 mission: %d x %d, pipe %d",
            f.p.nwg, f.p.ring, f.p.wgmma_pipe);
      unsetenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE");
      vec16(DType::kF32, Math::kTF32, 0, true);
      CHECK(f.p.bq == HopperTiles::BQ, "WHOLE_ROWS=%s channels_last: BQ %d", lvl, f.p.bq);
      vec16(DType::kF32, Math::kExact, 0, false);
      CHECK(f.p.bq == HopperTiles::BQ, "WHOLE_ROWS=%s exact: BQ %d", lvl, f.p.bq);
      setenv("CUTLASS_CONVT3D_SM90_VEC16", "0", 1);
      vec16(DType::kF32, Math::kTF32, 0, false);
      CHECK(f.p.bq == HopperTiles::BQ && !f.p.vec16, "WHOLE_ROWS=%s VEC16=0: BQ %d", lvl, f.p.bq);
      unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    }
    unsetenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS");
    // v140 (CUTLASS_CONVT3D_SM90_X_MN=1): the 16-bit k2s2 (the mission's x, kernel 2, stride 2: one window offset)
    // reads x in place as MN-major B with the copy's whole-row plan (3 warpgroups, the same 17 KB slots); the mission
    // (two window offsets) keeps the copy; never fp32, channels_last, VEC16=0 or by default
    auto k2s2 = [&](DType dt, bool cl) {
      ConvT3dProblem q = pb;
      q.dtype = dt;
      q.math = Math::kTF32;
      for (int d = 0; d < 3; ++d) q.k[d] = 2, q.pad[d] = 0, q.out[d] = 2 * ins[d];
      f = HopperPlan{};
      return hopper_plan(dense_args(data, q, cl, cl), &f);
    };
    setenv("CUTLASS_CONVT3D_SM90_X_MN", "1", 1);
    for (DType dt : {DType::kBF16, DType::kF16}) {
      CHECK(k2s2(dt, false) && f.p.x_mn == 1 && !f.restage_x && f.p.bq == HopperTiles::kRowBQ && f.p.nwg == 3 &&
                f.p.slot_bytes == 17408 && f.p.land_bytes == 0 && f.p.S == 1,
            "X_MN=1 k2s2 dtype %d: x_mn %d, restage %d, BQ %d, %d x %d, slot %d", int(dt), f.p.x_mn,
            int(f.restage_x), f.p.bq, f.p.nwg, f.p.ring, f.p.slot_bytes);
      vec16(dt, Math::kTF32, 0, false);
      CHECK(f.p.x_mn == 0 && f.restage_x && f.p.S == 2, "X_MN=1 mission dtype %d: x_mn %d", int(dt), f.p.x_mn);
    }
    CHECK(k2s2(DType::kF32, false) && f.p.x_mn == 0 && f.restage_x, "X_MN=1 fp32: x_mn %d", f.p.x_mn);
    CHECK(k2s2(DType::kBF16, true) && f.p.x_mn == 0, "X_MN=1 channels_last: x_mn %d", f.p.x_mn);
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "0", 1);
    CHECK(k2s2(DType::kBF16, false) && f.p.x_mn == 0 && f.restage_x, "X_MN=1 VEC16=0: x_mn %d", f.p.x_mn);
    unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    unsetenv("CUTLASS_CONVT3D_SM90_X_MN");
    CHECK(k2s2(DType::kBF16, false) && f.p.x_mn == kHopperXMnDefault && f.restage_x == (kHopperXMnDefault == 0),
          "bf16 k2s2 by default: x_mn %d", f.p.x_mn);
    // v141 (CUTLASS_CONVT3D_SM90_X_RS=2): the fp32 TF32 mission (two window offsets) reads x in place as register A
    // with the copy's whole-row plan (2 warpgroups x 2 slots, 17 KB slots: 136 positions a row); k2s2's fp32 rows
    // lie on 16 bytes, where level 1 keeps 64-position tiles: in place there too, at most 3 warpgroups, its rows by
    // vectors; never 16-bit, exact, channels_last, without the map's rounding (TMA_ROUND=0) or by default
    setenv("CUTLASS_CONVT3D_SM90_X_RS", "2", 1);  // (2: wherever it applies)
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(f.p.x_rs == 1 && !f.restage_x && f.p.bq == HopperTiles::kRowBQ && cfg() == 22 && f.p.slot_bytes == 17408 &&
              f.p.S == 2 && f.p.land_bytes == 0 && !f.p.wgmma_pipe,
          "X_RS=2 mission: x_rs %d, restage %d, BQ %d, %d x %d, slot %d", f.p.x_rs, int(f.restage_x), f.p.bq, f.p.nwg,
          f.p.ring, f.p.slot_bytes);
    setenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE", "1", 1);
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(f.p.x_rs == 1 && !f.p.wgmma_pipe, "X_RS=2 WGMMA_PIPE=1 mission: x_rs %d, pipe %d", f.p.x_rs,
          f.p.wgmma_pipe);
    unsetenv("CUTLASS_CONVT3D_SM90_WGMMA_PIPE");
    CHECK(k2s2(DType::kF32, false) && f.p.x_rs == 1 && !f.restage_x && f.p.bq == HopperTiles::BQ && f.p.vec16 &&
              f.p.nwg <= HopperTiles::kMaxWGRs64 && f.p.S == 1,
          "X_RS=2 fp32 k2s2: x_rs %d, BQ %d, %d warpgroups, vec16 %d", f.p.x_rs, f.p.bq, f.p.nwg, f.p.vec16);
    setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", "2", 1);
    CHECK(k2s2(DType::kF32, false) && f.p.x_rs == 1 && !f.restage_x && f.p.bq == HopperTiles::kRowBQ && f.p.S == 1 &&
              f.p.nwg <= HopperTiles::kMaxWGRs,
          "X_RS=2 WHOLE_ROWS=2 fp32 k2s2: x_rs %d, BQ %d, %d warpgroups", f.p.x_rs, f.p.bq, f.p.nwg);
    unsetenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS");
    for (DType dt : {DType::kBF16, DType::kF16}) {
      vec16(dt, Math::kTF32, 0, false);
      CHECK(f.p.x_rs == 0, "X_RS=2 mission dtype %d: x_rs %d", int(dt), f.p.x_rs);
    }
    // v142: the exact mission splits x in registers, 64-position tiles, at most 2 warpgroups, vec16
    vec16(DType::kF32, Math::kExact, 0, false);
    CHECK(f.p.x_rs == 1 && !f.restage_x && f.p.split && f.p.bq == HopperTiles::BQ && f.p.vec16 &&
              f.p.nwg <= HopperTiles::kMaxWGRsSplit && f.p.slot_bytes >= 72 * 128,
          "X_RS=2 exact: x_rs %d, restage %d, BQ %d, %d x %d, slot %d", f.p.x_rs, int(f.restage_x), f.p.bq, f.p.nwg,
          f.p.ring, f.p.slot_bytes);
    vec16(DType::kF32, Math::kTF32, 0, true);
    CHECK(f.p.x_rs == 0, "X_RS=2 channels_last: x_rs %d", f.p.x_rs);
    setenv("CUTLASS_CONVT3D_SM90_TMA_ROUND", "0", 1);
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(f.p.x_rs == 0 && f.restage_x, "X_RS=2 TMA_ROUND=0: x_rs %d", f.p.x_rs);
    unsetenv("CUTLASS_CONVT3D_SM90_TMA_ROUND");
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "0", 1);  // (never: its instances store rows by vectors only)
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(f.p.x_rs == 0 && f.restage_x && !f.p.vec16, "X_RS=2 VEC16=0: x_rs %d, vec16 %d", f.p.x_rs, f.p.vec16);
    vec16(DType::kF32, Math::kExact, 0, false);
    CHECK(f.p.x_rs == 0 && f.restage_x && !f.p.vec16, "X_RS=2 VEC16=0 exact: x_rs %d", f.p.x_rs);
    unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    // tests/test_cuda.py's X_RS_CASES (whole rows at level 2 and 0): where v141 plans, at the plan's configuration
    // and at forced 2 x 2 / 1 x 2 / 3 x 2 (at whole rows beyond its register budget: 64-position tiles then)
    {
      struct XRsCase {
        int N, Cin, D, H, W, Cout, k[3], s[3], p[3], op[3], g, dil[3];
        bool expected;
      };
      const XRsCase cases[] = {
          {2, 32, 3, 4, 128, 32, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, 1, {1, 1, 1}, true},
          {1, 64, 3, 4, 128, 64, {2, 2, 2}, {2, 2, 2}, {0, 0, 0}, {0, 0, 0}, 1, {1, 1, 1}, true},
          {2, 32, 3, 4, 128, 32, {2, 2, 2}, {2, 2, 2}, {0, 0, 0}, {0, 0, 0}, 1, {1, 1, 1}, true},
          {2, 64, 3, 3, 72, 64, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, 2, {1, 1, 1}, true},
          {1, 32, 2, 3, 300, 32, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, 1, {1, 1, 1}, true},
          {1, 32, 3, 5, 136, 32, {2, 3, 3}, {1, 3, 2}, {0, 1, 1}, {0, 2, 1}, 1, {1, 1, 1}, true},
          {1, 32, 3, 4, 96, 32, {3, 3, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, 1, {1, 1, 2}, true},
          {1, 32, 3, 4, 130, 32, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, 1, {1, 1, 1}, false},
          {1, 32, 3, 4, 128, 32, {3, 3, 5}, {2, 2, 2}, {1, 1, 2}, {0, 0, 1}, 1, {1, 1, 1}, false},
      };
      // (and v142, exact: 64-position tiles, at most 2 warpgroups: the splitting copy at a forced 3 x 2)
      for (Math m : {Math::kTF32, Math::kExact})
      for (const char* wr : {"2", "0"})
      for (const XRsCase& c : cases)
        for (const char* cf : {(const char*)nullptr, "22", "12", "32"}) {
          setenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS", wr, 1);
          if (cf)
            setenv("CUTLASS_CONVT3D_SM90_CFG", cf, 1);
          else
            unsetenv("CUTLASS_CONVT3D_SM90_CFG");
          ConvT3dProblem q{};
          q.N = c.N;
          q.Cin = c.Cin;
          q.Cout = c.Cout;
          q.groups = c.g;
          q.dtype = DType::kF32;
          q.math = m;
          const int in[3] = {c.D, c.H, c.W};
          for (int d = 0; d < 3; ++d) {
            q.in[d] = in[d], q.k[d] = c.k[d], q.stride[d] = c.s[d], q.pad[d] = c.p[d], q.dil[d] = c.dil[d];
            q.out[d] = (in[d] - 1) * c.s[d] - 2 * c.p[d] + c.dil[d] * (c.k[d] - 1) + c.op[d] + 1;
          }
          f = HopperPlan{};
          const Arguments qa = dense_args(data, q, false, false);
          const bool planned = hopper_plan(qa, &f);
          const bool exact = m == Math::kExact, want = c.expected && !(exact && cf && cf[0] == '3');
          // (3 x 2 may not fit at all, nor the exact forward three window offsets: no Hopper plan)
          if (!planned && ((cf && cf[0] == '3') || (exact && !c.expected))) continue;
          CHECK(planned && f.p.x_rs == int(want) && f.restage_x == !want && f.p.split == exact &&
                    (!want || (wr[0] == '2' && !exact) || f.p.bq == HopperTiles::BQ),
                "X_RS_CASES math %d WHOLE_ROWS=%s Cin %d W %d k %d cfg %s: planned %d, x_rs %d, restage %d, BQ %d, "
                "%d x %d",
                int(m), wr, c.Cin, c.W, c.k[2], cf ? cf : "plan", int(planned), f.p.x_rs, int(f.restage_x), f.p.bq,
                f.p.nwg, f.p.ring);
          if (planned) check_forward(qa, f);
        }
      unsetenv("CUTLASS_CONVT3D_SM90_CFG");
      unsetenv("CUTLASS_CONVT3D_SM90_WHOLE_ROWS");
    }
    // by default (level 1, kHopperXRsDefault): in registers where it won (TF32 64-position tiles, exact at one window
    // offset, at most two boxes a pair), the copy elsewhere (TF32 whole rows, exact at two offsets); level 0 never
    for (const char* lv : {(const char*)nullptr, "1", "0"}) {
      if (lv)
        setenv("CUTLASS_CONVT3D_SM90_X_RS", lv, 1);
      else
        unsetenv("CUTLASS_CONVT3D_SM90_X_RS");
      const int level = lv ? lv[0] - '0' : kHopperXRsDefault;
      vec16(DType::kF32, Math::kTF32, 0, false);
      CHECK(f.p.x_rs == 0 && f.restage_x && f.p.bq == HopperTiles::kRowBQ, "X_RS level %d mission: x_rs %d", level,
            f.p.x_rs);
      vec16(DType::kF32, Math::kExact, 0, false);
      CHECK(f.p.x_rs == 0 && f.restage_x, "X_RS level %d exact mission: x_rs %d", level, f.p.x_rs);
      vec16(DType::kF32, Math::kTF32, 1, false);  // (k3s2op1: rows on 16 bytes, 64-position tiles, two offsets)
      CHECK(f.p.x_rs == (level == 1) && f.p.bq == HopperTiles::BQ, "X_RS level %d k3s2op1: x_rs %d, BQ %d", level,
            f.p.x_rs, f.p.bq);
      for (Math m : {Math::kTF32, Math::kExact}) {
        f = HopperPlan{};
        ConvT3dProblem q = pb;
        q.dtype = DType::kF32;
        q.math = m;
        for (int d = 0; d < 3; ++d) q.k[d] = 2, q.pad[d] = 0, q.out[d] = 2 * ins[d];
        CHECK(hopper_plan(dense_args(data, q, false, false), &f) && f.p.x_rs == (level == 1) &&
                  f.restage_x == (level != 1),
              "X_RS level %d k2s2 math %d: x_rs %d", level, int(m), f.p.x_rs);
      }
      setenv("CUTLASS_CONVT3D_SM90_X_NCDHW", "2", 1);  // (v133 asked for: level 1 leaves it the 64-position tiles)
      vec16(DType::kF32, Math::kTF32, 1, false);
      CHECK(f.p.x_rs == 0, "X_RS level %d X_NCDHW=2 k3s2op1: x_rs %d", level, f.p.x_rs);
      unsetenv("CUTLASS_CONVT3D_SM90_X_NCDHW");
    }
    setenv("CUTLASS_CONVT3D_SM90_X_RS", "0", 1);
    setenv("CUTLASS_CONVT3D_SM90_CFG", "43", 1);
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "2", 1);
    vec16(DType::kF32, Math::kTF32, 0, false);
    CHECK(cfg() == 43 && f.p.vec16, "CFG=43 forced: %d warpgroups x %d slots", f.p.nwg, f.p.ring);
    unsetenv("CUTLASS_CONVT3D_SM90_CFG");
    unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    where = "v131 row vectors";
    CHECK(vec16(DType::kF32, Math::kTF32, 0, false) == 1, "fp32 rows off 16 bytes: %d", vec16(DType::kF32, Math::kTF32, 0, false));
    CHECK(vec16(DType::kF32, Math::kTF32, 1, false) == 0, "fp32 rows on 16 bytes: %d", vec16(DType::kF32, Math::kTF32, 1, false));
    CHECK(vec16(DType::kBF16, Math::kTF32, 1, false) == 1, "bf16: %d", vec16(DType::kBF16, Math::kTF32, 1, false));
    CHECK(vec16(DType::kF32, Math::kTF32, 0, true) == 0, "channels_last y: %d", vec16(DType::kF32, Math::kTF32, 0, true));
    CHECK(vec16(DType::kF32, Math::kExact, 0, false) == 0, "exact: %d", vec16(DType::kF32, Math::kExact, 0, false));
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "0", 1);
    CHECK(vec16(DType::kF32, Math::kTF32, 0, false) == 0 && vec16(DType::kBF16, Math::kTF32, 0, false) == 0, "at =0");
    setenv("CUTLASS_CONVT3D_SM90_VEC16", "1", 1);
    CHECK(vec16(DType::kF32, Math::kTF32, 1, false) == 1, "at =1");
    unsetenv("CUTLASS_CONVT3D_SM90_VEC16");
    unsetenv("CUTLASS_CONVT3D_SM90_X_RS");
  }
  // both gradients of a 16-bit stride-1 problem at short rows (no Hopper kernels): grad_y copied channels_last once
  // for both, whether grad_input runs on the phase-GEMM (its own restage otherwise) or on the row-conv; the phase-GEMM
  // then reads the copy in place
  {
    ConvT3dProblem pb{};
    pb.dtype = DType::kBF16;
    pb.math = Math::kTF32;
    pb.groups = 1, pb.N = 1, pb.Cin = 32, pb.Cout = 32;
    const int ins[3] = {3, 4, 16};
    for (int d = 0; d < 3; ++d) pb.in[d] = ins[d], pb.k[d] = 3, pb.stride[d] = pb.dil[d] = pb.pad[d] = 1;
    for (int d = 0; d < 3; ++d) pb.out[d] = pb.in[d];
    where = "bf16 k3 s1 both gradients, W 16";
    setenv("CUTLASS_CONVT3D_SM90", "0", 1);
    const Arguments a = dense_args(data, pb, false, false);
    TapGemmPlan g{};
    CHECK(tapgemm_plan(Kind::kGradInput, a, &g) && g.p.phase && g.restage, "the phase-GEMM does not restage grad_y");
    CHECK(grad_output_restaged(a), "grad_y not shared (phase-GEMM grad_input)");
    Arguments b = a;
    b.y = channels_last_ref(a.y, a.y.data);
    CHECK(tapgemm_plan(Kind::kGradInput, b, &g) && g.p.phase && !g.restage, "the shared copy is not read in place");
    CHECK(!grad_output_restaged(b), "a channels_last grad_y copied again");
    setenv("CUTLASS_CONVT3D_PHASEGEMM", "0", 1);
    CHECK(grad_output_restaged(a), "grad_y not shared (row-conv grad_input)");
    unsetenv("CUTLASS_CONVT3D_PHASEGEMM");
    unsetenv("CUTLASS_CONVT3D_SM90");
  }
  // the tap-GEMM (kernel == stride, padding 0): random such problems, forward and grad_input, under
  // CUTLASS_CONVT3D_TAPGEMM=1 (wherever it applies), =2 (only where no Hopper kernel takes the problem) and unset
  // (the default: short rows); the tap-GEMM's own tiles (CUTLASS_CONVT3D_TAPGEMM_PHASE=0; v134's route, the default,
  // checked at the end of each problem through the phase-GEMM's tile walk)
  int tap_planned[3] = {0, 0, 0}, tap_via_phase = 0;
  setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0", 1);
  for (int t = 0; t < n_problems / 4; ++t) {
    ConvT3dProblem pb{};
    const int dt = int(rng() % 5);  // fp32 TF32, fp32 exact, fp16, bf16, f64
    pb.dtype = dt < 2 ? DType::kF32 : dt == 2 ? DType::kF16 : dt == 3 ? DType::kBF16 : DType::kF64;
    pb.math = dt == 1 ? Math::kExact : Math::kTF32;
    pb.groups = pick({1, 1, 1, 2, 4, 8});
    pb.Cin = pick({1, 3, 8, 32, 40, 64, 256}) * pb.groups;
    pb.Cout = pick({1, 2, 7, 16, 32, 64, 128}) * pb.groups;
    pb.N = pick({1, 2, 3});
    const int ins[3] = {pick({1, 2, 3, 5, 16}), pick({1, 3, 4, 16}), pick({1, 7, 8, 16, 17, 20, 24, 72, 128})};
    for (int d = 0; d < 3; ++d) {
      pb.in[d] = ins[d];
      pb.k[d] = pb.stride[d] = pick({1, 2, 2, 2, 3, 4, 8});
      pb.dil[d] = pb.k[d] == 1 ? pick({1, 2}) : 1;
      pb.pad[d] = 0;
      pb.out[d] = pb.in[d] * pb.k[d];
    }
    if (check_problem(pb, nullptr) != Status::kSuccess) continue;
    const bool xcl = rng() % 2, ycl = rng() % 3 == 0 ? !xcl : xcl;
    const Arguments a = dense_args(data, pb, xcl, ycl);
    const int64_t es = int64_t(elem_size(pb.dtype)), VEC = 16 / es, W = pb.in[2], sw = pb.k[2];
    const int64_t pos = int64_t(pb.in[0]) * pb.in[1] * pb.in[2];
    for (Kind K : {Kind::kForward, Kind::kGradInput, Kind::kGradWeight}) {
      const bool dgrad = K == Kind::kGradInput, wgrad = K == Kind::kGradWeight;
      char buf[200];
      std::snprintf(buf, sizeof buf, "tap-GEMM %s dt %d N%lld %d->%d g%d x %dx%dx%d%s y%s s%d%d%d",
                    wgrad ? "wgrad" : dgrad ? "dgrad" : "fwd",
                    dt, (long long)pb.N, pb.Cin, pb.Cout, pb.groups, pb.in[0], pb.in[1], pb.in[2], xcl ? " cl" : "",
                    ycl ? " cl" : "", pb.k[0], pb.k[1], pb.k[2]);
      where = buf;
      setenv("CUTLASS_CONVT3D_TAPGEMM", "1", 1);
      setenv("CUTLASS_CONVT3D_TAPGEMM_ORDER", "0", 1);  // (g: position blocks along grid.x; the default order below)
      TapGemmPlan g{};
      const bool ok = tapgemm_plan(K, a, &g);
      // grad_input gathers grad_y by 16-byte copies: of whole kw runs from an NCDHW grad_y (unit-stride rows, W a
      // multiple of VEC / stride), of a group's output channels from a channels_last one (Nc a multiple of VEC)
      // grad_weight reads x by 16-byte copies in grad_y's layout: along its positions (unit position stride, aligned
      // channel rows) or along its channels (channels_last, Kc a multiple of VEC)
      const bool gcl = a.y.stride[1] == 1 && a.y.stride[4] != 1, xcf = a.x.stride[1] == 1 && a.x.stride[4] != 1;
      const bool gather = gcl ? (pb.cout_g() * es) % 16 == 0 : sw <= 2 && W % (VEC / sw) == 0 && a.y.stride[4] == 1;
      const bool x_ok = gcl ? xcf && (pb.cin_g() * es) % 16 == 0
                            : a.x.stride[4] == 1 && (pb.Cin == 1 || (a.x.stride[1] * es) % 16 == 0) &&
                                  (pb.N == 1 || (a.x.stride[0] * es) % 16 == 0);
      const bool expect = pb.dtype != DType::kF64 && !use_direct(pb) && (sw & (sw - 1)) == 0 &&
                          (!(dgrad || wgrad) || gather) &&
                          (!wgrad || (x_ok && pb.N * pb.Cin * pb.cout_g() * pb.taps() * 4 <= (int64_t(256) << 20)));
      CHECK(ok == expect, "planned %d, expected %d", ok, expect);
      if (ok)
        CHECK(g.p.gcl == ((dgrad || wgrad) && gcl) && g.p.div_nc.d == pb.cout_g() && g.p.div_sw.d == sw,
              "channels_last grad_y %d, Nc %d, sw %d", g.p.gcl, g.p.div_nc.d, g.p.div_sw.d);
      if (ok && wgrad) {
        ++tap_planned[2];
        const TapGemmParams& p = g.p;
        const int64_t per_n = int64_t(g.grid.x) / pb.N, taps = pb.taps();
        CHECK(p.wgrad && int64_t(g.grid.x) == pb.N * per_n && g.chunks == int(g.grid.x) && p.div_mb.d == per_n,
              "chunks %d, grid.x %u", g.chunks, g.grid.x);
        CHECK(p.chunk_len % TapGemmTiles::BK == 0 && per_n * p.chunk_len >= pos && (per_n - 1) * p.chunk_len < pos,
              "chunk length %lld x %lld for %lld positions", (long long)p.chunk_len, (long long)per_n, (long long)pos);
        CHECK(p.ci_blocks * TapGemmTiles::BM >= pb.cin_g() && (p.ci_blocks - 1) * TapGemmTiles::BM < pb.cin_g() &&
                  int(g.grid.z) == pb.groups * p.ci_blocks && int64_t(g.grid.y) * TapGemmTiles::BN >= p.ncols,
              "grid %u %u %u", g.grid.x, g.grid.y, g.grid.z);
        CHECK(g.workspace >= size_t(g.chunks) * pb.groups * taps * pb.cin_g() * pb.cout_g() * 4, "workspace %zu",
              g.workspace);
      } else if (ok) {
        ++tap_planned[dgrad];
        const TapGemmParams& p = g.p;
        const int64_t ncols = int64_t(pb.cout_g()) * pb.taps();
        CHECK(p.ncols == ncols && p.kdim == (dgrad ? ncols : pb.cin_g()) && p.ndim == (dgrad ? pb.cin_g() : ncols),
              "GEMM extents %d %d %d", p.ncols, p.kdim, p.ndim);
        CHECK(p.ldb % 8 == 0 && p.ldb >= p.ndim && p.ldb < p.ndim + 8, "ldb %d for N %d", p.ldb, p.ndim);
        const int64_t mb = (pos + TapGemmTiles::BM - 1) / TapGemmTiles::BM;
        CHECK(int64_t(g.grid.x) == pb.N * mb && int64_t(g.grid.y) * TapGemmTiles::BN >= p.ldb &&
                  int64_t(g.grid.y - 1) * TapGemmTiles::BN < p.ldb && int(g.grid.z) == pb.groups,
              "grid %u %u %u", g.grid.x, g.grid.y, g.grid.z);
        CHECK(g.workspace >= size_t(pb.groups) * p.kdim * p.ldb * es, "pack %zu bytes", g.workspace);
        CHECK(p.pos == pos && p.div_mb.d == int(std::max<int64_t>(mb, 1)), "positions %lld", (long long)p.pos);
        // v102's wgmma instance only where A is staged [position][k] of whole vectors (its K-major weight rows too)
        CHECK(!p.gmma || (op_math(pb, dgrad ? Kind::kGradInput : Kind::kForward) != Math::kExact &&
                          (dgrad ? p.gcl : p.a_cf && p.a_vec && p.kdim % (16 / es) == 0)),
              "tap gmma %d (a_cf %d a_vec %d gcl %d)", p.gmma, p.a_cf, p.a_vec, p.gcl);
        CHECK(dgrad ? p.lsw == 0 && p.kdim % sw == 0 && p.div_pairs.d == pb.k[0] * pb.k[1] && p.div_sh.d == pb.k[1]
                    : (1 << p.lsw) == sw && TapGemmTiles::BN % sw == 0,
              "kw split: lsw %d", p.lsw);
        CHECK(p.cl == (dgrad ? xcl && pb.Cin > 1 : ycl && pb.Cout > 1) || pos == 1, "destination order cl %d", p.cl);
        // 16-byte channel stores into a (dense) channels_last destination whose groups' channels are whole vectors
        CHECK(p.vec_cl == (p.cl && ((dgrad ? pb.cin_g() : pb.cout_g()) * es) % 16 == 0), "channel vector stores %d",
              p.vec_cl);
        // the forward's 16-byte kw-pair stores only at w stride 2 into aligned NCDHW rows of whole vector groups
        CHECK(!p.vec_out || (!dgrad && !p.cl && sw == 2 && a.y.stride[4] == 1 && W % (VEC / 2) == 0 &&
                             (a.y.stride[3] * es) % 16 == 0),
              "vector stores at w stride %lld, W %lld", (long long)sw, (long long)W);
        if (!dgrad && p.a_vec)
          CHECK(p.a_cf ? a.x.stride[1] == 1 && (p.xsP * es) % 16 == 0 : p.xsP == 1 && (a.x.stride[1] * es) % 16 == 0,
                "x vectors: cf %d, position stride %lld", p.a_cf, (long long)p.xsP);
      }
      unsetenv("CUTLASS_CONVT3D_TAPGEMM_ORDER");
      static_assert(kTapGemmOrderDefault == 1, "the default order transposes g's grid");
      if (ok) {  // the default grid order (1) transposes order 0's first two grid dimensions where grid.y allows
        TapGemmPlan o{};
        CHECK(tapgemm_plan(K, a, &o), "declined in the default grid order");
        const bool nf = g.grid.x <= 65535;
        CHECK(o.p.n_fast == nf && !g.p.n_fast && o.grid.x == (nf ? g.grid.y : g.grid.x) &&
                  o.grid.y == (nf ? g.grid.x : g.grid.y) && o.grid.z == g.grid.z && o.workspace == g.workspace,
              "order 1: n_fast %d, grid %u %u against order 0's %u %u", o.p.n_fast, o.grid.x, o.grid.y, g.grid.x,
              g.grid.y);
      }
      unsetenv("CUTLASS_CONVT3D_TAPGEMM");
      static_assert(kTapGemmDefault == 3, "the check below is the short-row default's");
      {
        const bool fwd_hopper = !dgrad && !wgrad && (hopper_plan(a, nullptr) || dgrad_kernel_plan(K, a, nullptr));
        const bool short_rows = dgrad || wgrad ? W <= kTapGemmGradW
                                               : W <= kTapGemmShortW && (!xcf || es == 4 || W <= kTapGemmShortWcl || !fwd_hopper);
        CHECK(tapgemm_plan(K, a, nullptr) == (ok && short_rows), "unset: not the short-row default (W %lld)",
              (long long)W);
      }
      setenv("CUTLASS_CONVT3D_TAPGEMM", "2", 1);
      const bool hopper = wgrad   ? hopper_wgrad_plan(a, nullptr)
                          : dgrad ? dgrad_kernel_plan(K, a, nullptr)
                                  : hopper_plan(a, nullptr) || dgrad_kernel_plan(K, a, nullptr);
      CHECK(tapgemm_plan(K, a, nullptr) == (ok && !hopper), "mode 2: planned %d, Hopper %d", !ok, hopper);
      unsetenv("CUTLASS_CONVT3D_TAPGEMM");
      // v134 by default: the same problems planned (a forward the tap-GEMM would take possibly through the phase-GEMM,
      // whose tile walk then covers every output once)
      const bool tok = tapgemm_plan(K, a, nullptr);
      unsetenv("CUTLASS_CONVT3D_TAPGEMM_PHASE");
      TapGemmPlan d{};
      const bool dok = tapgemm_plan(K, a, &d);
      CHECK(dok == tok && (!d.p.phase || (!dgrad && !wgrad && check_pgemm(pb, d.p))),
            "PHASE default: planned %d (%d at 0), via the phase-GEMM %d", dok, tok, d.p.phase);
      tap_via_phase += dok && d.p.phase;
      setenv("CUTLASS_CONVT3D_TAPGEMM_PHASE", "0", 1);
    }
  }
  unsetenv("CUTLASS_CONVT3D_TAPGEMM_PHASE");
  std::printf("tap-GEMM plans checked: %d forward (%d by default through v134's phase-GEMM), %d grad_input, %d "
              "grad_weight\n", tap_planned[0], tap_via_phase, tap_planned[1], tap_planned[2]);
  CHECK(tap_via_phase > 20, "too few v134 plans: %d", tap_via_phase);
  CHECK(tap_planned[0] > 100 && tap_planned[1] > 50 && tap_planned[2] > 50, "too few tap-GEMM plans to check: %d %d %d",
        tap_planned[0], tap_planned[1], tap_planned[2]);
  // A channels_last x sliced along its channels (10 -> the first 8: position stride 10; 12 is whole fp32 vectors) at
  // W == 1, where its position stride still steps every position although dimension 4 has extent 1: grad_weight reads
  // it by 16-byte vectors (a review's emulation found the plan taking stride 10), grad_input stores grad_x so (v98's
  // channel-vector stores; a second review found the plan test blind to it); and the forward into a channels_last y
  // whose batch stride is not whole vectors stores elements
  for (int c_alloc : {10, 12}) {
    ConvT3dProblem pb{};
    pb.dtype = DType::kF32;
    pb.math = Math::kTF32;
    pb.groups = 1, pb.N = 1, pb.Cin = 8, pb.Cout = 8;
    const int ins[3] = {2, 3, 1};
    for (int d = 0; d < 3; ++d) pb.in[d] = ins[d], pb.k[d] = pb.stride[d] = 2, pb.dil[d] = 1, pb.out[d] = 2 * ins[d];
    Arguments a = dense_args(data, pb, true, true);  // (grad_y channels_last: its gather takes W 1)
    a.x.stride[4] = c_alloc, a.x.stride[3] = c_alloc, a.x.stride[2] = 3 * c_alloc, a.x.stride[0] = 6 * c_alloc;
    where = "tap-GEMM, sliced channels_last x, W 1, position stride " + std::to_string(c_alloc);
    setenv("CUTLASS_CONVT3D_TAPGEMM", "1", 1);
    TapGemmPlan g{};
    CHECK(tapgemm_plan(Kind::kGradWeight, a, nullptr) == (c_alloc == 12), "grad_weight planned %d",
          tapgemm_plan(Kind::kGradWeight, a, nullptr));
    CHECK(tapgemm_plan(Kind::kGradInput, a, &g) && g.p.cl && g.p.vec_cl == (c_alloc == 12),
          "grad_input vector stores %d", g.p.vec_cl);
    Arguments b = dense_args(data, pb, true, true);
    b.y.stride[0] += 1;
    b.problem.N = 2, b.x.size[0] = b.y.size[0] = 2;
    CHECK(tapgemm_plan(Kind::kForward, b, &g) && g.p.cl && !g.p.vec_cl, "vector stores %d at an odd batch stride",
          g.p.vec_cl);
    unsetenv("CUTLASS_CONVT3D_TAPGEMM");
  }
  // the grid order swaps grid.x and grid.y only while the position blocks fit grid.y (65535): 1 x 65535 x 128
  // positions swap, 1 x 65536 x 128 do not
  for (int h : {65535, 65536}) {
    ConvT3dProblem pb{};
    pb.dtype = DType::kBF16;
    pb.math = Math::kTF32;
    pb.groups = 1, pb.N = 1, pb.Cin = 16, pb.Cout = 16;
    const int ins[3] = {1, h, 128};
    for (int d = 0; d < 3; ++d) pb.in[d] = ins[d], pb.k[d] = pb.stride[d] = d ? 2 : 1, pb.dil[d] = 1;
    for (int d = 0; d < 3; ++d) pb.out[d] = pb.in[d] * pb.k[d];
    const Arguments a = dense_args(data, pb, false, false);
    where = h == 65535 ? "tap-GEMM grid order, 65535 position blocks" : "tap-GEMM grid order, 65536 position blocks";
    setenv("CUTLASS_CONVT3D_TAPGEMM", "1", 1);
    for (Kind K : {Kind::kForward, Kind::kGradInput}) {
      TapGemmPlan g{};
      CHECK(tapgemm_plan(K, a, &g), "declined");
      CHECK(g.p.n_fast == (h == 65535) && (g.p.n_fast ? g.grid.y : g.grid.x) == unsigned(h),
            "n_fast %d, grid %u %u", g.p.n_fast, g.grid.x, g.grid.y);
    }
    unsetenv("CUTLASS_CONVT3D_TAPGEMM");
  }
  // named problems: the wide forward instance's (tests/test_cuda.py HOPPER_NSJ8_CASES, the decoder level
  // unet-256-128) plan by default and check out (fp32 TF32, fp16, bf16; exact never), and with
  // CUTLASS_CONVT3D_SM90_NSJ8=0 go to sm_80
  {
    struct Named { int n, cin, cout, d, h, w, op; };
    const Named named[] = {{2, 256, 64, 3, 4, 40, 0}, {1, 256, 32, 2, 3, 70, 1}, {2, 256, 128, 16, 16, 16, 0}};
    for (const Named& c : named)
      for (int dt = 0; dt < 4; ++dt)
        for (int cl = 0; cl < 2; ++cl) {
          ConvT3dProblem pb{};
          pb.dtype = dt < 2 ? DType::kF32 : dt == 2 ? DType::kF16 : DType::kBF16;
          pb.math = dt == 1 ? Math::kExact : Math::kTF32;
          pb.groups = 1;
          pb.Cin = c.cin;
          pb.Cout = c.cout;
          pb.N = c.n;
          const int ins[3] = {c.d, c.h, c.w};
          for (int i = 0; i < 3; ++i) {
            pb.in[i] = ins[i];
            pb.k[i] = pb.stride[i] = 2;
            pb.dil[i] = 1;
            pb.pad[i] = 0;
            pb.out[i] = 2 * ins[i] + c.op;
          }
          const Arguments a = dense_args(data, pb, cl, cl);
          char buf[160];
          std::snprintf(buf, sizeof buf, "named %d->%d x %dx%dx%d op %d dt %d%s", c.cin, c.cout, c.d, c.h, c.w, c.op, dt,
                        cl ? " cl" : "");
          where = buf;
          setenv("CUTLASS_CONVT3D_SM90_NSJ8", "0", 1);
          CHECK(!hopper_plan(a, nullptr), "planned with CUTLASS_CONVT3D_SM90_NSJ8=0");
          unsetenv("CUTLASS_CONVT3D_SM90_NSJ8");  // (on by default since stop 41)
          HopperPlan f{};
          const bool ok = hopper_plan(a, &f);
          CHECK(ok == (dt != 1), "planned %d by default (exact: never, its bytes do not fit)", ok);
          if (ok) check_forward(a, f);
        }
  }
  std::printf("plans checked: %d forward (%d of 8 blocks a pair), %d grad_weight, %d grad_input, %d unit-stride forward\n",
              planned[0], wide_plans, planned[1], planned[2], planned[3]);
  // a sweep that plans nothing would check nothing
  std::printf("grad_weight GEMM plans checked: %d (in place: %d 16-bit, %d fp32); emulated: %d copying, %d in place\n",
              wgemm_planned, wgemm_in[0], wgemm_in[1], wgemm_emulated[0], wgemm_emulated[1]);
  CHECK(wgemm_emulated[0] >= 20 && wgemm_emulated[1] >= 20, "too few grad_weight GEMM plans emulated");
  CHECK(wgemm_in[0] > 10 && wgemm_in[1] > 10, "too few in-place grad_weight GEMM plans to check v125 / v126");
  CHECK(planned[0] > 100 && planned[1] > 100 && planned[2] > 100 && planned[3] > 10 && wgemm_planned > 100,
        "too few plans");
  std::printf("fused backward plans checked (v146): %d (x by element loads: %d), walks emulated: %d\n", fused_planned,
              fused_x_elem, fused_emulated);
  CHECK(fused_planned > 50 && fused_emulated >= 30 && fused_x_elem > 10,
        "too few fused backward plans (%d), of them x by element loads (%d), or walks (%d)", fused_planned, fused_x_elem,
        fused_emulated);
  std::printf("grad_input plans in 3xTF32: %d, in several tap passes: %d\n", dgrad_split, dgrad_multipass);
  CHECK(dgrad_split > 100 && dgrad_multipass > 50, "too few 3xTF32 / multi-pass grad_input plans to check v129");
  CHECK(wide_plans > 10, "%d forward plans of %d blocks per pair under CUTLASS_CONVT3D_SM90_NSJ8=1", wide_plans,
        HopperTiles::kWideNSJ);
  std::printf("forward plans reading an NCDHW x in place under CUTLASS_CONVT3D_SM90_X_NCDHW=2: %d\n", x_ncdhw_plans);
  CHECK(x_ncdhw_plans > 50, "too few v133 plans (%d)", x_ncdhw_plans);
  std::printf("forward plans of whole-row tiles under CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2: %d\n", whole_row_plans);
  CHECK(whole_row_plans > 50, "too few v135 plans (%d)", whole_row_plans);
  std::printf("forward plans reading a 16-bit NCDHW x in place as MN-major B under CUTLASS_CONVT3D_SM90_X_MN=1: %d\n",
              x_mn_plans);
  CHECK(x_mn_plans > 50, "too few v140 plans (%d)", x_mn_plans);
  std::printf("forward plans reading an fp32 NCDHW x in place as register A under CUTLASS_CONVT3D_SM90_X_RS=2: %d\n",
              x_rs_plans);
  CHECK(x_rs_plans > 20, "too few v141 plans (%d)", x_rs_plans);
  // v118's premise on the shapes it is for (vnet-128-64, test_wgemm_writes_grad_input_copy's): with both gradients
  // and grad_y NCDHW, grad_input copies grad_y channels_last for itself and, under CUTLASS_CONVT3D_SM90_WGEMM_FUSE=1,
  // the grad_weight GEMM writes that copy (fp32 TF32 and bf16 at the default level); never for a channels_last
  // grad_y, nor at the default FUSE (0)
  {
    alignas(256) static char buf[256];
    for (const auto& shape : {std::vector<int>{2, 128, 32, 32, 32, 64}, std::vector<int>{2, 64, 5, 6, 32, 64}})
      for (DType dt : {DType::kF32, DType::kBF16}) {
        ConvT3dProblem pb{};
        pb.dtype = dt;
        pb.math = Math::kTF32;
        pb.groups = 1;
        pb.N = shape[0];
        pb.Cin = shape[1];
        pb.Cout = shape[5];
        for (int d = 0; d < 3; ++d) {
          pb.in[d] = shape[2 + d];
          pb.k[d] = 3;
          pb.stride[d] = 2;
          pb.pad[d] = 1;
          pb.dil[d] = 1;
          pb.out[d] = (pb.in[d] - 1) * 2 - 2 + 2 + 1 + 1;  // (output padding 1)
        }
        where = dt == DType::kF32 ? "v118 premise, fp32" : "v118 premise, bf16";
        const Arguments a = dense_args(buf, pb, false, false);
        CHECK(grad_input_copies_gy(a) && !grad_weight_writes_gy_cl(a), "x %d-%d: fused at the default", shape[1],
              shape[4]);
        setenv("CUTLASS_CONVT3D_SM90_WGEMM_FUSE", "1", 1);
        CHECK(grad_weight_writes_gy_cl(a), "x %d-%d: the GEMM does not write grad_input's copy", shape[1], shape[4]);
        CHECK(!grad_weight_writes_gy_cl(dense_args(buf, pb, false, true)), "a channels_last grad_y copied");
        unsetenv("CUTLASS_CONVT3D_SM90_WGEMM_FUSE");
      }
  }
  std::printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
