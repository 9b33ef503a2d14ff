package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaCompilation;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.io.SafeTensors;
import nnc.runtime.io.TensorFormatException;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch_norm's two modes and its running statistics, against values computed here by hand with
 * PyTorch's formulas: the training step normalizes by the batch (biased variance) and moves
 * running = 0.9 running + 0.1 batch_stat (unbiased variance); inference and evaluation normalize by
 * the running statistics. Checked through the ASM bytecode (the runtime), the JavaPoet source and
 * the reference interpreter, for [N, C] and [N, C, H, W] inputs, and through checkpoints.
 */
class BatchNormTest {
  static final double EPS = 1e-5, MOMENTUM = 0.1;

  /** x: [B, C, S] where S is H*W flattened (S = 1 for the 1-D form); the loss is mse against t. */
  static String model(String xType, int channels) {
    return """
        input x : %s
        input t : %s
        param g : f32[%d] = 1.5
        param bt : f32[%d] = 0.25
        state rm : f32[%d] = zeros
        state rv : f32[%d] = ones
        output y = batch_norm(x, g, bt, rm, rv)
        train minimize mse(y, t) with sgd(lr = 0.1)
        """.formatted(xType, xType, channels, channels, channels, channels);
  }

  @TempDir
  Path dir;

  /** Deterministic, uneven data: batch k of n rows. */
  static float[] data(int k, int size, double scale) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) v[i] = (float) (scale * Math.sin(1.7 * i + 3.1 * k) + 0.3 * k + 0.05 * i);
    return v;
  }

  /** Per channel c of x laid out [n, C, S]: {mean, biased variance}, in double. */
  static double[][] stats(float[] x, int n, int c, int s) {
    double[][] out = new double[c][2];
    for (int ch = 0; ch < c; ch++) {
      double sum = 0, ss = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sum += x[(i * c + ch) * s + j];
      double mean = sum / (n * s);
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) ss += Math.pow(x[(i * c + ch) * s + j] - mean, 2);
      out[ch][0] = mean;
      out[ch][1] = ss / (n * s);
    }
    return out;
  }

  /** gamma (x - mean) / sqrt(var + eps) + beta per channel. */
  static double[] normalize(float[] x, int c, int s, double[] mean, double[] var, double[] gamma, double[] beta) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      int ch = (i / s) % c;
      y[i] = gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(var[ch] + EPS) + beta[ch];
    }
    return y;
  }

  static double mse(double[] y, float[] t) {
    double s = 0;
    for (int i = 0; i < y.length; i++) s += (y[i] - t[i]) * (y[i] - t[i]);
    return s / y.length;
  }

  private record Compiled(Graph g, CompiledModel c, Path jar) {}

  private Compiled compile(String text) throws Exception {
    Graph g = Elaborator.compile(new SourceText("bn.nn", text));
    CompiledModel c = ModelCompiler.compile(g, text, "test", 3);
    Path jar = dir.resolve("bn" + System.nanoTime() + ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), text);
    return new Compiled(g, c, jar);
  }

  @Test
  void oneDimensionalRunningStatisticsFollowPyTorchsFormula() throws Exception {
    checkModes("f32[B, 3]", new int[] {3}, 3, 1);
  }

  @Test
  void twoDimensionalStatisticsArePerChannelOverBatchHeightAndWidth() throws Exception {
    checkModes("f32[B, 2, 2, 3]", new int[] {2, 2, 3}, 2, 6);
  }

  /**
   * Three training steps on known batches: after each, the running statistics of the compiled
   * model (ASM and Java source) and of the interpreter equal the formula; the step's loss uses
   * the batch statistics, inference and evaluation the running ones.
   */
  private void checkModes(String xType, int[] featureShape, int c, int s) throws Exception {
    Compiled m = compile(model(xType, c));
    int n = 5, size = n * c * s;
    int[] shape = new int[featureShape.length + 1];
    shape[0] = n;
    System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
    Executor viaJava = new Executor(m.c().manifest(), JavaCompilation.load(m.c().program()), m.c().pInit().clone());
    Map<String, NDArray> interpParams = new HashMap<>(Parameters.initial(m.g(), 3));
    double[] rm = new double[c], rv = new double[c];
    java.util.Arrays.fill(rv, 1);
    try (NnModel asm = NnModel.load(m.jar())) {
      for (int step = 0; step < 3; step++) {
        float[] x = data(step, size, 2 + step), t = data(step + 7, size, 1);
        Map<String, Tensor> in = Map.of("x", Tensor.of(x, shape), "t", Tensor.of(t, shape));
        double[] gamma = asm.parameters().get("g").toDoubles(), beta = asm.parameters().get("bt").toDoubles();
        double[][] st = stats(x, n, c, s);
        double[] mean = new double[c], biased = new double[c];
        for (int ch = 0; ch < c; ch++) {
          mean[ch] = st[ch][0];
          biased[ch] = st[ch][1];
        }
        // evaluation and inference: the running statistics as they are before this step
        double[] yEval = normalize(x, c, s, rm, rv, gamma, beta);
        assertClose("infer, step " + step, yEval, asm.infer(Map.of("x", in.get("x"))).get("y").toDoubles(), 1e-5);
        assertEquals(mse(yEval, t), asm.evaluate(in).get("loss"), 1e-5 * Math.max(1, mse(yEval, t)), "eval loss");
        // the training step: the batch statistics
        double trainLoss = mse(normalize(x, c, s, mean, biased, gamma, beta), t);
        assertTrue(Math.abs(trainLoss - mse(yEval, t)) > 1e-3, "the two modes must differ for this test to mean anything");
        Map<String, NDArray> nd = new HashMap<>();
        in.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
        Map<String, Node> updates = m.g().train().stateUpdates();
        Map<String, Node> roots = new LinkedHashMap<>(updates);
        roots.put("loss", m.g().train().objective());
        // the interpreter starts each step from the compiled model's parameters and its own statistics
        asm.parameters().forEach((k, v) -> interpParams.put(k, NDArray.fromTensor(v)));
        Map<String, NDArray> interp = new Interpreter(m.g(), nd, interpParams, true).training(true).run(roots);
        assertEquals(trainLoss, asm.trainStep(in), 1e-5 * Math.max(1, trainLoss), "train loss, ASM");
        assertEquals(trainLoss, viaJava.run(ModelCompiler.TRAIN, in).get("loss").floats()[0], 1e-5 * Math.max(1, trainLoss), "Java source");
        assertEquals(trainLoss, interp.get("loss").scalar(), 1e-9 * Math.max(1, trainLoss), "interpreter");
        int count = n * s;
        for (int ch = 0; ch < c; ch++) {
          rm[ch] = (1 - MOMENTUM) * rm[ch] + MOMENTUM * mean[ch];
          rv[ch] = (1 - MOMENTUM) * rv[ch] + MOMENTUM * biased[ch] * count / (count - 1);
        }
        Map<String, Tensor> state = asm.modelState();
        assertClose("running mean after step " + step + " (ASM)", rm, state.get("rm").toDoubles(), 1e-5);
        assertClose("running var after step " + step + " (ASM)", rv, state.get("rv").toDoubles(), 1e-5);
        assertClose("running mean (Java source)", rm, slot(viaJava, m.c().manifest(), "rm"), 1e-5);
        assertClose("running var (Java source)", rv, slot(viaJava, m.c().manifest(), "rv"), 1e-5);
        assertClose("running mean (interpreter)", rm, interp.get("rm").data(), 1e-9);
        assertClose("running var (interpreter)", rv, interp.get("rv").data(), 1e-9);
        interpParams.put("rm", interp.get("rm"));
        interpParams.put("rv", interp.get("rv"));
      }
    }
  }

  private static double[] slot(Executor e, Manifest m, String name) {
    Manifest.Slot s = m.modelState().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    float[] p = e.parameters();
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) out[i] = p[s.offset() + i];
    return out;
  }

  /**
   * The 2-D form after a trained layer (as in a CNN block): the training step's gradient flows
   * through the batch statistics into the layer below. One SGD step of the ASM code and of the
   * Java source equals p - lr * grad with the gradient from the interpreter in training mode.
   */
  @Test
  void gradientThroughTwoDimensionalBatchStatisticsUpdatesTheLayerBelow() throws Exception {
    String text = """
        input x : f32[B, 2, 3, 3]
        input t : f32[B, 2, 3, 3]
        param k : f32[2, 3, 3] = normal(1, 0.5)
        param g : f32[2] = 1.5
        param bt : f32[2] = 0.25
        state rm : f32[2] = zeros
        state rv : f32[2] = ones
        output y = batch_norm(tanh(x * k), g, bt, rm, rv)
        train minimize mse(y * y, t) with sgd(lr = 0.1)
        """;
    Compiled m = compile(text);
    int[] shape = {4, 2, 3, 3};
    Map<String, Tensor> in = Map.of("x", Tensor.of(data(1, 72, 1.5), shape), "t", Tensor.of(data(2, 72, 1), shape));
    Map<String, NDArray> nd = new HashMap<>();
    in.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
    Map<String, NDArray> params = Parameters.initial(m.g(), 3);
    Map<String, Node> roots = nnc.compiler.autodiff.GradientGraph.roots(m.g(), java.util.List.of());
    Map<String, NDArray> want = new Interpreter(m.g(), nd, params, true).training(true).run(roots);
    Executor viaJava = new Executor(m.c().manifest(), JavaCompilation.load(m.c().program()), m.c().pInit().clone());
    viaJava.run(ModelCompiler.TRAIN, in);
    try (NnModel asm = NnModel.load(m.jar())) {
      asm.trainStep(in);
      for (String p : java.util.List.of("k", "g", "bt")) {
        double[] p0 = params.get(p).data(), grad = want.get("grad." + p).data(), expected = new double[p0.length];
        for (int i = 0; i < p0.length; i++) expected[i] = p0[i] - 0.1 * grad[i];
        assertTrue(java.util.Arrays.stream(grad).anyMatch(v -> Math.abs(v) > 1e-3), "a gradient that means something: " + p);
        assertClose("ASM " + p, expected, asm.parameters().get(p).toDoubles(), 1e-5);
        Manifest.Slot s = m.c().manifest().params().stream().filter(x -> x.name().equals(p)).findFirst().orElseThrow();
        double[] j = new double[s.size()];
        for (int i = 0; i < j.length; i++) j[i] = viaJava.parameters()[s.offset() + i];
        assertClose("Java source " + p, expected, j, 1e-5);
      }
    }
  }

  @Test
  void checkpointsAndSnapshotsCarryTheRunningStatistics() throws Exception {
    Compiled m = compile(model("f32[B, 3]", 3));
    Path ckpt = dir.resolve("bn.safetensors");
    Map<String, Tensor> in = Map.of("x", Tensor.of(data(0, 12, 2), 4, 3), "t", Tensor.of(data(1, 12, 1), 4, 3));
    Map<String, Tensor> x = Map.of("x", in.get("x"));
    float[] inferred, before;
    Map<String, Tensor> trained;
    try (NnModel a = NnModel.load(m.jar())) {
      before = a.snapshot();
      a.trainStep(in);
      a.trainStep(in);
      a.saveCheckpoint(ckpt);
      trained = a.modelState();
      inferred = a.infer(x).get("y").floats();
      a.restore(before);
      assertArrayEquals(new float[] {0, 0, 0}, a.modelState().get("rm").floats(), "restore puts the running statistics back too");
    }
    assertTrue(SafeTensors.read(ckpt).containsKey("rm"), "the checkpoint holds the running mean");
    try (NnModel b = NnModel.load(m.jar())) {
      b.loadCheckpoint(ckpt);
      for (String k : trained.keySet()) assertArrayEquals(trained.get(k).floats(), b.modelState().get(k).floats(), 0f, k);
      assertArrayEquals(inferred, b.infer(x).get("y").floats(), 0f, "inference after loading uses the loaded statistics");
      // A checkpoint of parameters only (written for a model without batch norm's state) is refused whole.
      Path old = dir.resolve("old.safetensors");
      Map<String, Tensor> paramsOnly = new LinkedHashMap<>(SafeTensors.read(ckpt));
      paramsOnly.remove("rm");
      paramsOnly.remove("rv");
      SafeTensors.write(old, paramsOnly);
      TensorFormatException e = assertThrows(TensorFormatException.class, () -> b.loadCheckpoint(old));
      assertTrue(e.getMessage().contains("has no tensor 'rm'") && e.getMessage().contains("model state"), e.getMessage());
      assertArrayEquals(inferred, b.infer(x).get("y").floats(), 0f, "a refused checkpoint changes nothing");
    }
    // The interpreter reads the statistics from the same file (nnc run/eval --params).
    Map<String, NDArray> p = Parameters.read(m.g(), ckpt);
    assertArrayEquals(trained.get("rv").toDoubles(), p.get("rv").data(), 0);
  }

  /** momentum = 0 freezes the statistics; a parameter in place of a state is a compile error naming the fix. */
  @Test
  void statisticsMustBeStateAndMomentumZeroFreezesThem() throws Exception {
    Compiled m = compile(model("f32[B, 3]", 3).replace("batch_norm(x, g, bt, rm, rv)", "batch_norm(x, g, bt, rm, rv, momentum = 0)"));
    try (NnModel a = NnModel.load(m.jar())) {
      a.trainStep(Map.of("x", Tensor.of(data(0, 12, 2), 4, 3), "t", Tensor.of(data(1, 12, 1), 4, 3)));
      assertArrayEquals(new float[] {1, 1, 1}, a.modelState().get("rv").floats());
    }
    String bad = model("f32[B, 3]", 3).replace("state rm", "param rm");
    var e = assertThrows(nnc.compiler.frontend.CompilationFailed.class, () -> Elaborator.compile(new SourceText("bad.nn", bad)));
    assertTrue(e.render().contains("bad.nn:7:") && e.render().contains("expects a model state declared with 'state'"), e.render());
  }

  static void assertClose(String what, double[] want, double[] got, double tol) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      assertTrue(Math.abs(want[i] - got[i]) <= tol * Math.max(1, Math.abs(want[i])), what + "[" + i + "]: expected " + want[i] + ", got " + got[i]);
    }
  }
}
