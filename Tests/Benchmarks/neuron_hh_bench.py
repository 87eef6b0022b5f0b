#!/usr/bin/env python3
"""NEURON side of Tests/Benchmarks/hh-vs-neuron.sh: N single-compartment `hh` cells (the cell of
Tests/Reference/neuron_hh.py: area 1000 um^2, cm 1, celsius 6.3), each with an IClamp of
10 uA/cm^2 from t = 0, fixed step dt = 0.025 ms, simulated for T ms; one NetCon per cell
counts spikes (0 mV). Prints one JSON line per mode:
  default         NEURON's defaults (backward Euler, secondorder 0, hh rate tables on)
  cache_efficient the same with cvode.cache_efficient(1), NEURON's fastest fixed-step layout
Usage: python3 neuron_hh_bench.py CELLS MS
"""
import json
import math
import sys
import time

from neuron import h

cells, ms = int(sys.argv[1]), float(sys.argv[2])
h.load_file("stdrun.hoc")
diam = math.sqrt(1000.0 / math.pi)
secs, stims, ncs, vecs = [], [], [], []
for i in range(cells):
    s = h.Section(name="soma%d" % i)
    s.diam = diam
    s.L = diam
    s.nseg = 1
    s.cm = 1.0
    s.insert("hh")
    st = h.IClamp(s(0.5))
    st.delay = 0
    st.dur = 1e9
    st.amp = 10.0 * 1e-5 * 1e3   # 10 uA/cm^2 on 1e-5 cm^2, in nA
    nc = h.NetCon(s(0.5)._ref_v, None, sec=s)
    nc.threshold = 0
    v = h.Vector()
    nc.record(v)
    secs.append(s); stims.append(st); ncs.append(nc); vecs.append(v)
h.celsius = 6.3
h.dt = 0.025
h.secondorder = 0
cv = h.CVode()
cv.active(0)
for mode in ("default", "cache_efficient"):
    cv.cache_efficient(1 if mode == "cache_efficient" else 0)
    h.finitialize(-65)
    t0 = time.perf_counter()
    h.continuerun(ms)
    wall = time.perf_counter() - t0
    spikes = sum(len(v) for v in vecs)
    print(json.dumps({"who": "neuron", "mode": mode, "cells": cells, "simulated_ms": ms, "dt_ms": 0.025,
                      "spikes": spikes, "wall_seconds": wall, "real_time_factor": ms / 1000.0 / wall}))
