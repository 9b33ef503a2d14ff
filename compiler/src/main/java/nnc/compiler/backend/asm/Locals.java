package nnc.compiler.backend.asm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The local variable slots of one kernel method. Slots 0-2 hold {@code p}, {@code m} and
 * {@code rt}; every other local (int, float or vector reference) takes one slot, allocated like a
 * stack: a loop opens a scope, and the slots of its scope are reused once the loop ends, so sibling
 * loops share slots and a method needs as many slots as its deepest nest.
 *
 * <p>Names follow the kernel interpreter, which keeps one flat map of ints and one of floats per
 * kernel: ints and floats live in separate name spaces, and declaring a name that is already
 * visible assigns the existing variable instead of shadowing it (so a value set inside a loop is
 * seen after it, as in the interpreter). A name is visible only inside the loop that declared it;
 * using it after that loop is an error here (the interpreter would read its last value), and so is
 * reusing the name of an enclosing loop's variable, which the interpreter would overwrite.
 */
final class Locals {
  /** The three parameters of a kernel method. */
  static final int P = 0, M = 1, RT = 2;

  enum Kind {
    INT,
    FLOAT
  }

  private record Key(Kind kind, String name) {}

  private record Binding(int slot, boolean loopVariable) {}

  private final String kernel;
  private final Deque<Map<Key, Binding>> scopes = new ArrayDeque<>();
  private final Deque<Integer> scopeStarts = new ArrayDeque<>();
  private int next = RT + 1;

  Locals(String kernel) {
    this.kernel = kernel;
    scopes.push(new HashMap<>());
  }

  /** Opens a scope: locals allocated until the matching {@link #pop} are freed by it. */
  void push() {
    scopes.push(new HashMap<>());
    scopeStarts.push(next);
  }

  void pop() {
    scopes.pop();
    next = scopeStarts.pop();
  }

  /**
   * The slot of {@code DeclareInt}/{@code DeclareFloat name}: the visible variable of that name if
   * there is one (the interpreter's assignment semantics), else a new slot in the current scope.
   */
  int declare(Kind kind, String name) {
    Binding b = find(new Key(kind, name));
    if (b != null) {
      if (b.loopVariable()) throw error("declares " + name + ", the variable of an enclosing loop");
      return b.slot();
    }
    return bind(new Key(kind, name), false);
  }

  /** A new int slot for the variable of a loop; the name must not be visible. */
  int loopVariable(String name) {
    Key key = new Key(Kind.INT, name);
    if (find(key) != null) throw error("loop variable " + name + " is already declared");
    return bind(key, true);
  }

  /** An anonymous slot in the current scope. */
  int temp() {
    return next++;
  }

  int intSlot(String name) {
    return slot(new Key(Kind.INT, name));
  }

  int floatSlot(String name) {
    return slot(new Key(Kind.FLOAT, name));
  }

  private int slot(Key key) {
    Binding b = find(key);
    if (b == null) {
      String what = key.kind() == Kind.INT ? "int " : "float ";
      throw error("uses " + what + key.name() + ", which is not declared in an enclosing scope");
    }
    return b.slot();
  }

  private Binding find(Key key) {
    for (Map<Key, Binding> scope : scopes) {
      Binding b = scope.get(key);
      if (b != null) return b;
    }
    return null;
  }

  private int bind(Key key, boolean loopVariable) {
    int slot = next++;
    scopes.peek().put(key, new Binding(slot, loopVariable));
    return slot;
  }

  IllegalArgumentException error(String message) {
    return new IllegalArgumentException("kernel " + kernel + ": " + message);
  }
}
