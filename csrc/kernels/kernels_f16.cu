// Kernels of the PolicyF16 precision policy; with its two kernels_part.cu
// parts, three translation units per policy, compiled in parallel.
#include "kernel_launch.cuh"

namespace ct3d {
namespace detail {
CT3D_POLICY_TABLE(PolicyF16)  // instantiated in kernels_part.cu
}  // namespace detail
const KernelLaunchers& launchers_f16() { return detail::table<PolicyF16>(); }
}  // namespace ct3d
