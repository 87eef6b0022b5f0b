#!/usr/bin/env bash
# A task's network file (one with `seed = N` and `reward = "contingent"` lines, comments after
# them allowed) over several seeds, each beside its control: the same network with reward = "random" at probability P
# (as many rewards as the rewarded network earns). Prints a Markdown table of train and test
# accuracy per seed and how many seeds meet the criteria (rewarded test ≥ 90 %, control test
# ≤ 60 %). `run` only: the distributed run is byte-identical (TaskBusTests).
# usage: bash Tests/Benchmarks/task-seeds.sh [EXAMPLE] [FIRST] [LAST] [P]
#   defaults: examples/discrimination.toml 1 10 0.9; XOR: examples/xor.toml 1 10 0.8
# NEUROBUS_BIN: the binary to run (default .build/release/neurobus, built if missing).
set -euo pipefail
example=${1:-examples/discrimination.toml}
first=${2:-1}
last=${3:-10}
probability=${4:-0.9}
cd "$(dirname "$0")/../.."
bin=${NEUROBUS_BIN:-$PWD/.build/release/neurobus}
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
work=$(mktemp -d /tmp/nb-task-XXXXXX)
# Data files (spike trains) sit beside the example.
cp "$(dirname "$example")"/*.csv "$work"/ 2>/dev/null || true
trap 'rm -rf "$work"' EXIT
score() {  # trials.csv -> "train% test%"
  awk -F, 'NR > 1 { n[$2]++; c[$2] += $5 } END { printf "%.1f %.1f\n", 100 * c["train"] / n["train"], 100 * c["test"] / n["test"] }' "$1"
}
echo "| seed | rewarded train % | rewarded test % | control train % | control test % |"
echo "|---:|---:|---:|---:|---:|"
met=0
for seed in $(seq "$first" "$last"); do
  sed -E "s/^seed = [0-9]+( .*)?$/seed = $seed/" "$example" > "$work/r$seed.toml"
  sed -E "s/^reward = \"contingent\"( .*)?$/reward = \"random\"\nrandom_reward_probability = $probability/" "$work/r$seed.toml" > "$work/c$seed.toml"
  "$bin" run "$work/r$seed.toml" --out "$work/r$seed" --quiet > /dev/null
  "$bin" run "$work/c$seed.toml" --out "$work/c$seed" --quiet > /dev/null
  read -r rtrain rtest < <(score "$work/r$seed/trials.csv")
  read -r ctrain ctest < <(score "$work/c$seed/trials.csv")
  echo "| $seed | $rtrain | $rtest | $ctrain | $ctest |"
  if awk -v r="$rtest" -v c="$ctest" 'BEGIN { exit !(r >= 90 && c <= 60) }'; then met=$((met + 1)); fi
done
echo
echo "seeds meeting both criteria: $met of $((last - first + 1))"
