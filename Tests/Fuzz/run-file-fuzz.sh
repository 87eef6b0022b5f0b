#!/usr/bin/env bash
# Long mutation-fuzz run of what NeuroBus reads from disk: snapshot manifests (parsed, checked
# against the network, reward counts restored) and `.pool` files (CRC made right after each
# mutation, so the field checks meet the damage). Tests/NeuroNodeTests/FileFuzzTests.swift.
#   Tests/Fuzz/run-file-fuzz.sh [CASES]     (default 1,000,000 per input kind)
# A trap ends the test process and fails the run; the mutations are seeded, so a failure
# repeats with the same CASES.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES="${1:-1000000}"
swift build --build-tests >/dev/null
start=$SECONDS
mkdir -p .build/fuzz
status=0
NEUROBUS_FUZZ_CASES="$CASES" swift test --skip-build --filter FileFuzzTests > .build/fuzz/file-fuzz.log 2>&1 || status=$?
grep -E "✔|✘|error|Fatal|crash" .build/fuzz/file-fuzz.log || true
# Both tests must have run (a filter that matches nothing passes with 0 tests).
grep -q "Test run with 2 tests" .build/fuzz/file-fuzz.log || { echo "the fuzz tests did not run"; status=1; }
echo "file fuzz: $CASES cases per kind, $((SECONDS - start)) s, swift test exit status $status (log: .build/fuzz/file-fuzz.log)"
exit "$status"
