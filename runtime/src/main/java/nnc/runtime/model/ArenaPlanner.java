package nnc.runtime.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Assigns workspace offsets to the buffers of an entry point for one binding of its symbolic
 * dimensions: buffers whose live ranges overlap get disjoint regions, the others may share.
 * Greedy by size, largest first, each at the lowest offset that fits (the classic heuristic of
 * TensorFlow's and TVM's static planners). Offsets are rounded up to 16 floats (64 bytes) so
 * that vector loads of different buffers never share a cache line.
 */
public final class ArenaPlanner {
  static final int ALIGN = 16;

  private ArenaPlanner() {}

  /** The plan: an offset per buffer and the workspace size in floats. */
  public record Plan(int[] offsets, long size, long naive) {}

  public static Plan plan(List<Manifest.BufferSpec> buffers, Map<String, Integer> dims) {
    int n = buffers.size();
    long[] sizes = new long[n];
    long naive = 0;
    for (int i = 0; i < n; i++) {
      long s = buffers.get(i).fixed();
      for (String d : buffers.get(i).dims()) {
        Integer v = dims.get(d);
        if (v == null) throw new IllegalArgumentException("dimension " + d + " is not bound");
        s *= v;
      }
      sizes[i] = align(s);
      naive += sizes[i];
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) order.add(i);
    order.sort(Comparator.comparingLong((Integer i) -> -sizes[i]).thenComparingInt(i -> i));
    long[] offsets = new long[n];
    List<Integer> placed = new ArrayList<>();
    long total = 0;
    for (int i : order) {
      // Regions of already placed buffers that are live at the same time, by offset.
      List<long[]> busy = new ArrayList<>();
      for (int j : placed) {
        if (overlaps(buffers.get(i), buffers.get(j))) busy.add(new long[] {offsets[j], offsets[j] + sizes[j]});
      }
      busy.sort(Comparator.comparingLong(r -> r[0]));
      long at = 0;
      for (long[] r : busy) {
        if (at + sizes[i] <= r[0]) break;
        at = Math.max(at, r[1]);
      }
      offsets[i] = at;
      placed.add(i);
      total = Math.max(total, at + sizes[i]);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = Math.toIntExact(offsets[i]);
    if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("workspace of " + total + " floats is too large");
    return new Plan(out, total, naive);
  }

  private static boolean overlaps(Manifest.BufferSpec a, Manifest.BufferSpec b) {
    return a.first() <= b.last() && b.first() <= a.last();
  }

  private static long align(long s) {
    return (s + ALIGN - 1) / ALIGN * ALIGN;
  }
}
