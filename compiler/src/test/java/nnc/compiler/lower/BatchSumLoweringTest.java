package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.ir.Graph;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import org.junit.jupiter.api.Test;

/**
 * A batched matmul summed over its batch axis is one {@link St.GemmSum} call (a convolution's
 * weight gradient, and the same pattern written by hand with each transposition), and computes
 * what the reference interpreter computes through both emitters; a product that is also used
 * elsewhere is stored as before.
 */
class BatchSumLoweringTest {
  private static final String SRC = """
      input x : f32[B, 2, 7, 8]
      input u : f32[B, 5, 9]
      input v : f32[B, 6, 9]
      input w : f32[B, 9, 6]
      input z : f32[B, 9, 5]
      param K : f32[3, 2, 3, 3] = normal(0, 0.5)
      param c : f32[3] = normal(0, 0.5)
      output y = conv2d(x, K, c, padding=1)
      output dots = sum(u @ transpose(v), axis=0)
      output plain = sum(transpose(z) @ w, axis=0)
      t = u @ w
      output kept = t
      output kept_sum = sum(t, axis=0)
      train minimize mean(y * y) with sgd(lr = 0.1)
      """;

  @Test
  void batchSumsAreOneKernelCallAndMatchTheInterpreter() throws Exception {
    Graph g = Elaborator.compile(new SourceText("batchsum.nn", SRC));
    CompiledModel c = ModelCompiler.compile(g, SRC, "test", 3);
    // infer: dots and plain (the kept product t is stored and summed by an ordinary reduction)
    assertEquals(2, gemmSums(c, ModelCompiler.INFER), "batch-summed products in infer");
    // train: the weight gradient of the convolution
    assertEquals(1, gemmSums(c, ModelCompiler.TRAIN), "batch-summed products in train");
    AgainstInterpreter.check(g, c, List.of("y", "dots", "plain", "kept", "kept_sum"), 0.1, 1e-4, 1, 1, 4);
  }

  /** The GemmSum statements in the kernels of one entry. */
  private static int gemmSums(CompiledModel c, String entry) {
    List<String> names = c.program().entries().get(entry);
    int n = 0;
    for (Kernel k : c.program().kernels()) {
      if (names.contains(k.name())) n += count(k.body());
    }
    return n;
  }

  private static int count(List<? extends St> body) {
    int n = 0;
    for (St s : body) {
      if (s instanceof St.GemmSum) n++;
      if (s instanceof St.Loop l) n += count(l.body());
    }
    return n;
  }
}
