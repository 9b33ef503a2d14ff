package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/** Matrix multiplication, batched over leading axes with broadcasting. */
public final class Linalg {
  private Linalg() {}

  /** {@code a[..., M, K] @ b[..., K, N] -> [..., M, N]}; rank-1 operands are promoted by the front end. */
  public record MatMul(Node a, Node b, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(a, b);
    }

    @Override
    public String opName() {
      return "matmul";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MatMul m && a == m.a && b == m.b;
    }

    @Override
    public int hashCode() {
      return Node.hash("matmul", inputs());
    }
  }

  static TensorType matmulType(TensorType a, TensorType b) {
    String what = "matmul: " + a + " @ " + b;
    if (a.dtype() != b.dtype()) throw new IrException(what + ": element types differ");
    if (!a.isFloat()) throw new IrException(what + ": expects float tensors");
    if (a.rank() < 2 || b.rank() < 2) throw new IrException(what + ": operands must have rank >= 2");
    Dim k1 = a.shape().get(a.rank() - 1), k2 = b.shape().get(b.rank() - 2);
    if (!k1.equals(k2)) {
      throw new IrException(what + ": inner dimensions " + k1 + " and " + k2 + " differ");
    }
    Shape batchA = new Shape(a.shape().dims().subList(0, a.rank() - 2));
    Shape batchB = new Shape(b.shape().dims().subList(0, b.rank() - 2));
    List<Dim> out = new ArrayList<>(Elementwise.broadcast(what + ": batch dimensions", batchA, batchB).dims());
    out.add(a.shape().get(a.rank() - 2));
    out.add(b.shape().get(b.rank() - 1));
    return a.withShape(new Shape(out));
  }

  static Node[] vjp(IrBuilder b, MatMul n, Node g) {
    // C = A B  =>  dA = G B^T,  dB = A^T G (summed over broadcast batch axes).
    Node da = b.matmul(g, b.swapLastTwo(n.b()));
    Node db = b.matmul(b.swapLastTwo(n.a()), g);
    return new Node[] {b.sumTo(da, n.a().shape()), b.sumTo(db, n.b().shape())};
  }
}
