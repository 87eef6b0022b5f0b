#!/usr/bin/env bash
# The Brunel (2000) sparse network, model A (delta synapses, examples/brunel.toml: 4000 E + 1000 I
# iaf neurons, C_E = 400, C_I = 100, J = 0.1 mV, D = 1.5 ms, 0.1 ms steps) in NeuroBus and in NEST
# side by side, per regime (g, eta) and seed, alternating the two; compares the mean rate, the
# mean ISI CV and the Fano factor of the 1 ms population count (Tests/Benchmarks/spike_stats.py)
# over MS ms with the first SKIP_MS dropped, and prints a Markdown table with per-seed values,
# mean ± sd across seeds and a verdict: NeuroBus's mean rate inside the range of NEST's seeds or
# within ±10 % of NEST's mean, and its mean CV within ±0.05 of NEST's. Raw JSON lines go to OUT.
#   SEEDS="1 2 3" REGIMES="5:2 3:2" MS=1200 SKIP_MS=200 bash Tests/Benchmarks/brunel-vs-nest.sh
# REGIMES is a list of g:eta. STRICT=1 exits 1 when a verdict fails; KEEP=1 keeps the temp dir
# (variants and rasters). Needs a release build (built if BIN is missing) and NEST (installed
# into a venv on first use). One NEST thread; `neurobus run` opens no sockets.
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=${SEEDS:-1 2 3}
REGIMES=${REGIMES:-5:2 3:2}
MS=${MS:-1200}
SKIP_MS=${SKIP_MS:-200}
VENV=${NEST_VENV:-$HOME/.cache/nest-venv}
BIN=${BIN:-.build/release/neurobus}
OUT=${OUT:-.build/bench-brunel.jsonl}
EXAMPLE=${EXAMPLE:-examples/brunel.toml}
HERE=Tests/Benchmarks
TICK_MS=0.1      # examples/brunel.toml: tick_us = 100
NEURONS=5000

[ -f "$EXAMPLE" ] || { echo "network file not found: $EXAMPLE" >&2; exit 1; }
[ -x "$BIN" ] || swift build -c release
[ -x "$BIN" ] || { echo "neurobus binary not found: $BIN" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import nest, numpy' >/dev/null 2>&1; then
  echo "installing NEST into $VENV" >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q nest-simulator numpy
fi
PY=$VENV/bin/python
TICKS=$(python3 -c 'import sys; print(round(float(sys.argv[1]) / float(sys.argv[2])))' "$MS" "$TICK_MS")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/brunel-vs-nest.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "keeping $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT; fi
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

# make_variant G ETA SEED DEST: examples/brunel.toml with the seed, the inhibitory weight -g J
# and the external rate C_E eta nu_thr substituted; fails if a line to replace is not there once.
make_variant() {
  python3 - "$EXAMPLE" "$@" <<'PY'
import sys
src, g, eta, seed, dest = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
lines = open(src).read().split("\n")
subs = [("seed = 1", f"seed = {seed}", "[network]"),
        ("weight = -0.5           # mV, -g J with g = 5", f"weight = {-g * 0.1:.10g}           # mV, -g J with g = {g:g}", None),
        ("rate_hz = 20000.0", f"rate_hz = {400 * eta * 25.0!r}", None)]
for old, new, table in subs:
    hits = [i for i, l in enumerate(lines) if l.strip() == old]
    if len(hits) != 1:
        sys.exit(f"{src}: expected exactly one line `{old}`, found {len(hits)}")
    i = hits[0]
    if table:
        section = next((l.strip() for l in reversed(lines[:i]) if l.strip().startswith("[")), None)
        if section != table:
            sys.exit(f"{src}:{i + 1}: `{old}` is in {section}, not in {table}")
    lines[i] = lines[i][:len(lines[i]) - len(lines[i].lstrip())] + new
open(dest, "w").write("\n".join(lines))
PY
}

now() { date +%s.%N; }

# record WHO G ETA SEED WALL STATS_JSON [EXTRA_JSON]: one JSON line into $OUT.
record() {
  python3 -c '
import json, sys
who, g, eta, seed, wall, stats = sys.argv[1:7]
d = {"who": who, "g": float(g), "eta": float(eta), "seed": int(seed), "ms": float(sys.argv[8]),
     "skip_ms": float(sys.argv[9]), "wall_s": round(float(wall), 3)}
d.update(json.loads(stats))
if sys.argv[7]:
    extra = json.loads(sys.argv[7])
    d.update({k: extra[k] for k in ("simulator", "build_s", "simulate_s", "poisson_rate_hz") if k in extra})
print(json.dumps(d))' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" "$MS" "$SKIP_MS" >> "$OUT"
}

stats() {
  "$PY" "$HERE/spike_stats.py" "$1" --tick-ms "$TICK_MS" --neurons "$NEURONS" --skip-ms "$SKIP_MS" --ms "$MS"
}

for regime in $REGIMES; do
  g=${regime%%:*}; eta=${regime#*:}
  [ "$g" != "$regime" ] || { echo "REGIMES entries are g:eta, got $regime" >&2; exit 1; }
  for seed in $SEEDS; do
    run=$tmp/g${g}-eta${eta}-seed${seed}
    mkdir -p "$run/neurobus"
    make_variant "$g" "$eta" "$seed" "$run/brunel.toml"

    echo "[g=$g eta=$eta seed=$seed] neurobus" >&2
    t0=$(now)
    "$BIN" run "$run/brunel.toml" --ticks "$TICKS" --out "$run/neurobus" --quiet >/dev/null
    t1=$(now)
    [ -f "$run/neurobus/brunel.raster" ] || { echo "no raster at $run/neurobus/brunel.raster" >&2; exit 1; }
    record neurobus "$g" "$eta" "$seed" "$(python3 -c "print($t1 - $t0)")" "$(stats "$run/neurobus/brunel.raster")"

    echo "[g=$g eta=$eta seed=$seed] NEST" >&2
    t0=$(now)
    nest_json=$("$PY" "$HERE/brunel_nest.py" --g "$g" --eta "$eta" --seed "$seed" --ms "$MS" \
      --resolution "$TICK_MS" --out "$run/nest.raster" | tail -1)
    t1=$(now)
    record nest "$g" "$eta" "$seed" "$(python3 -c "print($t1 - $t0)")" "$(stats "$run/nest.raster")" "$nest_json"
  done
done

python3 - "$OUT" "${STRICT:-0}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
strict = sys.argv[2] == "1"

def vals(who, regime, key):
    return [r[key] for r in rows if r["who"] == who and (r["g"], r["eta"]) == regime and r.get(key) is not None]

def msd(v, fmt):
    if not v:
        return "n/a", None
    m = statistics.fmean(v)
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return f"{m:{fmt}} ± {sd:{fmt}}", m

def per_seed(v, fmt):
    return " / ".join(f"{x:{fmt}}" for x in v) or "n/a"

print(f"Brunel (2000) model A, N = 5000, {rows[0]['ms']:g} ms, first {rows[0]['skip_ms']:g} ms skipped; "
      "per-seed values, then mean ± sd across seeds. Fano: population count in 1 ms bins.\n")
print("| regime | simulator | seeds | rate Hz | rate mean ± sd | ISI CV | CV mean ± sd "
      "| Fano | Fano mean ± sd | wall s (mean) | verdict |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
failed = False
for regime in dict.fromkeys((r["g"], r["eta"]) for r in rows):
    nest_rate, nest_cv = vals("nest", regime, "rate_hz"), vals("nest", regime, "cv_isi")
    for who in ("neurobus", "nest"):
        seeds = vals(who, regime, "seed")
        if not seeds:
            continue
        rate, cv, fano = vals(who, regime, "rate_hz"), vals(who, regime, "cv_isi"), vals(who, regime, "fano_pop")
        rate_s, rate_m = msd(rate, ".1f")
        cv_s, cv_m = msd(cv, ".3f")
        fano_s, _ = msd(fano, ".2f")
        wall = statistics.fmean(vals(who, regime, "wall_s"))
        if who == "nest":
            verdict = "reference"
        elif not nest_rate or rate_m is None:
            verdict = "no NEST data"
        else:
            nm = statistics.fmean(nest_rate)
            rate_ok = min(nest_rate) <= rate_m <= max(nest_rate) or abs(rate_m - nm) <= 0.1 * nm
            parts = [f"rate {'ok' if rate_ok else 'DIFFERS'} ({(rate_m - nm) / nm * 100:+.1f} %)"]
            cv_ok = bool(nest_cv) and cv_m is not None and abs(cv_m - statistics.fmean(nest_cv)) <= 0.05
            if nest_cv and cv_m is not None:
                parts.append(f"CV {'ok' if cv_ok else 'DIFFERS'} ({cv_m - statistics.fmean(nest_cv):+.3f})")
            else:
                parts.append("CV n/a")
            failed |= not (rate_ok and cv_ok)
            verdict = ", ".join(parts)
        name = "NeuroBus" if who == "neurobus" else "NEST"
        print(f"| g={regime[0]:g}, η={regime[1]:g} | {name} | {' '.join(str(s) for s in seeds)} "
              f"| {per_seed(rate, '.1f')} | {rate_s} | {per_seed(cv, '.3f')} | {cv_s} "
              f"| {per_seed(fano, '.1f')} | {fano_s} | {wall:.1f} | {verdict} |")
print("\nverdict: NeuroBus mean rate within NEST's seed range or ±10 % of NEST's mean; mean ISI CV within ±0.05.")
sys.exit(1 if strict and failed else 0)
PY
