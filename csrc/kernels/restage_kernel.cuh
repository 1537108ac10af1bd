// Layout copies the plan asks for before a kernel runs.
#pragma once
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

// Copies src (N, C, D, H, W; any strides) into a dense channels_last buffer (N, D, H, W, C).  CTA = one
// (n, d, h) row x 64 w positions, 32 channels at a time through shared memory: reads run along w (NCDHW), writes
// along C as 16-byte vectors (the plan asks only for C a whole number of vectors and an aligned buffer).
template <class E>
__global__ void __launch_bounds__(256) to_channels_last_kernel(TensorRef5 src, E* dst) {
  constexpr int TW = 64, TC = 32, VEC = 16 / int(sizeof(E));
  static_assert(TC % VEC == 0, "a tile column is whole vectors");
  __shared__ E tile[TC][TW + 2];  // +2: a store's column reads spread over banks
  const int64_t C = src.size[1], D = src.size[2], H = src.size[3], W = src.size[4];
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
        tile[cl][wl] = (c < C && w < W) ? s[c * src.stride[1] + w * src.stride[4]] : E(0);
      }
      __syncthreads();
      for (int i = threadIdx.x; i < TW * (TC / VEC); i += blockDim.x) {
        const int wl = i / (TC / VEC), cl = (i % (TC / VEC)) * VEC;
        const int64_t w = w0 + wl, c = c0 + cl;
        if (w < W && c < C) {
          E v[VEC];
#pragma unroll
          for (int j = 0; j < VEC; ++j) v[j] = tile[cl + j][wl];
          st_global_16(o + w * C + c, v);
        }
      }
      __syncthreads();
    }
  }
}

}  // namespace ct3d
