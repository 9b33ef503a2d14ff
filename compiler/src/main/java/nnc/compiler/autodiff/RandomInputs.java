package nnc.compiler.autodiff;

import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.runtime.DType;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;

/**
 * Seeded random values for every input of a model, for benchmarks and differential tests:
 * standard normal floats, and i32 inputs drawn within the range the graph uses them in (the
 * number of classes of a one-hot comparison, the rows of a gathered table).
 */
public final class RandomInputs {
  private RandomInputs() {}

  /** One tensor per declared input, with every symbolic dimension set to {@code batch}. */
  public static Map<String, Tensor> of(Graph g, int batch, long seed) {
    Rng rng = new Rng(seed);
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (Leaf.Input i : g.inputs()) {
      int[] shape = i.shape().dims().stream().mapToInt(d -> d instanceof Dim.Fixed f ? f.size() : batch).toArray();
      int n = Math.toIntExact(Tensor.elementCount(shape));
      if (i.dtype() == DType.I32) {
        int classes = LabelRange.of(g, i);
        int[] v = new int[n];
        for (int k = 0; k < n; k++) v[k] = rng.nextInt(classes);
        in.put(i.name(), Tensor.of(v, shape));
      } else if (i.dtype() == DType.BOOL) {
        boolean[] v = new boolean[n];
        for (int k = 0; k < n; k++) v[k] = rng.nextInt(2) == 1;
        in.put(i.name(), Tensor.ofBool(v, shape));
      } else {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) v[k] = (float) rng.nextGaussian();
        in.put(i.name(), Tensor.of(v, shape));
      }
    }
    return in;
  }

  /**
   * Uniform values in [0, 1) for every dropout noise leaf reachable from {@code roots}, named as
   * the runtime and the interpreter take them ({@code noise.0}, ...): given to a compiled training
   * step and to the interpreter in training mode, both draw the same masks.
   */
  public static Map<String, Tensor> noise(java.util.Collection<nnc.compiler.ir.Node> roots, int batch, long seed) {
    Rng rng = new Rng(seed);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (nnc.compiler.ir.Node n : Graph.topoOrder(roots)) {
      if (!(n instanceof Leaf.Noise nz)) continue;
      int[] shape = nz.shape().dims().stream().mapToInt(d -> d instanceof Dim.Fixed f ? f.size() : batch).toArray();
      float[] u = new float[Math.toIntExact(Tensor.elementCount(shape))];
      for (int i = 0; i < u.length; i++) u[i] = (float) rng.nextDouble();
      out.put(nz.name(), Tensor.of(u, shape));
    }
    return out;
  }
}
