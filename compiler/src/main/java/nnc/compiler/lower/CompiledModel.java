package nnc.compiler.lower;

import java.util.Map;
import nnc.compiler.kernel.Program;
import nnc.compiler.passes.Pipeline;
import nnc.runtime.model.Manifest;

/**
 * A model lowered to kernels: the program to emit, the manifest the runtime needs, and the
 * initial contents of the parameter arena (seeded parameters, constants, hyper-parameters), and
 * what the graph optimizer did to each entry point.
 */
public record CompiledModel(Program program, Manifest manifest, float[] pInit, Map<String, Pipeline.Report> optimization,
    Map<String, java.util.List<Manifest.BufferSpec>> unoptimized) {

  /** Bytes of all intermediates of an entry as derived, one buffer per IR node, for a dimension binding. */
  public long naiveBytes(String entry, Map<String, Integer> dims) {
    long total = 0;
    for (Manifest.BufferSpec b : unoptimized.getOrDefault(entry, java.util.List.of())) {
      long n = b.fixed();
      for (String d : b.dims()) n *= dims.get(d);
      total += 4 * n;
    }
    return total;
  }
}
