// Kernels of the PolicyF16 precision policy (one translation unit per policy so they compile in parallel).
#include "kernel_launch.cuh"

namespace ct3d {
const KernelLaunchers& launchers_f16() { return detail::table<PolicyF16>(); }
}  // namespace ct3d
