// Hopper forward row-conv (sm_90a): wgmma with both operands in shared memory, x rows by TMA, weights resident.
//
// GEMM per tile (one output row (n, od, oh), BQ q positions of each of the two w phases, 32 output channels):
//   D[m = r * 32 + co][q] = sum over K = (pair, s, ci) of A[m][k] * B[q][k]
//   A: the segment's packed weights, W[ci][co][kd][kh][kw] with kw the tap of phase r at window offset s (0 where
//      none); K-major, no swizzle: [pair][s][ci / VEC][m][VEC], so 8 rows of one 16-byte k chunk are 128
//      contiguous bytes (a core matrix), the next 8 rows 128 bytes on (SBO), the next k chunk M * 16 on (LBO).
//   B: the pair's x row (n, id, ih), TMA boxes of a channels_last x, 32 channels (fp32: 128 bytes) x BQ + S - 1 w
//      positions each, in the 128-byte swizzle (K-major SW128: the 16-byte chunk c of row w at c ^ (w mod 8)).
//      Window offset s starts the operand s rows (s * 128 bytes) in: one staged row serves every window offset.
//      Out-of-range w, h and d read as zeros (TMA's bounds fill).  fp16 / bf16 (Hopper16): the same with 64-byte
//      rows in the 64-byte swizzle, k16 wgmmas (a 32-byte k step is two 16-byte chunks either way).
// Output y[n][g * Nc + cb * 32 + co][od][oh][2 q + r]: fp32 accumulators staged in shared memory (the tile's last x
// slot, half the tile at a time), then stored along w by element lanes (NCDHW: 32-element runs of a channel row at
// any alignment; or, kRowVectors, v89 and v91: 16-byte vectors at the row's phase, its ends by element) or by 16-byte
// channel vectors (channels_last), rounded to the element type there.
// A CTA takes a share of one chunk of one segment's tiles and copies the segment's weights in once; each of its
// nwg warpgroups takes one tile of each run of nwg consecutive tiles and walks them through a ring of `ring` x
// slots of its own, one (kd, kh) pair's row per slot, refilled by its producer warp as soon as the pair's wgmmas
// are done: the TMA runs ring - 1 pairs ahead of the tensor cores, across tile boundaries and through the epilogue.
// History (benchmarks/NOTES.md v59-v65): one warpgroup per SM with 128-position tiles ran at 0.16 issued
// instructions per scheduler cycle, every step of a tile (TMA wait, wgmmas, staging, stores) exposed in turn;
// 4 warpgroups with a whole tile's rows per stage (v61) still waited on the TMA a quarter of the time (v62: the
// producer warps); NCDHW rows of one h class per CTA left the sectors that neighbouring rows share to be filled by
// CTAs far apart in time, 0.8 GB of extra DRAM reads (v64: h classes merged per segment).
#pragma once
#include "sm90_common.cuh"

namespace ct3d {

// A tile: q block qb of output row (n, od = Ed * qd + rd, oh) of its segment; the row's h class cls (an index into
// the segment's classes) and qh (oh = Eh * qh + rh) pick its pairs and the x rows they read.
struct HopperTile {
  int n, qd, qh, oh, qb, cls;
};
CT3D_DEV HopperTile hopper_tile(const HopperParams& p, const HopperSeg& g, int t) {
  HopperTile r;
  t = p.div_qb.divmod(t, r.qb);
  const int ro = g.row_of(t, r.n, r.qd);
  if (g.nh == 1) {
    r.qh = ro;
    r.oh = p.Eh * ro + g.rh0;
    r.cls = 0;
  } else {
    r.oh = ro;
    r.qh = p.div_eh.divmod(ro, r.cls);
  }
  return r;
}

// A pair's x row: Kc / 32 boxes of 32 channels (Tr::kRowBytes: 128 bytes fp32, 64 bytes 16-bit) x rows(S)
// positions, each a whole number of swizzle atoms (8 rows: rows(S) is a multiple of 8); v141 (kRS): rs_rows(bq)
template <class Tr, bool kRS = false>
CT3D_DEV int hopper_box_bytes(const HopperParams& p) {
  return (kRS ? HopperTiles::rs_rows(p.bq) : HopperTiles::rows(p.S, p.bq)) * Tr::kRowBytes;
}

// A producer's lane 0: the x row of the segment's pair pi for tile tl, Kc / 32 TMA boxes, on the slot's barrier;
// split (the exact forward), the same boxes of the copy's small parts (rows split_rows on) after them.
template <class Tr>
CT3D_DEV void hopper_issue(const CUtensorMap* xmap, const HopperParams& p, const HopperSeg& g, const HopperTile& tl,
                           int pi, uint64_t* bar, uint8_t* slot, uint64_t pol) {
  constexpr int parts = Tr::kSplit ? 2 : 1;
  const int bb = hopper_box_bytes<Tr>(p), nbox = p.Kc / 32;
  cutlass::arch::ClusterTransactionBarrier::arrive_and_expect_tx(bar, uint32_t(parts * nbox * bb));
  const int w0 = tl.qb * p.bq + p.dmin, c0 = g.group * p.Kc;
  const int id = tl.qd + g.dd[pi], ih = tl.qh + g.dh[pi];
  const bool ok = id >= 0 && id < p.D && ih >= 0 && ih < p.H;
  // a pair outside x reads an h row outside it: all zeros
  for (int part = 0; part < parts; ++part)
    for (int j = 0; j < nbox; ++j)
      tma_load_4d(xmap, bar, slot + (part * nbox + j) * bb, c0 + 32 * j, w0, ok ? ih : -1,
                  part * p.split_rows + tl.n * p.D + (ok ? id : 0), pol);
}

// v133 (HopperTiles::kXTranspose): the same x row from an NCDHW x, a 5D map (w, h, d, channel, n) read in boxes of
// rows(S) positions x 32 channels, landed [channel][position] (no swizzle) in a landing buffer for the producer warp's
// transposition; the TFLOAT32 map rounds fp32 as it lands where p.tma_round.  v141 (kRS): boxes of rs_rows(bq)
// positions, landed in the slot itself for the consumers' fragment loads
template <class Tr, bool kRS = false>
CT3D_DEV void hopper_issue_ncdhw(const CUtensorMap* xmap, const HopperParams& p, const HopperSeg& g,
                                 const HopperTile& tl, int pi, uint64_t* bar, uint8_t* land, uint64_t pol) {
  const int bb = hopper_box_bytes<Tr, kRS>(p), nbox = p.Kc / 32;  // (a box is rows x 32 channels either way)
  cutlass::arch::ClusterTransactionBarrier::arrive_and_expect_tx(bar, uint32_t(nbox * bb));
  const int w0 = tl.qb * p.bq + p.dmin, c0 = g.group * p.Kc;
  const int id = tl.qd + g.dd[pi], ih = tl.qh + g.dh[pi];
  const bool ok = id >= 0 && id < p.D && ih >= 0 && ih < p.H;
  for (int j = 0; j < nbox; ++j)
    tma_load_5d(xmap, bar, land + j * bb, w0, ok ? ih : -1, ok ? id : 0, c0 + 32 * j, tl.n, pol);
}

// v140 (HopperTiles::kXMN, 16-bit): the same x row from an NCDHW x by a 5D map (w, h, d, channel, n) in boxes of
// [32 channels][64 positions] in the 128-byte swizzle, landed as the wgmma's MN-major B: block u = (window offset s,
// box j) holds BQ / 64 boxes of positions w0 + s + 64 h (no shifted start inside a staged row: an MN-major operand's
// start moves in 16-byte steps, 8 positions); outside x the TMA's zero fill, as the channels_last map's
template <class Tr, int BQ>
CT3D_DEV void hopper_issue_mn(const CUtensorMap* xmap, const HopperParams& p, const HopperSeg& g, const HopperTile& tl,
                              int pi, uint64_t* bar, uint8_t* slot, uint64_t pol) {
  constexpr int NH = BQ / HopperTiles::kMNBoxPos, kBox = HopperTiles::kMNBoxBytes;
  const int nbox = p.Kc / 32;
  cutlass::arch::ClusterTransactionBarrier::arrive_and_expect_tx(bar, uint32_t(p.S * nbox * NH * kBox));
  const int w0 = tl.qb * BQ + p.dmin, c0 = g.group * p.Kc;
  const int id = tl.qd + g.dd[pi], ih = tl.qh + g.dh[pi];
  const bool ok = id >= 0 && id < p.D && ih >= 0 && ih < p.H;
  for (int s = 0; s < p.S; ++s)
    for (int j = 0; j < nbox; ++j)
#pragma unroll
      for (int h = 0; h < NH; ++h)
        tma_load_5d(xmap, bar, slot + ((s * nbox + j) * NH + h) * kBox, w0 + s + HopperTiles::kMNBoxPos * h,
                    ok ? ih : -1, ok ? id : 0, c0 + 32 * j, tl.n, pol);
}

// v133: the producer warp's transposition of a landed pair (nbox boxes [32 channels][rows]) into the slot's K-major
// rows (HopperXTranspose): fp32 by 4 x 4 blocks, TF32-rounded here unless the map did; 16-bit by 8 x 8 blocks, output
// word m of a position the halves of channels 2m and 2m + 1 at that position (one byte permute)
template <class Tr>
CT3D_DEV void hopper_transpose_x(const HopperParams& p, const uint8_t* land, uint8_t* slot, int lane) {
  using E = typename Tr::Element;
  constexpr int B = 16 / int(sizeof(E));
  const HopperXTranspose<B> t = HopperXTranspose<B>::make(HopperTiles::rows(p.S, p.bq));
  const int nbox = p.Kc / 32, bb = hopper_box_bytes<Tr>(p);
  [[maybe_unused]] const bool round = !p.tma_round;
  for (int j = 0; j < nbox; ++j) {
    const E* lb = reinterpret_cast<const E*>(land + j * bb);
    E* sb = reinterpret_cast<E*>(slot + j * bb);
    for (int b = lane; b < t.blocks(); b += 32) {
      int cg, wb;
      t.block(b, cg, wb);
      if constexpr (B == 4) {
        uint4 v[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) v[i] = *reinterpret_cast<const uint4*>(lb + t.land(4 * cg + i, wb));
        uint4 o[4] = {make_uint4(v[0].x, v[1].x, v[2].x, v[3].x), make_uint4(v[0].y, v[1].y, v[2].y, v[3].y),
                      make_uint4(v[0].z, v[1].z, v[2].z, v[3].z), make_uint4(v[0].w, v[1].w, v[2].w, v[3].w)};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          if (round) tf32_round_clear(o[i]);
          *reinterpret_cast<uint4*>(sb + t.slot(4 * wb + i, cg)) = o[i];
        }
      } else {
        // in two halves of 4 positions (8-byte loads): the whole block's 32 words beside the consumers' register
        // budget spilled (12 bytes, the 16-bit instances)
#pragma unroll
        for (int hq = 0; hq < 2; ++hq) {
          uint2 v[8];  // channel 8 cg + i's positions 8 wb + 4 hq .. + 3, two a word (the even one low)
#pragma unroll
          for (int i = 0; i < 8; ++i) v[i] = *reinterpret_cast<const uint2*>(lb + t.land(8 * cg + i, wb) + 4 * hq);
#pragma unroll
          for (int q = 0; q < 4; ++q) {  // position 8 wb + 4 hq + q: channels 2m (low half) and 2m + 1 of word m
            const uint32_t sel = q & 1 ? 0x7632u : 0x5410u;
            auto word = [&](int i) { return q < 2 ? v[i].x : v[i].y; };
            const uint4 o = make_uint4(__byte_perm(word(0), word(1), sel), __byte_perm(word(2), word(3), sel),
                                       __byte_perm(word(4), word(5), sel), __byte_perm(word(6), word(7), sel));
            *reinterpret_cast<uint4*>(sb + t.slot(8 * wb + 4 * hq + q, cg)) = o;
          }
        }
      }
    }
  }
}

// Output (phase r, channel co, position q) of tile tl summed with every product masked: only taps phase r has, x
// rows and positions inside the tensor, in fp32 from the segment's packed weights wsg and x (both TF32-rounded for
// Tr::kTF32; for Tr::kSplit x as it is and the weights' big + small parts).  The wgmmas also multiply the zero
// weights of taps a phase lacks with x; times a non-finite x that is NaN where the true sum has no such term, so
// tiles whose sums are not all finite where x has a non-finite value are listed by the forward and recomputed this
// way (hopper_fixup_kernel).
template <class Tr, class E = typename Tr::Element>
CT3D_DEV float hopper_masked_output(const HopperParams& p, const HopperSeg& g, const HopperTile& tl, const E* wsg,
                                   int r, int co, int q) {
  constexpr int VEC = Tr::VEC;
  const int M = HopperTiles::M, KCH = p.Kc / VEC, np = g.npairs[tl.cls], p0 = g.pofs[tl.cls];
  const E* xg = static_cast<const E*>(p.x.data);
  const E* bias = static_cast<const E*>(p.bias);
  float v = bias ? float(bias[g.group * p.Nc + g.cblock * HopperTiles::BN + co]) : 0.f;
  for (int i = p0; i < p0 + np; ++i) {
    const int id = tl.qd + g.dd[i], ih = tl.qh + g.dh[i];
    if (id < 0 || id >= p.D || ih < 0 || ih >= p.H) continue;
    for (int s = 0; s < p.S; ++s) {
      const int w = tl.qb * p.bq + q + p.dmin + s;
      if (p.kw_of[r][s] < 0 || w < 0 || w >= p.W) continue;
      const E* xr = xg + tl.n * p.x.stride[0] + id * p.x.stride[2] + ih * p.x.stride[3] + w * p.x.stride[4] +
                        int64_t(g.group) * p.Kc * p.x.stride[1];
      const E* wr = wsg + (int64_t(i) * p.S + s) * KCH * M * VEC + (r * HopperTiles::BN + co) * VEC;
      const int64_t small = int64_t(g.ptotal) * p.S * KCH * M * VEC;  // kSplit: the small parts after the big
      for (int c = 0; c < p.Kc; ++c) {
        float xv = float(xr[c * p.x.stride[1]]), wv = float(wr[(c / VEC) * M * VEC + c % VEC]);
        if constexpr (Tr::kSplit) wv += float(wr[small + (c / VEC) * M * VEC + c % VEC]);
        else if constexpr (Tr::kTF32) xv = __uint_as_float(tf32_round_clear(xv));
        v = fmaf(wv, xv, v);
      }
    }
  }
  return v;
}

// 16 bytes of channels_last output from the fp32 staging at s (16-byte aligned): 4 floats as they are, or 8 rounded
// to a 16-bit E
template <class E>
CT3D_DEV uint4 hopper_out_vector(const float* s) {
  if constexpr (sizeof(E) == 4) {
    return *reinterpret_cast<const uint4*>(s);
  } else {
    const float4 a = reinterpret_cast<const float4*>(s)[0], b = reinterpret_cast<const float4*>(s)[1];
    const E e[8] = {E(a.x), E(a.y), E(a.z), E(a.w), E(b.x), E(b.y), E(b.z), E(b.w)};
    uint4 r;
    memcpy(&r, e, 16);
    return r;
  }
}

// a if kA, else b (arrays of different extents)
template <bool kA, class A, class B>
CT3D_DEV auto& pick(A& a, B& b) {
  if constexpr (kA)
    return a;
  else
    return b;
}

// v141: a shared-memory word where pr holds (one predicated load: only the lanes that need it take a bank), else
// `other`
CT3D_DEV uint32_t lds_if(bool pr, const float* a, uint32_t other) {
  uint32_t r = other;
  asm volatile("{\n .reg .pred q;\n setp.ne.b32 q, %2, 0;\n @q ld.shared.b32 %0, [%1];\n}\n"
               : "+r"(r)
               : "r"(uint32_t(__cvta_generic_to_shared(a))), "r"(int(pr))
               : "memory");
  return r;
}
// v141: words b .. 3 of lo, then 0 .. b - 1 of hi, b in 1 .. 3, by selects the compiler cannot see through (a switch
// of vectors, or plain ?: chains, became a local array indexed by b: 32 bytes of stack a lane)
CT3D_DEV uint32_t sel_word(bool pr, uint32_t a, uint32_t b) {
  uint32_t r;
  asm("{\n .reg .pred q;\n setp.ne.b32 q, %3, 0;\n selp.b32 %0, %1, %2, q;\n}\n" : "=r"(r) : "r"(a), "r"(b), "r"(int(pr)));
  return r;
}
CT3D_DEV uint4 funnel_words(const uint4& lo, const uint4& hi, int b) {
  const bool b1 = b == 1, b2 = b == 2;
  return make_uint4(sel_word(b1, lo.y, sel_word(b2, lo.z, lo.w)), sel_word(b1, lo.z, sel_word(b2, lo.w, hi.x)),
                    sel_word(b1, lo.w, sel_word(b2, hi.x, hi.y)), sel_word(b1, hi.x, sel_word(b2, hi.y, hi.z)));
}
CT3D_DEV uint4 shfl_idx4(const uint4& v, int src) {
  return make_uint4(__shfl_sync(0xffffffffu, v.x, src), __shfl_sync(0xffffffffu, v.y, src),
                    __shfl_sync(0xffffffffu, v.z, src), __shfl_sync(0xffffffffu, v.w, src));
}

// v141: one pair's wgmmas with x from registers (the GEMM turned over: M = the tile's BQ positions as MB = BQ / 64
// m64 blocks, N = the 64 (phase, channel) rows of the resident weights wa), the thread's loads and register quads as
// RsMap<MB> lays them out (xt: this thread's first word, channel t4 at position 2 MB G of the landed row; channels down,
// rs_rows(BQ) positions along).  The S - 1 words past a thread's 2 MB are the next thread's first ones, by a shuffle
// (g8 7, whose next positions are the next warp's, by a predicated load: a word load by every lane put 4 lanes on
// each bank).  M is permuted so that window offset s of block mb takes quad o = s + mb: S + MB - 1 quads a k8 step
// serve its S MB wgmmas.  Each wgmma's A is 4 consecutive registers held until it is done: with positions
// 4 G + 2 mb + h (whole rows) the 2 S quads were distinct, 64 registers at S 2, and spilled.  A box's wgmmas are
// waited for before the next box's loads, which would otherwise need twice the registers.
// kSplit (v142, 3xTF32, 64-position tiles): each word split into its big and small TF32 parts as the splitting copy
// splits them (PolicyExact::split), and each k8 step's three wgmmas in the copy's order (x big x big weights, x small
// x big weights, x big x small weights: those w_small bytes past wa); acc is the pair's sums, which the caller adds to
// the tile's.  A batch per window offset, its quads split from the box's raw words then: both offsets' quads in both
// parts beside the two accumulator sets spilled 214 bytes at the 168 registers.
template <int S, int BQ, bool kSplit = false>
CT3D_DEV void hopper_rs_pair(const HopperParams& p, const float* xt, uint32_t wa, [[maybe_unused]] uint32_t w_small,
                             float (&acc)[BQ / 2]) {
  static_assert(!kSplit || BQ == HopperTiles::BQ, "3xTF32: 64-position tiles (the registers)");
  constexpr int MB = BQ / 64, NV = 2 * MB + S - 1, NQ = S + MB - 1;
  constexpr int RR = HopperTiles::rs_rows(BQ), M = HopperTiles::M;
  using Map = RsMap<MB>;
  constexpr uint32_t kBlock = 32 / HopperTF32::VEC * (M * 16);  // one (window offset, box) block of packed weights
  const int nbox = p.Kc / 32;  // (from the parameters here: held across the tile loop, it spilled)
  const bool last_quad = (threadIdx.x & 31) >= 28;  // g8 7
  // the slot's loads after the caller's wait on its barrier (CUTLASS's wait has no memory clobber; a review, stop 62)
  asm volatile("" ::: "memory");
  // channel rows 2 kk + c of box j: 2 MB words by one load, the rest shuffled (or g8 7's own)
  auto load_rows = [&](int j, int kk, uint32_t (&v)[2][NV]) {
#pragma unroll
    for (int c = 0; c < 2; ++c) {
      const float* rp = xt + (32 * j + 4 * (2 * kk + c)) * RR;
      if constexpr (MB == 2) {
        const uint4 q = *reinterpret_cast<const uint4*>(rp);
        v[c][0] = q.x;
        v[c][1] = q.y;
        v[c][2] = q.z;
        v[c][3] = q.w;
      } else {
        const uint2 q = *reinterpret_cast<const uint2*>(rp);
        v[c][0] = q.x;
        v[c][1] = q.y;
      }
#pragma unroll
      for (int e = 2 * MB; e < NV; ++e)
        v[c][e] = lds_if(last_quad, rp + e, __shfl_down_sync(0xffffffffu, v[c][e - 2 * MB], 4));
    }
  };
  auto desc = [&](int s, int j, int kk, uint32_t part) {
    return gmma_desc(wa + part + uint32_t(s * nbox + j) * kBlock + 2 * kk * (M * 16), M * 16, 128);
  };
  for (int j = 0; j < nbox; ++j) {
    if constexpr (!kSplit) {
      uint32_t f[4][NQ][4];  // k8 step kk, quad o: rows 2 kk and 2 kk + 1 at words word(o, 0) and word(o, 1)
#pragma unroll
      for (int kk = 0; kk < 4; ++kk) {
        uint32_t v[2][NV];
        load_rows(j, kk, v);
#pragma unroll
        for (int o = 0; o < NQ; ++o) {  // (A's fragment order: rows g8, g8 + 8 of column t4, then of column t4 + 4)
          f[kk][o][0] = v[0][Map::word(o, 0)];
          f[kk][o][1] = v[0][Map::word(o, 1)];
          f[kk][o][2] = v[1][Map::word(o, 0)];
          f[kk][o][3] = v[1][Map::word(o, 1)];
        }
      }
      hold(acc);
      cute::warpgroup_arrive();
#pragma unroll
      for (int s = 0; s < S; ++s)
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
          const uint64_t db = desc(s, j, kk, 0);
          HopperTF32::mma_rs<0>(f[kk][s], db, acc, std::make_index_sequence<32>{});  // (quad o = s + mb)
          if constexpr (MB == 2) HopperTF32::mma_rs<32>(f[kk][s + 1], db, acc, std::make_index_sequence<32>{});
        }
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<0>();
      // (the fragments held until their wgmmas are done, the accumulators read after)
#pragma unroll
      for (int kk = 0; kk < 4; ++kk)
#pragma unroll
        for (int o = 0; o < NQ; ++o) hold(f[kk][o]);
      hold(acc);
    } else {
      uint32_t raw[4][2][NV];
#pragma unroll
      for (int kk = 0; kk < 4; ++kk) load_rows(j, kk, raw[kk]);
#pragma unroll
      for (int s = 0; s < S; ++s) {
        uint32_t fb[4][4], fsm[4][4];  // quad o = s (one block): big and small parts
#pragma unroll
        for (int kk = 0; kk < 4; ++kk)
#pragma unroll
          for (int c = 0; c < 2; ++c)
#pragma unroll
            for (int h = 0; h < 2; ++h) {
              uint32_t fin;
              PolicyExact::split(__uint_as_float(raw[kk][c][Map::word(s, h)]), fb[kk][2 * c + h], fsm[kk][2 * c + h],
                                 fin);
            }
        hold(acc);
        cute::warpgroup_arrive();
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
          const uint64_t db = desc(s, j, kk, 0);
          HopperTF32::mma_rs<0>(fb[kk], db, acc, std::make_index_sequence<32>{});
          HopperTF32::mma_rs<0>(fsm[kk], db, acc, std::make_index_sequence<32>{});
          HopperTF32::mma_rs<0>(fb[kk], desc(s, j, kk, w_small), acc, std::make_index_sequence<32>{});
        }
        cute::warpgroup_commit_batch();
        cute::warpgroup_wait<0>();
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
          hold(fb[kk]);
          hold(fsm[kk]);
        }
        hold(acc);
      }
    }
  }
}

// A warpgroup's loads in order (tile k of its share, pair i of the tile's class; load counter c), as the producer
// walks them twice (issuing, and rounding behind); the consumer takes the same order in its tile and pair loops.
struct HopperCursor {
  int k = 0, i = 0, c = 0, np = 0, p0 = 0;
  HopperTile tl;
  CT3D_DEV void tile(const HopperParams& p, const HopperSeg& g, const HopperShare& sh, int wg, int my_tiles) {
    if (k >= my_tiles) return;
    tl = hopper_tile(p, g, sh.tile(wg, k, p.nwg));
    np = g.npairs[tl.cls];
    p0 = g.pofs[tl.cls];
  }
  CT3D_DEV void next(const HopperParams& p, const HopperSeg& g, const HopperShare& sh, int wg, int my_tiles) {
    ++c;
    if (++i == np) {
      i = 0;
      ++k;
      tile(p, g, sh, wg, my_tiles);
    }
  }
};

// Roles: warpgroup wg (threads 128 wg ..) multiplies and stores its tiles; warp wg of the producers (threads
// 128 nwg + 32 wg ..) issues that warpgroup's TMA loads, up to ring - 1 pairs ahead (slot free: `empty`, loaded:
// `full`), and for kRoundX (a channels_last x read in place) rounds each landed slot to TF32 before handing it over
// (`ready`), so the consumers' loop holds nothing but barrier waits and wgmmas (divergent code between wgmmas that
// share accumulators makes ptxas serialise them, C7520).  NSJ = S x Kc / 32: the (window offset, 32-channel box)
// blocks of one pair.  Split (3xTF32): x's big and small parts land by TMA from the splitting copy (v88; v81's
// producers split each landed slot, and paced the kernel).  kOut (HopperTiles::Out): how the output leaves.
// BQ (HopperParams::bq): q positions a tile, HopperTiles::BQ or kRowBQ (v135: 64 accumulators a thread, at most
// kMaxWGRowBQ warpgroups).  kPipe (v137): each pair's wgmma batch left in flight while the next pair's is issued.
// v141 (kX = kXRegs, fp32 TF32, an NCDHW y by row vectors): the GEMM turned over, D[q][(r, co)] = sum_k X[q][k]
// W[(r, co)][k], M = the tile's BQ positions (BQ / 64 m64 blocks), N = 64, B the resident weights as they are packed, A
// the x fragments the consumers load from the NCDHW landing (hopper_rs_pair); NSJ is then S (the window offsets,
// compile-time for the fragments' registers) and the pair's Kc / 32 boxes a loop.
template <class Tr, int kX, int kOut, int NSJ, int BQ, bool kPipe = false>
__global__ void __launch_bounds__(HopperTiles::max_wg(Tr::kMaxWG, kX, BQ, Tr::kSplit) * (HopperTiles::kThreads + 32), 1)
    hopper_rowconv_kernel(const __grid_constant__ CUtensorMap xmap, const __grid_constant__ HopperParams p) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  constexpr bool kCF = kOut == HopperTiles::kChannelsLast, kVec = kOut == HopperTiles::kRowVectors;
  // kX (HopperTiles::XIn): the producers round each landed slot (kRoundX) or transpose an NCDHW x into it (kTransX)
  constexpr bool kRoundX = kX == HopperTiles::kXRound, kTransX = kX == HopperTiles::kXTranspose;
  constexpr bool kMNX = kX == HopperTiles::kXMN;  // (v140: the slots hold MN-major boxes, B's descriptors differ)
  constexpr bool kRS = kX == HopperTiles::kXRegs;  // (v141: x from registers, the GEMM turned over)
  using E = typename Tr::Element;
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  static_assert(!kRoundX || (Tr::kTF32 && !Tr::kSplit), "the producers' rounding pass is TF32's");
  static_assert(!kTransX || !Tr::kSplit, "v133's transposition: not of a split x");
  static_assert(!kMNX || (!Tr::kTF32 && BQ % HopperTiles::kMNBoxPos == 0),
                "v140: MN-major B is 16-bit's (wgmma's TF32 takes K-major operands only), whole boxes a tile");
  static_assert(!kRS || ((std::is_same<Tr, HopperTF32>::value ||
                          (std::is_same<Tr, Hopper3xTF32>::value && BQ == HopperTiles::BQ)) &&
                         kVec && !kPipe && NSJ <= HopperTiles::kMaxRsS),
                "v141: TF32 (v142: 3xTF32 in 64-position tiles), an NCDHW y by row vectors, at most kMaxRsS window "
                "offsets (NSJ = S)");
  constexpr int VEC = Tr::VEC, M = HopperTiles::M, NACC = BQ / 2, NB = HopperTiles::kMaxBars;
  static_assert(BQ == HopperTiles::BQ || (BQ == HopperTiles::kRowBQ && !Tr::kSplit && kVec),
                "whole-row tiles: an NCDHW y by row vectors, not split (the plan)");
  // kPipe (v137, HopperParams::wgmma_pipe): a compile-time choice, since a run-time one between wgmmas in flight is a
  // divergent path to ptxas, which then serialises every wgmma of the instance (C7518)
  static_assert(!kPipe || !Tr::kSplit, "3xTF32 adds each pair's sums after it: nothing to leave in flight");
  // the output staging's pitches (floats) at this BQ
  constexpr int LDO = HopperTiles::ldo(BQ), LDOS = HopperTiles::ldos(BQ), LDV16 = HopperTiles::ldv16(BQ);
  extern __shared__ __align__(1024) uint8_t smem[];
  // per slot (wg, j), index wg * ring + j: TMA landed, rounded (kRoundX), released by the consumer's 4 warps
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const ready = full + NB;
  uint64_t* const empty = ready + NB;
  uint64_t* const landed = empty + NB;  // kTransX: two landing buffers per warpgroup, TMA landed
  static_assert((3 * NB + 2 * HopperTiles::kMaxWG) * 8 <= HopperTiles::kBarBytes, "the barriers' shared memory");
  uint8_t* wsm = smem + HopperTiles::kBarBytes;
  // slots from the next 1024-byte boundary (whole swizzle atoms: 1024 bytes at 128-byte rows, 512 at 64)
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  uint8_t* const slots = smem + (((smem_a + HopperTiles::kBarBytes + p.w_bytes + 1023) & ~1023u) - smem_a);
  const int tid = threadIdx.x, lane = tid % 32, R = p.ring;
  const bool producer = tid >= p.nwg * HopperTiles::kThreads;
  const int wg = producer ? (tid - p.nwg * HopperTiles::kThreads) / 32 : tid / HopperTiles::kThreads;
  const int bb = hopper_box_bytes<Tr, kRS>(p), KCH = p.Kc / VEC, nbox = p.Kc / 32;

  // the CTA's segment, its chunk of the segment's tiles and its share of them (HopperShare)
  const int si = hopper_segment_of_cta(p);
  const HopperSeg& g = p.seg[si];
  const int part = int(blockIdx.x) - g.cta0, chunk = part / g.per_chunk;
  const int t0 = int(int64_t(g.tiles) * chunk / p.chunks), t1 = int(int64_t(g.tiles) * (chunk + 1) / p.chunks);
  const HopperShare sh{t0, part - chunk * g.per_chunk, g.per_chunk};
  {
    const uint4* src = reinterpret_cast<const uint4*>(static_cast<const E*>(p.wpack) + g.wofs);
    const int n16 = g.ptotal * p.S * KCH * M * (Tr::kSplit ? 2 : 1);  // kSplit: the big parts, then the small
    for (int i = tid; i < n16; i += blockDim.x) reinterpret_cast<uint4*>(wsm)[i] = src[i];
    fence_proxy_async();  // generic writes, read by the tensor cores
  }
  if (tid == 0) {
    for (int i = 0; i < p.nwg * R; ++i) {
      Bar::init(&full[i], 1);
      Bar::init(&ready[i], 1);
      Bar::init(&empty[i], 4);
    }
    if constexpr (kTransX)
      for (int i = 0; i < 2 * p.nwg; ++i) Bar::init(&landed[i], 1);
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();
  uint8_t* const my_slots = slots + wg * R * p.slot_bytes;
  uint64_t* const my_full = full + wg * R;
  uint64_t* const my_ready = ready + wg * R;
  uint64_t* const my_empty = empty + wg * R;
  const int my_tiles = HopperShare::count(t0, t1, sh.cc, sh.m, wg, p.nwg);

  if (producer) {
    const uint64_t xpol = l2_policy(p.l2hint & 2 ? L2Prio::kLast : L2Prio::kNormal);
    HopperCursor is;  // the next load to issue
    is.tile(p, g, sh, wg, my_tiles);
    auto issue_to = [&](int lim) {  // loads below lim, each once its slot's previous load is released
      for (; is.k < my_tiles && is.c < lim; is.next(p, g, sh, wg, my_tiles)) {
        const int sl = is.c % R;
        if (is.c >= R) Bar::wait(&my_empty[sl], ((is.c / R) - 1) & 1);
        // every lane past this wait before lane 0 issues: else a lane left behind could see the slot's empty barrier
        // two phases on (lane 0 issuing c + R, the consumer releasing it) and its parity wait would never pass
        __syncwarp();
        if (lane == 0) {
          if constexpr (kMNX)
            hopper_issue_mn<Tr, BQ>(&xmap, p, g, is.tl, is.p0 + is.i, &my_full[sl], my_slots + sl * p.slot_bytes, xpol);
          else if constexpr (kRS)
            hopper_issue_ncdhw<Tr, true>(&xmap, p, g, is.tl, is.p0 + is.i, &my_full[sl], my_slots + sl * p.slot_bytes,
                                         xpol);
          else
            hopper_issue<Tr>(&xmap, p, g, is.tl, is.p0 + is.i, &my_full[sl], my_slots + sl * p.slot_bytes, xpol);
        }
      }
    };
    if constexpr (kTransX) {
      // v133: pair c lands in buffer c mod 2 (issued once the transposition of c - 2, the buffer's last use, is done:
      // this warp's own order), is transposed into slot c mod ring once the consumer has released that slot, then
      // handed over (`ready`).  (The fence after each transposition also orders its reads of the landing buffer
      // before the TMA's next write there.)
      uint8_t* const my_land = slots + size_t(p.nwg) * R * p.slot_bytes + size_t(wg) * 2 * p.land_bytes;
      uint64_t* const my_landed = landed + 2 * wg;
      HopperCursor ls;  // the next load to land
      ls.tile(p, g, sh, wg, my_tiles);
      HopperCursor ts;  // the next load to transpose
      ts.tile(p, g, sh, wg, my_tiles);
      for (; ts.k < my_tiles; ts.next(p, g, sh, wg, my_tiles)) {
        for (; ls.k < my_tiles && ls.c < ts.c + 2; ls.next(p, g, sh, wg, my_tiles))
          if (lane == 0)
            hopper_issue_ncdhw<Tr>(&xmap, p, g, ls.tl, ls.p0 + ls.i, &my_landed[ls.c & 1],
                                   my_land + (ls.c & 1) * p.land_bytes, xpol);
        const int sl = ts.c % R;
        Bar::wait(&my_landed[ts.c & 1], (ts.c >> 1) & 1);
        if (ts.c >= R) Bar::wait(&my_empty[sl], ((ts.c / R) - 1) & 1);
        hopper_transpose_x<Tr>(p, my_land + (ts.c & 1) * p.land_bytes, my_slots + sl * p.slot_bytes, lane);
        fence_proxy_async();
        __syncwarp();
        if (lane == 0) Bar::arrive(&my_ready[sl]);
      }
    } else if constexpr (kRoundX) {
      // TF32 operands rounded to nearest (the tensor cores would truncate); loads run ring - 2 ahead of the
      // rounding, whose slot reuse then waits only on pairs the consumer already has
      const int n16 = nbox * bb / 16;
      HopperCursor rs;  // the next load to round
      rs.tile(p, g, sh, wg, my_tiles);
      for (; rs.k < my_tiles; rs.next(p, g, sh, wg, my_tiles)) {
        issue_to(rs.c + R - 1);
        const int sl = rs.c % R;
        Bar::wait(&my_full[sl], (rs.c / R) & 1);
        uint4* s4 = reinterpret_cast<uint4*>(my_slots + sl * p.slot_bytes);
        for (int e = lane; e < n16; e += 32) {
          uint4 v = s4[e];
          tf32_round_clear(v);
          s4[e] = v;
        }
        fence_proxy_async();
        __syncwarp();
        if (lane == 0) Bar::arrive(&my_ready[sl]);
      }
    } else {
      issue_to(INT_MAX);
    }
    return;
  }

  const int wtid = tid % HopperTiles::kThreads, warp = wtid / 32, g8 = lane / 4, t4 = lane % 4;
  uint64_t* const rdy = kRoundX || kTransX ? my_ready : my_full;
  const uint32_t wsm_a = uint32_t(__cvta_generic_to_shared(wsm));
  const uint32_t a_pair = uint32_t(p.S * KCH * M * 16);  // one pair's packed weights, bytes
  // kSplit: the small parts' offsets, after the segment's big weights and after the slot's big x boxes
  [[maybe_unused]] const uint32_t w_small = uint32_t(g.ptotal) * a_pair, x_small = uint32_t(nbox * bb);
  // block u = (window offset s, box j), u = s * nbox + j: A and B offsets.  A's is a product for every instance (32
  // input channels are 32 / VEC weight chunks of M rows of 16 bytes, and a window offset's KCH chunks are nbox such
  // runs), B's (box j of the x row from row s) is kept per block where blocks span window offsets; the wide instance
  // (NSJ > kMaxNSJ) has one window offset (the plan's rule), so block u is box u and that offset a product too: no
  // per-block registers (arrays of 8 spilled 4-30 bytes there; v135's 16-bit BQ 128 instances spilled 2 bytes with
  // both arrays of 4)
  constexpr bool kWide = NSJ > HopperTiles::kMaxNSJ;
  static_assert(!kWide || NSJ == HopperTiles::kWideNSJ, "the wide instance's offsets: 8 boxes of one window offset");
  uint32_t boff[kWide ? 1 : NSJ];
#pragma unroll
  for (int u = 0; u < (kWide ? 0 : NSJ); ++u) {
    const int s = u / nbox, j = u - s * nbox;
    boff[u] = uint32_t(j * bb + s * Tr::kRowBytes);
  }
  auto a_of = [&](int u) { return uint32_t(u * (32 / VEC) * (M * 16)); };
  auto b_of = [&](int u) { return kWide ? uint32_t(u * bb) : boff[kWide ? 0 : u]; };
  // x may hold a non-finite value: the rounding copy's word, or always for an x read in place (a check in the
  // producer's rounding, which gates this one, cost the channels_last mission forward 5% on the H200) and for a split
  // x (3xTF32: a non-finite weight's cross terms, see HopperPlan::set_workspace)
  const bool check = !p.x_nonfinite || *p.x_nonfinite != 0;
  const int cbase = g.group * p.Nc + g.cblock * HopperTiles::BN;
  const E* bias = static_cast<const E*>(p.bias);
  float bv[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) bv[h] = bias && !kRS ? float(bias[cbase + (warp & 1) * 16 + g8 + 8 * h]) : 0.f;
  E* y = static_cast<E*>(p.y.data);

  int sl = 0, use = 0;  // the next load's slot and the slot's use count (the barriers' phase)
  for (int k = 0; k < my_tiles; ++k) {
    const HopperTile tl = hopper_tile(p, g, sh.tile(wg, k, p.nwg));
    const int np = g.npairs[tl.cls], p0 = g.pofs[tl.cls];
    float acc[NACC];
#pragma unroll
    for (int i = 0; i < NACC; ++i) acc[i] = 0.f;
    [[maybe_unused]] float pacc[Tr::kSplit ? NACC : 1];  // kSplit: the pair's sums, added to acc with IEEE adds
    int last = 0;
    for (int i = 0; i < np; ++i) {
      Bar::wait(&rdy[sl], use & 1);
      if constexpr (Tr::kSplit) {
#pragma unroll
        for (int e = 0; e < NACC; ++e) {
          pacc[e] = 0.f;
          asm volatile("" : "+f"(pacc[e])::"memory");
        }
      } else {
        hold(acc);
      }
      if constexpr (!kRS) cute::warpgroup_arrive();
      const uint32_t xs = uint32_t(__cvta_generic_to_shared(my_slots + sl * p.slot_bytes));
      const uint32_t a0 = wsm_a + uint32_t(p0 + i) * a_pair;
      if constexpr (kRS)  // (v141: its own arrive, batch and wait per box; probe 3 leaves it alone)
        hopper_rs_pair<NSJ, BQ, Tr::kSplit>(
            p,
            reinterpret_cast<const float*>(my_slots + sl * p.slot_bytes) + t4 * HopperTiles::rs_rows(BQ) +
                2 * (BQ / 64) * RsMap<BQ / 64>::quad(warp, g8),
            a0, w_small, pick<Tr::kSplit>(pacc, acc));  // (v142: the pair's sums, added below)
#pragma unroll
      for (int u = 0; u < (CT3D_PROBE_IS(p, 3) || kRS ? 0 : NSJ); ++u)
#pragma unroll
        for (int kk = 0; kk < Tr::kRowBytes / 32; ++kk) {  // 32-byte k steps: two weight chunks, 32 bytes of the row
          if constexpr (Tr::kSplit) {  // big x big, big x small, small x big (the small parts: w_small, x_small on)
            const uint64_t da = gmma_desc(a0 + a_of(u) + 2 * kk * (M * 16), M * 16, 128);
            const uint64_t db = gmma_desc_swizzled<Tr::kRowBytes>(xs + b_of(u) + 32 * kk);
            Tr::mma(da, db, pacc, std::make_index_sequence<NACC>{});
            Tr::mma(da, gmma_desc_swizzled<Tr::kRowBytes>(xs + x_small + b_of(u) + 32 * kk), pacc,
                    std::make_index_sequence<NACC>{});
            Tr::mma(gmma_desc(a0 + w_small + a_of(u) + 2 * kk * (M * 16), M * 16, 128), db, pacc,
                    std::make_index_sequence<NACC>{});
          } else if constexpr (kMNX) {
            // block u's BQ / 64 boxes (LBO: the next 64 positions one box on); a k16 step is 16 channel rows (2 KB) down
            constexpr uint32_t kBlock = BQ / HopperTiles::kMNBoxPos * HopperTiles::kMNBoxBytes;
            Tr::template mma<cute::SM90::GMMA::Major::MN>(
                gmma_desc(a0 + a_of(u) + 2 * kk * (M * 16), M * 16, 128),
                gmma_desc_mn_sw128(xs + u * kBlock + 2048 * kk, HopperTiles::kMNBoxBytes), acc,
                std::make_index_sequence<NACC>{});
          } else {
            Tr::mma(gmma_desc(a0 + a_of(u) + 2 * kk * (M * 16), M * 16, 128),
                    gmma_desc_swizzled<Tr::kRowBytes>(xs + b_of(u) + 32 * kk), acc, std::make_index_sequence<NACC>{});
          }
        }
      if constexpr (!kRS) cute::warpgroup_commit_batch();
      if constexpr (Tr::kSplit) {
        cute::warpgroup_wait<0>();
#pragma unroll
        for (int e = 0; e < NACC; ++e) {
          asm volatile("" : "+f"(pacc[e])::"memory");
          acc[e] += pacc[e];
        }
        // this warp's wgmmas are done with the slot; the tile's last slot is kept for the epilogue
        if (i + 1 < np && lane == 0) Bar::arrive(&my_empty[sl]);
      } else if constexpr (kPipe) {
        // v137: the previous pair's batch done (this one in flight on the same accumulators, which the tensor cores
        // order), its slot released by a predicated arrive (no divergent branch between wgmmas: C7518)
        cute::warpgroup_wait<1>();
        hold(acc);
        if (i > 0) mbarrier_arrive_if(lane == 0, &my_empty[last]);
      } else {
        cute::warpgroup_wait<0>();
        hold(acc);
        if (i + 1 < np && lane == 0) Bar::arrive(&my_empty[sl]);
      }
      last = sl;
      if (++sl == R) sl = 0, ++use;
    }
    if constexpr (kPipe) {  // (the tile's last batch; its slot stays for the epilogue)
      cute::warpgroup_wait<0>();
      hold(acc);
    }
    // all four warps' wgmmas are done with the last slot: it becomes the output staging; and, where x has a
    // non-finite value, is any accumulator of the tile not finite (0 * acc is NaN then; four independent chains)
    bool masked = false;
    if (check) {  // warpgroup-uniform
      float nf[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int e = 0; e < NACC; ++e) nf[e % 4] = fmaf(acc[e], 0.f, nf[e % 4]);
      masked = warpgroup_sync_or(wg, isnan(nf[0] + nf[1] + nf[2] + nf[3]));
    } else {
      warpgroup_sync(wg);
    }

    // accumulator (m = 16 * warp + g8 (+ 8), q = 8 j + 2 t4 (+ 1)): phase r = warp / 2, channel co
    const int r = warp >> 1, co0 = (warp & 1) * 16 + g8;
    // y's stores under l2hint's policy (made per tile: held through the wgmmas, it cost the 3xTF32 instances, at
    // their register cap, 16 bytes of spills)
    const uint64_t ypol = l2_policy(p.l2hint & 1 ? L2Prio::kFirst : L2Prio::kNormal);
    const int od = p.Ed * tl.qd + g.rd;
    const int o_base = 2 * BQ * tl.qb;
    const int nout = min(p.OW - o_base, 2 * BQ);
    float* os = reinterpret_cast<float*>(my_slots + last * p.slot_bytes);
    E* const ytile = y + int64_t(tl.n) * p.y.stride[0] + od * p.y.stride[2] + tl.oh * p.y.stride[3] +
                     o_base * p.y.stride[4] + cbase * p.y.stride[1];
    // NCDHW rows by 16-byte vectors of VO elements (kVec: v89, v91): channel row c of the tile starts vec_phase(c)
    // elements past a 16-byte boundary, and is staged that far into its LDV16 floats, so that its aligned vectors are
    // aligned in the staging too
    constexpr int VO = 16 / int(sizeof(E));
    // v115c: the swizzled NCDHW staging (HopperTiles::ldos) for the TF32 forward only (exact k2s2 measured +2.4% with it)
    constexpr bool kSwz = std::is_same<Tr, HopperTF32>::value;
    [[maybe_unused]] const int ph0 = int(reinterpret_cast<uintptr_t>(ytile) / sizeof(E)) & (VO - 1),
                               ph1 = int(p.y.stride[1] & (VO - 1));
    [[maybe_unused]] auto vec_phase = [&](int c) { return (ph0 + c * ph1) & (VO - 1); };
    // half the tile at a time: channels_last one w phase (its positions' 32 channels are whole 128-byte lines),
    // NCDHW 16 channel rows (a row needs both phases)
    for (int hf = 0; hf < 2; ++hf) {
      // the half's warps stage accumulators (q, channel co0 + 8 h): channels_last [q][co], NCDHW [co - 16 hf][2 q + r]
      if ((kRS || (kCF ? r == hf : (warp & 1) == hf)) && !CT3D_PROBE_IS(p, 2)) {
        if constexpr (kRS) {
          // (v141, RsMap<MB>: every warp holds all 32 channels of its 16 MB positions) channel co = chan(jj, t4, e),
          // jj = 2 hf + j2 (phase 0: accumulator block jj, phase 1: jj + 4); its 4 MB outputs out(G, mb, h, r) are
          // consecutive from 4 MB G: MB 16-byte vectors into row co - 16 hf, staged from output 0 (the stores take
          // each row's phase)
          constexpr int MB = BQ / 64;
          using Map = RsMap<MB>;
          auto stage = [&](auto HF) {
            constexpr int kHF = decltype(HF)::value;
            const int G = Map::quad(warp, g8);
#pragma unroll
            for (int j2 = 0; j2 < 2; ++j2)
#pragma unroll
              for (int e = 0; e < 2; ++e) {
                const int jj = 2 * kHF + j2, co = Map::chan(jj, t4, e);
                const float b = bias ? float(bias[cbase + co]) : 0.f;
                float w[4 * MB];
#pragma unroll
                for (int mb = 0; mb < MB; ++mb)
#pragma unroll
                  for (int h = 0; h < 2; ++h)
#pragma unroll
                    for (int r = 0; r < 2; ++r)
                      w[Map::out(0, mb, h, r)] = acc[32 * mb + 4 * (jj + 4 * r) + 2 * h + e] + b;
                float4* const rs = reinterpret_cast<float4*>(os + (co - 16 * kHF) * LDV16 + Map::out(G, 0, 0, 0));
#pragma unroll
                for (int u = 0; u < MB; ++u) rs[u] = make_float4(w[4 * u], w[4 * u + 1], w[4 * u + 2], w[4 * u + 3]);
              }
          };
          if (hf == 0)
            stage(std::integral_constant<int, 0>{});
          else
            stage(std::integral_constant<int, 1>{});
        } else if constexpr (kVec) {  // row g8 + 8 h at its phase into LDV16 floats
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            float* const rs = os + (g8 + 8 * h) * LDV16 + vec_phase(16 * hf + g8 + 8 * h) + r;
#pragma unroll
            for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
              for (int e = 0; e < 2; ++e) rs[2 * (8 * j + 2 * t4 + e)] = acc[4 * j + 2 * h + e] + bv[h];
          }
        } else if constexpr (kCF) {
#pragma unroll
          for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
              for (int e = 0; e < 2; ++e)
                os[(8 * j + 2 * t4 + e) * HopperTiles::LDC + co0 + 8 * h] = acc[4 * j + 2 * h + e] + bv[h];
        } else if constexpr (!kSwz) {
#pragma unroll
          for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
              for (int e = 0; e < 2; ++e)
                os[(g8 + 8 * h) * LDO + 2 * (8 * j + 2 * t4 + e) + r] = acc[4 * j + 2 * h + e] + bv[h];
        } else {
          // output 2 q + r = 16 j + 4 t4 + 2 e + r at (2 q + r) ^ s = 16 (j ^ s4) + 4 t4 + ((2 e + r) ^ s03): a base
          // per (e, j's parity), the rest immediate offsets
          const int s = HopperTiles::row_swizzle(g8), s03 = s & 3, s4 = s >> 4;
          float* ob[2][2];
#pragma unroll
          for (int e = 0; e < 2; ++e)
#pragma unroll
            for (int par = 0; par < 2; ++par)
              ob[e][par] = os + g8 * LDOS + 4 * t4 + ((2 * e + r) ^ s03) + 16 * (par ^ s4);
#pragma unroll
          for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int j = 0; j < NACC / 4; ++j)
#pragma unroll
              for (int e = 0; e < 2; ++e)
                ob[e][j & 1][8 * h * LDOS + 16 * (j & ~1)] = acc[4 * j + 2 * h + e] + bv[h];
        }
      }
      warpgroup_sync(wg);
      if (CT3D_PROBE_IS(p, 1) || CT3D_PROBE_IS(p, 2)) {
      } else if constexpr (kCF) {
        // 16-byte channel vectors per position: NV = 1 << LNV
        constexpr int LNV = sizeof(E) == 4 ? 3 : 2, NV = 1 << LNV;
        static_assert(NV * VO == HopperTiles::BN, "a position's channels are whole vectors");
        for (int i = wtid; i < BQ * NV; i += HopperTiles::kThreads) {
          const int ql = i >> LNV, cv = i & (NV - 1), ol = 2 * ql + hf;
          if (ol < nout)
            st_global_v4(ytile + ol * p.y.stride[4] + VO * cv,
                         hopper_out_vector<E>(os + ql * HopperTiles::LDC + VO * cv), ypol);
        }
      } else if constexpr (kVec) {
        // 2 BQ / VO vectors a channel row, LPR lanes on it (at BQ 64 16-bit half a warp, fp32 a warp; at 128 a
        // warp, fp32 two vectors a lane): lane li stores the row's vectors li, li + LPR, ... of VO aligned outputs;
        // lanes 0 .. VO - 1 the outputs before the first (head), VO .. 2 VO - 1 those after the last (tail), one
        // each (VecRow, host-checked by tests/cpp/index_math_test.cpp)
        constexpr int VPR = 2 * BQ / VO, LPR = VPR < 32 ? VPR : 32, RPW = 32 / LPR;  // rows a warp takes at once
        const int li = lane % LPR;
#pragma unroll
        for (int ps = 0; ps < HopperTiles::BN / 8 / RPW; ++ps) {
          const int co = warp + 4 * (RPW * ps + lane / LPR), a = vec_phase(16 * hf + co);
          E* const rowp = ytile + (16 * hf + co) * p.y.stride[1];  // output ol at rowp[ol], staged at srow[a + ol]
          const float* srow = os + co * LDV16;
          const VecRow<VO> vr = VecRow<VO>::make(a, nout);
          if constexpr (kRS) {
            // (v141 stages rows from output 0: output ol at srow[ol].)  Vector v (outputs 4 v + b .. + 3, b = shift(a))
            // is words b .. 3 of the row's staged vector v and 0 .. b - 1 of vector v + 1, the next lane's (lane 31's:
            // lane 0's next one; past the last, vector 2 BQ / 4, never stored where b > 0: a row of at most 2 BQ
            // outputs off 16 bytes has fewer whole vectors)
            constexpr int NU = VPR / 32;  // vectors a lane: BQ / 64
            static_assert(LPR == 32 && VO == 4 && NU * 32 == VPR, "fp32 rows: whole vectors a lane");
            const uint4* su = reinterpret_cast<const uint4*>(srow);
            uint4 u[NU], o[NU];
#pragma unroll
            for (int k = 0; k < NU; ++k) o[k] = u[k] = su[li + 32 * k];
            const int b = RsMap<BQ / 64>::shift(a);
            if (b != 0) {  // (warp-uniform: the row's phase)
              const int nxt = (li + 1) & 31;
              const bool l0 = li == 0;
#pragma unroll
              for (int k = 0; k < NU; ++k) {
                // (lane 0 lends its next vector, by word selects: a ?: of vectors became a local array)
                const uint4& nx = u[k + 1 < NU ? k + 1 : k];
                const uint4 lend = k + 1 < NU ? make_uint4(sel_word(l0, nx.x, u[k].x), sel_word(l0, nx.y, u[k].y),
                                                           sel_word(l0, nx.z, u[k].z), sel_word(l0, nx.w, u[k].w))
                                              : u[k];
                o[k] = funnel_words(u[k], shfl_idx4(lend, nxt), b);
              }
            }
#pragma unroll
            for (int k = 0; k < NU; ++k)
              if (li + 32 * k < vr.nv) st_global_v4(rowp + VO * (vr.vf + li + 32 * k) - a, o[k], ypol);
          } else {
#pragma unroll
            for (int v = li; v < VPR; v += LPR)
              if (v < vr.nv)
                st_global_v4(rowp + VO * (vr.vf + v) - a, hopper_out_vector<E>(srow + VO * (vr.vf + v)), ypol);
          }
          const int ol = li < VO ? li : vr.tail0 + li - VO;
          if (li < 2 * VO && (li < VO ? ol < vr.head : ol < nout))
            st_global_elem(rowp + ol, E(srow[(kRS ? 0 : a) + ol]), ypol);
        }
      } else {
        // a warp per channel row, lanes along it: 128-byte runs of the row, whatever its alignment (v62's 16-byte
        // stores at the row's phase spent ~600 instructions per warp and tile on phases and partial vectors)
#pragma unroll
        for (int rr = 0; rr < HopperTiles::BN / 8; ++rr) {
          const int co = warp + 4 * rr;
          E* const rowp = ytile + (16 * hf + co) * p.y.stride[1];
          // (kSwz: co & 7 = the staging warp's g8; (lane + 32 v) ^ s = (lane ^ s) + 32 v, s < 32)
          const float* const sl = kSwz ? os + co * LDOS + (lane ^ HopperTiles::row_swizzle(co))
                                       : os + co * LDO + lane;
#pragma unroll
          for (int v = 0; v < 2 * BQ / 32; ++v)
            if (lane + 32 * v < nout) st_global_elem(rowp + (lane + 32 * v), E(sl[32 * v]), ypol);
        }
      }
      if (hf == 1) fence_proxy_async();  // the staging's generic accesses before the next TMA writes the slot
      warpgroup_sync(wg);
    }
    if (masked && wtid == 0 && !CT3D_PROBING(p)) {  // hopper_fixup_kernel recomputes it, every product masked
      const unsigned i = atomicAdd(p.fix_count, 1u);
      p.fix_list[i] = make_int2(si, sh.tile(wg, k, p.nwg));
    }
    if (lane == 0) Bar::arrive(&my_empty[last]);
  }
#endif
}

// The listed tiles (segment, tile) again, every product masked: a CTA per tile at a time, a thread per output.
template <class Tr>
__global__ void __launch_bounds__(256) hopper_fixup_kernel(const __grid_constant__ HopperParams p) {
  using E = typename Tr::Element;
  const unsigned n = *p.fix_count;
  for (unsigned t = blockIdx.x; t < n; t += gridDim.x) {
    const int2 e = p.fix_list[t];
    const HopperSeg& g = p.seg[e.x];
    const HopperTile tl = hopper_tile(p, g, e.y);
    const int o_base = 2 * p.bq * tl.qb, nout = min(p.OW - o_base, 2 * p.bq);
    const int od = p.Ed * tl.qd + g.rd, cbase = g.group * p.Nc + g.cblock * HopperTiles::BN;
    E* const y = static_cast<E*>(p.y.data) + int64_t(tl.n) * p.y.stride[0] + od * p.y.stride[2] +
                     tl.oh * p.y.stride[3] + o_base * p.y.stride[4] + cbase * p.y.stride[1];
    const E* wsg = static_cast<const E*>(p.wpack) + g.wofs;
    for (int i = threadIdx.x; i < 2 * p.bq * HopperTiles::BN; i += blockDim.x) {
      const int co = i / (2 * p.bq), ol = i % (2 * p.bq);
      if (ol < nout)
        y[co * p.y.stride[1] + ol * p.y.stride[4]] = E(hopper_masked_output<Tr>(p, g, tl, wsg, ol % 2, co, ol / 2));
    }
  }
}

// Weights packed per segment for the kernel's A operand (see the header comment), TF32-rounded for kRound; for
// Tr::kSplit the TF32 big parts, then the small parts (w - big rounded to TF32; 0 where big is not finite).
template <class Tr, bool kRound>
__global__ void hopper_pack_kernel(TensorRef5 w, typename Tr::Element* out, const __grid_constant__ HopperParams p) {
  using E = typename Tr::Element;
  static_assert(!kRound || Tr::kTF32, "TF32 rounding of fp32 weights only");
  // before the copy of this call (the masked-recompute count: reset before every forward launch, kernels_sm90.cu)
  if (blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 0 && p.x_nonfinite) *p.x_nonfinite = 0;
  constexpr int VEC = Tr::VEC, M = HopperTiles::M;
  const HopperSeg& g = p.seg[blockIdx.y];
  const int KCH = p.Kc / VEC;
  const int64_t n = int64_t(g.ptotal) * p.S * KCH * M * VEC;
  const E* ws = static_cast<const E*>(w.data);
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int v = int(e % VEC), m = int(e / VEC % M), c = int(e / (VEC * M) % KCH);
    const int s = int(e / (int64_t(VEC) * M * KCH) % p.S), i = int(e / (int64_t(VEC) * M * KCH * p.S));
    const int r = m / HopperTiles::BN, co = g.cblock * HopperTiles::BN + m % HopperTiles::BN;
    const int kw = p.kw_of[r][s], ci = g.group * p.Kc + c * VEC + v;
    E val = E(0);
    if (kw >= 0)
      val = ws[ci * w.stride[0] + co * w.stride[1] + g.kd[i] * w.stride[2] + g.kh[i] * w.stride[3] + kw * w.stride[4]];
    if constexpr (Tr::kSplit) {
      uint32_t big, small, fin;
      PolicyExact::split(val, big, small, fin);
      out[g.wofs + n + e] = __uint_as_float(small);
      val = __uint_as_float(big);
    } else if constexpr (kRound) {
      val = __uint_as_float(tf32_round_clear(val));
    }
    out[g.wofs + e] = val;
  }
}

}  // namespace ct3d
