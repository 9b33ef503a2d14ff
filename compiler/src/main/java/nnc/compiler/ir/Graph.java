package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model as IR: its inputs and parameters in declaration order, named results ("roots"), and
 * the training objective. The nodes themselves are shared with the {@link IrBuilder} that made
 * them, so gradient graphs built later reuse the forward nodes.
 *
 * @param name the model's name
 * @param inputs the declared inputs, in order
 * @param params the parameters, in order (including those instantiated by functions)
 * @param outputs declared outputs by name, in order
 * @param values every named value of the model (outputs, intermediates, inputs, params) for lookup
 * @param train the training objective, or null
 * @param builder the builder that interned the nodes; gradients and passes keep building with it
 * @param states the non-trainable model state (batch norm's running statistics), in declaration order
 */
public record Graph(String name, List<Leaf.Input> inputs, List<Leaf.Param> params,
    Map<String, Node> outputs, Map<String, Node> values, TrainSpec train, IrBuilder builder, List<Leaf.State> states) {

  public Graph {
    inputs = List.copyOf(inputs);
    params = List.copyOf(params);
    states = List.copyOf(states);
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** A model without state. */
  public Graph(String name, List<Leaf.Input> inputs, List<Leaf.Param> params, Map<String, Node> outputs, Map<String, Node> values,
      TrainSpec train, IrBuilder builder) {
    this(name, inputs, params, outputs, values, train, builder, List.of());
  }

  /** The roots printed and evaluated by default: the outputs, then the loss as {@code loss}. */
  public Map<String, Node> roots() {
    Map<String, Node> r = new LinkedHashMap<>(outputs);
    if (train != null && !r.containsValue(train.objective())) r.put("loss", train.objective());
    return r;
  }

  /** The same model with other roots (for printing a gradient graph, say). */
  public Graph withOutputs(Map<String, Node> newOutputs) {
    return new Graph(name, inputs, params, newOutputs, values, null, builder, states);
  }

  /** Every node reachable from the given roots, operands before users, in a deterministic order. */
  public static List<Node> topoOrder(Iterable<Node> roots) {
    List<Node> order = new ArrayList<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node r : roots) visit(r, seen, order);
    return order;
  }

  // Iterative post-order DFS: deep graphs (unrolled recurrences, long gradient chains) must not
  // overflow the Java stack.
  private static void visit(Node root, Set<Node> seen, List<Node> order) {
    if (seen.contains(root)) return;
    List<Node> stack = new ArrayList<>();
    List<Integer> next = new ArrayList<>();
    stack.add(root);
    next.add(0);
    seen.add(root);
    while (!stack.isEmpty()) {
      int top = stack.size() - 1;
      Node n = stack.get(top);
      int i = next.get(top);
      if (i < n.inputs().size()) {
        next.set(top, i + 1);
        Node c = n.inputs().get(i);
        if (seen.add(c)) {
          stack.add(c);
          next.add(0);
        }
      } else {
        order.add(n);
        stack.remove(top);
        next.remove(top);
      }
    }
  }
}
