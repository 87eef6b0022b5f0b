#!/usr/bin/env bash
# What CURVE (authentication and encryption, README "Security") costs, side by side in one
# spell (BENCHMARKS.md, "CURVE on and off"): alternates REPS pairs of
#  - the delay-1 loop (`neurobus up` on the built-in loop network, TICKS ticks) with the
#    network's default CURVE (throw-away keys) and with `[security] curve = false`: whole-run
#    ticks/s and the controller's running rate (every pool ready to the last tick);
#  - `neurobus bench bus` with and without --curve at SPIKES spikes per batch (messages/s, MB/s).
# usage: bash Tests/Benchmarks/curve-cost.sh [REPS] [TICKS] [SPIKES]   (defaults 5, 20000, 100)
# NEUROBUS_BIN: the binary to measure (default .build/release/neurobus, built if missing).
set -euo pipefail
reps=${1:-5}
ticks=${2:-20000}
spikes=${3:-100}
cd "$(dirname "$0")/../.."
bin=${NEUROBUS_BIN:-$PWD/.build/release/neurobus}
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-curve-XXXXXX)
trap 'rm -rf "$work"' EXIT
sed -n '/loopExampleText = #"""/,/"""#/p' Sources/NeuroNetwork/Network/NetworkDescription+Defaults.swift \
  | sed '1d;$d' | sed 's/^        //' > "$work/loop.toml"
{ cat "$work/loop.toml"; printf '\n[security]\ncurve = false\n'; } > "$work/clear.toml"
running() { sed -nE 's/.*reached tick [0-9]+: .* ([0-9]+) ticks\/s$/\1/p' "$1/logs/controller.log" | grep . || echo "—"; }
loop() { "$bin" up "$1" --ticks "$ticks" --out "$2" --quiet | sed -nE 's/.* s: ([0-9]+) ticks\/s.*/\1/p'; }
bus() { "$bin" bench bus --messages 200000 --spikes "$spikes" "$@" | sed -nE 's/.*msgs: ([0-9]+) msgs\/s, ([0-9.]+) MB\/s.*/\1 \2/p'; }
echo "| pair | loop CURVE ticks/s (running) | loop clear ticks/s (running) | loop ratio | bus CURVE msgs/s, MB/s | bus clear msgs/s, MB/s | bus ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for i in $(seq 1 "$reps"); do
  on=$(loop "$work/loop.toml" "$work/on$i"); off=$(loop "$work/clear.toml" "$work/off$i")
  read -r bon mbon < <(bus --curve); read -r boff mboff < <(bus)
  echo "| $i | $on ($(running "$work/on$i")) | $off ($(running "$work/off$i")) | $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }') | $bon, $mbon | $boff, $mboff | $(awk -v a="$bon" -v b="$boff" 'BEGIN { printf "%.2f", a / b }') |"
done
