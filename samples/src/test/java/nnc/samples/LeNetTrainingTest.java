package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.TrainSpec;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.train.DataSpec;
import nnc.runtime.train.Dataset;
import nnc.runtime.train.Datasets;
import nnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * samples/lenet5.nn trained exactly as {@code bin/nnc train samples/lenet5.nn} does (its own
 * epochs, batch, schedule and seed) on the shipped 10k MNIST training images reaches the figure
 * its header promises on the 10k test images. About 20 s of training on this machine.
 */
class LeNetTrainingTest {
  @TempDir
  Path dir;

  @Test
  void lenet5ReachesNinetySevenAndAHalfPercentOnTheMnistTestSet() throws Exception {
    Path file = Path.of("lenet5.nn");
    Elaborator.Model m = Elaborator.compileModel(file);
    Graph g = m.graph();
    long seed = option(g, "seed");
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", seed);
    Path jar = dir.resolve("lenet5.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    try (NnModel model = NnModel.load(jar)) {
      Map<String, Datasets.InputType> types = Datasets.inputTypes(model, "train");
      Datasets.Stats stats = new Datasets.Stats();
      DataSpec d = m.data();
      Dataset train = Datasets.load(d.splits().get("train"), types, stats);
      Dataset test = Datasets.load(d.splits().get("test"), types, stats);
      assertEquals(10_000, train.size());
      assertEquals(10_000, test.size());
      TrainSpec.Call schedule = (TrainSpec.Call) g.train().options().get("schedule");
      var cfg = new Trainer.Config((int) option(g, "epochs"), (int) option(g, "batch"), seed, 0, schedule.name(),
          schedule.args(), Double.NaN, null);
      List<Trainer.Epoch> h = new Trainer(model, train, null, test, cfg).run(Trainer.Listener.NONE);
      double acc = h.getLast().test().get("accuracy");
      assertTrue(acc >= 0.975, "LeNet-5 test accuracy after training: " + acc);
    }
  }

  private static long option(Graph g, String key) {
    return ((Number) g.train().options().get(key)).longValue();
  }
}
