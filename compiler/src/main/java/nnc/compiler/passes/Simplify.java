package nnc.compiler.passes;

import nnc.compiler.ir.Graph;

/**
 * Algebraic simplification to a canonical form: constant folding, the movement, linear-algebra and
 * arithmetic rules, run together to one fixed point because each enables the others (absorbing
 * a broadcast exposes {@code x * 1}; strength reduction exposes constants to gather).
 */
final class Simplify implements Pass {
  @Override
  public String name() {
    return "simplify";
  }

  @Override
  public Graph apply(Graph g) {
    ArithmeticRules arithmetic = new ArithmeticRules();
    Rewriter.Rule rules = ((Rewriter.Rule) FoldConstants::rule).or(MovementRules::rule).or(LinalgRules::rule)
        .or(arithmetic::rule);
    return Rewriter.rewrite(g, name(), rules);
  }
}
