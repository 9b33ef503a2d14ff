package nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.frontend.CompilationFailed;
import nnc.compiler.frontend.Diagnostic;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.runtime.DType;
import org.junit.jupiter.api.Test;

/** The behaviour of reverse mode itself: what it visits, sums, builds, cuts and records. */
class AutodiffTest {
  private static final String TWO_LAYER = """
      input x : f64[B, 3]
      input y : i32[B]
      param W1 : f64[3, 4] = normal(0, 0.5)
      param b1 : f64[4] = zeros
      param W2 : f64[4, 2] = normal(0, 0.5)
      param b2 : f64[2] = zeros
      h = relu(x @ W1 + b1)
      logits = h @ W2 + b2
      train minimize cross_entropy(logits, y) with sgd
      """;

  private static Graph compile(String name, String text) {
    return GradHarness.compile(name, text);
  }

  private static Leaf.Param param(Graph g, String name) {
    return g.params().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private static Node matmulWith(Graph g, Node rhs) {
    return Graph.topoOrder(List.of(g.train().objective())).stream()
        .filter(n -> n instanceof Linalg.MatMul m && m.b() == rhs).findFirst().orElseThrow();
  }

  private static NDArray f64(double... v) {
    return new NDArray(DType.F64, new int[] {v.length}, v);
  }

  private static NDArray scalar(double v) {
    return new NDArray(DType.F64, new int[0], new double[] {v});
  }

  // ---- what is visited ------------------------------------------------------------------------

  @Test
  void gradientOfTheSecondLayerContainsNothingFromTheFirstLayersRules() {
    Graph g = compile("mlp.nn", TWO_LAYER);
    Node loss = g.train().objective();
    Leaf.Param w1 = param(g, "W1"), w2 = param(g, "W2");
    Node firstMatmul = matmulWith(g, w1);

    Map<Node, Node> grads = Autodiff.grad(g.builder(), loss, List.of(w2));
    assertEquals(Set.of(w2), grads.keySet());
    for (Node n : GraphInvariants.backwardNodes(grads.values(), loss)) {
      Node origin = n.meta().origin();
      if (origin == null) continue; // an interned scalar constant
      assertTrue(origin != firstMatmul, "dW2 contains " + n.opName() + " built by the rule of x @ W1");
      assertTrue(GraphInvariants.dependsOn(origin, List.of(w2)),
          "dW2 contains " + n.opName() + " built by the rule of " + origin.opName() + ", which does not lead to W2");
    }
    // The control: the gradient with respect to W1 does go through that matmul's rule.
    Map<Node, Node> g1 = Autodiff.grad(g.builder(), loss, List.of(w1));
    assertTrue(GraphInvariants.backwardNodes(g1.values(), loss).stream().anyMatch(n -> n.meta().origin() == firstMatmul));
  }

  @Test
  void branchesOffThePathAreNeverWalked() {
    // The same head on a shallow and on a deep first half: differentiating with respect to the
    // head's weights builds the same number of nodes, because nothing below h is visited.
    String head = """
        logits = h @ W2
        train minimize mse(logits, t) with sgd
        """;
    String decls = """
        input x : f64[2, 3]
        input t : f64[2, 2]
        param W1 : f64[3, 3] = normal(0, 0.5)
        param W2 : f64[3, 2] = normal(0, 0.5)
        """;
    Graph shallow = compile("shallow.nn", decls + "h = tanh(x @ W1)\n" + head);
    Graph deep = compile("deep.nn", decls + "h = tanh(tanh(tanh(tanh(x @ W1) @ W1) @ W1) @ W1)\n" + head);
    assertEquals(nodesBuiltForGrad(shallow, "W2"), nodesBuiltForGrad(deep, "W2"));
    assertTrue(nodesBuiltForGrad(deep, "W1") > nodesBuiltForGrad(shallow, "W1"));
  }

  private static int nodesBuiltForGrad(Graph g, String wrt) {
    IrBuilder b = g.builder();
    int before = b.size();
    Autodiff.grad(b, g.train().objective(), List.of(param(g, wrt)));
    return b.size() - before;
  }

  @Test
  void inputsOffEveryPathGetNoEntry() {
    Graph g = compile("off.nn", TWO_LAYER);
    Node loss = g.train().objective();
    Leaf.Input labels = g.inputs().get(1);
    assertTrue(Autodiff.grad(g.builder(), loss, List.of(labels)).isEmpty(), "i32 labels got a gradient");
    // Order of the result follows wrt; what does not reach the objective is left out.
    Node unrelated = g.builder().input("unrelated", new nnc.compiler.ir.TensorType(DType.F64, nnc.compiler.ir.Shape.of(2)));
    List<Node> wrt = List.of(param(g, "b2"), unrelated, param(g, "W1"));
    assertEquals(List.of(param(g, "b2"), param(g, "W1")), new ArrayList<>(Autodiff.grad(g.builder(), loss, wrt).keySet()));
  }

  @Test
  void onlyScalarsCanBeDifferentiated() {
    Graph g = compile("vec.nn", "input x : f64[3]\noutput y = x * x\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Autodiff.grad(g.builder(), g.outputs().get("y"), List.of(g.inputs().get(0))));
    assertTrue(e.getMessage().contains("f64[3]"), e.getMessage());
  }

  // ---- fan-out --------------------------------------------------------------------------------

  @Test
  void fanOutContributionsAreSummed() {
    Graph g = compile("fan.nn", """
        input x : f64[3]
        output square = grad(sum(x * x), x)
        output triple = grad(sum(x + x + x), x)
        output mixed = grad(sum(sin(x) * x), x)
        """);
    double[] x = {1.5, -2, 0.25};
    Map<String, NDArray> out = new Interpreter(g, Map.of("x", f64(x)), Map.of(), true).run(g.outputs());
    for (int i = 0; i < 3; i++) {
      assertEquals(2 * x[i], out.get("square").data()[i], 1e-15);
      assertEquals(3, out.get("triple").data()[i], 1e-15);
      assertEquals(Math.cos(x[i]) * x[i] + Math.sin(x[i]), out.get("mixed").data()[i], 1e-15);
    }
    // x * x: the mul rule yields a contribution per operand, and the two are added once.
    Node square = g.outputs().get("square");
    assertTrue(square instanceof Elementwise.Binary add && add.op() == nnc.compiler.ir.BinaryOp.ADD
        && add.meta().isBackward(), "grad of x*x is not the sum of two contributions: " + square.opName());
  }

  // ---- no zero tensors ------------------------------------------------------------------------

  @Test
  void noZeroTensorIsMaterialized() {
    Graph g = compile("zeros.nn", """
        input x : f64[2, 4]
        param W : f64[4, 4] = normal(0, 0.5)
        h = x @ W
        a = where(h > 0, h, 0.1 * h)
        m = maximum(a, x)
        s = concat([m[:, 1:], relu(m[:, :1])], axis=1)
        train minimize sum(max(s, axis=1)) + mean(s * s) + sum(stop_gradient(x) * h) with sgd
        """);
    Node loss = g.train().objective();
    List<Node> wrt = List.of(param(g, "W"), g.inputs().get(0));
    Map<Node, Node> g1 = Autodiff.grad(g.builder(), loss, wrt);
    Map<Node, Node> g2 = Autodiff.grad(g.builder(), GradHarness.directional(g.builder(), g1, new java.util.Random(1)), wrt);
    for (Map<Node, Node> grads : List.of(g1, g2)) {
      for (Node n : Graph.topoOrder(grads.values())) {
        assertFalse(GraphInvariants.isZeroTensor(n), "materialized zeros: " + n.opName() + " " + n.type());
      }
    }
  }

  @Test
  void zerosOnlyWhenAskedFor() {
    Graph g = compile("asked.nn", """
        input x : f64[3]
        input z : f64[2]
        output gz = grad(sum(x * x), z, zeros_if_unused = true)
        """);
    Node gz = g.outputs().get("gz");
    assertTrue(GraphInvariants.isZeroTensor(gz), "zeros_if_unused = true should give a broadcast zero, got " + gz.opName());
    NDArray v = new Interpreter(g, Map.of("x", f64(1, 2, 3), "z", f64(4, 5)), Map.of(), true).eval(gz);
    assertArrayEquals(new double[] {0, 0}, v.data());
  }

  // ---- stop_gradient --------------------------------------------------------------------------

  @Test
  void stopGradientCutsThePath() {
    Graph g = compile("stop.nn", """
        input x : f64[3]
        output half = grad(sum(stop_gradient(x) * x), x)
        train minimize sum(stop_gradient(x) * 2) with sgd
        """);
    assertTrue(Autodiff.grad(g.builder(), g.train().objective(), List.of(g.inputs().get(0))).isEmpty());
    NDArray half = new Interpreter(g, Map.of("x", f64(1, -2, 3)), Map.of(), true).eval(g.outputs().get("half"));
    assertArrayEquals(new double[] {1, -2, 3}, half.data());

    CompilationFailed e = assertThrows(CompilationFailed.class, () -> Elaborator.compile(new SourceText("cut.nn", """
        input x : f64[3]
        output g = grad(sum(stop_gradient(x)), x)
        """)));
    assertEquals(1, e.diagnostics().size(), e.render());
    assertTrue(e.diagnostics().get(0).message().contains("does not depend on x"), e.render());
  }

  // ---- higher order ---------------------------------------------------------------------------

  @Test
  void thirdDerivativeOfAPolynomial() {
    Graph g = compile("poly.nn", """
        input x : f64[]
        y = x ^ 4
        d1 = grad(y, x)
        d2 = grad(d1, x)
        d3 = grad(d2, x)
        output o1 = d1
        output o2 = d2
        output o3 = d3
        output o4 = grad(d3, x)
        output p3 = grad(grad(grad(3 * x ^ 3 - 2 * x ^ 2 + x, x), x), x)
        """);
    Map<String, NDArray> out = new Interpreter(g, Map.of("x", scalar(1.5)), Map.of(), true).run(g.outputs());
    assertEquals(4 * 1.5 * 1.5 * 1.5, out.get("o1").scalar(), 1e-12);
    assertEquals(12 * 1.5 * 1.5, out.get("o2").scalar(), 1e-12);
    assertEquals(36, out.get("o3").scalar(), 1e-12);
    assertEquals(24, out.get("o4").scalar(), 1e-12);
    assertEquals(18, out.get("p3").scalar(), 1e-12);
  }

  @Test
  void hessianVectorProductAndGradientPenaltyInTheLanguage() {
    Graph g = compile("hvp.nn", """
        input x : f64[3]
        input v : f64[3]
        param w : f64[3] = 0.5
        f = sum(w * x * x * x)
        hv = grad(sum(grad(f, x) * v), x)
        output hv
        penalty = sum(grad(f, x) ^ 2)
        output dpenalty = grad(penalty, w)
        """);
    double[] x = {1, -2, 0.5}, v = {0.3, 1, -2}, w = {0.5, 0.5, 0.5};
    Map<String, NDArray> out = new Interpreter(g, Map.of("x", f64(x), "v", f64(v)), Parameters.initial(g, 0), true)
        .run(g.outputs());
    for (int i = 0; i < 3; i++) {
      // H = diag(6 w x); penalty = sum((3 w x^2)^2), d/dw = 18 w x^4
      assertEquals(6 * w[i] * x[i] * v[i], out.get("hv").data()[i], 1e-12);
      assertEquals(18 * w[i] * Math.pow(x[i], 4), out.get("dpenalty").data()[i], 1e-12);
    }
  }

  // ---- provenance -----------------------------------------------------------------------------

  @Test
  void everyBackwardNodeCarriesItsProvenance() {
    Graph g = compile("prov.nn", TWO_LAYER);
    Node loss = g.train().objective();
    Map<String, Node> roots = GradientGraph.roots(g, List.of());
    List<Node> grads = new ArrayList<>(roots.values());
    grads.remove(loss);
    List<Node> backward = GraphInvariants.backwardNodes(grads, loss);
    assertFalse(backward.isEmpty());
    for (Node n : backward) {
      if (n instanceof Leaf.Constant c && c.isScalar()) continue; // interned, printed inline
      assertTrue(n.meta().isBackward(), n.opName() + " has no backward provenance");
      assertNotNull(n.meta().origin(), n.opName() + " has no origin");
      assertTrue(n.meta().rule().equals("seed") || n.meta().rule().equals(n.meta().origin().opName()),
          n.opName() + ": rule " + n.meta().rule() + " vs origin " + n.meta().origin().opName());
      assertTrue(n.meta().origin().meta().span().isKnown(), n.opName() + ": origin without a source line");
    }
    String text = TextPrinter.print(g.withOutputs(roots));
    // relu is on line 7: its rule multiplies by heaviside(pre-activation).
    assertTrue(text.lines().anyMatch(l -> l.contains("= heaviside ") && l.endsWith("# from prov.nn:7 relu")), text);
    // The second matmul is on line 8; its rule transposes h for dW2.
    assertTrue(text.lines().anyMatch(l -> l.contains("= transpose ") && l.endsWith("# from prov.nn:8 matmul")), text);
    // Every numbered line, forward or backward, ends with a comment saying where it came from.
    assertEquals(List.of(), text.lines().filter(l -> l.startsWith("  %") && !l.contains("  # ")).toList(), text);
  }

  // ---- errors ---------------------------------------------------------------------------------

  @Test
  void gradOfAnIndependentValueIsACompileErrorNamingBoth() {
    CompilationFailed e = assertThrows(CompilationFailed.class, () -> Elaborator.compile(new SourceText("indep.nn", """
        input x : f64[3]
        param W : f64[3] = zeros
        loss = sum(x * x)
        gW = grad(loss, W)
        output gW
        """)));
    assertEquals(1, e.diagnostics().size(), e.render());
    Diagnostic d = e.diagnostics().get(0);
    assertTrue(d.message().contains("grad: loss does not depend on W"), d.message());
    assertEquals(4, d.span().line(), e.render());
  }

  @Test
  void gradOfAListUnpacksInOrder() {
    Graph g = compile("list.nn", """
        input x : f64[3]
        param a : f64[3] = 2
        param c : f64[] = 1
        gA, gC = grad(sum(a * x) + c * c, [a, c])
        output gA
        output gC
        """);
    Map<String, NDArray> params = new LinkedHashMap<>(Parameters.initial(g, 0));
    Map<String, NDArray> out = new Interpreter(g, Map.of("x", f64(1, 2, 3)), params, true).run(g.outputs());
    assertArrayEquals(new double[] {1, 2, 3}, out.get("gA").data());
    assertEquals(2, out.get("gC").scalar());
  }
}
