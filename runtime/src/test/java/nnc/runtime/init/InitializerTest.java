package nnc.runtime.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import nnc.runtime.Rng;
import nnc.runtime.init.Initializer.Constant;
import nnc.runtime.init.Initializer.KaimingNormal;
import nnc.runtime.init.Initializer.KaimingUniform;
import nnc.runtime.init.Initializer.Normal;
import nnc.runtime.init.Initializer.Ones;
import nnc.runtime.init.Initializer.Uniform;
import nnc.runtime.init.Initializer.XavierNormal;
import nnc.runtime.init.Initializer.XavierUniform;
import nnc.runtime.init.Initializer.Zeros;
import org.junit.jupiter.api.Test;

class InitializerTest {
  private static final int[] LARGE = {1000, 500};

  @Test
  void describesLikeTheLanguage() {
    assertEquals("zeros", new Zeros().describe());
    assertEquals("ones", new Ones().describe());
    assertEquals("constant(0.5)", new Constant(0.5).describe());
    assertEquals("constant(-3)", new Constant(-3).describe());
    assertEquals("normal(0, 0.1)", new Normal(0, 0.1).describe());
    assertEquals("normal(1, 1e-5)", new Normal(1, 1e-5).describe());
    assertEquals("uniform(-1, 1)", new Uniform(-1, 1).describe());
    assertEquals("uniform(-0.25, 2.5e20)", new Uniform(-0.25, 2.5e20).describe());
    assertEquals("xavier_normal", new XavierNormal().describe());
    assertEquals("xavier_uniform(gain=2)", new XavierUniform(2).describe());
    assertEquals("kaiming_normal", new KaimingNormal().describe());
    assertEquals("kaiming_normal(gain=1)", new KaimingNormal(1).describe());
    assertEquals("kaiming_uniform", new KaimingUniform(Math.sqrt(2)).describe());
    assertEquals("kaiming_uniform(gain=1.5)", new KaimingUniform(1.5).describe());
  }

  @Test
  void fansFollowTheDocumentedConvention() {
    assertEquals(new Fans(5, 5), Fans.of(new int[] {5}));
    assertEquals(new Fans(784, 500), Fans.of(new int[] {784, 500}));
    assertEquals(new Fans(3 * 25, 16 * 25), Fans.of(new int[] {16, 3, 5, 5}));
    assertEquals(new Fans(0, 0), Fans.of(new int[] {0, 0, 3}));
    var e = assertThrows(IllegalArgumentException.class, () -> Fans.of(new int[0]));
    assertEquals("fan_in and fan_out are undefined for the scalar shape []; use a shape of rank >= 1", e.getMessage());
  }

  @Test
  void exactFormulas() {
    int[] w = {784, 500};
    assertEquals(Math.sqrt(2.0 / 1284), new XavierNormal().std(w), 0);
    assertEquals(2 * Math.sqrt(6.0 / 1284), new XavierUniform(2).bound(w), 0);
    assertEquals(Math.sqrt(2) / 28, new KaimingNormal().std(w), 0);
    assertEquals(Math.sqrt(2.0 / 784), new KaimingNormal().std(w), 1e-17);
    assertEquals(Math.sqrt(2) * Math.sqrt(3.0 / 784), new KaimingUniform().bound(w), 0);
    int[] conv = {6, 1, 5, 5};
    assertEquals(Math.sqrt(2.0 / (25 + 150)), new XavierNormal().std(conv), 0);
    assertEquals(1 / Math.sqrt(25), new KaimingNormal(1).std(conv), 0);
  }

  @Test
  void constantInitializers() {
    Rng rng = new Rng(1);
    assertArrayEquals(new double[6], new Zeros().sample(new int[] {2, 3}, rng));
    assertArrayEquals(new double[] {1, 1}, new Ones().sample(new int[] {2}, rng));
    assertArrayEquals(new double[] {0.5}, new Constant(0.5).sample(new int[0], rng));
    assertEquals(new Rng(1).nextLong(), rng.nextLong(), "constant initializers draw nothing");
  }

  @Test
  void normalUsesTheGeneratorsGaussiansInOrder() {
    double[] v = new Normal(2, 0.5).sample(new int[] {3}, new Rng(8));
    Rng r = new Rng(8);
    assertArrayEquals(new double[] {2 + 0.5 * r.nextGaussian(), 2 + 0.5 * r.nextGaussian(),
      2 + 0.5 * r.nextGaussian()}, v);
    assertArrayEquals(v, new Normal(2, 0.5).sample(new int[] {3}, new Rng(8)));
  }

  @Test
  void normalStatistics() {
    assertMoments(new Normal(0.1, 0.2).sample(LARGE, new Rng(1)), 0.1, 0.2);
    assertMoments(new XavierNormal(3).sample(LARGE, new Rng(2)), 0, 3 * Math.sqrt(2.0 / 1500));
    assertMoments(new KaimingNormal().sample(LARGE, new Rng(3)), 0, Math.sqrt(2.0 / 1000));
  }

  @Test
  void uniformStatisticsAndBounds() {
    double[] u = new Uniform(-1, 3).sample(LARGE, new Rng(4));
    assertRange(u, -1, 3);
    assertMoments(u, 1, 4 / Math.sqrt(12));
    double xb = Math.sqrt(6.0 / 1500);
    double[] x = new XavierUniform().sample(LARGE, new Rng(5));
    assertRange(x, -xb, xb);
    assertMoments(x, 0, xb / Math.sqrt(3));
    double kb = Math.sqrt(2) * Math.sqrt(3.0 / 1000);
    double[] k = new KaimingUniform().sample(LARGE, new Rng(6));
    assertRange(k, -kb, kb);
    assertMoments(k, 0, Math.sqrt(2.0 / 1000));
  }

  @Test
  void rejectsBadArguments() {
    var std = assertThrows(IllegalArgumentException.class, () -> new Normal(0, -1));
    assertEquals("normal std must be finite and >= 0, got -1.0", std.getMessage());
    var range = assertThrows(IllegalArgumentException.class, () -> new Uniform(1, 0));
    assertEquals("uniform needs low <= high, got 1.0 and 0.0", range.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KaimingNormal(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new XavierUniform(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> new XavierNormal().sample(new int[0], new Rng(1)));
  }

  @Test
  void everyInitializerIsCovered() {
    Initializer[] all = {new Zeros(), new Ones(), new Constant(2), new Normal(0, 1), new Uniform(0, 1),
      new XavierNormal(), new XavierUniform(), new KaimingNormal(), new KaimingUniform()};
    for (Initializer init : all) {
      String kind = switch (init) {
        case Zeros z -> "constant";
        case Ones o -> "constant";
        case Constant c -> "constant";
        case Normal n -> "random";
        case Uniform u -> "random";
        case XavierNormal x -> "fan";
        case XavierUniform x -> "fan";
        case KaimingNormal k -> "fan";
        case KaimingUniform k -> "fan";
      };
      assertEquals(12, init.sample(new int[] {3, 4}, new Rng(0)).length, kind + " " + init.describe());
    }
  }

  private static void assertMoments(double[] v, double mean, double std) {
    double m = Arrays.stream(v).average().orElseThrow();
    double s = Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
    assertEquals(mean, m, 5 * std / Math.sqrt(v.length) + 1e-12, "mean");
    assertEquals(std, s, 0.01 * std, "std");
  }

  private static void assertRange(double[] v, double low, double high) {
    double min = Arrays.stream(v).min().orElseThrow();
    double max = Arrays.stream(v).max().orElseThrow();
    assertTrue(min >= low && max < high, min + " .. " + max);
    assertTrue(min < low + 0.001 * (high - low) && max > high - 0.001 * (high - low), "covers the range");
  }
}
