package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One loaded model, many threads: 8 threads x 1000 inferences equal the sequential results. */
class ConcurrentInferenceTest {
  @TempDir
  Path dir;

  @Test
  void eightThreadsGetTheSequentialResults() throws Exception {
    Path file = Path.of("mnist_mlp.nn");
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 1);
    Path jar = dir.resolve("m.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    try (NnModel m = NnModel.load(jar)) {
      // Different batch sizes per request, so that threads also use different workspace plans.
      List<Map<String, Tensor>> requests = new ArrayList<>();
      List<float[]> expected = new ArrayList<>();
      for (int r = 0; r < 16; r++) {
        Map<String, Tensor> in = nnc.compiler.autodiff.RandomInputs.of(g, 1 + r % 5, r);
        requests.add(Map.of("x", in.get("x")));
        expected.add(m.infer(requests.get(r)).get("probs").floats());
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            int checked = 0;
            for (int i = 0; i < 1000; i++) {
              int r = (thread * 7 + i) % requests.size();
              assertArrayEquals(expected.get(r), m.infer(requests.get(r)).get("probs").floats(), "request " + r);
              checked++;
            }
            return checked;
          }));
        }
        int total = 0;
        for (Future<Integer> f : done) total += f.get();
        assertEquals(8000, total);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
