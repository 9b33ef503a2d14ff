#!/usr/bin/env python3
"""Formats the JSON lines of bench/compare.sh as a Markdown table: nnc beside PyTorch, with ratios.

Throughput ratios are nnc / torch (above 1: nnc is faster); the latency ratio is torch / nnc (also
above 1 when nnc is faster). Each cell is a median over measuring windows, with min..max.
"""
import json
import sys


def cell(s, fmt="{:.0f}"):
    if not s:
        return "-"
    return (fmt + " ({}..{})").format(s["median"], fmt.format(s["min"]), fmt.format(s["max"]))


def ratio(a, b):
    return "-" if not a or not b or not b["median"] else "{:.2f}x".format(a["median"] / b["median"])


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    torch = {(r["config"], r["batch"]): r for r in rows if r["side"] == "torch"}
    print("| model | batch | nnc threads | nnc train steps/s | torch train steps/s | train ratio "
          "| nnc infer calls/s | torch infer calls/s | infer ratio | nnc latency us (b=1) | torch latency us (b=1) | latency ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["side"] != "nnc":
            continue
        t = torch.get((r["config"], r["batch"]), {})
        print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["config"], r["batch"], r["threads"],
            cell(r.get("train_steps_per_s")), cell(t.get("train_steps_per_s")), ratio(r.get("train_steps_per_s"), t.get("train_steps_per_s")),
            cell(r.get("infer_steps_per_s")), cell(t.get("infer_steps_per_s")), ratio(r.get("infer_steps_per_s"), t.get("infer_steps_per_s")),
            cell(r.get("latency_us_batch1"), "{:.1f}"), cell(t.get("latency_us_batch1"), "{:.1f}"),
            ratio(t.get("latency_us_batch1"), r.get("latency_us_batch1"))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.jsonl")
