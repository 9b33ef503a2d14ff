package nnc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nnc.compiler.autodiff.GradCheck;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.runtime.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The standard library of layers ({@code import "std/..."}): every layer gradient-checked at first
 * and second order against f64 differences, one LSTM and one GRU step against the equations
 * evaluated here in plain Java, and truncated back-propagation through time cutting exactly where
 * it should.
 */
class StdLayersTest {
  private static final String HEADER = """
      import "std/layers.nn"
      import "std/recurrent.nn"
      input x : f32[B, 4, 6]
      input h : f32[B, 3]
      input c : f32[B, 3]
      """;

  static Graph compile(String text) {
    try {
      return Elaborator.compile(new SourceText("std_test.nn", text));
    } catch (CompilationFailed e) {
      throw new AssertionError(e.render());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "linear(x, 3)", "linear_nobias(x, 3)", "gelu_mlp(x, 5)", "swiglu_mlp(x, 5)",
      "ln(x)", "rms(x)", "dyt_norm(x)",
      "multi_head_attention(x, 2, true)", "multi_head_attention(x, 3, false)",
      "transformer_block(x, 2, true)", "transformer_block_swiglu(x, 2, false)", "transformer_block_dyt(x, 3, true)",
      "mixer_block(x, 3, 5)",
      "stack(rnn_cell(x[:, 0, :], [h, c]))", "stack(lstm_cell(x[:, 0, :], [h, c]))", "stack(gru_cell(x[:, 0, :], [h, c]))",
      "rnn(x, 3)", "lstm(x, 3)", "gru(x, 3)", "rnn_last(x, 3)", "lstm_last(x, 3)", "gru_last(x, 3)",
      "birnn(x, 2)", "bilstm(x, 2)", "bigru(x, 2)"})
  void layerGradientsMatchDifferencesToSecondOrder(String layer) {
    // h and c feed the cells only; elsewhere they get no gradient, zero on both sides.
    Graph g = compile(HEADER + "output loss = sum(sin(" + layer + "))\n");
    GradCheck.Report r = GradCheck.run(g, 3, 2, 2, 1e-6);
    assertTrue(r.passed(), r.table());
    assertTrue(r.rows().stream().anyMatch(row -> row.order() == 2), r.table());
  }

  // ---- one step against the equations -----------------------------------------------------------

  private static final int B = 2, N = 3, H = 4;

  /** Parameters filled with seeded values in (-0.5, 0.5), keyed by the last part of their name. */
  private static Map<String, NDArray> fill(Graph g, Map<String, double[]> bySuffix, Random r) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Leaf.Param p : g.params()) {
      int[] shape = p.shape().concrete(Map.of());
      String key = p.name().substring(p.name().lastIndexOf('.') + 1);
      double[] v = bySuffix.computeIfAbsent(key, k -> random(NDArray.size(shape), r));
      out.put(p.name(), new NDArray(DType.F64, shape, v));
    }
    return out;
  }

  private static double[] random(int n, Random r) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.nextDouble() - 0.5;
    return v;
  }

  /** (x W_ih + b_ih)[b][j] + (h W_hh + b_hh)[b][j], split in two so that the GRU can keep them apart. */
  private static double[][][] projections(double[] x, double[] h, Map<String, double[]> w, int gates) {
    double[][][] out = new double[2][B][gates * H];
    for (int b = 0; b < B; b++) {
      for (int j = 0; j < gates * H; j++) {
        double sx = w.get("b_ih")[j], sh = w.get("b_hh")[j];
        for (int k = 0; k < N; k++) sx += x[b * N + k] * w.get("W_ih")[k * gates * H + j];
        for (int k = 0; k < H; k++) sh += h[b * H + k] * w.get("W_hh")[k * gates * H + j];
        out[0][b][j] = sx;
        out[1][b][j] = sh;
      }
    }
    return out;
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  private static Map<String, NDArray> stepInputs(double[] x, double[] h, double[] c) {
    return Map.of("x", new NDArray(DType.F64, new int[] {B, N}, x), "h", new NDArray(DType.F64, new int[] {B, H}, h),
        "c", new NDArray(DType.F64, new int[] {B, H}, c));
  }

  private static final String STEP = """
      import "std/recurrent.nn"
      input x : f32[2, 3]
      input h : f32[2, 4]
      input c : f32[2, 4]
      """;

  @Test
  void lstmStepMatchesPyTorchsEquations() {
    Graph g = compile(STEP + "s = lstm_cell(x, [h, c])\noutput h1 = s[0]\noutput c1 = s[1]\n");
    Random r = new Random(11);
    double[] x = random(B * N, r), h = random(B * H, r), c = random(B * H, r);
    Map<String, double[]> w = new LinkedHashMap<>();
    Map<String, NDArray> params = fill(g, w, r);
    Map<String, NDArray> got = new Interpreter(g, stepInputs(x, h, c), params, true).run(g.outputs());
    double[][][] p = projections(x, h, w, 4);
    double[] h1 = new double[B * H], c1 = new double[B * H];
    for (int b = 0; b < B; b++) {
      for (int j = 0; j < H; j++) {
        double[] gate = new double[4];
        for (int q = 0; q < 4; q++) gate[q] = p[0][b][q * H + j] + p[1][b][q * H + j];
        double i = sigmoid(gate[0]), f = sigmoid(gate[1]), gg = Math.tanh(gate[2]), o = sigmoid(gate[3]);
        c1[b * H + j] = f * c[b * H + j] + i * gg;
        h1[b * H + j] = o * Math.tanh(c1[b * H + j]);
      }
    }
    assertArrayEquals(c1, got.get("c1").data(), 1e-12);
    assertArrayEquals(h1, got.get("h1").data(), 1e-12);
  }

  @Test
  void gruStepMatchesPyTorchsEquations() {
    Graph g = compile(STEP + "s = gru_cell(x, [h, c])\noutput h1 = s[0]\noutput c1 = s[1]\n");
    Random r = new Random(12);
    double[] x = random(B * N, r), h = random(B * H, r), c = random(B * H, r);
    Map<String, double[]> w = new LinkedHashMap<>();
    Map<String, NDArray> params = fill(g, w, r);
    Map<String, NDArray> got = new Interpreter(g, stepInputs(x, h, c), params, true).run(g.outputs());
    double[][][] p = projections(x, h, w, 3);
    double[] h1 = new double[B * H];
    for (int b = 0; b < B; b++) {
      for (int j = 0; j < H; j++) {
        double reset = sigmoid(p[0][b][j] + p[1][b][j]);
        double update = sigmoid(p[0][b][H + j] + p[1][b][H + j]);
        double candidate = Math.tanh(p[0][b][2 * H + j] + reset * p[1][b][2 * H + j]);
        h1[b * H + j] = (1 - update) * candidate + update * h[b * H + j];
      }
    }
    assertArrayEquals(h1, got.get("h1").data(), 1e-12);
    assertArrayEquals(c, got.get("c1").data(), 0, "the GRU carries c unchanged");
  }

  // ---- truncated back-propagation through time ---------------------------------------------------

  /**
   * The gradient of the last output with respect to each input step: within the last chunk it is
   * the full BPTT gradient (every path from x_t to h_T stays inside the chunk), before the chunk
   * it is exactly zero, although the full gradient is not.
   */
  @Test
  void truncationStopsGradientsAtChunkBoundaries() {
    Graph g = compile("""
        import "std/recurrent.nn"
        input xs : f32[2, 6, 3]
        w = lstm_weights(3, 4)
        full = sequence(lstm_step, xs, w, 4)
        cut = sequence_tbptt(lstm_step, xs, w, 4, 2)
        output same = cut - full
        output g_full = grad(sum(full[:, 5, :]), xs)
        output g_cut = grad(sum(cut[:, 5, :]), xs)
        output g_cut_all = grad(sum(cut), xs)
        output g_full_step1 = grad(sum(full[:, 0:2, :]), xs)
        """);
    Random r = new Random(5);
    Map<String, NDArray> in = Map.of("xs", new NDArray(DType.F64, new int[] {2, 6, 3}, random(36, r)));
    Map<String, NDArray> out = new Interpreter(g, in, fill(g, new LinkedHashMap<>(), r), true).run(g.outputs());
    for (double d : out.get("same").data()) assertEquals(0, d, 0, "truncation changes no forward value");
    double[] full = out.get("g_full").data(), cut = out.get("g_cut").data();
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 6; t++) {
        double normFull = 0;
        for (int k = 0; k < 3; k++) {
          int i = (b * 6 + t) * 3 + k;
          normFull += Math.abs(full[i]);
          if (t >= 4) assertEquals(full[i], cut[i], 1e-12, "inside the last chunk, t = " + t);
          else assertEquals(0, cut[i], 0, "before the last chunk, t = " + t);
        }
        assertTrue(normFull > 1e-6, "full BPTT reaches step " + t);
      }
    }
    // With a loss on every step, the first chunk's inputs get exactly the gradient of that chunk's outputs.
    double[] all = out.get("g_cut_all").data(), firstChunk = out.get("g_full_step1").data();
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 2; t++) {
        for (int k = 0; k < 3; k++) assertEquals(firstChunk[(b * 6 + t) * 3 + k], all[(b * 6 + t) * 3 + k], 1e-12);
      }
    }
  }

  @Test
  void stackAndAppendBuildSequences() {
    Graph g = compile("""
        input a : f32[2, 3]
        input b : f32[2, 3]
        xs = []
        for i in 0..1 {
          xs = append(xs, a)
        }
        output s1 = stack(append(xs, b), axis = 1)
        output s0 = stack([a, b])
        """);
    double[] a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
    Map<String, NDArray> out = new Interpreter(g, Map.of("a", new NDArray(DType.F64, new int[] {2, 3}, a),
        "b", new NDArray(DType.F64, new int[] {2, 3}, b)), Map.of(), true).run(g.outputs());
    assertArrayEquals(new int[] {2, 2, 3}, out.get("s1").shape());
    assertArrayEquals(new double[] {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12}, out.get("s1").data(), 0);
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out.get("s0").data(), 0);
  }

  /** A file beside the model shadows the std module of the same name. */
  @Test
  void aLocalFileShadowsTheStdModule(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("std"));
    java.nio.file.Files.writeString(dir.resolve("std/layers.nn"), "fn linear(x, n) {\n  return x * 2\n}\n");
    java.nio.file.Path model = dir.resolve("m.nn");
    java.nio.file.Files.writeString(model, "import \"std/layers.nn\"\ninput x : f32[2]\noutput y = linear(x, 3)\n");
    Graph g = Elaborator.compile(model);
    assertEquals(List.of(), g.params(), "the local linear declares no parameter");
  }
}
