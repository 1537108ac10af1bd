// Stages a "slab" -- ROWS channels x a run of one row of a strided 5-D tensor -- into shared memory, either
// contiguous or split into residue planes (see SlabGeom).  Three ways:
//  - a contiguous slab of unit-stride rows that the plan admits (see vec_rows), any element size: 16-byte
//    cp.async (the common case);
//  - otherwise, 4- and 8-byte elements: per-element cp.async with zero fill.  Both go straight into the next
//    stage's buffer (CUTLASS's "multistage" scheme): no staging registers, no load waits before it is needed;
//  - otherwise, 2-byte elements (cp.async moves >= 4 bytes, and a plane split separates neighbours): global ->
//    registers while the tensor cores work, then registers -> shared (CUTLASS's two-stage "pipelined" scheme).
// Either way load(dst) starts the next stage and store(dst) finishes it (a no-op for cp.async); the kernel
// calls stage_wait() before the barrier that publishes it.
// Coalescing follows whichever of (channel, w) has unit stride, so NCDHW and channels_last_3d both stream.
#pragma once
#include <cutlass/arch/memory_sm80.h>

#include <climits>
#include <cstring>

#include "mma_policy.cuh"

namespace ct3d {

// Starts one element's copy global -> shared (zero fill when !ok; gmem is then never read).
// 2-byte elements have no cp.async: a plain copy (only reached by launches the plan keeps off that path).
template <class S>
CT3D_DEV void cp_async_elem(S* smem, const void* gmem, bool ok) {
  if constexpr (sizeof(S) >= 4)
    cutlass::arch::cp_async_zfill<sizeof(S), cutlass::arch::CacheOperation::Always>(smem, gmem, ok);
  else
    *smem = ok ? *static_cast<const S*>(gmem) : S(0);
}
// Starts a 16-byte copy global -> shared of which the first src_bytes are read and the rest zero-filled.
CT3D_DEV void cp_async_16(uint32_t smem, const void* gmem, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem), "l"(gmem), "r"(src_bytes));
}
CT3D_DEV void cp_async_16(void* smem, const void* gmem, int src_bytes) {
  cp_async_16(uint32_t(cutlass::arch::cutlass_get_smem_pointer(smem)), gmem, src_bytes);
}
// ... all 16 bytes or zeros where `zero` (ignore-src: reads nothing), for a choice fixed ahead of the copies (the
// Hopper grad_input's per-tile vector classes) instead of a src-size computed per copy
CT3D_DEV void cp_async_16_or_zero(uint32_t dst, const void* src, bool zero) {
  asm volatile(
      "{\n .reg .pred z;\n setp.ne.b32 z, %2, 0;\n cp.async.cg.shared.global [%0], [%1], 16, z;\n}\n" ::"r"(dst),
      "l"(src), "r"(int(zero)));
}
// One 16-byte global store (p 16-byte aligned).  Spelled out: left to the compiler, a store through a
// reinterpret_cast'ed element array can come out as scalar stores, which uncoalesces a warp.
CT3D_DEV void st_global_v4(void* p, const uint4& v) {
  // no "memory" clobber: the caller reads nothing this writes, and the clobber would pin its loads behind the store
  asm volatile("st.global.v4.b32 [%0], {%1, %2, %3, %4};\n" ::"l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w));
}
// ... of VEC elements
template <class E, int VEC>
CT3D_DEV void st_global_16(E* p, const E (&w)[VEC]) {
  static_assert(sizeof(E) * VEC == 16, "one 16-byte vector");
  uint4 u;
  memcpy(&u, w, 16);
  st_global_v4(p, u);
}
// ldmatrix.x4: four 8x8 matrices of 2-byte elements; lane l gives the 16-byte-aligned row address of matrix l / 8,
// row l % 8.  Plain: lane i gets (row i / 4, columns 2(i % 4), +1) of each, an MMA A fragment's register from a
// row-major tile; kTrans: (rows 2(i % 4), +1, column i / 4), a B fragment's register from a row-major k x n tile.
template <bool kTrans>
CT3D_DEV void ldsm_x4(uint32_t (&r)[4], const void* row) {
  const uint32_t a = uint32_t(cutlass::arch::cutlass_get_smem_pointer(row));
  if constexpr (kTrans)
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
  else
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}
// The 2-byte B fragments of NT n blocks (NT even) of a row-major k x n tile in shared memory, two blocks per
// ldmatrix.x4.trans: matrices (k 0-7 | 8-15) x (n block ni | ni+1); row: this lane's row address for block 0, the
// tile's row (lane >> 3 & 1) * 8 + (lane & 7) at n (lane >> 4) * 8.
template <int NT, class FragB, class S>
CT3D_DEV void ldsm_b_pairs(FragB (&fb)[NT], const S* row) {
  static_assert(NT % 2 == 0, "two n blocks per ldmatrix");
#pragma unroll
  for (int ni = 0; ni < NT; ni += 2) {
    uint32_t r[4];
    ldsm_x4<true>(r, row + ni * 8);
    fb[ni] = {{r[0], r[1]}};
    fb[ni + 1] = {{r[2], r[3]}};
  }
}
// Waits for this thread's outstanding stage copies (none on the register path: then it costs nothing).
template <class P>
CT3D_DEV void stage_wait() {
  cutlass::arch::cp_async_fence();
  cutlass::arch::cp_async_wait<0>();
}
// Closes the stage's copy group and waits until at most `pending` (< 3) younger groups are in flight: a
// pipeline of S stages keeps S - 2 behind the one it is about to read.  `pending` is CTA-uniform.
CT3D_DEV void stage_commit_wait(int pending) {
  cutlass::arch::cp_async_fence();
  if (pending >= 2)
    cutlass::arch::cp_async_wait<2>();
  else if (pending == 1)
    cutlass::arch::cp_async_wait<1>();
  else
    cutlass::arch::cp_async_wait<0>();
}

// Phase of column i within a 16-byte vector of VEC elements (i may be negative; VEC a power of two): the
// slab loaders and the kernels that fold a uniform phase into tap offsets compute it here, so they agree.
CT3D_HD int vec_phase(int64_t i, int VEC) { return int(uint64_t(i) % uint64_t(VEC)); }

// N per-channel shifts (bytes, < 256) of a staged slab, loaded once per stage into registers.  at(k) wants
// k >> 3 known at compile time after inlining (fragment rows are g or t plus constants), so the words stay in
// registers.  kOn = false (register-staging policies, which never stage vectors): all zero, no registers.
template <int N, bool kOn = true>
struct StageShifts {
  uint64_t w[kOn ? N / 8 : 1];
  CT3D_DEV void load(const uint8_t* s) {
    if constexpr (kOn)
#pragma unroll
      for (int i = 0; i < N / 8; ++i) w[i] = reinterpret_cast<const uint64_t*>(s)[i];
  }
  CT3D_DEV int at(int k) const {
    if constexpr (kOn) return int((w[k >> 3] >> ((k & 7) * 8)) & 0xffu);
    return 0;
  }
};

// kCF (channel-fast, for channels_last sources): the slab is stored column-major, column e's ROWS channels at
// e * LDC + c, moved as 16-byte vectors of VEC channels (the plan admits only whole, aligned channel vectors).
// The A operand (m = column, k = channel) is then read along k, which suits both layouts' MMA fragments.
// kContig: the slab is one contiguous run per channel (column e at c * LDK + e) whatever A is: the kernel then
// reads its operand at stride A itself.  Otherwise it is split into residue planes (SlabGeom).
// kShifts: each channel row of a 16-byte-copied slab keeps its own phase, published as a byte per channel
// (load_async_vec) for the kernel to add when it reads the row; without it every row must share one phase.
// kLDC: column stride of a kCF slab (elements): by default ROWS channels plus one vector of padding, so the 8
// rows of a fragment load (8 consecutive columns, channel = MMA k) fall on distinct bank groups; a kernel whose
// fragments run along the channel (channel = MMA m or n) picks its own.
// kStage: register-staged elements per thread (register path) at most; the policy's budget by default.
template <class P, int ROWS, bool kContig = false, bool kCF = false, bool kShifts = P::kChannelShifts,
          int kLDC = ROWS + 16 / int(sizeof(typename P::Smem)), int kStage = P::kStage>
struct SlabLoader {
  using E = typename P::Element;
  using S = typename P::Smem;
  static constexpr int kThreads = Tiles::kThreads;
  static constexpr int LDC = kLDC;
  static_assert(!kCF || (LDC * sizeof(S)) % 16 == 0, "kCF columns start on 16-byte vectors");
  static_assert(ROWS % 4 == 0, "ROWS must split over 4 warps");
  static constexpr int CV = ROWS / 4;                              // channels per thread (w-fast mapping)
  static constexpr int EVS = (kStage / CV) > 0 ? (kStage / CV) : 1;
  static constexpr int NREG = P::kAsync ? 1 : CV * EVS;            // register-staged elements per thread

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
  // shared-memory offset of column e of channel c (-1: e lies in no plane the taps read)
  CT3D_DEV int slot(int c, int e) const {
    if (e >= ecnt) return -1;
    if (kContig || A == 1) return c * LDK + e;
    const int j = div_A(e);
    const int p = geom.plane_fast(e - j * A);
    return p >= 0 ? c * LDK + p * LDJ + j : -1;
  }
  CT3D_DEV void put(S* s, int c, int e, E v) const {
    const int o = slot(c, e);
    if (o >= 0) s[o] = P::to_smem(v);
  }

  // cp.async with the w-fast mapping: a column's slot, bounds and source are worked out once and shared by
  // the thread's CV channels, which then step 4 channels at a time (4*sC in global, 4*LDK in shared).
  CT3D_DEV void load_async_wfast(S* dst) const {
    const int lane = threadIdx.x & 31, c0 = threadIdx.x >> 5;
    const int evn = (ecnt + 31) >> 5;
    for (int ev = 0; ev < evn; ++ev) {
      const int e = lane + 32 * ev;
      const int col = slot(0, e);
      if (col < 0) continue;
      const int64_t i = i0 + e;
      const bool iok = valid && i >= 0 && i < in_extent;
      const E* src = base + (i * sW + c0 * sC);
      S* d = dst + (c0 * LDK + col);
#pragma unroll
      for (int cv = 0; cv < CV; ++cv) {
        const bool ok = iok && c0 + 4 * cv < nch;
        cp_async_elem(d, ok ? src : base, ok);
        src += 4 * sC;
        d += 4 * LDK;
      }
    }
  }

  // 16-byte cp.async of a contiguous slab of unit-stride rows (the plan checks which rows qualify).  Each
  // channel's row keeps its own 16-byte phase: channel c's column e goes to slot c * LDK + e + a_c, with a_c
  // the phase of its column 0, so global and shared vectors line up.  a_c is published in shifts[] (a byte per
  // channel, for kernels that read per-channel shifts); where the plan asks for aligned rows, a_c is the same
  // for every channel and the kernel may fold it into its tap offsets instead.  A vector past the row's end
  // reads its valid prefix (zero-filling the rest); one across its start reads the whole 16-byte granule
  // (same allocation) and fixup() zeroes the part before the row once the copy has landed.  TPC threads per
  // channel walk its vectors, so a warp reads 32/TPC channels' contiguous runs.
  static constexpr int VEC = 16 / int(sizeof(E));
  static constexpr int TPC = kThreads / ROWS;
  bool vec = false;
  // this thread's channel's phase at column 0 (unsigned wrap-around keeps the residue right for i0 < 0)
  CT3D_DEV int phase(const E* src_c) const {
    if constexpr (!kShifts) return vec_phase(i0, VEC);  // rows start on vectors (the plan checks)
    return vec_phase(int64_t(reinterpret_cast<uintptr_t>(src_c) / sizeof(E)) + i0, VEC);
  }
  CT3D_DEV void load_async_vec(S* dst, uint8_t* shifts) const {
    const int c = threadIdx.x / TPC;
    const E* src_c = base + c * sC;
    const int a = phase(src_c);
    if constexpr (kShifts)
      if (threadIdx.x % TPC == 0) shifts[c] = uint8_t(a);
    // 32-bit column math (check_problem keeps coordinates below 2^31) and one compare-and-clamp per vector: this
    // runs every pipeline step for every vector, so its instruction count is the loader's cost.  A vector
    // reads min(ext - i, VEC) elements; none when it lies wholly before the row or the channel does not exist.
    const int ia = int(i0) - a;
    const int ext = (valid && c < nch) ? int(in_extent) : INT_MIN / 2;
    const int iend = ia + ecnt + a;  // vectors start below ia + ecnt + a
    int i = ia + (threadIdx.x % TPC) * VEC;
    const E* src = src_c + i;  // one 64-bit address, then increments (a zero-byte copy reads nothing)
    uint32_t d = cutlass::arch::cutlass_get_smem_pointer(dst + c * LDK) + (threadIdx.x % TPC) * 16;
    for (; i < iend; i += TPC * VEC, src += TPC * VEC, d += TPC * 16) {
      int n = ext - i;
      n = n < VEC ? n : VEC;
      n = (i > -VEC && n > 0) ? n : 0;
      cp_async_16(d, src, n * int(sizeof(E)));
    }
  }
  // after this thread's copies landed (stage_wait): zero the columns before the row's start that a vector
  // across it brought in
  CT3D_DEV void fixup(S* dst) const {
    // one phase for all rows (!kShifts): vectors sit on absolute multiples of VEC, so none crosses i = 0
    if (kCF || !kShifts || !(kContig && vec)) return;
    const int c = threadIdx.x / TPC;
    if (!(valid && c < nch)) return;
    const int a = phase(base + c * sC);
    const int64_t ia = i0 - a;
    if (ia >= 0) return;
    const int64_t v = (-ia) / VEC;  // the vector holding slot -ia (i = 0)
    const int lead = int(-ia - v * VEC);
    if (lead == 0 || v >= (ecnt + a + VEC - 1) / VEC || v % TPC != threadIdx.x % TPC) return;
    S* d = dst + c * LDK + v * VEC;
    for (int j = 0; j < lead; ++j) d[j] = S(0);
  }

  // cp.async with the channel-fast mapping (channels_last): a thread keeps one channel and walks the columns.
  CT3D_DEV void load_async_cfast(S* dst) const {
    constexpr int step = kThreads / ROWS;
    const int c = threadIdx.x % ROWS;
    const bool cok = valid && c < nch;
    const E* src_c = base + c * sC;
    S* d_c = dst + c * LDK;
    for (int e = threadIdx.x / ROWS; e < ecnt; e += step) {
      const int col = slot(0, e);
      if (col < 0) continue;
      const int64_t i = i0 + e;
      const bool ok = cok && i >= 0 && i < in_extent;
      cp_async_elem(d_c + col, ok ? src_c + i * sW : base, ok);
    }
  }

  // kCF: 16-byte cp.async of VEC channels of one column (channel stride 1, the plan checks whole aligned
  // vectors); columns outside the row and channels past nch are zero-filled.  A thread keeps one channel vector
  // and walks the columns by address increments with one unsigned bound compare per copy (this runs for every
  // vector of every step: per-copy index math and a 64-bit multiply were most of the loader's instructions).
  CT3D_DEV void load_async_cvec(S* dst) const {
    constexpr int CV = ROWS / VEC, ESTEP = kThreads / CV;  // vectors per column; columns per pass
    static_assert(ROWS % VEC == 0 && kThreads % CV == 0, "whole channel vectors per column and per pass");
    const int c = int(threadIdx.x % CV) * VEC;
    int e = int(threadIdx.x / CV);
    // column i = i0 + e lies in the row iff unsigned(i) < in_extent (i0 may be negative); no channel: none does
    uint32_t i = uint32_t(int(i0) + e);
    const uint32_t ext = (valid && c < nch) ? uint32_t(in_extent) : 0u;
    const E* src = base + (c + int64_t(int(i0) + e) * sW);
    const int64_t sstep = int64_t(ESTEP) * sW;
    uint32_t d = cutlass::arch::cutlass_get_smem_pointer(dst) + uint32_t((e * LDC + c) * int(sizeof(S)));
    for (; e < ecnt; e += ESTEP, i += ESTEP, src += sstep, d += ESTEP * LDC * int(sizeof(S))) {
      const bool ok = i < ext;
      cp_async_16(d, ok ? src : base, ok ? 16 : 0);
    }
  }

  // start the stage: 16-byte cp.async where the plan allows it (any element size), else cp.async every element
  // or, for 2-byte elements, load the register-staged part
  // shifts: the stage's ROWS per-channel column shifts, a byte each (see load_async_vec; zero on the other
  // paths)
  CT3D_DEV void load(S* dst, uint8_t* shifts) {
    if constexpr (kCF) {
      if constexpr (kShifts)
        if (threadIdx.x < ROWS) shifts[threadIdx.x] = 0;
      load_async_cvec(dst);
      return;
    }
    if (kContig && vec) {
      load_async_vec(dst, shifts);
      return;
    }
    if constexpr (kShifts)
      if (threadIdx.x < ROWS) shifts[threadIdx.x] = 0;
    if constexpr (P::kAsync) {
      if (c_fast)
        load_async_cfast(dst);
      else
        load_async_wfast(dst);
    } else {
      for_each([&](int k, int c, int e) { if (k < NREG) v[k] = fetch(c, e); }, false);
    }
  }
  // finish the stage (register path): write the staged values, then load-and-write the rest
  CT3D_DEV void store(S* s) const {
    if constexpr (!P::kAsync && !kCF) {
      if (kContig && vec) return;
      for_each([&](int k, int c, int e) { if (k < NREG) put(s, c, e, v[k]); }, false);
      for_each([&](int, int c, int e) { put(s, c, e, fetch(c, e)); }, true);
    }
  }
};

}  // namespace ct3d
