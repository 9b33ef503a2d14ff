#!/usr/bin/python3
"""OpenBLAS sgemm (through PyTorch's torch.mm, one thread, AVX-512 SkylakeX kernels) on the shapes
of nnc.bench.GemmCpuTime, timed by wall clock and process CPU time, best of 7 rounds. The peer of
the kernel table in docs/performance.md. Run: /usr/bin/python3 bench/openblas_gemm.py"""
import os
import time

os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

torch.set_num_threads(1)
SHAPES = [(1, 500, 784, 0, 0), (8, 500, 784, 0, 0), (64, 500, 784, 0, 0), (256, 500, 784, 0, 0),
          (784, 500, 8, 1, 0), (784, 500, 64, 1, 0), (784, 500, 256, 1, 0),
          (8, 784, 500, 0, 1), (64, 784, 500, 0, 1), (256, 784, 500, 0, 1),
          (64, 10, 500, 0, 0), (500, 10, 64, 1, 0), (64, 500, 10, 0, 1),
          (64, 1024, 1024, 0, 0), (1024, 1024, 64, 1, 0), (64, 1024, 1024, 0, 1)]
for (m, n, k, ta, tb) in SHAPES:
    a = torch.full((k, m), 0.01).t() if ta else torch.full((m, k), 0.01)
    b = torch.full((n, k), 0.02).t() if tb else torch.full((k, n), 0.02)
    c = torch.zeros(m, n)
    flops = 2.0 * m * n * k
    reps = max(10, int(2e9 / flops))
    wall = cpu = 1e9
    for _ in range(7):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            if ta:  # the SGD-fused weight gradient accumulates: C += alpha A^T B
                c.addmm_(a, b, alpha=-1e-3)
            else:
                torch.mm(a, b, out=c)
        wall = min(wall, (time.perf_counter() - w0) / reps)
        cpu = min(cpu, (time.process_time() - c0) / reps)
    print(f"m={m:4d} n={n:4d} k={k:4d} transA={ta} transB={tb}  wall {wall*1e6:8.1f} us {flops/wall/1e9:6.1f} GFLOP/s  "
          f"cpu {cpu*1e6:8.1f} us {flops/cpu/1e9:6.1f} GFLOP/s")
