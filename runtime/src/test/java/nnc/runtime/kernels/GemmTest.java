package nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every form of {@link Gemm} (axpy, dot, transposed copies, transposed result) against a plain
 * triple loop in double, over shapes that exercise each tile and each tail, and the same products
 * on one and two threads bit for bit.
 */
class GemmTest {
  private static final int[][] SHAPES = {
    {1, 1, 1}, {3, 5, 7}, {8, 500, 784}, {4, 48, 16}, {5, 49, 17}, {64, 10, 500}, {13, 10, 7},
    {784, 500, 8}, {500, 10, 8}, {37, 100, 65}, {2, 3, 130}, {33, 15, 64}, {7, 64, 3},
    // transposed B with a tall C moved as C^T = B A^T (m (k + n) well under n k), tile tails included
    {64, 784, 500}, {40, 300, 200}, {53, 230, 250}
  };

  @Test
  void matchesTheTripleLoopForEveryLayoutAndTail() {
    SplittableRandom r = new SplittableRandom(7);
    for (int[] s : SHAPES) {
      int m = s[0], n = s[1], k = s[2];
      for (int flags = 0; flags < 8; flags++) {
        float alpha = (flags & Gemm.ACCUMULATE) != 0 ? -0.25f : 1f;
        float[] a = random(r, 3 + m * k), b = random(r, 5 + k * n), c = random(r, 2 + m * n + 4);
        float[] want = c.clone();
        reference(a, 3, b, 5, want, 2, m, n, k, flags, alpha);
        Gemm.gemm(a, 3, b, 5, c, 2, m, n, k, flags, alpha);
        for (int i = 0; i < c.length; i++) {
          double tol = 1e-5 * (k + 1) + 1e-5 * Math.abs(want[i]);
          assertEquals(want[i], c[i], tol, "m=" + m + " n=" + n + " k=" + k + " flags=" + flags + " at " + i);
        }
      }
    }
  }

  @Test
  void oneAndTwoThreadsGiveBitIdenticalResults() {
    SplittableRandom r = new SplittableRandom(11);
    try (Workers w = new Workers(2)) {
      for (int[] s : SHAPES) {
        int m = s[0], n = s[1], k = s[2];
        for (int flags = 0; flags < 8; flags++) {
          float[] a = random(r, m * k), b = random(r, k * n), c1 = random(r, m * n), c2 = c1.clone();
          Gemm.gemm(a, 0, b, 0, c1, 0, m, n, k, flags, 0.5f);
          Workers old = Workers.bind(w);
          try {
            Gemm.gemm(a, 0, b, 0, c2, 0, m, n, k, flags, 0.5f);
          } finally {
            Workers.bind(old);
          }
          assertArrayEquals(c1, c2, "m=" + m + " n=" + n + " k=" + k + " flags=" + flags);
        }
      }
    }
  }

  @Test
  void aLargeProductIsReallySplit() {
    // Large enough for the pool: both threads' shares must be written (a share left out would stay NaN).
    int m = 64, n = 512, k = 256;
    SplittableRandom r = new SplittableRandom(3);
    float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n], want = new float[m * n];
    java.util.Arrays.fill(c, Float.NaN);
    reference(a, 0, b, 0, want, 0, m, n, k, 0, 1f);
    try (Workers w = new Workers(2)) {
      Workers old = Workers.bind(w);
      try {
        Gemm.gemm(a, 0, b, 0, c, 0, m, n, k, 0, 1f);
      } finally {
        Workers.bind(old);
      }
    }
    for (int i = 0; i < c.length; i++) assertEquals(want[i], c[i], 1e-3, "at " + i);
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  /** C (+)= alpha op(A) op(B), summed in double. */
  static void reference(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha) {
    boolean ta = (flags & Gemm.TRANS_A) != 0, tb = (flags & Gemm.TRANS_B) != 0, acc = (flags & Gemm.ACCUMULATE) != 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += (double) a[ao + (ta ? p * m + i : i * k + p)] * b[bo + (tb ? j * k + p : p * n + j)];
        }
        int at = co + i * n + j;
        c[at] = (float) (acc ? c[at] + alpha * s : alpha * s);
      }
    }
  }
}
