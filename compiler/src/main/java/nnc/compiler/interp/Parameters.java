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
    return out;
  }

  /** Reads parameters by name, checking that every parameter is present with its declared shape. */
  public static Map<String, NDArray> read(Graph g, Path file) throws IOException {
    Map<String, Tensor> tensors = SafeTensors.read(file);
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Leaf.Param p : g.params()) {
      Tensor t = tensors.get(p.name());
      if (t == null) throw new TensorFormatException(file, "has no tensor '" + p.name() + "' for parameter " + p.name() + " " + p.type());
      int[] shape = p.shape().concrete(Map.of());
      if (!java.util.Arrays.equals(shape, t.shape())) {
        throw new TensorFormatException(file, "tensor '" + p.name() + "' has shape " + Tensor.shapeString(t.shape())
            + ", the model declares " + p.shape());
      }
      if (!t.dtype().equals(p.dtype()) && !(t.dtype().byteSize() > 1 && p.type().isFloat() && t.dtype() != nnc.runtime.DType.I32)) {
        throw new TensorFormatException(file, "tensor '" + p.name() + "' is " + t.dtype().languageName() + ", the model declares " + p.type());
      }
      NDArray v = NDArray.fromTensor(t);
      out.put(p.name(), new NDArray(p.dtype(), v.shape(), Kernels.roundAll(p.dtype(), v.data())));
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
