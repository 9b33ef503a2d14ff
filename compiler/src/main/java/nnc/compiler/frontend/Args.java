package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.Node;
import nnc.runtime.DType;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * The arguments of a built-in call bound to its parameter list, Python-style: positional first,
 * then by name; parameters written {@code name=default} are optional ({@code =none}: absent).
 */
final class Args {
  private final String fn;
  private final Map<String, Builtins.Arg> bound = new LinkedHashMap<>();
  private final Map<String, String> defaults = new LinkedHashMap<>();
  private final Expressions ex;
  private final ParserRuleContext at;

  private Args(String fn, Expressions ex, ParserRuleContext at) {
    this.fn = fn;
    this.ex = ex;
    this.at = at;
  }

  static Args bind(String fn, List<String> params, List<Builtins.Arg> args, Expressions ex, ParserRuleContext at) {
    Args a = new Args(fn, ex, at);
    List<String> names = new ArrayList<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      names.add(name);
      if (eq >= 0) a.defaults.put(name, p.substring(eq + 1));
    }
    int positional = 0;
    for (Builtins.Arg arg : args) {
      String name;
      if (arg.name() == null) {
        if (positional >= names.size()) {
          long given = args.stream().filter(x -> x.name() == null).count();
          throw ex.elaborator().error(arg.at(), fn + " takes at most " + names.size() + " argument"
              + (names.size() == 1 ? "" : "s") + ", got " + given + ": " + fn + "(" + String.join(", ", params) + ")");
        }
        name = names.get(positional++);
      } else {
        name = arg.name();
        if (!names.contains(name)) {
          throw ex.elaborator().error(arg.at(), fn + " has no parameter '" + name + "'" + Suggest.hint(name, names)
              + "; parameters: " + String.join(", ", params));
        }
      }
      if (a.bound.containsKey(name)) throw ex.elaborator().error(arg.at(), fn + ": argument '" + name + "' given twice");
      a.bound.put(name, arg);
    }
    for (String n : names) {
      if (!a.bound.containsKey(n) && !a.defaults.containsKey(n)) {
        throw ex.elaborator().error(at, fn + ": missing argument '" + n + "' (" + fn + "(" + String.join(", ", params) + "))");
      }
    }
    return a;
  }

  boolean has(String name) {
    return bound.containsKey(name) || (defaults.containsKey(name) && !defaults.get(name).equals("none"));
  }

  Value value(String name) {
    Builtins.Arg a = bound.get(name);
    if (a != null) return a.value();
    String d = defaults.get(name);
    return switch (d) {
      case "true", "false" -> new Value.Bool(d.equals("true"));
      default -> d.startsWith("\"") ? new Value.Str(d.substring(1, d.length() - 1))
          : new Value.Num(Double.parseDouble(d), !d.contains("."));
    };
  }

  private ParserRuleContext where(String name) {
    Builtins.Arg a = bound.get(name);
    return a != null ? a.at() : at;
  }

  Node tensor(String name) {
    return ex.toTensor(value(name), DType.F32, where(name));
  }

  /** A tensor argument; a bare number takes the element type of {@code like}. */
  Node tensorLike(String name, Node like) {
    return ex.toTensor(value(name), like.dtype(), where(name));
  }

  double number(String name) {
    if (value(name) instanceof Value.Num n) return n.value();
    throw ex.elaborator().error(where(name), fn + ": '" + name + "' must be a number, got " + Value.describe(value(name)));
  }

  int integer(String name) {
    if (value(name) instanceof Value.Num n && n.integral()) return (int) n.value();
    throw ex.elaborator().error(where(name), fn + ": '" + name + "' must be an integer, got " + Value.describe(value(name)));
  }

  boolean bool(String name) {
    if (value(name) instanceof Value.Bool b) return b.value();
    throw ex.elaborator().error(where(name), fn + ": '" + name + "' must be true or false, got " + Value.describe(value(name)));
  }

  String string(String name) {
    if (value(name) instanceof Value.Str s) return s.value();
    throw ex.elaborator().error(where(name), fn + ": '" + name + "' must be a string, got " + Value.describe(value(name)));
  }

  List<Value> list(String name) {
    if (value(name) instanceof Value.Items l) return l.items();
    throw ex.elaborator().error(where(name), fn + ": '" + name + "' must be a list, got " + Value.describe(value(name)));
  }

  /** One axis of a tensor of the given rank, negative counting from the end. */
  int axis(String name, int rank) {
    int a = integer(name);
    int r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw ex.elaborator().error(where(name), fn + ": axis " + a + " is out of range for rank " + rank);
    return r;
  }

  /** An axis, a list of axes, or (when absent) every axis. */
  Axes axes(String name, int rank) {
    if (!has(name)) return Axes.all(rank);
    Value v = value(name);
    List<Value> items = v instanceof Value.Items l ? l.items() : List.of(v);
    List<Integer> out = new ArrayList<>();
    for (Value item : items) {
      if (!(item instanceof Value.Num n) || !n.integral()) {
        throw ex.elaborator().error(where(name), fn + ": axes must be integers, got " + Value.describe(item));
      }
      int a = (int) n.value(), r = a < 0 ? a + rank : a;
      if (r < 0 || r >= rank) throw ex.elaborator().error(where(name), fn + ": axis " + a + " is out of range for rank " + rank);
      if (out.contains(r)) throw ex.elaborator().error(where(name), fn + ": axis " + a + " given twice");
      out.add(r);
    }
    return new Axes(out);
  }

  ParserRuleContext at() {
    return at;
  }

  ParserRuleContext at(String name) {
    return where(name);
  }
}
