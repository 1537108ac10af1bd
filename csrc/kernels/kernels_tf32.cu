// Kernels of the PolicyTF32 precision policy (one translation unit per policy so they compile in parallel).
#include "kernel_launch.cuh"

namespace ct3d {
const KernelLaunchers& launchers_tf32() { return detail::table<PolicyTF32>(); }
}  // namespace ct3d
