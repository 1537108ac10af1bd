// Plans of the Hopper kernels (convt3d_plan_sm90.cpp), the helpers they share with the sm_80 plans and the tap-GEMM's
// plan (convt3d_plan.cpp): host-only, internal to the plan files (and their test).
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "convt3d.h"
#include "kernel_params.h"

namespace ct3d {
namespace planning {

// shared with the sm_80 plans (convt3d_plan.cpp)
int device_sms();
int device_smem_optin();
int64_t numel(const TensorRef5& t);
size_t elem_size(DType t);
size_t align256(size_t v);
size_t acc_size(DType t);
bool cf_rows(const TensorRef5& t, int C_g, DType dt);
bool has_zero_stride(const TensorRef5& t);
bool restageable(const TensorRef5& t, int C_g, DType dt);
bool use_direct(const ConvT3dProblem& p);
TensorRef5 channels_last_ref(const TensorRef5& x, void* data);  // t as the dense channels_last copy at data
bool aligned16(const TensorRef5& t, std::initializer_list<int> dims, int64_t es);
int env_level(const char* var, int top, int dflt);  // a digit 0..top from the environment, else dflt
Math op_math(const ConvT3dProblem& p, Kind k);

// ---------------------------------------------------------------- Hopper forward (rowconv_sm90.cuh)
struct HopperPlan {
  HopperParams p;
  bool restage_x;   // x is copied channels_last (fp32 TF32: rounded; exact: split, two copies) into the workspace
                    // after the packed weights
  size_t pack_bytes, x_bytes;
  int64_t tiles;    // of all segments
  // then: the word the copy sets where x has a non-finite value, the masked-recompute list's count and the list
  size_t tail() const { return pack_bytes + (restage_x ? align256(x_bytes) : 0); }
  size_t workspace() const { return tail() + 256 + size_t(tiles) * sizeof(int2); }
  void set_workspace(void* ws) {
    p.wpack = ws;
    // the rounding copy (fp32 TF32) and the 16-bit copy (v136) report non-finite values; the kernel checks every
    // tile where none reports.  Not the splitting copy (exact): a non-finite weight's cross term with x's small part
    // (inf x 0, or inf x a small part of the other sign) is NaN where the sum is +-inf, which only the masked
    // recompute gets right (sm_80's PolicyExact multiplies the finite part there instead; the Hopper slot has no room
    // for a third weight copy)
    const bool reports = restage_x && !p.split;
    p.x_nonfinite = reports ? reinterpret_cast<unsigned*>(static_cast<char*>(ws) + tail()) : nullptr;
    p.fix_count = reinterpret_cast<unsigned*>(static_cast<char*>(ws) + tail() + 4);
    p.fix_list = reinterpret_cast<int2*>(static_cast<char*>(ws) + tail() + 256);
  }
};
// The Hopper forward's plan where its kernel takes the problem (see convt3d_plan_sm90.cpp), else false.
bool hopper_plan(const Arguments& a, HopperPlan* out);

// ---------------------------------------------------------------- Hopper grad_weight (wgrad_sm90.cuh)
struct HopperWgradPlan {
  HopperWgradParams p;
  size_t ws_bytes;
};
bool hopper_wgrad_plan(const Arguments& a, HopperWgradPlan* out);

// ---------------------------------------------------------------- Hopper grad_weight GEMM (wgemm_sm90.cuh, v116)
struct HopperWgemmPlan {
  HopperWgemmParams p;
  size_t copy_bytes;  // grad_y's copy (one row per w offset and x row) at the workspace's start,
  size_t x_bytes;     // then x's NCDHW copy where p.x_copy, then the sums
  size_t ws_bytes;
  void set_workspace(void* ws) {
    p.gyv = ws;
    if (p.x_copy) p.x.data = static_cast<char*>(ws) + copy_bytes;
    p.ws = static_cast<char*>(ws) + copy_bytes + x_bytes;
  }
};
// CUTLASS_CONVT3D_SM90_WGEMM's default (hopper_wgemm_mode): 1, fp32 TF32 where Nc is a multiple of 64 and kernel !=
// stride
constexpr int kHopperWgemmDefault = 1;
// CUTLASS_CONVT3D_SM90_WGEMM_CL's default: x and grad_y channels_last read in place, no copies (v125: 16-bit as
// MN-major operands; v126: fp32 transposed in shared memory).  On: H100 (stop 56, one binary, checked against
// float64), vnet-128-64 channels_last grad_weight bf16 0.232 -> 0.084 ms, fp32 0.302 -> 0.168
constexpr int kHopperWgemmClDefault = 1;
bool hopper_wgemm_plan(const Arguments& a, HopperWgemmPlan* out);
bool wgemm_fuse();  // CUTLASS_CONVT3D_SM90_WGEMM_FUSE

// ---------------------------------------------------------------- Hopper grad_input (dgrad_sm90.cuh)
// A pass's taps along d or h: c + m j, j < K (all of them: 0, 1, K)
struct DgradTaps {
  int c, m, K;
};
// grad_input in npass passes over disjoint sets of (kd, kh) taps where the weights do not fit the shared memory at
// once (exact fp32: big and small parts, twice TF32's bytes), each pass a launch of the kernel on a strided view of
// the weights with its own maps; the passes after the first add to grad_input (p.accumulate), in pass order.  The
// taps are split first by the strides' classes (kd = c mod s / gcd(s, dil): the classes read disjoint grad_y rows, so
// grad_y is still read once), then into runs.  TF32 and 16-bit: one pass.
struct HopperDgradPlan {
  static constexpr int kMaxPasses = 8;
  HopperDgradParams pass[kMaxPasses];
  DgradTaps td[kMaxPasses], th[kMaxPasses];
  int npass;
  size_t pack_bytes;  // per pass: its packed weights, then its non-finite flag in the next 256 bytes
  size_t workspace() const { return size_t(npass) * (pack_bytes + 256); }
  void set_workspace(void* ws) {
    for (int i = 0; i < npass; ++i) {
      char* const w = static_cast<char*>(ws) + size_t(i) * (pack_bytes + 256);
      pass[i].wpack = w;
      pass[i].w_nonfinite = reinterpret_cast<unsigned*>(w + pack_bytes);
    }
  }
};
// CUTLASS_CONVT3D_SM90_EXACT_DGRAD: exact fp32 grad_input (and the exact unit-stride forward) on the Hopper kernel as
// 3xTF32 in tap passes (v129); on by default, =0 keeps the sm_80 row-conv's 3xTF32.  H100 (stop 56, one binary,
// checked against float64: 4-8e-7), grad_input NCDHW / channels_last: mission 1.879 -> 1.122 / 1.504 -> 0.807 ms,
// k3s2op1 1.607 -> 1.124 / 1.532 -> 0.811, k3s1 1.521 -> 1.026 / 1.414 -> 0.694 (its forward alike)
constexpr int kHopperExactDgradDefault = 1;
// The Hopper grad_input kernel's plan for an operator of kind K, where that kernel takes it: its own grad_input, or
// the unit-stride forward as the adjoint's grad_input
bool dgrad_kernel_plan(Kind K, const Arguments& a, HopperDgradPlan* hd);
// v146: CUTLASS_CONVT3D_SM90_FUSED_BWD=1, grad_input and grad_weight in one pass over grad_y (the Hopper grad_input
// kernel also multiplying each staged grad_y row by the x rows that read it, HopperDgradParams::fuse): fp16 / bf16,
// NCDHW, where the grad_input kernel takes the problem in one pass with its grad_weight sums in shared memory (the
// mission shape: 55 KB of weights, 108 KB of sums, 24 KB of x rows, 2 stages; x rows by 16-byte copies where they
// start on 16 bytes, else element loads).  Off by default:
// not yet run on a GPU (its CUDA tests are written).  The grad_weight sums leave as partials per chunk for the ordered
// reduce (deterministic).  Prediction (bytes): bf16 mission backward 0.88 ms (two passes, grad_y read twice) -> ~0.45
constexpr int kHopperFusedBwdDefault = 0;
int hopper_fused_bwd();
// Its plan, where it applies: a as grad_input's arguments (a.x: grad_input, written), x the input (read)
bool hopper_bwd_plan(const Arguments& a, const TensorRef5& x, HopperDgradPlan* out);
size_t hopper_bwd_partials_bytes(const ConvT3dProblem& pb, const HopperDgradPlan& hd);

// ---------------------------------------------------------------- tap-GEMM, kernel == stride (tapgemm_kernel.cuh)
struct TapGemmPlan {
  TapGemmParams p;
  dim3 grid;
  size_t workspace;  // the packed B (forward, grad_input) or the chunks' sums (grad_weight)
  int chunks;        // grad_weight: the chunks (batch entries x chunks per entry) the reduce sums in order
  bool empty;
  // the phase-GEMM: its source (x; grad_input: grad_y) restaged channels_last into the workspace past the packed B
  // (at pack_bytes) first
  bool restage;
  size_t pack_bytes;
  // grad_weight at any kernel (wgen): x and / or grad_y restaged channels_last at the workspace's start
  // (restaged_sources), the chunks' sums at sums_off
  bool restage_x, restage_y;
  size_t sums_off;
};
// CUTLASS_CONVT3D_TAPGEMM's default: 3, short rows, over the Hopper kernels too, where it was measured faster (H100,
// stops 37-38, `convt3d_bench` with the knob at 0 and 1; benchmarks/NOTES.md v93-v96): the forward where x's W <=
// kTapGemmShortW (NCDHW x, and a channels_last fp32 x; unet-256-128 0.469 -> 0.069 ms, unet-128-64 0.201 -> 0.163) or,
// a channels_last 16-bit x, which the Hopper forward reads in place, <= kTapGemmShortWcl (stop 40, one binary, H100,
// unet-128-64 channels_last at W 32, two rounds: fp32 0.162 -> 0.145 ms, bf16 0.097 -> 0.105); grad_input and
// grad_weight where W <= kTapGemmGradW (unet-64-32, W 64: 0.471 -> 0.283 and 0.567 -> 0.429 fp32; at W 128, the
// issue's k2s2p0, the other kernels win every pass: 0.441 against 0.519, 0.582 against 0.789)
constexpr int kTapGemmDefault = 3;
constexpr int kTapGemmShortW = 32, kTapGemmShortWcl = 16, kTapGemmGradW = 64;
// The tap-GEMM's grid order by default (CUTLASS_CONVT3D_TAPGEMM_ORDER): 1, column blocks fastest
// (TapGemmParams::n_fast): DRAM traffic of unet-128-64's forward 2.6x lower (ncu: 74% -> 29% of peak), time the same
// or up to 11% lower (channels_last grad_input 0.132 -> 0.117 ms) in the stop 38 A/B, nowhere slower beyond 2%
constexpr int kTapGemmOrderDefault = 1;
// v134: CUTLASS_CONVT3D_TAPGEMM_PHASE takes a forward whose kernel equals its stride (the tap-GEMM's problems: the 3D
// U-Net's up-convolutions) through the phase-GEMM over TMA boxes (v120-v122: persistent CTAs, 256-position tiles of one
// residue class over four warpgroups, the ring across tiles) where that kernel takes it, instead of the tap-GEMM
// (128 x 64 tiles, one per CTA: unet-256-128's 8 k-steps a CTA at 51% SM / 55% memory, stop 57): 1 where the
// tap-GEMM's rows rule would take the problem, 2 at any row length (over the Hopper forward).  H100 (stop 58, one
// binary): unet-256-128 fp32 channels_last 0.066 -> 0.038 ms, NCDHW 0.068 -> 0.049, bf16 0.042 -> 0.036 / 0.049 ->
// 0.035; unet-128-64 fp32 0.144 -> 0.093 / 0.157 -> 0.125, bf16 0.101 -> 0.092 / 0.120 -> 0.078; float64 checks ok.
// On by default since stop 60 (the whole GPU suite passed with it; bench.py, same process as PyTorch, NCDHW forward
// unet-256-128 fp32 0.070 -> 0.049 ms, bf16 0.050 -> 0.035; unet-128-64 0.160 -> 0.126, bf16 0.123 -> 0.079)
constexpr int kTapGemmPhaseDefault = 1;
// CUTLASS_CONVT3D_TAPGEMM_SM90 (v102): 1 the tap-GEMM's and phase-GEMM's Hopper instance (wgmma) on compute capability
// 9.0 where A is staged [position][k] (TapGemmParams::gmma), 0 the sm_80 instance everywhere.  The sm_80 tile's
// mma.sync core ran decoder levels at 55-68 TFLOP/s TF32 on the H100 (NOTES v96, v99): issue-bound
constexpr int kTapGemmSm90Default = 1;
// CUTLASS_CONVT3D_TAPGEMM_OVERLAP (v105): 1 the wgmma instance issues a stage's wgmmas before the next stage's loads and
// waits after them (TapGemmParams::overlap), 0 loads, wgmmas, wait.  On since stop 44's A/B (NOTES v105: vnet-128-64
// -1..-5%, the rest even)
constexpr int kTapGemmOverlapDefault = 1;
// v120: CUTLASS_CONVT3D_SM90_PGEMM: the phase-GEMM forward over TMA boxes (hopper_pgemm, pgemm_sm90.cuh) where
// hopper_pgemm_geometry admits it (compute capability 9.0, TF32 or 16-bit products, Nc a multiple of 64, Kc of 128
// bytes, at most 8 residue classes): 1 (the default) where y is channels_last, the type 16-bit, or an NCDHW y stored
// by v121's aligned w pairs (HopperPgemm::wvec), 2 wherever the
// geometry admits it, 0 never (the gathering phase-GEMM).  H100 (stop 50), vnet-128-64 forward, 0 -> 2: fp32
// channels_last 0.305 -> 0.251 ms, bf16 0.194 -> 0.160 (channels_last) and 0.246 -> 0.236 (NCDHW), fp32 NCDHW 0.320 ->
// 0.458 (its y's element stores, 8 bytes apart along w)
constexpr int kSm90PgemmDefault = 1;
// v121: CUTLASS_CONVT3D_SM90_PGEMM_WPAIR: the TMA phase-GEMM's tiles hold both w residues where the w stride is 2
// (HopperPgemm::wpair: x staged once for the shifts both residues read, an NCDHW y stored as w pairs): 2 wherever,
// 1 (the default) where y is NCDHW, 0 never (one residue class a tile).  H100 (stop 51 call 2, one binary, 2 CTAs an
// SM), vnet-128-64 forward ms, one class a tile -> w pairs: bf16 NCDHW 0.230 -> 0.170, fp32 NCDHW 0.317 (the
// gathering kernel: the default leaves v120 there) -> 0.291, but channels_last fp32 0.245 -> 0.266, bf16 0.152 ->
// 0.173 (two accumulator sets: 2 CTAs an SM instead of 3, and x's saving is a fifth of the L2 bytes)
constexpr int kSm90PgemmWpairDefault = 1;
// v122: CUTLASS_CONVT3D_SM90_PGEMM_WG: consumer warpgroups of the TMA phase-GEMM's one-class tiles, 4 (256 positions
// a tile, one CTA an SM: a stage's weights serve twice the positions), 2 (128, two or three CTAs an SM), or 0 (the
// default): 4 for 4-byte types, 2 for 16-bit ones.  H100 (stop 52, one binary), vnet-128-64 channels_last, 2 -> 4:
// forward fp32 0.246 -> 0.231 ms, bf16 0.155 -> 0.163; grad_input (v123) fp32 0.134 -> 0.128, bf16 0.075 -> 0.076
constexpr int kSm90PgemmWgDefault = 0;
// The warpgroups v122's knob asks for at an element size
inline int sm90_pgemm_wgs(int level, int64_t es) { return level == 4 || level == 2 ? level : es == 4 ? 4 : 2; }
// v123: CUTLASS_CONVT3D_SM90_PGEMM_DGRAD: grad_input on the TMA phase-GEMM (its boxes traverse grad_y at the strides)
// where the phase-GEMM takes grad_input and the geometry admits it: 1 (the default), or 0 (the gathering
// phase-GEMM).  H100 (stop 52, one binary), vnet-128-64 grad_input 0 -> 1: fp32 channels_last 0.298 -> 0.134 ms,
// NCDHW 0.317 -> 0.234, bf16 0.159 -> 0.075 / 0.213 -> 0.130
constexpr int kSm90PgemmDgradDefault = 1;
// v124: CUTLASS_CONVT3D_SM90_PGEMM_HALO: the TMA phase-GEMM forward's tiles (one class, or w pairs) load one x box
// for all of a class's h taps (bh + hspan rows instead of bh a tap; HopperPgemm::halo) where the geometry admits it:
// 1, or 0 (the default until a GPU has timed it).  L2 -> SM bytes on vnet-128-64 fp32: -17% (two warpgroups), -23%
// (four), -14% (w pairs: 504 -> 432 KB per 128 positions of the four (d, h) classes)
constexpr int kSm90PgemmHaloDefault = 0;
// The Hopper forward's tiles in bands of CUTLASS_CONVT3D_SM90_BAND output rows along h (HopperSeg::row_of, v100), so
// x rows shared by consecutive d rows stay in L2 between their reads (ncu, stop 40, mission forward: 420 MB of DRAM
// reads for a 134 MB x, channels_last).  Default kHopperBand = 0, one band (the order before v100), until a GPU has
// timed it.  Measured (H200, stop 41, two rounds): no gain -- mission NCDHW 0.659 / 0.657 ms at 0 against 0.68-0.71 at
// 4 / 8 / 16, channels_last 0.491 against 0.495-0.496, bf16 and k3s2op1 even; ncu (channels_last): DRAM reads 334 ->
// 291 MB at 8, the kernel 479 -> 490 us.  So 0 stays
constexpr int kHopperBand = 0;
// v127: CUTLASS_CONVT3D_SM90_L2HINT, the Hopper forward's L2 eviction priorities (HopperParams::l2hint): bit 1 y's
// stores evict_first, bit 2 x's TMA loads evict_last; and CUTLASS_CONVT3D_SM90_FWD_CHUNKS, a cap on its chunks (fewer
// places in x at once).  By default both where y is larger than the L2 (streamed past it: the x rows the next d row
// reads again would be evicted), else neither.  H100 (stop 56, one binary, same bits), mission forward 3 + cap 2:
// fp32 channels_last 0.599 -> 0.499 ms, NCDHW 0.861 -> 0.786, bf16 channels_last 0.373 -> 0.365, NCDHW even;
// k3s2op1 fp32 channels_last 0.609 -> 0.545, unet-64-32 0.311 -> 0.290; ncu mission fp32 at 1: DRAM reads 424 -> 313
// MB channels_last, 509 -> 390 NCDHW.  video-64-32 (y 34 MB, within the 50 MB L2) 0.077 -> 0.079 with them: off there
constexpr int kHopperL2HintDefault = 3;
constexpr int kHopperFwdChunksDefault = 2;
// v131: CUTLASS_CONVT3D_SM90_VEC16, the Hopper forward's NCDHW y by 16-byte row vectors (v89 / v91): 0 never, 1
// always (not exact), 2 (the default) for 16-bit and for fp32 TF32 where a row of y does not start on 16 bytes.
// 16-bit: H100 stop 36, bf16 / fp16 mission 0.53 -> 0.50 ms, k2s2 0.49 -> 0.44, k3s2op1 even.  fp32 (H100 stop 57,
// one binary, same bits, with v127's hints): rows off 16 bytes (OW 255) mission 0.754 -> 0.730 / 0.790 -> 0.765 in two
// calls, groups4 and in64out16 even; rows on 16 bytes k3s2op1 0.611 -> 0.686 / 0.617 -> 0.686, k2s2, k3s1, vnet-128-64
// and video-64-32 within 1%.  (Aligned rows lose: not explained)
constexpr int kHopperVec16Default = 2;
// v133: CUTLASS_CONVT3D_SM90_X_NCDHW=1 / 2, the Hopper forward reading an fp32 TF32 / 16-bit NCDHW x in place (its
// producers transpose each pair's boxes), no channels_last copy: 1 where that keeps the copy's warpgroups and slots,
// 2 wherever its landing buffers fit.  Off: slower than the copy on the H100 (stop 58, same bits): fp32 mission 0.668
// -> 0.830 ms at either level, k3s2op1 / odd-32-32 +41% at 2; bf16 mission 0.496 -> 0.489 at 1, 0.611 at 2
constexpr int kHopperXNcdhwDefault = 0;
// v135: CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1 / 2, the Hopper forward's tiles of whole output rows (128 q positions, up to
// 256 outputs) for an NCDHW y by row vectors (hopper_plan): 1 for 16-bit and for fp32 TF32 whose rows are off 16 bytes
// (fp32 past 8 L2s at 2 warpgroups x 2 slots), 2 wherever they apply.  H100 (stop 59, one binary, same bits as 64-position
// tiles, float64 checks ok), forward ms: bf16 mission 0.488 -> 0.443, k3s2op1 0.537 -> 0.500, k2s2 0.452 -> 0.411,
// odd-32-32 0.148 -> 0.139; fp16 mission 0.490 -> 0.442, k2s2 0.449 -> 0.410; fp32 mission 0.684 -> 0.682 at the plan's
// 3 x 2, 0.602-0.607 at 2 x 2 or 2 x 3, odd-32-32 0.176 -> 0.159; fp32 rows on 16 bytes lose (k3s2op1 0.614 -> 0.629-0.707
// at 3 x 2 / 3 x 3 / 2 x 2-6, k2s2 0.573 -> 0.586 / 0.554 at 2 x 2): level 1 leaves them.  On by default since stop
// 60 (its CUDA tests passed; bench.py mission forward fp32 0.672 -> 0.606 ms, bf16 / fp16 0.500 -> 0.447 / 0.448)
constexpr int kHopperWholeRowsDefault = 1;
// v137: CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1, the Hopper forward's consumers leave a pair's wgmma batch in flight while
// they wait for the next pair's x and issue its batch (wait for all but one, then release the previous pair's slot),
// as CUTLASS's mainloops do, where v63-v136 waited for every batch before the next (ncu, stop 60, mission fp32 whole
// rows: WARPGROUP.DEPBAR waits 9% of the stall samples, bf16 5%).  Whole-row tiles only (instances of their own, a
// compile-time choice: see the kernel's kPipe; never 3xTF32).  It holds a slot one pair longer, so the producer runs a
// pair less ahead (at 2 slots, one).  Off: H100 stop 61 (s61d, one binary, two rounds, same bits): fp32 mission 0.604
// -> 0.661 ms (+9%, its 2 x 2 plan: the lookahead lost), the other whole-row cases (bf16 / fp16 mission, k3s2op1, k2s2,
// odd-32-32) within +-1%
constexpr int kHopperWgmmaPipeDefault = 0;
// v140: CUTLASS_CONVT3D_SM90_X_MN=1, the Hopper forward reading a 16-bit NCDHW x in place as the wgmma's MN-major B
// (the TMA lands [32 channels][64 positions] boxes the tensor cores read as they are: no copy, no transposition; each
// window offset its own landing, so a slot holds S x bq positions where the copy's map needs bq + S - 1).  The copy
// it removes is the bf16 mission's 67 MB read and written (~45 us of ~0.44 ms).  One window offset only, starting on
// 16 bytes (the plan): at two (the mission, k3s2op1, odd-32-32) the kernel stopped with an illegal instruction (H100,
// stop 61, s61d), the second offset's boxes starting one position (2 bytes) past 16.  Where it ran (k2s2, H100 s61d,
// same bits as the copy; its descriptors then made once a pair, now per wgmma as every instance's): bf16 0.422 ->
// 0.393 ms forward (-7%), fp16 0.409 -> 0.390 (-5%).  Off until its CUDA tests have run (written, not yet run on a GPU)
constexpr int kHopperXMnDefault = 0;
// v141: CUTLASS_CONVT3D_SM90_X_RS=1, the Hopper forward reading an fp32 NCDHW x in place (TF32-rounded by its
// TFLOAT32 map) as the wgmma's register A: the GEMM turned over (M = 128 positions, N = the 64 (phase, channel) weight
// rows), each thread's fragments one 16-byte load and S - 1 words per channel row and box.  The copy it removes is the
// fp32 mission's 134 MB read and written (~97 us of ~0.61 ms).  v142: the exact forward (3xTF32) likewise, x split
// in registers instead of by the splitting copy (134 MB read, 268 MB written).  Level 1 by default, where they won:
// H100 stop 62 (s62a / s62c, one binary, two rounds, the copy's bits at one box a pair, float64 checks ok), forward ms
// copy -> in registers: TF32 k2s2 0.571 -> 0.497, unet-64-32 0.380 -> 0.282, video-64-32 0.096 -> 0.089, k3s2op1
// 0.619 -> 0.595 (64-position tiles); exact k2s2 0.726 -> 0.572, unet-64-32 0.527 -> 0.379 (one window offset).  Level
// 1 leaves out where they lost or were even: TF32 whole rows (mission 0.605 -> 0.690, odd-32-32 0.162 -> 0.205: 2
// warpgroups at 168 registers, each pair's fragment loads before its wgmmas), exact at two window offsets (mission
// 1.29 -> 1.80, 1.44 at a forced 2 x 3; k3s2op1 1.28 -> 1.82: a batch per offset), four boxes a pair or more
// (unet-128-64 0.125 -> 0.126, unet-256-128 0.049 -> 0.050).  Level 2: wherever they apply
constexpr int kHopperXRsDefault = 1;
// v128: CUTLASS_CONVT3D_SM90_WGRAD_L2HINT, the same for the Hopper grad_weight (HopperWgradParams::l2hint): bit 1
// grad_y's copies (read once) evict_first, bit 2 x's TMA loads (read again by each class's pairs) evict_last.  By
// default 1 where grad_y is larger than the L2: H100 (stop 56) mission NCDHW 0.649 -> 0.626 ms (3: 0.629),
// channels_last even
constexpr int kHopperWgradL2HintDefault = 1;
// Whether a stream of `bytes` passes `times` the device's L2 (the L2 hints' and the chunk cap's condition at 1, v132's
// warpgroups at 8; unknown L2: no)
bool streams_past_l2(int64_t bytes, int times = 1);
// CUTLASS_CONVT3D_PHASEGEMM: the phase-GEMM (TapGemmPhase: the forward and grad_input where kernel != stride): 0 never,
// 1 wherever it applies, 2 where no Hopper kernel takes the pass, 3 (the default) at x's W <= kPhaseGemmShortW: the
// forward where no Hopper forward takes it, grad_input over the Hopper grad_input too.  H100 (stop 40, NOTES v99),
// vnet-128-64 (W 32) against the default before: forward 1.069 -> 0.425 ms fp32, 0.670 -> 0.252 bf16, grad_input
// 1.284 -> 0.404, 0.740 -> 0.223 (channels_last alike); at W 64 (video-64-32) the forward 2.4x slower than the Hopper
// forward, grad_input -11% .. +33%; the mission's W 128 forward 3.3x slower: so short rows only
constexpr int kPhaseGemmDefault = 3;
constexpr int kPhaseGemmShortW = 32;
// v104: CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY 1 rounds a restaged fp32 source to TF32 in the copy (TF32 products), so
// the phase-GEMM's wgmma instance skips its rounding pass over every landed A chunk (TapGemmParams::a_rounded); 2
// also restages (and so rounds) a channels_last source that could be read in place where each of its elements is
// staged >= kPhaseGemmRoundCopyTaps times; 0 copies as they are.  H100 (stop 43), vnet-128-64 channels_last fp32
// copied always: forward (27 stagings per x element) 0.377 -> 0.346 ms, grad_input (27 / 8) 0.338 -> 0.421 (grad_y is
// 4x x): break-even near 13 stagings by a linear fit of the two
constexpr int kPhaseGemmRoundedCopyDefault = 2;
constexpr int kPhaseGemmRoundCopyTaps = 16;
// v109: CUTLASS_CONVT3D_SM90_INTERLEAVE (bit 1 grad_input, bit 2 grad_weight): the Hopper grad_input's and grad_weight's
// CTAs take every chunks-th tile / row instead of a run of them (RowDeal), so that the grad_y rows neighbouring tiles
// share (grad_input: 25 rows read for 16 on the mission) and the x rows neighbouring grad_y rows share (grad_weight)
// are read while in L2.  H100 ncu (stop 45), mission fp32: grad_input reads 1.48 GB for grad_y's 1.04, grad_weight
// 1.73 GB for x + grad_y's 1.17.  Measured (stop 45, NOTES v109): grad_input 0.634 -> 0.570 ms (reads 1.29 GB),
// grad_weight -0.3..-1.3%; 0: runs
constexpr int kHopperInterleaveDefault = 3;
// v107 / v108: CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER: which of the forward's residue classes of one position block run
// as consecutive CTAs (TapGemmPhase::cfast): 0 none (a class's whole grid after the other's), 1 the w residues where
// y is not channels_last (they write the two halves of the same sectors), 2 the w residues wherever s_w > 1, 3 every
// class where y is not channels_last (they also read the same x tile), 4 every class.  H100 (stop 45, NOTES v107):
// 1 took vnet-128-64's NCDHW fp32 forward from 0.370 to 0.320 ms, its DRAM writes from 257 to 153 MB (y: 134 MB) and
// reads from 523 to 176 MB (x: 34 MB)
constexpr int kPhaseGemmClassOrderDefault = 1;
// the cfast for class-order level `mode`: 1, the w stride sw or every class (ncls); cl: y is channels_last
inline int phasegemm_class_fast(int mode, int sw, int ncls, bool cl) {
  if (mode >= 3 && (mode == 4 || !cl)) return ncls;
  return sw > 1 && (mode == 2 || (mode == 1 && !cl)) ? sw : 1;
}
// CUTLASS_CONVT3D_PHASEGEMM_WGRAD: grad_weight where kernel != stride on the tap-GEMM's grad_weight (v101: every tap a
// column block, grad_y gathered at s q + k dil - pad with bounds; x and grad_y channels_last, restaged where not),
// routed by CUTLASS_CONVT3D_PHASEGEMM's mode as grad_input is (1 everywhere, 2 where no Hopper grad_weight takes it,
// 3 at x's W <= kPhaseGemmShortW over it too): 1 on, 2 on where x and grad_y are read in place (channels_last: no
// copies), 0 off.  The default is 1 since stop 42 (H100: every restaged case passed once the reduce read the sums
// past the copies; stop 41's run had failed them all, the in-place ones passing).
// H200 (stop 41, one binary, knob 0 -> 1,
// the default mode 3), vnet-128-64 (W 32): 0.613 -> 0.469 ms fp32, 0.565 -> 0.238 bf16, channels_last 0.742 -> 0.379
// and 1.129 -> 0.188; forced at longer rows slower than the Hopper grad_weight (video-64-32, 64 input channels, W 64:
// 0.114 -> 0.247; the mission, 32 channels, W 128: 0.690 -> 3.78): the tile's 128 rows are input channels
constexpr int kPhaseGemmWgradDefault = 1;
// The tap-GEMM's plan for an operator of kind K (forward, grad_input, grad_weight) where that kernel takes it
// (convt3d_plan.cpp)
bool tapgemm_plan(Kind K, const Arguments& a, TapGemmPlan* out);

}  // namespace planning
}  // namespace ct3d
