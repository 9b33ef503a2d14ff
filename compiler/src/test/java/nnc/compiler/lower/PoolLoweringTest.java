package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.ir.Graph;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import org.junit.jupiter.api.Test;

/**
 * Pooling reductions and masks lowered as one vector loop over the flattened positions
 * ({@link Pools}): max, average and a 3x3 max with padding, on ReLU outputs full of exact zeros so
 * that windows tie; the per-position bias t (zero at first) receives the gradient of exactly the
 * window elements the masks pick, so after one SGD step t shows whether the compiled mask picked
 * the first maximum, as the interpreter does. Both emitters, against the reference interpreter.
 */
class PoolLoweringTest {
  private static final String SRC = """
      input x : f32[B, 3, 6, 8]
      param s : f32[3, 1, 1] = normal(0, 1)
      param t : f32[6, 8] = zeros
      r = relu(x * s) + t
      output mp = max_pool2d(r, 2)
      output ap = avg_pool2d(r, [2, 4])
      output mp3 = max_pool2d(r, 3, stride=1, padding=1)
      train minimize mean(mp) + mean(ap * ap) + mean(mp3) with sgd(lr = 0.5)
      """;

  @Test
  void poolsAreVectorLoopsOverPositionsAndMatchTheInterpreter() throws Exception {
    Graph g = Elaborator.compile(new SourceText("pools.nn", SRC));
    CompiledModel c = ModelCompiler.compile(g, SRC, "test", 3);
    assertTrue(positionLoops(c, ModelCompiler.INFER) >= 3, "pooling reductions as position loops in infer");
    assertTrue(positionLoops(c, ModelCompiler.TRAIN) >= 5, "pooling reductions and masks as position loops in train");
    AgainstInterpreter.check(g, c, List.of("mp", "ap", "mp3"), 0.5, 1e-5, 7, 1, 5);
  }

  /** Kernels of an entry with a vector loop over flattened pooling positions. */
  private static int positionLoops(CompiledModel c, String entry) {
    List<String> names = c.program().entries().get(entry);
    int n = 0;
    for (Kernel k : c.program().kernels()) if (names.contains(k.name()) && hasPositionLoop(k.body())) n++;
    return n;
  }

  private static boolean hasPositionLoop(List<? extends St> body) {
    for (St s : body) {
      if (s instanceof St.ElementLoop l && l.var().equals("pos")) return true;
      if (s instanceof St.Loop l && hasPositionLoop(l.body())) return true;
    }
    return false;
  }
}
