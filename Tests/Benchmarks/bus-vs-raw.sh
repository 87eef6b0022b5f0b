#!/usr/bin/env bash
# Bus throughput against raw libzmq, side by side in one run (BENCHMARKS.md, "Bus").
# For each batch shape: `neurobus bench bus`, then Tests/Benchmarks/zmq_pubsub_thr.c (RAW_SRC=path
# to use another source) at the same message size (topic + frame, rounded), alternating, REPS
# times. Prints the medians of both and the median (and range) of the per-pair ratios: this VM's
# vCPUs are shared, so throughput drifts between runs, and a pair run back to back shares the drift.
# usage: [NEUROBUS_BIN=path] [PAIRS=1] Tests/Benchmarks/bus-vs-raw.sh [REPS] [ENCODING...]   (defaults: 5, fast compact)
# PAIRS=1 also prints every pair's ratio under its row, so runs can be pooled.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-5}; shift || true
encodings=("$@"); [ ${#encodings[@]} -gt 0 ] || encodings=(fast compact)
raw_src=${RAW_SRC:-Tests/Benchmarks/zmq_pubsub_thr.c}
raw=$(mktemp /tmp/zmq_pubsub_thr.XXXXXX)
trap 'rm -f "$raw"' EXIT
gcc -O2 -o "$raw" "$raw_src" -lzmq
bin=${NEUROBUS_BIN:-.build/release/neurobus}
[ -x "$bin" ] || swift build -c release --product neurobus >/dev/null
# A port the kernel reports free at the time (each run binds its own).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '| encoding | spikes/batch | message B | NeuroBus MB/s | raw libzmq MB/s | ratio: median of pairs (range) |\n|---|---|---|---|---|---|\n'
for enc in "${encodings[@]}"; do
  for spikes in 10 100 500 2000; do
    count=$(( spikes >= 500 ? 300000 : 1000000 ))
    ours=(); theirs=(); ratios=(); size=0
    for ((r = 0; r < reps; r++)); do
      port=$(free_port)
      line=$("$bin" bench bus --encoding "$enc" --spikes "$spikes" --messages "$count" --endpoint "tcp://127.0.0.1:$port")
      size=$(sed -E 's/.*message ([0-9.]+) B.*/\1/' <<<"$line")
      ours+=("$(sed -E 's/.* ([0-9.]+) MB\/s.*/\1/' <<<"$line")")
      port=$(free_port)
      bytes=$(printf '%.0f' "$size")
      theirs+=("$("$raw" "tcp://127.0.0.1:$port" "$bytes" "$count" | sed -E 's/.*MB\/s=([0-9.]+).*/\1/')")
      ratios+=("$(echo "100 * ${ours[-1]} / ${theirs[-1]}" | bc -l)")
    done
    a=$(printf '%s\n' "${ours[@]}" | median); b=$(printf '%s\n' "${theirs[@]}" | median)
    r=$(printf '%s\n' "${ratios[@]}" | median)
    lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
    printf '| %s | %d | %s | %s | %s | %.0f %% (%.0f–%.0f) |\n' "$enc" "$spikes" "$size" "$a" "$b" "$r" "$lo" "$hi"
    [ "${PAIRS:-}" != 1 ] || printf 'pairs %s %d: %s\n' "$enc" "$spikes" "$(printf '%.0f ' "${ratios[@]}")"
  done
done
