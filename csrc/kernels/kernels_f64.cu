// Kernels of the PolicyF64 precision policy; with its two kernels_part.cu
// parts, three translation units per policy, compiled in parallel.
#include "kernel_launch.cuh"

namespace ct3d {
namespace detail {
CT3D_POLICY_TABLE(PolicyF64)  // instantiated in kernels_part.cu
}  // namespace detail
const KernelLaunchers& launchers_f64() { return detail::table<PolicyF64>(); }
}  // namespace ct3d
