// Hopper grad_weight as a plain GEMM over TMA boxes (sm_90a; v116): see HopperWgemmParams for the decomposition.
//
// Per stage (one x row (n, id, ih) of the segment, one 128-byte k-block of iw: 32 fp32 / 64 16-bit positions):
//   C[m = ci][n = box b's column c] += sum over the k-block's positions q of A[ci][q] * B_b[c][q]
//   A:   the x box, M channels x 128 bytes, as TMA lands it in the 128-byte swizzle: the wgmma's K-major A (an NCDHW x
//        has its positions contiguous, so no transform; fp32 rounded to TF32 by its TFLOAT32 map)
//   B_b: box b of the grad_y copy's row of the box's w offset (variant): bc channels x the same 128 bytes of
//        positions; the boxes stacked make one K-major B of N = nbox x bc rows
// Roles: MW consumer warpgroups (64 ci rows each, one m64 nN wgmma per 32-byte k step) and one producer thread
// issuing 1 + nbox TMA loads per stage into a ring of slots (full: landed, empty: multiplied).  No shared-memory pass
// touches the operands: the kernel is the TMA engine and the tensor cores.
// Zero operands (positions past the rows, rows past grad_y) times a non-finite value would put NaN where the true sum
// has no term: a warpgroup whose sums are not all finite recomputes them on CUDA cores with every product masked.
// In place (kInPlace, HopperWgemmParams::inplace: x and grad_y channels_last): the same stages without any copy.  The
// A boxes are x's QB positions of the row x CH = 128 bytes of channels as they lie (5D maps), box b grad_y's positions
// Ew iw + woff[v] of its row x its 64 co in 64 / CH boxes, the map traversing w at the stride (TMA element strides;
// outside grad_y the zero fill, as the copy's zeros).  They land [position][CH channels] in 128-byte swizzled rows.
// v125 (fp16 / bf16, CH 64): those are the wgmma's MN-major operands (K = positions along the rows, 16 a k16 step:
// 2 KB; B's boxes 64 columns of N apart).  v126 (fp32, CH 32; wgmma's TF32 takes K-major operands only): the consumer
// warpgroups transpose each stage's 32 x 32 tiles into one of two K-major buffers (the K-major form's layout) while
// the tensor cores multiply the other, and release the slot as soon as it is read.
#pragma once
#include "sm90_common.cuh"

namespace ct3d {

// One m64 nN wgmma, both operands K-major in shared memory (or, kMN: both MN-major, 16-bit types only; N = 64, 128,
// 192 or 256), fp32 accumulators d[N / 2]: the instruction of N (WgemmPickN) for the traits' element type (TF32, bf16
// or fp16)
template <int N, class O64, class O128, class O192, class O256>
using WgemmPickN =
    std::conditional_t<N == 64, O64, std::conditional_t<N == 128, O128, std::conditional_t<N == 192, O192, O256>>>;
template <class Tr, int N, bool kMN = false>
struct WgemmMma {
  static_assert(N == 64 || N == 128 || N == 192 || N == 256, "N = 64, 128, 192 or 256");
  using E = typename Tr::Element;
  static_assert(!kMN || sizeof(E) == 2, "MN-major operands: 16-bit types (wgmma's TF32 takes K-major ones only)");
  static constexpr auto K = kMN ? cute::SM90::GMMA::Major::MN : cute::SM90::GMMA::Major::K;
  using Op = std::conditional_t<
      std::is_same<E, float>::value,
      WgemmPickN<N, cute::SM90::GMMA::MMA_64x64x8_F32TF32TF32_SS_TN<>,
                 cute::SM90::GMMA::MMA_64x128x8_F32TF32TF32_SS_TN<>,
                 cute::SM90::GMMA::MMA_64x192x8_F32TF32TF32_SS_TN<>,
                 cute::SM90::GMMA::MMA_64x256x8_F32TF32TF32_SS_TN<>>,
      std::conditional_t<std::is_same<E, cutlass::bfloat16_t>::value,
                         WgemmPickN<N, cute::SM90::GMMA::MMA_64x64x16_F32BF16BF16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x128x16_F32BF16BF16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x192x16_F32BF16BF16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x256x16_F32BF16BF16_SS<K, K>>,
                         WgemmPickN<N, cute::SM90::GMMA::MMA_64x64x16_F32F16F16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x128x16_F32F16F16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x192x16_F32F16F16_SS<K, K>,
                                    cute::SM90::GMMA::MMA_64x256x16_F32F16F16_SS<K, K>>>>;
  template <size_t... I>
  CT3D_DEV static void call(uint64_t da, uint64_t db, float (&d)[N / 2], std::index_sequence<I...>) {
    Op::fma(da, db, d[I]...);
  }
  CT3D_DEV static void mma(uint64_t da, uint64_t db, float (&d)[N / 2]) {
    call(da, db, d, std::make_index_sequence<N / 2>{});
  }
};

CT3D_DEV float4 ld_shared_f4(uint32_t a) {
  float4 v;
  asm volatile("ld.shared.v4.f32 {%0, %1, %2, %3}, [%4];\n" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(a));
  return v;
}
CT3D_DEV void st_shared_f4(uint32_t a, float x, float y, float z, float w) {
  asm volatile("st.shared.v4.f32 [%0], {%1, %2, %3, %4};\n" ::"r"(a), "f"(x), "f"(y), "f"(z), "f"(w) : "memory");
}

// v126: block q (0..63) of a 32 x 32 fp32 tile transposed from raw (as the TMA lands it) into kt (the K-major
// operand's rows): see WgemmTransposeBlock
CT3D_DEV void wgemm_transpose_block(uint32_t raw, uint32_t kt, int q) {
  const WgemmTransposeBlock b(q);
  float4 v[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) v[i] = ld_shared_f4(raw + uint32_t(b.read(i)));  // position 4 pb + i, 4 channels
  st_shared_f4(kt + uint32_t(b.write(0)), v[0].x, v[1].x, v[2].x, v[3].x);     // channel 4 cb + j, 4 positions
  st_shared_f4(kt + uint32_t(b.write(1)), v[0].y, v[1].y, v[2].y, v[3].y);
  st_shared_f4(kt + uint32_t(b.write(2)), v[0].z, v[1].z, v[2].z, v[3].z);
  st_shared_f4(kt + uint32_t(b.write(3)), v[0].w, v[1].w, v[2].w, v[3].w);
}

// the consumer warpgroups' own barrier (id 8: warpgroup_sync takes 1-4)
CT3D_DEV void consumers_sync(int threads) { asm volatile("bar.sync 8, %0;\n" ::"r"(threads) : "memory"); }

// RB: the bytes of a k-block row, 128 (the 128-byte swizzle) or, for 16-bit types on rows of at most 32 positions past
// a multiple of 64, 64 (the 64-byte swizzle: 32 positions, so a 32-wide row carries no zeros); kInPlace (v125 /
// v126): the operands read in place (see the top)
template <class Tr, int MW, int N, int RB, bool kInPlace>
__global__ void __launch_bounds__(HopperWgemmTiles::cta_threads(MW), 1)
    hopper_wgemm_kernel(const __grid_constant__ CUtensorMap xmap, const __grid_constant__ CUtensorMap ymap,
                        const __grid_constant__ HopperWgemmParams p) {
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Bar = cutlass::arch::ClusterTransactionBarrier;
  using E = typename Tr::Element;
  static_assert(RB == 128 || (RB == 64 && sizeof(E) == 2), "128-byte rows, or 64-byte rows of a 16-bit type");
  constexpr int T = HopperWgemmTiles::kThreads, QB = RB / int(sizeof(E)), NACC = N / 2;
  // in place: boxes of QB positions x CH channels (128-byte rows, SUB bytes); kMN: the operands as they land (v125),
  // kT: transposed into the K-major buffers (v126)
  constexpr bool kMN = kInPlace && sizeof(E) == 2, kT = kInPlace && sizeof(E) == 4;
  constexpr int CH = 128 / int(sizeof(E));
  constexpr uint32_t SUB = QB * 128;
  extern __shared__ __align__(1024) uint8_t smem[];
  uint64_t* const full = reinterpret_cast<uint64_t*>(smem);
  uint64_t* const empty = full + HopperWgemmTiles::kMaxRing;
  const uint32_t smem_a = uint32_t(__cvta_generic_to_shared(smem));
  uint8_t* const slots = smem + (((smem_a + HopperWgemmTiles::kBarBytes + 1023) & ~1023u) - smem_a);
  const int tid = threadIdx.x, lane = tid % 32, R = p.ring;
  const WgemmCta cta(p, int(blockIdx.x));
  const HopperWgemmSet& S = p.set[cta.set];
  const int stages = (cta.r1 - cta.r0) * p.katoms;
  if (tid == 0) {
    for (int i = 0; i < R; ++i) {
      Bar::init(&full[i], 1);        // the producer's expect-tx arrival
      Bar::init(&empty[i], 4 * MW);  // every consumer warp
    }
    cutlass::arch::fence_barrier_init();
  }
  __syncthreads();

  if (tid >= MW * T) {  // producer warp: one thread issues every load
    if (lane == 0 && stages > 0) {
      const uint32_t bytes = uint32_t(p.M + S.nbox * p.bc) * uint32_t(RB);
      const int xc = cta.group * p.Kc + cta.cib * p.M, yc = cta.group * p.Nc;
      WgemmRow rw(S, cta.r0);
      for (int t = 0, sl = 0, ph = 0, kb = 0; t < stages; ++t) {
        if (t >= R) Bar::wait(&empty[sl], ph ^ 1);
        uint8_t* const slot = slots + sl * p.slot_bytes;
        Bar::arrive_and_expect_tx(&full[sl], bytes);
        const int iw = kb * QB;
        if constexpr (kInPlace) {  // (A: M / CH boxes; box b: 64 / CH of its co, consecutive)
          int c[5];
          for (int i = 0; i < MW * 64 / CH; ++i) {
            wgemm_inplace_x(rw, xc, iw, CH * i, c);
            tma_load_5d(&xmap, &full[sl], slot + i * SUB, c[0], c[1], c[2], c[3], c[4]);
          }
          for (int b = 0; b < S.nbox; ++b)
            for (int h = 0; h < 64 / CH; ++h) {
              wgemm_inplace_gy(p, S.box[b], rw, yc, iw, CH * h, c);
              tma_load_5d(&ymap, &full[sl], slot + p.b_off + (b * (64 / CH) + h) * SUB, c[0], c[1], c[2], c[3], c[4]);
            }
        } else {
          tma_load_4d(&xmap, &full[sl], slot, iw, rw.ih, rw.id, rw.n * p.Cin + xc);
          for (int b = 0; b < S.nbox; ++b) {
            const HopperWgemmBox& bx = S.box[b];
            tma_load_5d(&ymap, &full[sl], slot + p.b_off + b * p.bc * RB, iw, bx.v, p.Eh * rw.ih + bx.dh,
                        p.Ed * rw.id + bx.dd, rw.n * p.Cout + yc + bx.co0);
          }
        }
        if (++sl == R) sl = 0, ph ^= 1;
        if (++kb == p.katoms) kb = 0, rw.next(S);
      }
    }
    return;
  }

  // consumer warpgroup wg: ci rows 64 wg .. 64 wg + 63 of the M-channel block
  const int wg = tid / T, warp = tid % T / 32, g8 = lane / 4, t4 = lane % 4;
  float acc[NACC];
#pragma unroll
  for (int e = 0; e < NACC; ++e) acc[e] = 0.f;
  const uint32_t s0 = uint32_t(__cvta_generic_to_shared(slots));
  // (v126's loop apart: one loop for both, the transposition's stage advance inside it, made ptxas serialise every fp32
  // in-place instance's wgmmas, C7515)
  if constexpr (kT) {
    // v126: stage t's tiles transposed into K-major buffer t % 2 (past the ring) by all consumer threads, the slot
    // released once read; stage t's wgmmas run while stage t + 1 is transposed into the other buffer, which the
    // wgmmas of stage t - 1 must have finished reading in every warpgroup (wait<1>, then the barrier)
    const uint32_t k0 = s0 + uint32_t(R * p.slot_bytes);
    const int blocks = (MW * 2 + S.nbox * 2) * 64;  // 32 x 32 tiles of x and of the live boxes, 64 blocks each
    auto transpose = [&](int sl, int buf) {
      const uint32_t raw = s0 + uint32_t(sl * p.slot_bytes), kt = k0 + uint32_t(buf * p.slot_bytes);
#pragma unroll 1  // (one block's 16 values live at a time, next to the accumulators)
      for (int q = tid; q < blocks; q += MW * T)
        wgemm_transpose_block(raw + uint32_t((q >> 6) * 4096), kt + uint32_t((q >> 6) * 4096), q & 63);
      fence_proxy_async();  // (the wgmmas read the buffer through the async proxy)
      if (lane == 0) Bar::arrive(&empty[sl]);
      consumers_sync(MW * T);
    };
    int sl = 0, ph = 0;
    if (stages > 0) {
      Bar::wait(&full[0], 0);
      transpose(0, 0);
      if (++sl == R) sl = 0, ph ^= 1;
    }
    for (int t = 0; t < stages; ++t) {
      const uint32_t kt = k0 + uint32_t((t & 1) * p.slot_bytes);
      const uint32_t sa = kt + uint32_t(wg * 64 * RB), sb = kt + uint32_t(p.b_off);
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      cute::warpgroup_arrive();
#pragma unroll
      for (int kk = 0; kk < RB / 32; ++kk)
        WgemmMma<Tr, N>::mma(gmma_desc_swizzled<RB>(sa + 32 * kk), gmma_desc_swizzled<RB>(sb + 32 * kk), acc);
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<1>();
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      if (t + 1 < stages) {
        consumers_sync(MW * T);  // (every warpgroup's stage t - 1 done: buffer (t + 1) % 2 is free)
        Bar::wait(&full[sl], ph);
        transpose(sl, (t + 1) & 1);
        if (++sl == R) sl = 0, ph ^= 1;
      }
    }
  } else {
    // one stage's wgmmas in flight while the next slot is waited for: a slot is released a stage later
    for (int t = 0, sl = 0, ph = 0; t < stages; ++t) {
      Bar::wait(&full[sl], ph);
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      cute::warpgroup_arrive();
      const uint32_t sa = s0 + uint32_t(sl * p.slot_bytes) + uint32_t(wg * 64 * RB),
                     sb = s0 + uint32_t(sl * p.slot_bytes + p.b_off);
#pragma unroll
      for (int kk = 0; kk < RB / 32; ++kk) {  // 32-byte k steps (K-major: along the rows; kMN: 16 rows, 2 KB)
        if constexpr (kMN)
          WgemmMma<Tr, N, true>::mma(gmma_desc_mn_sw128(sa + 2048 * kk, SUB), gmma_desc_mn_sw128(sb + 2048 * kk, SUB),
                                     acc);
        else
          WgemmMma<Tr, N>::mma(gmma_desc_swizzled<RB>(sa + 32 * kk), gmma_desc_swizzled<RB>(sb + 32 * kk), acc);
      }
      cute::warpgroup_commit_batch();
      cute::warpgroup_wait<1>();
#pragma unroll
      for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");
      if (t > 0 && lane == 0) Bar::arrive(&empty[sl == 0 ? R - 1 : sl - 1]);
      if (++sl == R) sl = 0, ph ^= 1;
    }
  }
  cute::warpgroup_wait<0>();
#pragma unroll
  for (int e = 0; e < NACC; ++e) asm volatile("" : "+f"(acc[e])::"memory");

  // columns of dead boxes (>= nbox) hold products of whatever their slot held: not checked, not stored
  float nf[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
  for (int e = 0; e < NACC; ++e)
    if ((8 * (e / 4)) / p.bc < S.nbox) nf[e % 4] = fmaf(acc[e], 0.f, nf[e % 4]);
  const bool masked = warpgroup_sync_or(wg, isnan(nf[0] + nf[1] + nf[2] + nf[3]));
  const int chunk = int(blockIdx.x / unsigned(p.nseg));
  float* const ws = static_cast<float*>(p.ws) + (int64_t(chunk) * p.groups + cta.group) * p.taps * p.Kc * p.Nc;
  const int ci_base = cta.cib * p.M + 64 * wg;
  if (!masked) {
    // accumulator e = 4 j + 2 h + (0, 1): row m = 16 warp + g8 + 8 h, column n = 8 j + 2 t4 (+ 1)
#pragma unroll
    for (int j = 0; j < NACC / 4; ++j) {
      const int n = 8 * j + 2 * t4, b = n / p.bc;
      if (b >= S.nbox) continue;
      const HopperWgemmBox& bx = S.box[b];
      float* const col = ws + int64_t(bx.tap) * p.Kc * p.Nc + bx.co0 + n % p.bc;
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int ci = ci_base + 16 * warp + g8 + 8 * h;
        *reinterpret_cast<float2*>(col + int64_t(ci) * p.Nc) = make_float2(acc[4 * j + 2 * h], acc[4 * j + 2 * h + 1]);
      }
    }
    return;
  }
  // masked: each sum over the chunk's rows and positions, products only where both operands are inside the tensors
  // (the caller's grad_y, not the copy)
  const E* x = static_cast<const E*>(p.x.data);
  const E* gy = static_cast<const E*>(p.gy.data);
  const int cols = S.nbox * p.bc;
  for (int idx = tid % T; idx < 64 * cols; idx += T) {
    const int m = idx / cols, n = idx % cols;
    const HopperWgemmBox& bx = S.box[n / p.bc];
    const int64_t cig = int64_t(cta.group) * p.Kc + ci_base + m, cog = int64_t(cta.group) * p.Nc + bx.co0 + n % p.bc;
    const int woff = p.woff[bx.v];
    float s = 0.f;
    WgemmRow rw(S, cta.r0);
    for (int r = cta.r0; r < cta.r1; ++r, rw.next(S)) {
      const int64_t od = int64_t(p.Ed) * rw.id + bx.dd, oh = int64_t(p.Eh) * rw.ih + bx.dh;
      if (od < 0 || od >= p.OD || oh < 0 || oh >= p.OH) continue;
      const E* xr = x + rw.n * p.x.stride[0] + cig * p.x.stride[1] + rw.id * p.x.stride[2] + rw.ih * p.x.stride[3];
      const E* gr = gy + rw.n * p.gy.stride[0] + cog * p.gy.stride[1] + od * p.gy.stride[2] + oh * p.gy.stride[3];
      for (int iw = 0; iw < p.IW; ++iw) {
        const int64_t ow = int64_t(p.Ew) * iw + woff;
        if (ow < 0 || ow >= p.OW) continue;
        const float xv = float(xr[iw * p.x.stride[4]]), gv = float(gr[ow * p.gy.stride[4]]);
        if constexpr (Tr::kTF32)
          s = fmaf(__uint_as_float(tf32_round_clear(xv)), __uint_as_float(tf32_round_clear(gv)), s);
        else
          s = fmaf(xv, gv, s);
      }
    }
    ws[(int64_t(bx.tap) * p.Kc + ci_base + m) * p.Nc + bx.co0 + n % p.bc] = s;
  }
#endif
}

// The copy: gyv[n][co][od][oh][v][j] = gy[n][co][od][oh][Ew j + woff[v]] (0 outside the row, and for j >= IW: x's
// zeros there need no grad_y value, so no NaN from inf x 0), read from any strides.  A warp per run of kCopyRows
// consecutive rows (n, co, od, oh), decoded once and then stepped (call 2's ncu: a decode per row -- three divisions --
// left the copy issue-bound, 190 us for vnet-128-64's 335 MB); a row's j along the lanes: an NCDHW row's reads of
// one variant span Ew x 32 elements and the other variants' hit L1, the writes are whole 128-byte lines.
constexpr int kCopyRows = 16;
template <class E>
__global__ void __launch_bounds__(256) wgemm_variant_copy_kernel(const __grid_constant__ HopperWgemmParams p) {
  const E* __restrict__ const gy = static_cast<const E*>(p.gy.data);
  E* __restrict__ const out = static_cast<E*>(p.gyv);
  const int rows = p.N * p.Cout * p.OD * p.OH;  // (< 2^31: the plan)
  const int lane = threadIdx.x % 32, nwarps = gridDim.x * (blockDim.x / 32);
  const int64_t sw = p.gy.stride[4];
  for (int r0 = (blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32) * kCopyRows; r0 < rows;
       r0 += nwarps * kCopyRows) {
    int q = r0;
    int oh = q % p.OH;
    q /= p.OH;
    int od = q % p.OD;
    q /= p.OD;
    int co = q % p.Cout, n = q / p.Cout;
    const int r1 = min(rows, r0 + kCopyRows);
    for (int row = r0; row < r1; ++row) {
      const E* const src = gy + n * p.gy.stride[0] + co * p.gy.stride[1] + od * p.gy.stride[2] + oh * p.gy.stride[3];
      E* const dst = out + int64_t(row) * p.nvar * p.Jw;
      // (a loop over the variants unrolled to kMaxVar with predicates issued every one of them: call 3's ncu, SM
      // throughput 72% fp32, 92% bf16)
      for (int j = lane; j < p.Jw; j += 32) {
        const int ow0 = p.Ew * j;
        const bool in_x = j < p.IW;
#pragma unroll 4
        for (int v = 0; v < p.nvar; ++v) {
          const int ow = ow0 + p.woff[v];
          dst[v * p.Jw + j] = in_x && ow >= 0 && ow < p.OW ? src[ow * sw] : E(0.f);
        }
      }
      if (++oh == p.OH) {
        oh = 0;
        if (++od == p.OD) {
          od = 0;
          if (++co == p.Cout) co = 0, ++n;
        }
      }
    }
  }
}

// The copy by tiles (a grad_y whose channels have unit stride, channels_last; or any, CUTLASS_CONVT3D_SM90_WGEMM_TILES):
// a block per (grad_y row (n, od, oh), 32 co) stages the row's OW x 32 values through shared memory, then writes each
// co's variant rows along j as the per-row copy does.  Loads: 16-byte channel vectors where the channels have unit
// stride and every position's 32 channels start on a vector (channels_last), else elements along whichever of channel
// or w has unit stride; either way kLoads of them in flight per thread before any lands in shared memory (one at a
// time, s48a's ncu: 236 us for 315 MB on vnet-128-64, DRAM 40%: ~8 KB in flight per SM caps it near 1.3 TB/s).
// Staged as floats at a pitch of 33: a warp's vector loads land on banks ow + VE cv + i (ow over 32 / NV positions,
// conflict-free), element loads on ow + c, and lanes reading positions Ew j + woff hit (Ew j + woff + c) mod 32:
// conflict-free at Ew odd, 2-way at Ew 2.
template <class E>
__global__ void __launch_bounds__(HopperWgemmTiles::kCopyThreads) wgemm_variant_copy_tiles_kernel(const __grid_constant__ HopperWgemmParams p) {
  constexpr int T = HopperWgemmTiles::kCopyTile, LD = T + 1, VE = 16 / int(sizeof(E)), NV = T / VE, kLoads = 4;
  extern __shared__ float tile[];  // [OW][LD]
  const E* __restrict__ const gy = static_cast<const E*>(p.gy.data);
  int q = blockIdx.x;
  const int oh = q % p.OH;
  q /= p.OH;
  const int od = q % p.OD, n = q / p.OD, co0 = blockIdx.y * T, nt = blockDim.x;
  const E* const src = gy + n * p.gy.stride[0] + co0 * p.gy.stride[1] + od * p.gy.stride[2] + oh * p.gy.stride[3];
  const int64_t sw = p.gy.stride[4];
  if (p.gy.stride[1] == 1 && ((reinterpret_cast<uintptr_t>(src) | uintptr_t(sw * int64_t(sizeof(E)))) & 15) == 0) {
    const int nvec = p.OW * NV;
    for (int e0 = threadIdx.x; e0 < nvec; e0 += kLoads * nt) {
      uint4 r[kLoads];
#pragma unroll
      for (int u = 0; u < kLoads; ++u) {
        const int e = e0 + u * nt;
        if (e < nvec) r[u] = *reinterpret_cast<const uint4*>(src + (e / NV) * sw + (e % NV) * VE);
      }
#pragma unroll
      for (int u = 0; u < kLoads; ++u) {
        const int e = e0 + u * nt;
        if (e < nvec) {
          E v[VE];
          memcpy(v, &r[u], 16);
          float* const t = tile + (e / NV) * LD + (e % NV) * VE;
#pragma unroll
          for (int i = 0; i < VE; ++i) t[i] = float(v[i]);
        }
      }
    }
  } else {
    const bool cfast = p.gy.stride[1] == 1;
    const int owt = cfast ? p.OW : (p.OW + 31) / 32 * 32;  // (lanes along w: whole warps per channel row)
    const int ne = owt * T;
    for (int e0 = threadIdx.x; e0 < ne; e0 += kLoads * nt) {
      float r[kLoads];
#pragma unroll
      for (int u = 0; u < kLoads; ++u) {
        const int e = e0 + u * nt, ow = cfast ? e / T : e % owt, c = cfast ? e % T : e / owt;
        if (e < ne && ow < p.OW) r[u] = float(src[c * p.gy.stride[1] + ow * sw]);
      }
#pragma unroll
      for (int u = 0; u < kLoads; ++u) {
        const int e = e0 + u * nt, ow = cfast ? e / T : e % owt, c = cfast ? e % T : e / owt;
        if (e < ne && ow < p.OW) tile[ow * LD + c] = r[u];
      }
    }
  }
  __syncthreads();
  if (p.gycl) {  // the both-gradients op's channels_last copy for grad_input: [n][od][oh][ow][co], 16-byte vectors
    // (the plan: gycl 16-byte aligned, Cout a multiple of 32)
    E* const cl = static_cast<E*>(p.gycl) + ((int64_t(n) * p.OD + od) * p.OH + oh) * (int64_t(p.OW) * p.Cout) + co0;
    for (int e = threadIdx.x; e < p.OW * NV; e += nt) {
      const int ow = e / NV, c = e % NV * VE;
      E v[VE];
#pragma unroll
      for (int i = 0; i < VE; ++i) {
        float f = tile[ow * LD + c + i];
        if constexpr (std::is_same<E, float>::value)
          if (p.gycl_round) f = __uint_as_float(tf32_round_clear(f));
        v[i] = E(f);
      }
      uint4 u;
      memcpy(&u, v, 16);
      st_global_v4(cl + int64_t(ow) * p.Cout + c, u);
    }
  }
  // the variant rows as 16-byte vectors of VE consecutive j (Jw is a whole number of k-blocks, so of vectors, and rows
  // start on one): lanes (channel, 4 consecutive vectors) make 64-byte runs of 8 rows a warp, and read the staging at
  // banks (Ew VE jl + c) mod 32 (fp32, Ew 2: conflict-free; 16-bit: 2-way); 4-byte stores per element were SM-bound
  // (84%, v119a)
  constexpr int LJ = 4, CPB = HopperWgemmTiles::kCopyThreads / LJ / T;  // lanes per channel row, channel sets a block
  static_assert(CPB >= 1 && CPB * LJ * T == HopperWgemmTiles::kCopyThreads, "the block's lanes cover its channels");
  const int jl = threadIdx.x % LJ, c = threadIdx.x / LJ % T, js = threadIdx.x / (LJ * T);
  const int nq = p.Jw / VE;
  E* const dst = static_cast<E*>(p.gyv) + ((int64_t(n) * p.Cout + co0 + c) * p.OD * p.OH + int64_t(od) * p.OH + oh) *
                                              int64_t(p.nvar) * p.Jw;
  for (int v = 0; v < p.nvar; ++v)
    for (int jq = js * LJ + jl; jq < nq; jq += CPB * LJ) {
      E o[VE];
#pragma unroll
      for (int i = 0; i < VE; ++i) {
        const int j = VE * jq + i, ow = p.Ew * j + p.woff[v];
        o[i] = j < p.IW && ow >= 0 && ow < p.OW ? E(tile[ow * LD + c]) : E(0.f);
      }
      uint4 u;
      memcpy(&u, o, 16);
      st_global_v4(dst + v * p.Jw + VE * jq, u);
    }
}

// x to the dense NCDHW copy the A map reads (rows at a pitch of xpitch): a block per (x row (n, id, ih), 32 positions,
// 32 channels) through shared memory, loading along whichever of channel or w has unit stride and storing along w
template <class E>
__global__ void __launch_bounds__(256) wgemm_x_ncdhw_kernel(const __grid_constant__ HopperWgemmParams p) {
  constexpr int T = HopperWgemmTiles::kCopyTile;
  __shared__ E tile[T][T + 1];  // [channel][w]
  const TensorRef5& xs = p.xsrc;
  int q = blockIdx.x;
  const int ih = q % p.IH;
  q /= p.IH;
  const int id = q % p.ID, n = q / p.ID, w0 = blockIdx.y * T, c0 = blockIdx.z * T;
  const E* const src = static_cast<const E*>(xs.data) + n * xs.stride[0] + c0 * xs.stride[1] + id * xs.stride[2] +
                       ih * xs.stride[3] + w0 * xs.stride[4];
  const bool wfast = xs.stride[4] == 1;
  const int tx = threadIdx.x % T, ty = threadIdx.x / T, rows = blockDim.x / T;
  for (int i = ty; i < T; i += rows) {  // lanes along the unit-stride dimension
    const int c = wfast ? i : tx, w = wfast ? tx : i;
    if (w0 + w < p.IW) tile[c][w] = src[c * xs.stride[1] + w * xs.stride[4]];
  }
  __syncthreads();
  E* const dst = static_cast<E*>(p.x.data) + ((int64_t(n) * p.Cin + c0) * p.ID * p.IH + int64_t(id) * p.IH + ih) *
                                                 int64_t(p.xpitch) + w0;
  for (int c = ty; c < T; c += rows)
    if (w0 + tx < p.IW) dst[int64_t(c) * p.x.stride[1] + tx] = tile[c][tx];
}

}  // namespace ct3d
