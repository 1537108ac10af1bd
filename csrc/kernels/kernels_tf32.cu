// Kernels of the PolicyTF32 precision policy; with its two kernels_part.cu
// parts, three translation units per policy, compiled in parallel.
#include "kernel_launch.cuh"

namespace ct3d {
namespace detail {
CT3D_POLICY_TABLE(PolicyTF32)  // instantiated in kernels_part.cu
}  // namespace detail
const KernelLaunchers& launchers_tf32() { return detail::table<PolicyTF32>(); }
}  // namespace ct3d
