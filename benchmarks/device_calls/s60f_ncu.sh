#!/usr/bin/env bash
# Stop 60, the sixth call (carry [".ab/bin"]: BIN=.ab/bin/5e4abf2.xz): s60e found the whole-row forward at 46% issue
# (bf16) / 36% (fp32), one warp eligible half the cycles, shared loads at 7.1 / 5.4 wavefronts a request; where do the
# warps wait?  The stall reasons of one launch (bf16, fp32 mission NCDHW) and the SASS lines with the most stall
# samples (ncu's source page, SASS only: the binary has no line info).
#   Log: $OUT/s60f.txt.  Usage: BIN=.ab/bin/5e4abf2.xz BUDGET_S=120 bash benchmarks/device_calls/s60f_ncu.sh
. benchmarks/device_ab_lib.sh s60f.txt 120
export CUTLASS_CONVT3D_SM90_WHOLE_ROWS=1
for dt in bf16 f32; do
  echo "== mission $dt ncdhw: stall reasons (time left: $(left) s)" >> "$L"
  timeout $(cap 40 5) ncu --metrics "regex:smsp__pcsamp_warps_issue_stalled_.*" --csv -k regex:hopper_rowconv -s 1 -c 1 \
    "$B" --case mission --dtype $dt --layout ncdhw --math tf32 --reps 1 2>/dev/null | \
    python3 -c "
import csv, sys
rows = [r for r in csv.reader(l for l in sys.stdin if l.startswith('\"'))]
h = rows[0]; mi, vi = h.index('Metric Name'), h.index('Metric Value')
vals = sorted(((float(r[vi].replace(',', '')), r[mi]) for r in rows[1:] if r[vi].replace(',', '').replace('.', '').isdigit()), reverse=True)
tot = sum(v for v, m in vals if not m.endswith('_not_issued'))
for v, m in vals[:16]: print(f'{v:12.0f} {m}')
" >> "$L" 2>&1
  echo "== mission $dt ncdhw: SASS lines by stall samples (time left: $(left) s)" >> "$L"
  timeout $(cap 50 5) ncu --section SourceCounters --section WarpStateStats --page source --print-source sass --csv \
    -k regex:hopper_rowconv -s 1 -c 1 "$B" --case mission --dtype $dt --layout ncdhw --math tf32 --reps 1 \
    > "$OUT/s60f-$dt-source.csv" 2>/dev/null
  python3 benchmarks/ncu_source.py "$OUT/s60f-$dt-source.csv" --top 45 >> "$L" 2>&1
done
echo "total: $(( $(date +%s) - t0 )) s" >> "$L"
exit 0
