#!/usr/bin/env python3
"""Plots `neurobus demo distal-reward --csv FILE` as an SVG: per seed, the chosen synapse's
weight over time in the rewarded run (solid) and in the control (dashed), and the mean of the
other excitatory weights (grey). Standard library only.

    python3 Tests/Benchmarks/plot_distal.py distal.csv docs/distal-reward.svg
"""
import csv
import sys
from collections import defaultdict

if len(sys.argv) != 3:
    sys.exit(__doc__)
rows = defaultdict(list)
with open(sys.argv[1], newline="") as f:
    for r in csv.DictReader(f):
        rows[(int(r["seed"]), r["condition"])].append((int(r["second"]), float(r["chosen_mv"]), float(r["others_mv"])))
if not rows:
    sys.exit(f"{sys.argv[1]}: no samples")

W, H, L, R, T, B = 720, 420, 60, 170, 30, 50
tmax = max(s for v in rows.values() for s, _, _ in v)
wmax = max(4.0, max(c for v in rows.values() for _, c, _ in v))
x = lambda s: L + (W - L - R) * s / tmax
y = lambda w: H - B - (H - T - B) * w / wmax
colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>']
for k in range(5):
    w = wmax * k / 4
    out.append(f'<text x="{L-8}" y="{y(w)+4:.1f}" text-anchor="end">{w:g}</text>')
    out.append(f'<line x1="{L}" y1="{y(w):.1f}" x2="{W-R}" y2="{y(w):.1f}" stroke="#ddd"/>')
for k in range(7):
    s = tmax * k / 6
    out.append(f'<text x="{x(s):.1f}" y="{H-B+18}" text-anchor="middle">{s/60:.0f}</text>')
out.append(f'<text x="{(L+W-R)/2}" y="{H-10}" text-anchor="middle">simulated time (min)</text>')
out.append(f'<text x="16" y="{(T+H-B)/2}" transform="rotate(-90 16 {(T+H-B)/2})" text-anchor="middle">weight (mV)</text>')
seeds = sorted({s for s, _ in rows})
for i, seed in enumerate(seeds):
    color = colors[i % len(colors)]
    for condition, dash in (("rewarded", ""), ("control", ' stroke-dasharray="5,4"')):
        line = " ".join(f"{x(s):.1f},{y(c):.1f}" for s, c, _ in rows.get((seed, condition), []))
        if line:
            out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="1.6"{dash}/>')
    others = " ".join(f"{x(s):.1f},{y(o):.1f}" for s, _, o in rows.get((seed, "rewarded"), []))
    out.append(f'<polyline points="{others}" fill="none" stroke="#999" stroke-width="1"/>')
    out.append(f'<line x1="{W-R+12}" y1="{T+14+18*i}" x2="{W-R+36}" y2="{T+14+18*i}" stroke="{color}" stroke-width="2"/>')
    out.append(f'<text x="{W-R+42}" y="{T+18+18*i}">seed {seed}</text>')
n = len(seeds)
legend = [("solid: chosen, rewarded", ""), ("dashed: chosen, control", ""), ("grey: mean of the others", "")]
for j, (text, _) in enumerate(legend):
    out.append(f'<text x="{W-R+12}" y="{T+34+18*(n+j)}">{text}</text>')
out.append("</svg>")
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("\n".join(out) + "\n")
import os
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
