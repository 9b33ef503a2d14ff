package nnc.compiler.ir;

/**
 * Where a node came from. It is not part of a node's identity: two structurally equal nodes are
 * one node (the first one built keeps its metadata).
 *
 * @param span the source expression
 * @param origin for nodes built by autodiff, the forward node whose gradient rule built them
 * @param rule the name of that rule (e.g. {@code relu}), or null for forward nodes
 */
public record Meta(Span span, Node origin, String rule) {
  public static final Meta NONE = new Meta(Span.NONE, null, null);

  public static Meta at(Span span) {
    return new Meta(span, null, null);
  }

  public boolean isBackward() {
    return rule != null;
  }
}
