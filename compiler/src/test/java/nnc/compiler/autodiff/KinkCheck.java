package nnc.compiler.autodiff;

import static nnc.compiler.autodiff.GradHarness.Built;
import static nnc.compiler.autodiff.GradHarness.InputSpec;
import static nnc.compiler.autodiff.GradHarness.Row;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;
import nnc.runtime.DType;

/** Gradient checks at points where finite differences do not apply, against values written by hand. */
final class KinkCheck {
  private KinkCheck() {}

  /**
   * A point where finite differences do not apply (a kink, a tie, a cut): the objective is
   * {@code sum(out)}, and the expected gradient and Hessian-vector product (direction: all ones)
   * are written by hand from the pinned conventions. An input missing from {@code grad} or
   * {@code hvp} is expected to be zero there (absent or computed as zeros).
   */
  record Kink(String name, String expr, List<InputSpec> inputs, Map<String, double[]> at,
      Map<String, double[]> grad, Map<String, double[]> hvp, Set<String> noGrad) {
    static Kink of(String name, String expr, String... inputs) {
      return new Kink(name, expr, Arrays.stream(inputs).map(InputSpec::parse).toList(), Map.of(), Map.of(), null, Set.of());
    }

    Kink at(String input, double... v) {
      return new Kink(name, expr, inputs, plus(at, input, v), grad, hvp, noGrad);
    }

    Kink grad(String input, double... v) {
      return new Kink(name, expr, inputs, at, plus(grad, input, v), hvp, noGrad);
    }

    Kink hvp(String input, double... v) {
      return new Kink(name, expr, inputs, at, grad, plus(hvp == null ? Map.of() : hvp, input, v), noGrad);
    }

    /** Inputs that must get no gradient node at all (not even a zero). */
    Kink noGrad(String... names) {
      return new Kink(name, expr, inputs, at, grad, hvp, new LinkedHashSet<>(List.of(names)));
    }

    private static Map<String, double[]> plus(Map<String, double[]> m, String k, double[] v) {
      Map<String, double[]> out = new LinkedHashMap<>(m);
      out.put(k, v);
      return out;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static void check(Kink k) {
    Row row = new Row(k.name(), k.expr(), null, k.inputs(), true, k.noGrad());
    Built c = GradHarness.build(row);
    IrBuilder b = c.b();
    Map<String, NDArray> at = new LinkedHashMap<>();
    for (InputSpec s : k.inputs()) {
      double[] v = k.at().get(s.name());
      at.put(s.name(), new NDArray(s.isFloat() ? DType.F64 : s.type().dtype(), GradHarness.concrete(s.type().shape()), v));
    }
    Node f = b.cast(GradHarness.sumAll(b, c.out()), DType.F64);
    List<Node> wrt = c.floatInputs();
    Map<Node, Node> g1 = Autodiff.grad(b, f, wrt);
    GraphInvariants.check(k.name(), f, g1, wrt);
    expect(k.name() + ": gradient", c, g1, wrt, k.grad(), k.noGrad(), at);
    if (k.hvp() != null) {
      Node s = null;
      for (Node g : g1.values()) {
        Node term = b.cast(GradHarness.sumAll(b, g), DType.F64);
        s = s == null ? term : b.add(s, term);
      }
      Map<Node, Node> g2 = s == null ? Map.of() : Autodiff.grad(b, s, wrt);
      if (s != null) GraphInvariants.check(k.name() + " second order", s, g2, wrt);
      expect(k.name() + ": Hessian-vector product (direction all ones)", c, g2, wrt, k.hvp(), Set.of(), at);
    }
  }

  private static void expect(String what, Built c, Map<Node, Node> grads, List<Node> wrt, Map<String, double[]> expected,
      Set<String> noGrad, Map<String, NDArray> at) {
    for (Node w : wrt) {
      String name = GradHarness.nameOf(w);
      if (noGrad.contains(name)) assertFalse(grads.containsKey(w), what + ": " + name + " must get no gradient");
      double[] want = expected.getOrDefault(name, new double[at.get(name).size()]);
      double[] got = grads.containsKey(w) ? GradHarness.eval(c, grads.get(w), at).data() : new double[want.length];
      for (int i = 0; i < want.length; i++) {
        if (!(Math.abs(got[i] - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i])))) {
          fail(what + " d/d" + name + " at " + GradHarness.describe(at) + ": expected " + Arrays.toString(want) + ", got "
              + Arrays.toString(got));
        }
      }
    }
  }
}
