// Hopper wgmma microtest for the 16-bit forward (NOTES v80): products of m64n64k16 bf16 with a 64-byte-swizzled
// K-major B operand (rows of 32 channels, 64 bytes, as the forward's TMA boxes land) started s rows into its 512-byte
// swizzle atom, s = 0..7, for descriptor base offsets 0 (what rowconv_sm90.cuh uses) and (addr >> 7) & 3.  The
// 128-byte-swizzle answer for TF32 is hopper_wgmma_microtest.cu's (base offset 0 at any row).
// Build: nvcc -isystem <cutlass include> -std=c++17 -gencode=arch=compute_90a,code=sm_90a; run on an H100/H200.
#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cute/arch/mma_sm90_gmma.hpp>
#include <utility>

// A: K-major without swizzle, core matrices of 8 rows x 16 bytes; LBO between k chunks, SBO between 8-row groups
__device__ uint64_t desc_a(uint32_t a, uint32_t lbo) {
  return uint64_t((a & 0x3FFFF) >> 4) | (uint64_t(lbo >> 4) << 16) | (uint64_t(128 >> 4) << 32);
}
// B: K-major 64-byte swizzle (layout type 2), 8-row groups 512 bytes apart
__device__ uint64_t desc_b(uint32_t a, int bo) {
  return uint64_t((a & 0x3FFFF) >> 4) | (uint64_t(1) << 16) | (uint64_t(512 >> 4) << 32) | (uint64_t(bo & 7) << 49) |
         (uint64_t(2) << 62);
}
template <size_t... I>
__device__ void mma(uint64_t a, uint64_t b, float (&d)[32], std::index_sequence<I...>) {
  using namespace cute::SM90::GMMA;
  MMA_64x64x16_F32BF16BF16_SS<Major::K, Major::K>::fma(a, b, d[I]...);
}
constexpr int kRows = 72;  // B rows staged: 64 + 8 (the largest start row 7, whole atoms)

__global__ void k(const __nv_bfloat16* A, const __nv_bfloat16* B, float* D, int s, int mode) {
  extern __shared__ __align__(1024) uint8_t sm[];
  const uint32_t base = uint32_t(__cvta_generic_to_shared(sm));
  const uint32_t pad = ((base + 1023) & ~1023u) - base;
  __nv_bfloat16* As = reinterpret_cast<__nv_bfloat16*>(sm + pad);         // 4 chunks x 64 rows x 8 (K = 32): 4 KB
  __nv_bfloat16* Bs = reinterpret_cast<__nv_bfloat16*>(sm + pad + 4096);  // kRows rows x 32, swizzled
  for (int i = threadIdx.x; i < 64 * 32; i += 128) {
    const int m = i / 32, kk = i % 32;
    As[((kk / 8) * 64 + m) * 8 + kk % 8] = A[i];
  }
  for (int i = threadIdx.x; i < kRows * 32; i += 128) {
    const int w = i / 32, kk = i % 32, c = (kk / 8) ^ ((w >> 1) & 3);  // chunk bits 4-5 XOR address bits 7-8
    Bs[w * 32 + c * 8 + kk % 8] = B[i];
  }
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
  float d[32];
  for (int i = 0; i < 32; ++i) d[i] = 0.f;
  cute::warpgroup_arrive();
  const uint32_t a0 = base + pad, b0 = base + pad + 4096 + s * 64;
  for (int kk = 0; kk < 2; ++kk) {  // two k16 steps: A chunks 2 kk, 2 kk + 1; 32 bytes into each B row
    const uint32_t ba = b0 + 32 * kk;
    const int bo = mode == 0 ? 0 : int((ba >> 7) & 3);
    mma(desc_a(a0 + 2 * kk * 1024, 1024), desc_b(ba, bo), d, std::make_index_sequence<32>{});
  }
  cute::warpgroup_commit_batch();
  cute::warpgroup_wait<0>();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  for (int j = 0; j < 8; ++j)
    for (int h = 0; h < 2; ++h)
      for (int e = 0; e < 2; ++e) D[(16 * warp + g + 8 * h) * 64 + 8 * j + 2 * t + e] = d[4 * j + 2 * h + e];
}

int main() {
  __nv_bfloat16 *A, *B;
  float* D;
  for (cudaError_t e : {cudaMallocManaged(&A, 64 * 32 * 2), cudaMallocManaged(&B, kRows * 32 * 2),
                        cudaMallocManaged(&D, 64 * 64 * 4)})
    if (e != cudaSuccess) {
      printf("cudaMallocManaged: %s\n", cudaGetErrorString(e));
      return 2;
    }
  for (int i = 0; i < 64 * 32; ++i) A[i] = __float2bfloat16(float((i * 7) % 5 - 2));
  for (int i = 0; i < kRows * 32; ++i) B[i] = __float2bfloat16(float((i * 13) % 7 - 3));
  cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, 16384);
  int bad = 0;
  for (int mode = 0; mode < 2; ++mode)
    for (int s = 0; s < 8; ++s) {
      for (int i = 0; i < 64 * 64; ++i) D[i] = NAN;
      k<<<1, 128, 16384>>>(A, B, D, s, mode);
      const cudaError_t e = cudaDeviceSynchronize();
      double err = 0;
      for (int m = 0; m < 64; ++m)
        for (int n = 0; n < 64; ++n) {
          double r = 0;
          for (int kk = 0; kk < 32; ++kk) r += double(__bfloat162float(A[m * 32 + kk])) * __bfloat162float(B[(n + s) * 32 + kk]);
          const double x = D[m * 64 + n];
          err = std::isnan(x) ? INFINITY : fmax(err, fabs(r - x));
        }
      if (mode == 0 && err != 0) bad = 1;
      printf("sw64 bf16 base offset %s, start row %d: max err %g (%s)\n", mode == 0 ? "0" : "(addr>>7)&3", s, err,
             cudaGetErrorString(e));
    }
  printf("%s\n", bad ? "FAIL: base offset 0 is wrong at some start row" : "ok: base offset 0 exact at every start row");
  return bad;
}
