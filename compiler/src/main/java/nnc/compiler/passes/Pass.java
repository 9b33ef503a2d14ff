package nnc.compiler.passes;

import nnc.compiler.ir.Graph;

/**
 * One step of the optimizer: a pure function from a graph to an equivalent graph. A pass rewrites
 * everything reachable from the graph's roots (its outputs and its training objective) and keeps
 * the declared inputs and parameters; it never mutates nodes (they are immutable) and builds new
 * ones through the graph's {@link nnc.compiler.ir.IrBuilder}, so interning merges equal nodes.
 *
 * <p>The passes and their order are listed in one place, {@link Pipeline}.
 */
public interface Pass {
  /** The short name used by {@code --dump-after} and in the report, e.g. {@code simplify}. */
  String name();

  Graph apply(Graph g);
}
