#include "device_cache.h"

#include <map>
#include <mutex>
#include <tuple>

namespace ct3d {
namespace {

constexpr int kMaxDevices = 64;

DeviceAttrs query_attrs(int dev) {
  DeviceAttrs a;
  int v = 0;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess && v > 0) a.sms = v;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev) == cudaSuccess) a.smem_optin = v;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev) == cudaSuccess) a.smem_per_sm = v;
  int major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) == cudaSuccess &&
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev) == cudaSuccess)
    a.cc = major * 10 + minor;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, dev) == cudaSuccess) a.l2_bytes = v;
  (void)cudaGetLastError();
  return a;
}

int current_device() {
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return dev;
}

// (kernel, device) -> dynamic shared memory the limit was raised to; (kernel, device, threads, smem) -> CTAs per SM
std::mutex g_mutex;
std::map<std::tuple<const void*, int>, size_t> g_smem;
std::map<std::tuple<const void*, int, int, size_t>, int> g_occupancy;

}  // namespace

const DeviceAttrs& device_attrs() {
  static std::once_flag once[kMaxDevices];
  static DeviceAttrs attrs[kMaxDevices];
  const int dev = current_device();
  if (dev < 0 || dev >= kMaxDevices) {
    thread_local DeviceAttrs fresh;
    fresh = query_attrs(dev);
    return fresh;
  }
  std::call_once(once[dev], [dev] { attrs[dev] = query_attrs(dev); });
  return attrs[dev];
}

cudaError_t ensure_dynamic_smem(const void* kernel, size_t bytes) {
  const auto key = std::make_tuple(kernel, current_device());
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_smem.find(key);
  if (it != g_smem.end() && it->second >= bytes) return cudaSuccess;
  const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes));
  if (e == cudaSuccess) g_smem[key] = bytes;
  return e;
}

int occupancy_blocks(const void* kernel, int threads, size_t smem) {
  const auto key = std::make_tuple(kernel, current_device(), threads, smem);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_occupancy.find(key);
    if (it != g_occupancy.end()) return it->second;
  }
  int n = 0;
  if ((smem > 0 && ensure_dynamic_smem(kernel, smem) != cudaSuccess) ||
      cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, threads, smem) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;  // not cached: the next call asks again
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  g_occupancy[key] = n;
  return n;
}

}  // namespace ct3d
