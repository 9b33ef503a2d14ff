package nnc.compiler.interp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;
import nnc.runtime.io.SafeTensors;
import nnc.runtime.io.TensorFormatException;

/** Parameter values for a graph: seeded initial values, or values read from safetensors. */
public final class Parameters {
  private Parameters() {}

  /**
   * Initial values: each parameter draws from its own stream, derived from the seed and its name,
   * so adding a parameter to a model leaves the others' initial values unchanged.
   */
  public static Map<String, NDArray> initial(Graph g, long seed) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Leaf.Param p : g.params()) {
      int[] shape = p.shape().concrete(Map.of());
      double[] v = p.init().sample(shape, Rng.forStream(seed, p.name()));
      out.put(p.name(), new NDArray(p.dtype(), shape, Kernels.roundAll(p.dtype(), v)));
    }
    // Model state (running statistics) starts at its initializer's value; no randomness is drawn.
    for (Leaf.State st : g.states()) {
      int[] shape = st.shape().concrete(Map.of());
      double[] v = st.init().sample(shape, Rng.forStream(seed, st.name()));
      out.put(st.name(), new NDArray(st.dtype(), shape, Kernels.roundAll(st.dtype(), v)));
    }
    return out;
  }

  /**
   * Reads parameters and model state by name, checking that every one is present with its
   * declared shape (a checkpoint holds both; running statistics are part of what was learned).
   */
  public static Map<String, NDArray> read(Graph g, Path file) throws IOException {
    Map<String, Tensor> tensors = SafeTensors.read(file);
    Map<String, NDArray> out = new LinkedHashMap<>();
    java.util.List<nnc.compiler.ir.Node> all = new java.util.ArrayList<>(g.params());
    all.addAll(g.states());
    for (nnc.compiler.ir.Node n : all) {
      Leaf.Param p = n instanceof Leaf.Param param ? param : null;
      String name = p != null ? p.name() : ((Leaf.State) n).name();
      String kind = p != null ? "parameter" : "state";
      Tensor t = tensors.get(name);
      if (t == null) throw new TensorFormatException(file, "has no tensor '" + name + "' for " + kind + " " + name + " " + n.type());
      int[] shape = n.shape().concrete(Map.of());
      if (!java.util.Arrays.equals(shape, t.shape())) {
        throw new TensorFormatException(file, "tensor '" + name + "' has shape " + Tensor.shapeString(t.shape())
            + ", the model declares " + n.shape());
      }
      if (!t.dtype().equals(n.dtype()) && !(t.dtype().byteSize() > 1 && n.type().isFloat() && t.dtype() != nnc.runtime.DType.I32)) {
        throw new TensorFormatException(file, "tensor '" + name + "' is " + t.dtype().languageName() + ", the model declares " + n.type());
      }
      NDArray v = NDArray.fromTensor(t);
      out.put(name, new NDArray(n.dtype(), v.shape(), Kernels.roundAll(n.dtype(), v.data())));
    }
    return out;
  }

  /** Writes parameter values as safetensors, in their declared element types. */
  public static void write(Path file, Map<String, NDArray> params) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    params.forEach((k, v) -> tensors.put(k, v.toTensor()));
    SafeTensors.write(file, tensors);
  }
}
