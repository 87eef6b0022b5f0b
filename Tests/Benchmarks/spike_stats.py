#!/usr/bin/env python3
"""Spike statistics of a NeuroBus raster, for Tests/Benchmarks/brunel-vs-nest.sh.

Usage:
  python3 spike_stats.py RASTER --tick-ms 0.1 --neurons 5000 --skip-ms 200 --ms 1200 \
      [--range 0 4000] [--bin-ms 1]

The raster is the text file `neurobus run --out DIR` writes (and brunel_nest.py writes for NEST):
header lines starting with '#', then `TICK ID ID ...` lines, tick k covering time k * tick-ms.
Only spikes in the analysed window, ticks round(skip-ms / tick-ms) up to (not including)
round(ms / tick-ms), T = ms - skip-ms long, and from neurons lo <= id < hi (--range, default
0 .. neurons) count; n = hi - lo neurons. Prints one JSON object:

  rate_hz       mean firing rate: spikes / n / T (in seconds), silent neurons included.
  cv_isi        mean over neurons of the coefficient of variation of the inter-spike intervals,
                std(ISI) / mean(ISI) (population std, ddof 0), ISIs taken within the window,
                over the neurons with at least 3 spikes there (2 ISIs); cv_neurons says how
                many those are. ~1 for Poisson firing, 0 for clock-like firing; refractoriness
                pulls it a little below 1, and so does the short window: a Poisson neuron at
                20 Hz over 1 s gives ~0.93, at 100 Hz ~0.98 (few intervals, ddof 0, long
                intervals cut off by the window edges). Both simulators are measured alike.
  fano_pop      Fano factor of the population spike count: the window is cut into bins of
                bin-ms (default 1 ms; a trailing partial bin is dropped), the spikes of all n
                neurons counted per bin, and var(count) / mean(count) (ddof 0) taken over the
                bins. For independent (asynchronous) Poisson neurons the count is Poisson and
                the ratio ~1; correlated firing (population oscillations, synchronous volleys)
                makes it large, growing with n.
  cv_pop_rate   the coefficient of variation of the same binned population rate,
                std(count) / mean(count) = sqrt(fano_pop / mean(count)); ~1 / sqrt(mean count)
                when asynchronous, of order 1 when the whole population fires in volleys.

Also: spikes, neurons, window_ms, bins, mean_count_per_bin. A measure that is undefined (no
spikes, no neuron with 3 spikes) is null. numpy only.
"""
import argparse
import json
import sys

import numpy as np


def read_raster(path):
    """(ticks, ids) int64 arrays, one entry per spike, plus the header lines."""
    headers, ticks, ids = [], [], []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("#"):
                headers.append(line.rstrip("\n"))
                continue
            fields = line.split()
            if not fields:
                continue
            try:
                row = np.array(fields, dtype=np.int64)
            except ValueError:
                sys.exit(f"{path}:{lineno}: not a `TICK ID ...` line: {line.strip()[:80]}")
            if len(row) > 1:
                ticks.append(np.full(len(row) - 1, row[0], dtype=np.int64))
                ids.append(row[1:])
    if not ticks:
        return headers, np.zeros(0, np.int64), np.zeros(0, np.int64)
    return headers, np.concatenate(ticks), np.concatenate(ids)


def header_neurons(headers):
    for h in headers:
        for tok in h.split():
            if tok.startswith("neurons="):
                return int(tok.split("=", 1)[1])
    return None


def stats(ticks, ids, tick_ms, lo, hi, skip_ms, ms, bin_ms):
    t0 = int(round(skip_ms / tick_ms))
    t1 = int(round(ms / tick_ms))
    if t1 <= t0:
        sys.exit("--ms must be larger than --skip-ms")
    n = hi - lo
    keep = (ticks >= t0) & (ticks < t1) & (ids >= lo) & (ids < hi)
    tk, nid = ticks[keep], ids[keep] - lo
    window_ms = (t1 - t0) * tick_ms
    spikes = int(len(tk))
    out = {"neurons": n, "range": [lo, hi], "window_ms": round(window_ms, 9), "spikes": spikes,
           "rate_hz": spikes / n / (window_ms / 1000.0)}

    # ISI CV per neuron: sort by (neuron, tick), intervals between consecutive spikes of a neuron.
    order = np.lexsort((tk, nid))
    s_id, s_tk = nid[order], tk[order]
    counts = np.bincount(s_id, minlength=n)
    same = s_id[1:] == s_id[:-1]
    isi = (s_tk[1:] - s_tk[:-1])[same].astype(np.float64) * tick_ms
    owner = s_id[1:][same]
    k = np.bincount(owner, minlength=n).astype(np.float64)
    s1 = np.bincount(owner, weights=isi, minlength=n)
    s2 = np.bincount(owner, weights=isi * isi, minlength=n)
    ok = counts >= 3
    if ok.any():
        mean = s1[ok] / k[ok]
        var = np.maximum(s2[ok] / k[ok] - mean * mean, 0.0)
        out["cv_isi"] = float(np.mean(np.sqrt(var) / mean))
    else:
        out["cv_isi"] = None
    out["cv_neurons"] = int(ok.sum())

    # Population count in bins of bin_ms.
    bin_ticks = int(round(bin_ms / tick_ms))
    if bin_ticks < 1:
        sys.exit("--bin-ms is shorter than one tick")
    nbins = (t1 - t0) // bin_ticks
    b = (tk - t0) // bin_ticks
    pop = np.bincount(b[b < nbins], minlength=nbins).astype(np.float64)
    m = float(pop.mean()) if nbins else 0.0
    v = float(pop.var()) if nbins else 0.0
    out.update({"bin_ms": bin_ticks * tick_ms, "bins": int(nbins), "mean_count_per_bin": m,
                "fano_pop": v / m if m > 0 else None,
                "cv_pop_rate": float(np.sqrt(v)) / m if m > 0 else None})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raster")
    ap.add_argument("--tick-ms", type=float, default=0.1)
    ap.add_argument("--neurons", type=int, required=True, help="neurons in the pool")
    ap.add_argument("--skip-ms", type=float, default=200.0, help="initial transient to drop")
    ap.add_argument("--ms", type=float, required=True, help="simulated time in ms")
    ap.add_argument("--range", type=int, nargs=2, metavar=("LO", "HI"),
                    help="analyse neurons LO <= id < HI only (e.g. 0 4000 for E)")
    ap.add_argument("--bin-ms", type=float, default=1.0, help="population count bin (1 ms)")
    a = ap.parse_args()

    headers, ticks, ids = read_raster(a.raster)
    hn = header_neurons(headers)
    if hn is not None and hn != a.neurons:
        sys.exit(f"{a.raster}: header says neurons={hn}, --neurons is {a.neurons}")
    if len(ids) and (ids.min() < 0 or ids.max() >= a.neurons):
        sys.exit(f"{a.raster}: neuron id out of 0..{a.neurons - 1}")
    if len(ticks) and ticks.min() < 0:
        sys.exit(f"{a.raster}: negative tick")
    lo, hi = a.range if a.range else (0, a.neurons)
    if not 0 <= lo < hi <= a.neurons:
        sys.exit("--range must satisfy 0 <= LO < HI <= neurons")
    out = stats(ticks, ids, a.tick_ms, lo, hi, a.skip_ms, a.ms, a.bin_ms)
    out["raster"] = a.raster
    out["last_tick"] = int(ticks.max()) if len(ticks) else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
