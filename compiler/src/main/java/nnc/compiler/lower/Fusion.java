package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Reduction;

/**
 * Which nodes of an entry point get no kernel of their own.
 *
 * <ul>
 *   <li><b>Fused</b>: an elementwise node (or a broadcast, or an iota) with exactly one user that
 *       reads each element once (another elementwise node, a broadcast, a reduction, a fold) is computed
 *       inside its user's loop: chains of elementwise ops, forward and backward and through
 *       broadcasts, become one loop, and their intermediates never touch memory.
 *   <li><b>Epilogue</b>: a matmul whose only user is a materialized elementwise node of the same
 *       shape (through fused nodes: bias add then relu; in the backward pass, the incoming
 *       gradient times relu's mask) is computed into that node's buffer, and the elementwise
 *       expression is applied in place in the same kernel.
 *   <li><b>Absorbed</b>: a transpose of the last two axes used only by matmuls is never stored;
 *       the products read its operand with a transposition flag.
 *   <li><b>Batch-summed</b>: a batched matmul {@code [B, M, N]} whose only user sums it over the
 *       batch axis (a convolution's weight gradient, {@code sum_b G_b cols_b^T}) is computed by
 *       that sum's kernel as one contraction over (batch, k) ({@link St.GemmSum}); the
 *       {@code [B, M, N]} products are never stored.
 * </ul>
 * Views (reshape, stop_gradient) are transparent: they share their operand's buffer, so a node
 * used through a view counts its view's users.
 */
final class Fusion {
  private final Map<Node, List<Node>> users = new IdentityHashMap<>();
  private final Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Node> fused = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Transposes of the last two axes whose every user is a matmul: read transposed in place, never stored. */
  private final Set<Node> absorbed = Collections.newSetFromMap(new IdentityHashMap<>());
  /** The nodes of the entry's graph. */
  private final Set<Node> members = Collections.newSetFromMap(new IdentityHashMap<>());
  /** matmul → the elementwise node whose kernel computes it as its epilogue. */
  private final Map<Node, Node> epilogueHost = new IdentityHashMap<>();
  /** Batched matmuls [B, M, N] used only by a sum over axis 0, which computes them. */
  private final Set<Node> batchSummed = Collections.newSetFromMap(new IdentityHashMap<>());

  Fusion(Map<String, Node> entryRoots, List<Node> extraReads) {
    List<Node> order = Graph.topoOrder(entryRoots.values());
    roots.addAll(entryRoots.values());
    roots.addAll(extraReads);
    for (Node n : order) {
      for (Node in : n.inputs()) users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
    }
    for (Node n : order) if (fusible(n)) fused.add(n);
    members.addAll(order);
    for (Node n : order) {
      if (n instanceof Movement.Transpose t && !roots.contains(t) && MatMuls.swapsLastTwo(t)
          && users.getOrDefault(t, List.of()).stream().allMatch(u -> u instanceof Linalg.MatMul)) {
        absorbed.add(t);
      }
    }
    for (Node n : order) {
      if (n instanceof Reduction.Reduce r && isBatchSum(r) && r.x() instanceof Linalg.MatMul m && !roots.contains(m)
          && users.getOrDefault(m, List.of()).size() == 1) {
        batchSummed.add(m);
      }
    }
    for (Node n : order) {
      if (!isElementwise(n) || fused.contains(n)) continue;
      Linalg.MatMul host = findHost(n);
      if (host != null && !epilogueHost.containsKey(host)) epilogueHost.put(host, n);
    }
  }

  /** Whether n is a transpose that the matrix products using it read in place (see {@link MatMuls}). */
  boolean isAbsorbed(Node n) {
    // A transpose outside the entry's graph belongs to a product lowered outside it (the SGD step
    // fused into a weight gradient, whose operands' sources are the roots): nothing stores it.
    return absorbed.contains(n) || (n instanceof Movement.Transpose t && MatMuls.swapsLastTwo(t) && !members.contains(n));
  }

  /** A sum over the leading axis of a rank-3 tensor: the reduction a batch-summed matmul feeds. */
  static boolean isBatchSum(Reduction.Reduce r) {
    return r.op() == nnc.compiler.ir.ReduceOp.SUM && r.x().shape().rank() == 3 && r.axes().equals(nnc.compiler.ir.Axes.of(0));
  }

  /** Whether n is a batched matmul computed by the batch sum that is its only user. */
  boolean isBatchSummed(Node n) {
    return batchSummed.contains(n);
  }

  boolean isFused(Node n) {
    return fused.contains(n);
  }

  /** The elementwise node computed in n's kernel as its epilogue, or null. */
  Node epilogueOf(Node matmul) {
    return epilogueHost.get(matmul);
  }

  boolean isEpilogueHost(Node n) {
    return epilogueHost.containsKey(n);
  }

  static boolean isElementwise(Node n) {
    return n instanceof Elementwise.Unary || n instanceof Elementwise.Binary || n instanceof Elementwise.Where
        || n instanceof Elementwise.Cast || n instanceof Control.Dropout;
  }

  private boolean fusible(Node n) {
    if (!(isElementwise(n) || n instanceof Movement.Broadcast || n instanceof Leaf.Iota)) return false;
    if (roots.contains(n)) return false;
    List<Node> u = usersThroughUnitViews(n);
    if (u == null || u.isEmpty()) return false;
    for (Node user : u) {
      // A fold reads each element of its input once too (it scatters them): the gradient routing
      // of max pooling, where(mask, g, 0), is computed inside the fold's loop.
      if (!(isElementwise(user) || user instanceof Movement.Broadcast || user instanceof Reduction.Reduce
          || user instanceof nnc.compiler.ir.Window.Fold)) return false;
    }
    // One user: computed in its loop. A scalar may be recomputed by each of its users: it is the
    // same value in every iteration, so the emitters compute it once, outside the vector loop.
    return u.size() == 1 || n.shape().rank() == 0;
  }

  /**
   * The users of n, looking through reshapes that only add or drop size-1 axes (their coordinates
   * map one to one); null when n is used through any other view, or a view is a root.
   */
  private List<Node> usersThroughUnitViews(Node n) {
    List<Node> out = new ArrayList<>();
    for (Node u : users.getOrDefault(n, List.of())) {
      if (u instanceof Movement.Reshape || u instanceof Control.StopGradient) {
        if (roots.contains(u) || !unitReshape(n.shape(), u.shape())) return null;
        List<Node> deeper = usersThroughUnitViews(u);
        if (deeper == null) return null;
        out.addAll(deeper);
      } else {
        out.add(u);
      }
    }
    return out;
  }

  /** Whether two shapes have the same axes of size other than 1, in the same order. */
  static boolean unitReshape(nnc.compiler.ir.Shape a, nnc.compiler.ir.Shape b) {
    return a.dims().stream().filter(d -> !d.isOne()).toList().equals(b.dims().stream().filter(d -> !d.isOne()).toList());
  }

  /** Users of n, looking through views (whose own users then count). */
  private List<Node> effectiveUsers(Node n) {
    List<Node> out = new ArrayList<>();
    for (Node u : users.getOrDefault(n, List.of())) {
      if (u instanceof Movement.Reshape || u instanceof Control.StopGradient) {
        if (roots.contains(u)) out.add(u);
        out.addAll(effectiveUsers(u));
      } else {
        out.add(u);
      }
    }
    return out;
  }

  /** A single-use matmul of n's shape among n's operands, looking through fused nodes. */
  private Linalg.MatMul findHost(Node n) {
    for (Node in : n.inputs()) {
      Node s = EntryLowering.storage(in);
      if (s instanceof Linalg.MatMul m && !roots.contains(m) && effectiveUsers(m).size() == 1
          && m.shape().equals(n.shape()) && in.shape().equals(n.shape())) {
        return m;
      }
      if (fused.contains(in) && in.shape().equals(n.shape())) {
        Linalg.MatMul deeper = findHost(in);
        if (deeper != null) return deeper;
      }
    }
    return null;
  }
}
