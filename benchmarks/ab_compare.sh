#!/usr/bin/env bash
# A/B of the C++ benchmark on one GPU machine: a base tree against the working tree, built side by side and run
# interleaved (2 rounds x {fp32 TF32, bf16}), so machine-to-machine spread does not enter the ratio.
# A runner's copy carries no .git, so export the base first:
#   mkdir -p .ab/base && git archive <commit> CMakeLists.txt csrc third_party tests/cpp | tar -x -C .ab/base
# Usage: BASE=.ab/base bash benchmarks/ab_compare.sh      (table on stdout, raw runs in $OUT/ab.txt)
# Device time is scarce: binaries built here can be carried instead (BASE_BIN, NEW_BIN; a stripped, xz-compressed
# sm_90 convt3d_bench is ~20 MB (at ece2a18), decompressed on the machine; three fit the 64 MiB a call carries),
# which skips both builds.
# CFGS: comma-separated "dtype layout math" configurations (default below); a base binary needs --layout (211a068 on).
# BASE_ARGS / NEW_ARGS: extra flags for each variant, e.g. one binary against itself with BASE_ARGS="--stages 2".
# VARIANTS="base=.ab/bin/a.xz x=.ab/bin/b.xz ...": several carried binaries in each round, the first the base (the
# table gives each against it); "label=path@VAR=value@..." runs that binary with those environment variables (one
# binary, a knob on and off: "head=.ab/bin/x.xz tma=.ab/bin/x.xz@CUTLASS_CONVT3D_SM90_TMA_ROUND=1", unpacked once
# per label); CASES="k3s1 mission" limits the runs to those cases.  Carried binaries of any
# revisions: bash benchmarks/ab_build.sh <rev> ... (built off the GPU).  DIGEST=1: also compare the outputs' bits;
# CHECK=1: also check each variant's outputs against float64.
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
ARCH=${CUTLASS_CONVT3D_ARCHS:-90}
CFGS=${CFGS:-f32 ncdhw tf32,bf16 ncdhw tf32,f32 cl tf32}
if ls .whl/nvidia_cutlass-*.whl >/dev/null 2>&1 && ! python3 -c "import cutlass_library" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/nvidia_cutlass-*.whl
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
build() {  # $1 source tree, $2 build dir
  cmake -S "$1" -B "$2" -G Ninja -DCT3D_PYTHON=OFF -DCMAKE_CUDA_ARCHITECTURES="$ARCH" > "$2.log" 2>&1 &&
    ninja -C "$2" convt3d_bench >> "$2.log" 2>&1 || { tail -20 "$2.log"; return 1; }
}
# (a binary that several variants name is decompressed once: the later ones copy the first's)
declare -A unpacked=()
unpack() {
  if [ -n "${unpacked[$1]:-}" ]; then cp "${unpacked[$1]}" "$2"
  else case "$1" in *.xz) xz -dkc "$1" > "$2" ;; *) cp "$1" "$2" ;; esac; unpacked[$1]=$2; fi
  chmod +x "$2"
}
if [ -n "${VARIANTS:-}" ]; then
  labels=(); bins=(); args=(); envs=()
  for v in $VARIANTS; do
    spec=${v#*=}; path=${spec%%@*}; e=""
    [ "$spec" != "$path" ] && e=$(tr '@' ' ' <<< "${spec#*@}")
    labels+=("${v%%=*}"); mkdir -p "/tmp/ab_${v%%=*}"; unpack "$path" "/tmp/ab_${v%%=*}/convt3d_bench"
    bins+=("/tmp/ab_${v%%=*}/convt3d_bench"); args+=(""); envs+=("$e")
  done
elif [ -n "${BASE_BIN:-}" ] && [ -n "${NEW_BIN:-}" ]; then
  mkdir -p /tmp/ab_base /tmp/ab_new
  unpack "$BASE_BIN" /tmp/ab_base/convt3d_bench && unpack "$NEW_BIN" /tmp/ab_new/convt3d_bench
else
  BASE=${BASE:?set BASE to the exported base tree, or BASE_BIN and NEW_BIN}
  build "$BASE" /tmp/ab_base & build . /tmp/ab_new & wait
fi
if [ -z "${VARIANTS:-}" ]; then
  labels=(0 1); bins=(/tmp/ab_base/convt3d_bench /tmp/ab_new/convt3d_bench); args=("${BASE_ARGS:-}" "${NEW_ARGS:-}")
  envs=("" "")
fi
for b in "${bins[@]}"; do [ -x "$b" ] || exit 1; done
IFS=, read -ra cfgs <<< "$CFGS"
read -ra cases <<< "${CASES:-all}"
for r in 1 2; do for v in "${!bins[@]}"; do
  for cfg in "${cfgs[@]}"; do
    set -- $cfg  # dtype layout math; the table labels the configuration dtype+layout+math
    echo "== round $r variant ${labels[$v]} dtype $1$2$3"
    for c in "${cases[@]}"; do
      sel=$([ "$c" = all ] || echo "--case $c")
      env ${envs[$v]} "${bins[$v]}" --reps 20 --dtype "$1" --layout "$2" --math "$3" $sel ${args[$v]} | tail -n +3
    done
  done
done; done > "$OUT/ab.txt" 2>&1
python3 "$(dirname "$0")/ab_table.py" "$OUT/ab.txt"
# DIGEST=1: each variant's outputs (y, grad_x, grad_w) hashed bit for bit against the base's (convt3d_bench --digest,
# 4af3299 on), for changes that should not change a sum; CHECK=1: each variant's outputs against the library's own
# float64 run (convt3d_bench --check), for changes that do
if [ "${DIGEST:-0}" = 1 ] || [ "${CHECK:-0}" = 1 ]; then
  for cfg in "${cfgs[@]}"; do
    set -- $cfg
    for v in "${!bins[@]}"; do
      flags="--digest"  # --check where the binary has it (c03b035 on)
      [ "${CHECK:-0}" = 1 ] && "${bins[$v]}" --help | grep -q -- --check && flags="$flags --check"
      for c in "${cases[@]}"; do
        sel=$([ "$c" = all ] || echo "--case $c")
        env ${envs[$v]} "${bins[$v]}" --reps 2 $flags --dtype "$1" --layout "$2" --math "$3" $sel ${args[$v]}
      done > "/tmp/digest_$v.raw"
      awk '$1 == "digest" { print name, $0 } NF >= 6 && $2 ~ /^[0-9.]+$/ { name = $1 }' "/tmp/digest_$v.raw" \
        > "/tmp/digest_$v.txt"
      awk -v l="${labels[$v]} $1 $2 $3" '$1 == "check" { print l, name, $0 } NF >= 6 && $2 ~ /^[0-9.]+$/ { name = $1 }' \
        "/tmp/digest_$v.raw"
      [ "$v" = 0 ] || [ "${DIGEST:-0}" != 1 ] && continue
      if cmp -s /tmp/digest_0.txt "/tmp/digest_$v.txt" && [ -s /tmp/digest_0.txt ]; then
        echo "digest $1 $2 $3: ${labels[$v]} same bits as ${labels[0]} ($(wc -l < /tmp/digest_0.txt) cases)"
      else
        echo "digest $1 $2 $3: ${labels[$v]} DIFFERS from ${labels[0]}:"; diff /tmp/digest_0.txt "/tmp/digest_$v.txt"
      fi
    done
  done | tee "$OUT/digest.txt"
fi
