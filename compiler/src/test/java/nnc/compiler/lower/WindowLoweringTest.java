package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.ir.Graph;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unfold and fold kernels (strided copies and strided accumulation) through both emitters against
 * the reference interpreter, for several sizes, strides, dilations and paddings. The forward pass
 * of two stacked convolutions and a max pooling unfolds; the training step folds (the input
 * gradient of the second convolution and of the pooling), so one SGD step checks both kernels.
 */
class WindowLoweringTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // H, W, kernel, stride, dilation, padding
        Arguments.of(6, 6, "[3,3]", "1", "1", "0"),
        Arguments.of(7, 9, "[3,2]", "[2,1]", "1", "1"),
        Arguments.of(9, 8, "3", "2", "[2,1]", "[1,2]"),
        Arguments.of(11, 10, "[2,3]", "3", "2", "2"),
        Arguments.of(5, 19, "[1,4]", "[1,2]", "[1,3]", "0"));
  }

  @ParameterizedTest(name = "{0}x{1} kernel {2} stride {3} dilation {4} padding {5}")
  @MethodSource("cases")
  void bothEmittersComputeWhatTheInterpreterComputes(int h, int w, String k, String s, String d, String p) throws Exception {
    String src = """
        input x : f32[B, 2, %d, %d]
        param K1 : f32[4, 1, %s] = normal(0, 0.5)
        param K2 : f32[3, 2, 2, 2] = normal(0, 0.5)
        a = tanh(conv2d(x, K1, stride=%s, dilation=%s, padding=%s, groups=2))
        output y = conv2d(max_pool2d(a, 2, stride=1, padding=1), K2, stride=[1, 2], groups=1)
        train minimize mean(y * y) with sgd(lr = 0.1)
        """.formatted(h, w, kernelDims(k), s, d, p).replace("K2 : f32[3, 2,", "K2 : f32[3, 4,");
    Graph g = Elaborator.compile(new SourceText("windows.nn", src));
    CompiledModel c = ModelCompiler.compile(g, src, "test", 3);
    assertTrue(c.program().kernels().stream().anyMatch(kn -> kn.name().endsWith("_unfold")), "no unfold kernel");
    assertTrue(c.program().kernels().stream().anyMatch(kn -> kn.name().endsWith("_fold")), "no fold kernel");
    AgainstInterpreter.check(g, c, List.of("y"), 0.1, 1e-4, 0, 1, 3);
  }

  /** Unit-stride windows vectorize; a strided column index must leave the loop scalar. */
  @ParameterizedTest(name = "stride {0}")
  @MethodSource("strides")
  void onlyUnitStrideWindowLoopsVectorize(int stride) throws Exception {
    String src = """
        input x : f32[B, 1, 9, 9]
        param K : f32[2, 1, 3, 3] = normal(0, 0.5)
        output y = conv2d(x, K, stride=%d)
        train minimize mean(y * y) with sgd
        """.formatted(stride);
    Graph g = Elaborator.compile(new SourceText("stride.nn", src));
    CompiledModel c = ModelCompiler.compile(g, src, "test", 3);
    int windowKernels = 0;
    for (var kernel : c.program().kernels()) {
      if (!(kernel.name().endsWith("_unfold") || kernel.name().endsWith("_fold"))) continue;
      windowKernels++;
      for (St.ElementLoop loop : elementLoops(kernel.body())) {
        if (loop.var().equals("z")) continue; // zeroing the fold's output
        assertTrue(Vectorizer.canVectorize(loop) == (stride == 1), kernel.name() + " stride " + stride);
      }
    }
    assertTrue(windowKernels >= 1, "no window kernels");
  }

  static Stream<Integer> strides() {
    return Stream.of(1, 2);
  }

  private static List<St.ElementLoop> elementLoops(List<St> body) {
    List<St.ElementLoop> out = new java.util.ArrayList<>();
    for (St s : body) {
      if (s instanceof St.ElementLoop e) out.add(e);
      if (s instanceof St.Loop l) out.addAll(elementLoops(l.body()));
    }
    return out;
  }

  private static String kernelDims(String k) {
    return k.startsWith("[") ? k.substring(1, k.length() - 1) : k + ", " + k;
  }
}
