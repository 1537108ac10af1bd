// One part of one precision policy's launchers, built once per (policy, part) by CMakeLists.txt with CT3D_POLICY and
// CT3D_PART set: 1 the row-conv launchers, 2 the grad_weight launchers, 3 the tap-GEMM's (kernel_launch.cuh, CT3D_POLICY_TABLE).
// Apart from kernels_<policy>.cu so that a policy's heaviest kernel families compile in parallel.
#include "kernel_launch.cuh"

#if !defined(CT3D_POLICY) || !defined(CT3D_PART)
#error "kernels_part.cu is built with CT3D_POLICY and CT3D_PART defined (CMakeLists.txt)"
#endif

namespace ct3d {
namespace detail {
#if CT3D_PART == 1
CT3D_ROWCONV_INSTANCES(, CT3D_POLICY)
#elif CT3D_PART == 2
CT3D_WGRAD_INSTANCES(, CT3D_POLICY)
#elif CT3D_PART == 3
CT3D_TAPGEMM_INSTANCES(, CT3D_POLICY)
#else
#error "CT3D_PART is 1 (row-conv), 2 (grad_weight) or 3 (tap-GEMM)"
#endif
}  // namespace detail
}  // namespace ct3d
