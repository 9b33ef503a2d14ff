#!/usr/bin/python3
"""The peer side of bench/compare.sh: the models of bench/models/ in PyTorch, on one thread.

Measures what `nnc bench --json` measures, the same way: after a warm-up, RUNS windows of
SECONDS/RUNS each; per window, training steps per second (zero_grad, forward, cross-entropy,
backward, optimizer step), inference calls per second (no_grad forward + softmax) at the batch,
and the median latency of single batch-1 inference calls. Prints one JSON object with the keys
of nnc's: train_steps_per_s, infer_steps_per_s, latency_us_batch1, each {median, min, max, runs}.

Usage: /usr/bin/python3 bench/torch_bench.py MODEL --batch B [--threads T] [--seconds S] [--runs R]
MODEL is mlp, mlp_wide or mlp_adam (bench/models/MODEL.nn).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def build(name):
    if name in ("mlp", "mlp_adam"):
        net = torch.nn.Sequential(torch.nn.Linear(784, 500), torch.nn.ReLU(), torch.nn.Linear(500, 10))
    elif name == "mlp_wide":
        net = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                                  torch.nn.ReLU(), torch.nn.Linear(1024, 10))
    else:
        raise SystemExit("unknown model " + name)
    if name == "mlp_adam":
        opt = torch.optim.Adam(net.parameters(), lr=0.001, foreach=False)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=0.04 if name == "mlp" else 0.01)
    return net, opt


def stat(values):
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2), "runs": len(values)}


def rates(call, seconds, runs):
    out = []
    window = seconds / runs
    for _ in range(runs):
        start = time.perf_counter()
        n = 0
        while True:
            call()
            n += 1
            now = time.perf_counter()
            if now - start >= window:
                break
        out.append(n / (now - start))
    return out


def latencies(call, seconds, runs):
    out = []
    window = seconds / runs
    for _ in range(runs):
        times = []
        end = time.perf_counter() + window
        while True:
            s = time.perf_counter()
            call()
            e = time.perf_counter()
            times.append(e - s)
            if e >= end:
                break
        out.append(statistics.median(times) * 1e6)
    return out


def warm(call, seconds):
    end = time.perf_counter() + seconds
    while True:
        call()
        if time.perf_counter() >= end:
            break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--warmup", type=float, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net, opt = build(a.model)
    x = torch.rand(a.batch, 784)
    y = torch.randint(0, 10, (a.batch,))
    x1 = torch.rand(1, 784)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    def infer(inp):
        with torch.no_grad():
            return torch.softmax(net(inp), dim=1)

    warm(step, a.warmup)
    train = rates(step, a.seconds, a.runs)
    warm(lambda: infer(x), a.warmup / 2)
    inf = rates(lambda: infer(x), a.seconds, a.runs)
    warm(lambda: infer(x1), a.warmup / 2)
    lat = latencies(lambda: infer(x1), a.seconds, a.runs)
    print(json.dumps({"model": a.model, "batch": a.batch, "threads": a.threads, "torch": torch.__version__,
                      "train_steps_per_s": stat(train), "infer_steps_per_s": stat(inf),
                      "latency_us_batch1": stat(lat)}))


if __name__ == "__main__":
    main()
