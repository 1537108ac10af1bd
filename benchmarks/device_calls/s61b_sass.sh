#!/usr/bin/env bash
# Stop 61 (carry [".whl"]; no build of the package, ~30 s): why v136 (a), the straight-line row-vector stores
# (s61b_v136a.patch, reverted at stop 60), made the bf16 / fp16 mission forward 9% faster but 16-bit k2s2 and the fp32
# mission 6-7% slower (NOTES, stop 60).  No disassembler off the GPU machine: here nvcc builds the three whole-row
# instances those shapes run (TF32 NSJ 2, bf16 NSJ 1 and 2) from HEAD's kernels and from HEAD + the patch, and
# cuobjdump writes their SASS to $OUT (sass-<variant>.txt) for reading afterwards, with an opcode count per variant.
#   Logs: $OUT/s61b.txt.   Usage: bash benchmarks/device_calls/s61b_sass.sh
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
L=$OUT/s61b.txt
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/nvidia_cutlass-*.whl > /dev/null 2>&1
CL=$(PYTHONPATH=/tmp/site python3 -c "import cutlass_library, os; print(os.path.join(os.path.dirname(cutlass_library.__file__), 'source', 'include'))")
cat > /tmp/one.cu <<'CU'
#include "sm90_common.cuh"
#include "rowconv_sm90.cuh"
namespace ct3d {
template __global__ void hopper_rowconv_kernel<HopperTF32, 0, 2, 2, 128>(const __grid_constant__ CUtensorMap, const __grid_constant__ HopperParams);
template __global__ void hopper_rowconv_kernel<Hopper16<cutlass::bfloat16_t>, 0, 2, 1, 128>(const __grid_constant__ CUtensorMap, const __grid_constant__ HopperParams);
template __global__ void hopper_rowconv_kernel<Hopper16<cutlass::bfloat16_t>, 0, 2, 2, 128>(const __grid_constant__ CUtensorMap, const __grid_constant__ HopperParams);
}
CU
for v in head v136a; do
  rm -rf /tmp/k_$v && mkdir -p /tmp/k_$v && cp -r csrc /tmp/k_$v/
  [ $v = v136a ] && (cd /tmp/k_$v && patch -p1 -s < "$OLDPWD/benchmarks/device_calls/s61b_v136a.patch")
  nvcc -I /tmp/k_$v/csrc/kernels -isystem "$CL" -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a \
    --expt-relaxed-constexpr -Xptxas=-v -cubin /tmp/one.cu -o /tmp/one_$v.cubin > "$OUT/ptxas-$v.txt" 2>&1
  cuobjdump -sass /tmp/one_$v.cubin > "$OUT/sass-$v.txt" 2>&1
  echo "== $v: $(grep -c "spill" "$OUT/ptxas-$v.txt") ptxas lines on spills; opcodes per function" >> "$L"
  awk '/Function :/{f=$3} /^ +\/\*[0-9a-f]+\*\/ /{op=$2; if (op ~ /^@/) op=$3; sub(/\..*/, "", op); n[f" "op]++}
       END{for (k in n) print n[k], k}' "$OUT/sass-$v.txt" | sort -k2,2 -k1,1nr | awk '{c[$2]++; if (c[$2] <= 12) print}' >> "$L"
done
exit 0
