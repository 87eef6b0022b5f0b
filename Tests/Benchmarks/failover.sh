#!/usr/bin/env bash
# Failover (BENCHMARKS.md, "Snapshots"): RUNS times, `neurobus up --replicas` on the default
# network with periodic snapshots ([snapshots] every = EVERY) for TICKS ticks, and kill -9 of
# a random pool's node at a random moment: 0–300 ms after a random snapshot completed (seeded:
# SEED).
# Every run must end with output files identical to `neurobus run` of the same network.
# Prints per run the pool killed, the tick it had reached, the snapshot rolled back to, the
# time from kill to detection (the peer timeout) and from detection to all pools running
# again, and whether the results are identical.
# usage: bash Tests/Benchmarks/failover.sh [RUNS] [SEED] [TICKS] [EVERY]   (defaults 10, 1, 20000, 1000)
set -euo pipefail
runs=${1:-10}; seed=${2:-1}; ticks=${3:-20000}; every=${4:-1000}
cd "$(dirname "$0")/../.."
bin=$PWD/.build/release/neurobus
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-failover-XXXXXX)
trap 'pkill -f "$work/" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" run --ticks 1 --out "$work/seedrun" --quiet >/dev/null
cp "$work/seedrun/network.toml" "$work/net.toml"
printf '\n[snapshots]\nevery = %s\nkeep = 2\n' "$every" >> "$work/net.toml"
"$bin" run "$work/net.toml" --ticks "$ticks" --out "$work/reference" --quiet >/dev/null
RANDOM=$seed
pools=(sensory association motor)
echo "| run | pool killed | at tick | rolled back to | detection | recovery | identical |"
echo "|---:|---|---:|---:|---:|---:|---|"
ok=0
for r in $(seq 1 "$runs"); do
  out="$work/run$r"
  pool=${pools[$((RANDOM % 3))]}
  delay_ms=$((RANDOM % 300))
  cut=$(( (RANDOM % (ticks / every - 2) + 1) * every ))
  "$bin" up "$work/net.toml" --ticks "$ticks" --out "$out" --quiet --replicas > "$out.log" 2>&1 &
  up=$!
  for _ in $(seq 1 2000); do grep -q "at tick $cut complete:" "$out/logs/controller.log" 2>/dev/null && break; sleep 0.01; done
  sleep "$(awk -v d="$delay_ms" 'BEGIN { print d / 1000 }')"
  victim=$(pgrep -f "node --network $out/network.toml --pool $pool --out" | head -1 || true)
  [ -n "$victim" ] && kill -9 "$victim"
  status=0; wait "$up" || status=$?
  log="$out/logs/controller.log"
  tick=$(sed -nE 's/.*\(last heard at tick ([0-9]+)\).*/\1/p' "$log" | head -1)
  back=$(sed -nE 's/.*rolling every pool back to the snapshot at tick ([0-9]+).*/\1/p' "$log" | head -1)
  recovery=$(sed -nE 's/.*failover complete: .* after ([0-9.]+) ms.*/\1/p' "$log" | head -1)
  detected=$(sed -nE 's/.* silent for ([0-9]+) ms: failing over.*/\1/p' "$log" | head -1)
  same=yes
  [ "$status" -eq 0 ] || same="no (up exit $status)"
  if [ "$same" = yes ]; then
    for p in "${pools[@]}"; do
      cmp -s "$work/reference/$p.pool" "$out/$p.pool" && cmp -s "$work/reference/$p.raster" "$out/$p.raster" || same="no ($p differs)"
    done
  fi
  [ "$same" = yes ] && ok=$((ok + 1))
  echo "| $r | $pool | ${tick:-?} | ${back:-none} | ${detected:-?} ms | ${recovery:-?} ms | $same |"
  if [ "$same" = yes ]; then rm -rf "$out"; else mkdir -p /tmp/nb-failover-kept && rm -rf "/tmp/nb-failover-kept/run$r" && mv "$out" "$out.log" "/tmp/nb-failover-kept/" 2>/dev/null || true; fi
done
echo
echo "$ok of $runs runs identical to the uninterrupted run"
[ "$ok" -eq "$runs" ] || echo "(the failed runs' folders are in /tmp/nb-failover-kept/)"
