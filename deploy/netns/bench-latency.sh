#!/usr/bin/env bash
# Lockstep tick rate against link latency and lookahead, across network namespaces.
#
# The three-pool example network (sensory → association ⇄ motor), every node on its own namespace as in
# run.sh, with every projection's delay set to [L, min(L + 2, 8)] for lookahead L = 1, 2, 4, 8
# ticks (nodes then batch L ticks per message). For each L it measures the steady lockstep
# rate (network tick over a few seconds of `ctl run`) with no added latency and with DELAY ms
# one-way latency on every link:
#   - with `tc netem` (CONFIG_NET_SCH_NETEM) on every host's eth0, when the kernel has it;
#   - otherwise through delay-relay.py: each node reaches each upstream pool through a relay
#     in its own namespace that holds every byte DELAY ms each way (`node --connect`); the
#     controller's links are then not delayed (its permits run up to 512 ticks ahead anyway).
# A loop whose delays add up to D ticks can advance at most D ticks per round trip, so with
# one-way latency d the rate is bounded by D / (2 d): here D = 2L (association ⇄ motor).
#
# Usage: deploy/netns/bench-latency.sh [--neurobus PATH] [--delay MS] [--seconds S]
#        [--lookaheads "1 2 4 8"] [--method auto|netem|relay] [--no-reward]
# --no-reward drops the [[reward]] rule: lockstep holds every pool at the end of each reward
# window (100 ticks) until the controller has stamped the reward, a pause per window.
# Build first: swift build -c release --scratch-path .build-deploy
set -euo pipefail

NEUROBUS=${NEUROBUS:-}
DELAY_MS=1
MEASURE_S=3
LOOKAHEADS="1 2 4 8"
METHOD=auto
KEEP=0
NO_REWARD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --neurobus) NEUROBUS=$2; shift 2 ;;
    --delay) DELAY_MS=$2; shift 2 ;;
    --seconds) MEASURE_S=$2; shift 2 ;;
    --lookaheads) LOOKAHEADS=$2; shift 2 ;;
    --method) METHOD=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-reward) NO_REWARD=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench-latency.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

cp "$REPO/examples/three-pools.toml" "$WORK/default.toml"
mapfile -t POOLS < <(nb network check "$WORK/default.toml" | awk '$1 == "pool" { print $2 }')
HOSTS=(ctl)
for p in "${POOLS[@]}"; do HOSTS+=("$p"); done
HOSTLIST=$(printf '%s.nb,' "${HOSTS[@]}"); HOSTLIST=${HOSTLIST%,}
nb network endpoints "$WORK/default.toml" --hosts "$HOSTLIST" -o "$WORK/net.toml" 2>/dev/null
make_hosts

if [ "$METHOD" = auto ]; then
  if ip -n "$ID-ctl" link add nbprobe type dummy 2>/dev/null && ip netns exec "$ID-ctl" tc qdisc add dev nbprobe root netem delay 1ms 2>/dev/null; then
    METHOD=netem
  else
    METHOD=relay
  fi
  ip -n "$ID-ctl" link del nbprobe 2>/dev/null || true
fi
echo "latency method: $METHOD ($( [ "$METHOD" = netem ] && echo "tc netem on every host's eth0" || echo "delay-relay.py on every pool-to-pool link; this kernel has no sch_netem" ))"

# Endpoint (host:port) of pool $1 in file $2.
endpoint_of() { nb network check "$2" | awk -v p="$1" '$1 == "pool" && $2 == p { sub("tcp://", "", $3); print $3 }'; }

RELAYS=()
# Latency $1 ms on the links for file $2 (0: none; relays still run with 0 ms, to show their cost).
set_latency() {
  local ms=$1 file=$2 h p u k port
  POOL_ARGS=()
  [ "$ms" = none ] && ms=0
  if [ "$METHOD" = netem ]; then
    for h in "${HOSTS[@]}"; do
      ip netns exec "$ID-$h" tc qdisc del dev eth0 root 2>/dev/null || true
      [ "$ms" = 0 ] || ip netns exec "$ID-$h" tc qdisc add dev eth0 root netem delay "${ms}ms"
    done
    return
  fi
  [ "$1" = none ] && return
  k=0
  for p in "${POOLS[@]}"; do
    for u in $(awk -v p="\"$p\"" '/^\[\[projection\]\]/ { f = "" } /^from = / { f = $3 } /^to = / && $3 == p { gsub("\"", "", f); print f }' "$file" | sort -u); do
      port=$((28000 + k)); k=$((k + 1))
      local target; target=$(endpoint_of "$u" "$file")
      ip netns exec "$ID-$p" python3 "$HERE/delay-relay.py" "$port" "${target%:*}" "${target##*:}" "$ms" > "$WORK/relay-$port.log" 2>&1 &
      RELAYS+=($!); PIDS+=($!)
      POOL_ARGS[$p]="${POOL_ARGS[$p]:-} --connect $u=tcp://127.0.0.1:$port"
      wait_for 10 grep -q "^relay 127.0.0.1:$port" "$WORK/relay-$port.log" || fail "relay $port did not start"
    done
  done
}
stop_relays() {
  local pid
  for pid in "${RELAYS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  RELAYS=()
}

# Sets RATE to the steady lockstep rate (ticks/s) of file $1 (run into folder $2).
measure() {
  local file=$1 out=$2 t0 t1 n0 n1
  start_network "$file" "$out" --peer-timeout 15000
  wait_for 60 all_in "$file" ready || fail "the network did not become ready ($out)"
  in_ns "$ID-ctl" "$NEUROBUS" ctl run --ticks 0 --network "$file" >/dev/null
  sleep 1
  t0=$(date +%s.%N); n0=$(in_ns "$ID-ctl" "$NEUROBUS" ctl status --network "$file" | awk 'NR == 1 { print $NF }')
  sleep "$MEASURE_S"
  t1=$(date +%s.%N); n1=$(in_ns "$ID-ctl" "$NEUROBUS" ctl status --network "$file" | awk 'NR == 1 { print $NF }')
  in_ns "$ID-ctl" "$NEUROBUS" ctl stop --network "$file" >/dev/null
  finish_network 60
  RATE=$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a) / (e - s) }')
}

NODE_ARGS="--peer-timeout 15000"
printf '| lookahead L (ticks) | batch (ticks) | no added latency | %s %s ms | %s %s ms | bound 2L / (2 × %s ms) |\n' \
  "$METHOD" 0 "$METHOD" "$DELAY_MS" "$DELAY_MS"
echo "|---:|---:|---:|---:|---:|---:|"
for L in $LOOKAHEADS; do
  hi=$((L + 2 > 8 ? 8 : L + 2))
  sed -E "s/^delay = \[[0-9]+, [0-9]+\]/delay = [$L, $hi]/" "$WORK/net.toml" > "$WORK/net-$L.toml"
  if [ "$NO_REWARD" = 1 ]; then
    awk '/^\[\[reward\]\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$WORK/net-$L.toml" > "$WORK/net-$L.tmp" && mv "$WORK/net-$L.tmp" "$WORK/net-$L.toml"
    ! grep -q '^\[\[reward\]\]' "$WORK/net-$L.toml" || fail "could not drop the reward rule"
  fi
  nb network check "$WORK/net-$L.toml" >/dev/null
  set_latency none "$WORK/net-$L.toml"; measure "$WORK/net-$L.toml" "$WORK/L$L-direct"; direct=$RATE
  set_latency 0 "$WORK/net-$L.toml"; measure "$WORK/net-$L.toml" "$WORK/L$L-zero"; zero=$RATE; stop_relays
  set_latency "$DELAY_MS" "$WORK/net-$L.toml"; measure "$WORK/net-$L.toml" "$WORK/L$L-slow"; slow=$RATE; stop_relays
  if [ "$METHOD" = netem ]; then set_latency 0 "$WORK/net-$L.toml"; fi
  bound=$(awk -v l="$L" -v d="$DELAY_MS" 'BEGIN { printf "%.0f", 2 * l / (2 * d / 1000) }')
  printf '| %s | %s | %s ticks/s | %s ticks/s | %s ticks/s | %s ticks/s |\n' "$L" "$L" "$direct" "$zero" "$slow" "$bound"
done
