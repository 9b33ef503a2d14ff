package nnc.compiler.frontend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnc.compiler.ir.Span;

/**
 * Names visible at a point of the program. The global scope holds declarations, functions and
 * constants; each function call and each loop iteration opens a child scope.
 */
final class Scope {
  enum Kind { INPUT, PARAM, STATE, CONST, VALUE, OUTPUT, LOOP_VAR, FUNCTION }

  record Binding(Value value, Span declared, Kind kind) {}

  private final Scope parent;
  private final boolean loopBody;
  private final Map<String, Binding> names = new LinkedHashMap<>();

  Scope(Scope parent, boolean loopBody) {
    this.parent = parent;
    this.loopBody = loopBody;
  }

  Scope parent() {
    return parent;
  }

  boolean isLoopBody() {
    return loopBody;
  }

  Binding lookup(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      Binding b = s.names.get(name);
      if (b != null) return b;
    }
    return null;
  }

  Binding local(String name) {
    return names.get(name);
  }

  void define(String name, Binding b) {
    names.put(name, b);
  }

  /**
   * The scope that owns a loop-carried name: inside loop bodies, assigning to a plain value
   * defined outside the loop updates it there. Returns null when no enclosing loop allows it.
   */
  Scope carrierOf(String name) {
    Scope s = this;
    while (s != null && s.loopBody && !s.names.containsKey(name)) s = s.parent;
    if (s == null || s == this || !s.names.containsKey(name)) return null;
    return s.names.get(name).kind() == Kind.VALUE ? s : null;
  }

  void rebind(String name, Value v) {
    Binding old = names.get(name);
    names.put(name, new Binding(v, old.declared(), old.kind()));
  }

  /** Every visible name, for "did you mean" suggestions. */
  Set<String> visibleNames() {
    Set<String> all = new TreeSet<>();
    for (Scope s = this; s != null; s = s.parent) all.addAll(s.names.keySet());
    return all;
  }
}
