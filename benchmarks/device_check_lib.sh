# Sourced by the one-call device check scripts (benchmarks/device_calls/*.sh):
#   . benchmarks/device_check_lib.sh <log name> <default BUDGET_S>
# sets OUT (default ./device_out), R (the repository), L (the log, $OUT/<log name>), t0 and left() (seconds of
# BUDGET_S left), builds and installs the package into L (unless SKIP_BUILD=1, after another script's build on the same
# machine; a failed build ends the caller) and sets B, the installed convt3d_bench.
set -uo pipefail
OUT=${OUT:-$PWD/device_out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
R=$PWD
L=$OUT/$1
_ct3d_budget=$2
t0=$(date +%s)
left() { echo $(( ${BUDGET_S:-$_ct3d_budget} - ($(date +%s) - t0) )); }
[ "${SKIP_BUILD:-0}" = 1 ] || bash benchmarks/device_run.sh build > "$L" 2>&1 || exit 1
B=$(python3 -c "import site, glob; print((glob.glob(site.getsitepackages()[0] + '/cutlass_convt3d/bin/convt3d_bench') + [''])[0])")
# log_pytest SECONDS [EXPR]: the suite's "not large" tests (those matching -k EXPR where given) within SECONDS (capped
# by what is left of the budget, less 5), their failures and summary appended to L under a header
log_pytest() {
  local s=$1 k=${2:-} cap=$(( $(left) - 5 ))
  [ "$cap" -lt "$s" ] && s=$cap
  echo "== pytest ${k:+-k '$k' }(time left: $(left) s)" >> "$L"
  [ "$s" -gt 20 ] || { echo "(skipped: no time left)" >> "$L"; return 0; }
  timeout "$s" pytest -q tests -p no:cacheprovider -m "not large" ${k:+-k "$k"} 2>&1 | \
    grep -E "^E  |FAILED|ERROR|passed|failed" | tail -30 >> "$L"
}
# log_ab SECONDS VARIANTS CASES CFGS: benchmarks/ab_compare.sh with digests over those variants, cases and
# configurations within SECONDS, its table in $OUT/ab_table.txt (raw runs in $OUT/ab.txt), a header in L
log_ab() {
  echo "== A/B (time left: $(left) s)" >> "$L"
  VARIANTS="$2" DIGEST=1 CASES="$3" CFGS="$4" OUT=$OUT timeout "$1" bash benchmarks/ab_compare.sh > "$OUT/ab_table.txt" 2>&1
}
# log_bench NAME RESERVE [bench.py args]: bench.py (medians of 10) into $OUT/NAME.json / .png and L, within what is
# left of the budget less RESERVE seconds (kept for what the script runs after it)
log_bench() {
  local name=$1 reserve=$2
  shift 2
  echo "== bench.py $name (time left: $(left) s)" >> "$L"
  [ $(( $(left) - reserve )) -gt 30 ] || { echo "(skipped: no time left)" >> "$L"; return 0; }
  timeout $(( $(left) - reserve )) python3 benchmarks/bench.py --reps 10 "$@" --out "$OUT/$name.json" 2>&1 | \
    tr '\r' '\n' | grep -v "^bench:" >> "$L"
}
. benchmarks/device_common.sh
