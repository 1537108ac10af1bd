// Precision policies: how a warp turns shared-memory operands into one 16x8 tile of C += A*B over kK.
// The kernels are written once against this interface; each policy picks the CUTLASS SM80 tensor-core
// instruction (cutlass::arch::Mma) and the operand conversion:
//   TF32   fp32 tensors, operands rounded to nearest TF32 as fragments are loaded (cuDNN's allow_tf32 math)
//   Exact  fp32 tensors, 3xTF32 big/small split (as CUTLASS's OpMultiplyAddFastF32): fp32-accurate
//   F16 / BF16  16-bit tensors, fp32 accumulation
//   F64    double tensors on the FP64 tensor cores (DMMA 8x8x4)
// Fragment ownership follows mma.m16n8k8: g = lane/4, t = lane%4; C elements (g,2t),(g,2t+1),(g+8,2t),(g+8,2t+1).
#pragma once
#include <cstdint>
#include <cutlass/arch/mma.h>
#include <cutlass/arch/mma_sm80.h>
#include <cutlass/array.h>
#include <cutlass/numeric_conversion.h>
#include <cutlass/numeric_types.h>

#include "convt3d_problem.h"

#define CT3D_DEV __device__ __forceinline__

namespace ct3d {

// Round to nearest-even TF32 as a fragment is loaded (operands reach shared memory raw through cp.async).
// Ties to even, as cuDNN: ties away (cvt.rna) moves about one product in 8K by a TF32 ulp, enough for
// 1e-4 differences on the mission shape.  sm_90 has it in one instruction; sm_80 adds half an ulp
// (+ the even bit) and lets the tensor core drop the low 13 bits.  inf and NaN pass through unchanged.
CT3D_DEV uint32_t tf32_round(float v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  uint32_t r;
  asm("cvt.rn.tf32.f32 %0, %1;" : "=r"(r) : "f"(v));
  return r;
#else
  const uint32_t u = __float_as_uint(v);
  return isfinite(v) ? u + 0xfffu + ((u >> 13) & 1u) : u;
#endif
}

// ... with the low 13 bits cleared, so that a stored operand is a TF32 value any reader takes as is (rounding it
// again changes nothing; sm_80's tf32_round leaves them to the tensor core).  inf and NaN unchanged.
CT3D_DEV uint32_t tf32_round_clear(float v) {
  return isfinite(v) ? tf32_round(v) & 0xffffe000u : __float_as_uint(v);
}
// ... of the four fp32 words of a 16-byte vector, in place
CT3D_DEV void tf32_round_clear(uint4& v) {
  v.x = tf32_round_clear(__uint_as_float(v.x));
  v.y = tf32_round_clear(__uint_as_float(v.y));
  v.z = tf32_round_clear(__uint_as_float(v.z));
  v.w = tf32_round_clear(__uint_as_float(v.w));
}

struct PolicyTF32 {
  using Element = float;  // tensor element in global memory
  using Smem = float;     // staged operand, raw fp32 (rounded at fragment load)
  using Acc = float;
  static constexpr bool kSplitAcc = false;
  static constexpr bool kAsync = true;  // stage through cp.async
  // vector-staged slabs come from rows with one 16-byte phase (the plan checks): the kernels fold it into tap
  // offsets rather than reading a shift per channel (see SlabLoader::load_async_vec)
  static constexpr bool kChannelShifts = false;
  static constexpr int kK = 8;
  static constexpr int kStage = 20;  // register-staged slab elements per thread
  static constexpr int kMinBlocks = 4;  // CTAs per SM the register budget is cut for (no staging registers)
  // cp.async pipeline depth of the row-conv kernels where shared memory allows (see kernel_launch): two for fp32,
  // whose deeper pipelines measured no faster (H200 TF32 at three stages: -5..+2% by case; the run-time depth
  // itself cost 3-9% at two)
  static constexpr int kMaxStages = 2;
  struct FragA { uint32_t r[4]; };
  struct FragB { uint32_t r[2]; };
  CT3D_DEV static Smem to_smem(Element v) { return v; }
  CT3D_DEV static Acc to_acc(Element v) { return v; }
  CT3D_DEV static Element from_acc(Acc v) { return v; }
  template <class F> CT3D_DEV static FragA load_a(F a, int g, int t) {
    return FragA{{tf32_round(a(g, t)), tf32_round(a(g + 8, t)), tf32_round(a(g, t + 4)), tf32_round(a(g + 8, t + 4))}};
  }
  template <class F> CT3D_DEV static FragB load_b(F b, int g, int t) {
    return FragB{{tf32_round(b(t, g)), tf32_round(b(t + 4, g))}};
  }
  CT3D_DEV static void mma(Acc (&c)[4], FragA const& a, FragB const& b) {
    using Op = cutlass::arch::Mma<cutlass::gemm::GemmShape<16, 8, 8>, 32, cutlass::tfloat32_t,
                                  cutlass::layout::RowMajor, cutlass::tfloat32_t, cutlass::layout::ColumnMajor,
                                  float, cutlass::layout::RowMajor, cutlass::arch::OpMultiplyAdd>;
    auto& C = reinterpret_cast<Op::FragmentC&>(c);
    Op{}(C, reinterpret_cast<Op::FragmentA const&>(a), reinterpret_cast<Op::FragmentB const&>(b), C);
  }
};

// PolicyTF32 over operands already rounded to nearest TF32 in memory (TapGemmParams::ab_rounded): the fragments take
// their bits as they are (the tensor cores ignore the low 13 bits, which the rounding cleared)
struct PolicyTF32Rounded : PolicyTF32 {
  template <class F> CT3D_DEV static FragA load_a(F a, int g, int t) {
    return FragA{{__float_as_uint(a(g, t)), __float_as_uint(a(g + 8, t)), __float_as_uint(a(g, t + 4)),
                  __float_as_uint(a(g + 8, t + 4))}};
  }
  template <class F> CT3D_DEV static FragB load_b(F b, int g, int t) {
    return FragB{{__float_as_uint(b(t, g)), __float_as_uint(b(t + 4, g))}};
  }
};

struct PolicyExact {
  using Element = float;
  using Smem = float;  // raw fp32; split at fragment load
  using Acc = float;
  static constexpr int kK = 8;
  static constexpr int kStage = 20;
  static constexpr int kMinBlocks = 2;
  static constexpr int kMaxStages = 2;
  static constexpr bool kAsync = true;
  static constexpr bool kChannelShifts = false;
  // The tensor cores' fp32 accumulation is not IEEE round-to-nearest, so its error grows with K; exact mode
  // sums each step's products in a fresh fragment and adds that to the running sum with an IEEE FADD.
  static constexpr bool kSplitAcc = true;
  // big/small split, and the finite part of big (0 for inf/NaN) for the cross terms: x = inf splits into
  // (inf, 0), and inf * 0 in a cross term would turn a correct inf into NaN.
  struct FragA { uint32_t big[4], small[4], fin[4]; };
  struct FragB { uint32_t big[2], small[2], fin[2]; };
  CT3D_DEV static Smem to_smem(Element v) { return v; }
  CT3D_DEV static Acc to_acc(Element v) { return v; }
  CT3D_DEV static Element from_acc(Acc v) { return v; }
  // One conversion instruction per part (the split runs on every fragment element, 16 per warp k-step, and
  // was ~25 instructions through CUTLASS's converter).  big keeps its low 13 bits cleared so that v - big is
  // the exact remainder of what the tensor core multiplies; small's low bits the tensor core ignores.  Ties of
  // big may go either way (sm_80 has only cvt.rna): |small| <= half a TF32 ulp of v holds for both.
  CT3D_DEV static uint32_t to_tf32(float v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    return tf32_round(v);  // cvt.rn.tf32
#else
    uint32_t r;  // tf32_round's sm_80 form is several instructions and passes NaN bits the mask could turn into inf
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(v));
    return r;
#endif
  }
  CT3D_DEV static void split(float v, uint32_t& big, uint32_t& small, uint32_t& fin) {
    big = to_tf32(v) & 0xffffe000u;  // inf stays inf, NaN stays NaN (canonical NaN's high mantissa bits)
    const float b = __uint_as_float(big);
    const bool finite = fabsf(b) < __int_as_float(0x7f800000);  // false for inf, NaN and a round-up to inf
    small = finite ? to_tf32(v - b) : 0u;
    fin = finite ? big : 0u;
  }
  template <class F> CT3D_DEV static FragA load_a(F a, int g, int t) {
    FragA f;
    split(a(g, t), f.big[0], f.small[0], f.fin[0]);
    split(a(g + 8, t), f.big[1], f.small[1], f.fin[1]);
    split(a(g, t + 4), f.big[2], f.small[2], f.fin[2]);
    split(a(g + 8, t + 4), f.big[3], f.small[3], f.fin[3]);
    return f;
  }
  template <class F> CT3D_DEV static FragB load_b(F b, int g, int t) {
    FragB f;
    split(b(t, g), f.big[0], f.small[0], f.fin[0]);
    split(b(t + 4, g), f.big[1], f.small[1], f.fin[1]);
    return f;
  }
  CT3D_DEV static void mma(Acc (&c)[4], FragA const& a, FragB const& b) {
    // small terms first so they are not lost against the big product (a_small*b_small is below fp32 ulp)
    PolicyTF32::mma(c, PolicyTF32::FragA{{a.small[0], a.small[1], a.small[2], a.small[3]}},
                    PolicyTF32::FragB{{b.fin[0], b.fin[1]}});
    PolicyTF32::mma(c, PolicyTF32::FragA{{a.fin[0], a.fin[1], a.fin[2], a.fin[3]}},
                    PolicyTF32::FragB{{b.small[0], b.small[1]}});
    PolicyTF32::mma(c, PolicyTF32::FragA{{a.big[0], a.big[1], a.big[2], a.big[3]}},
                    PolicyTF32::FragB{{b.big[0], b.big[1]}});
  }
};

// The big and small TF32 parts of each word of a 16-byte fp32 vector, as the sm_80 exact path splits its fragments
// (PolicyExact::split: small = 0 where big is not finite, inf - inf would be NaN; the Hopper kernels then recompute
// such sums with every product masked): v becomes the big parts, the small ones are returned.  (The Hopper
// grad_weight's transform and the exact Hopper forward's restaging copy.)
CT3D_DEV uint4 tf32_split(uint4& v) {
  uint4 s;
  uint32_t fin;
  PolicyExact::split(__uint_as_float(v.x), v.x, s.x, fin);
  PolicyExact::split(__uint_as_float(v.y), v.y, s.y, fin);
  PolicyExact::split(__uint_as_float(v.z), v.z, s.z, fin);
  PolicyExact::split(__uint_as_float(v.w), v.w, s.w, fin);
  return s;
}

// T: cutlass::half_t or cutlass::bfloat16_t.  Two staging variants, chosen per launch: kCopies = false stages
// through registers where 16-byte copies do not apply (cp.async moves >= 4 bytes); kCopies = true (Async) is
// for launches whose slabs and weights all move as 16-byte cp.async, and so keeps no staging registers.
template <class T, bool kCopies = false>
struct Policy16 {
  using Element = T;
  using Smem = T;
  using Acc = float;
  using Async = Policy16<T, true>;
  static constexpr bool kSplitAcc = false;
  static constexpr bool kAsync = kCopies;
  // 2-byte rows: any unit-stride row qualifies for vector staging, each channel row with its own phase
  static constexpr bool kChannelShifts = kCopies;
  static constexpr int kK = 16;
  static constexpr int kStage = 20;
  static constexpr int kMinBlocks = 3;
  static constexpr int kMaxStages = 4;  // H200 bf16: -2..-10% against two stages (the register path keeps two)
  struct FragA { uint32_t r[4]; };
  struct FragB { uint32_t r[2]; };
  CT3D_DEV static Smem to_smem(Element v) { return v; }
  CT3D_DEV static Acc to_acc(Element v) { return float(v); }
  CT3D_DEV static Element from_acc(Acc v) { return Element(v); }
  CT3D_DEV static uint32_t pack(T lo, T hi) { return uint32_t(lo.raw()) | (uint32_t(hi.raw()) << 16); }
  template <class F> CT3D_DEV static FragA load_a(F a, int g, int t) {
    int k = 2 * t;
    return FragA{{pack(a(g, k), a(g, k + 1)), pack(a(g + 8, k), a(g + 8, k + 1)), pack(a(g, k + 8), a(g, k + 9)),
                  pack(a(g + 8, k + 8), a(g + 8, k + 9))}};
  }
  template <class F> CT3D_DEV static FragB load_b(F b, int g, int t) {
    int k = 2 * t;
    return FragB{{pack(b(k, g), b(k + 1, g)), pack(b(k + 8, g), b(k + 9, g))}};
  }
  CT3D_DEV static void mma(Acc (&c)[4], FragA const& a, FragB const& b) {
    using Op = cutlass::arch::Mma<cutlass::gemm::GemmShape<16, 8, 16>, 32, T, cutlass::layout::RowMajor, T,
                                  cutlass::layout::ColumnMajor, float, cutlass::layout::RowMajor,
                                  cutlass::arch::OpMultiplyAdd>;
    auto& C = reinterpret_cast<typename Op::FragmentC&>(c);
    Op{}(C, reinterpret_cast<typename Op::FragmentA const&>(a), reinterpret_cast<typename Op::FragmentB const&>(b), C);
  }
};
using PolicyF16 = Policy16<cutlass::half_t>;
using PolicyBF16 = Policy16<cutlass::bfloat16_t>;

struct PolicyF64 {
  using Element = double;
  using Smem = double;
  using Acc = double;
  static constexpr bool kSplitAcc = false;
  static constexpr bool kAsync = true;
  static constexpr bool kChannelShifts = false;
  static constexpr int kK = 8;
  static constexpr int kStage = 8;  // doubles are register-hungry: stage little, load the rest in place
  static constexpr int kMinBlocks = 2;
  static constexpr int kMaxStages = 2;
  struct FragA { double r[4]; };    // (g,t) (g,t+4) (g+8,t) (g+8,t+4)
  struct FragB { double r[2]; };    // (t,g) (t+4,g)
  CT3D_DEV static Smem to_smem(Element v) { return v; }
  CT3D_DEV static Acc to_acc(Element v) { return v; }
  CT3D_DEV static Element from_acc(Acc v) { return v; }
  template <class F> CT3D_DEV static FragA load_a(F a, int g, int t) {
    return FragA{{a(g, t), a(g, t + 4), a(g + 8, t), a(g + 8, t + 4)}};
  }
  template <class F> CT3D_DEV static FragB load_b(F b, int g, int t) { return FragB{{b(t, g), b(t + 4, g)}}; }
  CT3D_DEV static void mma(Acc (&c)[4], FragA const& a, FragB const& b) {
    // 16x8x8 as four DMMA 8x8x4: rows g (c[0..1]) and g+8 (c[2..3]), k halves t and t+4.
    using Op = cutlass::arch::Mma<cutlass::gemm::GemmShape<8, 8, 4>, 32, double, cutlass::layout::RowMajor, double,
                                  cutlass::layout::ColumnMajor, double, cutlass::layout::RowMajor,
                                  cutlass::arch::OpMultiplyAdd>;
    Op op;
    auto& lo = reinterpret_cast<Op::FragmentC&>(c[0]);
    auto& hi = reinterpret_cast<Op::FragmentC&>(c[2]);
    Op::FragmentA a0, a1, a2, a3;
    Op::FragmentB b0, b1;
    a0[0] = a.r[0]; a1[0] = a.r[1]; a2[0] = a.r[2]; a3[0] = a.r[3];
    b0[0] = b.r[0]; b1[0] = b.r[1];
    op(lo, a0, b0, lo);
    op(lo, a1, b1, lo);
    op(hi, a2, b0, hi);
    op(hi, a3, b1, hi);
  }
};

// The row-conv kernels' B operand is the weight, which we pack once per call: a policy may prepare it there
// (pack) so that loading its fragments costs nothing extra (load).  Default: packed raw, loaded as any B.
template <class P>
struct PackedB {
  using E = typename P::Element;
  CT3D_DEV static E pack(E v) { return v; }
  template <class F> CT3D_DEV static typename P::FragB load(F b, int g, int t) { return P::load_b(b, g, t); }
};
// TF32: weights are rounded to nearest-even TF32 when packed, not once per warp and fragment (4 warps load
// every weight fragment, so this removes half of the forward's conversions).
template <>
struct PackedB<PolicyTF32> {
  // low 13 bits cleared as well (the MMA ignores them; the direct kernels multiply the packed value in fp32)
  CT3D_DEV static float pack(float v) { return isfinite(v) ? __uint_as_float(tf32_round(v) & 0xffffe000u) : v; }
  template <class F> CT3D_DEV static PolicyTF32::FragB load(F b, int g, int t) {
    return PolicyTF32::FragB{{__float_as_uint(b(t, g)), __float_as_uint(b(t + 4, g))}};
  }
};

template <class T, int MT, int NT>
CT3D_DEV void zero_tiles(T (&c)[MT][NT][4]) {
#pragma unroll
  for (int i = 0; i < MT; ++i)
#pragma unroll
    for (int j = 0; j < NT; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) c[i][j][e] = T(0);
}

// Runs body(sum) for one K block of MMAs.  With P::kSplitAcc, sum is a fresh fragment added to acc with IEEE
// adds afterwards (bounds the tensor cores' accumulation error); otherwise sum is acc itself.
template <class P, int MT, int NT, class Body>
CT3D_DEV void accumulate_block(typename P::Acc (&acc)[MT][NT][4], Body&& body) {
  if constexpr (P::kSplitAcc) {
    typename P::Acc part[MT][NT][4];
    zero_tiles(part);
    body(part);
#pragma unroll
    for (int i = 0; i < MT; ++i)
#pragma unroll
      for (int j = 0; j < NT; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[i][j][e] += part[i][j][e];
  } else {
    body(acc);
  }
}

}  // namespace ct3d
