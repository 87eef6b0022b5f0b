#!/usr/bin/env bash
# Snapshots (BENCHMARKS.md, "Snapshots"): the large pool of the NEST comparison (65,536 neurons,
# out-degree 100, ~28 Hz) as a one-pool network. Prints the part's size (compressed and raw),
# the time `neurobus up` takes to cut, capture, compress, transfer, verify and store a
# snapshot (the controller's log), and the time to restore it (`neurobus run --restore`, one
# tick, against building the same pool from its seed: `run --ticks 1`). Then the same for
# the three-pool example network (examples/three-pools.toml).
# usage: bash Tests/Benchmarks/snapshot.sh [REPS]   (default 3)
set -euo pipefail
reps=${1:-3}
cd "$(dirname "$0")/../.."
bin=$PWD/.build/release/neurobus
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-snap-XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/large.toml" <<'TOML'
[network]
name = "large"
seed = 2026
[controller]
control = "tcp://127.0.0.1:27700"
publish = "tcp://127.0.0.1:27701"
[[pool]]
name = "large"
neurons = 65536
out_degree = 100
endpoint = "tcp://127.0.0.1:27710"
  [[pool.stimulus]]
  neurons = [0, 65536]
  kind = "poisson"
  drive = 2900
  rate_hz = 30.0
TOML
cp examples/three-pools.toml "$work/default.toml"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
echo "| network | pool | part bytes | raw bytes | ratio | snapshot (up, controller) | build from seed (run, 1 tick) | restore (run --restore, 1 tick) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for net in large default; do
  for r in $(seq 1 "$reps"); do
    out="$work/$net-$r"
    "$bin" up "$work/$net.toml" --ticks 100 --out "$out" --quiet --snapshot-at 50 >/dev/null
    snap=$(ls -d "$out"/snapshots/tick-50-*)
    taken=$(sed -nE 's/.*at tick 50 complete: .* ([0-9.]+) ms\).*/\1/p' "$out/logs/controller.log")
    t0=$(date +%s%N); "$bin" run "$work/$net.toml" --ticks 1 --out "$out/b" --quiet >/dev/null; build=$(ms "$t0")
    t0=$(date +%s%N); "$bin" run "$work/$net.toml" --ticks 51 --out "$out/r" --quiet --restore "$snap" >/dev/null; restore=$(ms "$t0")
    awk -v net="$net" -v taken="$taken" -v build="$build" -v restore="$restore" '
      /^pool = / { gsub(/"/, "", $3); pool = $3 }
      /^bytes = / { bytes = $3 }
      /^raw_bytes = / { printf "| %s | %s | %d | %d | %.2f | %s ms | %s ms | %s ms |\n", net, pool, bytes, $3, $3 / bytes, taken, build, restore }
    ' "$snap/manifest.toml"
    rm -rf "$out"
  done
done
