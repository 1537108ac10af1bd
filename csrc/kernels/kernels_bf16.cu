// Kernels of the PolicyBF16 precision policy (one translation unit per policy so they compile in parallel).
#include "kernel_launch.cuh"

namespace ct3d {
const KernelLaunchers& launchers_bf16() { return detail::table<PolicyBF16>(); }
}  // namespace ct3d
