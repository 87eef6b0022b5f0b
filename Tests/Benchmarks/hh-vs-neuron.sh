#!/usr/bin/env bash
# 1,000 Hodgkin-Huxley cells in NeuroBio and in NEURON, side by side in one run on one machine,
# alternating the two REPS times; prints the medians and the ratio. The cells are the same:
# one compartment, 1000 um^2, HH 1952 (NEURON's `hh`), 6.3 C, a 10 uA/cm^2 step from t = 0,
# dt 0.025 ms, 1 s simulated. NeuroBio's integrator is its staggered Crank-Nicolson scheme
# (docs/NEUROBIO.md), NEURON's its default backward Euler; both single-threaded.
#   REPS=3 CELLS=1000 MS=1000 bash Tests/Benchmarks/hh-vs-neuron.sh
# Needs NEURON for python3 (or PYTHON=/path/to/python with `pip install neuron`).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
CELLS=${CELLS:-1000}
MS=${MS:-1000}
PYTHON=${PYTHON:-python3}
SCRATCH=${SCRATCH:-.build}
OUT=${OUT:-$SCRATCH/bench-hh.jsonl}

swift build -c release --scratch-path "$SCRATCH" --product neurobus >&2
BIN=$SCRATCH/release/neurobus
"$PYTHON" -c 'import neuron' 2>/dev/null || { echo "NEURON is not importable by $PYTHON (pip install neuron)" >&2; exit 1; }

: > "$OUT"
for r in $(seq "$REPS"); do
  echo "[$r/$REPS] neurobus" >&2
  "$BIN" diverge --bench-hh "$CELLS" --bench-ms "$MS" --json | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    d["who"] = "neurobus"; d["mode"] = "features " + d["features"]; print(json.dumps(d))' >> "$OUT"
  echo "[$r/$REPS] NEURON" >&2
  "$PYTHON" Tests/Benchmarks/neuron_hh_bench.py "$CELLS" "$MS" 2>/dev/null | grep '^{' >> "$OUT"
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r["who"], r["mode"]), []).append(r)
print("| simulator | mode | cells | simulated ms | spikes | wall s (median) | real-time factor |")
print("|---|---|---:|---:|---:|---:|---:|")
med = {}
for (who, mode), rs in groups.items():
    w = statistics.median(r["wall_seconds"] for r in rs)
    med[(who, mode)] = w
    sim = rs[0]["simulated_ms"]
    cells = rs[0]["cells"]
    print(f"| {who} | {mode} | {cells} | {sim:g} | {rs[0]['spikes']} | {w:.3f} | {float(sim) / 1000 / w:.2f} |")
bare = med.get(("neurobus", "features none"))
for mode in ("default", "cache_efficient"):
    n = med.get(("neuron", mode))
    if bare and n:
        print(f"\nNeuroBio bare HH vs NEURON {mode}: {n / bare:.2f}x faster")
PY
