package nnc.compiler.lower;

import java.util.Map;
import java.util.TreeMap;
import nnc.compiler.kernel.Kernel;
import nnc.runtime.model.ArenaPlanner;
import nnc.runtime.model.Manifest;

/** {@code nnc compile --report}: the kernels by kind and entry, and the workspace sizes at a few batch sizes. */
public final class CompileReport {
  private CompileReport() {}

  public static String render(CompiledModel c) {
    StringBuilder sb = new StringBuilder();
    Manifest m = c.manifest();
    sb.append(String.format("parameter arena: %,d floats (%,d bytes)%n", m.pSize(), 4L * m.pSize()));
    Map<String, Kernel> byName = new java.util.HashMap<>();
    c.program().kernels().forEach(k -> byName.put(k.name(), k));
    for (Manifest.Entry e : m.entries()) {
      if (c.optimization().containsKey(e.name())) {
        sb.append("graph optimizer, entry ").append(e.name()).append(":\n").append(c.optimization().get(e.name()).table());
      }
      Map<String, Integer> kinds = new TreeMap<>();
      for (String k : c.program().entries().get(e.name())) kinds.merge(byName.get(k).kind(), 1, Integer::sum);
      sb.append(String.format("entry %s: %d kernels %s, %d workspace buffers%n", e.name(), e.kernels(), kinds, e.buffers().size()));
      for (int batch : new int[] {1, 64, 256}) {
        Map<String, Integer> dims = new java.util.HashMap<>();
        m.dims().forEach(d -> dims.put(d, batch));
        ArenaPlanner.Plan plan = ArenaPlanner.plan(e.buffers(), dims);
        long naive = c.naiveBytes(e.name(), dims);
        sb.append(String.format("  workspace at %s: planned peak %,d bytes; its %d buffers unshared %,d bytes;"
                + " one buffer per IR node, unfused %,d bytes (planned = %.0f%% of that)%n",
            m.dims().isEmpty() ? "fixed shapes" : String.join("=", m.dims()) + "=" + batch, 4 * plan.size(), e.buffers().size(),
            4 * plan.naive(), naive, naive == 0 ? 100.0 : 100.0 * 4 * plan.size() / naive));
        if (m.dims().isEmpty()) break;
      }
      for (String k : c.program().entries().get(e.name())) {
        Kernel kernel = byName.get(k);
        sb.append(String.format("  %-12s %-40s %s%n", kernel.kind(), kernel.name(), kernel.describe()));
      }
    }
    return sb.toString();
  }
}
