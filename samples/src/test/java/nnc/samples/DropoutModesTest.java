package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.RandomInputs;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train/eval modes without recompiling: one compiled model drops units in its training step and
 * passes them through in inference and evaluation.
 */
class DropoutModesTest {
  static final String MODEL = """
      input x : f32[B, 8]
      input y : i32[B]
      param W1 : f32[8, 16] = xavier_normal
      param W2 : f32[16, 3] = xavier_normal
      h = dropout(relu(x @ W1), 0.4)
      logits = h @ W2
      output probs = softmax(logits)
      loss = cross_entropy(logits, y)
      train minimize loss with sgd(lr = 0.1)
      """;

  @TempDir
  Path dir;

  @Test
  void inferenceIsTheIdentityAndTheStepDropsWithTheNoiseItIsGiven() throws Exception {
    Graph g = Elaborator.compile(new SourceText("drop.nn", MODEL));
    CompiledModel c = ModelCompiler.compile(g, MODEL, "test", 1);
    Path jar = dir.resolve("drop.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), MODEL);
    Map<String, Tensor> in = RandomInputs.of(g, 6, 2);
    Map<String, NDArray> nd = new HashMap<>();
    in.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
    Map<String, NDArray> params = Parameters.initial(g, 1);
    try (NnModel m = NnModel.load(jar)) {
      // Inference: dropout is the identity, exactly the interpreter in evaluation mode.
      double[] want = new Interpreter(g, nd, params, false).run(g.outputs()).get("probs").data();
      float[] got = m.infer(Map.of("x", in.get("x"))).get("probs").floats();
      for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6);
      assertArrayEquals(got, m.infer(Map.of("x", in.get("x"))).get("probs").floats(), "inference is deterministic");

      // Training step with given noise: the interpreter in training mode with the same noise.
      Rng rng = new Rng(5);
      float[] u = new float[6 * 16];
      for (int i = 0; i < u.length; i++) u[i] = (float) rng.nextDouble();
      Map<String, Tensor> withNoise = new LinkedHashMap<>(in);
      withNoise.put("noise.0", Tensor.of(u, 6, 16));
      Map<String, NDArray> ndNoise = new HashMap<>(nd);
      ndNoise.put("noise.0", NDArray.fromTensor(withNoise.get("noise.0")));
      double lossTraining = new Interpreter(g, ndNoise, params, false).training(true)
          .run(Map.of("loss", g.train().objective())).get("loss").scalar();
      double lossEval = new Interpreter(g, nd, params, false).run(Map.of("loss", g.train().objective())).get("loss").scalar();
      assertNotEquals(lossEval, lossTraining, 1e-6);
      assertEquals(lossTraining, m.trainStep(withNoise), 1e-5);
    }
  }

  @Test
  void theRuntimeDrawsFreshMasksAndCheckpointsItsGenerator() throws Exception {
    Graph g = Elaborator.compile(new SourceText("drop.nn", MODEL));
    CompiledModel c = ModelCompiler.compile(g, MODEL, "test", 1);
    Path jar = dir.resolve("drop.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), MODEL);
    Map<String, Tensor> in = RandomInputs.of(g, 6, 2);
    Path ckpt = dir.resolve("c.safetensors");
    float[] after;
    try (NnModel a = NnModel.load(jar)) {
      a.saveCheckpoint(ckpt);
      float first = a.trainStep(in);
      a.restore(NnModel.load(jar).snapshot());
      assertNotEquals(first, a.trainStep(in), "a second step draws another mask");
      after = a.snapshot();
    }
    try (NnModel b = NnModel.load(jar)) {
      b.loadCheckpoint(ckpt); // same parameters and noise generator as a had before its first step
      b.trainStep(in);
      b.restore(NnModel.load(jar).snapshot());
      b.trainStep(in);
      assertArrayEquals(after, b.snapshot(), "resumed from the checkpoint, the same masks are drawn");
    }
    assertEquals(List.of("x", "y"), NnModel.load(jar).inputNames("train"));
  }
}
