package nnc.compiler.frontend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Span;
import nnc.grammar.NnParser;
import nnc.runtime.train.DataSpec;

/**
 * Elaborates {@code data} declarations into a {@link DataSpec}: paths resolved against the model
 * file's directory and checked to exist, options checked; the files themselves are not read.
 *
 * <pre>
 * data train {
 *   x = idx("../data/mnist/train-10k-images-idx3-ubyte.gz", scale = 1/255)
 *   y = idx("../data/mnist/train-10k-labels-idx1-ubyte.gz")
 * }
 * data validation = split(train, 0.1)
 * </pre>
 */
final class DataDeclarations {
  static final Set<String> SPLITS = new TreeSet<>(List.of("train", "validation", "test"));
  private static final Set<String> COMMON = Set.of("scale", "mean", "std", "standardize", "rows");
  private static final Set<String> CSV_ONLY = Set.of("columns", "column", "header");
  private static final Set<String> TEXT_OPTIONS = Set.of("context", "shift", "stride", "rows");

  private final Elaborator el;
  private final Map<String, DataSpec.Split> splits = new LinkedHashMap<>();
  private final Map<String, Span> splitSpans = new LinkedHashMap<>();
  private final Map<String, Span> fieldSpans = new LinkedHashMap<>();
  private final Map<String, DataSpec.Holdout> holdouts = new LinkedHashMap<>();
  private final Map<String, Span> holdoutSpans = new LinkedHashMap<>();

  DataDeclarations(Elaborator el) {
    this.el = el;
  }

  void split(NnParser.DataItemContext d, Path file, Scope scope) {
    String name = splitName(d.split);
    Map<String, DataSpec.Source> inputs = new LinkedHashMap<>();
    for (NnParser.DataFieldContext f : d.dataField()) {
      String input = f.name().getText();
      if (inputs.containsKey(input)) throw el.error(f.name(), "data " + name + ": input '" + input + "' given twice");
      inputs.put(input, source(f.expr(), file, scope));
      fieldSpans.put(name + "." + input, el.span(f.name()));
    }
    if (inputs.isEmpty()) throw el.error(d, "data " + name + ": names no input (write e.g. x = idx(\"...\"))");
    splits.put(name, new DataSpec.Split(name, inputs));
    splitSpans.put(name, el.span(d.split));
  }

  void holdout(NnParser.DataSplitItemContext d, Scope scope) {
    String name = splitName(d.split);
    if (name.equals("train")) throw el.error(d.split, "data train = ...: the training split cannot be carved out of itself");
    if (!d.callee.getText().equals("split")) throw el.error(d.callee, "expected split(train, FRACTION), e.g. split(train, 0.1)");
    String of = d.of.getText();
    if (!of.equals("train")) throw el.error(d.of, "split(...): the validation split is carved out of train, not " + of);
    double fraction = number(el.expr.eval(d.expr(), scope), d.expr(), "split fraction");
    if (!(fraction > 0 && fraction < 1)) throw el.error(d.expr(), "split fraction must be between 0 and 1, got " + fraction);
    holdouts.put(name, new DataSpec.Holdout(of, fraction));
    holdoutSpans.put(name, el.span(d));
  }

  private String splitName(NnParser.SplitNameContext n) {
    String name = n.getText();
    if (!SPLITS.contains(name)) {
      throw el.error(n, "unknown data split '" + name + "'" + Suggest.hint(name, SPLITS) + "; known: " + String.join(", ", SPLITS));
    }
    if (splits.containsKey(name) || holdouts.containsKey(name)) {
      throw el.error(n, "data " + name + " is already declared (at " + (splitSpans.containsKey(name) ? splitSpans.get(name) : holdoutSpans.get(name)).location() + ")");
    }
    return name;
  }

  private DataSpec.Source source(NnParser.ExprContext e, Path file, Scope scope) {
    if (e instanceof NnParser.ListExprContext) {
      Value v = el.expr.eval(e, scope);
      List<Integer> shape = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      flatten(v, 0, shape, values, e);
      double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
      return new DataSpec.Source(DataSpec.Format.INLINE, null, data, shape.stream().mapToInt(Integer::intValue).toArray(),
          null, -1, 0, null, DataSpec.Norm.IDENTITY);
    }
    if (!(e instanceof NnParser.CallExprContext c) || !List.of("idx", "csv", "npy", "text").contains(c.callee.getText())) {
      throw el.error(e, "expected a data source: idx(\"FILE\", ...), csv(\"FILE\", ...), npy(\"FILE\", ...), "
          + "text(\"FILE\", context = N) or a list of numbers");
    }
    String kind = c.callee.getText();
    DataSpec.Format format = DataSpec.Format.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
    if (c.arg().isEmpty() || c.arg(0).name() != null) throw el.error(c, kind + "(...): the first argument is the file, e.g. " + kind + "(\"data.gz\")");
    Value pathValue = el.expr.eval(c.arg(0).expr(), scope);
    if (!(pathValue instanceof Value.Str str)) throw el.error(c.arg(0), kind + "(...): the file must be a string");
    Path base = file == null ? Path.of("").toAbsolutePath() : file.getParent();
    Path resolved = base.resolve(str.value()).normalize();
    if (!Files.isRegularFile(resolved)) throw el.error(c.arg(0), "no such data file \"" + str.value() + "\" (" + resolved + ")");
    double scale = 1, mean = 0, std = 1;
    boolean standardize = false;
    int[] rows = null, columns = null;
    int column = -1, header = 0;
    int context = -1, shift = 0, stride = -1;
    Set<String> known = new TreeSet<>(format == DataSpec.Format.TEXT ? TEXT_OPTIONS : COMMON);
    if (format == DataSpec.Format.CSV) known.addAll(CSV_ONLY);
    Set<String> seen = new java.util.HashSet<>();
    for (int k = 1; k < c.arg().size(); k++) {
      NnParser.ArgContext a = c.arg(k);
      if (a.name() == null) throw el.error(a, kind + "(...): options are written by name, e.g. scale = 1/255");
      String opt = a.name().getText();
      if (!known.contains(opt)) throw el.error(a.name(), kind + "(...) has no option '" + opt + "'" + Suggest.hint(opt, known) + "; options: " + String.join(", ", known));
      if (!seen.add(opt)) throw el.error(a.name(), kind + "(...): option '" + opt + "' given twice");
      Value v = el.expr.eval(a.expr(), scope);
      switch (opt) {
        case "scale" -> scale = number(v, a, opt);
        case "mean" -> mean = number(v, a, opt);
        case "std" -> {
          std = number(v, a, opt);
          if (!(std > 0)) throw el.error(a, "std must be positive, got " + std);
        }
        case "standardize" -> {
          if (!(v instanceof Value.Bool b)) throw el.error(a, "standardize must be true or false");
          standardize = b.value();
        }
        case "rows" -> rows = range(v, a, opt);
        case "columns" -> columns = range(v, a, opt);
        case "column" -> column = nonNegative(v, a, opt);
        case "header" -> header = nonNegative(v, a, opt);
        case "context", "stride" -> {
          int n = nonNegative(v, a, opt);
          if (n < 1) throw el.error(a, opt + " must be a positive integer");
          if (opt.equals("context")) context = n;
          else stride = n;
        }
        case "shift" -> {
          shift = nonNegative(v, a, opt);
          if (shift > 1) throw el.error(a, "shift must be 0 (the windows) or 1 (their next characters), got " + shift);
        }
        default -> throw new IllegalStateException(opt);
      }
    }
    if (format == DataSpec.Format.TEXT) {
      if (context < 0) throw el.error(c, "text(...): give the window length, e.g. text(\"" + str.value() + "\", context = 64)");
      return new DataSpec.Source(format, resolved, null, null, null, -1, 0, rows, DataSpec.Norm.IDENTITY,
          new DataSpec.Windows(context, shift, stride < 0 ? context : stride));
    }
    if (columns != null && column >= 0) throw el.error(c, "csv(...): give columns = [first, last] or column = k, not both");
    if (standardize && (mean != 0 || std != 1)) throw el.error(c, kind + "(...): standardize computes mean and std; do not give them too");
    return new DataSpec.Source(format, resolved, null, null, columns, column, header, rows, new DataSpec.Norm(scale, mean, std, standardize));
  }

  private void flatten(Value v, int depth, List<Integer> shape, List<Double> out, Object at) {
    if (v instanceof Value.Num n) {
      if (depth != shape.size()) throw el.error(at, "inline data: rows of unequal depth");
      out.add(n.value());
      return;
    }
    if (!(v instanceof Value.Items items) || items.items().isEmpty()) throw el.error(at, "inline data must be a nested list of numbers");
    if (depth == shape.size()) {
      if (!out.isEmpty()) throw el.error(at, "inline data: rows of unequal depth");
      shape.add(items.items().size());
    } else if (shape.get(depth) != items.items().size()) {
      throw el.error(at, "inline data: rows of unequal length (" + items.items().size() + " and " + shape.get(depth) + ")");
    }
    for (Value x : items.items()) flatten(x, depth + 1, shape, out, at);
  }

  private double number(Value v, Object at, String what) {
    if (!(v instanceof Value.Num n)) throw el.error(at, what + " must be a number, got " + Value.describe(v));
    return n.value();
  }

  private int nonNegative(Value v, Object at, String what) {
    if (!(v instanceof Value.Num n) || !n.integral() || n.value() < 0) throw el.error(at, what + " must be a non-negative integer");
    return (int) n.value();
  }

  private int[] range(Value v, Object at, String what) {
    if (!(v instanceof Value.Items l) || l.items().size() != 2) throw el.error(at, what + " must be [first, last] (both included)");
    int a = nonNegative(l.items().get(0), at, what), b = nonNegative(l.items().get(1), at, what);
    if (b < a) throw el.error(at, what + ": [" + a + ", " + b + "] is empty (the last comes before the first)");
    return new int[] {a, b};
  }

  /** Checks the declarations against the model's inputs; returns the spec (errors are added to {@code errors}). */
  DataSpec finish(List<Leaf.Input> inputs, List<Diagnostic> errors) {
    Map<String, Leaf.Input> byName = new LinkedHashMap<>();
    for (Leaf.Input in : inputs) byName.put(in.name(), in);
    for (DataSpec.Split s : splits.values()) {
      for (Map.Entry<String, DataSpec.Source> f : s.inputs().entrySet()) {
        Span at = fieldSpans.get(s.name() + "." + f.getKey());
        Leaf.Input in = byName.get(f.getKey());
        if (in == null) {
          errors.add(new Diagnostic(at, "data " + s.name() + ": the model has no input '" + f.getKey() + "'" + Suggest.hint(f.getKey(), byName.keySet())));
          continue;
        }
        DataSpec.Source src = f.getValue();
        if (src.format() == DataSpec.Format.TEXT) {
          long per = 1;
          for (int k = 1; k < in.shape().rank(); k++) per *= in.shape().get(k) instanceof Dim.Fixed d ? d.size() : 1;
          if (in.dtype() != nnc.runtime.DType.I32 || per != src.windows().context()) {
            errors.add(new Diagnostic(at, "data " + s.name() + ": text windows of " + src.windows().context()
                + " character ids need an input i32[B, " + src.windows().context() + "], but " + f.getKey() + " is " + in.type()));
          }
        }
        if (src.format() == DataSpec.Format.INLINE) {
          List<Dim> dims = in.shape().dims();
          long row = 1;
          for (int k = 1; k < dims.size(); k++) row *= dims.get(k) instanceof Dim.Fixed d ? d.size() : 1;
          long per = 1;
          for (int k = 1; k < src.inlineShape().length; k++) per *= src.inlineShape()[k];
          if (dims.isEmpty() || per != row) {
            errors.add(new Diagnostic(at, "data " + s.name() + ": inline " + f.getKey() + " has rows of " + per
                + " values, input " + f.getKey() + " : " + in.type() + " takes " + row + " per example"));
          }
        }
      }
    }
    holdoutSpans.forEach((name, at) -> {
      if (!splits.containsKey("train")) errors.add(new Diagnostic(at, "split(train, ...): there is no data train"));
    });
    DataSpec.Holdout v = holdouts.get("validation"), t = holdouts.get("test");
    if (v != null && t != null && t.fraction() + v.fraction() >= 1) {
      errors.add(new Diagnostic(holdoutSpans.get("validation"), "the validation and test fractions leave no training data"));
    }
    return new DataSpec(splits, v, t);
  }
}
