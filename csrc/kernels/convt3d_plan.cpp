// Plan: turns Arguments into launch parameters (tile counts, slab geometry, K split) and hands them to the
// kernels of the problem's precision policy, or to a Hopper kernel where its plan (convt3d_plan_sm90.cpp) takes the
// problem.  Host-only C++: the kernels live in kernels_<policy>.cu and kernels_sm90.cu.
#include <algorithm>
#include <atomic>
#include <climits>
#include <initializer_list>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "convt3d.h"
#include "convt3d_plan_sm90.h"
#include "device_cache.h"
#include "kernel_params.h"

namespace ct3d {

#if !defined(CT3D_SM90)
// built without sm_90a code (CUDA architectures without 90): the Hopper kernels never apply
bool hopper_built() { return false; }
Status hopper_pack(const HopperParams&, const TensorRef5&, void*, bool, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_forward(const HopperParams&, const TensorRef5&, bool, int, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_wgrad_partials(const HopperWgradParams&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_wgemm_partials(const HopperWgemmParams&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_dgrad_pack(const HopperDgradParams&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_dgrad(const HopperDgradParams&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_tapgemm(DType, const TapGemmParams&, dim3, const SmemLimits&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
Status hopper_pgemm(DType, const TapGemmParams&, const SmemLimits&, cudaStream_t, std::string* why) {
  if (why) *why = "built without the Hopper kernels";
  return Status::kNotSupported;
}
#endif

const char* status_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kInvalidProblem: return "invalid problem";
    case Status::kNotSupported: return "not supported";
    case Status::kCudaError: return "CUDA error";
  }
  return "unknown";
}

namespace {
std::atomic<int> g_max_stages{0};  // set_max_pipeline_stages
}  // namespace

void set_max_pipeline_stages(int stages) { g_max_stages.store(stages, std::memory_order_relaxed); }

// the plans' helpers (convt3d_plan_sm90.h declares those the Hopper plans share)
namespace planning {

Status fail(std::string* why, Status s, const std::string& msg) {
  if (why) *why = msg;
  return s;
}

const KernelLaunchers& launchers(const ConvT3dProblem& p) {
  switch (p.dtype) {
    case DType::kF16: return launchers_f16();
    case DType::kBF16: return launchers_bf16();
    case DType::kF64: return launchers_f64();
    case DType::kF32: break;
  }
  return p.math == Math::kTF32 ? launchers_tf32() : launchers_exact();
}

int device_sms() { return device_attrs().sms; }
int device_smem_optin() { return device_attrs().smem_optin; }
SmemLimits device_smem_limits() {
  const DeviceAttrs& d = device_attrs();
  SmemLimits l;
  l.optin = d.smem_optin;
  l.per_sm = d.smem_per_sm;
  l.max_stages = g_max_stages.load(std::memory_order_relaxed);
  return l;
}

int64_t numel(const TensorRef5& t) {
  int64_t n = 1;
  for (int i = 0; i < 5; ++i) n *= t.size[i];
  return n;
}

size_t elem_size(DType t) {
  switch (t) {
    case DType::kF32: return 4;
    case DType::kF16:
    case DType::kBF16: return 2;
    case DType::kF64: return 8;
  }
  return 4;
}
size_t acc_size(DType t) { return t == DType::kF64 ? 8 : 4; }

// Unit stride along w and element-aligned data: the least a row needs to move as 16-byte cp.async.
bool unit_rows(const TensorRef5& t, DType dt) {
  return t.stride[4] == 1 && reinterpret_cast<uintptr_t>(t.data) % elem_size(dt) == 0;
}
// Rows of t can be staged with 16-byte cp.async (any element size; 2-byte types otherwise go through
// registers): for 4- and 8-byte types every row must share one 16-byte phase (aligned data, every stride a whole
// number of vectors), which the kernels fold into their tap offsets.  2-byte kernels read a shift per channel
// row instead (Policy16::kChannelShifts), so any element-aligned rows do.
bool vec_rows(const TensorRef5& t, DType dt) {
  const int esz = int(elem_size(dt)), VEC = 16 / esz;
  if (!unit_rows(t, dt)) return false;
  if (esz == 2) return true;
  bool ok = reinterpret_cast<uintptr_t>(t.data) % 16 == 0;
  for (int d = 0; d < 4; ++d) ok = ok && t.stride[d] % VEC == 0;
  return ok;
}
// How the gathered rows of a row-conv or grad_weight slab (gather stride A) are staged: contiguous runs (A <= 2)
// as 16-byte vectors when vec_rows allows; stride-2 4/8-byte rows of several phases (grad_y with OW odd) as
// vectors too, the kernels' kShifts variant reading a phase per channel row (row_shifts).
struct RowStaging {
  bool vec, row_shifts;
};
RowStaging row_staging(const TensorRef5& t, DType dt, int A) {
  const bool one_phase = vec_rows(t, dt);
  const bool shifts = A == 2 && !one_phase && unit_rows(t, dt);
  return {(A <= 2 && one_phase) || shifts, shifts};
}

// channels_last-like t (channel stride 1, w stride not) whose channel runs of each group (C_g of them) are whole
// aligned 16-byte vectors: every other stride and the data a whole number of vectors.
bool cf_rows(const TensorRef5& t, int C_g, DType dt) {
  const int esz = int(elem_size(dt)), VEC = 16 / esz;
  if (t.stride[1] != 1 || t.stride[4] == 1 || C_g % VEC || reinterpret_cast<uintptr_t>(t.data) % 16) return false;
  for (int d : {0, 2, 3, 4})
    if (t.stride[d] % VEC) return false;
  return true;
}

// ---------------------------------------------------------------- row-conv plan (forward, grad_input)
struct RowPlan {
  RowConvParams p;
  int nph;
  dim3 grid;
  bool empty;
};

RowPlan make_row_plan(const Arguments& a, bool forward, const void* wpack) {
  const ConvT3dProblem& pb = a.problem;
  RowPlan r{};
  RowConvParams& p = r.p;
  p.src = forward ? a.x : a.y;
  p.dst = forward ? a.y : a.x;
  p.wpack = wpack;
  p.bias = forward ? a.bias : nullptr;
  p.md = forward ? pb.fwd(0) : pb.dgrad(0);
  p.mh = forward ? pb.fwd(1) : pb.dgrad(1);
  p.mw = forward ? pb.fwd(2) : pb.dgrad(2);
  p.groups = pb.groups;
  p.Kc = forward ? pb.cin_g() : pb.cout_g();
  p.Nc = forward ? pb.cout_g() : pb.cin_g();
  p.rows = p.dst.size[0] * p.dst.size[2] * p.dst.size[3];
  r.nph = p.mw.E == 1 ? 1 : 2;
  p.ph_groups = (p.mw.E + r.nph - 1) / r.nph;
  p.bn = Tiles::row_bn(p.Nc, r.nph);
  p.n_blocks = (p.Nc + p.bn - 1) / p.bn;
  p.q_blocks = int((p.mw.num_q(0) + Tiles::BQ - 1) / Tiles::BQ);
  int jmax = 0, planes = 1;
  for (int rho0 = 0; rho0 < p.mw.E; rho0 += r.nph)
    for (int kw0 = 0; kw0 < p.mw.K; kw0 += Tiles::KWC) {
      SlabGeom g = slab_geom(p.mw, rho0, r.nph, kw0, Tiles::KWC);
      jmax = std::max(jmax, g.jmax);
      planes = std::max(planes, g.nplanes);
    }
  p.LDJ = Tiles::BQ + jmax;
  // Gather strides 1 and 2 stage the run contiguous (A * LDJ columns; see RowConv's kGather), others split
  // it into planes.  16-byte slab copies for a contiguous slab of a unit-stride tensor (see vec_rows): a
  // channel's row then starts up to VEC-1 columns late and its last vector may run VEC-1 columns past the
  // taps' reach, so room for both.
  const bool contig = p.mw.A <= 2;
  const int VEC = 16 / int(elem_size(pb.dtype));
  // packed weights [g][tap][Kc][Nc]: every BN block starts on a vector when Nc is a whole number of them
  p.w_vec = p.Nc % VEC == 0 && reinterpret_cast<uintptr_t>(wpack) % 16 == 0;
  // channels_last with whole, aligned channel vectors: column-major slabs of 16-byte channel vectors (kCF),
  // and outputs stored as channel vectors
  p.cf_src = contig && p.w_vec && cf_rows(p.src, p.Kc, pb.dtype);
  p.cf_dst = cf_rows(p.dst, p.Nc, pb.dtype);
  const RowStaging rs = row_staging(p.src, pb.dtype, p.mw.A);
  p.row_shifts = !p.cf_src && rs.row_shifts;
  p.vec_src = p.cf_src || rs.vec;
  p.bk = Tiles::rowconv_bk(int(elem_size(pb.dtype)), p.cf_src, p.Kc);
  if (p.cf_src) {
    // the slab region holds bk rows of LDK elements; a kCF slab needs (A * LDJ columns) x LDC of them
    const int LDC = p.bk + VEC, cols = p.mw.A * p.LDJ;
    p.LDK = (cols * LDC + p.bk - 1) / p.bk;
  } else {
    p.LDK = padded_ld((contig ? p.mw.A : planes) * p.LDJ + (p.vec_src ? 2 * (VEC - 1) : 0), 8);
  }
  p.kw_blocks = (p.mw.K + Tiles::KWC - 1) / Tiles::KWC;
  p.table = p.ph_groups <= RowConvParams::kTable && p.ph_groups * p.kw_blocks <= RowConvParams::kTable;
  if (p.table)
    for (int pg = 0; pg < p.ph_groups; ++pg) {
      p.kw_mask[pg] = kw_block_mask(p.mw, pg * r.nph, r.nph);
      for (int b = 0; b < p.kw_blocks; ++b)
        p.geom[pg * p.kw_blocks + b] = make_phase_geom(p.mw, pg * r.nph, r.nph, b * Tiles::KWC, p.LDJ);
    }
  p.div_q = FastDiv::make(p.q_blocks);
  p.div_ph = FastDiv::make(p.ph_groups);
  p.div_oh = FastDiv::make(int(p.dst.size[3]));
  p.div_od = FastDiv::make(int(p.dst.size[2]));
  const int64_t OD = p.dst.size[2], OH = p.dst.size[3];
  p.tap_tab_n = OD + OH <= RowConvParams::kTapTab ? int(OD + OH) : 0;
  for (int o = 0; o < p.tap_tab_n; ++o)
    p.tap_tab[o] = o < OD ? tap_range(p.md, o) : tap_range(p.mh, int(o - OD));
  r.grid = dim3(unsigned(std::min<int64_t>(p.rows * p.q_blocks * p.ph_groups, INT_MAX)), unsigned(p.n_blocks),
                unsigned(p.groups));
  r.empty = numel(p.dst) == 0;
  return r;
}

// ---------------------------------------------------------------- tap-GEMM plan (kernel == stride)
// A knob of levels 0..top: the variable's value where it is exactly one digit in that range, else dflt
int env_level(const char* var, int top, int dflt) {
  const char* e = std::getenv(var);
  return e && e[0] >= '0' && e[0] <= '0' + top && !e[1] ? e[0] - '0' : dflt;
}
bool env_flag(const char* var, int dflt) { return env_level(var, 1, dflt) != 0; }
// CUTLASS_CONVT3D_TAPGEMM: 0 never, 1 wherever the kernel applies (over the Hopper kernels too), 2 where it applies
// and no Hopper kernel takes the problem, 3 where it applies and x's rows are short (tapgemm_short_rows); unset:
// kTapGemmDefault
int tapgemm_mode() { return env_level("CUTLASS_CONVT3D_TAPGEMM", 3, kTapGemmDefault); }
// CUTLASS_CONVT3D_TAPGEMM_ORDER: 1 the tap-GEMM's column blocks fastest along the grid (TapGemmParams::n_fast), 0 its
// position blocks (or chunks); unset: kTapGemmOrderDefault
bool tapgemm_order() { return env_flag("CUTLASS_CONVT3D_TAPGEMM_ORDER", kTapGemmOrderDefault); }
// The plan's grid in the knob's order: column blocks along grid.x where CUTLASS_CONVT3D_TAPGEMM_ORDER is 1 and the
// position blocks (or chunks) fit grid.y's limit
void order_grid(TapGemmPlan& r) {
  if (tapgemm_order() && r.grid.x <= 65535) {
    r.p.n_fast = true;
    std::swap(r.grid.x, r.grid.y);
  }
}
// The Hopper instance (TapGemmParams::gmma, CUTLASS_CONVT3D_TAPGEMM_SM90): compute capability 9.0, not 3xTF32 or
// grad_weight, A staged [position][k] of whole 16-byte vectors (the forward's x and grad_input's grad_y channels_last,
// the phase-GEMM's source), so that the weights' K-major rows [n][kdim] are whole vectors too
bool tapgemm_gmma(Kind K, const ConvT3dProblem& pb, const TapGemmParams& p) {
  if (!env_flag("CUTLASS_CONVT3D_TAPGEMM_SM90", kTapGemmSm90Default) || !hopper_built() || device_attrs().cc != 90 ||
      pb.dtype == DType::kF64)
    return false;
  if (pb.dtype == DType::kF32 && op_math(pb, K) != Math::kTF32) return false;
  const int64_t VEC = 16 / int64_t(elem_size(pb.dtype));
  if (p.phase) return true;  // (the plan: the source's channels per group whole vectors)
  if (K == Kind::kForward) return p.a_cf && p.a_vec && p.Kc % VEC == 0;
  return K == Kind::kGradInput && p.gcl;  // (K = (tap, co) columns: Nc whole vectors, the plan's check)
}
// The default's short rows (kTapGemmDefault): x's W within the limit measured for the pass; a channels_last 16-bit x's
// forward past kTapGemmShortWcl only where no Hopper kernel takes it (the one that reads it in place stays ahead)
bool tapgemm_short_rows(Kind K, const Arguments& a) {
  const int64_t W = a.x.size[4];
  if (K != Kind::kForward) return W <= kTapGemmGradW;
  if (W > kTapGemmShortW) return false;
  const bool cl16 = a.x.stride[1] == 1 && a.x.stride[4] != 1 && elem_size(a.problem.dtype) == 2;
  return !cl16 || W <= kTapGemmShortWcl || !(hopper_plan(a, nullptr) || dgrad_kernel_plan(K, a, nullptr));
}
// x's positions flat: its h and d strides continue its w stride (one position stride; extents of 1 excepted)
bool flat_positions(const TensorRef5& t) {
  const int64_t H = t.size[3], W = t.size[4], sP = t.stride[4];
  return (H <= 1 || t.stride[3] == W * sP) && (t.size[2] <= 1 || t.stride[2] == H * W * sP);
}
// The tap-GEMM where it applies: kernel == stride, padding 0 and output_padding 0 in every dimension (dilation
// irrelevant where the kernel is 1), x's positions flat, tensor-core policies (not float64, not the few-channel groups
// the direct kernels multiply exactly), the grid within CUDA's limits.  The forward: a w stride that is a power of two
// <= BN (the NCDHW epilogue's kw).  grad_input and grad_weight gather grad_y by 16-byte copies only: an NCDHW grad_y
// at w stride 1 or 2 with 16-byte aligned rows whose vectors never cross an output row (grad_weight: x NCDHW too, with
// 16-byte aligned channel rows), or a channels_last one (channel stride 1) whose vectors of a group's Nc output
// channels are whole and aligned (grad_weight: x channels_last too, its Kc channels alike).
// t's base and the strides of dims 16-byte aligned for elements of es bytes (a dimension of extent 1: index 0 only)
bool aligned16(const TensorRef5& t, std::initializer_list<int> dims, int64_t es) {
  bool ok = reinterpret_cast<uintptr_t>(t.data) % 16 == 0;
  for (int i : dims) ok = ok && (t.size[i] == 1 || (t.stride[i] * es) % 16 == 0);
  return ok;
}
// CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY (kPhaseGemmRoundedCopyDefault): 0, 1 or 2
int phasegemm_rounded_copy() {
  return env_level("CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY", 2, kPhaseGemmRoundedCopyDefault);
}
// CUTLASS_CONVT3D_PHASEGEMM (kPhaseGemmDefault)
int phasegemm_mode() { return env_level("CUTLASS_CONVT3D_PHASEGEMM", 3, kPhaseGemmDefault); }
// The phase-GEMM (TapGemmPhase): the forward where kernel != stride, per residue class of the outputs a stride-1
// gather GEMM over x's channel vectors; grad_input, a strided convolution of grad_y, as one class over grad_y's.
// Strides <= kMaxStride, taps per residue (grad_input: kernel extent) <= kMaxTaps (offsets within int8), a group's
// source channels whole 16-byte vectors (the source channels_last, read in place where its vectors are aligned, else
// restaged channels_last into the workspace, never an expanded one), tensor-core policies, the grid within CUDA's limits.
// tma_only (v134, a forward the tap-GEMM would take): the TMA kernel's plan or none, whatever x's W and the Hopper forward
bool phasegemm_plan(Kind K, const Arguments& a, TapGemmPlan* out, bool tma_only = false) {
  const ConvT3dProblem& pb = a.problem;
  const int mode = phasegemm_mode();
  const bool dgrad = K == Kind::kGradInput;
  if (mode == 0 || (K != Kind::kForward && !dgrad) || pb.dtype == DType::kF64 || use_direct(pb)) return false;
  if (tma_only && dgrad) return false;
  const TensorRef5& src = dgrad ? a.y : a.x;
  const int64_t es = int64_t(elem_size(pb.dtype)), VEC = 16 / es;
  const int kc = dgrad ? pb.cout_g() : pb.cin_g();  // the source's channels per group: K's inner index
  if (numel(src) == 0 || kc % VEC != 0) return false;
  if (!tma_only && mode == 3 && a.x.size[4] > kPhaseGemmShortW) return false;
  TapGemmPlan r{};
  TapGemmParams& p = r.p;
  TapGemmPhase& ph = p.ph;
  int64_t maxpos = 1;
  for (int d = 0; d < 3; ++d) {
    const int s = pb.stride[d], Kd = pb.k[d], dil = pb.dil[d];
    // (int8 offsets: the forward's -(k dil - r) / s, grad_input's k dil - pad)
    if (s > TapGemmTiles::kMaxStride ||
        (dgrad ? int64_t(Kd - 1) * dil > 127 || pb.pad[d] > 127 : int64_t(Kd - 1) * dil / s > 127))
      return false;
    ph.s[d] = dgrad ? 1 : s;
    int64_t most = 0;
    if (dgrad) {  // x position Q reads grad_y at s Q - pad + k dil, every tap
      TapGemmPhaseDim& D = ph.dim[d][0];
      if (Kd > TapGemmTiles::kMaxTaps) return false;
      D.ntap = Kd;
      for (int k = 0; k < Kd; ++k) D.off[k] = int8_t(k * dil - pb.pad[d]), D.k[k] = int8_t(k);
      D.cnt = pb.in[d];
      D.q0 = 0;
      D.mul = s;
      D.omul = 1;
      D.obias = 0;
      D.div = FastDiv::make(std::max(pb.in[d], 1));
      most = pb.in[d];
    }
    for (int res = 0; res < (dgrad ? 0 : s); ++res) {
      TapGemmPhaseDim& D = ph.dim[d][res];
      D.ntap = 0;
      for (int k = 0; k < Kd; ++k) {
        if ((int64_t(k) * dil - res) % s != 0) continue;  // (k dil >= res where k dil = res mod s)
        if (D.ntap == TapGemmTiles::kMaxTaps) return false;
        D.off[D.ntap] = int8_t(-((int64_t(k) * dil - res) / s));
        D.k[D.ntap++] = int8_t(k);
      }
      // outputs o = s Q + res - pad in [0, out): Q from ceil((pad - res) / s) to floor((out - 1 + pad - res) / s)
      const int64_t lo_num = int64_t(pb.pad[d]) - res, hi_num = int64_t(pb.out[d]) - 1 + pb.pad[d] - res;
      const int64_t lo = lo_num >= 0 ? (lo_num + s - 1) / s : -((-lo_num) / s);
      const int64_t hi = hi_num >= 0 ? hi_num / s : -((-hi_num + s - 1) / s);
      const int64_t cnt = std::max<int64_t>(0, hi - lo + 1);
      if (cnt >= INT_MAX / 2 || std::llabs(lo) >= (1 << 28)) return false;
      D.cnt = int(cnt);
      D.q0 = int(lo);
      D.mul = 1;
      D.omul = s;
      D.obias = res - pb.pad[d];
      D.div = FastDiv::make(int(std::max<int64_t>(cnt, 1)));
      most = std::max(most, cnt);
    }
    maxpos *= most;
    if (maxpos >= INT_MAX) return false;
  }
  // (mode 3's short rows: grad_input over the Hopper grad_input too, 2.4-4.3x faster at W 32; the forward not)
  if (!tma_only && mode >= 2 && (dgrad ? mode == 2 && dgrad_kernel_plan(K, a, nullptr)
                          : hopper_plan(a, nullptr) || dgrad_kernel_plan(Kind::kForward, a, nullptr)))
    return false;
  auto aligned = [&](const TensorRef5& t, std::initializer_list<int> dims) { return aligned16(t, dims, es); };
  // the source's channel vectors in place, or a channels_last copy (not of an expanded one: it would materialise)
  // v104: an fp32 source with TF32 products copied TF32-rounded where restaged (knob 1), and (2) an aligned
  // channels_last one too where the kernel stages each source element at least kPhaseGemmRoundCopyTaps times (the
  // forward: every tap; grad_input: taps / strides), trading its copy for the kernel's rounding pass over every stage
  // -- the wgmma instance's only (sm_80's fragment loads round as they read: a copy there would be pure cost)
  p.phase = true;
  p.gmma = tapgemm_gmma(K, pb, p);
  const bool tf32 = pb.dtype == DType::kF32 && op_math(pb, K) == Math::kTF32;
  const int rounded_copy = phasegemm_rounded_copy();
  const int64_t reads = dgrad ? pb.taps() / (int64_t(pb.stride[0]) * pb.stride[1] * pb.stride[2]) : pb.taps();
  const bool rounded_src = dgrad && a.y_tf32_rounded;  // (its caller's rounded copy: nothing to gain by another)
  p.dst = dgrad ? a.x : a.y;
  p.bias = dgrad ? nullptr : a.bias;
  p.groups = pb.groups;
  p.Kc = kc;
  p.Nc = dgrad ? pb.cin_g() : pb.cout_g();  // the destination's channels per group: the GEMM's N
  p.dgrad = dgrad;
  ph.ncls = ph.s[0] * ph.s[1] * ph.s[2];
  p.ndim = p.ncols = p.Nc;
  p.ldb = (p.Nc + 7) / 8 * 8;
  // v120: the forward over TMA boxes (CUTLASS_CONVT3D_SM90_PGEMM) where its geometry admits the problem: =1 (the
  // default) where y is channels_last, the type 16-bit, or the tiles v121's w pairs storing an NCDHW y by aligned
  // pairs (one class's NCDHW fp32 y by element stores at the w stride measured 0.320 -> 0.458 ms on vnet-128-64,
  // stop 50), =2 wherever the geometry admits it.  Its maps round an fp32 x to TF32
  // as the boxes land, so an aligned channels_last x is read in place (v104's rounding copy served the gathering
  // kernel's rounding pass)
  // v121: its tiles hold both w residues where the w stride is 2 (CUTLASS_CONVT3D_SM90_PGEMM_WPAIR: 2 wherever, 1
  // where y is NCDHW, 0 never), whose NCDHW y leaves as whole w pairs: the default rule takes that y too
  const int pg_mode = env_level("CUTLASS_CONVT3D_SM90_PGEMM", 2, kSm90PgemmDefault);
  const int wpair_mode = env_level("CUTLASS_CONVT3D_SM90_PGEMM_WPAIR", 2, kSm90PgemmWpairDefault);
  p.pg_wpair = !dgrad && (wpair_mode == 2 || (wpair_mode == 1 && a.y.stride[1] != 1));
  // v122: one-class tiles over four consumer warpgroups (CUTLASS_CONVT3D_SM90_PGEMM_WG: 4, 2, or by element size)
  p.pg_wg = sm90_pgemm_wgs(env_level("CUTLASS_CONVT3D_SM90_PGEMM_WG", 4, kSm90PgemmWgDefault), es);
  // v124: one x box for a class's h taps (CUTLASS_CONVT3D_SM90_PGEMM_HALO: 1 where the geometry admits it, 0 never)
  p.pg_halo = env_flag("CUTLASS_CONVT3D_SM90_PGEMM_HALO", kSm90PgemmHaloDefault);
  // v123: grad_input over TMA boxes too (CUTLASS_CONVT3D_SM90_PGEMM_DGRAD: 1, the default, wherever the geometry
  // admits it, 0 the gathering phase-GEMM), under the same mode (=0 turns both off)
  const bool pg_pass = dgrad ? env_level("CUTLASS_CONVT3D_SM90_PGEMM_DGRAD", 1, kSm90PgemmDgradDefault) == 1 : true;
  HopperPgemm pg;
  p.pg_tma = pg_pass && p.gmma && pg_mode != 0 && hopper_pgemm_geometry(p, src.size[0], int(es), &pg) &&
             (dgrad || pg_mode == 2 || pg.pairs || pg.wvec || es == 2);
  if (tma_only && !p.pg_tma) return false;
  const bool in_place =
      src.stride[1] == 1 && aligned(src, {0, 2, 3, 4}) &&
      (p.pg_tma || !(p.gmma && tf32 && rounded_copy == 2 && reads >= kPhaseGemmRoundCopyTaps && !rounded_src));
  if (!in_place && has_zero_stride(src)) return false;
  r.restage = !in_place;
  p.src = in_place ? src : channels_last_ref(src, nullptr);  // (restaged: the data pointer set by run())
  p.lsw = 0;
  p.pos = maxpos;
  p.xsP = p.src.stride[4];
  p.a_cf = true;  // (p.kdim unused: each class's K is the kernel's own)
  ph.wofs[0] = 0;
  for (int c = 0; c < ph.ncls; ++c) {
    int res[3];
    ph.residues(c, res);
    const int64_t kdim = int64_t(ph.dim[0][res[0]].ntap) * ph.dim[1][res[1]].ntap * ph.dim[2][res[2]].ntap * p.Kc;
    if (kdim >= INT_MAX / 2) return false;
    ph.wofs[c + 1] = ph.wofs[c] + int64_t(pb.groups) * kdim * p.ldb;
  }
  const int64_t m_blocks = (maxpos + TapGemmTiles::BM - 1) / TapGemmTiles::BM;
  const int64_t n_blocks = (p.ldb + TapGemmTiles::BN - 1) / TapGemmTiles::BN;
  if (src.size[0] * m_blocks >= INT_MAX || n_blocks > 65535 || int64_t(pb.groups) * ph.ncls > 65535) return false;
  p.div_mb = FastDiv::make(int(std::max<int64_t>(m_blocks, 1)));
  p.cl = p.dst.stride[1] == 1 && p.dst.stride[4] != 1;
  p.vec_cl = p.cl && (int64_t(p.Nc) * es) % 16 == 0 && aligned(p.dst, {0, 2, 3, 4});
  // v107 / v108: classes along the position dimension, fastest (TapGemmPhase::cfast)
  ph.cfast = phasegemm_class_fast(env_level("CUTLASS_CONVT3D_PHASEGEMM_CLASS_ORDER", 4, kPhaseGemmClassOrderDefault),
                                  ph.s[2], ph.ncls, p.cl);
  ph.div_cf = FastDiv::make(ph.cfast);
  if (src.size[0] * m_blocks * ph.cfast >= INT_MAX) return false;
  r.grid = dim3(unsigned(src.size[0] * m_blocks * ph.cfast), unsigned(n_blocks),
                unsigned(pb.groups * ph.ncls / ph.cfast));
  r.pack_bytes = align256(size_t(ph.wofs[ph.ncls]) * size_t(es));
  r.workspace = r.pack_bytes + (r.restage ? size_t(numel(src)) * size_t(es) : 0);
  r.empty = numel(p.dst) == 0;
  p.overlap = p.gmma && env_flag("CUTLASS_CONVT3D_TAPGEMM_OVERLAP", kTapGemmOverlapDefault);
  // (grad_input over a grad_y its caller copied rounded: Arguments::y_tf32_rounded)
  p.a_rounded = tf32 && rounded_copy != 0 && (r.restage || rounded_src);
  order_grid(r);
  if (out) *out = r;
  return true;
}

// grad_weight's sources (x, grad_y) copied channels_last at the start of the workspace ws, x first, where asked: the
// arguments that read the copies, and where the copies end (the partial sums go after them)
struct WgradSources {
  Arguments b;           // the arguments with the restaged tensors
  bool x = false, y = false;
  size_t end = 0;        // where the copies end in the workspace (0: no copies)
};
WgradSources restaged_sources(const Arguments& a, bool copy_x, bool copy_y, void* ws) {
  WgradSources r;
  r.b = a;
  r.x = copy_x;
  r.y = copy_y;
  auto at = [&](size_t off) { return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(ws) + off); };
  if (r.x) {
    r.b.x = channels_last_ref(a.x, at(r.end));
    r.end = align256(r.end + size_t(numel(a.x)) * elem_size(a.problem.dtype));
  }
  if (r.y) {
    r.b.y = channels_last_ref(a.y, at(r.end));
    r.end = align256(r.end + size_t(numel(a.y)) * elem_size(a.problem.dtype));
  }
  return r;
}

// The tap-GEMM grad_weight's K (positions) split into chunks of one batch entry: at most four CTAs per SM in all (two
// whole waves at two per SM; rounding up would start a third wave of a few CTAs: unet-256-128 576 CTAs on 132 SMs),
// whole K steps each, the sums' workspace within 256 MB (one chunk per entry past that: else the other kernels);
// depends on the device only (deterministic).  Sets r's grid, chunks and workspace (the sums' bytes)
bool wgrad_chunks(const ConvT3dProblem& pb, int64_t N, int64_t n_blocks, TapGemmPlan& r) {
  TapGemmParams& p = r.p;
  p.ci_blocks = (p.Kc + TapGemmTiles::BM - 1) / TapGemmTiles::BM;
  const int64_t base = n_blocks * pb.groups * p.ci_blocks;
  const int64_t per_chunk = int64_t(pb.groups) * pb.taps() * p.Kc * p.Nc * int64_t(acc_size(pb.dtype));
  const int64_t steps = (p.pos + TapGemmTiles::BK - 1) / TapGemmTiles::BK;
  if (N * per_chunk > (int64_t(256) << 20)) return false;
  int64_t cpn = 4 * int64_t(device_sms()) / base / N;
  cpn = std::max<int64_t>(1, std::min<int64_t>({cpn, steps, (int64_t(256) << 20) / (N * per_chunk)}));
  p.chunk_len = (steps + cpn - 1) / cpn * TapGemmTiles::BK;
  cpn = (p.pos + p.chunk_len - 1) / p.chunk_len;
  if (N * cpn >= INT_MAX || int64_t(pb.groups) * p.ci_blocks > 65535) return false;
  p.div_mb = FastDiv::make(int(cpn));
  r.grid = dim3(unsigned(N * cpn), unsigned(n_blocks), unsigned(pb.groups * p.ci_blocks));
  r.chunks = int(N * cpn);
  r.workspace = align256(size_t(r.chunks) * size_t(per_chunk));
  return true;
}

// CUTLASS_CONVT3D_PHASEGEMM_WGRAD (kPhaseGemmWgradDefault)
int phasegemm_wgrad_mode() { return env_level("CUTLASS_CONVT3D_PHASEGEMM_WGRAD", 2, kPhaseGemmWgradDefault); }
// grad_weight where kernel != stride (or padding, output padding, dilation) on the tap-GEMM's channels_last grad_weight
// (v101, TapGemmParams::wgen): C[ci][(tap, co)] = sum over x positions q of x[q][ci] grad_y[s q + k dil - pad][co],
// every tap a column, the terms whose output lies outside grad_y zero; the same chunks, sums and ordered reduce as the
// kernel == stride case.  x and grad_y are read in place where channels_last with whole aligned 16-byte vectors of a
// group's channels (x's positions flat), else copied so into the workspace first (never an expanded one: the copy
// would materialise it).  Routed by the phase-GEMM's mode, as grad_input is.
bool wgrad_gemm_plan(const Arguments& a, TapGemmPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  const int mode = phasegemm_mode(), wmode = phasegemm_wgrad_mode();
  if (mode == 0 || wmode == 0) return false;
  const TensorRef5 &x = a.x, &gy = a.y;
  if (numel(x) == 0 || numel(gy) == 0) return false;
  const int64_t es = int64_t(elem_size(pb.dtype)), D = x.size[2], H = x.size[3], W = x.size[4], pos = D * H * W;
  if (pb.cin_g() * es % 16 != 0 || pb.cout_g() * es % 16 != 0 || pos >= INT_MAX) return false;
  if (mode == 3 && W > kPhaseGemmShortW) return false;
  if (mode == 2 && hopper_wgrad_plan(a, nullptr)) return false;
  auto aligned = [&](const TensorRef5& t, std::initializer_list<int> dims) { return aligned16(t, dims, es); };
  // (channel stride 1 is all the gathers need: a one-position NCDHW tensor is read in place too)
  const bool x_in = x.stride[1] == 1 && flat_positions(x) && aligned(x, {0}) && (pos == 1 || (x.stride[4] * es) % 16 == 0);
  const bool y_in = gy.stride[1] == 1 && aligned(gy, {0, 2, 3, 4});
  if ((!x_in && has_zero_stride(x)) || (!y_in && has_zero_stride(gy)) || (wmode == 2 && !(x_in && y_in))) return false;
  TapGemmPlan r{};
  TapGemmParams& p = r.p;
  r.restage_x = !x_in;
  r.restage_y = !y_in;
  const WgradSources src = restaged_sources(a, r.restage_x, r.restage_y, nullptr);  // (run() places the copies)
  r.sums_off = src.end;
  p.src = src.b.y;
  p.dst = src.b.x;
  p.groups = pb.groups;
  p.Kc = pb.cin_g();
  p.Nc = pb.cout_g();
  p.wgrad = p.wgen = p.gcl = true;
  // v113: both operands TF32-rounded copies (x always copied; grad_y copied, or the caller's rounded copy) where the
  // products are TF32: the kernel's fragments then skip their rounding (CUTLASS_CONVT3D_PHASEGEMM_ROUNDED_COPY=0: off)
  p.ab_rounded = pb.dtype == DType::kF32 && op_math(pb, Kind::kGradWeight) == Math::kTF32 &&
                 phasegemm_rounded_copy() != 0 && r.restage_x && (r.restage_y || a.y_tf32_rounded);
  for (int d = 0; d < 3; ++d) {
    p.s[d] = pb.stride[d];
    p.kt[d] = pb.k[d];
    p.tdil[d] = pb.dil[d];
    p.tpad[d] = pb.pad[d];
  }
  p.div_nc = FastDiv::make(p.Nc);
  p.div_sw = FastDiv::make(pb.k[2]);
  p.div_sh = FastDiv::make(pb.k[1]);
  p.div_pairs = FastDiv::make(pb.k[0] * pb.k[1]);
  const int64_t ncols = int64_t(p.Nc) * pb.taps();
  if (ncols >= INT_MAX / 2) return false;
  p.ncols = p.ndim = int(ncols);
  p.kdim = p.Kc;
  p.ldb = int((ncols + 7) / 8 * 8);
  p.pos = pos;
  p.xsP = p.dst.stride[4];
  p.div_w = FastDiv::make(int(std::max<int64_t>(W, 1)));
  p.div_h = FastDiv::make(int(std::max<int64_t>(H, 1)));
  // column blocks of one tap each (TapGemmParams::tap_nb)
  p.tap_nb = (p.Nc + TapGemmTiles::BN - 1) / TapGemmTiles::BN;
  const int64_t n_blocks = int64_t(pb.taps()) * p.tap_nb;
  if (n_blocks > 65535 || !wgrad_chunks(pb, x.size[0], n_blocks, r)) return false;
  r.workspace += r.sums_off;
  r.empty = false;
  order_grid(r);
  if (out) *out = r;
  return true;
}

bool tapgemm_plan(Kind K, const Arguments& a, TapGemmPlan* out) {
  const ConvT3dProblem& pb = a.problem;
  const int mode = tapgemm_mode();
  const bool dgrad = K == Kind::kGradInput, wgrad = K == Kind::kGradWeight;
  if (K == Kind::kGradBias || pb.dtype == DType::kF64 || use_direct(pb)) return false;
  for (int d = 0; d < 3; ++d)
    if (pb.k[d] != pb.stride[d] || pb.pad[d] != 0 || int64_t(pb.out[d]) != int64_t(pb.in[d]) * pb.k[d] ||
        (pb.k[d] > 1 && pb.dil[d] != 1))
      return wgrad ? wgrad_gemm_plan(a, out) : phasegemm_plan(K, a, out);
  if (mode == 0) return false;
  // v134 (CUTLASS_CONVT3D_TAPGEMM_PHASE, kTapGemmPhaseDefault): the forward through the phase-GEMM over TMA boxes where
  // that kernel takes it: 1 where the tap-GEMM's short-rows rule (mode 3) admits the problem, 2 at any row length
  const int via_phase = env_level("CUTLASS_CONVT3D_TAPGEMM_PHASE", 2, kTapGemmPhaseDefault);
  if (K == Kind::kForward && via_phase > 0 && (via_phase == 2 || mode != 3 || tapgemm_short_rows(K, a)) &&
      phasegemm_plan(K, a, out, true))
    return true;
  const int sw = pb.k[2];
  const TensorRef5& gy = a.y;
  const bool gcl = (dgrad || wgrad) && gy.stride[1] == 1 && gy.stride[4] != 1;  // grad_y channels_last
  if (sw > TapGemmTiles::BN || (sw & (sw - 1)) || ((dgrad || wgrad) && !gcl && sw > 2)) return false;
  const TensorRef5& x = a.x;
  if (!flat_positions(x) || numel(x) == 0) return false;
  const int64_t D = x.size[2], H = x.size[3], W = x.size[4], pos = D * H * W;
  if (pos >= INT_MAX || (mode == 3 && !tapgemm_short_rows(K, a))) return false;
  const int64_t es = int64_t(elem_size(pb.dtype)), VEC = 16 / es;
  auto aligned = [&](const TensorRef5& t, std::initializer_list<int> dims) { return aligned16(t, dims, es); };
  if (wgrad && !gcl && !(x.stride[4] == 1 && aligned(x, {0, 1})))  // x, the A operand, by 16-byte position vectors
    return false;
  // ... by 16-byte channel vectors, every position's (its stride steps all of them: checked at W == 1 too)
  if (wgrad && gcl && !(x.stride[1] == 1 && x.stride[4] != 1 && (pb.cin_g() * es) % 16 == 0 && aligned(x, {0}) &&
                        (pos == 1 || (x.stride[4] * es) % 16 == 0)))
    return false;
  if ((dgrad || wgrad) && !gcl && !(gy.stride[4] == 1 && W % (VEC / sw) == 0 && aligned(gy, {0, 1, 2, 3})))
    return false;
  if (gcl && !((pb.cout_g() * es) % 16 == 0 && aligned(gy, {0, 2, 3, 4}))) return false;
  TapGemmPlan r{};
  TapGemmParams& p = r.p;
  p.src = dgrad || wgrad ? a.y : a.x;  // grad_weight: grad_y gathered (B), x read through dst (A)
  p.dst = dgrad || wgrad ? a.x : a.y;
  p.bias = dgrad || wgrad ? nullptr : a.bias;
  p.groups = pb.groups;
  p.Kc = pb.cin_g();
  p.Nc = pb.cout_g();
  p.dgrad = dgrad;
  p.wgrad = wgrad;
  p.gcl = gcl;
  p.div_nc = FastDiv::make(p.Nc);
  p.div_sw = FastDiv::make(sw);
  for (int d = 0; d < 3; ++d) p.s[d] = p.kt[d] = pb.k[d];
  p.lsw = 0;
  while (!dgrad && !wgrad && (1 << p.lsw) < sw) ++p.lsw;
  const int64_t ncols = int64_t(p.Nc) * pb.taps(), ndim = dgrad ? p.Kc : ncols, ldb = (ndim + 7) / 8 * 8;
  if (ncols >= INT_MAX / 2) return false;
  p.ncols = int(ncols);
  p.kdim = dgrad ? p.ncols : p.Kc;
  p.ndim = int(ndim);
  p.ldb = int(ldb);
  p.pos = pos;
  p.xsP = x.stride[4];
  const int64_t m_blocks = (pos + TapGemmTiles::BM - 1) / TapGemmTiles::BM;
  const int64_t n_blocks = (ldb + TapGemmTiles::BN - 1) / TapGemmTiles::BN;
  if (x.size[0] * m_blocks >= INT_MAX || n_blocks > 65535 || pb.groups > 65535) return false;
  p.div_mb = FastDiv::make(int(std::max<int64_t>(m_blocks, 1)));
  p.div_w = FastDiv::make(int(std::max<int64_t>(W, 1)));
  p.div_h = FastDiv::make(int(std::max<int64_t>(H, 1)));
  p.div_pairs = FastDiv::make(pb.k[0] * pb.k[1]);
  p.div_sh = FastDiv::make(pb.k[1]);
  p.cl = p.dst.stride[1] == 1 && p.dst.stride[4] != 1;
  if (p.cl && !wgrad) {  // 16-byte stores of VEC channels of one output (see TapGemm's epilogue): the group's
    // channels whole vectors, every position's offset too (grad_input: one position stride steps them all, W == 1 too)
    p.vec_cl = (int64_t(dgrad ? p.Kc : p.Nc) * es) % 16 == 0 &&
               (dgrad ? aligned(p.dst, {0}) && (pos == 1 || (p.xsP * es) % 16 == 0) : aligned(p.dst, {0, 2, 3, 4}));
  }
  if (!dgrad && !wgrad && !p.cl && sw == 2) {  // the forward's 16-byte kw-pair stores (see TapGemm's epilogue)
    p.vec_out = a.y.stride[4] == 1 && W % (VEC / 2) == 0 && aligned(a.y, {0, 1, 2, 3});
  }
  if (!dgrad && !wgrad) {  // the forward's x staging (the gathers move 16-byte vectors only: the checks above)
    const int64_t sC = x.stride[1], sN = x.stride[0], sP = p.xsP;
    p.a_cf = sC == 1 && sP != 1;
    const bool aligned = reinterpret_cast<uintptr_t>(x.data) % 16 == 0 && (sN * es) % 16 == 0;
    p.a_vec = aligned && (p.a_cf ? (sP * es) % 16 == 0 && (pb.groups == 1 || (p.Kc * es) % 16 == 0)
                                 : sP == 1 && (sC * es) % 16 == 0);
  }
  r.grid = dim3(unsigned(x.size[0] * m_blocks), unsigned(n_blocks), unsigned(pb.groups));
  r.workspace = align256(size_t(pb.groups) * size_t(p.kdim) * size_t(ldb) * size_t(es));
  r.empty = numel(a.y) == 0;
  if (wgrad && !wgrad_chunks(pb, x.size[0], n_blocks, r)) return false;
  p.gmma = !wgrad && tapgemm_gmma(K, pb, p);
  p.overlap = p.gmma && env_flag("CUTLASS_CONVT3D_TAPGEMM_OVERLAP", kTapGemmOverlapDefault);
  order_grid(r);
  // (the forward also steps aside for the Hopper grad_input kernel running a unit-stride forward as its adjoint)
  if (mode == 2 && (wgrad   ? hopper_wgrad_plan(a, nullptr)
                    : dgrad ? dgrad_kernel_plan(K, a, nullptr)
                            : hopper_plan(a, nullptr) || dgrad_kernel_plan(K, a, nullptr)))
    return false;
  if (out) *out = r;
  return true;
}

// ---------------------------------------------------------------- direct kernels (few channels per group)
// A 32-wide tensor-core tile would be mostly idle: each output is a handful of FMAs per tap, so gather directly.
bool use_direct(const ConvT3dProblem& p) {
  return p.cin_g() <= DirectTiles::NCMAX && p.cout_g() <= DirectTiles::NCMAX;
}
// The math an op's launches multiply in.  With TF32 allowed, the CUDA-core kernels of groups of few channels multiply
// exact fp32 products where cuDNN's grouped kernels do, so that PyTorch's ConvTranspose3d and ours agree to fp32
// rounding there (TF32 products would differ by ~4e-4).  Measured (H200, cuDNN 9.19, allow_tf32 on, against float64:
// benchmarks/results/nvidia-h200-tf32-probe-v57.txt): the forward of groups of 1 and of 4 channels and grad_input of
// one channel per group ~1e-7 (exact); grad_input of 4-channel groups and every grad_weight ~3e-4 (TF32).
Math op_math(const ConvT3dProblem& p, Kind k) {
  if (p.dtype != DType::kF32 || p.math != Math::kTF32) return p.math;
  if (k == Kind::kForward && use_direct(p)) return Math::kExact;
  if (k == Kind::kGradInput && p.cin_g() == 1 && p.cout_g() == 1) return Math::kExact;
  return p.math;
}
const KernelLaunchers& launchers(const ConvT3dProblem& p, Kind k) {
  ConvT3dProblem q = p;
  q.math = op_math(p, k);
  return launchers(q);
}

// Groups of few channels share a grad_weight CTA: gpack consecutive groups' channels are contiguous in x and
// grad_y, so they form one WM x WN tile whose products across groups are computed and dropped.  One tile per
// group would stage and multiply mostly padding (8-channel groups: 1/16 of the tile).  Packed against the wide
// tile: a pack of at most WN_NARROW co then runs narrow (see make_wgrad_plan); packing fewer groups to get there
// would not pay (groups4's 8 x 8 groups: 2 per 32 x 16 tile leave half its ci rows empty, the same fraction of
// live products as 4 per 32 x 32, over twice the CTAs).
int wgrad_gpack(const ConvT3dProblem& p) {
  for (int gp = p.groups; gp > 1; --gp)
    if (p.groups % gp == 0 && gp * p.cin_g() <= Tiles::WM && gp * p.cout_g() <= Tiles::WN) return gp;
  return 1;
}
bool use_direct_wgrad(const ConvT3dProblem& p) {
  if (!use_direct(p) || p.k[0] > DirectTiles::KMAX || p.k[1] > DirectTiles::KMAX || p.k[2] > DirectTiles::KMAX)
    return false;
  // TF32 and 16-bit tensor cores on a packed tile at least a quarter full beat the direct kernel (see
  // benchmarks/NOTES.md v18); 3xTF32 and f64 MMAs cost more than the direct FMAs
  const int gp = wgrad_gpack(p);
  const bool fast_mma = p.dtype == DType::kF16 || p.dtype == DType::kBF16 || (p.dtype == DType::kF32 && p.math == Math::kTF32);
  return !(fast_mma && 4 * gp * p.cin_g() >= Tiles::WM && 4 * gp * p.cout_g() >= Tiles::WN);
}
// Depthwise grad_weight by rows (direct_wgrad_row_kernel, see direct_lane_geom): the forward's gather read
// backwards, every dtype but f64; taken before the packed tensor-core tile and the per-column direct kernel
// (H200, depthwise case: benchmarks/NOTES.md v55).
bool wgrad_rows_geom(const Arguments& a, DirectLaneGeom* out) {
  const ConvT3dProblem& p = a.problem;
  if (p.dtype == DType::kF64) return false;
  const int64_t rows = a.y.size[0] * a.y.size[2] * a.y.size[3];
  DirectLaneGeom g{};
  // lanes over channels (channels_last) only for exact fp32: with operand conversions (TF32 rounding, 16-bit) they
  // measured 1.3-2.2x slower than the packed tile (NOTES v57)
  const bool cl_lanes = p.dtype == DType::kF32 && p.math == Math::kExact && a.x.stride[1] == 1 && a.y.stride[1] == 1;
  if (!direct_lane_geom(p.fwd(0), p.fwd(1), p.fwd(2), p.cin_g(), p.cout_g(), a.x.stride[4] == 1 && a.y.stride[4] == 1,
                        cl_lanes, rows, p.groups, device_sms(), g))
    return false;
  if (out) *out = g;
  return true;
}
// A tensor read through a zero stride (expanded): restaging it would materialise the broadcast
bool has_zero_stride(const TensorRef5& t) {
  for (int d = 0; d < 5; ++d)
    if (t.stride[d] == 0 && t.size[d] > 1) return true;
  return false;
}
size_t align256(size_t v) { return (v + 255) / 256 * 256; }
// Restaging: 2-byte NCDHW sources copied channels_last into the workspace so that the kernels take them
// column-major (kCF: ldmatrix fragments, no per-channel phases) -- where the plan admits that layout (whole
// channel vectors, gather stride <= 2) and the K loop (taps x x's size) is long next to the copy: taps >= 2 x S
// for a copy of x (S = the strides' product; H200 bf16 forward: mission -8%, k3s1 -13%, in64-out16 -11%, but
// kernel 2 / stride 2 +13% at one tap per output), taps >= 2 x S^2 where grad_y (S times x's size) is copied,
// which in practice means stride 1.
bool restage_pays(const ConvT3dProblem& p, bool copies_gy) {
  const int64_t S = int64_t(p.stride[0]) * p.stride[1] * p.stride[2];
  const int VEC = 16 / int(elem_size(p.dtype));
  // fp32 forwards too (the channels_last row-conv reads A by ldmatrix, v31; H200 A/B, TF32: mission -5%, k3s2op1
  // -5.5%, groups4 -5%, k3s1 -4.5%, in64-out16 -2%; 3xTF32, v40: groups4 -16%, in64-out16 -11%, others +-1%);
  // fp32 grad_input unmeasured, so not
  const bool fp32_fwd = p.dtype == DType::kF32 && !copies_gy;
  return (p.dtype == DType::kF16 || p.dtype == DType::kBF16 || fp32_fwd) && p.cin_g() % VEC == 0 && p.cout_g() % VEC == 0 &&
         p.taps() >= 2 * S * (copies_gy ? S : 1);
}
// t takes a copy: not channels_last already, not expanded (a zero stride: the copy would materialise the
// broadcast), not empty
bool restageable(const TensorRef5& t, int C_g, DType dt) {
  return !cf_rows(t, C_g, dt) && !has_zero_stride(t) && numel(t) > 0;
}
// The row-conv source (x for the forward, grad_y for grad_input), restaged after the packed weights.
bool restage_src(const Arguments& a, bool forward) {
  const ConvT3dProblem& p = a.problem;
  const DimMap mw = forward ? p.fwd(2) : p.dgrad(2);
  if (use_direct(p) || mw.A > 2 || !restage_pays(p, !forward)) return false;
  return restageable(forward ? a.x : a.y, forward ? p.cin_g() : p.cout_g(), p.dtype);
}
size_t pack_bytes(const ConvT3dProblem& p) { return size_t(p.taps()) * p.Cin * p.cout_g() * elem_size(p.dtype); }
size_t restaged_src_offset(const ConvT3dProblem& p) { return align256(pack_bytes(p)); }
// t as the dense channels_last copy at data
TensorRef5 channels_last_ref(const TensorRef5& x, void* data) {
  TensorRef5 r = x;
  r.data = data;
  r.stride[1] = 1;
  r.stride[4] = x.size[1];
  r.stride[3] = x.size[4] * x.size[1];
  r.stride[2] = x.size[3] * r.stride[3];
  r.stride[0] = x.size[2] * r.stride[2];
  return r;
}

int direct_chunks(const RowConvParams& p, DType dt) {  // outputs per warp: 32 lanes x lane_outputs
  const int per_warp = 32 * DirectTiles::lane_outputs(int(elem_size(dt)), DirectTiles::nc(p.Nc));
  return int((p.dst.size[4] + per_warp - 1) / per_warp);
}
// x-row slices of the direct grad_weight: about 8 blocks per SM over all (group, ci, co) keys; depends only on
// the device and the problem, so the summation order is fixed
int direct_slices(const WgradParams& p) {
  const int64_t keys = int64_t(p.groups) * p.Cin_g * p.Cout_g;
  const int64_t s = (8 * int64_t(device_sms()) + keys - 1) / keys;
  return int(std::max<int64_t>(1, std::min<int64_t>({s, std::max<int64_t>(p.rows, 1), 65535})));
}

// ---------------------------------------------------------------- weight-gradient plan
struct WgradPlan {
  WgradParams p;
  dim3 grid;
  size_t ws_bytes;
};

WgradPlan make_wgrad_plan(const Arguments& a, void* ws) {
  const ConvT3dProblem& pb = a.problem;
  WgradPlan r{};
  WgradParams& p = r.p;
  p.x = a.x;
  p.gy = a.y;
  p.md = pb.dgrad(0);
  p.mh = pb.dgrad(1);
  p.mw = pb.dgrad(2);
  p.groups = pb.groups;
  p.Cin_g = pb.cin_g();
  p.Cout_g = pb.cout_g();
  p.rows = a.x.size[0] * a.x.size[2] * a.x.size[3];
  p.gpack = wgrad_gpack(pb);
  p.packs = p.groups / p.gpack;
  p.div_cin = FastDiv::make(p.Cin_g);
  p.div_cout = FastDiv::make(p.Cout_g);
  p.m_blocks = std::max(1, (p.Cin_g + Tiles::WM - 1) / Tiles::WM);
  // at most WN_NARROW co per CTA (in64-out16; groups packed to <= 16 co): a WN_NARROW-wide tile whose four warps
  // take a K quarter each, instead of two of them multiplying absent channels
  p.narrow = p.gpack * p.Cout_g <= Tiles::WN_NARROW;
  const int WN = p.narrow ? Tiles::WN_NARROW : Tiles::WN;
  p.n_blocks = std::max(1, (p.Cout_g + WN - 1) / WN);
  p.kw_chunks = (p.mw.K + Tiles::KWC - 1) / Tiles::KWC;
  int jmax = 0, planes = 1;
  for (int kw0 = 0; kw0 < p.mw.K; kw0 += Tiles::KWC) {
    SlabGeom g = slab_geom(p.mw, 0, 1, kw0, Tiles::KWC);
    jmax = std::max(jmax, g.jmax);
    planes = std::max(planes, g.nplanes);
  }
  // as in the row-conv plan: strides 1 and 2 stage grad_y contiguous, and 16-byte copies where aligned;
  // channels_last x and grad_y of whole aligned channel vectors: both slabs column-major (cf: 16-byte channel
  // vectors; per-element copies otherwise)
  const bool contig = p.mw.A <= 2;
  p.cf = contig && cf_rows(p.x, p.Cin_g, pb.dtype) && cf_rows(p.gy, p.Cout_g, pb.dtype);
  const int esz = int(elem_size(pb.dtype)), VEC = 16 / esz;
  p.wq = Tiles::wgrad_wq(esz, p.cf);
  p.LDJ = p.wq + jmax;
  if (p.cf) {
    // (x_vec, gy_vec, row_shifts stay false) the stage keeps its WM x LDKx + WN x LDKg shape, sized to hold the
    // column-major slabs
    p.LDKx = (p.wq * Tiles::wgrad_cf_ldc(esz, Tiles::WM, p.mw.A, false) + Tiles::WM - 1) / Tiles::WM;
    p.LDKg = (p.mw.A * p.LDJ * Tiles::wgrad_cf_ldc(esz, WN, p.mw.A, true) + WN - 1) / WN;
  } else {
    p.x_vec = vec_rows(p.x, pb.dtype);
    const RowStaging gs = row_staging(p.gy, pb.dtype, p.mw.A);
    p.row_shifts = gs.row_shifts;
    p.gy_vec = gs.vec;
    // channel strides stay whole 16-byte vectors (the copies' shared-memory alignment): pad 8 for 2-byte types
    const int pad = std::max(4, VEC);
    const int nG = (contig ? p.mw.A : planes) * p.LDJ + (p.gy_vec ? 2 * (VEC - 1) : 0);
    // 4-byte rows read at stride 2 are 2-way bank conflicted whatever the stride; an odd multiple of 8 words is
    // the least padding that keeps it at 2 (padded_ld would add up to 32 + 4 words and cost a CTA per SM)
    p.LDKg = (VEC == 4 && p.mw.A == 2) ? odd_multiple_ld(nG, 8) : padded_ld(nG, pad);
    // x slabs start at multiples of WQ: only per-channel phases (2-byte types) need room to shift
    p.LDKx = odd_multiple_ld(p.wq + (p.x_vec && VEC == 8 ? 2 * (VEC - 1) : 0), pad);
  }
  // K split: the CTAs of one launch are latency-bound row walkers, so fill two whole waves (a partial last
  // wave would cost a whole wave's time).  Depends only on the device and the build: deterministic.
  const int64_t per_chunk = int64_t(p.md.K) * p.mh.K * p.m_blocks * p.n_blocks * p.packs * p.kw_chunks;
  const int64_t slots = int64_t(device_sms()) * launchers(pb).wgrad_blocks_per_sm(p.LDKx, p.LDKg, p.narrow, p.wq);
  int64_t chunks = std::max<int64_t>(1, 2 * slots / per_chunk);
  chunks = std::min<int64_t>(chunks, std::max<int64_t>(p.rows, 1));
  p.chunks = int(chunks);
  p.ws = ws;
  r.grid = dim3(unsigned(p.chunks * p.md.K * p.mh.K), unsigned(p.m_blocks * p.n_blocks),
                unsigned(p.packs * p.kw_chunks));
  r.ws_bytes = size_t(p.chunks) * pb.groups * pb.taps() * size_t(p.Cin_g) * p.Cout_g * acc_size(pb.dtype);
  return r;
}

// 2-byte grad_weight takes its channels_last (cf) path on restaged copies of x and grad_y -- whichever is not
// channels_last already -- at the start of the workspace, the partial sums after them (end).  The copies are x's
// size and S times it, so the rule is grad_input's.
WgradSources wgrad_sources(const Arguments& a, void* ws) {
  const ConvT3dProblem& p = a.problem;
  WgradSources r;
  r.b = a;
  if (wgrad_rows_geom(a, nullptr) || use_direct_wgrad(p) || p.dgrad(2).A > 2 || !restage_pays(p, true)) return r;
  // the kernel's cf path needs both tensors channels_last: one that is not and cannot be copied rules it out
  const bool copy_x = !cf_rows(a.x, p.cin_g(), p.dtype), copy_y = !cf_rows(a.y, p.cout_g(), p.dtype);
  if ((copy_x && !restageable(a.x, p.cin_g(), p.dtype)) || (copy_y && !restageable(a.y, p.cout_g(), p.dtype)))
    return r;
  return restaged_sources(a, copy_x, copy_y, ws);
}

int bias_chunks(const Arguments& a) {
  const int64_t rows = a.y.size[0] * a.y.size[2] * a.y.size[3];
  int64_t c = (4 * int64_t(device_sms()) + a.problem.Cout - 1) / std::max(1, a.problem.Cout);
  return int(std::max<int64_t>(1, std::min<int64_t>({c, std::max<int64_t>(rows, 1), 65535})));
}

// The ordered grad_weight reduce's view of partial sums at ws ([chunks][groups][taps][Cin_g][Cout_g]): the weight's
// taps and channels (after the Hopper grad_weight and the tap-GEMM's chunks)
WgradParams reduce_view(const ConvT3dProblem& pb, void* ws) {
  WgradParams rp{};
  rp.md = pb.fwd(0);
  rp.mh = pb.fwd(1);
  rp.mw = pb.fwd(2);
  rp.groups = pb.groups;
  rp.Cin_g = pb.cin_g();
  rp.Cout_g = pb.cout_g();
  rp.ws = ws;
  return rp;
}

bool dims_ok(const TensorRef5& t, int64_t n, int64_t c, const int* s) {
  return t.size[0] == n && t.size[1] == c && t.size[2] == s[0] && t.size[3] == s[1] && t.size[4] == s[2];
}

}  // namespace planning
using namespace planning;

Status check_problem(const ConvT3dProblem& p, std::string* why) {
  if (p.N < 0) return fail(why, Status::kInvalidProblem, "batch size must be >= 0");
  if (p.groups <= 0) return fail(why, Status::kInvalidProblem, "groups must be a positive integer");
  if (p.Cin <= 0 || p.Cin % p.groups) return fail(why, Status::kInvalidProblem, "in_channels must be divisible by groups");
  if (p.Cout <= 0 || p.Cout % p.groups)
    return fail(why, Status::kInvalidProblem, "out_channels must be divisible by groups");
  const char* dn[3] = {"depth", "height", "width"};
  for (int d = 0; d < 3; ++d) {
    if (p.k[d] <= 0) return fail(why, Status::kInvalidProblem, "kernel_size must be positive");
    if (p.stride[d] <= 0) return fail(why, Status::kInvalidProblem, "stride must be positive");
    if (p.dil[d] <= 0) return fail(why, Status::kInvalidProblem, "dilation must be positive");
    if (p.pad[d] < 0) return fail(why, Status::kInvalidProblem, "padding must be non-negative");
    if (p.in[d] < 0) return fail(why, Status::kInvalidProblem, std::string("input ") + dn[d] + " must be >= 0");
    // the kernels' tap math is 32-bit: |o*stride| + pad + dil*k must stay below 2^31
    const int64_t reach = std::max<int64_t>(p.in[d], p.out[d]) * (p.stride[d] + 1) + p.pad[d] + int64_t(p.dil[d]) * p.k[d];
    if (reach >= INT_MAX)
      return fail(why, Status::kNotSupported, std::string("spatial ") + dn[d] + " x stride + dilation x kernel_size must be < 2^31");
    const int64_t base = int64_t(p.in[d] - 1) * p.stride[d] - 2 * int64_t(p.pad[d]) + int64_t(p.dil[d]) * (p.k[d] - 1) + 1;
    const int64_t extra = p.out[d] - base;
    if (p.out[d] <= 0 || extra < 0 || extra >= std::max(p.stride[d], p.dil[d]))
      return fail(why, Status::kInvalidProblem,
                  std::string("output ") + dn[d] + " " + std::to_string(p.out[d]) +
                      " is not reachable with output_padding in [0, max(stride, dilation))");
  }
  return Status::kSuccess;
}

template <Kind K>
Status Operator<K>::can_implement(const Arguments& a, std::string* why) const {
  const ConvT3dProblem& p = a.problem;
  if (K == Kind::kGradBias) {  // needs only grad_y and the bias buffer
    if (p.Cout <= 0 || a.y.size[1] != p.Cout || !a.bias)
      return fail(why, Status::kInvalidProblem, "grad_bias needs y with Cout channels and a bias buffer");
    return Status::kSuccess;
  }
  Status s = check_problem(p, why);
  if (s != Status::kSuccess) return s;
  if (!dims_ok(a.x, p.N, p.Cin, p.in)) return fail(why, Status::kInvalidProblem, "x does not match the problem");
  if (!dims_ok(a.y, p.N, p.Cout, p.out)) return fail(why, Status::kInvalidProblem, "y does not match the problem");
  if (a.w.size[0] != p.Cin || a.w.size[1] != p.cout_g() || a.w.size[2] != p.k[0] || a.w.size[3] != p.k[1] ||
      a.w.size[4] != p.k[2])
    return fail(why, Status::kInvalidProblem, "w does not match the problem");
  if (p.math != Math::kTF32 && p.math != Math::kExact) return fail(why, Status::kInvalidProblem, "unknown math mode");
  if (p.groups > 65535) return fail(why, Status::kNotSupported, "groups > 65535 exceeds the launch grid");
  // the forward kernels read the bias densely (the PyTorch op passes a contiguous one)
  if (K == Kind::kForward && a.bias && a.bias_stride != 1)
    return fail(why, Status::kNotSupported, "bias_stride must be 1 for the forward (a contiguous bias)");
  if (K == Kind::kForward || K == Kind::kGradInput) {
    RowPlan r = make_row_plan(a, K == Kind::kForward, nullptr);
    if (r.p.n_blocks > 65535) return fail(why, Status::kNotSupported, "too many channels per group for the launch grid");
    // the weight loaders' in-step offsets are 32-bit: KWC taps x Kc x Nc of one group
    if (int64_t(Tiles::KWC) * r.p.Kc * r.p.Nc >= INT_MAX)
      return fail(why, Status::kNotSupported, "in_channels/groups x out_channels/groups must be < 2^29");
    if (use_direct(p) && (r.p.rows * p.groups * direct_chunks(r.p, p.dtype) + 3) / 4 > INT_MAX)
      return fail(why, Status::kNotSupported, "output rows x groups exceed the launch grid");
    if (r.p.rows * r.p.q_blocks * r.p.ph_groups > INT_MAX)
      return fail(why, Status::kNotSupported, "output rows exceed the launch grid (2^31 - 1 CTAs)");
  }
  if (K == Kind::kGradWeight) {
    WgradPlan r = make_wgrad_plan(a, nullptr);
    if (int64_t(r.grid.y) > 65535 || int64_t(r.grid.z) > 65535)
      return fail(why, Status::kNotSupported, "too many channel blocks for the launch grid");
  }
  return Status::kSuccess;
}

template <Kind K>
size_t Operator<K>::get_workspace_size(const Arguments& a) const {
  const ConvT3dProblem& p = a.problem;
  switch (K) {
    case Kind::kForward:
    case Kind::kGradInput: {
      const bool fwd = K == Kind::kForward;
      TapGemmPlan tg;
      if (tapgemm_plan(K, a, &tg)) return tg.workspace;
      HopperPlan h;
      if (fwd && hopper_plan(a, &h)) return h.workspace();
      HopperDgradPlan hd;
      if (dgrad_kernel_plan(K, a, &hd)) return hd.workspace();
      if (!restage_src(a, fwd)) return pack_bytes(p);
      return restaged_src_offset(p) + size_t(numel(fwd ? a.x : a.y)) * elem_size(p.dtype);
    }
    case Kind::kGradWeight: {
      HopperWgemmPlan hg;
      if (hopper_wgemm_plan(a, &hg)) return hg.ws_bytes;
      TapGemmPlan tg;
      if (tapgemm_plan(K, a, &tg)) return tg.workspace;
      HopperWgradPlan hw;
      if (hopper_wgrad_plan(a, &hw)) return hw.ws_bytes;
      DirectLaneGeom g;
      if (wgrad_rows_geom(a, &g))  // [slices * wchunks][groups][taps]
        return size_t(g.slices) * g.wchunks * p.groups * p.taps() * acc_size(p.dtype);
      const WgradSources src = wgrad_sources(a, nullptr);
      const WgradPlan r = make_wgrad_plan(src.b, nullptr);
      if (!use_direct_wgrad(p)) return src.end + r.ws_bytes;
      return size_t(direct_slices(r.p)) * p.groups * p.taps() * size_t(p.cin_g()) * p.cout_g() * acc_size(p.dtype);
    }
    case Kind::kGradBias: return size_t(p.Cout) * bias_chunks(a) * acc_size(p.dtype);
  }
  return 0;
}

template <Kind K>
Status Operator<K>::initialize(const Arguments& a, void* workspace, cudaStream_t stream, std::string* why) {
  Status s = can_implement(a, why);
  if (s != Status::kSuccess) return s;
  args_ = a;
  workspace_ = workspace;
  TapGemmPlan tg;
  if (K != Kind::kGradWeight && tapgemm_plan(K, a, &tg)) {  // (grad_weight packs nothing)
    tg.p.wpack = workspace;
    return launchers(a.problem, K).tapgemm_pack(tg.p, a.w, stream, why);
  }
  HopperPlan h;
  if (K == Kind::kForward && hopper_plan(a, &h)) {
    h.set_workspace(workspace);
    return hopper_pack(h.p, a.w, workspace, a.problem.math == Math::kTF32, stream, why);
  }
  HopperDgradPlan hd;
  if (dgrad_kernel_plan(K, a, &hd)) {
    hd.set_workspace(workspace);
    Status s = Status::kSuccess;
    for (int i = 0; i < hd.npass && s == Status::kSuccess; ++i) s = hopper_dgrad_pack(hd.pass[i], stream, why);
    return s;
  }
  if (K == Kind::kForward || K == Kind::kGradInput)
    return launchers(a.problem, K).pack_weight(a.w, workspace, a.problem.groups, K == Kind::kGradInput, stream, why);
  return Status::kSuccess;
}

// The copies restaged_sources laid out
// (round: TF32-rounded to nearest, TapGemmParams::ab_rounded)
Status copy_sources(const KernelLaunchers& L, const Arguments& a, const WgradSources& src, cudaStream_t stream,
                    std::string* why, bool round = false) {
  const Restage op = round ? Restage::kRoundTF32 : Restage::kCopy;
  Status s = src.x ? L.to_channels_last(a.x, src.b.x.data, op, nullptr, stream, why) : Status::kSuccess;
  if (s == Status::kSuccess && src.y) s = L.to_channels_last(a.y, src.b.y.data, op, nullptr, stream, why);
  return s;
}

template <Kind K>
Status Operator<K>::run(cudaStream_t stream, std::string* why) {
  const Arguments& a = args_;
  const KernelLaunchers& L = launchers(a.problem, K);
  HopperWgemmPlan hg;
  const bool wgemm = K == Kind::kGradWeight && hopper_wgemm_plan(a, &hg);
  if (K == Kind::kGradWeight && a.y_cl_out && !(wgemm && hg.p.gycl)) {  // (grad_weight_writes_gy_cl's copy, unfused)
    Status s = copy_channels_last(a, a.y, a.y_cl_out, stream, why, a.y_cl_out_rounded);
    if (s != Status::kSuccess) return s;
  }
  if (wgemm) {  // (first: it applies over the tap-GEMM)
    hg.set_workspace(workspace_);
    Status s = hopper_wgemm_partials(hg.p, stream, why);
    return s == Status::kSuccess ? L.wgrad_reduce(reduce_view(a.problem, hg.p.ws), hg.p.chunks, a.w, stream, why) : s;
  }
  TapGemmPlan tg;
  if (tapgemm_plan(K, a, &tg)) {
    if (tg.empty) return Status::kSuccess;
    if (K != Kind::kGradWeight) {
      tg.p.wpack = workspace_;
      if (tg.restage) {  // the phase-GEMM's source (x; grad_input: grad_y) as a channels_last copy
        tg.p.src.data = static_cast<char*>(workspace_) + tg.pack_bytes;
        Status s = L.to_channels_last(K == Kind::kForward ? a.x : a.y, tg.p.src.data,
                                      tg.p.a_rounded ? Restage::kRoundTF32 : Restage::kCopy, nullptr, stream, why);
        if (s != Status::kSuccess) return s;
      }
      if (tg.p.pg_tma) return hopper_pgemm(a.problem.dtype, tg.p, device_smem_limits(), stream, why);
      return tg.p.gmma ? hopper_tapgemm(a.problem.dtype, tg.p, tg.grid, device_smem_limits(), stream, why)
                       : L.tapgemm(tg.p, tg.grid, device_smem_limits(), stream, why);
    }
    const WgradSources src = restaged_sources(a, tg.restage_x, tg.restage_y, workspace_);  // (wgen: copies)
    Status s = copy_sources(L, a, src, stream, why, tg.p.ab_rounded);
    if (s != Status::kSuccess) return s;
    tg.p.src.data = src.b.y.data;
    tg.p.dst.data = src.b.x.data;
    tg.p.ws = static_cast<char*>(workspace_) + tg.sums_off;
    s = L.tapgemm(tg.p, tg.grid, device_smem_limits(), stream, why);
    return s == Status::kSuccess ? L.wgrad_reduce(reduce_view(a.problem, tg.p.ws), tg.chunks, a.w, stream, why) : s;
  }
  HopperPlan h;
  if (K == Kind::kForward && hopper_plan(a, &h)) {
    h.set_workspace(workspace_);
    TensorRef5 x = a.x;
    if (h.restage_x) {  // fp32 TF32-rounded by the copy (the tensor cores read it as it is); exact: split by it;
                        // 16-bit: copied.  All but the split copy report non-finite x into h.p.x_nonfinite (zeroed
                        // by the pack in initialize(), on the same stream)
      x = channels_last_ref(a.x, static_cast<char*>(workspace_) + h.pack_bytes);
      const Restage op = a.problem.dtype != DType::kF32 ? Restage::kCopy
                         : h.p.split                    ? Restage::kSplitTF32
                                                        : Restage::kRoundTF32;
      Status s = L.to_channels_last(a.x, x.data, op, h.p.x_nonfinite, stream, why);
      if (s != Status::kSuccess) return s;
    }
    return hopper_forward(h.p, x, !h.restage_x, h.p.ctas, stream, why);
  }
  HopperDgradPlan hd;
  if (dgrad_kernel_plan(K, a, &hd)) {  // (its passes in order: each after the first adds to grad_input)
    hd.set_workspace(workspace_);
    Status s = Status::kSuccess;
    for (int i = 0; i < hd.npass && s == Status::kSuccess; ++i) s = hopper_dgrad(hd.pass[i], stream, why);
    return s;
  }
  if (K == Kind::kForward || K == Kind::kGradInput) {
    const bool fwd = K == Kind::kForward;
    Arguments b = a;  // a restaged launch reads its channels_last copy of the source instead
    if (restage_src(a, fwd)) {
      TensorRef5& src = fwd ? b.x : b.y;
      src = channels_last_ref(src, static_cast<char*>(workspace_) + restaged_src_offset(a.problem));
      // a TF32 forward's x copied TF32-rounded: the kernels' rounding then leaves it as it is
      const bool round = a.problem.dtype == DType::kF32 && op_math(a.problem, K) == Math::kTF32;
      Status s = L.to_channels_last(fwd ? a.x : a.y, src.data, round ? Restage::kRoundTF32 : Restage::kCopy, nullptr,
                                    stream, why);
      if (s != Status::kSuccess) return s;
    }
    RowPlan r = make_row_plan(b, fwd, workspace_);
    if (r.empty) return Status::kSuccess;
    if (use_direct(a.problem)) return L.direct(r.p, direct_chunks(r.p, a.problem.dtype), stream, why);
    return L.rowconv(r.p, r.nph, r.grid, device_smem_limits(), stream, why);
  }
  if (K == Kind::kGradWeight) {
    HopperWgradPlan hw;
    if (hopper_wgrad_plan(a, &hw)) {
      hw.p.ws = workspace_;
      Status s = hopper_wgrad_partials(hw.p, stream, why);
      return s == Status::kSuccess ? L.wgrad_reduce(reduce_view(a.problem, workspace_), hw.p.chunks, a.w, stream, why)
                                   : s;
    }
    DirectLaneGeom g;
    if (wgrad_rows_geom(a, &g)) {
      const RowPlan f = make_row_plan(a, true, nullptr);  // the forward's gather: x as src, grad_y as dst
      return L.direct_wgrad_rows(f.p, g, make_wgrad_plan(a, workspace_).p, a.w, stream, why);
    }
    const WgradSources src = wgrad_sources(a, workspace_);
    Status s = copy_sources(L, a, src, stream, why);
    if (s != Status::kSuccess) return s;
    WgradPlan r = make_wgrad_plan(src.b, static_cast<char*>(workspace_) + src.end);
    if (use_direct_wgrad(a.problem)) return L.direct_wgrad(r.p, direct_slices(r.p), a.w, stream, why);
    return L.wgrad(r.p, r.grid, device_smem_optin(), a.w, stream, why);
  }
  return L.grad_bias(a.y, workspace_, bias_chunks(a), a.bias, a.bias_stride, stream, why);
}

// Whether a pass, as run() plans it on a, copies grad_y channels_last for itself
bool grad_input_copies_gy(const Arguments& a) {
  TapGemmPlan tg{};
  if (tapgemm_plan(Kind::kGradInput, a, &tg)) return tg.p.phase && tg.restage;
  return !dgrad_kernel_plan(Kind::kGradInput, a, nullptr) && restage_src(a, false);
}
bool grad_weight_copies_gy(const Arguments& a) {
  if (hopper_wgemm_plan(a, nullptr)) return false;  // (its own copy: a row per w offset, wgemm_sm90.cuh)
  TapGemmPlan tg{};
  if (tapgemm_plan(Kind::kGradWeight, a, &tg)) return tg.p.wgen && tg.restage_y;
  return !hopper_wgrad_plan(a, nullptr) && wgrad_sources(a, nullptr).y;
}
bool grad_output_restaged(const Arguments& a) {
  // only where both passes would copy it for themselves: each then reads the shared copy in place on the kernel it
  // would have taken (a copy given to a pass that reads grad_y NCDHW, a Hopper kernel, would send it elsewhere)
  return check_problem(a.problem, nullptr) == Status::kSuccess && grad_input_copies_gy(a) && grad_weight_copies_gy(a);
}

bool grad_weight_writes_gy_cl(const Arguments& a) {
  if (check_problem(a.problem, nullptr) != Status::kSuccess || a.y.stride[1] == 1 || !wgemm_fuse()) return false;
  Arguments b = a;
  b.y_cl_out = &b;  // (any address: whether the plan would take the copy)
  HopperWgemmPlan hg;
  return hopper_wgemm_plan(b, &hg) && hg.p.gycl && grad_input_copies_gy(a);
}
namespace {
// the fused backward's view: grad_input's arguments (x: grad_input) and the plan
bool fused_plan(const Arguments& a, const TensorRef5& gx, HopperDgradPlan* hd) {
  // (the knob first: off, the default backward pays nothing more per call)
  if (hopper_fused_bwd() == 0 || (a.problem.dtype != DType::kF16 && a.problem.dtype != DType::kBF16)) return false;
  if (check_problem(a.problem, nullptr) != Status::kSuccess || numel(a.x) == 0 || numel(a.y) == 0) return false;
  // (what the two passes would refuse, the op reports through them: the fused path never answers for them)
  if (Operator<Kind::kGradWeight>().can_implement(a, nullptr) != Status::kSuccess) return false;
  Arguments b = a;
  b.x = gx;
  return hopper_bwd_plan(b, a.x, hd);
}
// a dense NCDHW grad_input of x's shape (the layout the fused kernel writes; the op allocates it so)
TensorRef5 like(const TensorRef5& x) {
  TensorRef5 r = x;
  r.data = nullptr;
  r.stride[4] = 1;
  for (int d = 3; d >= 0; --d) r.stride[d] = r.stride[d + 1] * r.size[d + 1];
  return r;
}
}  // namespace

bool fused_grad_input_weight(const Arguments& a) { return fused_plan(a, like(a.x), nullptr); }
size_t fused_grad_input_weight_workspace(const Arguments& a) {
  HopperDgradPlan hd;
  if (!fused_plan(a, like(a.x), &hd)) return 0;
  return align256(hd.workspace()) + hopper_bwd_partials_bytes(a.problem, hd);
}
Status grad_input_weight(const Arguments& a, const TensorRef5& gx, const TensorRef5& gw, void* workspace,
                         cudaStream_t stream, std::string* why) {
  HopperDgradPlan hd;
  if (!fused_plan(a, gx, &hd)) {  // (the reason where the two passes would refuse it too)
    const Status s = Operator<Kind::kGradWeight>().can_implement(a, why);
    return s != Status::kSuccess ? s : fail(why, Status::kNotSupported, "the fused backward does not take this problem");
  }
  hd.set_workspace(workspace);
  HopperDgradParams& p = hd.pass[0];
  p.gw_ws = reinterpret_cast<float*>(static_cast<char*>(workspace) + align256(hd.workspace()));
  Status s = hopper_dgrad_pack(p, stream, why);
  if (s == Status::kSuccess) s = hopper_dgrad(p, stream, why);
  if (s != Status::kSuccess) return s;
  return launchers(a.problem, Kind::kGradWeight).wgrad_reduce(reduce_view(a.problem, p.gw_ws), p.chunks, gw, stream, why);
}

bool grad_output_copy_rounds(const Arguments& a) {
  return a.problem.dtype == DType::kF32 && op_math(a.problem, Kind::kGradInput) == Math::kTF32 &&
         op_math(a.problem, Kind::kGradWeight) == Math::kTF32 && phasegemm_rounded_copy() != 0;
}
Status copy_channels_last(const Arguments& a, const TensorRef5& src, void* dst, cudaStream_t stream, std::string* why,
                          bool round_tf32) {
  if (round_tf32 && a.problem.dtype != DType::kF32)
    return fail(why, Status::kNotSupported, "copy_channels_last: round_tf32 takes fp32 tensors only");
  const KernelLaunchers& L = round_tf32 ? launchers_tf32() : launchers(a.problem);  // (the TF32 policy's copies round)
  return L.to_channels_last(src, dst, round_tf32 ? Restage::kRoundTF32 : Restage::kCopy, nullptr, stream, why);
}

template class Operator<Kind::kForward>;
template class Operator<Kind::kGradInput>;
template class Operator<Kind::kGradWeight>;
template class Operator<Kind::kGradBias>;

}  // namespace ct3d
