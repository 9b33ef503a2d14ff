package nnc.runtime.kernels;

import static nnc.runtime.kernels.Gemm.COLS;
import static nnc.runtime.kernels.Gemm.L;
import static nnc.runtime.kernels.Gemm.ROWS;
import static nnc.runtime.kernels.Gemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The axpy form of {@link Gemm}: {@code C[i, j..j+w] += A[i, k] * B[k, j..j+w]} for k = 0..K-1,
 * with a tile of C in registers. A(i, k) is {@code a[ao + i * si + k * sk]}, B is {@code [K, N]}
 * at {@code bo}, C is {@code [M, N]} at {@code co}.
 *
 * <p>The micro-kernels are written out by hand, one method per tile shape, each with its
 * accumulators as plain locals and nothing but vector loads, broadcasts and fmas in the k loop:
 * C2 keeps them in registers only when no vector escapes into a helper it might not inline.
 */
final class Axpy {
  private Axpy() {}

  /**
   * Row blocks at least this tall read a column panel of B from a packed copy: contiguous, so the
   * k loop streams it without the cache-set conflicts of a row stride of 4 KB (N = 1024) and with
   * one prefetch stream instead of one per row of B.
   */
  static final int PACK_MIN_ROWS = 16;

  /** The packed column panel of B, per thread (grown, never shrunk). */
  private static final ThreadLocal<float[][]> PANEL = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * Rows [i0, i1), columns [j0, j1) of C. With {@code transB} (B stored {@code [N, K]}) every
   * column panel is packed, transposed, first: the caller ensures the row block is tall enough
   * for that to pay ({@link Gemm}).
   */
  static void range(float[] a, int ao, int si, int sk, float[] b, int bo, boolean transB, float[] c, int co, int n, int k, float alpha, boolean acc, int i0, int i1, int j0, int j1) {
    boolean pack = transB || i1 - i0 >= PACK_MIN_ROWS;
    float[] panel = pack ? panel(k * COLS) : null;
    int j = j0;
    for (; j + COLS <= j1; j += COLS) {
      if (pack) pack(b, bo, transB, n, k, j, COLS, panel);
      float[] pb = pack ? panel : b;
      int pj = pack ? 0 : bo + j, ldb = pack ? COLS : n;
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) tile4x3(a, ao + i * si, si, sk, pb, pj, ldb, c, co + i * n + j, n, k, alpha, acc);
      for (; i < i1; i++) tile1x3(a, ao + i * si, sk, pb, pj, ldb, c, co + i * n + j, k, alpha, acc);
    }
    for (; j + L <= j1; j += L) {
      if (pack) pack(b, bo, transB, n, k, j, L, panel);
      float[] pb = pack ? panel : b;
      int pj = pack ? 0 : bo + j, ldb = pack ? L : n;
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) tile4x1(a, ao + i * si, si, sk, pb, pj, ldb, c, co + i * n + j, n, k, alpha, acc);
      for (; i < i1; i++) tile1x1(a, ao + i * si, sk, pb, pj, ldb, c, co + i * n + j, k, alpha, acc);
    }
    if (j < j1) {
      int w = j1 - j;
      if (pack) pack(b, bo, transB, n, k, j, w, panel);
      scalarColumns(a, ao, si, sk, pack ? panel : b, pack ? 0 : bo + j, pack ? w : n, c, co + j, n, k, alpha, acc, i0, i1, w);
    }
  }

  /** {@code panel[p * w + q] = B(p, j + q)}: w columns of B, contiguous by row of k. */
  private static void pack(float[] b, int bo, boolean transB, int n, int k, int j, int w, float[] panel) {
    if (transB) {
      // k outer: the stores run sequentially and the w rows of B being read stay in L1 (one line
      // each); q outer was measured 1.5-2x slower (every store a new line of a panel beyond L1).
      int from = bo + j * k;
      for (int p = 0, to = 0; p < k; p++) {
        for (int q = 0, at = from + p; q < w; q++, at += k) panel[to++] = b[at];
      }
    } else {
      for (int p = 0, from = bo + j, to = 0; p < k; p++, from += n, to += w) System.arraycopy(b, from, panel, to, w);
    }
  }

  private static float[] panel(int size) {
    float[][] holder = PANEL.get();
    if (holder[0].length < size) holder[0] = new float[size];
    return holder[0];
  }

  /** Four rows by three vectors: twelve accumulators, seven loads per twelve fmas. */
  private static void tile4x3(float[] a, int ai, int si, int sk, float[] b, int bj, int ldb, float[] c, int cij, int ldc, int k, float alpha, boolean acc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00;
    int a0 = ai, a1 = ai + si, a2 = ai + 2 * si, a3 = ai + 3 * si, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
      FloatVector x = FloatVector.broadcast(S, a[a0]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      x = FloatVector.broadcast(S, a[a1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      x = FloatVector.broadcast(S, a[a2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      x = FloatVector.broadcast(S, a[a3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      a0 += sk;
      a1 += sk;
      a2 += sk;
      a3 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    int r0 = cij, r1 = cij + ldc, r2 = cij + 2 * ldc, r3 = cij + 3 * ldc;
    if (acc) {
      c00.fma(al, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
      c01.fma(al, FloatVector.fromArray(S, c, r0 + L)).intoArray(c, r0 + L);
      c02.fma(al, FloatVector.fromArray(S, c, r0 + 2 * L)).intoArray(c, r0 + 2 * L);
      c10.fma(al, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
      c11.fma(al, FloatVector.fromArray(S, c, r1 + L)).intoArray(c, r1 + L);
      c12.fma(al, FloatVector.fromArray(S, c, r1 + 2 * L)).intoArray(c, r1 + 2 * L);
      c20.fma(al, FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
      c21.fma(al, FloatVector.fromArray(S, c, r2 + L)).intoArray(c, r2 + L);
      c22.fma(al, FloatVector.fromArray(S, c, r2 + 2 * L)).intoArray(c, r2 + 2 * L);
      c30.fma(al, FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
      c31.fma(al, FloatVector.fromArray(S, c, r3 + L)).intoArray(c, r3 + L);
      c32.fma(al, FloatVector.fromArray(S, c, r3 + 2 * L)).intoArray(c, r3 + 2 * L);
    } else {
      c00.mul(al).intoArray(c, r0);
      c01.mul(al).intoArray(c, r0 + L);
      c02.mul(al).intoArray(c, r0 + 2 * L);
      c10.mul(al).intoArray(c, r1);
      c11.mul(al).intoArray(c, r1 + L);
      c12.mul(al).intoArray(c, r1 + 2 * L);
      c20.mul(al).intoArray(c, r2);
      c21.mul(al).intoArray(c, r2 + L);
      c22.mul(al).intoArray(c, r2 + 2 * L);
      c30.mul(al).intoArray(c, r3);
      c31.mul(al).intoArray(c, r3 + L);
      c32.mul(al).intoArray(c, r3 + 2 * L);
    }
  }

  /** One row by three vectors (the rows left over below a multiple of four). */
  private static void tile1x3(float[] a, int ai, int sk, float[] b, int bj, int ldb, float[] c, int cij, int k, float alpha, boolean acc) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
    int a0 = ai, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector x = FloatVector.broadcast(S, a[a0]);
      c0 = FloatVector.fromArray(S, b, bk).fma(x, c0);
      c1 = FloatVector.fromArray(S, b, bk + L).fma(x, c1);
      c2 = FloatVector.fromArray(S, b, bk + 2 * L).fma(x, c2);
      a0 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    if (acc) {
      c0.fma(al, FloatVector.fromArray(S, c, cij)).intoArray(c, cij);
      c1.fma(al, FloatVector.fromArray(S, c, cij + L)).intoArray(c, cij + L);
      c2.fma(al, FloatVector.fromArray(S, c, cij + 2 * L)).intoArray(c, cij + 2 * L);
    } else {
      c0.mul(al).intoArray(c, cij);
      c1.mul(al).intoArray(c, cij + L);
      c2.mul(al).intoArray(c, cij + 2 * L);
    }
  }

  /** Four rows by one vector (the columns left over below a multiple of three vectors). */
  private static void tile4x1(float[] a, int ai, int si, int sk, float[] b, int bj, int ldb, float[] c, int cij, int ldc, int k, float alpha, boolean acc) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
    int a0 = ai, a1 = ai + si, a2 = ai + 2 * si, a3 = ai + 3 * si, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector bv = FloatVector.fromArray(S, b, bk);
      c0 = bv.fma(FloatVector.broadcast(S, a[a0]), c0);
      c1 = bv.fma(FloatVector.broadcast(S, a[a1]), c1);
      c2 = bv.fma(FloatVector.broadcast(S, a[a2]), c2);
      c3 = bv.fma(FloatVector.broadcast(S, a[a3]), c3);
      a0 += sk;
      a1 += sk;
      a2 += sk;
      a3 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    int r0 = cij, r1 = cij + ldc, r2 = cij + 2 * ldc, r3 = cij + 3 * ldc;
    if (acc) {
      c0.fma(al, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
      c1.fma(al, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
      c2.fma(al, FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
      c3.fma(al, FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
    } else {
      c0.mul(al).intoArray(c, r0);
      c1.mul(al).intoArray(c, r1);
      c2.mul(al).intoArray(c, r2);
      c3.mul(al).intoArray(c, r3);
    }
  }

  private static void tile1x1(float[] a, int ai, int sk, float[] b, int bj, int ldb, float[] c, int cij, int k, float alpha, boolean acc) {
    FloatVector c0 = FloatVector.zero(S);
    int a0 = ai, bk = bj;
    for (int p = 0; p < k; p++) {
      c0 = FloatVector.fromArray(S, b, bk).fma(FloatVector.broadcast(S, a[a0]), c0);
      a0 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    if (acc) c0.fma(al, FloatVector.fromArray(S, c, cij)).intoArray(c, cij);
    else c0.mul(al).intoArray(c, cij);
  }

  /**
   * The w (< one vector) columns of C at {@code cj}, B's columns at {@code bj} with row stride
   * ldb: scalar fma chains, four rows at a time so that four independent chains hide the fma
   * latency.
   */
  private static void scalarColumns(float[] a, int ao, int si, int sk, float[] b, int bj, int ldb, float[] c, int cj, int n, int k, float alpha, boolean acc, int i0, int i1, int w) {
    for (int q = 0; q < w; q++) {
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int a0 = ao + i * si, bk = bj + q;
        for (int p = 0; p < k; p++) {
          float bv = b[bk];
          s0 = Math.fma(bv, a[a0], s0);
          s1 = Math.fma(bv, a[a0 + si], s1);
          s2 = Math.fma(bv, a[a0 + 2 * si], s2);
          s3 = Math.fma(bv, a[a0 + 3 * si], s3);
          a0 += sk;
          bk += ldb;
        }
        int at = cj + i * n + q;
        Gemm.put(c, at, s0, alpha, acc);
        Gemm.put(c, at + n, s1, alpha, acc);
        Gemm.put(c, at + 2 * n, s2, alpha, acc);
        Gemm.put(c, at + 3 * n, s3, alpha, acc);
      }
      for (; i < i1; i++) {
        float s = 0;
        int a0 = ao + i * si, bk = bj + q;
        for (int p = 0; p < k; p++) {
          s = Math.fma(b[bk], a[a0], s);
          a0 += sk;
          bk += ldb;
        }
        Gemm.put(c, cj + i * n + q, s, alpha, acc);
      }
    }
  }
}
