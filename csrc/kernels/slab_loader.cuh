// Stages a "slab" -- ROWS channels x a run of one row of a strided 5-D tensor -- into shared memory, split
// into residue planes (see SlabGeom).  Loads go global -> registers first so the next step's loads are in
// flight while the tensor cores work on the current one (CUTLASS's two-stage "pipelined" scheme), and the
// precision policy converts each element once, on its way into shared memory.
// Coalescing follows whichever of (channel, w) has unit stride, so NCDHW and channels_last_3d both stream.
#pragma once
#include "mma_policy.cuh"

namespace ct3d {

template <class P, int ROWS>
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

  E v[NREG];

  // Element k of this thread -> (channel, column)
  CT3D_DEV void coords(int k, int& c, int& e) const {
    int tid = threadIdx.x;
    if (!c_fast) {
      c = (tid >> 5) + 4 * (k % CV);
      e = (tid & 31) + 32 * (k / CV);
    } else {
      c = tid % ROWS;
      e = tid / ROWS + (kThreads / ROWS) * k;
    }
  }
  // shared-memory offset of (c, e), or -1 when its residue plane is not kept
  CT3D_DEV int soffset(int c, int e) const {
    if (A == 1) return c * LDK + e;
    int j = e / A;
    int p = geom.plane_of(e - j * A);
    return p < 0 ? -1 : c * LDK + p * LDJ + j;
  }
  CT3D_DEV bool in_bounds(int c, int e) const {
    int64_t i = i0 + e;
    return valid && c < nch && e < ecnt && i >= 0 && i < in_extent;
  }
  CT3D_DEV E fetch(int c, int e) const {
    return in_bounds(c, e) ? base[c * sC + (i0 + e) * sW] : E(0);
  }

  // issue the staged global loads
  CT3D_DEV void load() {
#pragma unroll
    for (int k = 0; k < NREG; ++k) {
      int c, e;
      coords(k, c, e);
      v[k] = fetch(c, e);
    }
  }
  // write the staged values, then load-and-write whatever did not fit in registers
  CT3D_DEV void store(S* s) const {
#pragma unroll
    for (int k = 0; k < NREG; ++k) {
      int c, e;
      coords(k, c, e);
      if (e < ecnt) {
        int off = soffset(c, e);
        if (off >= 0) s[off] = P::to_smem(v[k]);
      }
    }
    int per_pass = c_fast ? kThreads / ROWS : 32;  // columns covered by one k
    int kmax = c_fast ? (ecnt + per_pass - 1) / per_pass : CV * ((ecnt + 31) / 32);
    for (int k = NREG; k < kmax; ++k) {
      int c, e;
      coords(k, c, e);
      if (e < ecnt) {
        int off = soffset(c, e);
        if (off >= 0) s[off] = P::to_smem(fetch(c, e));
      }
    }
  }
};

}  // namespace ct3d
