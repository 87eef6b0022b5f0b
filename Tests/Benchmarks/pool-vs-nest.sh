#!/usr/bin/env bash
# Runs the pool benchmark scenarios in NeuroBus and in NEST side by side, in one run on one
# machine, alternating the two, REPS times each; prints a Markdown table of the medians and the
# ratios. Needs a release build (make build) and NEST (installed into a venv on first use).
# The NEST side is Tests/Benchmarks/nest_pool.py (NEST_SCRIPT=path to use another script).
#   REPS=3 bash Tests/Benchmarks/pool-vs-nest.sh [scenario ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
VENV=${NEST_VENV:-$HOME/.cache/nest-venv}
NEST_SCRIPT=${NEST_SCRIPT:-Tests/Benchmarks/nest_pool.py}
BIN=.build/release/neurobus
OUT=${OUT:-.build/bench-pool.jsonl}
scenarios=("$@"); [ ${#scenarios[@]} -gt 0 ] || scenarios=(small large small-stdp)

[ -x "$BIN" ] || swift build -c release
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import nest' >/dev/null 2>&1; then
  echo "installing NEST into $VENV" >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q nest-simulator
fi
[ -f "$NEST_SCRIPT" ] || { echo "NEST reference script not found: $NEST_SCRIPT" >&2; exit 1; }

nest_args() {
  case $1 in
    small) echo "4096 82 5000" ;;
    large) echo "65536 100 2000" ;;
    small-stdp) echo "4096 82 5000 stdp" ;;
  esac
}

: > "$OUT"
for s in "${scenarios[@]}"; do
  for r in $(seq "$REPS"); do
    echo "[$s $r/$REPS] neurobus" >&2
    "$BIN" bench pool --scenario "$s" --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d["who"]="neurobus"; print(json.dumps(d))' >> "$OUT"
    echo "[$s $r/$REPS] NEST" >&2
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$NEST_SCRIPT" $(nest_args "$s") --json 2>/dev/null | tail -1 \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); d["who"]="nest"; d["scenario"]=sys.argv[1]; print(json.dumps(d))' "$s" >> "$OUT"
  done
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(who, s, key):
    v = [r[key] for r in rows if r["who"] == who and r["scenario"] == s]
    return statistics.median(v) if v else float("nan")
print("| scenario | NeuroBus events/s | NEST events/s | ratio | NeuroBus rate Hz | NEST rate Hz | NeuroBus RTF | NEST RTF | runs |")
print("|---|---|---|---|---|---|---|---|---|")
for s in dict.fromkeys(r["scenario"] for r in rows):
    a, b = med("neurobus", s, "synaptic_events_per_s"), med("nest", s, "synaptic_events_per_s")
    n = sum(1 for r in rows if r["who"] == "neurobus" and r["scenario"] == s)
    print(f"| {s} | {a:.3g} | {b:.3g} | {a/b:.1f}× | {med('neurobus', s, 'rate_hz'):.1f} | {med('nest', s, 'rate_hz'):.1f} "
          f"| {med('neurobus', s, 'real_time_factor'):.3f} | {med('nest', s, 'real_time_factor'):.3f} | {n} |")
PY
