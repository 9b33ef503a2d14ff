package nnc.compiler.kernel;

import java.util.List;
import java.util.Map;

/**
 * The kernel-level form of a compiled model: its kernels and its entry points, each entry an
 * ordered list of kernel names. The emitters turn a program into a class implementing
 * {@code nnc.runtime.ModelCode}: {@code call(entry, p, m, rt)} runs entry number {@code entry}
 * (its index in {@link #entries()}) by calling its kernels in order.
 *
 * @param className the binary name of the class to generate, e.g. {@code nnc.gen.MnistMlp}
 * @param kernels every kernel, each emitted once
 * @param entries entry name (e.g. {@code infer}, {@code train}) to the kernels it runs, in order
 */
public record Program(String className, List<Kernel> kernels, Map<String, List<String>> entries) {
  public Program {
    kernels = List.copyOf(kernels);
    entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
  }
}
