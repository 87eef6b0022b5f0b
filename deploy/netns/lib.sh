# Shared by deploy/netns/run.sh and bench-latency.sh (sourced, not run): checks, unique
# names, the trap that tears everything down, the namespaces, and helpers that drive a
# network spread over them. Expects NEUROBUS (optional), KEEP, and `set -euo pipefail`.
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
if [ -z "$NEUROBUS" ]; then
  for c in "$REPO/.build/debug/neurobus" "$REPO/.build/release/neurobus" "$(command -v neurobus || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then NEUROBUS=$c; break; fi
  done
fi

skip() { echo "SKIP: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces); running as uid $(id -u)"
command -v ip >/dev/null || skip "no 'ip' command (package iproute2)"
ip netns list >/dev/null 2>&1 || skip "'ip netns' does not work here: $(ip netns list 2>&1 | head -1)"
[ -f /etc/hosts ] || skip "no /etc/hosts to mount the namespaces' host files over"
[ -n "$NEUROBUS" ] && [ -x "$NEUROBUS" ] || { echo "FAIL: no neurobus executable (give --neurobus PATH)"; exit 1; }

ID="nb-$$-$RANDOM"
SUBNET="10.213.$((RANDOM % 250 + 1))"
WORK=$(mktemp -d "/tmp/$ID.XXXX")
PIDS=()
NAMESPACES=()
ETC_NETNS_CREATED=0
[ -d /etc/netns ] || ETC_NETNS_CREATED=1

cleanup() {
  local status=$?
  set +e
  if [ "$status" != 0 ]; then
    # What was still running, and where each thread waited (for a hang).
    for ns in "${NAMESPACES[@]}"; do
      for pid in $(ip netns pids "$ns" 2>/dev/null); do
        echo "still running in $ns: $pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)"
        for t in /proc/"$pid"/task/*; do echo "  thread ${t##*/}: state $(awk '{ print $3 }' "$t/stat" 2>/dev/null) wchan $(cat "$t/wchan" 2>/dev/null)"; done
      done
    done
  fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # Anything still running inside our namespaces was started by this run.
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  for ns in "${NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  [ "$ETC_NETNS_CREATED" = 1 ] && rmdir /etc/netns 2>/dev/null
  if [ "$status" != 0 ]; then
    echo "FAIL (status $status); logs:"
    for f in "$WORK"/*/logs/*.log "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
  fi
  if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
nb() { "$NEUROBUS" "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# Waits (bounded) until "$@" succeeds.
wait_for() { local seconds=$1; shift; local n=$((seconds * 10)); while ! "$@" >/dev/null 2>&1; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done; }

# Makes the namespaces for the hosts in HOSTS (a bridge namespace, one per host, and a
# "loopback" host LO where every name is 127.0.0.1) and their /etc/netns host files.
make_hosts() {
  BR="$ID-br"
  ip netns add "$BR"; NAMESPACES+=("$BR")
  ip -n "$BR" link add br0 type bridge
  ip -n "$BR" link set br0 up
  hosts_file() { # $1 = address for every name, or "" for the subnet's addresses
    echo "127.0.0.1 localhost"
    local k=0 h
    for h in "${HOSTS[@]}"; do
      if [ -n "$1" ]; then echo "$1 $h.nb"; else echo "$SUBNET.$((10 + k)) $h.nb"; fi
      k=$((k + 1))
    done
  }
  local k=0 h other ns
  for h in "${HOSTS[@]}"; do
    ns="$ID-$h"
    ip netns add "$ns"; NAMESPACES+=("$ns")
    # Created inside the bridge namespace, the peer moved straight into the host's: neither
    # end ever exists in the root namespace.
    ip -n "$BR" link add "h$k" type veth peer name eth0 netns "$ns"
    ip -n "$BR" link set "h$k" master br0 up
    ip -n "$ns" addr add "$SUBNET.$((10 + k))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    mkdir -p "/etc/netns/$ns"
    hosts_file "" > "/etc/netns/$ns/hosts"
    k=$((k + 1))
  done
  LO="$ID-lo"
  ip netns add "$LO"; NAMESPACES+=("$LO")
  ip -n "$LO" link set lo up
  mkdir -p "/etc/netns/$LO"
  hosts_file 127.0.0.1 > "/etc/netns/$LO/hosts"
  # Every host reaches every other by name.
  for h in "${HOSTS[@]}"; do
    for other in "${HOSTS[@]}"; do
      [ "$h" = "$other" ] && continue
      in_ns "$ID-$h" getent hosts "$other.nb" >/dev/null || fail "$h cannot resolve $other.nb"
    done
  done
  echo "namespaces: ${NAMESPACES[*]} (bridge in $BR, subnet $SUBNET.0/24 inside them only)"
}

# Port index of pool $1's host veth in the bridge namespace.
port_of() { local k=0; for h in "${HOSTS[@]}"; do [ "$h" = "$1" ] && { echo "h$k"; return; }; k=$((k + 1)); done; }
# `ctl status` of the network in file $1, as "pool state alive tick late lost" lines.
status_rows() { in_ns "$ID-ctl" "$NEUROBUS" ctl status --network "$1" --timeout 1000 | awk 'NR > 2 { print $1, $2, $3, $4, $9, $10 }'; }
# Succeeds when every pool of file $1 is in state $2.
all_in() { local rows; rows=$(status_rows "$1") || return 1; [ "$(echo "$rows" | awk -v s="$2" '$2 == s' | wc -l)" = "${#POOLS[@]}" ]; }
# Succeeds when every pool of file $1 stands at tick $2.
all_at() { local rows; rows=$(status_rows "$1") || return 1; [ "$(echo "$rows" | awk -v t="$2" '$4 == t' | wc -l)" = "${#POOLS[@]}" ]; }
tick_of() { echo "$2" | awk -v p="$1" '$1 == p { print $4 }'; }

NODE_ARGS=""
declare -A POOL_ARGS=()
# Starts the controller (args "$@") and every node of file $1 into folder $2, one per namespace;
# each node also gets NODE_ARGS and POOL_ARGS[pool].
start_network() {
  local file=$1 out=$2; shift 2
  mkdir -p "$out/logs"
  # Backgrounded as `ip netns exec` itself (not through a shell function, which would fork a
  # subshell): ip execs the command, so $! is the process to wait for and to stop.
  ip netns exec "$ID-ctl" "$NEUROBUS" controller --network "$file" --snapshots "$out/snapshots" "$@" > "$out/logs/controller.log" 2>&1 &
  CONTROLLER=$!; PIDS+=("$CONTROLLER")
  NODES=()
  for p in "${POOLS[@]}"; do
    ip netns exec "$ID-$p" "$NEUROBUS" node --network "$file" --pool "$p" --out "$out" --snapshots "$out/node-snapshots" $NODE_ARGS ${POOL_ARGS[$p]:-} > "$out/logs/$p.log" 2>&1 &
    NODES+=($!); PIDS+=($!)
  done
}
# Waits (at most $1 s) for the controller and nodes to end; fails unless all exit 0.
finish_network() {
  local deadline=$((SECONDS + $1)) pid
  for pid in "$CONTROLLER" "${NODES[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do [ $SECONDS -lt $deadline ] || fail "process $pid still running after $1 s"; sleep 0.1; done
    wait "$pid" || fail "process $pid exited with status $?"
  done
}
# Requires identical .raster and .pool files in folders $1 and $2; prints the raster hash.
same_files() {
  local p
  for p in "${POOLS[@]}"; do
    cmp -s "$1/$p.raster" "$2/$p.raster" || fail "$p.raster differs between $1 and $2"
    cmp -s "$1/$p.pool" "$2/$p.pool" || fail "$p.pool differs between $1 and $2"
  done
  (cd "$1" && cat $(printf '%s.raster ' "${POOLS[@]}") | sha256sum | cut -c1-16)
}
