#!/usr/bin/env bash
# Long fuzz run of the NeuroWire decoder with libFuzzer (see WireFuzz.swift).
#   Tests/Fuzz/run-wire-fuzz.sh [RUNS] [extra libFuzzer flags…]     (default 10,000,000 runs)
# Builds .build/fuzz/wire-fuzz with swiftc -sanitize=fuzzer,address, seeds a corpus from
# protocol/vectors (valid and invalid frames, raw and as sealed payloads), runs, and prints
# libFuzzer's summary. Exits non-zero on a crash; the crashing input is left in .build/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-10000000}"
shift || true
OUT=.build/fuzz
mkdir -p "$OUT/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name NeuroWire \
    -I Sources/CZlib Sources/NeuroWire/*.swift Tests/Fuzz/WireFuzz.swift -lz -o "$OUT/wire-fuzz" 2>&1 \
    | { grep -v "Cannot export local symbol" || true; }
# Seeds: every vector as a raw frame (mode byte 0) and as a sealed payload (mode byte 1).
python3 - "$OUT/corpus" <<'PY'
import glob, os, sys
out = sys.argv[1]
for path in glob.glob("protocol/vectors/*/*.hex"):
    frame = bytes.fromhex("".join(open(path).read().split()))
    name = os.path.basename(os.path.dirname(path)) + "_" + os.path.basename(path)[:-4]
    open(os.path.join(out, name + ".raw"), "wb").write(b"\x00" + frame)
    if len(frame) >= 20:
        sealed = b"\x01" + bytes([frame[4], frame[5], frame[3]]) + frame[20:]
        open(os.path.join(out, name + ".sealed"), "wb").write(sealed)
PY
cd "$OUT"
status=0
./wire-fuzz -runs="$RUNS" -max_len=4096 -print_final_stats=1 "$@" corpus > fuzz.log 2>&1 || status=$?
grep -E "^(#[0-9]+ +DONE|Done|stat::)|ERROR|SUMMARY|crash-|deadly" fuzz.log || true
echo "libFuzzer exit status $status (log: $OUT/fuzz.log)"
exit $status
