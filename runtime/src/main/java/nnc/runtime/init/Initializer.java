package nnc.runtime.init;

import java.util.Arrays;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;

/**
 * How a parameter gets its initial values: the initializers a {@code .nn} file can name after
 * {@code param W : f32[784, 500] = ...}.
 *
 * <p>Values are sampled in double from an {@link Rng}, in row-major order, so a seed gives the
 * same parameters on every machine; the caller converts them to the parameter's dtype.
 *
 * <p><b>Fans</b> (used by the Xavier and Kaiming variants), for a shape of rank r:
 * <ul>
 *   <li>r = 1: fan_in = fan_out = shape[0];</li>
 *   <li>r = 2, {@code [in, out]} (nnc multiplies {@code x @ W}): fan_in = shape[0],
 *       fan_out = shape[1] — note this is the transpose of PyTorch's Linear weight;</li>
 *   <li>r ≥ 3, a convolution kernel {@code [out, in, k...]} in PyTorch's order: with
 *       receptive = the product of the k's, fan_in = shape[1]·receptive and
 *       fan_out = shape[0]·receptive.</li>
 * </ul>
 * Scalars have no fans; the fan-based initializers reject them.
 */
public sealed interface Initializer {
  /** Kaiming's default gain, √2: the ReLU gain, giving Kaiming normal std √(2/fan_in). */
  double KAIMING_DEFAULT_GAIN = Math.sqrt(2);

  /** Samples {@code Tensor.elementCount(shape)} values, in row-major order. */
  double[] sample(int[] shape, Rng rng);

  /** The initializer as a {@code .nn} file writes it, default arguments omitted. */
  String describe();

  /** All zeros: the usual start for biases. */
  record Zeros() implements Initializer {
    @Override
    public double[] sample(int[] shape, Rng rng) {
      return new double[count(shape)];
    }

    @Override
    public String describe() {
      return "zeros";
    }
  }

  /** All ones: the usual start for normalization scales. */
  record Ones() implements Initializer {
    @Override
    public double[] sample(int[] shape, Rng rng) {
      return new Constant(1).sample(shape, rng);
    }

    @Override
    public String describe() {
      return "ones";
    }
  }

  /** Every element equal to {@code value}. */
  record Constant(double value) implements Initializer {
    @Override
    public double[] sample(int[] shape, Rng rng) {
      double[] v = new double[count(shape)];
      Arrays.fill(v, value);
      return v;
    }

    @Override
    public String describe() {
      return "constant(" + Numbers.format(value) + ")";
    }
  }

  /** Independent normal samples with the given mean and standard deviation. */
  record Normal(double mean, double std) implements Initializer {
    /** Rejects a negative or non-finite std. */
    public Normal {
      Numbers.requireNonNegative("normal std", std);
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      return normal(count(shape), mean, std, rng);
    }

    @Override
    public String describe() {
      return "normal(" + Numbers.format(mean) + ", " + Numbers.format(std) + ")";
    }
  }

  /** Independent uniform samples in [low, high). */
  record Uniform(double low, double high) implements Initializer {
    /** Rejects {@code low > high}. */
    public Uniform {
      if (!(low <= high)) {
        throw new IllegalArgumentException("uniform needs low <= high, got " + low + " and " + high);
      }
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      return uniform(count(shape), low, high, rng);
    }

    @Override
    public String describe() {
      return "uniform(" + Numbers.format(low) + ", " + Numbers.format(high) + ")";
    }
  }

  /** Glorot and Bengio (2010), normal: std = gain·√(2/(fan_in+fan_out)); default gain 1. */
  record XavierNormal(double gain) implements Initializer {
    /** Rejects a negative or non-finite gain. */
    public XavierNormal {
      Numbers.requireNonNegative("xavier_normal gain", gain);
    }

    /** Gain 1. */
    public XavierNormal() {
      this(1);
    }

    /** The standard deviation used for {@code shape}. */
    public double std(int[] shape) {
      Fans f = Fans.of(shape);
      return gain * Math.sqrt(2.0 / (f.in() + f.out()));
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      return normal(count(shape), 0, std(shape), rng);
    }

    @Override
    public String describe() {
      return Numbers.withGain("xavier_normal", gain, 1);
    }
  }

  /** Glorot and Bengio (2010), uniform in ±gain·√(6/(fan_in+fan_out)); default gain 1. */
  record XavierUniform(double gain) implements Initializer {
    /** Rejects a negative or non-finite gain. */
    public XavierUniform {
      Numbers.requireNonNegative("xavier_uniform gain", gain);
    }

    /** Gain 1. */
    public XavierUniform() {
      this(1);
    }

    /** The bound of the interval used for {@code shape}. */
    public double bound(int[] shape) {
      Fans f = Fans.of(shape);
      return gain * Math.sqrt(6.0 / (f.in() + f.out()));
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      double b = bound(shape);
      return uniform(count(shape), -b, b, rng);
    }

    @Override
    public String describe() {
      return Numbers.withGain("xavier_uniform", gain, 1);
    }
  }

  /** He et al. (2015), normal: std = gain/√fan_in; default gain √2 (for ReLU). */
  record KaimingNormal(double gain) implements Initializer {
    /** Rejects a negative or non-finite gain. */
    public KaimingNormal {
      Numbers.requireNonNegative("kaiming_normal gain", gain);
    }

    /** Gain √2. */
    public KaimingNormal() {
      this(KAIMING_DEFAULT_GAIN);
    }

    /** The standard deviation used for {@code shape}. */
    public double std(int[] shape) {
      return gain / Math.sqrt(Fans.of(shape).in());
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      return normal(count(shape), 0, std(shape), rng);
    }

    @Override
    public String describe() {
      return Numbers.withGain("kaiming_normal", gain, KAIMING_DEFAULT_GAIN);
    }
  }

  /** He et al. (2015), uniform in ±gain·√(3/fan_in); default gain √2 (for ReLU). */
  record KaimingUniform(double gain) implements Initializer {
    /** Rejects a negative or non-finite gain. */
    public KaimingUniform {
      Numbers.requireNonNegative("kaiming_uniform gain", gain);
    }

    /** Gain √2. */
    public KaimingUniform() {
      this(KAIMING_DEFAULT_GAIN);
    }

    /** The bound of the interval used for {@code shape}. */
    public double bound(int[] shape) {
      return gain * Math.sqrt(3.0 / Fans.of(shape).in());
    }

    @Override
    public double[] sample(int[] shape, Rng rng) {
      double b = bound(shape);
      return uniform(count(shape), -b, b, rng);
    }

    @Override
    public String describe() {
      return Numbers.withGain("kaiming_uniform", gain, KAIMING_DEFAULT_GAIN);
    }
  }

  private static int count(int[] shape) {
    long n = Tensor.elementCount(shape);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + Tensor.shapeString(shape) + " is too large to initialize");
    }
    return (int) n;
  }

  private static double[] normal(int n, double mean, double std, Rng rng) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * rng.nextGaussian();
    }
    return v;
  }

  private static double[] uniform(int n, double low, double high, Rng rng) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = low + (high - low) * rng.nextDouble();
    }
    return v;
  }
}
