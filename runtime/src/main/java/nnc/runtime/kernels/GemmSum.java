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
 * lanes in lane order; then fmas over the scalar k tails of each t in increasing t. Other flag
 * combinations call {@link Gemm} once per batch entry, accumulating.
 */
public final class GemmSum {
  private GemmSum() {}

  /** Where a tile's accumulators are spilled to be summed lane by lane (see {@link Dot}). */
  private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[12 * L]);

  private static final int ROWS = 4, COLS = 3;

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
    int kv = S.loopBound(k);
    float[] lanes = LANES.get();
    int j = 0;
    for (; j + COLS <= n; j += COLS) {
      int i = 0;
      for (; i + ROWS <= m; i += ROWS) {
        tile4x3(a, ao + i * k, aStride, b, bo + j * k, bStride, batch, k, kv, lanes);
        for (int r = 0; r < ROWS; r++) {
          for (int q = 0; q < COLS; q++) {
            float s = tail(a, ao + (i + r) * k, aStride, b, bo + (j + q) * k, bStride, batch, k, kv, sum(lanes, r * COLS + q));
            Gemm.put(c, co + (i + r) * n + j + q, s, alpha, acc);
          }
        }
      }
      for (; i < m; i++) for (int q = j; q < j + COLS; q++) one(a, ao + i * k, aStride, b, bo + q * k, bStride, c, co + i * n + q, batch, k, kv, alpha, acc, lanes);
    }
    for (; j < n; j++) for (int i = 0; i < m; i++) one(a, ao + i * k, aStride, b, bo + j * k, bStride, c, co + i * n + j, batch, k, kv, alpha, acc, lanes);
  }

  /** Twelve dot products over all batch entries, spilled to {@code lanes} in row-major tile order. */
  private static void tile4x3(float[] a, int ai, int as, float[] b, int bj, int bs, int batch, int k, int kv, float[] lanes) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00;
    for (int t = 0; t < batch; t++) {
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
    s00.intoArray(lanes, 0 * L);
    s01.intoArray(lanes, 1 * L);
    s02.intoArray(lanes, 2 * L);
    s10.intoArray(lanes, 3 * L);
    s11.intoArray(lanes, 4 * L);
    s12.intoArray(lanes, 5 * L);
    s20.intoArray(lanes, 6 * L);
    s21.intoArray(lanes, 7 * L);
    s22.intoArray(lanes, 8 * L);
    s30.intoArray(lanes, 9 * L);
    s31.intoArray(lanes, 10 * L);
    s32.intoArray(lanes, 11 * L);
  }

  /** One element with the same operations as a tile's. */
  private static void one(float[] a, int ai, int as, float[] b, int bj, int bs, float[] c, int cij, int batch, int k, int kv,
      float alpha, boolean acc, float[] lanes) {
    FloatVector s = FloatVector.zero(S);
    for (int t = 0; t < batch; t++) {
      int a0 = ai + t * as, b0 = bj + t * bs;
      for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, b, b0 + p).fma(FloatVector.fromArray(S, a, a0 + p), s);
    }
    s.intoArray(lanes, 0);
    Gemm.put(c, cij, tail(a, ai, as, b, bj, bs, batch, k, kv, sum(lanes, 0)), alpha, acc);
  }

  /** The lanes of spilled accumulator {@code which}, summed in lane order. */
  private static float sum(float[] lanes, int which) {
    float s = 0;
    for (int l = which * L, end = l + L; l < end; l++) s += lanes[l];
    return s;
  }

  /** Adds the scalar k tails [kv, k) of every batch entry, in increasing t, to a reduced sum. */
  private static float tail(float[] a, int ai, int as, float[] b, int bj, int bs, int batch, int k, int kv, float s) {
    if (kv == k) return s;
    for (int t = 0; t < batch; t++) {
      int a0 = ai + t * as, b0 = bj + t * bs;
      for (int p = kv; p < k; p++) s = Math.fma(b[b0 + p], a[a0 + p], s);
    }
    return s;
  }
}
