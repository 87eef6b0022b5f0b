#!/usr/bin/env bash
# Lockstep loop beside raw libzmq (BENCHMARKS.md, "Lockstep network"): alternates REPS pairs of
#  - raw libzmq: two processes, PUB/SUB over loopback TCP, each publishing tick i and waiting
#    for the other's tick i (Tests/Benchmarks/zmq_pingpong.c) — the floor of a delay-1 loop;
#  - NeuroBus: `neurobus up` on the built-in delay-1 loop network (two 64-neuron pools
#    projecting into each other with delay 1), TICKS ticks, start-up and shutdown included.
# usage: bash Tests/Benchmarks/loop-vs-raw.sh [REPS] [TICKS]   (defaults 5, 20000)
set -euo pipefail
reps=${1:-5}
ticks=${2:-20000}
cd "$(dirname "$0")/../.."
bin=$PWD/.build/release/neurobus
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-loop-XXXXXX)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 Tests/Benchmarks/zmq_pingpong.c -o "$work/zmq_pingpong" -lzmq
# The built-in loop network as a file, from its source text.
swift_loop() {
  sed -n '/loopExampleText = #"""/,/"""#/p' Sources/NeuroNode/Network/NetworkDescription+Defaults.swift \
    | sed '1d;$d' | sed 's/^        //'
}
swift_loop > "$work/loop.toml"
echo "| pair | raw libzmq exchanges/s | NeuroBus loop ticks/s | ratio |"
echo "|---:|---:|---:|---:|"
for i in $(seq 1 "$reps"); do
  port=$((27850 + 2 * i))
  "$work/zmq_pingpong" 1 "$ticks" "$port" >/dev/null &
  raw=$("$work/zmq_pingpong" 0 "$ticks" "$port" | sed -E 's/.*: ([0-9]+) per s.*/\1/')
  wait
  nb=$("$bin" up "$work/loop.toml" --ticks "$ticks" --out "$work/up$i" --quiet | sed -nE 's/.* s: ([0-9]+) ticks\/s.*/\1/p')
  echo "| $i | $raw | $nb | $(awk -v a="$nb" -v b="$raw" 'BEGIN { printf "%.2f", a / b }') |"
done
