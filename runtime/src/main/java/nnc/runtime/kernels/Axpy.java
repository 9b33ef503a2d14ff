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
      // Six-row tiles (24 accumulators) where they fit, but eight rows as two fours.
      for (; i1 - i >= 6 && i1 - i != 8; i += 6) tile6x4(a, ao + i * si, si, sk, pb, pj, ldb, c, co + i * n + j, n, k, alpha, acc);
      for (; i + ROWS <= i1; i += ROWS) tile4x4(a, ao + i * si, si, sk, pb, pj, ldb, c, co + i * n + j, n, k, alpha, acc);
      for (; i < i1; i++) tile1x4(a, ao + i * si, sk, pb, pj, ldb, c, co + i * n + j, k, alpha, acc);
    }
    if (j1 - j > L) {
      paddedPanel(a, ao, si, sk, b, bo, transB, c, co, n, k, alpha, acc, i0, i1, j, j1 - j);
      return;
    }
    for (; j + L <= j1; j += L) {
      if (pack) pack(b, bo, transB, n, k, j, L, panel);
      float[] pb = pack ? panel : b;
      int pj = pack ? 0 : bo + j, ldb = pack ? L : n;
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) tile4x1(a, ao + i * si, si, sk, pb, pj, ldb, c, co + i * n + j, n, k, alpha, acc);
      for (; i < i1; i++) tile1x1(a, ao + i * si, sk, pb, pj, ldb, c, co + i * n + j, k, alpha, acc);
    }
    if (j < j1) paddedColumns(a, ao, si, sk, b, bo, transB, c, co, n, k, alpha, acc, i0, i1, j, j1 - j);
  }

  /** A tile's accumulators for the padded tail, per thread. */
  private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[ROWS * L]);

  /** Six rows of a four-vector tile, per thread: the padded panel's results before the real columns are written. */
  private static final ThreadLocal<float[]> WIDE_TAIL = ThreadLocal.withInitial(() -> new float[6 * COLS]);

  /**
   * The last w columns, more than one vector but less than a panel: packed into a full panel
   * width with zero padding and computed by the four-vector tiles into a scratch tile (scale 1,
   * exact accumulators), then the w real columns written with {@link Gemm#put}. One-vector tiles
   * over those columns (four rows: five loads per four fmas) ran at a third of the wide tiles'
   * speed and cost ~17% of a 500-wide product for its last 20 columns; computing up to twice the
   * columns at full speed costs less. Lane q does what a scalar fma chain over column q would.
   */
  private static void paddedPanel(float[] a, int ao, int si, int sk, float[] b, int bo, boolean transB, float[] c, int co, int n, int k, float alpha, boolean acc, int i0, int i1, int j, int w) {
    float[] panel = panel(k * COLS), tile = WIDE_TAIL.get();
    pack(b, bo, transB, n, k, j, w, COLS, panel);
    int i = i0;
    for (; i1 - i >= 6 && i1 - i != 8; i += 6) {
      tile6x4(a, ao + i * si, si, sk, panel, 0, COLS, tile, 0, COLS, k, 1f, false);
      putRows(tile, 6, w, c, co + i * n + j, n, alpha, acc);
    }
    for (; i + ROWS <= i1; i += ROWS) {
      tile4x4(a, ao + i * si, si, sk, panel, 0, COLS, tile, 0, COLS, k, 1f, false);
      putRows(tile, ROWS, w, c, co + i * n + j, n, alpha, acc);
    }
    for (; i < i1; i++) {
      tile1x4(a, ao + i * si, sk, panel, 0, COLS, tile, 0, k, 1f, false);
      putRows(tile, 1, w, c, co + i * n + j, n, alpha, acc);
    }
  }

  /** The first w columns of {@code rows} rows of a scratch tile (row stride {@link Gemm#COLS}) into C. */
  private static void putRows(float[] tile, int rows, int w, float[] c, int cij, int ldc, float alpha, boolean acc) {
    for (int r = 0; r < rows; r++) for (int q = 0; q < w; q++) Gemm.put(c, cij + r * ldc + q, tile[r * COLS + q], alpha, acc);
  }

  /**
   * The last w (< one vector) columns: packed into one vector width with zero padding, computed
   * by the one-vector tiles into a scratch tile (scale 1, so the scratch holds the accumulators
   * exactly), then the w real columns written with {@link Gemm#put}. Lane q of a padded vector
   * does exactly what a scalar fma chain over column q would, at vector speed: scalar tail
   * columns were measured at ~13% of a 500-wide forward product.
   */
  private static void paddedColumns(float[] a, int ao, int si, int sk, float[] b, int bo, boolean transB, float[] c, int co, int n, int k, float alpha, boolean acc, int i0, int i1, int j, int w) {
    float[] panel = panel(k * L), tile = TAIL.get();
    pack(b, bo, transB, n, k, j, w, L, panel);
    int i = i0;
    for (; i + ROWS <= i1; i += ROWS) {
      tile4x1(a, ao + i * si, si, sk, panel, 0, L, tile, 0, L, k, 1f, false);
      for (int r = 0; r < ROWS; r++) for (int q = 0; q < w; q++) Gemm.put(c, co + (i + r) * n + j + q, tile[r * L + q], alpha, acc);
    }
    for (; i < i1; i++) {
      tile1x1(a, ao + i * si, sk, panel, 0, L, tile, 0, k, 1f, false);
      for (int q = 0; q < w; q++) Gemm.put(c, co + i * n + j + q, tile[q], alpha, acc);
    }
  }

  /** {@code panel[p * w + q] = B(p, j + q)}: w columns of B, contiguous by row of k. */
  private static void pack(float[] b, int bo, boolean transB, int n, int k, int j, int w, float[] panel) {
    pack(b, bo, transB, n, k, j, w, w, panel);
  }

  /** w columns of B into rows of {@code width >= w} floats, the rest of each row zero. */
  private static void pack(float[] b, int bo, boolean transB, int n, int k, int j, int w, int width, float[] panel) {
    if (transB) {
      // k outer: the stores run sequentially and the w rows of B being read stay in L1 (one line
      // each); q outer was measured 1.5-2x slower (every store a new line of a panel beyond L1).
      int from = bo + j * k;
      for (int p = 0, to = 0; p < k; p++, to += width - w) {
        for (int q = 0, at = from + p; q < w; q++, at += k) panel[to++] = b[at];
        for (int q = w; q < width; q++) panel[to + q - w] = 0f;
      }
    } else {
      for (int p = 0, from = bo + j, to = 0; p < k; p++, from += n, to += width) {
        System.arraycopy(b, from, panel, to, w);
        for (int q = w; q < width; q++) panel[to + q] = 0f;
      }
    }
  }

  private static float[] panel(int size) {
    float[][] holder = PANEL.get();
    if (holder[0].length < size) holder[0] = new float[size];
    return holder[0];
  }

  /** Four rows by one vector (the columns left over below a multiple of four vectors). */
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
   * Six rows by four vectors: 24 accumulators, four loads and six broadcasts per 24 fmas (29 of the
   * 32 vector registers). Against six by three (a broadcast per three fmas) it was measured ~1.1x
   * on the 500-wide products and ~1.2x on the batch-64 input gradient, whose 64 columns are now
   * one panel instead of three vectors and a one-vector tail.
   */
  private static void tile6x4(float[] a, int ai, int si, int sk, float[] b, int bj, int ldb, float[] c, int cij, int ldc, int k, float alpha, boolean acc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    int a0 = ai, a1 = ai + 1 * si, a2 = ai + 2 * si, a3 = ai + 3 * si, a4 = ai + 4 * si, a5 = ai + 5 * si, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
      FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * L);
      FloatVector x = FloatVector.broadcast(S, a[a0]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(S, a[a1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(S, a[a2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(S, a[a3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
      x = FloatVector.broadcast(S, a[a4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      c42 = b2.fma(x, c42);
      c43 = b3.fma(x, c43);
      x = FloatVector.broadcast(S, a[a5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      c52 = b2.fma(x, c52);
      c53 = b3.fma(x, c53);
      a0 += sk;
      a1 += sk;
      a2 += sk;
      a3 += sk;
      a4 += sk;
      a5 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    if (acc) {
      c00.fma(al, FloatVector.fromArray(S, c, cij)).intoArray(c, cij);
      c01.fma(al, FloatVector.fromArray(S, c, cij + 1 * L)).intoArray(c, cij + 1 * L);
      c02.fma(al, FloatVector.fromArray(S, c, cij + 2 * L)).intoArray(c, cij + 2 * L);
      c03.fma(al, FloatVector.fromArray(S, c, cij + 3 * L)).intoArray(c, cij + 3 * L);
      c10.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc)).intoArray(c, cij + 1 * ldc);
      c11.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 1 * L)).intoArray(c, cij + 1 * ldc + 1 * L);
      c12.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 2 * L)).intoArray(c, cij + 1 * ldc + 2 * L);
      c13.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 3 * L)).intoArray(c, cij + 1 * ldc + 3 * L);
      c20.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc)).intoArray(c, cij + 2 * ldc);
      c21.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 1 * L)).intoArray(c, cij + 2 * ldc + 1 * L);
      c22.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 2 * L)).intoArray(c, cij + 2 * ldc + 2 * L);
      c23.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 3 * L)).intoArray(c, cij + 2 * ldc + 3 * L);
      c30.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc)).intoArray(c, cij + 3 * ldc);
      c31.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 1 * L)).intoArray(c, cij + 3 * ldc + 1 * L);
      c32.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 2 * L)).intoArray(c, cij + 3 * ldc + 2 * L);
      c33.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 3 * L)).intoArray(c, cij + 3 * ldc + 3 * L);
      c40.fma(al, FloatVector.fromArray(S, c, cij + 4 * ldc)).intoArray(c, cij + 4 * ldc);
      c41.fma(al, FloatVector.fromArray(S, c, cij + 4 * ldc + 1 * L)).intoArray(c, cij + 4 * ldc + 1 * L);
      c42.fma(al, FloatVector.fromArray(S, c, cij + 4 * ldc + 2 * L)).intoArray(c, cij + 4 * ldc + 2 * L);
      c43.fma(al, FloatVector.fromArray(S, c, cij + 4 * ldc + 3 * L)).intoArray(c, cij + 4 * ldc + 3 * L);
      c50.fma(al, FloatVector.fromArray(S, c, cij + 5 * ldc)).intoArray(c, cij + 5 * ldc);
      c51.fma(al, FloatVector.fromArray(S, c, cij + 5 * ldc + 1 * L)).intoArray(c, cij + 5 * ldc + 1 * L);
      c52.fma(al, FloatVector.fromArray(S, c, cij + 5 * ldc + 2 * L)).intoArray(c, cij + 5 * ldc + 2 * L);
      c53.fma(al, FloatVector.fromArray(S, c, cij + 5 * ldc + 3 * L)).intoArray(c, cij + 5 * ldc + 3 * L);
    } else {
      c00.mul(al).intoArray(c, cij);
      c01.mul(al).intoArray(c, cij + 1 * L);
      c02.mul(al).intoArray(c, cij + 2 * L);
      c03.mul(al).intoArray(c, cij + 3 * L);
      c10.mul(al).intoArray(c, cij + 1 * ldc);
      c11.mul(al).intoArray(c, cij + 1 * ldc + 1 * L);
      c12.mul(al).intoArray(c, cij + 1 * ldc + 2 * L);
      c13.mul(al).intoArray(c, cij + 1 * ldc + 3 * L);
      c20.mul(al).intoArray(c, cij + 2 * ldc);
      c21.mul(al).intoArray(c, cij + 2 * ldc + 1 * L);
      c22.mul(al).intoArray(c, cij + 2 * ldc + 2 * L);
      c23.mul(al).intoArray(c, cij + 2 * ldc + 3 * L);
      c30.mul(al).intoArray(c, cij + 3 * ldc);
      c31.mul(al).intoArray(c, cij + 3 * ldc + 1 * L);
      c32.mul(al).intoArray(c, cij + 3 * ldc + 2 * L);
      c33.mul(al).intoArray(c, cij + 3 * ldc + 3 * L);
      c40.mul(al).intoArray(c, cij + 4 * ldc);
      c41.mul(al).intoArray(c, cij + 4 * ldc + 1 * L);
      c42.mul(al).intoArray(c, cij + 4 * ldc + 2 * L);
      c43.mul(al).intoArray(c, cij + 4 * ldc + 3 * L);
      c50.mul(al).intoArray(c, cij + 5 * ldc);
      c51.mul(al).intoArray(c, cij + 5 * ldc + 1 * L);
      c52.mul(al).intoArray(c, cij + 5 * ldc + 2 * L);
      c53.mul(al).intoArray(c, cij + 5 * ldc + 3 * L);
    }
  }

  /** Four rows by four vectors: 16 accumulators, 4 loads and 4 broadcasts per 16 fmas. */
  private static void tile4x4(float[] a, int ai, int si, int sk, float[] b, int bj, int ldb, float[] c, int cij, int ldc, int k, float alpha, boolean acc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    int a0 = ai, a1 = ai + 1 * si, a2 = ai + 2 * si, a3 = ai + 3 * si, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
      FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * L);
      FloatVector x = FloatVector.broadcast(S, a[a0]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(S, a[a1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(S, a[a2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(S, a[a3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
      a0 += sk;
      a1 += sk;
      a2 += sk;
      a3 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    if (acc) {
      c00.fma(al, FloatVector.fromArray(S, c, cij)).intoArray(c, cij);
      c01.fma(al, FloatVector.fromArray(S, c, cij + 1 * L)).intoArray(c, cij + 1 * L);
      c02.fma(al, FloatVector.fromArray(S, c, cij + 2 * L)).intoArray(c, cij + 2 * L);
      c03.fma(al, FloatVector.fromArray(S, c, cij + 3 * L)).intoArray(c, cij + 3 * L);
      c10.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc)).intoArray(c, cij + 1 * ldc);
      c11.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 1 * L)).intoArray(c, cij + 1 * ldc + 1 * L);
      c12.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 2 * L)).intoArray(c, cij + 1 * ldc + 2 * L);
      c13.fma(al, FloatVector.fromArray(S, c, cij + 1 * ldc + 3 * L)).intoArray(c, cij + 1 * ldc + 3 * L);
      c20.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc)).intoArray(c, cij + 2 * ldc);
      c21.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 1 * L)).intoArray(c, cij + 2 * ldc + 1 * L);
      c22.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 2 * L)).intoArray(c, cij + 2 * ldc + 2 * L);
      c23.fma(al, FloatVector.fromArray(S, c, cij + 2 * ldc + 3 * L)).intoArray(c, cij + 2 * ldc + 3 * L);
      c30.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc)).intoArray(c, cij + 3 * ldc);
      c31.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 1 * L)).intoArray(c, cij + 3 * ldc + 1 * L);
      c32.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 2 * L)).intoArray(c, cij + 3 * ldc + 2 * L);
      c33.fma(al, FloatVector.fromArray(S, c, cij + 3 * ldc + 3 * L)).intoArray(c, cij + 3 * ldc + 3 * L);
    } else {
      c00.mul(al).intoArray(c, cij);
      c01.mul(al).intoArray(c, cij + 1 * L);
      c02.mul(al).intoArray(c, cij + 2 * L);
      c03.mul(al).intoArray(c, cij + 3 * L);
      c10.mul(al).intoArray(c, cij + 1 * ldc);
      c11.mul(al).intoArray(c, cij + 1 * ldc + 1 * L);
      c12.mul(al).intoArray(c, cij + 1 * ldc + 2 * L);
      c13.mul(al).intoArray(c, cij + 1 * ldc + 3 * L);
      c20.mul(al).intoArray(c, cij + 2 * ldc);
      c21.mul(al).intoArray(c, cij + 2 * ldc + 1 * L);
      c22.mul(al).intoArray(c, cij + 2 * ldc + 2 * L);
      c23.mul(al).intoArray(c, cij + 2 * ldc + 3 * L);
      c30.mul(al).intoArray(c, cij + 3 * ldc);
      c31.mul(al).intoArray(c, cij + 3 * ldc + 1 * L);
      c32.mul(al).intoArray(c, cij + 3 * ldc + 2 * L);
      c33.mul(al).intoArray(c, cij + 3 * ldc + 3 * L);
    }
  }

  /** One row by four vectors (the rows left over below a multiple of four). */
  private static void tile1x4(float[] a, int ai, int sk, float[] b, int bj, int ldb, float[] c, int cij, int k, float alpha, boolean acc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
    int a0 = ai, bk = bj;
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
      FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * L);
      FloatVector x = FloatVector.broadcast(S, a[a0]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      a0 += sk;
      bk += ldb;
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    if (acc) {
      c00.fma(al, FloatVector.fromArray(S, c, cij)).intoArray(c, cij);
      c01.fma(al, FloatVector.fromArray(S, c, cij + 1 * L)).intoArray(c, cij + 1 * L);
      c02.fma(al, FloatVector.fromArray(S, c, cij + 2 * L)).intoArray(c, cij + 2 * L);
      c03.fma(al, FloatVector.fromArray(S, c, cij + 3 * L)).intoArray(c, cij + 3 * L);
    } else {
      c00.mul(al).intoArray(c, cij);
      c01.mul(al).intoArray(c, cij + 1 * L);
      c02.mul(al).intoArray(c, cij + 2 * L);
      c03.mul(al).intoArray(c, cij + 3 * L);
    }
  }
}
