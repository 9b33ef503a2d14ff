package nnc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.ir.Graph;
import nnc.runtime.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * conv2d and max_pool2d against the textbook definitions, computed here by direct loops over the
 * output (no unfold, no padding copy: out-of-range taps are skipped or count as -inf), for
 * strides, paddings, dilations and groups; and a 1x1 convolution equals a linear layer applied
 * to the channel vector of every pixel.
 */
class ConvolutionReferenceTest {
  private static final int N = 2;

  static Stream<Arguments> convCases() {
    return Stream.of(
        // C, O, H, W, kh, kw, sh, sw, ph, pw, dh, dw, groups
        Arguments.of(1, 2, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1),
        Arguments.of(2, 3, 7, 6, 3, 2, 2, 1, 1, 0, 1, 1, 1),
        Arguments.of(2, 2, 7, 7, 2, 3, 1, 2, 1, 2, 2, 2, 1),
        Arguments.of(4, 6, 6, 5, 3, 3, 2, 2, 1, 1, 1, 2, 2),
        Arguments.of(6, 3, 5, 8, 1, 3, 1, 3, 0, 1, 1, 1, 3));
  }

  @ParameterizedTest
  @MethodSource("convCases")
  void conv2dMatchesTheDirectSum(int c, int o, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
      int dw, int groups) throws Exception {
    int cg = c / groups;
    String src = """
        input x : f64[B, %d, %d, %d]
        input k : f64[%d, %d, %d, %d]
        input b : f64[%d]
        output y = conv2d(x, k, b, stride=[%d, %d], padding=[%d, %d], dilation=[%d, %d], groups=%d)
        """.formatted(c, h, w, o, cg, kh, kw, o, sh, sw, ph, pw, dh, dw, groups);
    Random rnd = new Random(c * 31 + o);
    double[] x = random(rnd, N * c * h * w), k = random(rnd, o * cg * kh * kw), b = random(rnd, o);
    NDArray y = run(src, Map.of("x", nd(x, N, c, h, w), "k", nd(k, o, cg, kh, kw), "b", nd(b, o)));
    int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    assertArrayEquals(new int[] {N, o, oh, ow}, y.shape());
    double[] want = new double[N * o * oh * ow];
    for (int n = 0; n < N; n++) {
      for (int q = 0; q < o; q++) {
        int group = q / (o / groups);
        for (int p = 0; p < oh; p++) {
          for (int r = 0; r < ow; r++) {
            double s = b[q];
            for (int ci = 0; ci < cg; ci++) {
              int ch = group * cg + ci;
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int row = p * sh - ph + i * dh, col = r * sw - pw + j * dw;
                  if (row < 0 || row >= h || col < 0 || col >= w) continue; // zero padding
                  s += x[((n * c + ch) * h + row) * w + col] * k[((q * cg + ci) * kh + i) * kw + j];
                }
              }
            }
            want[((n * o + q) * oh + p) * ow + r] = s;
          }
        }
      }
    }
    assertArrayEquals(want, y.data(), 1e-12);
  }

  static Stream<Arguments> poolCases() {
    return Stream.of(
        // H, W, kh, kw, sh, sw, ph, pw
        Arguments.of(4, 4, 2, 2, 2, 2, 0, 0),
        Arguments.of(5, 7, 3, 3, 2, 2, 1, 1),
        Arguments.of(6, 5, 2, 3, 1, 2, 1, 1),
        Arguments.of(7, 6, 3, 2, 3, 1, 0, 1));
  }

  @ParameterizedTest
  @MethodSource("poolCases")
  void maxPool2dMatchesTheDirectMaximum(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) throws Exception {
    int c = 3;
    String src = """
        input x : f64[B, %d, %d, %d]
        output y = max_pool2d(x, [%d, %d], stride=[%d, %d], padding=[%d, %d])
        """.formatted(c, h, w, kh, kw, sh, sw, ph, pw);
    // Negative values: a padded zero taking part would show.
    double[] x = random(new Random(h * 7 + w), N * c * h * w);
    for (int i = 0; i < x.length; i++) x[i] = -1 - Math.abs(x[i]);
    NDArray y = run(src, Map.of("x", nd(x, N, c, h, w)));
    int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
    assertArrayEquals(new int[] {N, c, oh, ow}, y.shape());
    double[] want = new double[N * c * oh * ow];
    for (int nc = 0; nc < N * c; nc++) {
      for (int p = 0; p < oh; p++) {
        for (int r = 0; r < ow; r++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
              int row = p * sh - ph + i, col = r * sw - pw + j;
              if (row >= 0 && row < h && col >= 0 && col < w) m = Math.max(m, x[(nc * h + row) * w + col]);
            }
          }
          want[(nc * oh + p) * ow + r] = m;
        }
      }
    }
    assertArrayEquals(want, y.data(), 0);
  }

  /** A 1x1 convolution is the linear map x[n, :, i, j] @ W on every pixel's channel vector. */
  @Test
  void oneByOneConvolutionIsALinearLayerOnTheChannels() throws Exception {
    String src = """
        input x : f64[B, 5, 3, 4]
        input W : f64[5, 7]
        input b : f64[7]
        output conv = conv2d(x, reshape(transpose(W), [7, 5, 1, 1]), b)
        output linear = transpose(transpose(x, [0, 2, 3, 1]) @ W + b, [0, 3, 1, 2])
        """;
    Random rnd = new Random(11);
    Map<String, NDArray> in = Map.of("x", nd(random(rnd, N * 5 * 3 * 4), N, 5, 3, 4), "W", nd(random(rnd, 35), 5, 7),
        "b", nd(random(rnd, 7), 7));
    Graph g = Elaborator.compile(new SourceText("one_by_one.nn", src));
    Map<String, NDArray> out = new Interpreter(g, in, Map.of(), false).run(g.outputs());
    assertArrayEquals(new int[] {N, 7, 3, 4}, out.get("conv").shape());
    assertArrayEquals(out.get("linear").shape(), out.get("conv").shape());
    assertArrayEquals(out.get("linear").data(), out.get("conv").data(), 1e-12);
    assertEquals(N * 7 * 3 * 4, out.get("conv").size());
  }

  private static NDArray run(String src, Map<String, NDArray> inputs) throws Exception {
    Graph g = Elaborator.compile(new SourceText("reference.nn", src));
    return new Interpreter(g, inputs, Map.of(), false).run(g.outputs()).get("y");
  }

  private static double[] random(Random rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
    return v;
  }

  private static NDArray nd(double[] data, int... shape) {
    return new NDArray(DType.F64, shape, data);
  }
}
