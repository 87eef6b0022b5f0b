#!/usr/bin/env bash
# Real-time takeover (BENCHMARKS.md, "Snapshots"): RUNS times, `neurobus up --replicas` on the
# three-pool network (examples/three-pools.toml) in real time with periodic snapshots
# ([snapshots] every = EVERY) for TICKS ticks, and kill -9 of a random pool's node 0–300 ms after a random snapshot completed
# (seeded: SEED). The run must go on and end with exit 0, the pool's replica having taken over.
# Prints per run the pool killed, the tick it was last heard at, the snapshot it resumed from,
# the restart tick and the gap (ticks of the pool's state lost), the time from detection to
# the replica running, and the pool's ticks at the end.
# usage: bash Tests/Benchmarks/takeover.sh [RUNS] [SEED] [TICKS] [EVERY]   (defaults 5, 1, 8000, 1000)
set -euo pipefail
runs=${1:-5}; seed=${2:-1}; ticks=${3:-8000}; every=${4:-1000}
cd "$(dirname "$0")/../.."
bin=$PWD/.build/release/neurobus
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-takeover-XXXXXX)
up=""
# `up` ends its own children (they exit with their parent): stop only it, by its PID.
trap '[ -n "$up" ] && kill "$up" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
sed 's/mode = "lockstep"/mode = "realtime"/' examples/three-pools.toml > "$work/net.toml"
printf '\n[snapshots]\nevery = %s\nkeep = 2\n' "$every" >> "$work/net.toml"
RANDOM=$seed
pools=(sensory association motor)
echo "| run | pool killed | last heard at | resumed from | restarted at | gap (ticks) | detection → running | pool ticks at end | up exit |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
ok=0
for r in $(seq 1 "$runs"); do
  out="$work/run$r"
  pool=${pools[$((RANDOM % 3))]}
  delay_ms=$((RANDOM % 300))
  cut=$(( (RANDOM % (ticks / every - 3) + 1) * every ))
  "$bin" up "$work/net.toml" --ticks "$ticks" --out "$out" --quiet --replicas > "$out.log" 2>&1 &
  up=$!
  for _ in $(seq 1 3000); do grep -q "at tick $cut complete:" "$out/logs/controller.log" 2>/dev/null && break; sleep 0.01; done
  sleep "$(awk -v d="$delay_ms" 'BEGIN { print d / 1000 }')"
  victim=$(pgrep -f "node --network $out/network.toml --pool $pool --out" | head -1 || true)
  [ -n "$victim" ] && kill -9 "$victim"
  status=0; wait "$up" || status=$?
  up=""
  log="$out/logs/controller.log"
  heard=$(sed -nE 's/.*\(last heard at tick ([0-9]+), silent.*/\1/p' "$log" | head -1)
  line=$(grep "takeover of pool $pool complete" "$log" | head -1 || true)
  took=$(sed -nE 's/.*complete after ([0-9.]+) ms.*/\1/p' <<<"$line")
  at=$(sed -nE 's/.*running again from tick ([0-9]+).*/\1/p' <<<"$line")
  from=$(sed -nE 's/.*with the state of tick ([0-9]+).*/\1/p' <<<"$line")
  gap=$(sed -nE 's/.*a gap of ([0-9]+) ticks.*/\1/p' <<<"$line")
  end=$("$bin" pool inspect "$out/$pool.pool" 2>/dev/null | sed -nE 's/^  ticks ([0-9]+),.*/\1/p' | head -1 || true)
  [ "$status" -eq 0 ] && [ -n "$line" ] && ok=$((ok + 1))
  echo "| $r | $pool | ${heard:-?} | ${from:-?} | ${at:-?} | ${gap:-?} | ${took:-?} ms | ${end:-?} | $status |"
  if [ "$status" -eq 0 ]; then rm -rf "$out"; else mkdir -p /tmp/nb-takeover-kept && mv "$out" "$out.log" /tmp/nb-takeover-kept/ 2>/dev/null || true; fi
done
echo
echo "$ok of $runs runs went on and ended with the pool taken over by its replica"
