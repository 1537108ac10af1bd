// Layout copies the plan asks for before a kernel runs.
#pragma once
#include <type_traits>

#include "slab_loader.cuh"

namespace ct3d {

// src with the dims it lays out back to back folded into the next one, (d, h) into h and then h into w: the
// dense channels_last copy orders pixels the same way, so the copy is unchanged, but its rows get longer (fewer
// w tails; a tile fills even when W is small) and fewer strides need to be vector multiples.  A single index
// (size 1) folds whatever its stride.
inline TensorRef5 fold_rows(TensorRef5 t) {
  for (int i = 2; i <= 3; ++i) {
    if (t.size[i] == 1) continue;
    if (t.size[i + 1] == 1) {
      t.size[i + 1] = t.size[i];
      t.stride[i + 1] = t.stride[i];
    } else if (t.stride[i] == t.size[i + 1] * t.stride[i + 1]) {
      t.size[i + 1] *= t.size[i];
    } else {
      continue;
    }
    t.size[i] = 1;
  }
  return t;
}

// The 16-byte path of to_channels_last_kernel applies: unit-stride rows (along w) of which every one starts on a
// 16-byte boundary, so each row reads as aligned vectors from its start (its tail by element).
template <class E>
bool to_channels_last_vec_ok(const TensorRef5& t) {
  constexpr int VEC = 16 / int(sizeof(E));
  if (reinterpret_cast<uintptr_t>(t.data) % 16 || (t.stride[4] != 1 && t.size[4] != 1)) return false;
  for (int i = 0; i < 4; ++i)
    if (t.size[i] != 1 && t.stride[i] % VEC) return false;
  return true;
}

// Tile of the 16-byte path: TC channels x TW w positions, a row of 512 bytes (a warp's load of one channel).
template <class E>
struct ChannelsLastTile {
  static constexpr int kThreads = 256;
  static constexpr int VEC = 16 / int(sizeof(E));  // elements per 16-byte vector
  static constexpr int TC = 32, CH = 32;          // channels; 16-byte chunks per channel row
  static constexpr int TW = CH * VEC;
  static constexpr int NCB = TC / VEC;            // channel vectors per tile column
  static constexpr int LOADS = TC * CH / kThreads;
  static_assert(LOADS * kThreads == TC * CH && NCB <= CH, "whole loads per thread");
  // Shared memory holds row vectors (channel c, 16-byte chunk k of its w run), row c from chunk c * CH, so a
  // 16-byte access's bank group is k mod 8 and a quarter warp's 8 lanes need 8 distinct ones.  Stores: 8 lanes
  // take 8 consecutive chunks of one row, distinct under any XOR.  Transposing reads: lane (channel vector cb
  // fastest, chunk k) takes chunk k of rows cb * VEC + j; a quarter warp holds NCB vectors x 8 / NCB aligned
  // consecutive chunks (2-byte: 4 x 2; 4-byte: 8 x 1; 8-byte: 8 of the 16 x 1), so k ^= cb * (8 / NCB) mod 8
  // moves cb into the bits of k its lanes share.  An XOR, not padding: 16-byte stores need aligned rows.
  static constexpr int kSwz = NCB >= 8 ? 1 : 8 / NCB;
  CT3D_DEV static int slot(int c, int k) { return c * CH + (k ^ ((c / VEC * kSwz) & 7)); }
};

// Register transpose of a VEC x VEC block: r[j] holds channel j's VEC consecutive w (a 16-byte row vector); out
// it holds w position j's VEC consecutive channels.  2-byte elements: byte permutes (word m of a row is w 2m and
// 2m + 1); 4- and 8-byte elements only rename registers.
template <int kBytes>
CT3D_DEV void transpose_vectors(uint4 (&r)[16 / kBytes]) {
  constexpr int VEC = 16 / kBytes;
  uint32_t in[VEC][4], out[VEC][4];
#pragma unroll
  for (int j = 0; j < VEC; ++j) memcpy(in[j], &r[j], 16);
#pragma unroll
  for (int e = 0; e < VEC; ++e)
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      if constexpr (kBytes == 2)  // channels 2k (low half) and 2k + 1 at w position e
        out[e][k] = __byte_perm(in[2 * k][e / 2], in[2 * k + 1][e / 2], (e & 1) ? 0x7632 : 0x5410);
      else if constexpr (kBytes == 4)
        out[e][k] = in[k][e];
      else  // channel k / 2's element e is words 2e, 2e + 1
        out[e][k] = in[k / 2][2 * e + k % 2];
    }
#pragma unroll
  for (int e = 0; e < VEC; ++e) memcpy(&r[e], out[e], 16);
}

CT3D_DEV uint4 ld_global_nc_16(const void* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.b32 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
  return v;
}

// Copies src (N, C, D, H, W; any strides) into a dense channels_last buffer (N, D, H, W, C), writing 16-byte
// vectors along C (the plan asks only for C a whole number of vectors and an aligned buffer).
// kVec (to_channels_last_vec_ok): reads are 16-byte vectors too (at 2-byte element loads the copy ran at a third
// of a device copy's bandwidth).  CTA tile = one (n, d, h) row x TW w x TC channels: each thread loads its LOADS
// row vectors into registers (all in flight at once; issued before the barrier that waits for the previous
// tile's readers), stores them to shared memory, then reads a VEC x VEC block (chunk k of VEC channels),
// transposes it in registers and stores VEC column vectors, so a warp's stores cover whole runs of pixels'
// channels.
// Otherwise: CTA = one (n, d, h) row x 64 w positions, 32 channels at a time through shared memory: reads run
// along w (element loads at any stride), writes along C.
// kOp (fp32 only but for kCopy): Restage::kRoundTF32 writes values TF32-rounded to nearest even
// (tf32_round_clear); kSplitTF32 writes their big TF32 parts at dst and their small parts at dst + numel(src), the
// same layout (the exact Hopper forward's x, v88: its TMA lands both, so no pass over its slots splits them).
template <class E, Restage kOp>
CT3D_DEV E restage_value(E v) {
  if constexpr (kOp == Restage::kRoundTF32) return __uint_as_float(tf32_round_clear(v));
  return v;
}

// Rounding copies and 16-bit copies also report whether any value was not finite (atomicOr into *nonfinite, where not
// null): the Hopper forward then checks its tiles' sums for products of zero weights with those values (and skips
// that check where none reports: v136, the 16-bit forward checked every tile before).  Splitting copies do not: the
// exact forward checks every tile (a non-finite weight's cross terms can be NaN whatever x holds).
CT3D_DEV float nonfinite_probe(const uint4& v, float nf) {  // NaN once a word of v is not finite (0 * inf, 0 * NaN)
  nf = fmaf(__uint_as_float(v.x), 0.f, nf);
  nf = fmaf(__uint_as_float(v.y), 0.f, nf);
  nf = fmaf(__uint_as_float(v.z), 0.f, nf);
  return fmaf(__uint_as_float(v.w), 0.f, nf);
}
// ... of 16-bit values, by their bits (nonfinite_halves), two to a 32-bit word
template <class E>
CT3D_DEV uint32_t nonfinite_bits16(uint32_t w) {
  static_assert(std::is_same<E, cutlass::bfloat16_t>::value || std::is_same<E, cutlass::half_t>::value, "bf16, fp16");
  return nonfinite_halves(w, std::is_same<E, cutlass::bfloat16_t>::value ? 0x7f80u : 0x7c00u);
}
template <class E>
CT3D_DEV uint32_t nonfinite_bits16(const uint4& v) {
  return nonfinite_bits16<E>(v.x) | nonfinite_bits16<E>(v.y) | nonfinite_bits16<E>(v.z) | nonfinite_bits16<E>(v.w);
}
template <class E, bool kVec, Restage kOp = Restage::kCopy>
__global__ void __launch_bounds__(256) to_channels_last_kernel(TensorRef5 src, E* dst, unsigned* nonfinite) {
  static_assert(kOp == Restage::kCopy || sizeof(E) == 4, "TF32 rounding and splitting of fp32 copies only");
  constexpr bool kReport16 = kOp == Restage::kCopy && sizeof(E) == 2;
  constexpr bool kReport = kOp == Restage::kRoundTF32 || kReport16;
  float nf = 0.f;      // NaN once a non-finite value passed (0 * inf, 0 * NaN)
  uint32_t nf16 = 0u;  // (16-bit: 1 once one passed)
  const int64_t C = src.size[1], D = src.size[2], H = src.size[3], W = src.size[4];
  [[maybe_unused]] const int64_t small = src.size[0] * C * D * H * W;  // kSplitTF32: the small parts' offset
  if constexpr (kVec) {
    using T = ChannelsLastTile<E>;
    using U = std::conditional_t<sizeof(E) == 2, uint16_t, std::conditional_t<sizeof(E) == 4, uint32_t, uint64_t>>;
    constexpr int VEC = T::VEC, TC = T::TC, TW = T::TW, CH = T::CH;
    __shared__ uint4 tile[TC * CH];
    const int64_t cblocks = (C + TC - 1) / TC, wblocks = (W + TW - 1) / TW;
    const int64_t blocks = src.size[0] * D * H * wblocks * cblocks;
    const U* sdata = static_cast<const U*>(src.data);
    for (int64_t b = blockIdx.x; b < blocks; b += gridDim.x) {
      // channel blocks fastest: neighbouring CTAs fill neighbouring parts of the same pixels
      const int64_t row = b / (wblocks * cblocks), w0 = (b / cblocks % wblocks) * TW, c0 = b % cblocks * TC;
      const int64_t h = row % H, d = (row / H) % D, n = row / (H * D);
      const int nc = int(min(C - c0, int64_t(TC)));  // a whole number of vectors
      const U* s = sdata + n * src.stride[0] + c0 * src.stride[1] + d * src.stride[2] + h * src.stride[3] + w0;
      const int64_t wn = W - w0;                      // w positions left in the row (> 0)
      uint4 v[T::LOADS];
#pragma unroll
      for (int j = 0; j < T::LOADS; ++j) {
        const int i = threadIdx.x + j * T::kThreads, cl = i / CH, wl = i % CH * VEC;
        const U* p = s + cl * src.stride[1] + wl;
        v[j] = make_uint4(0, 0, 0, 0);
        if (cl < nc && wl + VEC <= wn) {
          v[j] = ld_global_nc_16(p);
        } else if (cl < nc && wl < wn) {  // the row's tail: no read past its last element
          U e[VEC];
#pragma unroll
          for (int q = 0; q < VEC; ++q) e[q] = wl + q < wn ? p[q] : U(0);
          memcpy(&v[j], e, 16);
        }
      }
      __syncthreads();  // the previous tile's readers are done
#pragma unroll
      for (int j = 0; j < T::LOADS; ++j) {
        const int i = threadIdx.x + j * T::kThreads;
        tile[T::slot(i / CH, i % CH)] = v[j];
      }
      __syncthreads();
      E* o = dst + (row * W + w0) * C + c0;  // row = (n * D + d) * H + h
      for (int i = threadIdx.x; i < T::NCB * CH; i += T::kThreads) {
        const int cb = i % T::NCB, k = i / T::NCB, wl = k * VEC;
        if (cb * VEC >= nc || wl >= wn) continue;
        uint4 r[VEC];
#pragma unroll
        for (int j = 0; j < VEC; ++j) r[j] = tile[T::slot(cb * VEC + j, k)];
        transpose_vectors<int(sizeof(E))>(r);
#pragma unroll
        for (int e = 0; e < VEC; ++e) {
          if constexpr (kReport16)
            if (nonfinite) nf16 |= nonfinite_bits16<E>(r[e]);
          if constexpr (kOp == Restage::kRoundTF32) {
            nf = nonfinite_probe(r[e], nf);
            tf32_round_clear(r[e]);
          }
          if constexpr (kOp == Restage::kSplitTF32) {
            const uint4 sm = tf32_split(r[e]);  // r[e] becomes the big parts
            if (wl + e < wn) st_global_v4(o + small + (wl + e) * C + cb * VEC, sm);
          }
          if (wl + e < wn) st_global_v4(o + (wl + e) * C + cb * VEC, r[e]);
        }
      }
    }
  } else {
    constexpr int TW = 64, TC = 32, VEC = 16 / int(sizeof(E));
    static_assert(TC % VEC == 0, "a tile column is whole vectors");
    __shared__ E tile[TC][TW + 2];  // +2: a store's column reads spread over banks
    const int64_t wblocks = (W + TW - 1) / TW, blocks = src.size[0] * D * H * wblocks;
    const E* sdata = static_cast<const E*>(src.data);
    for (int64_t b = blockIdx.x; b < blocks; b += gridDim.x) {
      const int64_t row = b / wblocks, w0 = (b % wblocks) * TW;
      const int64_t h = row % H, d = (row / H) % D, n = row / (H * D);
      const E* s = sdata + n * src.stride[0] + d * src.stride[2] + h * src.stride[3];
      E* o = dst + row * W * C;  // row = (n * D + d) * H + h
      for (int64_t c0 = 0; c0 < C; c0 += TC) {
        for (int i = threadIdx.x; i < TC * TW; i += blockDim.x) {
          const int cl = i / TW, wl = i % TW;
          const int64_t c = c0 + cl, w = w0 + wl;
          const E v = (c < C && w < W) ? s[c * src.stride[1] + w * src.stride[4]] : E(0);
          if constexpr (kOp == Restage::kRoundTF32) nf = fmaf(v, 0.f, nf);
          if constexpr (kReport16) {
            uint16_t u;
            memcpy(&u, &v, 2);
            if (nonfinite) nf16 |= nonfinite_bits16<E>(uint32_t(u));
          }
          tile[cl][wl] = restage_value<E, kOp>(v);
        }
        __syncthreads();
        for (int i = threadIdx.x; i < TW * (TC / VEC); i += blockDim.x) {
          const int wl = i / (TC / VEC), cl = (i % (TC / VEC)) * VEC;
          const int64_t w = w0 + wl, c = c0 + cl;
          if (w < W && c < C) {
            E v[VEC];
#pragma unroll
            for (int j = 0; j < VEC; ++j) v[j] = tile[cl + j][wl];
            if constexpr (kOp == Restage::kSplitTF32) {
              uint4 u;
              memcpy(&u, v, 16);
              st_global_v4(o + small + w * C + c, tf32_split(u));
              memcpy(v, &u, 16);
            }
            st_global_16(o + w * C + c, v);
          }
        }
        __syncthreads();
      }
    }
  }
  if constexpr (kReport)
    if (nonfinite && __any_sync(0xffffffffu, isnan(nf) || nf16 != 0u) && threadIdx.x % 32 == 0) atomicOr(nonfinite, 1u);
}

// src already dense channels_last (N, D, H, W, C in memory, 16-byte aligned, C a whole number of vectors): the
// copy keeps its layout, so it runs flat over 16-byte vectors (the exact Hopper forward splits a channels_last x so)
template <class E>
bool dense_channels_last(const TensorRef5& t) {
  const int64_t C = t.size[1], W = t.size[4], H = t.size[3], D = t.size[2];
  const int64_t want[5] = {D * H * W * C, 1, H * W * C, W * C, C};
  for (int i = 0; i < 5; ++i)
    if (t.size[i] != 1 && t.stride[i] != want[i]) return false;
  return reinterpret_cast<uintptr_t>(t.data) % 16 == 0 && (C * int64_t(sizeof(E))) % 16 == 0;
}
// (splitting only: a rounding or plain copy of a channels_last x is never asked for)
template <class E>
__global__ void __launch_bounds__(256) split_flat_kernel(const uint4* src, uint4* dst, int64_t n16) {
  static_assert(sizeof(E) == 4, "fp32 splits");
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n16; i += int64_t(gridDim.x) * blockDim.x) {
    uint4 v = ld_global_nc_16(src + i);
    st_global_v4(dst + n16 + i, tf32_split(v));
    st_global_v4(dst + i, v);
  }
}

}  // namespace ct3d
