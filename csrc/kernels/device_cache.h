// What the plan and the launchers ask the CUDA runtime on every call -- the device's SM count and shared-memory
// limits, a kernel's occupancy, its dynamic shared-memory limit -- asked once per (device, kernel) and kept.
// Each query costs microseconds of host time (more than the whole plan), and a caller whose GPU is idle waits
// for all of it; the answers depend only on the device and the kernel.  Thread-safe.  (A cudaDeviceReset would
// drop the raised limits behind the cache's back; PyTorch never resets a device.)
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace ct3d {

struct DeviceAttrs {
  int sms = 1;          // multiprocessors
  int smem_optin = 0;   // one CTA's opt-in shared-memory maximum (bytes)
  int smem_per_sm = 0;  // one SM's shared memory (bytes)
  int cc = 0;           // compute capability, major * 10 + minor
  int64_t l2_bytes = 0;  // L2 cache (0: unknown)
};
// of the current device
const DeviceAttrs& device_attrs();

// Raises `kernel`'s dynamic shared-memory limit on the current device to at least `bytes` (the runtime is asked
// only when the limit must grow).
cudaError_t ensure_dynamic_smem(const void* kernel, size_t bytes);

// CTAs of `threads` threads per SM at `smem` bytes of dynamic shared memory on the current device; 0 where the
// runtime cannot say (its error is cleared).
int occupancy_blocks(const void* kernel, int threads, size_t smem);

}  // namespace ct3d
