// Kernels of the PolicyExact precision policy (one translation unit per policy so they compile in parallel).
#include "kernel_launch.cuh"

namespace ct3d {
const KernelLaunchers& launchers_exact() { return detail::table<PolicyExact>(); }
}  // namespace ct3d
