// Host checks of the kernels' index math (convt3d_problem.h, no CUDA): FastDiv against / and % (every dividend
// below 2^16 for small divisors; edges and random pairs across the 31-bit range), tap_range against a brute-force scan of the taps, the staged direct kernel's w windows and runs and its source h rows, the depthwise lane kernels' w window and tap positions, and RowSteps against a brute-force list of
// (kd, kh, channel block, w-tap block) steps, StageWalk against divisions, the grad_weight's slot-ring protocol (a model), share_by_cost against every split, the Hopper grad_input's channel order and fragment banks, the Hopper grad_weight's unchecked rows, the Hopper forward's tile shares and its 16-bit rows by vectors, the fused backward's grad_weight fragments and sums (v146).  Built and run by .ci/run; exit status 1
// on any mismatch.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "convt3d_problem.h"

using namespace ct3d;

static int failures = 0;
#define CHECK(cond, ...)                   \
  do {                                     \
    if (!(cond) && failures++ < 10) {      \
      std::printf("FAIL %s: ", #cond);     \
      std::printf(__VA_ARGS__);            \
      std::printf("\n");                   \
    }                                      \
  } while (0)

static void fast_div() {
  std::mt19937_64 rng(7);
  std::vector<int> divisors;
  for (int d = 1; d <= 4096; ++d) divisors.push_back(d);
  for (int i = 0; i < 4000; ++i) divisors.push_back(int(rng() % 0x7fffffffu) + 1);
  for (int k = 1; k < 31; ++k) divisors.insert(divisors.end(), {(1 << k) - 1, 1 << k, (1 << k) + 1});
  divisors.push_back(0x7fffffff);
  for (int d = 1; d <= 64; ++d) {  // every dividend below 2^16
    const FastDiv f = FastDiv::make(d);
    for (int n = 0; n < 65536; ++n) CHECK(f.div(n) == n / d, "d=%d n=%d", d, n);
  }
  for (int d : divisors) {
    const FastDiv f = FastDiv::make(d);
    const int edge[] = {0, 1, d - 1, d, d + 1, 2 * (d / 2) + 1, 0x7ffffffe, 0x7fffffff};
    for (int k = 0; k < 48; ++k) {
      const int n = k < 8 ? edge[k] : int(rng() % 0x80000000ull);
      if (n < 0) continue;
      int r;
      const int q = f.divmod(n, r);
      CHECK(q == n / d && r == n % d, "d=%d n=%d: q=%d r=%d", d, n, q, r);
    }
  }
}

// every valid tap of output coordinate o, in k order, by definition
static std::vector<std::pair<int, int>> taps_of(const DimMap& m, int o) {
  std::vector<std::pair<int, int>> v;
  for (int k = 0; k < m.K; ++k) {
    int i;
    if (m.tap(o, k, i)) v.emplace_back(k, i);
  }
  return v;
}

// A random map of one dimension (forward or grad_input) with a valid output extent; false when the draw has none.
// outs: extent of the map's output side; fwd: a forward map (else grad_input's).
static bool random_map(std::mt19937& rng, int max_stride, int max_pad, int max_in, DimMap& m, int& outs, bool& fwd) {
  const int K = 1 + rng() % 7, s = 1 + rng() % max_stride, dil = 1 + rng() % 3, pad = rng() % max_pad;
  const int in = 1 + rng() % max_in;
  const int out = (in - 1) * s - 2 * pad + dil * (K - 1) + 1 + int(rng() % std::max(s, dil));
  if (out < 1) return false;
  fwd = rng() % 2;
  m = fwd ? forward_map(K, s, pad, dil, in, out) : grad_input_map(K, s, pad, dil, out, in);
  outs = fwd ? out : in;
  return true;
}

static void tap_ranges_and_steps() {
  std::mt19937 rng(11);
  for (int t = 0; t < 3000; ++t) {
    DimMap m;
    int outs;
    bool fwd;
    if (!random_map(rng, 4, 4, 9, m, outs, fwd)) continue;
    for (int o = 0; o < outs; ++o) {
      const auto want = taps_of(m, o);
      const TapRange r = tap_range(m, o);
      CHECK(r.n == int(want.size()), "map (A=%d B=%d C=%d E=%d K=%d) o=%d: %d taps, want %zu", m.A, m.B, m.C, m.E, m.K, o, r.n,
            want.size());
      for (int j = 0; j < r.n && j < int(want.size()); ++j)
        CHECK(r.k0 + j * m.ks == want[j].first && r.i0 - j * m.di == want[j].second, "tap %d of o=%d", j, o);
    }
    // RowSteps over a 2-D (d, h) destination with a random w map and channel count
    const DimMap mw = fwd ? forward_map(1 + rng() % 9, 1 + rng() % 4, 0, 1, 5, 40) : grad_input_map(3, 2, 1, 1, 9, 17);
    const int Kc = 1 + rng() % 40, nblk = (mw.K + Tiles::KWC - 1) / Tiles::KWC;
    const uint32_t mask = uint32_t(rng()) | (rng() % 3 == 0 ? 0u : 1u);
    for (int od = 0; od < outs; ++od)
      for (int oh = 0; oh < outs; oh += 3) {
        std::vector<std::tuple<int, int, int, int, int, int>> want;
        for (const auto& d : taps_of(m, od))
          for (const auto& h : taps_of(m, oh))
            for (int c0 = 0; c0 < Kc; c0 += Tiles::BK)
              for (int b = 0; b < nblk; ++b)
                if (b >= 32 || ((mask >> b) & 1u)) want.emplace_back(d.first, h.first, c0, b * Tiles::KWC, d.second, h.second);
        std::vector<std::tuple<int, int, int, int, int, int>> got;
        RowSteps st;
        for (bool ok = st.start(tap_range(m, od), tap_range(m, oh), mw, mask); ok && got.size() <= want.size();
             ok = st.next(m, m, mw, Kc))
          got.emplace_back(st.s.kd, st.s.kh, st.s.c0, st.s.kw0, st.s.id, st.s.ih);
        CHECK(got == want, "RowSteps od=%d oh=%d Kc=%d mask=%x: %zu steps, want %zu", od, oh, Kc, mask, got.size(),
              want.size());
      }
  }
}

// The staged direct kernel's windows (direct_row_window, and direct_row_kernel's run geometry): for chunks of
// BQ = TQ * kRun q (TQ = 32, 64, 128 threads per group), every tap that lands on an output reads the input the map
// says, at chunk-window position loc = A*kRun*tq + A*v + (d - dmin) for the output's run tq and place v in it;
// where the kernel admits the map (d - dmin <= span_max(A)) that position lies in the run's register window
// (4 * win_vecs(A) values from A*kRun*tq), the staged part [0, WN) and the padded row [0, WW).
static void direct_row_windows() {
  std::mt19937 rng(13);
  constexpr int V = DirectTiles::kRun;
  for (int t = 0; t < 3000; ++t) {
    DimMap m;
    int outs;
    bool fwd;
    if (!random_map(rng, 2, 6, 1100, m, outs, fwd)) continue;  // at most two w phases, long rows: several chunks
    for (int TQ : {32, 64, 128}) {
      const int BQ = TQ * V, NW = 4 * DirectTiles::win_vecs(m.A);
      int dmin;
      int64_t WN;
      const bool any = direct_row_window(m, BQ, dmin, WN);
      const int64_t span = WN - int64_t(m.A) * (BQ - 1) - 1;
      const bool admitted = m.A <= 2 && span <= DirectTiles::span_max(m.A);
      const int64_t WW = m.A <= 2 ? DirectTiles::run_row(m.A, TQ) : 0;
      CHECK(!admitted || WW >= WN, "map (A=%d E=%d K=%d) TQ=%d: padded row %lld < window %lld", m.A, m.E, m.K, TQ,
            (long long)WW, (long long)WN);
      for (int o = 0; o < outs; ++o) {
        const int q = o / m.E, r = o % m.E, q0 = q / BQ * BQ, tq = (q - q0) / V, v = (q - q0) % V;
        for (int k = 0; k < m.K; ++k) {
          int i;
          const bool valid = m.tap(o, k, i);
          const int num = r * m.A + m.B - k * m.C;
          const bool lands = num % m.E == 0;
          CHECK(!valid || (any && lands), "map (A=%d B=%d C=%d E=%d K=%d) o=%d k=%d: valid tap not on its phase", m.A,
                m.B, m.C, m.E, m.K, o, k);
          if (!valid || !lands) continue;
          const int d = num / m.E, dd = d - dmin;
          const int64_t ii = int64_t(m.A) * q + d, loc = ii - (int64_t(m.A) * q0 + dmin);
          CHECK(ii == i && loc == int64_t(m.A) * V * tq + m.A * v + dd && dd >= 0 && dd <= span && loc < WN,
                "map (A=%d B=%d C=%d E=%d K=%d) fwd=%d TQ=%d o=%d k=%d: i %lld want %d, loc %lld of %lld", m.A, m.B,
                m.C, m.E, m.K, int(fwd), TQ, o, k, (long long)ii, i, (long long)loc, (long long)WN);
          CHECK(!admitted || (m.A * v + dd < NW && loc < WW), "map (A=%d E=%d K=%d) TQ=%d o=%d k=%d: run window %d of %d",
                m.A, m.E, m.K, TQ, o, k, m.A * v + dd, NW);
        }
      }
    }
  }
}

// The staged direct kernel's source h rows (rows_source_span): for blocks of RH = 1..4 consecutive output rows (the
// kernel's row blocks), the span [lo, lo + n) is exactly the rows the block's valid taps read, by brute force (so
// every tap's staged row i - lo lies inside it, and nothing past its ends is staged).
static void direct_row_sources() {
  std::mt19937 rng(17);
  for (int t = 0; t < 3000; ++t) {
    DimMap m;
    int outs;
    bool fwd;
    if (!random_map(rng, 3, 6, 60, m, outs, fwd)) continue;
    auto range = [&](int o) { return tap_range(m, o); };
    for (int RH = 1; RH <= 4; ++RH)
      for (int o0 = 0; o0 < outs; o0 += RH) {
        const int nr = std::min(RH, outs - o0);
        int lo;
        const int n = rows_source_span(range, o0, nr, m.di, lo);
        int bmin = 1 << 30, bmax = -(1 << 30);
        for (int o = o0; o < o0 + nr; ++o)
          for (const auto& ki : taps_of(m, o)) bmin = std::min(bmin, ki.second), bmax = std::max(bmax, ki.second);
        const int want = bmin <= bmax ? bmax - bmin + 1 : 0;
        CHECK(n == want && (n == 0 || lo == bmin), "map (A=%d B=%d C=%d E=%d K=%d) fwd=%d rows [%d, %d): span [%d, +%d) want [%d, +%d)",
              m.A, m.B, m.C, m.E, m.K, int(fwd), o0, o0 + nr, lo, n, bmin, want);
      }
  }
}

// The depthwise lane kernels' w window: output o = E*q + r sums tap k from x[A*q + dmin + wdd[r][k]] when
// wdd[r][k] >= 0 and that index is inside x; that must be exactly o's valid taps and their sources.  And its
// compile-time tap positions: direct_tap_index(t, ks, k) is k's place in o's tap range, -1 for a k not in it.
static void direct_lane_windows() {
  std::mt19937 rng(23);
  int admitted = 0;
  for (int t = 0; t < 6000; ++t) {
    DimMap m;
    int outs;
    bool fwd;
    if (!random_map(rng, 3, 4, 40, m, outs, fwd)) continue;
    for (int o = 0; o < outs; ++o) {  // every map (forward, grad_input, any stride) for the tap positions
      if (m.K > 3) break;
      const TapRange tr = tap_range(m, o);
      const auto taps = taps_of(m, o);
      for (int k = 0; k < m.K; ++k) {
        int want = -1;
        for (size_t j = 0; j < taps.size(); ++j)
          if (taps[j].first == k) want = int(j);
        const int got = direct_tap_index(tr, m.ks, k);
        CHECK(got == want, "map (A=%d B=%d C=%d E=%d K=%d) o=%d k=%d: position %d want %d", m.A, m.B, m.C, m.E, m.K, o,
              k, got, want);
        if (got >= 0) CHECK(tr.i0 - got * m.di == taps[want].second, "o=%d k=%d: source", o, k);
      }
    }
    DirectLaneWindow w;
    if (!direct_lane_window(m, w)) {
      const bool lanes = (m.A == 1 && m.E <= 2) || (m.A == 2 && m.E == 1);
      CHECK(!(lanes && m.K <= 3 && (m.C == 1 || m.C == -1)), "map (A=%d B=%d C=%d E=%d K=%d) refused", m.A, m.B, m.C,
            m.E, m.K);
      continue;
    }
    ++admitted;
    CHECK(((m.A == 1 && m.E <= 2) || (m.A == 2 && m.E == 1)) && m.K <= 3 && (w.S == 2 || w.S == 3),
          "admitted map (A=%d E=%d K=%d) S=%d", m.A, m.E, m.K, w.S);
    for (int o = 0; o < outs; ++o) {
      const int q = o / m.E, r = o % m.E;
      std::vector<std::pair<int, int>> got;
      for (int k = 0; k < m.K; ++k) {
        const int dd = w.wdd[r][k];
        if (dd < 0) continue;
        CHECK(dd < w.S, "o=%d k=%d: offset %d past S=%d", o, k, dd, w.S);
        const int i = m.A * q + w.dmin + dd;
        if (i >= 0 && i < m.in_extent) got.emplace_back(k, i);
      }
      CHECK(got == taps_of(m, o), "map (B=%d C=%d E=%d K=%d) o=%d: %zu taps want %zu", m.B, m.C, m.E, m.K, o, got.size(),
            taps_of(m, o).size());
    }
  }
  CHECK(admitted > 500, "only %d maps admitted", admitted);
}

// StageWalk (the Hopper grad_weight's roles) against divisions: every role's stages t0, t0 + NT, ... (NT transform
// warpgroups take alternate stages) for rings of 2-16 slots and 1-8 blocks per row
static void stage_walks() {
  for (int ring = 2; ring <= 16; ++ring)
    for (int per_row = 1; per_row <= 8; ++per_row)
      for (int nt = 1; nt <= 2; ++nt)
        for (int t0 = 0; t0 < nt; ++t0) {
          const int r0 = 3 * ring + per_row;
          StageWalk w(t0, ring, per_row, r0);
          for (int t = t0; t < 600; t += nt) {
            CHECK(w.t == t && w.sl == t % ring && w.ph == (t / ring & 1) && w.blk == t % per_row &&
                      w.r == r0 + t / per_row,
                  "ring=%d per_row=%d nt=%d t=%d: t=%d sl=%d ph=%d blk=%d r=%d", ring, per_row, nt, t, w.t, w.sl, w.ph,
                  w.blk, w.r);
            for (int k = 0; k < nt; ++k) {
              const int r = w.r;
              const bool changed = w.next(ring, per_row);
              CHECK(changed == (w.r != r), "ring=%d per_row=%d t=%d: next() said %d", ring, per_row, w.t, changed);
            }
          }
        }
}

// RowDeal (the Hopper grad_input's tiles and grad_weight's rows per CTA, v109): for both orders, every row of
// [0, rows) dealt to exactly one CTA, CTA counts within one of each other, rows ascending within a CTA, and (the
// point of the interleaved order) the CTAs' j-th rows consecutive
static void row_deals() {
  for (int rows = 1; rows <= 300; rows += rows < 40 ? 1 : 13)
    for (int nch = 1; nch <= std::min(rows, 140); nch += nch < 12 ? 1 : 7)
      for (int il = 0; il < 2; ++il) {
        std::vector<int> seen(rows, 0);
        int lo = rows, hi = 0;
        for (int c = 0; c < nch; ++c) {
          const RowDeal d = row_deal(rows, nch, c, il != 0);
          lo = std::min(lo, d.count);
          hi = std::max(hi, d.count);
          for (int j = 0; j < d.count; ++j) {
            const int r = d.row(j);
            if (r < 0 || r >= rows) {
              CHECK(false, "rows=%d nch=%d il=%d cta %d: row %d", rows, nch, il, c, r);
              continue;
            }
            ++seen[r];
            CHECK(j == 0 || r > d.row(j - 1), "rows=%d nch=%d il=%d cta %d: rows out of order", rows, nch, il, c);
            if (il) CHECK(r == j * nch + c, "rows=%d nch=%d cta %d: its %d-th row %d", rows, nch, c, j, r);
          }
        }
        for (int r = 0; r < rows; ++r) CHECK(seen[r] == 1, "rows=%d nch=%d il=%d: row %d dealt %d times", rows, nch, il, r, seen[r]);
        CHECK(hi - lo <= 1, "rows=%d nch=%d il=%d: counts %d..%d", rows, nch, il, lo, hi);
      }
}

// The Hopper grad_weight's slot ring (wgrad_sm90.cuh) as a model: the producer issues stages in order (stage t in slot
// t % R once the consumer released t - R), each lands at a random later time (TMA and cp.async complete in any order
// across slots), NT transform warpgroups take stages w, w + NT, ... and the consumer takes them in order.  Barriers
// are phase counters with mbarrier's parity rule: a wait for parity P passes while the current phase's parity is
// not P, so a wait one phase early passes at once.  Across random schedules a transform must never pass its wait
// before its stage landed, nor the consumer before its stage was transformed, and every stage must be consumed (no
// stall: a hang).  The ready wait first (the kernel's,
// where R % NT != 0) is what keeps it so; without it the model finds the fault at ring 3 with two warpgroups (the
// H100's, stop 36), which also checks that the model can fail.
static bool ring_protocol_holds(int R, int NT, bool ready_first, int stages, std::mt19937& rng) {
  std::vector<int> full(R, 0), ready(R, 0), empty(R, 0);  // completed phases
  std::vector<char> landed(stages, 0), done(stages, 0);
  std::vector<int> in_flight, tw(NT);
  for (int w = 0; w < NT; ++w) tw[w] = w;
  int issued = 0, consumed = 0;
  auto passes = [](int completed, int parity) { return (completed & 1) != parity; };
  for (int steps = 0; steps < 40 * stages; ++steps) {
    const int actor = int(rng() % (NT + 2));
    if (actor == 0 && issued < stages) {  // producer
      const int t = issued, sl = t % R, ph = t / R & 1;
      if (t < R || passes(empty[sl], ph ^ 1)) in_flight.push_back(t), ++issued;
    } else if (actor == 1 && !in_flight.empty()) {  // a copy lands
      const size_t i = rng() % in_flight.size();
      const int t = in_flight[i];
      in_flight.erase(in_flight.begin() + long(i));
      landed[t] = 1;
      ++full[t % R];
    } else if (actor >= 2 && actor - 2 < NT) {  // transform warpgroup w
      const int w = actor - 2, t = tw[w];
      if (t >= stages) continue;
      const int sl = t % R, ph = t / R & 1;
      if (ready_first && t >= R && R % NT != 0 && !passes(ready[sl], ph ^ 1)) continue;
      if (!passes(full[sl], ph)) continue;
      if (!landed[t]) return false;  // the fault: a slot transformed before its bytes landed
      done[t] = 1;
      ++ready[sl];
      tw[w] += NT;
    }
    // the consumer: in order, releasing each slot once its stage is multiplied
    if (consumed < stages) {
      const int t = consumed, sl = t % R, ph = t / R & 1;
      if (passes(ready[sl], ph)) {
        if (!done[t]) return false;
        ++empty[sl];
        ++consumed;
      }
    }
  }
  return consumed == stages;  // else the ring stalled: a hang on the GPU
}

static void wgrad_ring_protocol() {
  std::mt19937 rng(7);
  int old_faults = 0;
  for (int R = 2; R <= 7; ++R)
    for (int NT = 1; NT <= 2; ++NT)
      for (int trial = 0; trial < 300; ++trial) {
        CHECK(ring_protocol_holds(R, NT, true, 60, rng), "ring %d, %d transform warpgroups, trial %d", R, NT, trial);
        if (R == 3 && NT == 2) old_faults += !ring_protocol_holds(R, NT, false, 60, rng);
      }
  CHECK(old_faults > 0, "the model never finds the ring-3 fault without the ready wait: it cannot fail");
}

// share_by_cost (the Hopper grad_weight's CTAs per segment) against every split: each piece gets 1..cap CTAs, the
// total is min(total, sum of caps) (n where n > total), and the largest cost per CTA is the least any split reaches.
static void cost_shares() {
  std::mt19937 rng(7);
  for (int it = 0; it < 3000; ++it) {
    const int n = 1 + int(rng() % 4), total = 1 + int(rng() % 12);
    double cost[4];
    int64_t cap[4], capsum = 0;
    for (int i = 0; i < n; ++i) {
      cost[i] = 1 + int(rng() % 9);
      cap[i] = 1 + int64_t(rng() % 6);
      capsum += cap[i];
    }
    int got[4];
    share_by_cost(cost, cap, n, total, got);
    int sum = 0;
    double worst = 0;
    for (int i = 0; i < n; ++i) {
      CHECK(got[i] >= 1 && got[i] <= cap[i], "piece %d: %d CTAs (cap %d)", i, got[i], int(cap[i]));
      sum += got[i];
      worst = std::max(worst, cost[i] / got[i]);
    }
    CHECK(sum == std::max<int64_t>(n, std::min<int64_t>(total, capsum)), "n=%d total=%d: %d CTAs", n, total, sum);
    double best = 1e30;  // every split with 1..cap CTAs per piece and at most max(n, total) in all
    int m[4] = {1, 1, 1, 1};
    for (;;) {
      int s = 0;
      double w = 0;
      for (int i = 0; i < n; ++i) s += m[i], w = std::max(w, cost[i] / m[i]);
      if (s <= std::max(n, total)) best = std::min(best, w);
      int i = 0;
      while (i < n && m[i] == cap[i]) m[i++] = 1;
      if (i == n) break;
      ++m[i];
    }
    CHECK(worst <= best * (1 + 1e-12), "n=%d total=%d: largest cost per CTA %g, best %g", n, total, worst, best);
  }
}

// wgrad_row_inside (the Hopper grad_weight producer's unchecked rows, v77) against every vector of every stage: true
// exactly when all of them lie inside [0, numel), for rows at both ends of grad_y and in between.
static void wgrad_row_bounds() {
  std::mt19937_64 rng(11);
  for (int it = 0; it < 40000; ++it) {
    const int vec = it % 2 ? 8 : 4;  // fp32 (32-position stages) and 16-bit (64) vectors
    const int ew = 1 + int(rng() % 2), katoms = 1 + int(rng() % 5), vpr = 1 + int(rng() % 24);
    const int64_t step = int64_t(ew) * 8 * vec, cs = 1 + int64_t(rng() % 300), numel = 32 * cs + int64_t(rng() % 400);
    const int64_t first = int64_t(rng() % (numel + 200)) - 100;
    bool all = true;
    for (int a = 0; a < katoms && all; ++a)
      for (int co = 0; co < 32 && all; ++co) {
        const int64_t lo = (first + a * step + co * cs) & ~int64_t(vec - 1);
        all = lo >= 0 && lo + vec * vpr <= numel;  // its vpr vectors: [lo, lo + vec vpr)
      }
    CHECK(wgrad_row_inside(first, step, katoms, cs, vpr, numel, vec) == all,
          "first=%lld step=%lld katoms=%d cs=%lld vpr=%d numel=%lld vec=%d: brute force %d", (long long)first,
          (long long)step, katoms, (long long)cs, vpr, (long long)numel, vec, all);
  }
}

// HopperShare (the Hopper forward's tiles of a chunk among its CTAs and warpgroups): every tile of [t0, t1) exactly
// once over the m CTAs, nwg warpgroups and k < count, none outside; a CTA's warpgroups take consecutive tiles (the
// runs) and each warpgroup its tiles in increasing order.
static void hopper_shares() {
  for (int nwg = 1; nwg <= 4; ++nwg)
    for (int m = 1; m <= 9; ++m)
      for (int n = 0; n <= 60; ++n) {
        const int t0 = 7 * n + 3, t1 = t0 + n;
        std::vector<int> seen(n, 0);
        for (int cc = 0; cc < m; ++cc)
          for (int wg = 0; wg < nwg; ++wg) {
            const HopperShare sh{t0, cc, m};
            const int cnt = HopperShare::count(t0, t1, cc, m, wg, nwg);
            for (int k = 0; k < cnt; ++k) {
              const int t = sh.tile(wg, k, nwg);
              CHECK(t >= t0 && t < t1, "nwg=%d m=%d n=%d cc=%d wg=%d k=%d: tile %d outside", nwg, m, n, cc, wg, k, t);
              if (t >= t0 && t < t1) ++seen[t - t0];
              if (k > 0) CHECK(t > sh.tile(wg, k - 1, nwg), "nwg=%d m=%d n=%d: not increasing", nwg, m, n);
              CHECK((t - t0) / nwg % m == cc, "nwg=%d m=%d n=%d: tile %d not in CTA %d's runs", nwg, m, n, t, cc);
            }
          }
        for (int i = 0; i < n; ++i) CHECK(seen[i] == 1, "nwg=%d m=%d n=%d: tile %d taken %d times", nwg, m, n, t0 + i, seen[i]);
      }
}

// The Hopper grad_input's fragment loads (dgrad_sm90.cuh): co_of is a permutation of a stage's 32 channels for both w
// strides; a staged row holds the window and its phase (pitch >= 4 vectors, = 4 mod 8); and a warp's 32 loads of one
// fragment register (lanes g8 = rows, t4 = channels; channel co's row starts at co * pitch + its 16-byte phase) hit
// 32 distinct banks where the channel stride's parity allows (w stride 2: odd, stride 1: even), at most 2 per bank
// otherwise -- for every phase of channel 0 and every channel stride mod 4.
// co_of(ew, cl, ..) over a stage's k-steps and lanes t4: each of the 32 channels once
static void dgrad_channel_order(int ew, bool cl) {
  std::vector<int> seen(32, 0);
  for (int ks = 0; ks < 4; ++ks)
    for (int t4 = 0; t4 < 4; ++t4)
      for (int cc = 0; cc < 2; ++cc) {
        const int co = HopperDgradTiles::co_of(ew, cl, ks, t4, cc);
        CHECK(co >= 0 && co < 32 && ++seen[co] == 1, "ew=%d cl=%d: channel %d repeated or out of range", ew, cl, co);
      }
}

// ... and the 16-bit orders (cl: co_cl16, else co16) over the two k-steps, lanes t4, register halves cc and word
// halves e: each channel once, and the one the pack gives k index 8 kc + v of k-step ks (kc = cc, v = 2 t4 + e) --
// for channels_last word 2 ks + cc of lane t4's chunk
static void dgrad_channel_order_16(bool cl) {
  std::vector<int> seen(32, 0);
  for (int ks = 0; ks < 2; ++ks)
    for (int t4 = 0; t4 < 4; ++t4)
      for (int cc = 0; cc < 2; ++cc)
        for (int e = 0; e < 2; ++e) {
          const int co = cl ? HopperDgradTiles::co_cl16(ks, t4, cc, e) : HopperDgradTiles::co16(ks, t4, cc, e);
          const int want = cl ? 8 * t4 + 2 * (2 * ks + cc) + e : 16 * ks + 8 * cc + (2 * t4 + e);
          CHECK(co >= 0 && co < 32 && ++seen[co] == 1, "16-bit cl=%d: channel %d repeated or out of range", cl, co);
          CHECK(co == want, "16-bit cl=%d: channel %d of k %d in k-step %d, not %d", cl, co, 8 * cc + 2 * t4 + e, ks,
                want);
        }
}

// v126's shared-memory transposition (WgemmTransposeBlock): over a tile's 64 blocks every raw chunk is read once and
// every K-major chunk written once; element (position p, channel c) -- raw byte swizzled(p, c / 4) + 4 (c % 4), the
// float4's component c % 4 of read p % 4 -- lands at the K-major byte of (row c, position p); and in every 8-lane
// phase (q / 8 alike) each of the four reads and four writes touches 8 distinct chunks (no bank conflict)
static void wgemm_transpose() {
  using B = WgemmTransposeBlock;
  int rd[256] = {}, wr[256] = {};
  for (int q = 0; q < 64; ++q) {
    const B b(q);
    for (int i = 0; i < 4; ++i) {
      ++rd[b.read(i) / 16];
      ++wr[b.write(i) / 16];
      for (int j = 0; j < 4; ++j) {  // v[i] component j: (p, c) = (4 pb + i, 4 cb + j), written by write(j) at + 4 i
        const int p = 4 * b.pb + i, c = 4 * b.cb + j;
        CHECK(b.read(i) + 4 * j == B::swizzled(p, c / 4) + 4 * (c % 4), "q %d raw (%d, %d)", q, p, c);
        CHECK(b.write(j) + 4 * i == B::swizzled(c, p / 4) + 4 * (p % 4), "q %d K-major (%d, %d)", q, c, p);
      }
    }
  }
  for (int k = 0; k < 256; ++k) CHECK(rd[k] == 1 && wr[k] == 1, "chunk %d read %d, written %d times", k, rd[k], wr[k]);
  for (int g = 0; g < 8; ++g)
    for (int i = 0; i < 4; ++i) {
      int rb = 0, wb = 0;
      for (int l = 0; l < 8; ++l) {
        const B b(8 * g + l);
        rb |= 1 << (b.read(i) / 16 % 8);
        wb |= 1 << (b.write(i) / 16 % 8);
      }
      CHECK(rb == 255 && wb == 255, "phase %d access %d: chunks %x / %x", g, i, rb, wb);
    }
}

// v133's transposition of a landed NCDHW x box (HopperXTranspose<B>: B = 4 fp32, 8 fp16 / bf16) at the row counts the
// forward stages (rows(S): 64 at S = 1, 72 at S = 2..8): every landed element (channel c, position w) read once and
// written once, at the K-major swizzled byte (4-byte: w 128 + ((c / 4) ^ (w mod 8)) 16 + (c mod 4) 4, the 128-byte
// swizzle; 2-byte: w 64 + ((c / 8) ^ (w / 2 mod 4)) 16 + (c mod 8) 2, the 64-byte one), read i's element q (channel
// B cg + i, position B wb + q) written by store q as its element i; per 8-lane phase of the producer's loop (b = lane
// + 32 k) the reads (as 16-byte rows) and the writes put at most 2 lanes on a 16-byte bank group (4-byte writes: 1;
// 4-byte reads at rows 64: 1)
template <int B>
static void x_transpose() {
  const int es = 16 / B;
  for (int S : {1, 2, 8}) {
    const HopperXTranspose<B> t = HopperXTranspose<B>::make((64 + S - 1 + 7) / 8 * 8);  // HopperTiles::rows(S), BQ 64
    std::vector<int> rd(32 * t.rows, 0), wr(32 * t.rows, 0);
    int worst_r = 0, worst_w = 0;
    for (int k = 0; 32 * k < t.blocks(); ++k)
      for (int h = 0; h < 4; ++h)
        for (int i = 0; i < B; ++i) {
          int rb[8] = {}, wb8[8] = {};
          for (int l = 8 * h; l < 8 * h + 8; ++l) {
            const int b = 32 * k + l;
            if (b >= t.blocks()) continue;
            int cg, wb;
            t.block(b, cg, wb);
            CHECK(cg >= 0 && cg < 32 / B && wb >= 0 && wb < t.nwb, "B %d S %d block %d: (%d, %d)", B, S, b, cg, wb);
            const int lo = t.land(B * cg + i, wb), so = t.slot(B * wb + i, cg);
            worst_r = std::max(worst_r, ++rb[lo * es / 16 % 8]);
            worst_w = std::max(worst_w, ++wb8[so * es / 16 % 8]);
            for (int q = 0; q < B; ++q) {
              const int c = B * cg + i, w = B * wb + q;
              CHECK(lo + q == c * t.rows + w, "B %d S %d: landed (%d, %d)", B, S, c, w);
              ++rd[lo + q];
              const int sq = t.slot(w, cg) + i;
              const int want = B == 4 ? w * 128 + (((c >> 2) ^ (w & 7)) << 4) + (c & 3) * 4
                                      : w * 64 + (((c >> 3) ^ ((w >> 1) & 3)) << 4) + (c & 7) * 2;
              CHECK(sq * es == want, "B %d S %d: slot (%d, %d)", B, S, c, w);
              ++wr[sq];
            }
          }
        }
    for (int e = 0; e < 32 * t.rows; ++e)
      CHECK(rd[e] == 1 && wr[e] == 1, "B %d S %d element %d read %d, written %d times", B, S, e, rd[e], wr[e]);
    CHECK(worst_r <= (B == 4 && t.rows % 32 == 0 ? 1 : 2) && worst_w <= (B == 4 ? 1 : 2),
          "B %d S %d: phases %d-way (reads), %d-way (writes)", B, S, worst_r, worst_w);
  }
}

static void dgrad_fragment_banks() {
  using H = HopperDgradTiles;
  dgrad_channel_order_16(false);
  for (int ew = 1; ew <= 2; ++ew) {
    dgrad_channel_order(ew, false);
    for (int kw = 1; kw <= H::kMaxKw; ++kw) {
      const int win = H::window(ew, kw), nv = H::vectors(win), pitch = H::pitch(nv);
      CHECK(4 * nv >= win + 3 && pitch >= 4 * nv && pitch % 8 == 4, "ew=%d kw=%d: nv=%d pitch=%d", ew, kw, nv, pitch);
      for (int s1 = 0; s1 < 4; ++s1)
        for (int b = 0; b < 4; ++b) {
          int worst = 0;
          for (int ks = 0; ks < 4; ++ks)
            for (int cc = 0; cc < 2; ++cc)
              for (int h = 0; h < 2; ++h)
                for (int k = 0; k < kw; ++k) {
                  int banks[32] = {};
                  for (int g8 = 0; g8 < 8; ++g8)
                    for (int t4 = 0; t4 < 4; ++t4) {
                      const int co = H::co_of(ew, false, ks, t4, cc);
                      const int a = co * pitch + ((b + co * s1) & 3) + ew * (g8 + 8 * h) + k;
                      worst = std::max(worst, ++banks[a % 32]);
                    }
                }
          const bool free = ew == 2 ? s1 % 2 == 1 : s1 % 2 == 0;
          CHECK(worst <= (free ? 1 : 2), "ew=%d kw=%d s1=%d phase=%d: %d-way bank conflicts", ew, kw, s1, b, worst);
        }
    }
  }
}

// The Hopper grad_input's channels_last stages: a position's 32 channels fill its 128-byte row (cl_offset a bijection
// per row); the consumer's addresses from its two bases are cl_offset of the channels its registers stand for (the
// float4's element i is channel co_of(.., 2 q + i / 2, t4, i % 2)); each quarter-warp's 16-byte loads of one register
// set hit eight distinct chunks (all 32 banks); and a producer thread's rows 16 apart keep one swizzle.
static void dgrad_cl_fragments() {
  using H = HopperDgradTiles;
  for (int ew = 1; ew <= 2; ++ew) {
    dgrad_channel_order(ew, true);
    for (int j = 0; j < H::window(ew, H::kMaxKw); ++j) {
      std::vector<int> hit(32, 0);
      for (int co = 0; co < 32; ++co) {
        const int o = H::cl_offset(ew, j, co) - 32 * j;
        CHECK(o >= 0 && o < 32 && ++hit[o] == 1, "cl ew=%d j=%d: channel %d lands on %d twice", ew, j, co, o);
      }
      for (int r = 1; 16 * r + j < H::window(ew, H::kMaxKw); ++r)
        CHECK(H::cl_swz(ew, j + 16 * r) == H::cl_swz(ew, j), "cl ew=%d: producer rows %d, +16 differ", ew, j);
    }
    for (int kw = 0; kw < H::kMaxKw; ++kw)
      for (int h = 0; h < 2; ++h)
        for (int q = 0; q < 2; ++q)
          for (int m0 = 0; m0 < 128; m0 += 16)  // a warp's rows m0 + g8 (+ 8 h)
            for (int quarter = 0; quarter < 4; ++quarter) {
              int chunks[8] = {};
              for (int l = 8 * quarter; l < 8 * quarter + 8; ++l) {
                const int m = m0 + l / 4, t4 = l % 4;
                const int o = H::cl_base(ew, m, t4, q ^ H::cl_swz(ew, kw)) + 32 * kw + 256 * ew * h;
                const int j = ew * (m + 8 * h) + kw;
                for (int i = 0; i < 4; ++i) {
                  const int co = H::co_of(ew, true, 2 * q + i / 2, t4, i % 2);
                  CHECK(o + i == H::cl_offset(ew, j, co), "cl ew=%d kw=%d m=%d t4=%d q=%d i=%d: reads %d, channel %d "
                        "is at %d", ew, kw, m, t4, q, i, o + i, co, H::cl_offset(ew, j, co));
                }
                CHECK(o % 4 == 0, "cl: unaligned 16-byte load");
                ++chunks[o / 4 % 8];
              }
              for (int c = 0; c < 8; ++c)
                CHECK(chunks[c] == 1, "cl ew=%d kw=%d h=%d q=%d m0=%d quarter %d: chunk %d read %d times", ew, kw, h,
                      q, m0, quarter, c, chunks[c]);
            }
  }
}

// ... 16-bit: co_cl16 is a permutation; a position's 64-byte row does not overlap the next; the consumer's base plus
// immediates is cl16_row of its position, its chunk t4's word i holding channels co_cl16(i / 2, t4, i % 2, 0 / 1);
// a quarter-warp's 16-byte loads and the producer's 16-byte copies hit eight distinct 16-byte bank groups.
static void dgrad_cl16_fragments() {
  using H = HopperDgradTiles;
  dgrad_channel_order_16(true);
  for (int ew = 1; ew <= 2; ++ew) {
    const int win = H::window(ew, H::kMaxKw);
    for (int j = 0; j + 1 < win; ++j)
      CHECK(H::cl16_row(ew, j + 1) - H::cl16_row(ew, j) >= 64, "cl16 ew=%d: rows %d, %d overlap", ew, j, j + 1);
    for (int m = 0; m < 128; ++m)
      for (int kw = 0; kw < H::kMaxKw; ++kw)
        for (int h = 0; h < 2; ++h)
          CHECK(H::cl16_row(ew, ew * m) + H::cl16_row(ew, kw + 8 * ew * h) == H::cl16_row(ew, ew * (m + 8 * h) + kw),
                "cl16 ew=%d: not additive at m=%d kw=%d h=%d", ew, m, kw, h);
    for (int kw = 0; kw < H::kMaxKw; ++kw)
      for (int h = 0; h < 2; ++h)
        for (int m0 = 0; m0 < 128; m0 += 2) {  // a quarter-warp: rows m0, m0 + 1, lanes t4
          int groups[8] = {};
          for (int l = 0; l < 8; ++l)
            ++groups[(H::cl16_row(ew, ew * (m0 + l / 4 + 8 * h) + kw) + 16 * (l % 4)) / 16 % 8];
          for (int g = 0; g < 8; ++g)
            CHECK(groups[g] == 1, "cl16 ew=%d kw=%d h=%d m0=%d: bank group %d read %d times", ew, kw, h, m0, g,
                  groups[g]);
        }
    for (int j0 = 0; j0 + 1 < win; j0 += 2) {  // the producer's quarter-warp: positions j0, j0 + 1, chunks 0..3
      int groups[8] = {};
      for (int l = 0; l < 8; ++l) ++groups[(H::cl16_row(ew, j0 + l / 4) + 16 * (l % 4)) / 16 % 8];
      for (int g = 0; g < 8; ++g)
        CHECK(groups[g] == 1, "cl16 ew=%d j0=%d: producer bank group %d written %d times", ew, j0, g, groups[g]);
    }
  }
}

// The Hopper grad_input's per-tile vector classes (V elements a vector: 4 fp32, 8 16-bit): for every window start,
// row length and phase, each staged vector is copied exactly once -- whole where all V positions are inside [0, OW)
// at every phase, zero-filled where none is at any phase, by words otherwise -- and every position inside the row is
// copied.
template <int NV, int V>
static void dgrad_vectors_once() {
  for (int OW = 1; OW <= V * NV + 3 * V; ++OW)
    for (int wstart = -3 * V; wstart <= OW + V; ++wstart) {
      std::vector<int> how(NV, 0);  // 1 whole, 2 zero, 3 by words
      int ne = -1;
      for (int lane = 0; lane < 32; ++lane) {
        const HopperDgradVectors<NV, V> vc(wstart, OW, lane);
        if (ne < 0) {
          ne = vc.ne;
          for (int j = 0; j < vc.ne; ++j) {
            const int v = vc.edge(j);
            CHECK(v >= 0 && v < NV && how[v] == 0, "V=%d NV=%d OW=%d wstart=%d: edge %d -> vector %d", V, NV, OW,
                  wstart, j, v);
            if (v >= 0 && v < NV) how[v] = 3;
          }
        }
        for (int i = 0; i < (NV + 31) / 32; ++i) {
          const int v = lane + 32 * i;
          if (!(vc.whole >> i & 1)) continue;
          CHECK(v < NV && how[v] == 0, "V=%d NV=%d OW=%d wstart=%d: vector %d copied twice or past NV", V, NV, OW,
                wstart, v);
          if (v < NV) how[v] = vc.zero >> i & 1 ? 2 : 1;
        }
      }
      for (int v = 0; v < NV; ++v) {
        CHECK(how[v] != 0, "V=%d NV=%d OW=%d wstart=%d: vector %d not copied", V, NV, OW, wstart, v);
        for (int ph = 0; ph < V; ++ph) {
          int inside = 0;
          for (int e = 0; e < V; ++e) inside += wstart + V * v - ph + e >= 0 && wstart + V * v - ph + e < OW;
          CHECK(how[v] != 1 || inside == V, "V=%d NV=%d OW=%d wstart=%d ph=%d: whole vector %d reads outside", V, NV,
                OW, wstart, ph, v);
          CHECK(how[v] != 2 || inside == 0, "V=%d NV=%d OW=%d wstart=%d ph=%d: zero vector %d drops data", V, NV, OW,
                wstart, ph, v);
        }
      }
    }
}

// The Hopper grad_input's row pairs: over the K + S stages of a dimension (K where no tap is shared), each tap of
// row i and (where the pair has it) of row i + 1 comes exactly once, and a stage both rows read holds the same
// grad_y row for both (i s - p + k dil).
static void dgrad_row_pairs() {
  for (int K = 1; K <= 5; ++K)
    for (int s = 1; s <= 4; ++s)
      for (int dil = 1; dil <= 3; ++dil)
        for (int two = 0; two <= 1; ++two) {
          const int S = hopper_dgrad_shift(s, dil, K), R = S < K ? 2 : 1, n = K + (R == 2 ? S : 0);
          CHECK(S >= 1 && S <= K, "K=%d s=%d dil=%d: shift %d", K, s, dil, S);
          // a shared tap exists exactly where S < K: some k' + S < K with row i + 1's k' at the same grad_y row
          bool shares = false;
          for (int k = 0; k < K; ++k)
            for (int k2 = 0; k2 < K; ++k2) shares |= k * dil == s + k2 * dil;
          CHECK(shares == (S < K), "K=%d s=%d dil=%d: S=%d but shared taps %d", K, s, dil, S, int(shares));
          std::vector<int> seen0(K, 0), seen1(K, 0);
          const bool pair = R == 2 && two;
          for (int j = 0; j < n; ++j) {
            int k[2];
            hopper_dgrad_taps(j, K, S, pair, k);
            CHECK(k[0] >= -1 && k[0] < K && k[1] >= -1 && k[1] < K, "K=%d s=%d dil=%d stage %d: taps %d, %d", K, s,
                  dil, j, k[0], k[1]);
            if (k[0] >= 0 && k[0] < K) ++seen0[k[0]];
            if (k[1] >= 0 && k[1] < K) ++seen1[k[1]];
            CHECK(k[0] >= 0 || k[1] >= 0 || !pair, "K=%d s=%d dil=%d: stage %d read by neither row", K, s, dil, j);
            if (k[0] >= 0 && k[1] >= 0)
              CHECK(k[0] * dil == s + k[1] * dil, "K=%d s=%d dil=%d stage %d: rows read different grad_y rows", K, s,
                    dil, j);
          }
          for (int k = 0; k < K; ++k) {
            CHECK(seen0[k] == 1, "K=%d s=%d dil=%d: row i tap %d %d times", K, s, dil, k, seen0[k]);
            CHECK(seen1[k] == (pair ? 1 : 0), "K=%d s=%d dil=%d two=%d: row i+1 tap %d %d times", K, s, dil, two, k,
                  seen1[k]);
          }
        }
}

static void dgrad_vectors() {
  using H = HopperDgradTiles;
  dgrad_vectors_once<H::vectors(H::window(1, 1)), 4>();
  dgrad_vectors_once<H::vectors(H::window(1, 4)), 4>();
  dgrad_vectors_once<H::vectors(H::window(2, 1)), 4>();
  dgrad_vectors_once<H::vectors(H::window(2, 3)), 4>();
  dgrad_vectors_once<H::vectors(H::window(2, 4)), 4>();
  dgrad_vectors_once<H::vectors(H::window(1, 1), 8), 8>();
  dgrad_vectors_once<H::vectors(H::window(1, 4), 8), 8>();
  dgrad_vectors_once<H::vectors(H::window(2, 3), 8), 8>();
  dgrad_vectors_once<H::vectors(H::window(2, 4), 8), 8>();
}

// The Hopper forward's A offset of block u = (window offset s, box j), u = s * nbox + j (rowconv_sm90.cuh's a_of):
// the packed weights' chunk s * KCH + 32 / VEC * j (KCH = Kc / VEC chunks a window offset, nbox = Kc / 32 boxes) is
// the product (32 / VEC) * u, for both chunk widths and every window and channel count the instances take
static void hopper_a_offsets() {
  for (int vec : {4, 8})
    for (int S = 1; S <= 8; ++S)
      for (int nbox = 1; nbox <= 8; ++nbox) {
        const int Kc = 32 * nbox, KCH = Kc / vec;
        for (int u = 0; u < S * nbox; ++u) {
          const int s = u / nbox, j = u - s * nbox;
          CHECK(s * KCH + 32 / vec * j == 32 / vec * u, "VEC %d S %d Kc %d block %d", vec, S, Kc, u);
        }
      }
}

// VecRow<V> (the Hopper forward's NCDHW rows by 16-byte vectors of V elements: v89's 8 16-bit, v91's 4 fp32), for
// every row phase and length a tile row of BQ q positions (2 BQ outputs; v135's whole rows: 256) can have: each output
// written exactly once (a whole vector, one of the V head lanes, or one of the V tail lanes), every vector 16-byte
// aligned, at most 2 BQ / V vectors (the kernel's lanes li, li + 32, ... of the row), every staged read inside the
// row's [a, a + nout), which its staging pitch holds (HopperTiles::ldv16(BQ) >= 2 BQ + 8, asserted in kernel_params.h).
template <int V, int BQ>
static void vec_rows() {
  for (int a = 0; a < V; ++a)
    for (int nout = 1; nout <= 2 * BQ; ++nout) {
      const VecRow<V> r = VecRow<V>::make(a, nout);
      std::vector<int> hits(nout, 0);
      CHECK(r.nv >= 0 && r.nv <= 2 * BQ / V && a + nout <= 2 * BQ + 8, "V=%d a=%d nout=%d nv=%d", V, a,
            nout, r.nv);
      for (int v = 0; v < r.nv; ++v) {
        const int o0 = V * (r.vf + v) - a;
        CHECK((a + o0) % V == 0 && o0 >= 0 && o0 + V <= nout, "V=%d a=%d nout=%d vector %d at %d", V, a, nout, v, o0);
        for (int e = 0; e < V && o0 + e >= 0 && o0 + e < nout; ++e) ++hits[o0 + e];
      }
      for (int li = 0; li < 2 * V; ++li) {  // the kernel's lanes: 0 .. V - 1 head, V .. 2 V - 1 tail
        const int ol = li < V ? li : r.tail0 + li - V;
        if (li < V ? ol < r.head : ol < nout) {
          CHECK(ol >= 0 && ol < nout, "V=%d a=%d nout=%d lane %d output %d", V, a, nout, li, ol);
          if (ol >= 0 && ol < nout) ++hits[ol];
        }
      }
      for (int o = 0; o < nout; ++o)
        CHECK(hits[o] == 1, "V=%d a=%d nout=%d output %d written %d times", V, a, nout, o, hits[o]);
    }
}

// v141 (RsMap<MB>, rowconv_sm90.cuh's hopper_rs_pair and its epilogue), a model of one tile of MB m64 blocks (64 MB
// positions: MB 2 whole rows, MB 1 64-position tiles), one pair and one 32-channel box at S = 1 and 2: the landed row
// L[channel][position] (rs_rows(64 MB) positions a row) as the consumers load it (2 MB-word loads, then the next
// thread's words by a shuffle, g8 7's own), the register quads as the wgmmas' A in CuTe's ALayout_64x8 (value i of
// thread (w, g, t): row 16 w + g + 8 (i & 1), column t + 4 (i >> 1)), the weights B[n][k] of window offset s and k8
// step kk, the accumulators in CLayout_64xN (d[4 j + 2 h + e]: row 16 w + g + 8 h, column 8 j + 2 t + e), the staging
// from output 0, and the store loop's vectors shifted into each row's phase (next lanes' vectors by shuffles) and
// head / tail elements, for every phase and row length: each output written once, equal to the convolution's sum
// (small integers: exact in double); and the loads' shared-memory banks (each phase of a 2 MB-word load on distinct
// banks, the 4 lanes of the word load on 4 banks).
template <int MB>
static void rs_tile() {
  // HopperTiles::rs_rows(64 MB) and kMaxRsS (kernel_params.h asserts the model's numbers: it needs CUDA's headers,
  // this test does not)
  constexpr int RR = MB == 2 ? 136 : 72, NP = 64 * MB, NW = 4, kMaxRsS = 2, PT = 2 * MB;
  using Map = RsMap<MB>;
  std::mt19937 rng(41 + MB);
  for (int S = 1; S <= kMaxRsS; ++S) {
    std::vector<double> L(32 * RR), W(64 * S * 32), bias(32);
    for (double& v : L) v = double(int(rng() % 7) - 3);
    for (double& v : W) v = double(int(rng() % 5) - 2);
    for (double& v : bias) v = double(int(rng() % 9) - 4);
    auto w_at = [&](int n, int s, int c) { return W[(n * S + s) * 32 + c]; };
    // loads: v[w][lane][c][i], c = 0 .. 7, i < PT + S - 1
    const int NV = PT + S - 1;
    std::vector<double> V(NW * 32 * 8 * NV);
    auto vat = [&](int w, int lane, int c, int i) -> double& { return V[((w * 32 + lane) * 8 + c) * NV + i]; };
    for (int w = 0; w < NW; ++w)
      for (int lane = 0; lane < 32; ++lane) {
        const int g = lane / 4, t = lane % 4, G = Map::quad(w, g);
        for (int c = 0; c < 8; ++c)
          for (int i = 0; i < PT; ++i) vat(w, lane, c, i) = L[(4 * c + t) * RR + PT * G + i];
      }
    for (int w = 0; w < NW; ++w)
      for (int lane = 0; lane < 32; ++lane) {
        const int g = lane / 4, t = lane % 4, G = Map::quad(w, g);
        for (int c = 0; c < 8; ++c)
          for (int i = PT; i < NV; ++i)
            vat(w, lane, c, i) = lane >= 28 ? L[(4 * c + t) * RR + PT * G + i] : vat(w, lane + 4, c, i - PT);
      }
    // banks: a 2 MB-word load's phases (8 lanes of 16 bytes, 16 of 8), the word load's 4 lanes
    for (int w = 0; w < NW; ++w)
      for (int ph = 0; ph < 32 / (8 * (3 - MB)); ++ph) {
        const int lanes = 8 * (3 - MB), units = 32 / PT;
        uint32_t seen = 0;
        for (int lane = lanes * ph; lane < lanes * (ph + 1); ++lane) {
          const int g = lane / 4, t = lane % 4, unit = (t * RR + PT * Map::quad(w, g)) / PT % units;
          CHECK(!(seen & (1u << unit)), "MB %d S %d warp %d phase %d: bank group %d twice", MB, S, w, ph, unit);
          seen |= 1u << unit;
        }
      }
    {
      uint32_t seen = 0;
      for (int lane = 28; lane < 32; ++lane) {
        const int t = lane % 4, bank = (t * RR + PT * Map::quad(0, 7) + PT) % 32;
        CHECK(!(seen & (1u << bank)), "MB %d S %d: word load bank %d twice", MB, S, bank);
        seen |= 1u << bank;
      }
    }
    // the wgmmas: D[mb][m][n]
    std::vector<double> D(MB * 64 * 64, 0.0);
    for (int s = 0; s < S; ++s)
      for (int kk = 0; kk < 4; ++kk)
        for (int mb = 0; mb < MB; ++mb) {
          const int o = s + mb;  // the kernel's quad for (s, mb)
          std::vector<double> A(64 * 8, 0.0);
          std::vector<int> set(64 * 8, 0);
          for (int w = 0; w < NW; ++w)
            for (int lane = 0; lane < 32; ++lane) {
              const int g = lane / 4, t = lane % 4;
              const double q[4] = {vat(w, lane, 2 * kk, Map::word(o, 0)), vat(w, lane, 2 * kk, Map::word(o, 1)),
                                   vat(w, lane, 2 * kk + 1, Map::word(o, 0)), vat(w, lane, 2 * kk + 1, Map::word(o, 1))};
              for (int i = 0; i < 4; ++i) {
                const int m = 16 * w + g + 8 * (i & 1), k = t + 4 * (i >> 1);
                A[m * 8 + k] = q[i];
                ++set[m * 8 + k];
              }
            }
          for (int e = 0; e < 64 * 8; ++e) CHECK(set[e] == 1, "MB %d S %d: A element %d set %d times", MB, S, e, set[e]);
          for (int m = 0; m < 64; ++m)
            for (int n = 0; n < 64; ++n)
              for (int k = 0; k < 8; ++k) D[(mb * 64 + m) * 64 + n] += A[m * 8 + k] * w_at(n, s, 8 * kk + k);
        }
    // accumulators, staging (rows of 2 NP outputs, staged from output 0; a half of 16 channels at a time)
    std::vector<double> stage(32 * 2 * NP, NAN);
    for (int w = 0; w < NW; ++w)
      for (int lane = 0; lane < 32; ++lane) {
        const int g = lane / 4, t = lane % 4, G = Map::quad(w, g);
        auto acc = [&](int idx) {  // acc[32 mb + 4 j + 2 h + e]
          const int mb = idx / 32, j = idx % 32 / 4, h = idx % 4 / 2, e = idx % 2;
          return D[(mb * 64 + 16 * w + g + 8 * h) * 64 + 8 * j + 2 * t + e];
        };
        for (int hf = 0; hf < 2; ++hf)
          for (int j2 = 0; j2 < 2; ++j2)
            for (int e = 0; e < 2; ++e) {
              const int jj = 2 * hf + j2, co = Map::chan(jj, t, e);
              CHECK(co / 16 == hf, "channel %d staged in half %d", co, hf);
              for (int mb = 0; mb < MB; ++mb)
                for (int h = 0; h < 2; ++h)
                  for (int r = 0; r < 2; ++r) {
                    const int ol = Map::out(G, 0, 0, 0) + Map::out(0, mb, h, r);
                    double& dst = stage[co * 2 * NP + ol];
                    CHECK(std::isnan(dst) && Map::out(0, mb, h, r) < 4 * MB,
                          "MB %d S %d: output %d of channel %d staged twice", MB, S, ol, co);
                    dst = acc(32 * mb + 4 * (jj + 4 * r) + 2 * h + e) + bias[co];
                  }
            }
      }
    // expected rows, then the store loop for every phase a and length nout
    for (int co = 0; co < 32; ++co)
      for (int ol = 0; ol < 2 * NP; ++ol) {
        const int q = ol / 2, r = ol % 2;
        double want = bias[co];
        for (int s = 0; s < S; ++s)
          for (int c = 0; c < 32; ++c) want += L[c * RR + q + s] * w_at(32 * r + co, s, c);
        CHECK(stage[co * 2 * NP + ol] == want, "MB %d S %d channel %d output %d: staged %g want %g", MB, S, co, ol,
              stage[co * 2 * NP + ol], want);
      }
    for (int a = 0; a < 4; ++a)
      for (int nout = 1; nout <= 2 * NP; nout += (nout < 12 || nout > 2 * NP - 12 ? 1 : 7)) {
        const int co = (a * 7 + nout) % 32;
        const double* srow = &stage[co * 2 * NP];
        const VecRow<4> vr = VecRow<4>::make(a, nout);
        std::vector<double> y(nout, NAN);
        std::vector<int> hits(nout, 0);
        // staged vector u's word k (the staging pitch holds 2 NP + 12 words: past 2 NP, garbage)
        auto unit = [&](int u, int k) { return 4 * u + k < 2 * NP ? srow[4 * u + k] : -1e30; };
        const int b = Map::shift(a);
        for (int li = 0; li < 32; ++li) {
          const int nx = (li + 1) & 31;
          for (int kv = 0; kv < MB; ++kv) {  // the lane's vectors li + 32 kv
            double o[4];
            // the next vector: lane nx's kv-th, but lane 0 lends its (kv + 1)-th to lane 31 where it has one
            const int nu = nx == 0 ? (kv + 1 < MB ? 32 * (kv + 1) : 32 * kv) : nx + 32 * kv;
            for (int k = 0; k < 4; ++k)
              o[k] = b == 0 ? unit(li + 32 * kv, k) : (b + k < 4 ? unit(li + 32 * kv, b + k) : unit(nu, b + k - 4));
            const int v = li + 32 * kv;
            if (v >= vr.nv) continue;
            const int o0 = 4 * (vr.vf + v) - a;
            CHECK((o0 + a) % 4 == 0 && o0 >= 0 && o0 + 4 <= nout, "a %d nout %d vector %d at %d", a, nout, v, o0);
            for (int k = 0; k < 4 && o0 + k < nout && o0 + k >= 0; ++k) {
              y[o0 + k] = o[k];
              ++hits[o0 + k];
            }
          }
          const int ol = li < 4 ? li : vr.tail0 + li - 4;
          if (li < 8 && (li < 4 ? ol < vr.head : ol < nout)) {
            y[ol] = srow[ol];
            ++hits[ol];
          }
        }
        for (int ol = 0; ol < nout; ++ol)
          CHECK(hits[ol] == 1 && y[ol] == srow[ol], "MB %d S %d a %d nout %d output %d: written %d times, %g want %g",
                MB, S, a, nout, ol, hits[ol], y[ol], srow[ol]);
      }
  }
}

// nonfinite_halves (v136: the 16-bit x copy's report) over every pair of bit patterns' classes: a half is flagged
// exactly where its value is inf or NaN, decoded here as a float (bf16: the upper half of an fp32; fp16: sign, 5
// exponent bits, 10 mantissa bits), in either half of the word.
static bool half_nonfinite(uint32_t h, bool bf16) {
  if (bf16) {
    uint32_t u = h << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return !std::isfinite(f);
  }
  return ((h >> 10) & 31) == 31;  // (fp16: every finite value has a smaller exponent field; 31 is inf / NaN)
}
static void nonfinite_16bit() {
  int flagged[2] = {0, 0};
  for (int bf = 0; bf < 2; ++bf) {
    const uint32_t m = bf ? 0x7f80u : 0x7c00u;
    for (uint32_t h = 0; h < 65536; ++h) {
      const bool want = half_nonfinite(h, bf);
      flagged[bf] += want;
      // low half h beside a finite high half (1.0), and high half h beside a finite low half
      const uint32_t one = bf ? 0x3f80u : 0x3c00u;
      CHECK(nonfinite_halves(h | one << 16, m) == uint32_t(want), "%s low half %04x", bf ? "bf16" : "fp16", h);
      CHECK(nonfinite_halves(h << 16 | one, m) == uint32_t(want), "%s high half %04x", bf ? "bf16" : "fp16", h);
    }
  }
  // (inf and NaN patterns: exponent all ones, any sign and mantissa: 2 x 2^7 bf16, 2 x 2^10 fp16)
  CHECK(flagged[1] == 256 && flagged[0] == 2048, "non-finite patterns: bf16 %d, fp16 %d", flagged[1], flagged[0]);
}

// v146, the fused backward's grad_weight (dgrad_sm90.cuh, kW).  A model 16-bit stage holds channel co's window element
// j at co * pitch + ph(co) + j, ph(co) = (vph + co s1) mod 8, tagged (co, j), with garbage before the row (the stray
// half of a straddling word).  The kernel's gather (load_ga, restated here) must give, for every warpgroup, warp, lane,
// k-step and register, CuTe's m64 k16 A layout of P^T[(kw, co)][pos] (register r: row 16 warp + g8 + 8 (r & 1), k =
// 16 ks + 2 t4 + 8 (r >> 1) + half; row (h, co = 8 warp + g8) is tap kw = 2 wg + h): the element at window position
// EW pos + kw, zero for taps past NKW and positions before the row.  Then the sums: accumulator d[4 j + 2 h + e] (row
// h, column 8 j + 2 t4 + e) of each thread has one shared-memory place ([j][thread][h < H][2] after warpgroup 0's H0
// rows) and one (kw, co, ci): both bijections onto the NKW x 32 x 32 sums.  And the x rows' copy: (ci, chunk) once.
static void fused_gw_fragments() {
  std::mt19937 rng(41);
  const int T = 128;
  for (int trial = 0; trial < 300; ++trial) {
    const int EW = 1 + int(rng() % 2), NKW = 1 + int(rng() % 4), vph = int(rng() % 8), s1 = int(rng() % 8);
    const int win = HopperDgradTiles::window(EW, NKW);
    const int pitch = HopperDgradTiles::pitch(HopperDgradTiles::vectors(win, 8), 8);
    const int neg = rng() % 2 ? int(rng() % 3) : 0;  // -wstart on a row's first tile, else 0
    auto tag = [](int co, int j) { return uint16_t(1 + co * 1024 + j); };
    std::vector<uint16_t> stage(size_t(32) * pitch, 0xFFFF);
    for (int co = 0; co < 32; ++co)
      for (int j = 0; j < win; ++j) stage[size_t(co) * pitch + ((vph + co * s1) & 7) + j] = j < neg ? 0xBEEF : tag(co, j);
    const int H0 = NKW < 2 ? NKW : 2, H1 = NKW > 2 ? NKW - 2 : 0;
    std::vector<int> place(size_t(NKW) * 1024, 0), sum(size_t(NKW) * 1024, 0);
    for (int wg = 0; wg < 2; ++wg)
      for (int warp = 0; warp < 4; ++warp)
        for (int lane = 0; lane < 32; ++lane) {
          const int g8 = lane / 4, t4 = lane % 4, gco = 8 * warp + g8;
          const int gb = gco * pitch + ((vph + ((gco * s1) & 7)) & 7), kw0 = wg == 0 ? 0 : 2;
          for (int ks = 0; ks < 8; ++ks)
            for (int r = 0; r < 4; ++r) {
              const int kw = kw0 + (r & 1), pos = 16 * ks + 2 * t4 + 8 * (r >> 1);
              uint32_t v = 0u;
              if (kw < NKW) {  // (load_ga)
                const int j0 = EW * pos + kw, j1 = j0 + EW;
                v = uint32_t(stage[gb + j0]) | uint32_t(stage[gb + j1]) << 16;
                if (neg > 0) v &= (j0 < neg ? 0u : 0xFFFFu) | (j1 < neg ? 0u : 0xFFFF0000u);
              }
              for (int half = 0; half < 2; ++half) {  // CuTe: row m, column k of the A tile
                const int m = 16 * warp + g8 + 8 * (r & 1), k = 16 * ks + 2 * t4 + 8 * (r >> 1) + half;
                const int mkw = kw0 + (m % 16) / 8, mco = 8 * (m / 16) + m % 8, j = EW * k + mkw;
                const uint16_t want = mkw < NKW && j >= neg ? tag(mco, j) : 0;
                const uint16_t got = uint16_t(v >> (16 * half));
                CHECK(got == want, "EW %d NKW %d ph %d/%d neg %d: wg %d warp %d lane %d ks %d r %d half %d: %04x, want %04x",
                      EW, NKW, vph, s1, neg, wg, warp, lane, ks, r, half, got, want);
              }
            }
          const int gH = wg == 0 ? H0 : H1, t = 32 * warp + lane;
          for (int j = 0; j < 4; ++j)
            for (int h = 0; h < gH; ++h)
              for (int e = 0; e < 2; ++e) {
                const int at = (wg == 0 ? 0 : H0 * 1024) + t * 2 * gH + j * T * 2 * gH + 2 * h + e;
                const int kw = 2 * wg + h, co = gco, ci = 8 * j + 2 * t4 + e;
                if (at >= 0 && at < NKW * 1024) ++place[at];
                else CHECK(false, "NKW %d: a sum's place %d", NKW, at);
                ++sum[(kw * 32 + co) * 32 + ci];
              }
        }
    for (int i = 0; i < NKW * 1024; ++i)
      CHECK(place[i] == 1 && sum[i] == 1, "NKW %d: sum %d placed %d times, (kw, co, ci) %d held %d times", NKW, i,
            place[i], i, sum[i]);
  }
  std::vector<int> cover(512, 0);  // the x rows' copy: idx -> (ci, chunk), both paths
  for (int idx = 0; idx < 512; ++idx) {
    const int ci = idx % 8 + 8 * (idx / 32 % 4), c = idx / 8 % 4 + 4 * (idx / T);
    ++cover[c * 32 + ci];
  }
  for (int i = 0; i < 512; ++i) CHECK(cover[i] == 1, "x copy: (chunk, ci) %d copied %d times", i, cover[i]);
}

int main() {
  nonfinite_16bit();
  fast_div();
  stage_walks();
  row_deals();
  wgrad_ring_protocol();
  cost_shares();
  wgrad_row_bounds();
  hopper_shares();
  vec_rows<8, 64>();  // HopperTiles::BQ
  vec_rows<4, 64>();
  vec_rows<8, 128>();  // HopperTiles::kRowBQ
  vec_rows<4, 128>();
  rs_tile<2>();  // whole rows
  rs_tile<1>();  // 64-position tiles
  hopper_a_offsets();
  dgrad_fragment_banks();
  wgemm_transpose();
  x_transpose<4>();
  x_transpose<8>();
  dgrad_cl_fragments();
  dgrad_cl16_fragments();
  dgrad_vectors();
  dgrad_row_pairs();
  fused_gw_fragments();
  tap_ranges_and_steps();
  direct_row_windows();
  direct_row_sources();
  direct_lane_windows();
  std::printf("index math: %s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
