package nnc.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nnc.runtime.kernels.Gemm;
import nnc.runtime.kernels.Workers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The runtime's GEMM on the products of an MLP training step (layer 784 -> 500, and 1024 -> 1024),
 * in every transposition the backward pass produces, on one and two threads. GFLOP/s =
 * 2 m n k / (time per op).
 *
 * <ul>
 *   <li>{@code fwd}: X[B, K] W[K, N] (forward);
 *   <li>{@code wgrad}: W += -lr X^T G, A stored transposed, accumulating (the SGD-fused weight gradient);
 *   <li>{@code igrad}: G W^T, B stored transposed (the input gradient).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
  @Param({"8", "64", "256"})
  int batch;

  @Param({"fwd", "wgrad", "igrad"})
  String product;

  /** Layer width: in -> out is 784 -> 500 or 1024 -> 1024. */
  @Param({"784x500", "1024x1024"})
  String layer;

  @Param({"1", "2"})
  int threads;

  int m, n, k, flags;
  float[] a, b, c;
  Workers workers;

  @Setup(Level.Trial)
  public void setUp() {
    int in = Integer.parseInt(layer.split("x")[0]), out = Integer.parseInt(layer.split("x")[1]);
    switch (product) {
      case "fwd" -> { m = batch; k = in; n = out; flags = 0; }
      case "wgrad" -> { m = in; k = batch; n = out; flags = Gemm.TRANS_A | Gemm.ACCUMULATE; }
      case "igrad" -> { m = batch; k = out; n = in; flags = Gemm.TRANS_B; }
      default -> throw new IllegalArgumentException(product);
    }
    SplittableRandom r = new SplittableRandom(1);
    a = random(r, m * k);
    b = random(r, k * n);
    c = random(r, m * n);
    workers = threads > 1 ? new Workers(threads) : null;
    Workers.bind(workers);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    Workers.bind(null);
    if (workers != null) workers.close();
  }

  @Benchmark
  public float[] gemm() {
    Gemm.gemm(a, 0, b, 0, c, 0, m, n, k, flags, (flags & Gemm.ACCUMULATE) != 0 ? -1e-3f : 1f);
    return c;
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() - 0.5);
    return x;
  }
}
