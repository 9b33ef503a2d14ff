package nnc.compiler.ir;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A sorted set of non-negative axis numbers (reductions, masks). */
public record Axes(List<Integer> list) {
  public Axes {
    list = List.copyOf(new TreeSet<>(list));
  }

  public static Axes of(int... axes) {
    return new Axes(java.util.Arrays.stream(axes).boxed().toList());
  }

  /** All axes of a rank. */
  public static Axes all(int rank) {
    return new Axes(java.util.stream.IntStream.range(0, rank).boxed().toList());
  }

  public boolean contains(int axis) {
    return list.contains(axis);
  }

  public int size() {
    return list.size();
  }

  @Override
  public String toString() {
    return list.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
  }
}
