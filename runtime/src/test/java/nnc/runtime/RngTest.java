package nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RngTest {
  private static final int N = 100_000;

  /** Pinned once from this implementation (xoshiro256** cross-checked against a Python port). */
  @Test
  void goldenValuesForSeed42() {
    Rng r = new Rng(42);
    assertEquals(1546998764402558742L, r.nextLong());
    assertEquals(6990951692964543102L, r.nextLong());
    assertEquals(-5902157311460992607L, r.nextLong());
    Rng d = new Rng(42);
    assertEquals(0.08386297105988216, d.nextDouble());
    assertEquals(0.3789802506626686, d.nextDouble());
    Rng g = new Rng(42);
    assertEquals(-0.303263064678738, g.nextGaussian());
    assertEquals(0.28846173882942383, g.nextGaussian());
    assertEquals(1.3438117634372806, g.nextGaussian());
    assertEquals(-0.6879751798977498, g.nextGaussian());
    Rng i = new Rng(42);
    int[] ints = new int[5];
    for (int k = 0; k < ints.length; k++) {
      ints[k] = i.nextInt(10);
    }
    assertArrayEquals(new int[] {0, 3, 6, 9, 9}, ints);
    assertEquals(429910448238751724L, Rng.forStream(42, "W1").nextLong());
  }

  @Test
  void sameSeedSameSequence() {
    Rng a = new Rng(-7);
    Rng b = new Rng(-7);
    for (int k = 0; k < 1000; k++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
    assertNotEquals(new Rng(1).nextLong(), new Rng(2).nextLong());
  }

  @Test
  void gaussiansHaveMeanZeroAndStdOne() {
    Rng r = new Rng(42);
    double sum = 0;
    double sumSq = 0;
    for (int k = 0; k < N; k++) {
      double x = r.nextGaussian();
      sum += x;
      sumSq += x * x;
    }
    double mean = sum / N;
    double std = Math.sqrt(sumSq / N - mean * mean);
    assertEquals(0, mean, 0.015);
    assertEquals(1, std, 0.01);
  }

  @Test
  void doublesAreUniformInTheUnitInterval() {
    Rng r = new Rng(3);
    double sum = 0;
    for (int k = 0; k < N; k++) {
      double x = r.nextDouble();
      assertTrue(x >= 0 && x < 1, "out of range: " + x);
      sum += x;
    }
    assertEquals(0.5, sum / N, 0.005);
  }

  @Test
  void nextIntCoversItsRangeEvenly() {
    Rng r = new Rng(5);
    int[] counts = new int[7];
    for (int k = 0; k < 70_000; k++) {
      counts[r.nextInt(7)]++;
    }
    for (int c : counts) {
      assertEquals(10_000, c, 400);
    }
    assertEquals(0, r.nextInt(1));
    int big = r.nextInt(Integer.MAX_VALUE);
    assertTrue(big >= 0);
    var e = assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
    assertEquals("bound must be positive, got 0", e.getMessage());
  }

  @Test
  void streamsAreReproducibleAndIndependent() {
    assertEquals(Rng.forStream(9, "dense1.W").nextLong(), Rng.forStream(9, "dense1.W").nextLong());
    assertNotEquals(Rng.forStream(9, "dense1.W").nextLong(), Rng.forStream(9, "dense2.W").nextLong());
    assertNotEquals(Rng.forStream(9, "W").nextLong(), Rng.forStream(10, "W").nextLong());
    Rng a = Rng.forStream(9, "a");
    Rng b = Rng.forStream(9, "b");
    double sa = 0;
    double sb = 0;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int k = 0; k < N; k++) {
      double x = a.nextDouble() - 0.5;
      double y = b.nextDouble() - 0.5;
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    double cov = sab / N - (sa / N) * (sb / N);
    double corr = cov / Math.sqrt((saa / N - sa * sa / N / N) * (sbb / N - sb * sb / N / N));
    assertEquals(0, corr, 0.015);
  }

  @Test
  void fnv1aMatchesTheReferenceVectors() {
    assertEquals(0xcbf29ce484222325L, Rng.fnv1a64(new byte[0]));
    assertEquals(0xaf63dc4c8601ec8cL, Rng.fnv1a64("a".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0x85944171f73967e8L, Rng.fnv1a64("foobar".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void restoredStateContinuesExactlyIncludingTheCachedGaussian() {
    Rng r = new Rng(11);
    r.nextLong();
    r.nextGaussian();
    long[] saved = r.state();
    double[] expected = {r.nextGaussian(), r.nextGaussian(), r.nextDouble(), r.nextInt(1000)};
    Rng restored = Rng.restore(saved);
    double[] actual = {restored.nextGaussian(), restored.nextGaussian(), restored.nextDouble(),
        restored.nextInt(1000)};
    assertArrayEquals(expected, actual);
    assertEquals(1, saved[4], "a Gaussian was pending when the state was saved");
  }

  @Test
  void restoreRejectsForeignStates() {
    var length = assertThrows(IllegalArgumentException.class, () -> Rng.restore(new long[4]));
    assertEquals("an Rng state has 6 longs, got 4", length.getMessage());
    var zero = assertThrows(IllegalArgumentException.class, () -> Rng.restore(new long[6]));
    assertEquals("an Rng state cannot be all zero", zero.getMessage());
    var flag = assertThrows(IllegalArgumentException.class, () -> Rng.restore(new long[] {1, 0, 0, 0, 2, 0}));
    assertEquals("Rng state word 4 must be 0 or 1, got 2", flag.getMessage());
  }
}
