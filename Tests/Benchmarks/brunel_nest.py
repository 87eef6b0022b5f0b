#!/usr/bin/env python3
"""NEST side of Tests/Benchmarks/brunel-vs-nest.sh: the Brunel (2000) sparse network, model A
(delta synapses), built like examples/brunel.toml, and its spikes written as a NeuroBus raster.

Usage:
  "$HOME/.cache/nest-venv"/bin/python brunel_nest.py --g 5 --eta 2 --seed 1 --ms 1200 \
      --resolution 0.1 --out brunel.raster

The network: N_E = 4000 excitatory then N_I = 1000 inhibitory iaf_psc_delta neurons (E_L = 0,
C_m = 1 pF so a delta input of weight w moves V_m by w mV, tau_m = 20 ms, V_th = 20 mV,
V_reset = 10 mV, t_ref = 2 ms, V_m = 0 at the start). Every neuron gets C_E = 400 excitatory
and C_I = 100 inhibitory inputs (fixed_indegree onto all 5000 neurons, NEST's defaults:
autapses and multapses allowed), static synapses of weight J = 0.1 mV and -g J, delay
D = 1.5 ms. External drive: one poisson_generator at C_E * eta * nu_thr, with
nu_thr = theta / (J C_E tau_m) = 25 Hz, connected to every neuron with weight J and delay D.
NEST draws an independent Poisson count for each target in each step (the generator's event
hook runs once per connection), so each neuron sees its own Poisson train.
One thread (--threads to change); rng_seed = --seed.

Raster (the format of `neurobus run --out DIR`): a header line starting with '#', then one line
per step that has spikes, `TICK ID ID ...`, the 0-based pool-local ids (E first, then I) in
ascending order. NEST's iaf_psc_delta stamps a spike produced in the update step that covers
(k h, (k+1) h] with the time (k+1) h, the end of that step; this script writes it as tick
k = round(t / h) - 1, so tick k is the step that produced the spike, as in NeuroBus where tick k
covers time k h.

Prints one JSON line: build and Simulate wall times, spike count, mean rate.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--g", type=float, required=True, help="relative inhibitory strength")
ap.add_argument("--eta", type=float, required=True, help="external rate / nu_thr")
ap.add_argument("--seed", type=int, required=True, help="NEST rng_seed (>= 1)")
ap.add_argument("--ms", type=float, required=True, help="simulated time in ms")
ap.add_argument("--resolution", type=float, default=0.1, help="step in ms (default 0.1)")
ap.add_argument("--out", required=True, help="raster file to write")
ap.add_argument("--threads", type=int, default=1, help="NEST threads (default 1)")
args = ap.parse_args()

os.environ.setdefault("PYNEST_QUIET", "1")  # no banner on stdout
import nest  # noqa: E402  (after argparse so --help works without NEST)

NE, NI = 4000, 1000
CE, CI = 400, 100
J = 0.1                 # mV
D = 1.5                 # ms
TAU_M = 20.0            # ms
THETA = 20.0            # mV
NU_THR = THETA / (J * CE * TAU_M)          # 1/ms (0.025 = 25 Hz)
P_RATE = 1000.0 * args.eta * NU_THR * CE   # Hz, all C_E external inputs of one neuron

try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:
    nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.SetKernelStatus({"resolution": args.resolution,
                      "local_num_threads": args.threads,
                      "rng_seed": args.seed})

t0 = time.time()
params = {"C_m": 1.0, "tau_m": TAU_M, "t_ref": 2.0, "E_L": 0.0, "V_th": THETA,
          "V_reset": 10.0, "V_m": 0.0, "I_e": 0.0}
exc = nest.Create("iaf_psc_delta", NE, params=params)
inh = nest.Create("iaf_psc_delta", NI, params=params)
pool = exc + inh
first = pool[0].global_id
assert pool[-1].global_id == first + NE + NI - 1, "E and I node ids are not contiguous"
noise = nest.Create("poisson_generator", params={"rate": P_RATE})
recorder = nest.Create("spike_recorder")

syn_e = {"synapse_model": "static_synapse", "weight": J, "delay": D}
syn_i = {"synapse_model": "static_synapse", "weight": -args.g * J, "delay": D}
nest.Connect(noise, pool, "all_to_all", syn_e)
nest.Connect(exc, pool, {"rule": "fixed_indegree", "indegree": CE}, syn_e)
nest.Connect(inh, pool, {"rule": "fixed_indegree", "indegree": CI}, syn_i)
nest.Connect(pool, recorder)
t1 = time.time()
nest.Simulate(args.ms)
t2 = time.time()

ev = recorder.get("events")
ids = np.asarray(ev["senders"], dtype=np.int64) - first
steps = np.rint(np.asarray(ev["times"], dtype=np.float64) / args.resolution).astype(np.int64)
ticks = steps - 1
order = np.lexsort((ids, ticks))
ids, ticks = ids[order], ticks[order]
with open(args.out, "w") as f:
    f.write(f"# nest raster v1 pool=brunel neurons={NE + NI} simulator=NEST-{nest.__version__} "
            f"g={args.g:g} eta={args.eta:g} seed={args.seed} resolution_ms={args.resolution:g} "
            f"ms={args.ms:g} tick=round(t/h)-1\n")
    if len(ticks):
        cuts = np.flatnonzero(np.diff(ticks)) + 1
        for group_ticks, group_ids in zip(np.split(ticks, cuts), np.split(ids, cuts)):
            f.write(f"{group_ticks[0]} " + " ".join(map(str, group_ids.tolist())) + "\n")

n = int(len(ids))
print(json.dumps({
    "simulator": "NEST " + str(nest.__version__),
    "g": args.g, "eta": args.eta, "seed": args.seed, "ms": args.ms,
    "resolution_ms": args.resolution, "threads": args.threads,
    "poisson_rate_hz": P_RATE,
    "build_s": round(t1 - t0, 3), "simulate_s": round(t2 - t1, 3),
    "spikes": n, "rate_hz": round(n / (NE + NI) / (args.ms / 1000.0), 3),
    "raster": os.path.abspath(args.out),
}))
sys.stdout.flush()
