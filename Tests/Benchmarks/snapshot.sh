#!/usr/bin/env bash
# Snapshots (BENCHMARKS.md, "Snapshots"): the large pool of the NEST comparison (65,536 neurons,
# out-degree 100, ~28 Hz) as a one-pool network. Prints the part's size (compressed and raw),
# the time `neurobus up` takes to cut, capture, compress, transfer, verify and store a
# snapshot (the controller's log), and the time to restore it (`neurobus run --restore`, one
# tick, against building the same pool from its seed: `run --ticks 1`), and per part the
# controller's time from its announce to its last chunk in and CRC-checked, then to decode it
# and check it is the pool at the cut. Then the same for
# the three-pool example network (examples/three-pools.toml).
# usage: bash Tests/Benchmarks/snapshot.sh [REPS]   (default 3)
# NEUROBUS_BIN: the binary to run (default .build/release/neurobus, built if missing).
set -euo pipefail
reps=${1:-3}
cd "$(dirname "$0")/../.."
bin=${NEUROBUS_BIN:-$PWD/.build/release/neurobus}
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
cp examples/three-pools.toml "$work/three-pools.toml"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
echo "| network | pool | part bytes | raw bytes | ratio | snapshot (up, controller) | part received / checked (controller) | build from seed (run, 1 tick) | restore (run --restore, 1 tick) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for net in large three-pools; do
  for r in $(seq 1 "$reps"); do
    out="$work/$net-$r"
    "$bin" up "$work/$net.toml" --ticks 100 --out "$out" --quiet --snapshot-at 50 >/dev/null
    snap=$(ls -d "$out"/snapshots/tick-50-*)
    taken=$(sed -nE 's/.*at tick 50 complete: .* raw, ([0-9.]+) ms(; written in ([0-9.]+) ms)?.*/\1 ms (written in \3 ms)/p' "$out/logs/controller.log")
    t0=$(date +%s%N); "$bin" run "$work/$net.toml" --ticks 1 --out "$out/b" --quiet >/dev/null; build=$(ms "$t0")
    t0=$(date +%s%N); "$bin" run "$work/$net.toml" --ticks 51 --out "$out/r" --quiet --restore "$snap" >/dev/null; restore=$(ms "$t0")
    # Per part: from its announce to its last chunk in and CRC-checked (the controller's log).
    received=$(sed -nE "s/.*pool ([^ ]+)'s part received and its CRC verified, [0-9]+ bytes in ([0-9.]+) ms from its announce(; checked against the cut in ([0-9.]+) ms)?.*/\1=\2:\4/p" "$out/logs/controller.log" | tr '\n' ' ')
    awk -v net="$net" -v taken="$taken" -v build="$build" -v restore="$restore" -v received="$received" '
      BEGIN { n = split(received, r, " "); for (i = 1; i <= n; i++) { split(r[i], kv, "="); split(kv[2], t, ":"); ms[kv[1]] = t[1] " ms / " (t[2] == "" ? "?" : t[2]) } }
      /^pool = / { gsub(/"/, "", $3); pool = $3 }
      /^bytes = / { bytes = $3 }
      /^raw_bytes = / { printf "| %s | %s | %d | %d | %.2f | %s | %s ms | %s ms | %s ms |\n", net, pool, bytes, $3, $3 / bytes, taken, (pool in ms ? ms[pool] : "?"), build, restore }
    ' "$snap/manifest.toml"
    rm -rf "$out"
  done
done
