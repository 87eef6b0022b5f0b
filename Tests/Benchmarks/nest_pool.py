#!/usr/bin/env python3
"""NEST side of Tests/Benchmarks/pool-vs-nest.sh: the `neurobus bench pool` networks in NEST.

The network has N iaf_psc_delta neurons (tau_m = 20 ms, E_L = 0, V_th = 20 mV, V_reset = 10 mV,
t_ref = 2 ms, NEST's default C_m = 250 pF) simulated at 1 ms resolution, so one tick is 1 ms.
The first 80 % of the neurons are excitatory and the rest inhibitory. Every neuron projects to
OUT_DEGREE targets drawn from all N neurons (NEST's fixed_outdegree rule); excitatory synapses
weigh +0.2 mV and inhibitory ones -1.0 mV, and each synapse has its own delay, drawn uniformly
from 1..8 ms. Every neuron gets the same constant current I_e (300 pA unless the environment
sets IE), which alone would drive it to 24 mV, above threshold. Membrane potentials start
uniformly in [0, 20) mV. With `stdp`, the excitatory synapses are stdp_synapse (Wmax 1.0 mV);
inhibitory ones stay static. The kernel seed is 1 (--seed) and NEST runs one thread (env
THREADS to change).

Only the Simulate call is timed. Synaptic events per second are spikes x OUT_DEGREE divided by
that wall time; neuron updates per second are N x T_MS / wall time; the real-time factor is
wall time / simulated time. build_s, the wall time of creating and wiring the network, is
reported but not used in any rate.

Usage:
  "$HOME/.cache/nest-venv"/bin/python nest_pool.py N OUT_DEGREE T_MS [stdp] [--json] [--seed S]

The scenarios of pool-vs-nest.sh: small = 4096 82 5000, large = 65536 100 2000, small-stdp =
4096 82 5000 stdp. Prints one line, last on stdout: JSON with --json, else `key=value` pairs.
"""
import argparse
import json
import os
import time

EXCITATORY_FRACTION = 0.8
W_EXC, W_INH = 0.2, -1.0  # mV: a delta synapse moves V_m by its weight
MAX_DELAY_MS = 8
NEURON = {"tau_m": 20.0, "E_L": 0.0, "V_th": 20.0, "V_reset": 10.0, "t_ref": 2.0}


def parse_args():
    p = argparse.ArgumentParser(description="The pool benchmark networks in NEST.")
    p.add_argument("neurons", type=int, help="N")
    p.add_argument("out_degree", type=int, help="synapses per neuron")
    p.add_argument("t_ms", type=float, help="simulated time in ms (= ticks)")
    p.add_argument("mode", nargs="?", choices=["stdp"], help="plastic excitatory synapses")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--seed", type=int, default=1, help="NEST rng_seed (default 1)")
    return p.parse_intermixed_args()  # `stdp` may come before or after the options


def build(nest, n, k, plastic, drive_pa):
    """Creates and wires the pool; returns the spike recorder."""
    pool = nest.Create("iaf_psc_delta", n, params=dict(NEURON, I_e=drive_pa))
    n_exc = int(n * EXCITATORY_FRACTION)
    pool.V_m = nest.random.uniform(0.0, NEURON["V_th"])
    fan_out = {"rule": "fixed_outdegree", "outdegree": k}
    for sources, weight, model in ((pool[:n_exc], W_EXC, "stdp_synapse" if plastic else "static_synapse"),
                                   (pool[n_exc:], W_INH, "static_synapse")):
        syn = {"synapse_model": model, "weight": weight,
               "delay": 1.0 + nest.random.uniform_int(MAX_DELAY_MS)}
        if model == "stdp_synapse":
            syn["Wmax"] = 1.0
        nest.Connect(sources, pool, fan_out, syn)
    recorder = nest.Create("spike_recorder")
    nest.Connect(pool, recorder)
    return recorder


def main():
    args = parse_args()
    import nest  # after argument parsing, so --help works without NEST

    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 1.0, "rng_seed": args.seed,
                          "local_num_threads": int(os.environ.get("THREADS", "1"))})
    plastic = args.mode == "stdp"
    n, k, t_ms = args.neurons, args.out_degree, args.t_ms

    started = time.perf_counter()
    recorder = build(nest, n, k, plastic, float(os.environ.get("IE", "300")))
    built = time.perf_counter()
    nest.Simulate(t_ms)
    wall = time.perf_counter() - built

    spikes = int(recorder.get("n_events"))
    seconds = t_ms / 1000.0
    out = {
        "simulator": f"NEST {getattr(nest, '__version__', '?')}",
        "neurons": n, "out_degree": k, "ticks": int(round(t_ms)), "plastic": plastic,
        "build_s": round(built - started, 3), "simulate_s": round(wall, 3),
        "spikes": spikes, "rate_hz": round(spikes / n / seconds, 2),
        "synaptic_events_per_s": spikes * k / wall,
        "neuron_updates_per_s": n * t_ms / wall,
        "real_time_factor": wall / seconds,
    }
    if args.json:
        line = json.dumps(out)
    else:
        line = " ".join(f"{key}={v:.4g}" if isinstance(v, float) else f"{key}={v}" for key, v in out.items())
    print(line, flush=True)


if __name__ == "__main__":
    main()
