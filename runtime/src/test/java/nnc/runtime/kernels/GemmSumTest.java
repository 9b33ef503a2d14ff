package nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link GemmSum} against a plain loop in double for every flag combination, over shapes that
 * exercise each tile (4x3, 2x3, 1x3, 4x1, 1x1), the scalar k tail, several batch blocks, and
 * operand strides with padding between batch entries.
 */
class GemmSumTest {
  private static final int[][] SHAPES = {
    // batch, m, n, k
    {1, 1, 1, 1}, {3, 6, 25, 17}, {13, 6, 25, 784}, {5, 16, 150, 100}, {4, 7, 11, 33}, {2, 9, 4, 64}, {6, 3, 2, 5}, {64, 2, 3, 20},
    // m of one or two vectors (the column form) on 512-, 256- and 128-bit vectors
    {3, 32, 13, 7}, {4, 16, 9, 5}, {2, 8, 11, 3}, {3, 4, 17, 6}, {2, 16, 8, 1}
  };

  @Test
  void matchesTheLoopForEveryLayoutTileTailAndBlock() {
    SplittableRandom r = new SplittableRandom(5);
    for (int[] s : SHAPES) {
      int batch = s[0], m = s[1], n = s[2], k = s[3];
      int as = m * k + 3, bs = k * n + 1; // padding between entries: strides are honoured, not assumed
      for (int flags = 0; flags < 8; flags++) {
        float alpha = (flags & Gemm.ACCUMULATE) != 0 ? -0.5f : 1f;
        float[] a = random(r, 2 + batch * as), b = random(r, 4 + batch * bs), c = random(r, 1 + m * n + 3);
        float[] want = c.clone();
        reference(a, 2, as, b, 4, bs, want, 1, batch, m, n, k, flags, alpha);
        GemmSum.gemmSum(a, 2, as, b, 4, bs, c, 1, batch, m, n, k, flags, alpha);
        for (int i = 0; i < c.length; i++) {
          double tol = 1e-5 * (batch * k + 1) + 1e-5 * Math.abs(want[i]);
          assertEquals(want[i], c[i], tol, "batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " flags=" + flags + " at " + i);
        }
      }
    }
  }

  /** A zero-stride operand is the same matrix for every batch entry (a broadcast weight). */
  @Test
  void aZeroStrideOperandIsSharedByEveryEntry() {
    SplittableRandom r = new SplittableRandom(9);
    int batch = 7, m = 5, n = 6, k = 40;
    float[] a = random(r, m * k), b = random(r, batch * n * k), c = new float[m * n], want = new float[m * n];
    reference(a, 0, 0, b, 0, n * k, want, 0, batch, m, n, k, Gemm.TRANS_B, 1f);
    GemmSum.gemmSum(a, 0, 0, b, 0, n * k, c, 0, batch, m, n, k, Gemm.TRANS_B, 1f);
    for (int i = 0; i < c.length; i++) assertEquals(want[i], c[i], 1e-3, "at " + i);
  }

  /**
   * Each element is computed by the same operations whichever tile computes it: a product's
   * sub-block (a different tiling of the same elements) gives the same bits.
   */
  @Test
  void elementsDoNotDependOnTheirTile() {
    SplittableRandom r = new SplittableRandom(3);
    int batch = 9, m = 7, n = 8, k = 37;
    float[] a = random(r, batch * m * k), b = random(r, batch * n * k), whole = new float[m * n];
    GemmSum.gemmSum(a, 0, m * k, b, 0, n * k, whole, 0, batch, m, n, k, Gemm.TRANS_B, 1f);
    // Row 5 alone (a 1-row product: 1x3 and 1x1 tiles instead of 4x3 and 2x3).
    float[] row = new float[n];
    GemmSum.gemmSum(a, 5 * k, m * k, b, 0, n * k, row, 0, batch, 1, n, k, Gemm.TRANS_B, 1f);
    assertArrayEquals(java.util.Arrays.copyOfRange(whole, 5 * n, 6 * n), row);
  }

  /** The column form (m of one vector): a column computed alone (1-column tile) equals its place in an 8-column tile. */
  @Test
  void columnsDoNotDependOnTheirTile() {
    SplittableRandom r = new SplittableRandom(4);
    int m = Gemm.L, batch = 5, n = 9, k = 23;
    float[] a = random(r, batch * m * k), b = random(r, batch * n * k), whole = new float[m * n];
    GemmSum.gemmSum(a, 0, m * k, b, 0, n * k, whole, 0, batch, m, n, k, Gemm.TRANS_B, 1f);
    for (int j : new int[] {0, 3, 8}) {
      float[] one = new float[m];
      GemmSum.gemmSum(a, 0, m * k, b, j * k, n * k, one, 0, batch, m, 1, k, Gemm.TRANS_B, 1f);
      for (int i = 0; i < m; i++) assertEquals(whole[i * n + j], one[i], 0f, "column " + j + " row " + i);
    }
  }

  @Test
  void anEmptyBatchGivesZerosOrLeavesAnAccumulatedResult() {
    float[] c = {1, 2, 3, 4};
    GemmSum.gemmSum(new float[0], 0, 0, new float[0], 0, 0, c, 0, 0, 2, 2, 3, Gemm.TRANS_B | Gemm.ACCUMULATE, 1f);
    assertArrayEquals(new float[] {1, 2, 3, 4}, c);
    GemmSum.gemmSum(new float[0], 0, 0, new float[0], 0, 0, c, 0, 0, 2, 2, 3, Gemm.TRANS_B, 1f);
    assertArrayEquals(new float[4], c);
  }

  private static void reference(float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int batch, int m, int n, int k,
      int flags, float alpha) {
    boolean ta = (flags & Gemm.TRANS_A) != 0, tb = (flags & Gemm.TRANS_B) != 0, acc = (flags & Gemm.ACCUMULATE) != 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int t = 0; t < batch; t++) {
          for (int p = 0; p < k; p++) {
            s += (double) a[ao + t * as + (ta ? p * m + i : i * k + p)] * b[bo + t * bs + (tb ? j * k + p : p * n + j)];
          }
        }
        c[co + i * n + j] = (float) (acc ? c[co + i * n + j] + alpha * s : alpha * s);
      }
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }
}
