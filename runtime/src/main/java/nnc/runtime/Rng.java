package nnc.runtime;

import java.nio.charset.StandardCharsets;

/**
 * A small, portable, deterministic random number generator: xoshiro256** seeded by SplitMix64.
 *
 * <p>nnc needs random numbers that are the same on every JVM, operating system and version, so
 * that a seed in a training run or a test reproduces exactly. {@link java.util.Random} and
 * {@link java.util.SplittableRandom} promise less across versions, and {@code Math.log} may
 * differ in the last bit between platforms; this class therefore fixes its algorithms here and
 * uses {@link StrictMath} for the transcendental functions.
 *
 * <p>Not thread-safe; use one instance per stream.
 */
public final class Rng {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final long FNV_OFFSET = 0xCBF29CE484222325L;
  private static final long FNV_PRIME = 0x100000001B3L;
  private static final int STATE_LONGS = 6;

  private long s0;
  private long s1;
  private long s2;
  private long s3;
  private boolean hasSpare;
  private double spare;

  /**
   * A generator whose four state words are the first four outputs of SplitMix64 started at
   * {@code seed}; SplitMix64 never yields an all-zero state, which xoshiro must avoid.
   */
  public Rng(long seed) {
    long x = seed;
    s0 = mix64(x += GOLDEN_GAMMA);
    s1 = mix64(x += GOLDEN_GAMMA);
    s2 = mix64(x += GOLDEN_GAMMA);
    s3 = mix64(x + GOLDEN_GAMMA);
  }

  private Rng(long[] state) {
    s0 = state[0];
    s1 = state[1];
    s2 = state[2];
    s3 = state[3];
    hasSpare = state[4] != 0;
    spare = Double.longBitsToDouble(state[5]);
  }

  /**
   * A generator for the stream called {@code streamName} under {@code seed}: seeded with
   * {@code seed ^ mix64(fnv1a64(utf8(streamName)))}. Each parameter of a model draws from its
   * own stream, so adding a parameter does not change the initial values of the others.
   */
  public static Rng forStream(long seed, String streamName) {
    return new Rng(seed ^ mix64(fnv1a64(streamName.getBytes(StandardCharsets.UTF_8))));
  }

  /**
   * Restores a generator saved by {@link #state()}, continuing exactly where it stopped.
   *
   * @throws IllegalArgumentException if the array is not a state this class produced
   */
  public static Rng restore(long[] state) {
    if (state.length != STATE_LONGS) {
      throw new IllegalArgumentException("an Rng state has " + STATE_LONGS + " longs, got " + state.length);
    }
    if ((state[0] | state[1] | state[2] | state[3]) == 0) {
      throw new IllegalArgumentException("an Rng state cannot be all zero");
    }
    if (state[4] != 0 && state[4] != 1) {
      throw new IllegalArgumentException("Rng state word 4 must be 0 or 1, got " + state[4]);
    }
    return new Rng(state);
  }

  /**
   * The complete state, for checkpoints: the four xoshiro words, then 1 or 0 for whether a
   * cached Gaussian is pending, then that Gaussian's bits.
   */
  public long[] state() {
    return new long[] {s0, s1, s2, s3, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spare)};
  }

  /** The next 64 uniformly random bits (xoshiro256**). */
  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** A uniform double in [0, 1): the top 53 bits of {@link #nextLong()} times 2<sup>-53</sup>. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * A uniform int in [0, bound) without bias, by Lemire's multiply-and-reject method on the
   * top 32 bits of {@link #nextLong()}.
   */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long m = (nextLong() >>> 32) * bound;
    if ((m & 0xFFFFFFFFL) < bound) {
      long threshold = ((1L << 32) - bound) % bound;
      while ((m & 0xFFFFFFFFL) < threshold) {
        m = (nextLong() >>> 32) * bound;
      }
    }
    return (int) (m >>> 32);
  }

  /**
   * A standard normal value by the Box–Muller transform: from u1 = 1 − nextDouble() (in (0, 1])
   * and u2 = nextDouble(), r = √(−2 ln u1), θ = 2π u2, it returns r cos θ and caches r sin θ
   * for the next call.
   */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double r = StrictMath.sqrt(-2 * StrictMath.log(1 - nextDouble()));
    double theta = 2 * Math.PI * nextDouble();
    spare = r * StrictMath.sin(theta);
    hasSpare = true;
    return r * StrictMath.cos(theta);
  }

  /** The SplitMix64 output function (Stafford's variant 13): a bijective 64-bit mixer. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The 64-bit FNV-1a hash. */
  static long fnv1a64(byte[] bytes) {
    long h = FNV_OFFSET;
    for (byte b : bytes) {
      h = (h ^ (b & 0xFF)) * FNV_PRIME;
    }
    return h;
  }
}
