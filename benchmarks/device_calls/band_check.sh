#!/usr/bin/env bash
# v100's device check, one call (~7 minutes on an H100): the Hopper forward's banded tile order (and v101's A/B).
#   1. build and install (benchmarks/device_run.sh build),
#   2. convt3d_bench, one binary, CUTLASS_CONVT3D_SM90_BAND 0 (the order before v100) / 4 / 8 / 16 on the mission
#      (NCDHW and channels_last fp32 TF32, NCDHW bf16) and k3s2op1,
#   3. the whole suite (defaults), 4. ncu DRAM bytes of the channels_last mission forward at band 0 and the default,
#   5. a second A/B round, 6. bench.py on the mission (every mode; JSON + chart), each in what is left of BUDGET_S.
# Usage: bash benchmarks/device_calls/band_check.sh   (logs in $OUT/band.txt, default ./device_out)
. benchmarks/device_check_lib.sh band.txt 560
ab() {  # one round of the A/B
  for c in "mission" "mission --layout cl" "mission --dtype bf16" "k3s2op1"; do for b in 0 4 8 16; do
    echo "case $c band $b round $1" >> "$L"
    CUTLASS_CONVT3D_SM90_BAND=$b timeout 60 "$B" --case $c --reps 10 2>&1 | grep -v "^case\|^device" >> "$L"
  done; done
}
echo "== convt3d_bench, CUTLASS_CONVT3D_SM90_BAND (ms: forward, grad_input, grad_weight)" >> "$L"
(cd /tmp && ab 1)
# v101: grad_weight where kernel != stride on the tap-GEMM (CUTLASS_CONVT3D_PHASEGEMM_WGRAD 0 / 1; the wgrad column)
echo "== v101 convt3d_bench, CUTLASS_CONVT3D_PHASEGEMM_WGRAD 0 / 1 (ms: forward, grad_input, grad_weight)" >> "$L"
for c in "vnet-128-64" "vnet-128-64 --dtype bf16" "vnet-128-64 --layout cl" "vnet-128-64 --layout cl --dtype bf16" \
         "video-64-32 --phase 1" "mission --phase 1"; do
  ph=3; case "$c" in *"--phase 1") ph=1; c=${c% --phase 1};; esac
  for v in 0 1; do
  echo "case $c phasegemm $ph wgrad $v" >> "$L"
  (cd /tmp && CUTLASS_CONVT3D_PHASEGEMM=$ph CUTLASS_CONVT3D_PHASEGEMM_WGRAD=$v timeout 60 "$B" --case $c --reps 10 2>&1 | \
    grep -v "^case\|^device") >> "$L"
done; done
# v92 (built stop 34, never timed): the Hopper forward at 256 channels per group, kernel 2 / stride 2 (unet-256-128)
echo "== v92 convt3d_bench unet-256-128, CUTLASS_CONVT3D_SM90_NSJ8 0 / 1 (TAPGEMM 0: the Hopper forward's own)" >> "$L"
for c in "unet-256-128" "unet-256-128 --dtype bf16"; do for v in 0 1; do
  echo "case $c nsj8 $v" >> "$L"
  (cd /tmp && CUTLASS_CONVT3D_TAPGEMM=0 CUTLASS_CONVT3D_SM90_NSJ8=$v timeout 60 "$B" --case $c --reps 10 2>&1 | \
    grep -v "^case\|^device") >> "$L"
done; done
echo "== pytest tests -m 'not large' (defaults; time left: $(left) s)" >> "$L"
[ $(left) -gt 60 ] && timeout $(( $(left) - 20 < 220 ? $(left) - 20 : 220 )) pytest -q tests -p no:cacheprovider \
  -m "not large" 2>&1 | grep -E "FAILED|ERROR|passed|failed" | tail -30 >> "$L"
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum"
for b in 0 8; do
  [ $(left) -gt 30 ] || break
  echo "== ncu mission forward channels_last band $b" >> "$L"
  (cd /tmp && CUTLASS_CONVT3D_SM90_BAND=$b timeout 40 ncu --clock-control none --kernel-name-base demangled \
    -k regex:"hopper_rowconv_kernel" -c 1 --metrics "$M" --csv "$B" --case mission --layout cl --reps 1 2>&1 | \
    grep -E '^"' | awk -F'","' '{ print $(NF-2), $(NF-1), $NF }' | tr -d '"' >> "$L")
done
[ $(left) -gt 90 ] && (cd /tmp && ab 2)
echo "== bench.py --quick (time left: $(left) s)" >> "$L"
[ $(left) -gt 40 ] && timeout $(left) python3 benchmarks/bench.py --quick --reps 10 --out "$OUT/band-mission.json" 2>&1 | \
  tr '\r' '\n' | grep -v "^bench:" >> "$L"
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
