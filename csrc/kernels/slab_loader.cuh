// Stages a "slab" -- ROWS channels x a run of one row of a strided 5-D tensor -- into shared memory, split
// into residue planes (see SlabGeom).  Loads go global -> registers first so the next step's loads are in
// flight while the tensor cores work on the current one (CUTLASS's two-stage "pipelined" scheme), and the
// precision policy converts each element once, on its way into shared memory.
// Coalescing follows whichever of (channel, w) has unit stride, so NCDHW and channels_last_3d both stream.
#pragma once
#include "mma_policy.cuh"

namespace ct3d {

template <class P, int ROWS, bool kUnitA = false>  // kUnitA: A == 1 known at compile time (one plane)
struct SlabLoader {
  using E = typename P::Element;
  using S = typename P::Smem;
  static constexpr int kThreads = Tiles::kThreads;
  static_assert(ROWS % 4 == 0, "ROWS must split over 4 warps");
  static constexpr int CV = ROWS / 4;                              // channels per thread (w-fast mapping)
  static constexpr int EVS = (P::kStage / CV) > 0 ? (P::kStage / CV) : 1;
  static constexpr int NREG = CV * EVS;                            // staged elements per thread

  // what to load
  const E* base = nullptr;  // element (channel 0, i = 0) of the row
  int64_t sC = 0, sW = 0;
  int nch = 0;              // channels that exist (rest are zero)
  int64_t i0 = 0;           // i of column e = 0
  int64_t in_extent = 0;
  int A = 1;                // plane count modulus
  int ecnt = 0;             // columns e in [0, ecnt)
  int LDJ = 0, LDK = 0;     // plane stride and channel stride in shared memory
  SlabGeom geom;
  bool valid = false;       // the row exists; if not the slab is all zeros
  bool c_fast = false;      // channel stride is the unit one

  uint32_t A_mul = 1;       // ceil(2^32 / A): e / A == umulhi(e, A_mul) for the column counts used here

  E v[NREG];

  CT3D_DEV int div_A(int e) const { return A == 1 ? e : int(__umulhi(uint32_t(e), A_mul)); }

  // Visits the thread's elements: f(k, channel, column) with k the register slot (k >= NREG: not staged).
  template <class F>
  CT3D_DEV void for_each(F&& f, bool tail) const {
    const int tid = threadIdx.x;
    if (!c_fast) {
      const int lane = tid & 31, c0 = tid >> 5;
      if (!tail) {
#pragma unroll
        for (int ev = 0; ev < EVS; ++ev)
#pragma unroll
          for (int cv = 0; cv < CV; ++cv) f(ev * CV + cv, c0 + 4 * cv, lane + 32 * ev);
      } else {
        const int evn = (ecnt + 31) / 32;
        for (int ev = EVS; ev < evn; ++ev)
#pragma unroll
          for (int cv = 0; cv < CV; ++cv) f(NREG, c0 + 4 * cv, lane + 32 * ev);
      }
    } else {
      const int c = tid % ROWS, e0 = tid / ROWS;
      constexpr int step = kThreads / ROWS;
      if (!tail) {
#pragma unroll
        for (int k = 0; k < NREG; ++k) f(k, c, e0 + step * k);
      } else {
        for (int e = e0 + step * NREG; e < ecnt; e += step) f(NREG, c, e);
      }
    }
  }

  CT3D_DEV E fetch(int c, int e) const {
    const int64_t i = i0 + e;
    const bool ok = valid && c < nch && e < ecnt && i >= 0 && i < in_extent;
    return ok ? base[c * sC + i * sW] : E(0);
  }
  CT3D_DEV void put(S* s, int c, int e, E v) const {
    if (e >= ecnt) return;
    if (kUnitA || A == 1) {
      s[c * LDK + e] = P::to_smem(v);
      return;
    }
    const int j = div_A(e);
    const int p = geom.plane_fast(e - j * A);
    if (p >= 0) s[c * LDK + p * LDJ + j] = P::to_smem(v);
  }

  // issue the staged global loads
  CT3D_DEV void load() {
    for_each([&](int k, int c, int e) { if (k < NREG) v[k] = fetch(c, e); }, false);
  }
  // write the staged values, then load-and-write whatever did not fit in registers
  CT3D_DEV void store(S* s) const {
    for_each([&](int k, int c, int e) { if (k < NREG) put(s, c, e, v[k]); }, false);
    for_each([&](int, int c, int e) { put(s, c, e, fetch(c, e)); }, true);
  }
};

}  // namespace ct3d
