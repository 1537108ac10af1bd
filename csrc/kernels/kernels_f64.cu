// Kernels of the PolicyF64 precision policy (one translation unit per policy so they compile in parallel).
#include "kernel_launch.cuh"

namespace ct3d {
const KernelLaunchers& launchers_f64() { return detail::table<PolicyF64>(); }
}  // namespace ct3d
