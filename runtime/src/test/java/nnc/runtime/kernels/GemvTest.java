package nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batch-1 kernels of {@link Gemv} give bit for bit what {@link Gemm}'s multi-row forms give
 * for the same row (so results do not depend on the batch size a row arrives in), and
 * {@link Gemm#gemm} takes them for one-row products.
 */
class GemvTest {
  private static final int[] NS = {1, 3, 10, 15, 16, 17, 33, 48, 64, 100, 500};
  private static final int[] KS = {1, 3, 4, 5, 7, 63, 64, 65, 130, 500, 784};

  @Test
  void aSingleRowEqualsThatRowOfATwoRowProductBitForBit() {
    SplittableRandom r = new SplittableRandom(5);
    int checked = 0;
    for (int n : NS) {
      for (int k : KS) {
        for (int flags : new int[] {0, Gemm.TRANS_A, Gemm.ACCUMULATE, Gemm.TRANS_A | Gemm.ACCUMULATE}) {
          float alpha = (flags & Gemm.ACCUMULATE) != 0 ? -0.25f : 0.5f;
          float[] a = random(r, k), b = random(r, 3 + k * n), c0 = random(r, n);
          // Two copies of the row, laid out [2, K] or (TRANS_A) [K, 2]; the product must not take the one-row path.
          float[] a2 = new float[2 * k];
          for (int p = 0; p < k; p++) {
            if ((flags & Gemm.TRANS_A) != 0) a2[2 * p] = a2[2 * p + 1] = a[p];
            else a2[p] = a2[k + p] = a[p];
          }
          float[] c2 = new float[2 * n];
          System.arraycopy(c0, 0, c2, 0, n);
          System.arraycopy(c0, 0, c2, n, n);
          Gemm.gemm(a2, 0, b, 3, c2, 0, 2, n, k, flags, alpha);

          float[] c1 = Arrays.copyOf(c0, n + 2);
          boolean taken = Gemv.gemv(a, 0, b, 3, c1, 0, n, k, flags, alpha, (flags & Gemm.TRANS_A) == 0 && k >= Gemm.DOT_MIN_K);
          float[] viaGemm = Arrays.copyOf(c0, n + 2);
          Gemm.gemm(a, 0, b, 3, viaGemm, 0, 1, n, k, flags, alpha);
          String what = "n=" + n + " k=" + k + " flags=" + flags;
          assertArrayEquals(Arrays.copyOf(c2, n), Arrays.copyOf(viaGemm, n), what + " (Gemm, one row)");
          assertEquals(0f, viaGemm[n]);
          assertEquals(0f, viaGemm[n + 1], what + ": wrote past the row");
          if (taken) {
            assertArrayEquals(Arrays.copyOf(c2, n), Arrays.copyOf(c1, n), what + " (Gemv)");
            checked++;
          }
        }
      }
    }
    // Every wide shape (n >= one vector) and every narrow one with a long k went through Gemv.
    assertTrue(checked > NS.length * KS.length * 2, "Gemv handled only " + checked + " products");
  }

  @Test
  void twoThreadsSplitTheColumnsAndGiveBitIdenticalRows() {
    SplittableRandom r = new SplittableRandom(13);
    try (Workers w = new Workers(2)) {
      for (int n : new int[] {500, 512, 300, 1024}) {
        for (int flags : new int[] {0, Gemm.ACCUMULATE}) {
          int k = 784;
          float[] a = random(r, k), b = random(r, k * n), c1 = random(r, n);
          float[] c2 = (flags & Gemm.ACCUMULATE) != 0 ? c1.clone() : new float[n];
          // Without accumulation every column must be written by some share (NaN would stay).
          if ((flags & Gemm.ACCUMULATE) == 0) Arrays.fill(c2, Float.NaN);
          Gemm.gemm(a, 0, b, 0, c1, 0, 1, n, k, flags, 0.5f);
          Workers old = Workers.bind(w);
          try {
            Gemm.gemm(a, 0, b, 0, c2, 0, 1, n, k, flags, 0.5f);
          } finally {
            Workers.bind(old);
          }
          assertArrayEquals(c1, c2, "n=" + n + " flags=" + flags);
        }
      }
    }
  }

  @Test
  void transposedWeightsAndNarrowShortProductsAreLeftToGemm() {
    float[] a = new float[64], b = new float[64 * 64], c = new float[64];
    assertFalse(Gemv.gemv(a, 0, b, 0, c, 0, 64, 64, Gemm.TRANS_B, 1f, true));
    assertFalse(Gemv.gemv(a, 0, b, 0, c, 0, 3, 5, 0, 1f, false));
  }

  @Test
  void matchesADoubleReference() {
    SplittableRandom r = new SplittableRandom(9);
    int n = 500, k = 784;
    float[] a = random(r, k), b = random(r, k * n), c = new float[n], want = new float[n];
    GemmTest.reference(a, 0, b, 0, want, 0, 1, n, k, 0, 1f);
    Gemm.gemm(a, 0, b, 0, c, 0, 1, n, k, 0, 1f);
    for (int j = 0; j < n; j++) assertEquals(want[j], c[j], 1e-3, "at " + j);
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }
}
