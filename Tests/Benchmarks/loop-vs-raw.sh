#!/usr/bin/env bash
# Lockstep loop beside raw libzmq (BENCHMARKS.md, "Lockstep network"): alternates REPS pairs of
#  - raw libzmq: two processes, PUB/SUB over loopback TCP, each publishing tick i and waiting
#    for the other's tick i (Tests/Benchmarks/zmq_pingpong.c) — the floor of a delay-1 loop;
#    and the same bound to CPUs 0 and 1 (`taskset`), as `up` binds the loop's two nodes
#    ("raw bound"; "—" where the machine has no CPUs 0 and 1 to use);
#  - NeuroBus: `neurobus up` on the built-in delay-1 loop network (two 64-neuron pools
#    projecting into each other with delay 1; `up` binds each node to a core of its own when
#    there are two), TICKS ticks, start-up and shutdown included;
#    beside it ("running"), the controller's rate from every pool ready to the last tick
#    (its log line "reached tick N: …", start-up and shutdown left out; "—" if not logged).
# usage: bash Tests/Benchmarks/loop-vs-raw.sh [REPS] [TICKS]   (defaults 5, 20000)
# NEUROBUS_BIN: the neurobus binary to measure (default .build/release/neurobus, built if
# missing); NEUROBUS_BIN_OLD: a second binary, run right after each NeuroBus run for an
# old/new comparison in the same spell (an extra column).
set -euo pipefail
reps=${1:-5}
ticks=${2:-20000}
cd "$(dirname "$0")/../.."
bin=${NEUROBUS_BIN:-$PWD/.build/release/neurobus}
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
old=${NEUROBUS_BIN_OLD:-}
work=$(mktemp -d /tmp/nb-loop-XXXXXX)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 Tests/Benchmarks/zmq_pingpong.c -o "$work/zmq_pingpong" -lzmq
# The built-in loop network as a file, from its source text.
swift_loop() {
  sed -n '/loopExampleText = #"""/,/"""#/p' Sources/NeuroNetwork/Network/NetworkDescription+Defaults.swift \
    | sed '1d;$d' | sed 's/^        //'
}
swift_loop > "$work/loop.toml"
if [ -n "$old" ]; then
  echo "| pair | raw libzmq exchanges/s | raw bound | NeuroBus loop ticks/s | ratio | ratio to bound | running | old binary ticks/s | old ratio | old running |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
  echo "| pair | raw libzmq exchanges/s | raw bound | NeuroBus loop ticks/s | ratio | ratio to bound | running |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
fi
bound() {
  if taskset -c 0,1 true 2>/dev/null; then
    taskset -c 0 "$work/zmq_pingpong" 1 "$ticks" "$1" >/dev/null &
    taskset -c 1 "$work/zmq_pingpong" 0 "$ticks" "$1" | sed -E 's/.*: ([0-9]+) per s.*/\1/'
    wait
  else
    echo "—"
  fi
}
over() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else printf "—" }'; }
running() { sed -nE 's/.*reached tick [0-9]+: .* ([0-9]+) ticks\/s$/\1/p' "$1/logs/controller.log" | grep . || echo "—"; }
for i in $(seq 1 "$reps"); do
  port=$((27850 + 2 * i))
  "$work/zmq_pingpong" 1 "$ticks" "$port" >/dev/null &
  raw=$("$work/zmq_pingpong" 0 "$ticks" "$port" | sed -E 's/.*: ([0-9]+) per s.*/\1/')
  wait
  rawb=$(bound $((port + 100)))
  nb=$("$bin" up "$work/loop.toml" --ticks "$ticks" --out "$work/up$i" --quiet | sed -nE 's/.* s: ([0-9]+) ticks\/s.*/\1/p')
  ratio=$(over "$nb" "$raw")
  if [ -n "$old" ]; then
    nbo=$("$old" up "$work/loop.toml" --ticks "$ticks" --out "$work/old$i" --quiet | sed -nE 's/.* s: ([0-9]+) ticks\/s.*/\1/p')
    echo "| $i | $raw | $rawb | $nb | $ratio | $(over "$nb" "$rawb") | $(running "$work/up$i") | $nbo | $(over "$nbo" "$raw") | $(running "$work/old$i") |"
  else
    echo "| $i | $raw | $rawb | $nb | $ratio | $(over "$nb" "$rawb") | $(running "$work/up$i") |"
  fi
done
