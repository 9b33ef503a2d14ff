package nnc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import org.junit.jupiter.api.Test;

/** The pipeline as a whole: the x^2 acceptance, provenance, extra roots, report, dumps and the verifier. */
class PipelineTest {
  static final String SQUARE = """
      param x : f32[4] = normal(0, 1)
      loss = sum(x ^ 2)
      train minimize loss with sgd
      """;

  @Test
  void gradientOfXSquaredIsOneMultiplyOfXByTwo() {
    assertEquals("""
        graph t
          %0 : f32[4] = param x = normal(0, 1)
          %1 : f32[4] = mul %0 %0
          %2 : f32[] = reduce_sum axes=[0] %1
          %3 : f32[4] = mul %0 2
          output loss = %2
          output grad.x = %3
        """, Opt.gradIr(SQUARE));
    Graph grad = Opt.gradientGraph(Opt.compile(SQUARE));
    Node dx = Pipeline.standard().run(grad).graph().outputs().get("grad.x");
    assertTrue(dx instanceof Elementwise.Binary m && m.op() == BinaryOp.MUL && m.a() == grad.params().get(0)
        && m.b() instanceof Leaf.Constant c && c.isScalar() && c.scalar() == 2, TextPrinter.print(grad));
  }

  @Test
  void rewrittenNodesKeepTheirSpanAndGradientProvenance() {
    Graph grad = Opt.gradientGraph(Opt.compile(SQUARE));
    Graph o = Pipeline.standard().run(grad).graph();
    String ir = TextPrinter.print(o, o.outputs());
    // x^2 became x*x at the span of x^2; the gradient's multiply still says which rule made it.
    assertTrue(ir.matches("(?s).*%1 : f32\\[4\\] = mul %0 %0 +# t\\.nn:2:12\n.*"), ir);
    assertTrue(ir.matches("(?s).*%3 : f32\\[4\\] = mul %0 2 +# from t\\.nn:2 pow\n.*"), ir);
  }

  @Test
  void extraRootsAreRewrittenWithTheGraphAndShareItsNodes() {
    Graph g = Opt.compile("""
        input x : f32[B, 3]
        param w : f32[3] = ones
        output y = x * w * 1
        loss = sum(x * w)
        train minimize loss with sgd
        """);
    Map<String, Node> roots = GradientGraph.roots(g, List.of());
    Pipeline.Optimized o = Pipeline.standard().verifying().run(g, roots);
    assertEquals(List.of("y"), List.copyOf(o.graph().outputs().keySet()));
    assertEquals(List.copyOf(roots.keySet()), List.copyOf(o.roots().keySet()));
    assertSame(o.graph().train().objective(), o.roots().get("loss"));
    Node y = o.graph().outputs().get("y");
    assertTrue(Graph.topoOrder(List.of(o.roots().get("loss"))).contains(y), "x * w is one node for output and loss");
    Opt.assertSameResults(g, roots, o.graph(), o.roots());
  }

  @Test
  void namedValuesThatTheRewritesLeftUnusedArePruned() {
    Graph g = Opt.compile("""
        input z : f32[B, 3]
        p = softmax(z)
        output a = log(p)
        """);
    assertTrue(g.values().containsKey("p"));
    Graph o = Pipeline.standard().verifying().run(g).graph();
    assertFalse(o.values().containsKey("p"));
    assertTrue(o.values().containsKey("z") && o.values().containsKey("a"));
    assertEquals(g.inputs(), o.inputs());
  }

  @Test
  void theReportCountsNodesAroundEveryPassInOrder() {
    Graph grad = Opt.gradientGraph(Opt.compile(SQUARE));
    Pipeline.Report r = Pipeline.standard().run(grad).report();
    assertEquals(Pipeline.passNames(), r.passes().stream().map(Pipeline.PassCount::pass).toList());
    for (int i = 1; i < r.passes().size(); i++) assertEquals(r.passes().get(i - 1).after(), r.passes().get(i).before());
    assertEquals(11, r.before());
    assertEquals(5, r.after());
    assertTrue(r.table().contains("simplify"), r.table());
  }

  @Test
  void everyPassHasANameAndAReasonAndTheNamesAreUnique() {
    assertEquals(List.of("fold", "stabilize", "simplify", "cse", "dce"), Pipeline.passNames());
    assertEquals(Pipeline.STEPS.size(), new HashSet<>(Pipeline.passNames()).size());
    for (Pipeline.Step s : Pipeline.STEPS) assertFalse(s.reason().isBlank(), s.pass().name());
  }

  @Test
  void dumpAfterHandsOverTheGraphAfterThatPass() {
    Graph grad = Opt.gradientGraph(Opt.compile(SQUARE));
    List<String> dumps = new ArrayList<>();
    Pipeline.standard().dumpAfter("fold", o -> dumps.add(Opt.strip(TextPrinter.print(o.graph(), o.graph().outputs()))))
        .run(grad);
    assertEquals(1, dumps.size());
    // After folding, 2 - 1 is 1 but nothing is simplified yet.
    assertTrue(dumps.get(0).contains("pow %0 1"), dumps.get(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pipeline.standard().dumpAfter("nope", o -> {}));
    assertEquals("--dump-after nope: no such pass (passes: fold, stabilize, simplify, cse, dce)", e.getMessage());
  }

  @Test
  void theVerifierRejectsAMalformedGraphOnEntry() {
    Graph g = Opt.compile("""
        input x : f32[B, 3]
        output y = x * 2
        """);
    Graph undeclared = new Graph(g.name(), List.of(), g.params(), g.outputs(), g.values(), null, g.builder());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pipeline.standard().verifying().run(undeclared));
    assertTrue(e.getMessage().contains("on entry") && e.getMessage().contains("undeclared input x"), e.getMessage());
    Pipeline.standard().run(undeclared); // without verification the pipeline does not check
  }

  @Test
  void thePipelineIsIdempotent() {
    Graph g = Opt.gradientGraph(Opt.compile("""
        input x : f32[B, 3]
        input y : i32[B]
        param W : f32[3, 4] = normal(0, 1)
        param b : f32[4] = zeros
        h = relu(x @ W + b)
        loss = cross_entropy(h, y) + 0.01 * sum(W ^ 2)
        train minimize loss with sgd
        """));
    Graph once = Pipeline.standard().verifying().run(g).graph();
    Graph twice = Pipeline.standard().verifying().run(once).graph();
    assertEquals(TextPrinter.print(once, once.outputs()), TextPrinter.print(twice, twice.outputs()));
  }
}
