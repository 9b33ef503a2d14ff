package nnc.runtime.kernels;

import static nnc.runtime.kernels.Gemm.L;
import static nnc.runtime.kernels.Gemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * A sum of matrix products over a batch, {@code C (+)= alpha * sum_t op(A_t) op(B_t)}, with
 * {@code A_t} at {@code ao + t * aStride} and {@code B_t} at {@code bo + t * bStride} in the
 * layouts of {@link Gemm}. It is the weight gradient of a convolution: {@code dW = sum over the
 * batch of G_t cols_t^T}, with G {@code [B, O, L]} and the unfolded input {@code [B, K, L]} both
 * contiguous in the position axis L, so with {@link Gemm#TRANS_B} and no {@link Gemm#TRANS_A}.
 *
 * <p>In that case every element of C is one long dot product over (t, position): a tile of 4 x 3
 * elements keeps twelve lane accumulators across all batch entries and sums across lanes once
 * at the end. Calling {@link Gemm} per batch entry instead sums lanes (and pays a call, and for
 * short rows a scalar tail) once per element per entry, and stores a {@code [B, M, N]}
 * intermediate to be summed: measured about 15x slower on LeNet-5's second convolution.
 *
 * <p><b>Determinism.</b> Each element is computed by the same operations whatever tile computes
 * it: lane-wise fmas over t, then over the whole vectors of k, in increasing order; a sum of the
 * lanes in lane order; then the scalar k tails (see {@link #tail}). Other flag
 * combinations call {@link Gemm} once per batch entry, accumulating.
 */
public final class GemmSum {
  private GemmSum() {}

  /** The lane accumulators of every element of C, per thread (grown, never shrunk). */
  private static final ThreadLocal<float[][]> LANES = ThreadLocal.withInitial(() -> new float[1][0]);

  /** {@code C (+)= alpha * sum_{t < batch} op(A_t) op(B_t)}; {@code flags} as {@link Gemm#gemm}'s. */
  public static void gemmSum(float[] a, int ao, int aStride, float[] b, int bo, int bStride, float[] c, int co, int batch,
      int m, int n, int k, int flags, float alpha) {
    if (m <= 0 || n <= 0) return;
    boolean acc = (flags & Gemm.ACCUMULATE) != 0;
    if (batch <= 0 || k <= 0) {
      if (!acc) java.util.Arrays.fill(c, co, co + m * n, 0f);
      return;
    }
    if ((flags & (Gemm.TRANS_A | Gemm.TRANS_B)) != Gemm.TRANS_B) {
      for (int t = 0; t < batch; t++) {
        int f = t == 0 ? flags : flags | Gemm.ACCUMULATE;
        Gemm.gemm(a, ao + t * aStride, b, bo + t * bStride, c, co, m, n, k, f, alpha);
      }
      return;
    }
    if (m == L || m == 2 * L) {
      columns(a, ao, aStride, b, bo, bStride, c, co, batch, m, n, k, alpha, acc);
      return;
    }
    int kv = S.loopBound(k);
    // Lane accumulators of every element of C, carried from one block of batch entries to the
    // next: a block's operands fit in L2, and each tile re-reads them from there instead of
    // streaming all batch entries once per tile. Splitting the t loop this way leaves each lane's
    // sequence of fmas unchanged.
    float[] lanes = lanes(m * n * L);
    java.util.Arrays.fill(lanes, 0, m * n * L, 0f);
    int block = Math.max(1, BLOCK_FLOATS / ((m + n) * k));
    for (int t0 = 0; t0 < batch; t0 += block) {
      int t1 = Math.min(batch, t0 + block);
      int j = 0;
      for (; j + 3 <= n; j += 3) {
        int i = 0;
        for (; i + 4 <= m; i += 4) tile4x3(a, ao + i * k, aStride, b, bo + j * k, bStride, t0, t1, k, kv, lanes, (i * n + j) * L, n * L);
        for (; i + 2 <= m; i += 2) tile2x3(a, ao + i * k, aStride, b, bo + j * k, bStride, t0, t1, k, kv, lanes, (i * n + j) * L, n * L);
        for (; i < m; i++) tile1x3(a, ao + i * k, aStride, b, bo + j * k, bStride, t0, t1, k, kv, lanes, (i * n + j) * L);
      }
      for (; j < n; j++) {
        int i = 0;
        for (; i + 4 <= m; i += 4) tile4x1(a, ao + i * k, aStride, b, bo + j * k, bStride, t0, t1, k, kv, lanes, (i * n + j) * L, n * L);
        for (; i < m; i++) tile1x1(a, ao + i * k, aStride, b, bo + j * k, bStride, t0, t1, k, kv, lanes, (i * n + j) * L);
      }
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = tail(a, ao + i * k, aStride, b, bo + j * k, bStride, batch, k, kv, sum(lanes, i * n + j));
        Gemm.put(c, co + i * n + j, s, alpha, acc);
      }
    }
  }

  /** Rows of C^T per tile of the column form: eight accumulators for m = L, four pairs for m = 2L. */
  private static final int COLUMN_ROWS = 8;

  /**
   * The column form, for m of one or two vectors (a convolution with 16 or 32 output channels):
   * {@code C^T[j, :] = sum over (t, p) of B_t[j, p] * A_t[:, p]}. Each batch entry's A is
   * transposed once into a scratch array so that its columns are vectors; a tile of
   * {@link #COLUMN_ROWS} columns of C then keeps its accumulators in registers across every t and
   * p (no lane sums, no k tail), each step one vector load of A^T and one broadcast per column.
   * Element (i, j) is one fma chain in lane i mod L over (t, p) in increasing order, whichever
   * tile computes it.
   */
  private static void columns(float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int batch, int m, int n, int k,
      float alpha, boolean acc) {
    float[] at = transposed(batch * k * m);
    for (int t = 0; t < batch; t++) {
      for (int i = 0, from = ao + t * as; i < m; i++, from += k) {
        for (int p = 0, to = t * k * m + i; p < k; p++, to += m) at[to] = a[from + p];
      }
    }
    float[] lanes = lanes(COLUMN_ROWS * m);
    int j = 0;
    for (; j + COLUMN_ROWS <= n; j += COLUMN_ROWS) {
      if (m == L) columns8x1(at, b, bo + j * k, bs, batch, k, lanes);
      else columns4x2(at, b, bo + j * k, bs, batch, k, lanes, 0);
      if (m != L) columns4x2(at, b, bo + (j + 4) * k, bs, batch, k, lanes, 4 * m);
      write(c, co, n, m, j, COLUMN_ROWS, lanes, alpha, acc);
    }
    for (; j < n; j++) {
      columns1(at, b, bo + j * k, bs, batch, k, m, lanes);
      write(c, co, n, m, j, 1, lanes, alpha, acc);
    }
  }

  /** C[i, j + r] from lanes[r * m + i]: the tile's columns written back into row-major C. */
  private static void write(float[] c, int co, int n, int m, int j, int cols, float[] lanes, float alpha, boolean acc) {
    for (int r = 0; r < cols; r++) for (int i = 0; i < m; i++) Gemm.put(c, co + i * n + j + r, lanes[r * m + i], alpha, acc);
  }

  private static void columns8x1(float[] at, float[] b, int bj, int bs, int batch, int k, float[] lanes) {
    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (int t = 0; t < batch; t++) {
      int b0 = bj + t * bs, x = t * k * L;
      for (int p = 0; p < k; p++, x += L) {
        FloatVector v = FloatVector.fromArray(S, at, x);
        s0 = v.fma(FloatVector.broadcast(S, b[b0 + p]), s0);
        s1 = v.fma(FloatVector.broadcast(S, b[b0 + k + p]), s1);
        s2 = v.fma(FloatVector.broadcast(S, b[b0 + 2 * k + p]), s2);
        s3 = v.fma(FloatVector.broadcast(S, b[b0 + 3 * k + p]), s3);
        s4 = v.fma(FloatVector.broadcast(S, b[b0 + 4 * k + p]), s4);
        s5 = v.fma(FloatVector.broadcast(S, b[b0 + 5 * k + p]), s5);
        s6 = v.fma(FloatVector.broadcast(S, b[b0 + 6 * k + p]), s6);
        s7 = v.fma(FloatVector.broadcast(S, b[b0 + 7 * k + p]), s7);
      }
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, L);
    s2.intoArray(lanes, 2 * L);
    s3.intoArray(lanes, 3 * L);
    s4.intoArray(lanes, 4 * L);
    s5.intoArray(lanes, 5 * L);
    s6.intoArray(lanes, 6 * L);
    s7.intoArray(lanes, 7 * L);
  }

  /** Four columns of C for m = 2L, spilled at {@code lo}. */
  private static void columns4x2(float[] at, float[] b, int bj, int bs, int batch, int k, float[] lanes, int lo) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
    for (int t = 0; t < batch; t++) {
      int b0 = bj + t * bs, x = t * k * 2 * L;
      for (int p = 0; p < k; p++, x += 2 * L) {
        FloatVector v0 = FloatVector.fromArray(S, at, x), v1 = FloatVector.fromArray(S, at, x + L);
        float y0 = b[b0 + p], y1 = b[b0 + k + p], y2 = b[b0 + 2 * k + p], y3 = b[b0 + 3 * k + p];
        // (broadcasts of four elements of four columns' rows of B)
        s00 = v0.fma(FloatVector.broadcast(S, y0), s00);
        s01 = v1.fma(FloatVector.broadcast(S, y0), s01);
        s10 = v0.fma(FloatVector.broadcast(S, y1), s10);
        s11 = v1.fma(FloatVector.broadcast(S, y1), s11);
        s20 = v0.fma(FloatVector.broadcast(S, y2), s20);
        s21 = v1.fma(FloatVector.broadcast(S, y2), s21);
        s30 = v0.fma(FloatVector.broadcast(S, y3), s30);
        s31 = v1.fma(FloatVector.broadcast(S, y3), s31);
      }
    }
    s00.intoArray(lanes, lo);
    s01.intoArray(lanes, lo + L);
    s10.intoArray(lanes, lo + 2 * L);
    s11.intoArray(lanes, lo + 3 * L);
    s20.intoArray(lanes, lo + 4 * L);
    s21.intoArray(lanes, lo + 5 * L);
    s30.intoArray(lanes, lo + 6 * L);
    s31.intoArray(lanes, lo + 7 * L);
  }

  /** One column of C (m = L or 2L) with the same fma chains as the tiles. */
  private static void columns1(float[] at, float[] b, int bj, int bs, int batch, int k, int m, float[] lanes) {
    for (int h = 0; h < m; h += L) {
      FloatVector s = FloatVector.zero(S);
      for (int t = 0; t < batch; t++) {
        int b0 = bj + t * bs, x = t * k * m + h;
        for (int p = 0; p < k; p++, x += m) s = FloatVector.fromArray(S, at, x).fma(FloatVector.broadcast(S, b[b0 + p]), s);
      }
      s.intoArray(lanes, h);
    }
  }

  /** The transposed copies of A, per thread (grown, never shrunk). */
  private static final ThreadLocal<float[][]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[1][0]);

  private static float[] transposed(int size) {
    float[][] holder = TRANSPOSED.get();
    if (holder[0].length < size) holder[0] = new float[size];
    return holder[0];
  }

  /** Floats of A and B per block of batch entries: about half of a 1 MB L2. */
  private static final int BLOCK_FLOATS = 1 << 17;

  private static float[] lanes(int size) {
    float[][] holder = LANES.get();
    if (holder[0].length < size) holder[0] = new float[size];
    return holder[0];
  }

  /** Twelve dot products over batch entries [t0, t1), accumulated into the lanes at {@code l} (rows {@code ldl} apart). */
  private static void tile4x3(float[] a, int ai, int as, float[] b, int bj, int bs, int t0, int t1, int k, int kv, float[] lanes, int l, int ldl) {
    int l1 = l + ldl, l2 = l1 + ldl, l3 = l2 + ldl;
    FloatVector s00 = FloatVector.fromArray(S, lanes, l), s01 = FloatVector.fromArray(S, lanes, l + L), s02 = FloatVector.fromArray(S, lanes, l + 2 * L);
    FloatVector s10 = FloatVector.fromArray(S, lanes, l1), s11 = FloatVector.fromArray(S, lanes, l1 + L), s12 = FloatVector.fromArray(S, lanes, l1 + 2 * L);
    FloatVector s20 = FloatVector.fromArray(S, lanes, l2), s21 = FloatVector.fromArray(S, lanes, l2 + L), s22 = FloatVector.fromArray(S, lanes, l2 + 2 * L);
    FloatVector s30 = FloatVector.fromArray(S, lanes, l3), s31 = FloatVector.fromArray(S, lanes, l3 + L), s32 = FloatVector.fromArray(S, lanes, l3 + 2 * L);
    for (int t = t0; t < t1; t++) {
      int a0 = ai + t * as, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      int b0 = bj + t * bs, b1 = b0 + k, b2 = b1 + k;
      for (int p = 0; p < kv; p += L) {
        FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
        FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
        FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
        FloatVector x = FloatVector.fromArray(S, a, a0 + p);
        s00 = y0.fma(x, s00);
        s01 = y1.fma(x, s01);
        s02 = y2.fma(x, s02);
        x = FloatVector.fromArray(S, a, a1 + p);
        s10 = y0.fma(x, s10);
        s11 = y1.fma(x, s11);
        s12 = y2.fma(x, s12);
        x = FloatVector.fromArray(S, a, a2 + p);
        s20 = y0.fma(x, s20);
        s21 = y1.fma(x, s21);
        s22 = y2.fma(x, s22);
        x = FloatVector.fromArray(S, a, a3 + p);
        s30 = y0.fma(x, s30);
        s31 = y1.fma(x, s31);
        s32 = y2.fma(x, s32);
      }
    }
    s00.intoArray(lanes, l);
    s01.intoArray(lanes, l + L);
    s02.intoArray(lanes, l + 2 * L);
    s10.intoArray(lanes, l1);
    s11.intoArray(lanes, l1 + L);
    s12.intoArray(lanes, l1 + 2 * L);
    s20.intoArray(lanes, l2);
    s21.intoArray(lanes, l2 + L);
    s22.intoArray(lanes, l2 + 2 * L);
    s30.intoArray(lanes, l3);
    s31.intoArray(lanes, l3 + L);
    s32.intoArray(lanes, l3 + 2 * L);
  }

  private static void tile2x3(float[] a, int ai, int as, float[] b, int bj, int bs, int t0, int t1, int k, int kv, float[] lanes, int l, int ldl) {
    int l1 = l + ldl;
    FloatVector s00 = FloatVector.fromArray(S, lanes, l), s01 = FloatVector.fromArray(S, lanes, l + L), s02 = FloatVector.fromArray(S, lanes, l + 2 * L);
    FloatVector s10 = FloatVector.fromArray(S, lanes, l1), s11 = FloatVector.fromArray(S, lanes, l1 + L), s12 = FloatVector.fromArray(S, lanes, l1 + 2 * L);
    for (int t = t0; t < t1; t++) {
      int a0 = ai + t * as, a1 = a0 + k;
      int b0 = bj + t * bs, b1 = b0 + k, b2 = b1 + k;
      for (int p = 0; p < kv; p += L) {
        FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
        FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
        FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
        FloatVector x = FloatVector.fromArray(S, a, a0 + p);
        s00 = y0.fma(x, s00);
        s01 = y1.fma(x, s01);
        s02 = y2.fma(x, s02);
        x = FloatVector.fromArray(S, a, a1 + p);
        s10 = y0.fma(x, s10);
        s11 = y1.fma(x, s11);
        s12 = y2.fma(x, s12);
      }
    }
    s00.intoArray(lanes, l);
    s01.intoArray(lanes, l + L);
    s02.intoArray(lanes, l + 2 * L);
    s10.intoArray(lanes, l1);
    s11.intoArray(lanes, l1 + L);
    s12.intoArray(lanes, l1 + 2 * L);
  }

  private static void tile1x3(float[] a, int ai, int as, float[] b, int bj, int bs, int t0, int t1, int k, int kv, float[] lanes, int l) {
    FloatVector s00 = FloatVector.fromArray(S, lanes, l), s01 = FloatVector.fromArray(S, lanes, l + L), s02 = FloatVector.fromArray(S, lanes, l + 2 * L);
    for (int t = t0; t < t1; t++) {
      int a0 = ai + t * as;
      int b0 = bj + t * bs, b1 = b0 + k, b2 = b1 + k;
      for (int p = 0; p < kv; p += L) {
        FloatVector x = FloatVector.fromArray(S, a, a0 + p);
        s00 = FloatVector.fromArray(S, b, b0 + p).fma(x, s00);
        s01 = FloatVector.fromArray(S, b, b1 + p).fma(x, s01);
        s02 = FloatVector.fromArray(S, b, b2 + p).fma(x, s02);
      }
    }
    s00.intoArray(lanes, l);
    s01.intoArray(lanes, l + L);
    s02.intoArray(lanes, l + 2 * L);
  }

  private static void tile4x1(float[] a, int ai, int as, float[] b, int bj, int bs, int t0, int t1, int k, int kv, float[] lanes, int l, int ldl) {
    int l1 = l + ldl, l2 = l1 + ldl, l3 = l2 + ldl;
    FloatVector s0 = FloatVector.fromArray(S, lanes, l), s1 = FloatVector.fromArray(S, lanes, l1);
    FloatVector s2 = FloatVector.fromArray(S, lanes, l2), s3 = FloatVector.fromArray(S, lanes, l3);
    for (int t = t0; t < t1; t++) {
      int a0 = ai + t * as, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      int b0 = bj + t * bs;
      for (int p = 0; p < kv; p += L) {
        FloatVector y = FloatVector.fromArray(S, b, b0 + p);
        s0 = y.fma(FloatVector.fromArray(S, a, a0 + p), s0);
        s1 = y.fma(FloatVector.fromArray(S, a, a1 + p), s1);
        s2 = y.fma(FloatVector.fromArray(S, a, a2 + p), s2);
        s3 = y.fma(FloatVector.fromArray(S, a, a3 + p), s3);
      }
    }
    s0.intoArray(lanes, l);
    s1.intoArray(lanes, l1);
    s2.intoArray(lanes, l2);
    s3.intoArray(lanes, l3);
  }

  private static void tile1x1(float[] a, int ai, int as, float[] b, int bj, int bs, int t0, int t1, int k, int kv, float[] lanes, int l) {
    FloatVector s = FloatVector.fromArray(S, lanes, l);
    for (int t = t0; t < t1; t++) {
      int a0 = ai + t * as, b0 = bj + t * bs;
      for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, b, b0 + p).fma(FloatVector.fromArray(S, a, a0 + p), s);
    }
    s.intoArray(lanes, l);
  }

  /** The lanes of element {@code which}'s accumulator, summed in lane order. */
  private static float sum(float[] lanes, int which) {
    float s = 0;
    for (int l = which * L, end = l + L; l < end; l++) s += lanes[l];
    return s;
  }

  /**
   * Adds the scalar k tails [kv, k) of every batch entry to a reduced sum: four partial sums over
   * t mod 4 (four independent fma chains rather than one of batch x (k - kv) latencies),
   * combined in a fixed order.
   */
  private static float tail(float[] a, int ai, int as, float[] b, int bj, int bs, int batch, int k, int kv, float s) {
    if (kv == k) return s;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int t = 0;
    for (; t + 4 <= batch; t += 4) {
      int a0 = ai + t * as, b0 = bj + t * bs;
      for (int p = kv; p < k; p++) {
        s0 = Math.fma(b[b0 + p], a[a0 + p], s0);
        s1 = Math.fma(b[b0 + bs + p], a[a0 + as + p], s1);
        s2 = Math.fma(b[b0 + 2 * bs + p], a[a0 + 2 * as + p], s2);
        s3 = Math.fma(b[b0 + 3 * bs + p], a[a0 + 3 * as + p], s3);
      }
    }
    for (; t < batch; t++) {
      int a0 = ai + t * as, b0 = bj + t * bs;
      for (int p = kv; p < k; p++) s0 = Math.fma(b[b0 + p], a[a0 + p], s0);
    }
    return s + ((s0 + s1) + (s2 + s3));
  }
}
