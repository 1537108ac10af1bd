"""The one timing helper of the main job and the benchmarks: CUDA events on the current stream, warm-up,
median."""
import statistics

import torch

# ~1 ms of GPU clock cycles (sm_80+ clocks are 1.1-2 GHz): longer than any single call's host-side dispatch
_BUSY_CYCLES = 2_000_000


def time_ms(fn, reps: int = 20, warmup: int = 3, hide_launch: bool = False) -> float:
    """Median milliseconds of fn() over reps runs, each bracketed by CUDA events on the current stream.

    hide_launch=False times what a user's harness sees: the GPU is idle when fn() starts, so the host's
    dispatch of its first kernel is inside the interval.  hide_launch=True first queues a ~1 ms busy-wait
    kernel, so fn()'s kernels are all queued before the start event fires: the interval is GPU time alone,
    as the C++ benchmark measures it (its launches cost a few microseconds, a Python op's tens)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        if hide_launch:
            torch.cuda._sleep(_BUSY_CYCLES)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)
