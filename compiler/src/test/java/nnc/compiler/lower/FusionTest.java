package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.kernel.Kernel;
import nnc.runtime.model.ArenaPlanner;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.Test;

/** Issue 5's acceptance on mnist_mlp's training step: no standalone elementwise kernel, a small workspace. */
class FusionTest {
  static CompiledModel mnist() throws Exception {
    Path file = Path.of("../samples/mnist_mlp.nn");
    Graph g = Elaborator.compile(file);
    return ModelCompiler.compile(g, Files.readString(file), "test", 0);
  }

  static List<Kernel> kernels(CompiledModel c, String entry) {
    List<String> names = c.program().entries().get(entry);
    return c.program().kernels().stream().filter(k -> names.contains(k.name())).toList();
  }

  @Test
  void everyElementwiseOpOfTheTrainingStepIsFused() throws Exception {
    for (Kernel k : kernels(mnist(), ModelCompiler.TRAIN)) {
      if (!k.kind().equals("elementwise")) continue;
      boolean oneOp = !k.describe().contains("; fused:") && !k.describe().contains("; also stores");
      assertTrue(!oneOp, "standalone elementwise kernel: " + k.describe());
    }
  }

  @Test
  void biasAndReluAreTheEpilogueOfTheFirstMatmul() throws Exception {
    Kernel first = kernels(mnist(), ModelCompiler.INFER).get(0);
    assertEquals("matmul+epilogue", first.kind());
    assertTrue(first.describe().contains("relu") && first.describe().contains("fused: %7 add"), first.describe());
  }

  @Test
  void plainSgdIsFusedIntoTheWeightGradientsSoTheyAreNeverStored() throws Exception {
    CompiledModel c = mnist();
    long fused = kernels(c, ModelCompiler.TRAIN).stream().filter(k -> k.kind().endsWith("+update")).count();
    assertEquals(4, fused); // W1, W2 into their matmuls; b1, b2 into their reductions
    Manifest.Entry train = c.manifest().entry(ModelCompiler.TRAIN);
    for (Manifest.BufferSpec b : train.buffers()) {
      assertTrue(b.fixed() * (b.dims().isEmpty() ? 1 : 64) < 784 * 500, "a weight-sized buffer remains: " + b);
    }
  }

  @Test
  void plannedWorkspaceIsWellBelowOneBufferPerNode() throws Exception {
    CompiledModel c = mnist();
    Map<String, Integer> dims = Map.of("B", 64);
    ArenaPlanner.Plan plan = ArenaPlanner.plan(c.manifest().entry(ModelCompiler.TRAIN).buffers(), dims);
    long naive = c.naiveBytes(ModelCompiler.TRAIN, dims);
    assertTrue(4 * plan.size() < naive / 2, "planned " + 4 * plan.size() + " bytes, one buffer per node " + naive);
  }
}
