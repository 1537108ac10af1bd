#!/usr/bin/env python3
"""Probe for the stop 63 sketch "the x copy under the forward kernel" (benchmarks/NOTES.md): does a memory-bound
copy run beside the Hopper forward kernel on the same SMs, or only in its tail?

On the mission shape it times, CUDA events on the current stream, GPU time (a busy-wait queued first), medians:
  fwd      the forward (ModelNew, fp32 TF32) of a channels_last_3d x: the Hopper kernel alone, no x copy of its own
  copy     an NCDHW -> channels_last_3d copy of a tensor of x's size (the bytes the NCDHW forward's copy moves)
  serial   fwd then copy on one stream
  overlap  fwd queued on the current stream, then copy on a side stream started with it (events join them)
and prints how much of the copy the overlap hides: (serial - overlap) / copy.  Near 1: the copy's CTAs sit beside
the kernel's and the pieces-along-d design can hide the NCDHW forward's 97 us copy; near 0: they wait for its tail.

    python benchmarks/copy_overlap_probe.py [--reps 20]
"""
import argparse
import sys

import torch

from cutlass_convt3d import ModelNew
from cutlass_convt3d._timing import time_ms


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args(argv)
    if not torch.cuda.is_available():
        print("copy_overlap_probe: no CUDA device", file=sys.stderr)
        return 1
    torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(0)
    model = ModelNew(32, 32, 3, 2, 1, 4).cuda()
    x = torch.rand(4, 32, 32, 64, 128, device="cuda").to(memory_format=torch.channels_last_3d)
    src = torch.rand(4, 32, 32, 64, 128, device="cuda")
    dst = torch.empty_like(src, memory_format=torch.channels_last_3d)
    side = torch.cuda.Stream()

    def fwd():
        with torch.no_grad():
            model(x)

    def copy():
        dst.copy_(src)

    def serial():
        fwd()
        copy()

    def overlap():
        # the forward queued first, as the design would (its CTAs resident, the copy's in what they leave); the side
        # stream starts with it (after the busy-wait) and joins back before the end event
        cur = torch.cuda.current_stream()
        side.wait_stream(cur)
        fwd()
        with torch.cuda.stream(side):
            copy()
        cur.wait_stream(side)

    t = {name: time_ms(fn, reps=args.reps, hide_launch=True) for name, fn in
         (("fwd", fwd), ("copy", copy), ("serial", serial), ("overlap", overlap))}
    print(f"{torch.cuda.get_device_name()}  torch {torch.__version__}")
    for name, ms in t.items():
        print(f"{name:8s} {ms:8.3f} ms")
    print(f"hidden   {(t['serial'] - t['overlap']) / t['copy']:8.2f} of the copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
