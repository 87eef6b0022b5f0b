#!/usr/bin/env bash
# Regenerates the network files of the container and Kubernetes recipes from the three-pool
# example network, examples/three-pools.toml (plus periodic snapshots, which the restart policy resumes from), with
# `neurobus network endpoints`. deploy/validate.sh checks the committed files are current.
# Usage: deploy/generate.sh [NEUROBUS]   (default: neurobus on PATH)
set -euo pipefail
NB=${1:-neurobus}
HERE=$(cd "$(dirname "$0")" && pwd)
# OUT (optional): write OUT/container/network.toml and OUT/kubernetes/network.toml instead.
OUT=${OUT:-$HERE}
mkdir -p "$OUT/container" "$OUT/kubernetes"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$HERE/../examples/three-pools.toml" "$tmp/default.toml"
cat >> "$tmp/default.toml" <<'TOML'

# Added for deployment: a snapshot every 1000 ticks, the newest 3 kept. After a failure the
# controller and every node restart from the newest one (deploy/README.md, Restart policy).
[snapshots]
every = 1000
keep = 3
TOML
# compose: service names are the hosts.
"$NB" network endpoints "$tmp/default.toml" --hosts controller,sensory,association,motor -o "$OUT/container/network.toml" 2>/dev/null
# Kubernetes: the stable DNS names of each StatefulSet's pod 0 in namespace neurobus.
k8s=()
for s in controller sensory association motor; do k8s+=("$s-0.$s.neurobus.svc.cluster.local"); done
"$NB" network endpoints "$tmp/default.toml" --hosts "$(IFS=,; echo "${k8s[*]}")" -o "$OUT/kubernetes/network.toml" 2>/dev/null
echo "wrote $OUT/container/network.toml and $OUT/kubernetes/network.toml"
