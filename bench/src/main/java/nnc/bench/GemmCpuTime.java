package nnc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import nnc.runtime.kernels.Gemm;

/**
 * GFLOP/s of the runtime's GEMM on the products of the benchmark models, one thread, timed by the
 * thread's CPU time as well as the wall clock: on a machine shared with other busy processes the
 * CPU time still says what the kernel does when it runs. Best of 7 rounds. The same shapes and
 * layouts as bench/openblas_gemm.py, for a side-by-side with OpenBLAS.
 *
 * <pre>bench/jmh.sh is not needed: java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
 *   --add-modules jdk.incubator.vector nnc.bench.GemmCpuTime</pre>
 */
public final class GemmCpuTime {
  private GemmCpuTime() {}

  /** m, n, k, transA, transB: forward, SGD weight gradient (accumulating), input gradient. */
  static final int[][] SHAPES = {
    {1, 500, 784, 0, 0}, {8, 500, 784, 0, 0}, {64, 500, 784, 0, 0}, {256, 500, 784, 0, 0},
    {784, 500, 8, 1, 0}, {784, 500, 64, 1, 0}, {784, 500, 256, 1, 0},
    {8, 784, 500, 0, 1}, {64, 784, 500, 0, 1}, {256, 784, 500, 0, 1},
    {64, 10, 500, 0, 0}, {500, 10, 64, 1, 0}, {64, 500, 10, 0, 1},
    {64, 1024, 1024, 0, 0}, {1024, 1024, 64, 1, 0}, {64, 1024, 1024, 0, 1},
  };

  public static void main(String[] args) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int[] s : SHAPES) {
      int m = s[0], n = s[1], k = s[2];
      int flags = (s[3] == 1 ? Gemm.TRANS_A | Gemm.ACCUMULATE : 0) | (s[4] == 1 ? Gemm.TRANS_B : 0);
      float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
      Arrays.fill(a, 0.01f);
      Arrays.fill(b, 0.02f);
      double flops = 2.0 * m * n * k;
      int reps = (int) Math.max(10, 2e9 / flops);
      double wall = 1e9, cpu = 1e9;
      for (int round = 0; round < 7; round++) {
        long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
        for (int r = 0; r < reps; r++) Gemm.gemm(a, 0, b, 0, c, 0, m, n, k, flags, (flags & Gemm.ACCUMULATE) != 0 ? -1e-3f : 1f);
        wall = Math.min(wall, (System.nanoTime() - w0) / 1e9 / reps);
        cpu = Math.min(cpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9 / reps);
      }
      System.out.printf(Locale.ROOT, "m=%4d n=%4d k=%4d transA=%d transB=%d  wall %8.1f us %6.1f GFLOP/s  cpu %8.1f us %6.1f GFLOP/s%n",
          m, n, k, s[3], s[4], wall * 1e6, flops / wall / 1e9, cpu * 1e6, flops / cpu / 1e9);
    }
  }
}
