// Kernels of the PolicyExact precision policy; with its two kernels_part.cu
// parts, three translation units per policy, compiled in parallel.
#include "kernel_launch.cuh"

namespace ct3d {
namespace detail {
CT3D_POLICY_TABLE(PolicyExact)  // instantiated in kernels_part.cu
}  // namespace detail
const KernelLaunchers& launchers_exact() { return detail::table<PolicyExact>(); }
}  // namespace ct3d
