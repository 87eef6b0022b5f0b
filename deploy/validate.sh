#!/usr/bin/env bash
# Validates the deployment recipes as far as this machine can without Docker or a cluster:
#   - every shell script parses (bash -n);
#   - the systemd units pass `systemd-analyze verify` (when systemd-analyze exists);
#   - compose.yaml, kustomization.yaml and neurobus.yaml parse (python3 + PyYAML), and agree
#     with the network files: one service / StatefulSet + headless Service per pool and the
#     controller, each endpoint's host is that service's name, ports match;
#   - the committed network files are what deploy/generate.sh makes now, and the real network
#     parser accepts them (`neurobus network check`);
#   - the Dockerfile's build stage installs the packages the Makefile's `deps` installs and
#     builds with `swift build -c release`, like the README's set-up.
# Usage: deploy/validate.sh [NEUROBUS]   (default: .build/debug/neurobus, then PATH)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
NB=${1:-}
if [ -z "$NB" ]; then for c in "$REPO/.build/debug/neurobus" "$(command -v neurobus || true)"; do [ -n "$c" ] && [ -x "$c" ] && { NB=$c; break; }; done; fi
[ -n "$NB" ] || { echo "FAIL: no neurobus executable (give its path)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; }

for f in "$HERE"/netns/*.sh "$HERE"/bin/neurobus-unit "$HERE"/generate.sh "$HERE"/validate.sh; do bash -n "$f"; done
ok "shell scripts parse"
python3 -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$HERE/netns/delay-relay.py"
ok "delay-relay.py parses"

if command -v systemd-analyze >/dev/null; then
  for f in "$HERE"/systemd/*.service; do
    sed "s|/usr/local/bin/neurobus-unit|$HERE/bin/neurobus-unit|" "$f" > "$tmp/$(basename "$f")"
  done
  cp "$tmp/neurobus-node@.service" "$tmp/neurobus-node@sensory.service"
  cp "$tmp/neurobus-replica@.service" "$tmp/neurobus-replica@sensory.service"
  (cd "$tmp" && systemd-analyze verify ./neurobus-controller.service ./neurobus-node@sensory.service ./neurobus-replica@sensory.service)
  rm -f "$tmp"/*.service
  ok "systemd-analyze verify: neurobus-controller.service, neurobus-node@sensory.service, neurobus-replica@sensory.service"
else
  echo "skip systemd-analyze is not installed"
fi
# Every setting neurobus-unit reads is documented in the environment file.
for key in $(grep -o 'NEUROBUS_[A-Z_]*' "$HERE/bin/neurobus-unit" | sort -u); do
  grep -q "^#\?$key=" "$HERE/systemd/neurobus.env" || { echo "FAIL: $key is read by neurobus-unit but not in neurobus.env"; exit 1; }
done
ok "every NEUROBUS_* setting of neurobus-unit is in neurobus.env"

OUT="$tmp/gen" "$HERE/generate.sh" "$NB" >/dev/null
for f in container/network.toml kubernetes/network.toml; do
  cmp -s "$tmp/gen/$f" "$HERE/$f" || { echo "FAIL: deploy/$f is not what deploy/generate.sh makes; run it"; exit 1; }
  "$NB" network check "$HERE/$f" > "$tmp/$(dirname "$f").check"
done
ok "network files are current and valid (neurobus network check)"

python3 - "$HERE" "$tmp" <<'PY'
import re, sys, yaml
here, tmp = sys.argv[1], sys.argv[2]
def endpoints(check):
    roles = {}
    for line in open(check):
        w = line.split()
        if w[0] == "controller":
            for e in (w[2], w[4]):
                host, port = re.match(r"tcp://(.+):(\d+)$", e).groups()
                roles.setdefault("controller", []).append((host, int(port)))
        elif w[0] == "pool":
            host, port = re.match(r"tcp://(.+):(\d+)$", w[2]).groups()
            roles[w[1]] = [(host, int(port))]
    return roles
def fail(msg):
    print("FAIL:", msg); sys.exit(1)

compose = yaml.safe_load(open(f"{here}/container/compose.yaml"))
for role, eps in endpoints(f"{tmp}/container.check").items():
    svc = compose["services"].get(role) or fail(f"compose.yaml has no service {role}")
    want = ["controller"] if role == "controller" else ["node", role]
    svc.get("command") == want or fail(f"compose service {role}: command {svc.get('command')}, expected {want}")
    for host, port in eps:
        host == role or fail(f"network endpoint host {host} is not the compose service name {role}")
        str(port) in [str(p) for p in svc.get("expose", [])] or fail(f"compose service {role} does not expose {port}")
    any(str(v).startswith("snapshots:/snapshots") for v in svc["volumes"]) or fail(f"compose service {role} lacks the shared snapshot volume")
compose["configs"]["network"]["file"] == "./network.toml" or fail("compose config network is not ./network.toml")
print("ok   compose.yaml parses; a service per role, named as its endpoint host, ports exposed, snapshots shared")

docs = [d for d in yaml.safe_load_all(open(f"{here}/kubernetes/neurobus.yaml")) if d]
kust = yaml.safe_load(open(f"{here}/kubernetes/kustomization.yaml"))
kust["configMapGenerator"][0]["name"] == "neurobus-network" and kust["configMapGenerator"][0]["files"] == ["network.toml"] or fail("kustomization: ConfigMap neurobus-network from network.toml expected")
kind = lambda k, n: next((d for d in docs if d["kind"] == k and d["metadata"]["name"] == n), None)
for role, eps in endpoints(f"{tmp}/kubernetes.check").items():
    svc = kind("Service", role) or fail(f"no Service {role}")
    sts = kind("StatefulSet", role) or fail(f"no StatefulSet {role}")
    svc["spec"]["clusterIP"] == "None" and svc["spec"]["publishNotReadyAddresses"] or fail(f"Service {role} must be headless and publish not-ready addresses")
    sts["spec"]["serviceName"] == role or fail(f"StatefulSet {role} serviceName {sts['spec']['serviceName']}")
    c = sts["spec"]["template"]["spec"]["containers"][0]
    want = ["controller"] if role == "controller" else ["node", role]
    c["args"] == want or fail(f"StatefulSet {role}: args {c['args']}, expected {want}")
    for host, port in eps:
        host == f"{role}-0.{role}.neurobus.svc.cluster.local" or fail(f"endpoint host {host} is not {role}'s pod DNS name")
        port in [p["port"] for p in svc["spec"]["ports"]] or fail(f"Service {role} lacks port {port}")
        port in [p["containerPort"] for p in c["ports"]] or fail(f"StatefulSet {role} lacks containerPort {port}")
    vols = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    vols["network"]["configMap"]["name"] == "neurobus-network" or fail(f"{role} does not mount the network ConfigMap")
    vols["snapshots"]["persistentVolumeClaim"]["claimName"] == "neurobus-snapshots" or fail(f"{role} does not mount the snapshot store")
print(f"ok   kubernetes: {len(docs)} objects parse; a headless Service + StatefulSet per role, DNS names = endpoint hosts, ports match, ConfigMap and snapshot volume mounted")
PY

build_stage=$(awk '/^FROM .* AS build/ { on = 1 } /^FROM / && !/AS build/ { on = 0 } on' "$HERE/container/Dockerfile")
for pkg in $(sed -n 's/^SYSTEM_DEPS := //p' "$REPO/Makefile" | tr ' ' '\n' | cut -d: -f2) pkg-config; do
  echo "$build_stage" | grep -q -- " $pkg" || { echo "FAIL: the Dockerfile's build stage does not install $pkg (Makefile deps)"; exit 1; }
done
echo "$build_stage" | grep -q "swift build -c release" || { echo "FAIL: the Dockerfile does not build with swift build -c release"; exit 1; }
ok "Dockerfile build stage: the Makefile's packages ($(sed -n 's/^SYSTEM_DEPS := //p' "$REPO/Makefile" | tr ' ' '\n' | cut -d: -f2 | tr '\n' ' ')+ pkg-config) and swift build -c release"
if docker info >/dev/null 2>&1; then echo "note a Docker engine is reachable: try docker build -f deploy/container/Dockerfile ."; else echo "skip docker build: no Docker engine here"; fi
echo "PASS: deployment recipes validated"
