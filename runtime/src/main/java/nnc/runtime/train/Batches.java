package nnc.runtime.train;

import nnc.runtime.Rng;

/** Batch arithmetic and seeded shuffling. */
public final class Batches {
  private Batches() {}

  /** The number of batches of {@code batch} rows covering {@code n} rows, the last one possibly partial. */
  public static int count(int n, int batch) {
    return (n + batch - 1) / batch;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates, drawing from {@code rng}). */
  public static int[] shuffled(int n, Rng rng) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) o[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }

  /**
   * Splits 0..n−1 into a held-out part of round(n · fraction) rows (at least 1, at most n − 1)
   * and the rest, by a permutation drawn from {@code rng}; both parts in increasing order.
   */
  public static int[][] holdout(int n, double fraction, Rng rng) {
    if (n < 2) throw new IllegalArgumentException("cannot hold out a validation split from " + n + " example(s)");
    int k = (int) Math.max(1, Math.min(n - 1, Math.round(n * fraction)));
    int[] perm = shuffled(n, rng);
    int[] held = java.util.Arrays.copyOf(perm, k), rest = java.util.Arrays.copyOfRange(perm, k, n);
    java.util.Arrays.sort(held);
    java.util.Arrays.sort(rest);
    return new int[][] {rest, held};
  }
}
