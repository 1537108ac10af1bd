#!/usr/bin/env bash
# Stop 63's profile call, chained on s63a's machine (SKIP_BUILD=1): why v141 (x in registers) loses on the fp32 TF32
# mission.  ncu's stall reasons and its source page (SASS lines by stall samples) for one launch of the forward
# kernel: v144 at whole rows (X_RS=2, WGMMA_PIPE=1), the copy path's whole rows (X_RS=0, today's default there) and
# v141 at whole rows (X_RS=2).   Log: $OUT/s63c.txt; source pages $OUT/s63c-<label>-source.csv.
#   Usage: SKIP_BUILD=1 BUDGET_S=300 bash benchmarks/device_calls/s63c_ncu.sh
. benchmarks/device_check_lib.sh s63c.txt 300
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv >> "$L"
prof() {  # prof LABEL ENV...: stall reasons and the source page of the mission fp32 TF32 forward kernel under ENV
  local label=$1
  shift
  echo "== $label ($*): stall reasons (time left: $(left) s)" >> "$L"
  env "$@" timeout $(cap 40 5) ncu --metrics "regex:smsp__pcsamp_warps_issue_stalled_.*,smsp__issue_active.avg.pct_of_peak_sustained_active,gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum" \
    --csv -k regex:hopper_rowconv -s 1 -c 1 "$B" --case mission --dtype f32 --layout ncdhw --math tf32 --reps 1 \
    2>&1 | python3 -c "
import csv, sys
rows = [r for r in csv.reader(l for l in sys.stdin if l.startswith('\"'))]
if not rows: sys.exit('no ncu rows')
h = rows[0]; mi, vi = h.index('Metric Name'), h.index('Metric Value')
vals = sorted(((float(r[vi].replace(',', '')), r[mi]) for r in rows[1:] if r[vi].replace(',', '').replace('.', '').isdigit()), key=lambda t: -t[0])
for v, m in vals[:24]: print(f'{v:14.1f} {m}')
" >> "$L" 2>&1
  echo "== $label: SASS lines by stall samples (time left: $(left) s)" >> "$L"
  env "$@" timeout $(cap 60 5) ncu --section SourceCounters --section WarpStateStats --page source --print-source sass \
    --csv -k regex:hopper_rowconv -s 1 -c 1 "$B" --case mission --dtype f32 --layout ncdhw --math tf32 --reps 1 \
    > "$OUT/s63c-$label-source.csv" 2>/dev/null
  python3 benchmarks/ncu_source.py "$OUT/s63c-$label-source.csv" --top 30 >> "$L" 2>&1
  xz -f "$OUT/s63c-$label-source.csv"
}
prof piperows CUTLASS_CONVT3D_SM90_X_RS=2 CUTLASS_CONVT3D_SM90_WGMMA_PIPE=1
prof copyrows CUTLASS_CONVT3D_SM90_X_RS=0
prof rsrows CUTLASS_CONVT3D_SM90_X_RS=2
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
