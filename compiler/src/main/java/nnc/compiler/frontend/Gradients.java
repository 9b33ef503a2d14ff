package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.Autodiff;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;

/**
 * {@code grad(y, wrt)} in the language: symbolic gradients as expressions. {@code wrt} is one
 * tensor (the result is its gradient) or a list (the result is a list, to unpack with
 * {@code gW, gb = grad(loss, [W, b])}). Because the result is IR, grad of grad works.
 */
final class Gradients {
  private Gradients() {}

  static void define() {
    Builtins.def("grad", List.of("y", "wrt", "zeros_if_unused=false"), (a, b, ex) -> {
      Node y = a.tensor("y");
      String yText = a.at("y").getText().replaceFirst("^y\\s*=\\s*", "");
      if (y.shape().rank() != 0 || !y.type().isFloat()) {
        throw new IrException("grad: " + yText + " must be a float scalar, got " + y.type() + " (reduce it with sum or mean)");
      }
      Value w = a.value("wrt");
      List<Value> items = w instanceof Value.Items l ? l.items() : List.of(w);
      List<Node> wrt = new ArrayList<>();
      for (Value v : items) {
        if (!(v instanceof Value.Tensor t) || !t.node().type().isFloat()) {
          throw new IrException("grad: can only differentiate with respect to float tensors, got " + Value.describe(v));
        }
        wrt.add(t.node());
      }
      Map<Node, Node> grads = Autodiff.grad(b, y, wrt);
      List<Value> out = new ArrayList<>();
      for (int i = 0; i < wrt.size(); i++) {
        Node g = grads.get(wrt.get(i));
        if (g == null) {
          if (!a.bool("zeros_if_unused")) {
            String wText = w instanceof Value.Items ? "element " + i + " of " + a.at("wrt").getText() : a.at("wrt").getText();
            throw new IrException("grad: " + yText + " does not depend on " + wText.replaceFirst("^wrt\\s*=\\s*", "")
                + " through any differentiable operation (pass zeros_if_unused = true to get zeros)");
          }
          Node wi = wrt.get(i);
          g = b.broadcast(b.constant(0, wi.dtype()), wi.shape());
        }
        out.add(new Value.Tensor(g));
      }
      return w instanceof Value.Items ? new Value.Items(out) : out.get(0);
    });
  }

}
