package nnc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.ir.Graph;
import nnc.runtime.DType;
import org.junit.jupiter.api.Test;

/** The reference semantics against values computed by hand. */
class InterpreterTest {
  static Graph model(String code) throws Exception {
    return Elaborator.compile(new SourceText("test.nn", code));
  }

  static NDArray arr(DType t, int[] shape, double... v) {
    return new NDArray(t, shape, v);
  }

  static Map<String, NDArray> run(String code, Map<String, NDArray> inputs) throws Exception {
    Graph g = model(code);
    return new Interpreter(g, inputs, Parameters.initial(g, 0), false).run(g.roots());
  }

  @Test
  void softmaxOfAConstantRowIsUniform() throws Exception {
    var out = run("input x : f32[B, 4]\noutput p = softmax(x)", Map.of("x", arr(DType.F32, new int[] {2, 4}, 3, 3, 3, 3, -7, -7, -7, -7)));
    for (double v : out.get("p").data()) assertEquals(0.25, v, 0);
  }

  @Test
  void crossEntropyOfZeroLogitsIsLogOfTheClassCount() throws Exception {
    var out = run("input z : f32[B, 10]\ninput y : i32[B]\noutput l = cross_entropy(z, y)",
        Map.of("z", arr(DType.F32, new int[] {3, 10}, new double[30]), "y", arr(DType.I32, new int[] {3}, 0, 4, 9)));
    assertEquals(2.302585, out.get("l").scalar(), 1e-6);
  }

  @Test
  void crossEntropyPicksTheLabelledClass() throws Exception {
    // logits [0, ln 3]: softmax = [1/4, 3/4]; CE with labels (1, 0) = (-ln 3/4 - ln 1/4) / 2
    String code = "input z : f64[B, 2]\ninput y : i32[B]\noutput l = cross_entropy(z, y)";
    var out = run(code, Map.of("z", arr(DType.F64, new int[] {2, 2}, 0, Math.log(3), 0, Math.log(3)),
        "y", arr(DType.I32, new int[] {2}, 1, 0)));
    assertEquals((-Math.log(0.75) - Math.log(0.25)) / 2, out.get("l").scalar(), 1e-12);
  }

  @Test
  void crossEntropyIsStableForHugeLogits() throws Exception {
    var out = run("input z : f32[B, 3]\ninput y : i32[B]\noutput l = cross_entropy(z, y)",
        Map.of("z", arr(DType.F32, new int[] {1, 3}, 1e4, -1e4, 0), "y", arr(DType.I32, new int[] {1}, 1)));
    assertEquals(2e4, out.get("l").scalar(), 1e-2);
  }

  @Test
  void broadcastingAddsABiasToEveryRow() throws Exception {
    var out = run("input x : f32[B, 3]\nconst b = [10, 20, 30]\noutput y = x + b",
        Map.of("x", arr(DType.F32, new int[] {2, 3}, 1, 2, 3, 4, 5, 6)));
    assertArrayEquals(new double[] {11, 22, 33, 14, 25, 36}, out.get("y").data());
  }

  @Test
  void matmulAndBatchedMatmul() throws Exception {
    var out = run("input a : f64[2, 2, 3]\ninput b : f64[3, 1]\noutput c = a @ b",
        Map.of("a", arr(DType.F64, new int[] {2, 2, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
            "b", arr(DType.F64, new int[] {3, 1}, 1, 0, -1)));
    assertArrayEquals(new int[] {2, 2, 1}, out.get("c").shape());
    assertArrayEquals(new double[] {-2, -2, -2, -2}, out.get("c").data());
  }

  @Test
  void vectorOperandsOfMatmulArePromotedAndDropped() throws Exception {
    var out = run("input x : f64[B, 2]\nconst w = [1, -1]\noutput z = x @ w",
        Map.of("x", arr(DType.F64, new int[] {2, 2}, 3, 1, 5, 8)));
    assertArrayEquals(new int[] {2}, out.get("z").shape());
    assertArrayEquals(new double[] {2, -3}, out.get("z").data());
  }

  @Test
  void reductionsAlongAxesWithKeepdims() throws Exception {
    String code = """
        input x : f64[2, 3]
        output s = sum(x, axis = 1, keepdims = true)
        output m = mean(x)
        output mx = max(x, 0)
        output mn = min(x, axis = [0, 1])
        output v = var(x, axis = 1)
        output v0 = var(x, axis = 1, correction = 0)
        """;
    var out = run(code, Map.of("x", arr(DType.F64, new int[] {2, 3}, 1, 2, 3, 4, 6, 8)));
    assertArrayEquals(new int[] {2, 1}, out.get("s").shape());
    assertArrayEquals(new double[] {6, 18}, out.get("s").data());
    assertEquals(4, out.get("m").scalar(), 1e-15);
    assertArrayEquals(new double[] {4, 6, 8}, out.get("mx").data());
    assertEquals(1, out.get("mn").scalar());
    assertArrayEquals(new double[] {1, 4}, out.get("v").data(), 1e-15);
    assertArrayEquals(new double[] {2.0 / 3, 8.0 / 3}, out.get("v0").data(), 1e-15);
  }

  @Test
  void activationsAtHandPickedPoints() throws Exception {
    String code = """
        input x : f64[5]
        output r = relu(x)
        output lr = leaky_relu(x, 0.1)
        output e = elu(x)
        output s = sigmoid(x)
        output sp = softplus(x)
        output h = heaviside(x)
        output g = gelu(x)
        output gt = gelu(x, approximate = "tanh")
        output si = silu(x)
        output sn = snake(x, 2)
        """;
    var out = run(code, Map.of("x", arr(DType.F64, new int[] {5}, -2, -0.5, 0, 0.5, 800)));
    assertArrayEquals(new double[] {0, 0, 0, 0.5, 800}, out.get("r").data());
    assertArrayEquals(new double[] {-0.2, -0.05, 0, 0.5, 800}, out.get("lr").data(), 1e-15);
    assertArrayEquals(new double[] {Math.exp(-2) - 1, Math.exp(-0.5) - 1, 0, 0.5, 800}, out.get("e").data(), 1e-15);
    assertEquals(1 / (1 + Math.exp(2)), out.get("s").data()[0], 1e-15);
    assertEquals(1.0, out.get("s").data()[4]);
    assertEquals(Math.log(2), out.get("sp").data()[2], 1e-15);
    assertEquals(800, out.get("sp").data()[4], 1e-12); // no overflow
    assertArrayEquals(new double[] {0, 0, 0, 1, 1}, out.get("h").data());
    // gelu(0.5) = 0.5 * 0.5 * (1 + erf(0.5 / sqrt 2)); erf(0.35355339) = 0.38292492254802624
    assertEquals(0.25 * (1 + 0.38292492254802624), out.get("g").data()[3], 1e-15);
    assertEquals(0.3457140, out.get("gt").data()[3], 1e-6);
    assertEquals(0.5 / (1 + Math.exp(-0.5)), out.get("si").data()[3], 1e-15);
    double s = Math.sin(2 * 0.5);
    assertEquals(0.5 + s * s / 2, out.get("sn").data()[3], 1e-15);
  }

  @Test
  void lossesMatchTheirDefinitions() throws Exception {
    String code = """
        input p : f64[B, 2]
        input t : f64[B, 2]
        output bce = binary_cross_entropy(p, t)
        output bcel = binary_cross_entropy_with_logits(p, t)
        output l2 = mse(p, t)
        output l1 = mae(p, t)
        """;
    var out = run(code, Map.of("p", arr(DType.F64, new int[] {1, 2}, 0.25, 0.5), "t", arr(DType.F64, new int[] {1, 2}, 1, 0)));
    assertEquals((-Math.log(0.25) - Math.log(0.5)) / 2, out.get("bce").scalar(), 1e-15);
    double sp1 = Math.log1p(Math.exp(0.25)) - 0.25, sp2 = Math.log1p(Math.exp(0.5));
    assertEquals((sp1 + sp2) / 2, out.get("bcel").scalar(), 1e-15);
    assertEquals((0.75 * 0.75 + 0.25) / 2, out.get("l2").scalar(), 1e-15);
    assertEquals((0.75 + 0.5) / 2, out.get("l1").scalar(), 1e-15);
  }

  @Test
  void bceClampsLogAtMinus100LikePyTorch() throws Exception {
    var out = run("input p : f64[1]\ninput t : f64[1]\noutput l = binary_cross_entropy(p, t)",
        Map.of("p", arr(DType.F64, new int[] {1}, 0), "t", arr(DType.F64, new int[] {1}, 1)));
    assertEquals(100, out.get("l").scalar());
  }

  @Test
  void movementOps() throws Exception {
    String code = """
        input x : f64[2, 3]
        output t = transpose(x)
        output r = reshape(x, [3, -1])
        output s = x[:, 1:3]
        output row = x[-1]
        output c = concat([x, x[:, 0:1]], axis = 1)
        output f = flatten(x, 0)
        """;
    var out = run(code, Map.of("x", arr(DType.F64, new int[] {2, 3}, 1, 2, 3, 4, 5, 6)));
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, out.get("t").data());
    assertArrayEquals(new int[] {3, 2}, out.get("r").shape());
    assertArrayEquals(new double[] {2, 3, 5, 6}, out.get("s").data());
    assertArrayEquals(new double[] {4, 5, 6}, out.get("row").data());
    assertArrayEquals(new double[] {1, 2, 3, 1, 4, 5, 6, 4}, out.get("c").data());
    assertArrayEquals(new int[] {6}, out.get("f").shape());
  }

  @Test
  void gatherOneHotWhereAndComparisons() throws Exception {
    String code = """
        input E : f64[3, 2]
        input i : i32[B]
        output rows = E[i]
        output oh = one_hot(i, 3)
        output w = where(i > 0, f64(i), -1)
        output am = argmax(E)
        """;
    var out = run(code, Map.of("E", arr(DType.F64, new int[] {3, 2}, 1, 2, 3, 4, 6, 5), "i", arr(DType.I32, new int[] {3}, 2, 0, 2)));
    assertArrayEquals(new double[] {6, 5, 1, 2, 6, 5}, out.get("rows").data());
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 0, 1}, out.get("oh").data());
    assertArrayEquals(new double[] {2, -1, 2}, out.get("w").data());
    assertArrayEquals(new double[] {1, 1, 0}, out.get("am").data());
  }

  @Test
  void f32ResultsAreRoundedToFloat() throws Exception {
    var out = run("input x : f32[1]\noutput y = x / 3", Map.of("x", arr(DType.F32, new int[] {1}, 1)));
    assertEquals((double) (1f / 3f), out.get("y").scalar());
  }

  @Test
  void symbolicDimensionsMustAgreeAcrossInputs() throws Exception {
    Graph g = model("input x : f32[B, 2]\ninput y : f32[B]\noutput z = sum(x, 1) + y");
    var inputs = Map.of("x", arr(DType.F32, new int[] {2, 2}, 1, 2, 3, 4), "y", arr(DType.F32, new int[] {3}, 1, 2, 3));
    var e = assertThrows(EvaluationException.class, () -> new Interpreter(g, inputs, Map.of(), false));
    assertEquals("input y: dimension B is 3 here but 2 in another input", e.getMessage());
  }

  @Test
  void seededInitialValuesAreReproducibleAndPerParameter() throws Exception {
    Graph a = model("param W : f32[3, 4] = normal(0, 1)\noutput o = sum(W)");
    Graph b = model("param V : f32[2] = ones\nparam W : f32[3, 4] = normal(0, 1)\noutput o = sum(W)");
    assertArrayEquals(Parameters.initial(a, 5).get("W").data(), Parameters.initial(b, 5).get("W").data());
    assertEquals(false, java.util.Arrays.equals(Parameters.initial(a, 5).get("W").data(), Parameters.initial(a, 6).get("W").data()));
  }
}
