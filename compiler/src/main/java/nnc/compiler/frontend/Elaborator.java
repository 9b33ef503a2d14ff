package nnc.compiler.frontend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Meta;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.Span;
import nnc.compiler.ir.TensorType;
import nnc.compiler.ir.TrainSpec;
import nnc.grammar.NnParser;
import nnc.grammar.NnParser.StatementContext;
import nnc.runtime.DType;
import nnc.runtime.init.Initializer;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Elaborates a parsed model into IR: resolves names, instantiates functions (each call gets its
 * own parameters, named after the binding that holds the call), unrolls loops, evaluates
 * compile-time numbers and checks every shape through the IR builder. Errors are collected per
 * statement, so one run reports every independent mistake.
 */
public final class Elaborator {
  private static final Set<String> TRAIN_CLAUSES = Set.of("batch", "epochs", "schedule", "clip", "seed", "patience", "l1", "l2", "loss_scale");

  final IrBuilder ir = new IrBuilder();
  final Expressions expr = new Expressions(this);
  private final List<Diagnostic> errors = new ArrayList<>();
  private final Map<String, SourceText> sources = new LinkedHashMap<>();
  private final Deque<Path> importStack = new ArrayDeque<>();
  private final Set<Path> imported = new HashSet<>();
  final Scope globals = new Scope(null, false);
  private final List<Leaf.Input> inputs = new ArrayList<>();
  private final List<Leaf.Param> params = new ArrayList<>();
  private final Map<String, Span> paramSpans = new HashMap<>();
  private final List<Leaf.State> states = new ArrayList<>();
  /** New values of model state computed by the training forward pass (batch_norm's running statistics), by state name. */
  private final Map<String, Node> stateUpdates = new LinkedHashMap<>();
  private final Map<String, Node> outputs = new LinkedHashMap<>();
  private final Map<String, Node> namedValues = new LinkedHashMap<>();
  private TrainSpec train;
  private String modelName;
  private final DataDeclarations data = new DataDeclarations(this);
  private final Map<String, Node> metrics = new LinkedHashMap<>();
  private nnc.runtime.train.DataSpec dataSpec = nnc.runtime.train.DataSpec.none();

  /** A model with its declared data: what {@code nnc train} needs. */
  public record Model(Graph graph, nnc.runtime.train.DataSpec data) {}

  /** Instance path of the function call being elaborated ("" at top level), and loop indices. */
  private final Deque<String> instancePath = new ArrayDeque<>();
  private final Deque<Integer> loopIndices = new ArrayDeque<>();
  private final Set<String> usedInstanceNames = new HashSet<>();
  final Deque<String> callStack = new ArrayDeque<>();
  /** Where each function on {@link #callStack} was called, innermost first. */
  private final Deque<Span> callSites = new ArrayDeque<>();
  /** How each file is named in diagnostics: an import is named relative to the file that imports it. */
  private final Map<Path, String> displayNames = new HashMap<>();

  /** Parses and elaborates a model file (and its imports). */
  public static Graph compile(Path file) throws IOException, CompilationFailed {
    return new Elaborator().run(file.toAbsolutePath().normalize(), SourceText.read(file));
  }

  /** Parses and elaborates a model file with its {@code data} declarations (paths resolved, files not read). */
  public static Model compileModel(Path file) throws IOException, CompilationFailed {
    Elaborator el = new Elaborator();
    Graph g = el.run(file.toAbsolutePath().normalize(), SourceText.read(file));
    return new Model(g, el.dataSpec);
  }

  public static Graph compile(SourceText src) throws CompilationFailed {
    try {
      return new Elaborator().run(null, src);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Graph run(Path path, SourceText src) throws IOException, CompilationFailed {
    if (path != null) {
      importStack.push(path);
      displayNames.put(path, src.name());
    }
    SyntaxParser.Result parsed = parseSource(src);
    if (parsed.errors().isEmpty()) {
      for (NnParser.ItemContext item : parsed.tree().item()) item(item, path, false);
    }
    if (train == null && errors.isEmpty() && outputs.isEmpty()) {
      errors.add(new Diagnostic(new Span(src.name(), 1, 1, 1), "the model declares no output and no train objective"));
    }
    if (!metrics.isEmpty() && train == null && errors.isEmpty()) {
      errors.add(new Diagnostic(new Span(src.name(), 1, 1, 1), "metrics are evaluated with the train objective, but the model has no train statement"));
    }
    if (train != null && (!metrics.isEmpty() || !stateUpdates.isEmpty())) {
      train = new TrainSpec(train.objective(), train.optimizer(), train.options(), metrics, train.span(), stateUpdates);
    }
    dataSpec = data.finish(inputs, errors);
    if (!errors.isEmpty()) throw new CompilationFailed(errors, sources);
    String name = modelName != null ? modelName : defaultName(src.name());
    return new Graph(name, inputs, params, outputs, namedValues, train, ir, states);
  }

  private SyntaxParser.Result parseSource(SourceText src) {
    sources.put(src.name(), src);
    SyntaxParser.Result parsed = SyntaxParser.parse(src);
    errors.addAll(parsed.errors());
    return parsed;
  }

  private static String defaultName(String file) {
    String base = Path.of(file).getFileName().toString().replaceFirst("\\.nn$", "");
    return base.isEmpty() ? "model" : base;
  }

  // ---- top-level items ------------------------------------------------------------------------

  private void item(NnParser.ItemContext item, Path file, boolean library) throws IOException {
    try {
      switch (item) {
        case NnParser.ImportItemContext i -> importFile(i, file);
        case NnParser.ModelItemContext m -> {
          if (library) throw error(m, "an imported file cannot declare a model");
          if (modelName != null) throw error(m, "the model is already named " + modelName);
          modelName = m.ID().getText();
        }
        case NnParser.FnItemContext f -> defineFunction(f);
        case NnParser.DataItemContext d -> {
          if (library) throw error(d, "an imported file cannot declare data");
          data.split(d, file, globals);
        }
        case NnParser.DataSplitItemContext d -> {
          if (library) throw error(d, "an imported file cannot declare data");
          data.holdout(d, globals);
        }
        case NnParser.StatementItemContext s -> {
          if (library && !(s.statement() instanceof NnParser.ConstStmtContext)) {
            throw error(s, "an imported file may only define functions and constants");
          }
          statement(s.statement(), globals);
        }
        default -> throw new IllegalStateException("unknown item " + item.getClass());
      }
    } catch (CompileError e) {
      if (!e.isFollowOn()) errors.add(e.diagnostic());
      // A function whose definition failed is poison, so that its calls report nothing more.
      if (item instanceof NnParser.FnItemContext f && globals.local(f.fnName.getText()) == null) {
        globals.define(f.fnName.getText(), new Scope.Binding(new Value.Poison(), span(f.fnName), Scope.Kind.FUNCTION));
      }
    }
  }

  private void importFile(NnParser.ImportItemContext i, Path from) throws IOException {
    String rel = Expressions.unquote(i.STRING().getText());
    Path base = from == null ? Path.of("").toAbsolutePath() : from.getParent();
    Path target = base.resolve(rel).normalize();
    // A std module when no such file exists beside the importing file (which may shadow it).
    if (!StdLibrary.isModule(target) && !Files.isRegularFile(target) && StdLibrary.resolve(rel) != null) {
      target = StdLibrary.resolve(rel);
    }
    if (importStack.contains(target)) {
      List<String> cycle = new ArrayList<>();
      importStack.descendingIterator().forEachRemaining(p -> cycle.add(p.getFileName().toString()));
      cycle.add(target.getFileName().toString());
      throw error(i, "import cycle: " + String.join(" -> ", cycle));
    }
    if (!imported.add(target)) return;
    SourceText src;
    String shown;
    if (StdLibrary.isModule(target)) {
      shown = StdLibrary.displayName(target);
      if (!StdLibrary.exists(target)) {
        throw error(i, "cannot import \"" + rel + "\": no such file, and no standard library module "
            + StdLibrary.name(target) + Suggest.hint(StdLibrary.name(target), StdLibrary.MODULES)
            + " (modules: " + String.join(", ", StdLibrary.MODULES) + ")");
      }
      src = new SourceText(shown, StdLibrary.read(target));
    } else {
      shown = (from == null ? Path.of(rel) : Path.of(displayNames.get(from)).resolveSibling(rel)).normalize().toString();
      if (shown.isEmpty()) shown = rel;
      if (!Files.isRegularFile(target)) throw error(i, "cannot import \"" + rel + "\": no such file " + shown);
      src = new SourceText(shown, Files.readString(target, java.nio.charset.StandardCharsets.UTF_8));
    }
    displayNames.put(target, shown);
    SyntaxParser.Result parsed = parseSource(src);
    if (!parsed.errors().isEmpty()) return;
    importStack.push(target);
    try {
      for (NnParser.ItemContext item : parsed.tree().item()) item(item, target, true);
    } finally {
      importStack.pop();
    }
  }

  private void defineFunction(NnParser.FnItemContext f) {
    String name = f.fnName.getText();
    if (Builtins.has(name)) throw error(f.fnName, "function '" + name + "' would hide the built-in " + name);
    Scope.Binding old = globals.local(name);
    if (old != null) throw duplicate(f.fnName, name, old);
    Set<String> seen = new HashSet<>();
    for (NnParser.NameContext param : f.params) {
      if (!seen.add(param.getText())) {
        throw error(param.getStart(), "duplicate parameter '" + param.getText() + "' of function " + name);
      }
    }
    globals.define(name, new Scope.Binding(new Value.Fn(name, f), span(f.fnName), Scope.Kind.FUNCTION));
  }

  // ---- statements -----------------------------------------------------------------------------

  /** Runs one statement; returns the value of a {@code return}, else null. */
  Value statement(StatementContext st, Scope scope) {
    Meta before = ir.setMeta(Meta.at(span(st)));
    try {
      return switch (st) {
        case NnParser.InputStmtContext s -> {
          requireTopLevel(s, "input");
          TensorType t = type(s.typeSpec(), scope);
          String name = declName(s.declName(), scope);
          checkFresh(s.declName(), name, scope);
          Leaf.Input in = ir.input(name, t);
          inputs.add(in);
          define(scope, name, new Value.Tensor(in), s.declName(), Scope.Kind.INPUT);
          yield null;
        }
        case NnParser.ParamStmtContext s -> {
          param(s, scope);
          yield null;
        }
        case NnParser.StateStmtContext s -> {
          state(s, scope);
          yield null;
        }
        case NnParser.ConstStmtContext s -> {
          constant(s, scope);
          yield null;
        }
        case NnParser.OutputStmtContext s -> {
          output(s, scope);
          yield null;
        }
        case NnParser.AssignStmtContext s -> {
          assign(s, scope);
          yield null;
        }
        case NnParser.TrainStmtContext s -> {
          train(s, scope);
          yield null;
        }
        case NnParser.MetricStmtContext s -> {
          metric(s, scope);
          yield null;
        }
        case NnParser.ForStmtContext s -> loop(s, scope);
        case NnParser.ReturnStmtContext s -> {
          if (callStack.isEmpty()) throw error(s, "return outside a function");
          yield expr.eval(s.expr(), scope);
        }
        default -> throw new IllegalStateException("unknown statement " + st.getClass());
      };
    } catch (CompileError e) {
      if (!callStack.isEmpty()) throw e; // inside a call: the call site reports it
      if (!e.isFollowOn() && !errors.contains(e.diagnostic())) errors.add(e.diagnostic()); // once, not once per loop iteration
      poisonTargets(st, scope);
      return null;
    } finally {
      ir.setMeta(before);
    }
  }

  /** After an error, names the statement would have defined are bound to poison, so uses of them stay quiet. */
  private void poisonTargets(StatementContext st, Scope scope) {
    List<String> names = switch (st) {
      case NnParser.AssignStmtContext s -> s.name().stream().map(ParserRuleContext::getText).toList();
      case NnParser.InputStmtContext s -> List.of(s.declName().name(0).getText());
      case NnParser.ParamStmtContext s -> List.of(s.declName().name(0).getText());
      case NnParser.StateStmtContext s -> List.of(s.declName().name(0).getText());
      case NnParser.ConstStmtContext s -> List.of(s.declName().name(0).getText());
      case NnParser.OutputStmtContext s -> List.of(s.declName().name(0).getText());
      default -> List.of();
    };
    for (String n : names) {
      if (scope.lookup(n) == null) scope.define(n, new Scope.Binding(new Value.Poison(), span(st), Scope.Kind.VALUE));
    }
  }

  private void requireTopLevel(ParserRuleContext s, String what) {
    if (!callStack.isEmpty()) throw error(s, what + " declarations are only allowed at the top level, not inside function " + callStack.peek());
  }

  private void param(NnParser.ParamStmtContext s, Scope scope) {
    TensorType t = type(s.typeSpec(), scope);
    if (!t.shape().isStatic()) throw error(s.typeSpec(), "param: shape " + t.shape() + " must be fixed (no symbolic dimensions)");
    if (!t.isFloat()) throw error(s.typeSpec(), "param: parameters must be f32 or f64, got " + t);
    String local = declName(s.declName(), scope);
    checkFresh(s.declName(), local, scope);
    String full = instancePath.isEmpty() ? local : String.join(".", instancePath.reversed()) + "." + local;
    if (paramSpans.containsKey(full)) {
      throw error(s.declName(), "duplicate parameter name '" + full + "' (first declared at " + paramSpans.get(full).location() + ")");
    }
    Initializer init = s.expr() == null ? new Initializer.Zeros() : expr.initializer(s.expr(), scope);
    if (t.shape().rank() == 0 && (init instanceof Initializer.XavierNormal || init instanceof Initializer.XavierUniform
        || init instanceof Initializer.KaimingNormal || init instanceof Initializer.KaimingUniform)) {
      throw error(s.expr(), "param: " + init.describe() + " scales by fan_in/fan_out, which a scalar " + t
          + " does not have; use a number or normal(...)");
    }
    Leaf.Param p = ir.param(full, t, init);
    params.add(p);
    paramSpans.put(full, span(s.declName()));
    namedValues.put(full, p);
    define(scope, local, new Value.Tensor(p), s.declName(), Scope.Kind.PARAM);
  }

  /**
   * {@code state running_mean : f32[C] = zeros}: model state that is not trained (PyTorch's
   * register_buffer). Named per instance like parameters ({@code bn1.running_mean}); only the
   * training step changes it, through built-ins such as batch_norm that register its update.
   */
  private void state(NnParser.StateStmtContext s, Scope scope) {
    TensorType t = type(s.typeSpec(), scope);
    if (!t.shape().isStatic()) throw error(s.typeSpec(), "state: shape " + t.shape() + " must be fixed (no symbolic dimensions)");
    if (!t.isFloat()) throw error(s.typeSpec(), "state: model state must be f32 or f64, got " + t);
    String local = declName(s.declName(), scope);
    checkFresh(s.declName(), local, scope);
    String full = instancePath.isEmpty() ? local : String.join(".", instancePath.reversed()) + "." + local;
    if (paramSpans.containsKey(full)) {
      throw error(s.declName(), "duplicate parameter or state name '" + full + "' (first declared at " + paramSpans.get(full).location() + ")");
    }
    Initializer init = s.expr() == null ? new Initializer.Zeros() : expr.initializer(s.expr(), scope);
    if (init instanceof Initializer.XavierNormal || init instanceof Initializer.XavierUniform
        || init instanceof Initializer.KaimingNormal || init instanceof Initializer.KaimingUniform) {
      throw error(s.expr(), "state: " + init.describe() + " is an initializer for weights; model state starts at zeros, ones or a number");
    }
    Leaf.State st = ir.state(full, t, init);
    states.add(st);
    paramSpans.put(full, span(s.declName()));
    namedValues.put(full, st);
    define(scope, local, new Value.Tensor(st), s.declName(), Scope.Kind.STATE);
  }

  /**
   * Registers the value a state takes after each training step (batch_norm's running statistics).
   * A state has one update: two layers writing the same running statistics would be a mistake.
   */
  void updateState(Node state, Node next, ParserRuleContext at, String op) {
    if (!(state instanceof Leaf.State st)) {
      throw error(at, op + ": expects a model state declared with 'state' (its value is updated by training), got "
          + (state instanceof Leaf.Param p ? "parameter " + p.name() : state.opName() + " " + state.type()));
    }
    if (stateUpdates.containsKey(st.name())) {
      throw error(at, op + ": state " + st.name() + " is already updated by another call; each state has one update");
    }
    if (!next.type().equals(st.type())) throw new IllegalStateException(op + ": update of " + st.name() + " has type " + next.type());
    stateUpdates.put(st.name(), next);
  }

  private void constant(NnParser.ConstStmtContext s, Scope scope) {
    String name = declName(s.declName(), scope);
    checkFresh(s.declName(), name, scope);
    Value v = expr.eval(s.expr(), scope);
    if (s.typeSpec() != null) {
      TensorType t = type(s.typeSpec(), scope);
      v = new Value.Tensor(expr.toTensor(v, t.dtype(), s.expr()));
      Node n = ((Value.Tensor) v).node();
      if (n.dtype() != t.dtype()) {
        throw error(s.expr(), "const " + name + ": value has type " + n.type() + ", declared " + t.dtype().languageName()
            + " (convert it with " + t.dtype().languageName() + "(...))");
      }
      if (!n.shape().equals(t.shape())) {
        if (n.shape().rank() != 0) {
          throw error(s.expr(), "const " + name + ": value has shape " + n.shape() + ", declared " + t.shape());
        }
        v = new Value.Tensor(ir.broadcast(n, t.shape()));
      }
    } else if (!(v instanceof Value.Num || v instanceof Value.Bool || v instanceof Value.Tensor
        || v instanceof Value.Items || v instanceof Value.Poison)) {
      throw error(s.expr(), "const " + name + ": expected a number or a tensor, got " + Value.describe(v));
    }
    // An untyped list stays a compile-time value: it takes the element type of the tensor it meets.
    if (v instanceof Value.Items l) expr.checkLiteral(l, s.expr());
    define(scope, name, v, s.declName(), Scope.Kind.CONST);
  }

  private void output(NnParser.OutputStmtContext s, Scope scope) {
    requireTopLevel(s, "output");
    String name = declName(s.declName(), scope);
    Value v;
    if (s.expr() != null) {
      checkFresh(s.declName(), name, scope);
      v = expr.eval(s.expr(), scope);
    } else {
      Scope.Binding b = scope.lookup(name);
      if (b == null) throw unknown(s.declName(), name, scope);
      v = b.value();
    }
    if (v instanceof Value.Poison) return;
    Node n = expr.toTensor(v, DType.F32, s.expr() != null ? s.expr() : s.declName());
    if (outputs.containsKey(name)) throw error(s.declName(), "duplicate output '" + name + "'");
    outputs.put(name, n);
    namedValues.put(name, n);
    if (s.expr() != null) define(scope, name, new Value.Tensor(n), s.declName(), Scope.Kind.OUTPUT);
  }

  private void assign(NnParser.AssignStmtContext s, Scope scope) {
    List<NnParser.NameContext> targets = s.name();
    String preferred = targets.size() == 1 ? targets.get(0).getText() + loopSuffix() : null;
    Value v = expr.evalBinding(s.expr(), scope, preferred);
    List<Value> values;
    if (targets.size() == 1) values = List.of(v);
    else if (v instanceof Value.Items items && items.items().size() == targets.size()) values = items.items();
    else if (v instanceof Value.Poison) values = java.util.Collections.nCopies(targets.size(), v);
    else throw error(s.expr(), "cannot unpack " + (v instanceof Value.Items items ? "a list of " + items.items().size()
        : Value.describe(v)) + " into " + targets.size() + " names");
    for (int i = 0; i < targets.size(); i++) {
      String name = targets.get(i).getText();
      Scope carrier = scope.carrierOf(name);
      if (carrier != null) {
        carrier.rebind(name, values.get(i));
      } else {
        checkFresh(targets.get(i), name, scope);
        define(scope, name, values.get(i), targets.get(i), Scope.Kind.VALUE);
      }
      if (values.get(i) instanceof Value.Tensor t && callStack.isEmpty()) namedValues.put(name + loopSuffix(), t.node());
    }
  }

  private void train(NnParser.TrainStmtContext s, Scope scope) {
    requireTopLevel(s, "train");
    if (train != null) throw error(s, "the model already has a train objective (at " + train.span().location() + ")");
    Value v = expr.eval(s.expr(0), scope);
    if (v instanceof Value.Poison) return;
    Node objective = expr.toTensor(v, DType.F32, s.expr(0));
    if (objective.shape().rank() != 0 || !objective.type().isFloat()) {
      throw error(s.expr(0), "train: the objective must be a float scalar, got " + objective.type()
          + " (reduce it with mean(...) or sum(...))");
    }
    TrainSpec.Call optimizer = expr.trainCall(s.expr(1), scope, "optimizer", Builtins.OPTIMIZERS);
    Map<String, Object> options = new LinkedHashMap<>();
    for (NnParser.TrainClauseContext c : s.trainClause()) {
      String key = c.clauseKey.getText();
      if (!TRAIN_CLAUSES.contains(key)) {
        throw error(c.clauseKey, "unknown train clause '" + key + "'" + Suggest.hint(key, TRAIN_CLAUSES)
            + "; known: " + String.join(", ", new java.util.TreeSet<>(TRAIN_CLAUSES)));
      }
      if (options.containsKey(key)) throw error(c.clauseKey, "train clause '" + key + "' given twice");
      options.put(key, switch (key) {
        case "schedule" -> expr.trainCall(c.expr(), scope, "schedule", Builtins.SCHEDULES);
        case "batch", "epochs", "seed", "patience" -> expr.positiveInt(c.expr(), scope, key);
        default -> expr.number(c.expr(), scope, key);
      });
    }
    train = new TrainSpec(objective, optimizer, options, Map.of(), span(s));
  }

  /** {@code metric acc = accuracy(logits, y)}: a float scalar reported by evaluation. */
  private void metric(NnParser.MetricStmtContext s, Scope scope) {
    requireTopLevel(s, "metric");
    String name = s.name().getText();
    if (name.equals("loss")) throw error(s.name(), "metric 'loss' would hide the objective, which is always reported as loss");
    if (metrics.containsKey(name)) throw error(s.name(), "duplicate metric '" + name + "'");
    // A metric may be named after the function that computes it (metric accuracy = accuracy(...));
    // then it is only a label, not a name in scope.
    boolean label = Builtins.has(name);
    if (!label) checkFresh(s.name(), name, scope);
    Value v = expr.eval(s.expr(), scope);
    if (v instanceof Value.Poison) return;
    Node n = expr.toTensor(v, DType.F32, s.expr());
    if (n.shape().rank() != 0 || !n.type().isFloat()) {
      throw error(s.expr(), "metric " + name + ": must be a float scalar, got " + n.type() + " (reduce it with mean(...))");
    }
    metrics.put(name, n);
    if (!label) define(scope, name, new Value.Tensor(n), s.name(), Scope.Kind.VALUE);
  }

  private Value loop(NnParser.ForStmtContext s, Scope scope) {
    int from = expr.integer(s.expr(0), scope, "loop start");
    int to = expr.integer(s.expr(1), scope, "loop end");
    if (to - from > 10_000) throw error(s, "loop of " + (to - from) + " iterations is too long to unroll");
    String var = s.name().getText();
    for (int i = from; i < to; i++) {
      Scope body = new Scope(scope, true);
      body.define(var, new Scope.Binding(new Value.Num(i, true), span(s.name()), Scope.Kind.LOOP_VAR));
      loopIndices.push(i);
      try {
        for (StatementContext st : s.block().statement()) {
          Value r = statement(st, body);
          if (r != null) return r;
        }
      } finally {
        loopIndices.pop();
      }
    }
    return null;
  }

  // ---- function calls -------------------------------------------------------------------------

  /** Instantiates a user function: a fresh scope over the globals and a fresh instance name. */
  Value call(Value.Fn fn, List<Value> args, ParserRuleContext site, String preferredInstance) {
    NnParser.FnItemContext def = fn.def();
    int arity = def.params.size();
    if (args.size() != arity) {
      throw error(site, "function " + fn.name() + "(" + String.join(", ", def.params.stream()
          .map(NnParser.NameContext::getText).toList()) + ") takes " + arity + " argument" + (arity == 1 ? "" : "s")
          + ", got " + args.size());
    }
    if (callStack.contains(fn.name())) {
      List<String> chain = new ArrayList<>(callStack.reversed());
      chain.add(fn.name());
      throw error(site, "recursive call cycle: " + String.join(" -> ", chain) + " (functions are inlined, so recursion cannot end)");
    }
    Scope scope = new Scope(globals, false);
    for (int k = 0; k < arity; k++) {
      scope.define(def.params.get(k).getText(), new Scope.Binding(args.get(k), span(def.params.get(k).getStart()), Scope.Kind.VALUE));
    }
    instancePath.push(instanceName(preferredInstance != null ? preferredInstance : fn.name() + "." + nextOrdinal(fn.name())));
    callStack.push(fn.name());
    callSites.push(span(site));
    Meta outer = ir.meta();
    try {
      for (StatementContext st : def.block().statement()) {
        Value r = statement(st, scope);
        if (r != null) return r;
      }
      throw error(def.fnName, "function " + fn.name() + " ends without a return");
    } finally {
      callStack.pop();
      callSites.pop();
      instancePath.pop();
      ir.setMeta(outer);
    }
  }

  private final Map<String, Integer> ordinals = new HashMap<>();

  private int nextOrdinal(String fn) {
    return ordinals.merge(fn, 1, Integer::sum) - 1;
  }

  private String instanceName(String base) {
    String prefix = instancePath.isEmpty() ? "" : String.join(".", instancePath.reversed()) + ".";
    String name = base;
    for (int k = 2; !usedInstanceNames.add(prefix + name); k++) name = base + "_" + k;
    return name;
  }

  private String loopSuffix() {
    StringBuilder sb = new StringBuilder();
    loopIndices.descendingIterator().forEachRemaining(i -> sb.append('.').append(i));
    return sb.toString();
  }

  // ---- names, types, spans ----------------------------------------------------------------------

  private String declName(NnParser.DeclNameContext d, Scope scope) {
    String base = d.name(0).getText();
    if (d.name().size() == 1) return base;
    String idx = d.name(1).getText();
    Scope.Binding b = scope.lookup(idx);
    if (b == null || !(b.value() instanceof Value.Num n) || !n.integral()) {
      throw error(d.name(1), "'" + idx + "' in " + d.getText() + " must be a loop variable or an integer constant");
    }
    return base + "." + (long) n.value();
  }

  private void checkFresh(ParserRuleContext at, String name, Scope scope) {
    if (Builtins.has(name)) {
      throw error(at, "'" + name + "' is the name of a built-in function; choose another name");
    }
    Scope.Binding old = scope.local(name);
    if (old != null) throw duplicate(at, name, old);
    // Inside a loop, only plain values are loop-carried; declarations outside cannot be reassigned.
    Scope.Binding outer = scope.isLoopBody() ? scope.lookup(name) : null;
    if (outer != null && outer.kind() != Scope.Kind.VALUE && outer.kind() != Scope.Kind.LOOP_VAR) {
      throw error(at, "cannot re-assign " + outer.kind().name().toLowerCase() + " '" + name + "' inside a loop (declared at "
          + outer.declared().location() + "); only values bound with '=' before the loop are loop-carried");
    }
  }

  private void define(Scope scope, String name, Value v, ParserRuleContext at, Scope.Kind kind) {
    scope.define(name, new Scope.Binding(v, span(at), kind));
    // `param V[l]` declares V.3; in the rest of the loop body it is simply V.
    if (at instanceof NnParser.DeclNameContext d && d.name().size() == 2) {
      scope.define(d.name(0).getText(), new Scope.Binding(v, span(at), kind));
    }
    if (v instanceof Value.Tensor t && callStack.isEmpty() && kind != Scope.Kind.OUTPUT) namedValues.put(name, t.node());
  }

  TensorType type(NnParser.TypeSpecContext t, Scope scope) {
    DType dtype = DType.parse(t.DTYPE().getText());
    List<Dim> dims = new ArrayList<>();
    for (NnParser.DimExprContext d : t.dimExpr()) dims.add(dim(d, scope));
    return new TensorType(dtype, new Shape(dims));
  }

  private Dim dim(NnParser.DimExprContext d, Scope scope) {
    if (d.expr() instanceof NnParser.NameExprContext n && scope.lookup(n.getText()) == null) {
      return Dim.sym(n.getText()); // an unbound name in a shape is a symbolic dimension
    }
    int size = expr.integer(d.expr(), scope, "dimension");
    if (size < 1) throw error(d, "dimension must be positive, got " + size);
    return Dim.of(size);
  }

  CompileError duplicate(Object at, String name, Scope.Binding old) {
    String where = old.declared().isKnown() ? " (first defined at " + old.declared().location() + ")" : "";
    String rule = old.kind() == Scope.Kind.VALUE
        ? "; a name is bound once (only a value defined before a for loop may be re-assigned inside it)" : "";
    return error(at, "duplicate definition of '" + name + "'" + where + rule);
  }

  CompileError unknown(Object at, String name, Scope scope) {
    Set<String> candidates = new java.util.TreeSet<>(scope.visibleNames());
    candidates.addAll(Builtins.names());
    return error(at, "unknown name '" + name + "'" + Suggest.hint(name, candidates));
  }

  CompileError error(Object at, String message) {
    Span s = at instanceof ParserRuleContext c ? span(c)
        : at instanceof org.antlr.v4.runtime.Token t ? span(t) : (Span) at;
    return new CompileError(s, message + callContext());
  }

  /**
   * An error inside a function body is reported at the faulty line; this names the calls that led
   * there, innermost first: " (in dense called at model.nn:8:6)".
   */
  private String callContext() {
    if (callStack.isEmpty()) return "";
    List<String> frames = new ArrayList<>();
    java.util.Iterator<Span> sites = callSites.iterator();
    for (String fn : callStack) frames.add("in " + fn + " called at " + sites.next().location());
    return " (" + String.join(", ", frames) + ")";
  }

  Span span(ParserRuleContext c) {
    org.antlr.v4.runtime.Token start = c.getStart(), stop = c.getStop();
    int length = stop == null || stop.getLine() != start.getLine() || stop.getStopIndex() < start.getStartIndex()
        ? start.getText().length() : stop.getStopIndex() - start.getStartIndex() + 1;
    return new Span(start.getInputStream().getSourceName(), start.getLine(), start.getCharPositionInLine() + 1, length);
  }

  Span span(org.antlr.v4.runtime.Token t) {
    return new Span(t.getInputStream().getSourceName(), t.getLine(), t.getCharPositionInLine() + 1, t.getText().length());
  }
}
