#!/usr/bin/env bash
# Failover (BENCHMARKS.md, "Snapshots"): RUNS times, `neurobus up --replicas` on the three-pool
# network with periodic snapshots ([snapshots] every = EVERY) for TICKS ticks, and kill -9 at
# a random moment: 0–300 ms after a random snapshot completed (seeded: SEED). MODE says what
# is killed: `one`, a random pool's node; `two`, the nodes of two random pools together;
# `standby`, a random pool's standby replica, then, once its successor holds a snapshot
# (two snapshots later), that pool's node.
# Every run must end with output files identical to `neurobus run` of the same network.
# Prints per run the pools killed, the tick reached, the snapshot rolled back to, the time
# from kill to detection (the peer timeout) and from detection to all pools running again,
# and whether the results are identical.
# usage: bash Tests/Benchmarks/failover.sh [RUNS] [SEED] [TICKS] [EVERY] [MODE]
#        (defaults 10, 1, 20000, 1000, one)
set -euo pipefail
runs=${1:-10}; seed=${2:-1}; ticks=${3:-20000}; every=${4:-1000}; mode=${5:-one}
case "$mode" in one|two|standby) ;; *) echo "MODE $mode: expected one, two or standby" >&2; exit 64 ;; esac
cd "$(dirname "$0")/../.."
bin=$PWD/.build/release/neurobus
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-failover-XXXXXX)
up=""
# `up` ends its own children (they exit with their parent): stop only it, by its PID.
trap '[ -n "$up" ] && kill "$up" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cp examples/three-pools.toml "$work/net.toml"
printf '\n[snapshots]\nevery = %s\nkeep = 2\n' "$every" >> "$work/net.toml"
"$bin" run "$work/net.toml" --ticks "$ticks" --out "$work/reference" --quiet >/dev/null
RANDOM=$seed
pools=(sensory association motor)
echo "| run | killed | at tick | rolled back to | detection | recovery | identical |"
echo "|---:|---|---:|---:|---:|---:|---|"
ok=0
for r in $(seq 1 "$runs"); do
  out="$work/run$r"
  k=$((RANDOM % 3))
  pool=${pools[$k]}
  second=${pools[$(( (k + 1 + RANDOM % 2) % 3 ))]}
  delay_ms=$((RANDOM % 300))
  cut=$(( (RANDOM % (ticks / every - 4) + 1) * every ))
  "$bin" up "$work/net.toml" --ticks "$ticks" --out "$out" --quiet --replicas > "$out.log" 2>&1 &
  up=$!
  after_snapshot() {
    for _ in $(seq 1 2000); do grep -q "at tick $1 complete:" "$out/logs/controller.log" 2>/dev/null && break; sleep 0.01; done
    sleep "$(awk -v d="$delay_ms" 'BEGIN { print d / 1000 }')"
  }
  # The PID of pool $1's node (or, with $2 = replica, of its first standby), a child of `up`.
  pid_of() {
    if [ "${2:-}" = replica ]; then pgrep -P "$up" -f -- "--replica --network $out/network.toml --pool $1 " | head -1 || true
    else pgrep -P "$up" -f -- "node --network $out/network.toml --pool $1 --out" | head -1 || true; fi
  }
  after_snapshot "$cut"
  case "$mode" in
    one) victims=$(pid_of "$pool"); killed=$pool ;;
    two) victims="$(pid_of "$pool") $(pid_of "$second")"; killed="$pool + $second" ;;
    standby) victims=$(pid_of "$pool" replica); killed="$pool standby, then node" ;;
  esac
  for v in $victims; do kill -9 "$v"; done
  if [ "$mode" = standby ]; then
    after_snapshot $((cut + 2 * every))
    v=$(pid_of "$pool"); [ -n "$v" ] && kill -9 "$v"
  fi
  status=0; wait "$up" || status=$?
  up=""
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
  echo "| $r | $killed | ${tick:-?} | ${back:-none} | ${detected:-?} ms | ${recovery:-?} ms | $same |"
  if [ "$same" = yes ]; then rm -rf "$out"; else mkdir -p /tmp/nb-failover-kept && rm -rf "/tmp/nb-failover-kept/run$r" && mv "$out" "$out.log" "/tmp/nb-failover-kept/" 2>/dev/null || true; fi
done
echo
echo "$ok of $runs runs identical to the uninterrupted run"
[ "$ok" -eq "$runs" ] || echo "(the failed runs' folders are in /tmp/nb-failover-kept/)"
