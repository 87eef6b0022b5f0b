#!/usr/bin/env bash
# NeuroBus across network namespaces: every node of the three-pool network on its own "host".
#
# One network namespace per host (the controller and one per pool), each with a single veth
# "eth0" into a bridge that lives in a namespace of its own; a private subnet 10.213.X.0/24
# exists only inside these namespaces (nothing is added to, or changed in, the root namespace's
# addresses, links or routes). The network file names its hosts (ctl.nb, sensory.nb, …):
# each namespace resolves them through /etc/netns/NS/hosts, which `ip netns exec` mounts over
# /etc/hosts, so nodes bind and connect by name over tcp, as in a cluster.
#
# Checks, each printed as "ok <name>: …" (the test suite requires all of them):
#   lockstep      the distributed lockstep run equals `neurobus run` (raster hash, pool files)
#   snapshot      the snapshot taken in that run has the same parts as `run`'s, and restores on
#                 loopback (a fresh namespace, every name on 127.0.0.1, `neurobus up`) with the
#                 identical continuation (final pools, rasters after the cut)
#   outage        a link taken down for 2 s mid-run in lockstep stalls the run, which resumes
#                 when the link is back and ends with the identical files
#   realtime      the same outage in real time is reported as late/lost batches and the run goes on
#   restart       the systemd units' restart policy (deploy/bin/neurobus-unit under a loop doing
#                 what Restart=on-failure does): a node SIGKILLed mid-run, every process comes
#                 back from the newest snapshot, the run ends with the reference's files
#
# Everything is torn down on exit, also on failure or Ctrl-C (trap EXIT): the processes it
# started (by pid), the namespaces, /etc/netns/NS folders, and the work folder (unless --keep).
# Names are unique per run (nb-PID-RANDOM-…), so parallel or aborted runs never collide.
#
# Usage: deploy/netns/run.sh [--neurobus PATH] [--ticks N] [--cut T] [--keep]
# Without root or without working `ip netns` it prints "SKIP: <why>" and exits 0.
set -euo pipefail

NEUROBUS=${NEUROBUS:-}
TICKS=3000
CUT=1100
KEEP=0
OUTAGE_S=2
REALTIME_TICKS=3000
while [ $# -gt 0 ]; do
  case "$1" in
    --neurobus) NEUROBUS=$2; shift 2 ;;
    --ticks) TICKS=$2; shift 2 ;;
    --cut) CUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
[ "$CUT" -gt 0 ] && [ "$CUT" -lt "$TICKS" ] || fail "--cut must lie in 1..ticks-1"

# --- The network file: examples/three-pools.toml, every role on its own named host. --------------
cp "$REPO/examples/three-pools.toml" "$WORK/default.toml"
mapfile -t POOLS < <(nb network check "$WORK/default.toml" | awk '$1 == "pool" { print $2 }')
HOSTS=(ctl)
for p in "${POOLS[@]}"; do HOSTS+=("$p"); done
HOSTLIST=$(printf '%s.nb,' "${HOSTS[@]}"); HOSTLIST=${HOSTLIST%,}
nb network endpoints "$WORK/default.toml" --hosts "$HOSTLIST" -o "$WORK/net.toml" 2>"$WORK/placement.txt"
# The bus is authenticated (CURVE): every process finds the keys through [security] keys.
nb keys "$WORK/net.toml" --out "$WORK/keys" > /dev/null
printf '\n[security]\nkeys = "keys"\n' >> "$WORK/net.toml"
sed 's/^mode = "lockstep"/mode = "realtime"/' "$WORK/net.toml" > "$WORK/net-rt.toml"
grep -q '^mode = "realtime"' "$WORK/net-rt.toml" || fail "could not make the real-time variant"

make_hosts
sed 's/^/  /' "$WORK/placement.txt"

# --- Reference: every pool in one process, no sockets. -------------------------------------
nb run "$WORK/net.toml" --ticks "$TICKS" --out "$WORK/ref" --quiet --snapshot-at "$CUT" > "$WORK/ref.log" 2>&1 || fail "neurobus run failed"
REF_HASH=$(cd "$WORK/ref" && cat $(printf '%s.raster ' "${POOLS[@]}") | sha256sum | cut -c1-16)
SPIKES=$(awk 'NR > 1 { n += NF - 1 } END { print n + 0 }' "$WORK"/ref/*.raster)
[ "$SPIKES" -gt 0 ] || fail "the reference run fired no spike: the comparison would mean nothing"

# --- 1. Lockstep across hosts equals the single process. -----------------------------------
start=$SECONDS
start_network "$WORK/net.toml" "$WORK/dist" --run-ticks "$TICKS" --exit-when-done --snapshot-at "$CUT"
finish_network 120
HASH=$(same_files "$WORK/ref" "$WORK/dist")
[ "$HASH" = "$REF_HASH" ] || fail "raster hash $HASH, reference $REF_HASH"
echo "ok lockstep: ${#POOLS[@]} pools on ${#POOLS[@]} hosts + controller, $TICKS ticks in $((SECONDS - start)) s over tcp; raster hash $HASH = run's $REF_HASH; $SPIKES spikes; .pool files identical"

# --- 2. The snapshot taken there restores on loopback. -------------------------------------
SNAP=$(ls -d "$WORK"/dist/snapshots/tick-"$CUT"-* 2>/dev/null | head -1)
REFSNAP=$(ls -d "$WORK"/ref/snapshots/tick-"$CUT"-* 2>/dev/null | head -1)
[ -n "$SNAP" ] && [ -n "$REFSNAP" ] || fail "no snapshot at tick $CUT (distributed: '$SNAP', run: '$REFSNAP')"
[ "$(basename "$SNAP")" = "$(basename "$REFSNAP")" ] || fail "snapshot ids differ: $(basename "$SNAP") vs $(basename "$REFSNAP")"
for p in "${POOLS[@]}"; do cmp -s "$SNAP/$p.pool.z" "$REFSNAP/$p.pool.z" || fail "snapshot part $p differs from run's"; done
in_ns "$LO" "$NEUROBUS" up "$WORK/net.toml" --ticks "$TICKS" --restore "$SNAP" --out "$WORK/restored" --quiet > "$WORK/restored.log" 2>&1 \
  || fail "up --restore on loopback failed: $(tail -3 "$WORK/restored.log")"
for p in "${POOLS[@]}"; do
  cmp -s "$WORK/ref/$p.pool" "$WORK/restored/$p.pool" || fail "restored $p.pool differs from the uninterrupted run"
  diff -q <(awk -v c="$CUT" 'NR > 1 && $1 >= c' "$WORK/ref/$p.raster") <(awk -v c="$CUT" 'NR > 1 && $1 >= c' "$WORK/restored/$p.raster") >/dev/null \
    || fail "restored $p.raster differs after tick $CUT"
done
echo "ok snapshot: $(basename "$SNAP") taken across hosts = run's parts; restored with up on loopback ($LO), ticks $CUT..$TICKS identical (pools, rasters)"

# --- 3. Lockstep: a link down for 2 s mid-run stalls the run; it resumes, identical. -------
VICTIM=${POOLS[1]:-${POOLS[0]}}
VPORT=$(port_of "$VICTIM")
NODE_ARGS="--peer-timeout 15000"
FIRST=$((TICKS / 2))
start_network "$WORK/net.toml" "$WORK/outage" --peer-timeout 15000
wait_for 60 all_in "$WORK/net.toml" ready || fail "the network did not become ready"
in_ns "$ID-ctl" "$NEUROBUS" ctl run --ticks "$FIRST" --network "$WORK/net.toml" >/dev/null
wait_for 60 all_at "$WORK/net.toml" "$FIRST" || fail "the run did not reach tick $FIRST"
in_ns "$ID-ctl" "$NEUROBUS" ctl run --ticks "$((TICKS - FIRST))" --network "$WORK/net.toml" >/dev/null
# Cut the link once the victim itself is past the pause (the run is moving everywhere).
victim_moving() { local rows; rows=$(status_rows "$WORK/net.toml") || return 1; [ "$(tick_of "$VICTIM" "$rows")" -gt "$FIRST" ]; }
wait_for 30 victim_moving || fail "pool $VICTIM did not resume after tick $FIRST"
ip -n "$BR" link set "$VPORT" down
down_at=$SECONDS
sleep 0.8
EARLY=$(status_rows "$WORK/net.toml")
sleep "$(awk -v s="$OUTAGE_S" 'BEGIN { print s - 0.9 }')"
LATE=$(status_rows "$WORK/net.toml")
ip -n "$BR" link set "$VPORT" up
up_at=$SECONDS
for p in "${POOLS[@]}"; do
  [ "$(tick_of "$p" "$EARLY")" = "$(tick_of "$p" "$LATE")" ] || fail "pool $p moved during the outage ($(tick_of "$p" "$EARLY") -> $(tick_of "$p" "$LATE")): lockstep must stall"
done
[ "$(tick_of "$VICTIM" "$LATE")" -lt "$TICKS" ] || fail "the run had ended before the link went down"
STALLED=$(for p in "${POOLS[@]}"; do printf '%s@%s ' "$p" "$(tick_of "$p" "$LATE")"; done)
wait_for 120 all_at "$WORK/net.toml" "$TICKS" || fail "the run did not resume to tick $TICKS after the link came back"
resumed=$((SECONDS - up_at))
in_ns "$ID-ctl" "$NEUROBUS" ctl stop --network "$WORK/net.toml" >/dev/null
finish_network 60
HASH=$(same_files "$WORK/ref" "$WORK/outage")
echo "ok outage: $VICTIM's link ($BR:$VPORT) down ${OUTAGE_S} s mid-run: stalled at ${STALLED% }; resumed when it came back, tick $TICKS reached $resumed s later; raster hash $HASH = run's, .pool files identical"

# --- 4. Real time: the same outage is reported as late/lost batches, the run goes on. ------
NODE_ARGS="--peer-timeout 15000"
start_network "$WORK/net-rt.toml" "$WORK/rt" --run-ticks "$REALTIME_TICKS" --exit-when-done --peer-timeout 15000
at_least() { local rows; rows=$(status_rows "$WORK/net-rt.toml") || return 1; [ "$(tick_of "$VICTIM" "$rows")" -ge "$1" ]; }
wait_for 60 at_least 500 || fail "the real-time run did not reach tick 500"
BEFORE=$(status_rows "$WORK/net-rt.toml")
ip -n "$BR" link set "$VPORT" down
sleep "$OUTAGE_S"
DURING=$(status_rows "$WORK/net-rt.toml")
ip -n "$BR" link set "$VPORT" up
finish_network 60
REPORT=""
for p in "${POOLS[@]}"; do
  line=$(grep -o 'real time: .*' "$WORK/rt/logs/$p.log" | tail -1)
  [ -n "$line" ] || fail "pool $p wrote no real-time summary"
  echo "$line" | grep -q "real time: $REALTIME_TICKS ticks" || fail "pool $p did not run $REALTIME_TICKS ticks: $line"
  late=$(echo "$line" | sed -n 's/.*late batches \([0-9]*\), lost \([0-9]*\).*/\1/p')
  lost=$(echo "$line" | sed -n 's/.*late batches \([0-9]*\), lost \([0-9]*\).*/\2/p')
  REPORT+="$p late $late lost $lost; "
  # Every pool downstream of the cut link (the victim itself and the pools it feeds) must report it.
  if [ "$p" = "$VICTIM" ] || awk -v v="$VICTIM" -v p="$p" '/^\[\[projection\]\]/ { f = ""; t = "" } /^from = / { f = $3 } /^to = / { t = $3; if (f == "\"" v "\"" && t == "\"" p "\"") hit = 1 } END { exit !hit }' "$WORK/net-rt.toml"; then
    [ $((late + lost)) -gt 0 ] || fail "pool $p reported no late or lost batch after a ${OUTAGE_S} s outage: $line"
  fi
done
FIRSTPOOL=${POOLS[0]}
moved=$(( $(tick_of "$FIRSTPOOL" "$DURING") - $(tick_of "$FIRSTPOOL" "$BEFORE") ))
[ "$moved" -gt 0 ] || fail "pool $FIRSTPOOL did not tick during the outage"
echo "ok realtime: $VICTIM's link down ${OUTAGE_S} s; $FIRSTPOOL ticked on ($moved ticks during the outage, up to the controller's lead window); every pool ran $REALTIME_TICKS ticks to the end; ${REPORT%; }"

# --- 5. The restart policy of the systemd units: a node killed mid-run, everything resumes. --
# Each process runs through deploy/bin/neurobus-unit, as the units start it, under a loop
# that does what Restart=on-failure does (start again after RestartSec when the exit status
# is not 0). Periodic snapshots every SNAP_EVERY ticks; motor's node is SIGKILLed after the
# first one is complete; the run must stop, every process must come back from the newest
# snapshot, and the run must end with the reference's files.
SNAP_EVERY=500
{ cat "$WORK/net.toml"; printf '\n[snapshots]\nevery = %s\nkeep = 3\n' "$SNAP_EVERY"; } > "$WORK/net-snap.toml"
UNIT_STATE="$WORK/units"
mkdir -p "$UNIT_STATE/logs"
# supervise NAME ROLE [POOL]: runs neurobus-unit ROLE POOL in namespace ID-NAME until it exits 0.
supervise() {
  local name=$1; shift
  local n=0 status
  while :; do
    n=$((n + 1))
    echo "--- start $n" >> "$UNIT_STATE/logs/$name.log"
    status=0
    env NEUROBUS_BIN="$NEUROBUS" NEUROBUS_NETWORK="$WORK/net-snap.toml" NEUROBUS_STATE="$UNIT_STATE/$name" \
      NEUROBUS_SNAPSHOT_STORE="$UNIT_STATE/store" NEUROBUS_RESUME=latest NEUROBUS_RUN_TICKS="$TICKS" NEUROBUS_PEER_TIMEOUT_MS=1000 \
      ip netns exec "$ID-$name" "$HERE/../bin/neurobus-unit" "$@" >> "$UNIT_STATE/logs/$name.log" 2>&1 || status=$?
    echo "--- exit $status" >> "$UNIT_STATE/logs/$name.log"
    [ "$status" = 0 ] && return 0
    [ "$n" -lt 6 ] || { echo "--- giving up" >> "$UNIT_STATE/logs/$name.log"; return 1; }
    sleep 1   # RestartSec
  done
}
SUPERVISORS=()
supervise ctl controller & SUPERVISORS+=($!); PIDS+=($!)
for p in "${POOLS[@]}"; do supervise "$p" node "$p" & SUPERVISORS+=($!); PIDS+=($!); done
first_snapshot() { ls -d "$UNIT_STATE"/store/tick-"$SNAP_EVERY"-*/manifest.toml; }
wait_for 120 first_snapshot || fail "no snapshot at tick $SNAP_EVERY in the unit run"
KILLED=${POOLS[${#POOLS[@]}-1]}
victim_pid=$(ip netns pids "$ID-$KILLED" | head -1)
[ -n "$victim_pid" ] || fail "no process in $KILLED's namespace"
kill -KILL "$victim_pid"
for pid in "${SUPERVISORS[@]}"; do wait "$pid" || fail "a unit did not end with exit status 0 (see $UNIT_STATE/logs)"; done
starts=$(cat "$UNIT_STATE"/logs/*.log | grep -c '^--- start')
[ "$starts" -gt $(( ${#POOLS[@]} + 1 )) ] || fail "nothing was restarted after the kill"
RESUMED=$(grep -ho 'resuming from .*' "$UNIT_STATE/logs/ctl.log" | tail -1 | sed 's/.*tick-\([0-9]*\)-.*/\1/')
[ -n "$RESUMED" ] || fail "the controller did not resume from a snapshot"
for p in "${POOLS[@]}"; do
  grep -q "resuming from .*tick-$RESUMED-" "$UNIT_STATE/logs/$p.log" || fail "node $p did not resume from the controller's snapshot at tick $RESUMED"
  cmp -s "$WORK/ref/$p.pool" "$UNIT_STATE/$p/out/$p.pool" || fail "$p.pool after the restarts differs from the uninterrupted run"
  diff -q <(awk -v c="$RESUMED" 'NR > 1 && $1 >= c' "$WORK/ref/$p.raster") <(awk -v c="$RESUMED" 'NR > 1 && $1 >= c' "$UNIT_STATE/$p/out/$p.raster") >/dev/null \
    || fail "$p.raster after the restarts differs from tick $RESUMED on"
done
EXITS=$(for f in "$UNIT_STATE"/logs/*.log; do printf '%s:%s ' "$(basename "$f" .log)" "$(grep '^--- exit' "$f" | awk '{ print $3 }' | paste -sd, -)"; done)
echo "ok restart: $KILLED's node SIGKILLed after the tick-$SNAP_EVERY snapshot; under Restart=on-failure (exit statuses ${EXITS% }) every process resumed from tick $RESUMED via neurobus-unit; final pools and rasters from tick $RESUMED = the uninterrupted run's"

echo "PASS: netns deployment checks (lockstep, snapshot, outage, realtime, restart)"
