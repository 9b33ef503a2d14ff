package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaCompilation;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.ModelCode;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The acceptance test of the backend: for every sample, the reference interpreter, the ASM
 * classes (loaded from the model JAR through the runtime) and the JavaPoet source (compiled in
 * process) agree on every output, the objective and every updated parameter and model state, at
 * batch 1, 7, 64 (the training step against the interpreter in training mode).
 */
class CompiledSamplesTest {
  static final double TOLERANCE = 1e-4;

  @TempDir
  Path dir;

  static java.util.stream.Stream<String> samples() throws Exception {
    return SamplesTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void interpreterAsmAndJavaSourceAgree(String name) throws Exception {
    Path file = Path.of(name + ".nn");
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 5);
    byte[] bytes = AsmEmitter.emit(c.program());
    AsmEmitter.verify(bytes);
    Path jar = dir.resolve(name + ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), bytes), Files.readString(file));
    ModelCode javaCode = JavaCompilation.load(c.program());
    Map<String, NDArray> params = Parameters.initial(g, 5);
    // The training step's reference: the loss in training mode (batch norm on batch statistics)
    // and the new value of every model state.
    Map<String, Node> gradRoots = new java.util.LinkedHashMap<>();
    if (g.train() != null) {
      gradRoots.putAll(GradientGraph.roots(g, List.of()));
      gradRoots.putAll(g.train().stateUpdates());
    }
    for (int batch : new int[] {1, 7, 64}) {
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, 100 + batch);
      Map<String, NDArray> nd = new HashMap<>();
      inputs.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
      String at = name + " at batch " + batch;
      try (NnModel asm = NnModel.load(jar)) {
        Executor java = new Executor(c.manifest(), javaCode, c.pInit().clone());
        if (!g.outputs().isEmpty()) {
          Map<String, NDArray> want = new Interpreter(g, nd, params, false).run(g.outputs());
          Map<String, Tensor> fromAsm = asm.infer(inputs), fromJava = java.run(ModelCompiler.INFER, inputs);
          for (String o : g.outputs().keySet()) {
            assertClose(at + ": ASM " + o, want.get(o).data(), fromAsm.get(o));
            assertClose(at + ": Java source " + o, want.get(o).data(), fromJava.get(o));
          }
        }
        if (g.train() != null) {
          // Dropout's noise is given, so that all three draw the same masks.
          Map<String, Tensor> trainInputs = new java.util.LinkedHashMap<>(inputs);
          trainInputs.putAll(nnc.compiler.autodiff.RandomInputs.noise(gradRoots.values(), batch, batch));
          Map<String, NDArray> trainNd = new HashMap<>();
          trainInputs.forEach((k, v) -> trainNd.put(k, NDArray.fromTensor(v)));
          Map<String, NDArray> want = new Interpreter(g, trainNd, params, false).training(true).run(gradRoots);
          float lossAsm = asm.trainStep(trainInputs);
          float lossJava = java.run(ModelCompiler.TRAIN, trainInputs).get("loss").floats()[0];
          assertClose(at + ": ASM loss", want.get("loss").data(), Tensor.of(new float[] {lossAsm}));
          assertClose(at + ": Java source loss", want.get("loss").data(), Tensor.of(new float[] {lossJava}));
          // Both backends took the same update from the same start: their parameters agree.
          Map<String, Tensor> pAsm = asm.parameters();
          for (Manifest.Slot s : c.manifest().params()) {
            float[] pj = java.parameters();
            double[] viaJava = new double[s.size()];
            for (int i = 0; i < s.size(); i++) viaJava[i] = pj[s.offset() + i];
            assertClose(at + ": updated " + s.name(), viaJava, pAsm.get(s.name()));
          }
          // Model state (running statistics): both backends wrote what the interpreter computes.
          Map<String, Tensor> stateAsm = asm.modelState();
          for (Manifest.Slot s : c.manifest().modelState()) {
            float[] pj = java.parameters();
            double[] viaJava = new double[s.size()];
            for (int i = 0; i < s.size(); i++) viaJava[i] = pj[s.offset() + i];
            assertClose(at + ": state " + s.name() + " (ASM)", want.get(s.name()).data(), stateAsm.get(s.name()));
            assertClose(at + ": state " + s.name() + " (Java source)", want.get(s.name()).data(), Tensor.of(viaJava, s.size()));
          }
        }
      }
    }
  }

  static void assertClose(String what, double[] expected, Tensor actual) {
    assertEquals(expected.length, actual.size(), what);
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual.getDouble(i);
      double err = Math.abs(e - a) / Math.max(1, Math.abs(e));
      assertTrue(err <= TOLERANCE || (Double.isNaN(e) && Double.isNaN(a)), what + "[" + i + "]: expected " + e + ", got " + a);
    }
  }
}
