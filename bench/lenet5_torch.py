#!/usr/bin/python3
"""samples/lenet5.nn in PyTorch on one thread: the peer figure for nnc's LeNet-5 training step.

The same network (28x28 input zero-padded to 32x32, conv 5x5 1->6, ReLU, 2x2 max pool, conv 5x5
6->16, ReLU, 2x2 max pool, 400-120-84-10, cross-entropy, Adam lr 0.002) on random inputs of the
model's shapes (timing only, as `nnc bench` uses). After a warm-up, RUNS windows of SECONDS/RUNS:
per window, training steps per second by the wall clock and by the process's CPU time (on a
loaded machine the CPU-time figure leaves out the time other processes ran; compare it with
`nnc profile`'s CPU-time sum). Prints one JSON object.

Usage: /usr/bin/python3 bench/lenet5_torch.py [--batch 64] [--seconds 6] [--runs 7] [--warmup 2]
"""
import argparse
import json
import os
import statistics
import time

# One thread, fixed before torch loads its BLAS (see bench/torch_bench.py for the OpenBLAS core type).
os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class LeNet5(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 5)
        self.c3 = torch.nn.Conv2d(6, 16, 5)
        self.f5 = torch.nn.Linear(400, 120)
        self.f6 = torch.nn.Linear(120, 84)
        self.f7 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = F.pad(x.view(-1, 1, 28, 28), (2, 2, 2, 2))
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = F.relu(self.f5(x.flatten(1)))
        x = F.relu(self.f6(x))
        return self.f7(x)


def stat(values):
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2), "runs": len(values)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--warmup", type=float, default=2)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = LeNet5()
    opt = torch.optim.Adam(net.parameters(), lr=0.002, foreach=False)
    x = torch.rand(a.batch, 784)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        opt.step()

    end = time.perf_counter() + a.warmup
    while time.perf_counter() < end:
        step()
    wall, cpu = [], []
    for _ in range(a.runs):
        w0, c0, n = time.perf_counter(), time.process_time(), 0
        while time.perf_counter() - w0 < a.seconds / a.runs:
            step()
            n += 1
        wall.append(n / (time.perf_counter() - w0))
        cpu.append(n / (time.process_time() - c0))
    print(json.dumps({"model": "lenet5", "batch": a.batch, "threads": 1, "torch": torch.__version__,
                      "train_steps_per_s": stat(wall), "train_steps_per_cpu_s": stat(cpu),
                      "cpu_ms_per_step": round(1e3 / statistics.median(cpu), 3)}))


if __name__ == "__main__":
    main()
