package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Meta;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TensorType;
import nnc.compiler.ir.TrainSpec;
import nnc.grammar.NnParser;
import nnc.grammar.NnParser.ExprContext;
import nnc.runtime.DType;
import nnc.runtime.init.Initializer;
import org.antlr.v4.runtime.ParserRuleContext;

/** Evaluates expressions: compile-time arithmetic on numbers, IR construction for tensors. */
final class Expressions {
  private final Elaborator el;
  private final IrBuilder ir;

  Expressions(Elaborator el) {
    this.el = el;
    this.ir = el.ir;
  }

  Value eval(ExprContext e, Scope scope) {
    return evalBinding(e, scope, null);
  }

  /**
   * Evaluates {@code e}; when it is a direct call of a user function, {@code instance} names the
   * instance (so {@code h1 = dense(x, 784, 500)} gets parameters {@code h1.W}, {@code h1.b}).
   */
  Value evalBinding(ExprContext e, Scope scope, String instance) {
    Meta outer = ir.setMeta(Meta.at(el.span(e)));
    try {
      return switch (e) {
        case NnParser.ParenExprContext p -> eval(p.expr(), scope);
        case NnParser.NumberExprContext n -> number(n);
        case NnParser.BoolExprContext b -> new Value.Bool(b.getText().equals("true"));
        case NnParser.StringExprContext s -> new Value.Str(unquote(s.getText()));
        case NnParser.ListExprContext l -> {
          List<Value> items = new ArrayList<>();
          for (ExprContext x : l.expr()) items.add(eval(x, scope));
          yield new Value.Items(items);
        }
        case NnParser.NameExprContext n -> name(n, scope);
        case NnParser.NegExprContext n -> negate(eval(n.expr(), scope), n);
        case NnParser.PowExprContext p -> binary(BinaryOp.POW, p, p.expr(0), p.expr(1), scope);
        case NnParser.MulExprContext m -> switch (m.op.getText()) {
          case "*" -> binary(BinaryOp.MUL, m, m.expr(0), m.expr(1), scope);
          case "/" -> binary(BinaryOp.DIV, m, m.expr(0), m.expr(1), scope);
          default -> matmul(m, eval(m.expr(0), scope), eval(m.expr(1), scope));
        };
        case NnParser.AddExprContext a ->
            binary(a.op.getText().equals("+") ? BinaryOp.ADD : BinaryOp.SUB, a, a.expr(0), a.expr(1), scope);
        case NnParser.CompareExprContext c -> binary(switch (c.op.getText()) {
          case "<" -> BinaryOp.LT;
          case "<=" -> BinaryOp.LE;
          case ">" -> BinaryOp.GT;
          case ">=" -> BinaryOp.GE;
          case "==" -> BinaryOp.EQ;
          default -> BinaryOp.NE;
        }, c, c.expr(0), c.expr(1), scope);
        case NnParser.CastExprContext c -> {
          Value v = eval(c.expr(), scope);
          if (v instanceof Value.Poison) yield v;
          yield new Value.Tensor(guard(c, () -> ir.cast(toTensor(v, DType.F32, c.expr()), DType.parse(c.DTYPE().getText()))));
        }
        case NnParser.IndexExprContext x -> Indexer.index(this, x, eval(x.expr(), scope), scope);
        case NnParser.CallExprContext c -> call(c, scope, instance);
        default -> throw new IllegalStateException("unknown expression " + e.getClass());
      };
    } finally {
      ir.setMeta(outer);
    }
  }

  private Value number(NnParser.NumberExprContext n) {
    String t = n.getText();
    boolean integral = !t.contains(".") && !t.contains("e") && !t.contains("E");
    double v = Double.parseDouble(t);
    if (integral && v > Integer.MAX_VALUE) throw el.error(n, "integer literal " + t + " is too large");
    if (Double.isInfinite(v)) throw el.error(n, "number " + t + " is too large");
    return new Value.Num(v, integral);
  }

  private Value name(NnParser.NameExprContext n, Scope scope) {
    String name = n.getText();
    Scope.Binding b = scope.lookup(name);
    if (b != null) return b.value();
    if (Builtins.CONSTANTS.containsKey(name)) return new Value.Num(Builtins.CONSTANTS.get(name), false);
    if (Builtins.has(name)) throw el.error(n, "'" + name + "' is a function; call it as " + name + "(...)");
    throw el.unknown(n, name, scope);
  }

  private Value call(NnParser.CallExprContext c, Scope scope, String instance) {
    String name = c.callee.getText();
    Scope.Binding b = scope.lookup(name);
    // An unknown callee is reported even when an argument is erroneous: the two mistakes are independent.
    if (b == null && !Builtins.has(name)) throw el.unknown(c.callee, name, scope);
    List<Builtins.Arg> args = new ArrayList<>();
    for (NnParser.ArgContext a : c.arg()) {
      args.add(new Builtins.Arg(a.name() == null ? null : a.name().getText(), eval(a.expr(), scope), a));
    }
    if (args.stream().anyMatch(a -> a.value() instanceof Value.Poison)) return new Value.Poison();
    if (b != null) {
      if (b.value() instanceof Value.Poison) return b.value();
      if (!(b.value() instanceof Value.Fn fn)) throw el.error(c.callee, "'" + name + "' is " + Value.describe(b.value()) + ", not a function");
      for (Builtins.Arg a : args) if (a.name() != null) throw el.error(a.at(), "function " + name + " takes positional arguments only, not " + a.name() + " = ...");
      return el.call(fn, args.stream().map(Builtins.Arg::value).toList(), c, instance);
    }
    return guard(c, () -> Builtins.call(name, args, this, c));
  }

  /** Runs an IR construction, turning a shape/type rule violation into a located error. */
  <T> T guard(ParserRuleContext at, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IrException ex) {
      throw el.error(at, ex.getMessage());
    }
  }

  IrBuilder ir() {
    return ir;
  }

  Elaborator elaborator() {
    return el;
  }

  // ---- operators ------------------------------------------------------------------------------

  private Value binary(BinaryOp op, ParserRuleContext at, ExprContext l, ExprContext r, Scope scope) {
    return binary(op, at, eval(l, scope), eval(r, scope), l, r);
  }

  Value binary(BinaryOp op, ParserRuleContext at, Value a, Value b, ParserRuleContext la, ParserRuleContext lb) {
    if (a instanceof Value.Poison || b instanceof Value.Poison) return new Value.Poison();
    if (a instanceof Value.Num x && b instanceof Value.Num y) {
      double v = op.apply(x.value(), y.value());
      if (op.isComparison()) return new Value.Bool(v != 0);
      // An exact quotient of integers is an integer (T / chunk as a loop bound, D / heads in a shape).
      boolean exactQuotient = op == BinaryOp.DIV && v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE;
      boolean integral = x.integral() && y.integral() && (op != BinaryOp.DIV || exactQuotient)
          && !(op == BinaryOp.POW && y.value() < 0);
      return new Value.Num(v, integral);
    }
    DType dtype = a instanceof Value.Tensor t ? t.node().dtype() : b instanceof Value.Tensor t2 ? t2.node().dtype() : DType.F32;
    Node na = toTensor(a, dtype, la), nb = toTensor(b, dtype, lb);
    return new Value.Tensor(guard(at, () -> ir.binary(op, na, nb)));
  }

  private Value negate(Value v, ParserRuleContext at) {
    return switch (v) {
      case Value.Num n -> new Value.Num(-n.value(), n.integral());
      case Value.Poison p -> p;
      default -> new Value.Tensor(guard(at, () -> ir.neg(toTensor(v, DType.F32, at))));
    };
  }

  /** {@code a @ b} with NumPy's promotion of rank-1 operands (a vector is a row or a column). */
  Value matmul(ParserRuleContext at, Value av, Value bv) {
    if (av instanceof Value.Poison || bv instanceof Value.Poison) return new Value.Poison();
    DType dtype = av instanceof Value.Tensor t ? t.node().dtype() : bv instanceof Value.Tensor t2 ? t2.node().dtype() : DType.F32;
    Node a = toTensor(av, dtype, at), b = toTensor(bv, dtype, at);
    return new Value.Tensor(guard(at, () -> {
      if (a.shape().rank() == 0 || b.shape().rank() == 0) {
        throw new IrException("matmul: " + a.type() + " @ " + b.type() + ": operands must not be scalars");
      }
      Node a2 = a.shape().rank() == 1 ? ir.reshape(a, a.shape().insert(0, nnc.compiler.ir.Dim.of(1))) : a;
      Node b2 = b.shape().rank() == 1 ? ir.reshape(b, b.shape().insert(1, nnc.compiler.ir.Dim.of(1))) : b;
      Node m;
      try {
        m = ir.matmul(a2, b2);
      } catch (IrException ex) {
        // Report the shapes the user wrote, not the promoted ones.
        throw new IrException(ex.getMessage().replace(a2.type() + " @ " + b2.type(), a.type() + " @ " + b.type()));
      }
      Shape s = m.shape();
      if (b.shape().rank() == 1) s = s.remove(s.rank() - 1);
      if (a.shape().rank() == 1) s = s.remove(s.rank() - (b.shape().rank() == 1 ? 1 : 2));
      return ir.reshape(m, s);
    }));
  }

  // ---- conversions ----------------------------------------------------------------------------

  /** A value as a tensor node: numbers become scalar constants of {@code dtype}, lists become constants. */
  Node toTensor(Value v, DType dtype, ParserRuleContext at) {
    return switch (v) {
      case Value.Tensor t -> t.node();
      case Value.Num n -> {
        if (dtype == DType.I32 && n.value() != Math.rint(n.value())) {
          throw el.error(at, "cannot use " + nnc.compiler.ir.Leaf.Literal.format(n.value()) + " as an i32 value");
        }
        yield ir.constant(n.value(), dtype == DType.BOOL ? DType.F32 : dtype);
      }
      case Value.Bool b -> ir.constant(b.value() ? 1 : 0, DType.BOOL);
      case Value.Items l -> listConstant(l, dtype, at);
      case Value.Poison p -> throw new CompileError(el.span(at), CompileError.FOLLOW_ON);
      default -> throw el.error(at, "expected a tensor, got " + Value.describe(v));
    };
  }

  private Node listConstant(Value.Items l, DType dtype, ParserRuleContext at) {
    List<Integer> shape = new ArrayList<>();
    List<Double> flat = new ArrayList<>();
    flatten(l, 0, shape, flat, at);
    double[] values = flat.stream().mapToDouble(Double::doubleValue).toArray();
    return ir.constant(values, new TensorType(dtype, Shape.of(shape.stream().mapToInt(Integer::intValue).toArray())));
  }

  /** Rejects a ragged literal of numbers where it is written (a list is otherwise checked where it is used). */
  void checkLiteral(Value.Items l, ParserRuleContext at) {
    if (numbersOnly(l)) flatten(l, 0, new ArrayList<>(), new ArrayList<>(), at);
  }

  private static boolean numbersOnly(Value v) {
    return v instanceof Value.Num || v instanceof Value.Items l && l.items().stream().allMatch(Expressions::numbersOnly);
  }

  private void flatten(Value v, int depth, List<Integer> shape, List<Double> out, ParserRuleContext at) {
    if (v instanceof Value.Num n) {
      if (depth != shape.size()) throw el.error(at, "ragged tensor literal: a number where a list was expected");
      out.add(n.value());
      return;
    }
    if (!(v instanceof Value.Items l)) throw el.error(at, "tensor literals hold numbers, not " + Value.describe(v));
    if (depth == shape.size()) {
      if (!out.isEmpty()) throw el.error(at, "ragged tensor literal: a list where a number was expected");
      shape.add(l.items().size());
    } else if (shape.get(depth) != l.items().size()) {
      throw el.error(at, "ragged tensor literal: rows of length " + shape.get(depth) + " and " + l.items().size());
    }
    for (Value x : l.items()) flatten(x, depth + 1, shape, out, at);
  }

  int integer(ExprContext e, Scope scope, String what) {
    Value v = eval(e, scope);
    if (v instanceof Value.Num n && n.integral()) return (int) n.value();
    throw el.error(e, what + " must be an integer known at compile time, got " + Value.describe(v));
  }

  int positiveInt(ExprContext e, Scope scope, String what) {
    int v = integer(e, scope, what);
    if (v < 1) throw el.error(e, what + " must be positive, got " + v);
    return v;
  }

  double number(ExprContext e, Scope scope, String what) {
    Value v = eval(e, scope);
    if (v instanceof Value.Num n) return n.value();
    throw el.error(e, what + " must be a number, got " + Value.describe(v));
  }

  /** The initializer of a param: {@code zeros}, {@code normal(0, 0.1)}, {@code kaiming_normal}, a number. */
  Initializer initializer(ExprContext e, Scope scope) {
    if (e instanceof NnParser.NameExprContext n && Initializers.has(n.getText()) && scope.lookup(n.getText()) == null) {
      return Initializers.make(n.getText(), List.of(), this, n);
    }
    if (e instanceof NnParser.CallExprContext c && Initializers.has(c.callee.getText())) {
      List<Builtins.Arg> args = new ArrayList<>();
      for (NnParser.ArgContext a : c.arg()) args.add(new Builtins.Arg(a.name() == null ? null : a.name().getText(), eval(a.expr(), scope), a));
      return Initializers.make(c.callee.getText(), args, this, c);
    }
    Value v = eval(e, scope);
    if (v instanceof Value.Num n) return new Initializer.Constant(n.value());
    throw el.error(e, "a parameter's initial value must be an initializer (" + String.join(", ", Initializers.NAMES)
        + ") or a number, got " + Value.describe(v));
  }

  /** {@code sgd(lr = 0.005)} or {@code sgd} in a train statement: a known name and numeric keyword arguments. */
  TrainSpec.Call trainCall(ExprContext e, Scope scope, String what, Set<String> known) {
    String name;
    List<NnParser.ArgContext> argList;
    if (e instanceof NnParser.CallExprContext c) {
      name = c.callee.getText();
      argList = c.arg();
    } else if (e instanceof NnParser.NameExprContext n) {
      name = n.getText();
      argList = List.of();
    } else {
      throw el.error(e, "expected " + what + " such as " + known.iterator().next() + "(...)");
    }
    if (!known.contains(name)) {
      throw el.error(e, "unknown " + what + " '" + name + "'" + Suggest.hint(name, known)
          + "; known: " + String.join(", ", new java.util.TreeSet<>(known)));
    }
    Map<String, Double> args = new LinkedHashMap<>();
    for (NnParser.ArgContext a : argList) {
      if (a.name() == null) throw el.error(a, what + " arguments are written by name, e.g. lr = 0.01");
      String arg = a.name().getText();
      if (what.equals("optimizer") && !nnc.compiler.ir.Optimizers.parameters(name).contains(arg)) {
        Set<String> params = new java.util.TreeSet<>(nnc.compiler.ir.Optimizers.parameters(name));
        throw el.error(a.name(), name + " has no parameter '" + arg + "'" + Suggest.hint(arg, params) + "; parameters: " + String.join(", ", params));
      }
      if (args.containsKey(arg)) throw el.error(a.name(), what + " argument '" + arg + "' given twice");
      args.put(arg, number(a.expr(), scope, arg));
    }
    return new TrainSpec.Call(name, args);
  }

  static String unquote(String s) {
    return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
