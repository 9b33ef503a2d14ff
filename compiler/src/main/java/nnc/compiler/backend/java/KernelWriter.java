package nnc.compiler.backend.java;

import static nnc.compiler.backend.java.JavaTypes.FLOAT_VECTOR;
import static nnc.compiler.backend.java.JavaTypes.VECTOR_OPERATORS;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;

/**
 * One kernel as a method {@code static void NAME(float[] p, float[] m, int[] rt)}: its statements
 * in order, loops as Java for-loops, and each loop that {@link Vectorizer} accepts as a Vector
 * API loop over whole vectors followed by a scalar loop over the remaining tail.
 */
final class KernelWriter {
  private final Names names;
  private final ScalarCode scalar;
  private final CodeBlock.Builder out = CodeBlock.builder();
  /** The IR locals declared in each enclosing block: a second declaration becomes an assignment. */
  private final Deque<Set<String>> declared = new ArrayDeque<>();

  private KernelWriter(Kernel kernel) {
    names = new Names(kernel);
    scalar = new ScalarCode(names);
    declared.push(new HashSet<>());
  }

  static MethodSpec method(Kernel kernel) {
    KernelWriter w = new KernelWriter(kernel);
    w.names.rtLocals().forEach((slot, name) -> w.out.addStatement("int $L = rt[$L]", name, slot));
    w.statements(kernel.body());
    MethodSpec.Builder method = MethodSpec.methodBuilder(kernel.name());
    if (!kernel.describe().isBlank()) method.addJavadoc("$L", Comments.javadoc(kernel.describe()));
    return method
        .addModifiers(Modifier.STATIC)
        .addParameter(float[].class, "p")
        .addParameter(float[].class, "m")
        .addParameter(int[].class, "rt")
        .returns(TypeName.VOID)
        .addCode(w.out.build())
        .build();
  }

  private void statements(List<? extends St> body) {
    for (St s : body) statement(s);
  }

  private void statement(St s) {
    switch (s) {
      case St.Loop l -> scalarLoop(l, l.var(), l.lo(), l.hi(), () -> statements(l.body()));
      case St.ElementLoop l -> {
        if (Vectorizer.canVectorize(l)) vectorLoop(l);
        else scalarLoop(l, l.var(), l.lo(), l.hi(), () -> statements(l.body()));
      }
      case St.ReduceLoop r -> {
        if (Vectorizer.canVectorize(r)) vectorReduce(r);
        else scalarLoop(r, r.var(), r.lo(), r.hi(), () -> combine(r.op(), names.floatVar(r.acc()), scalar.fx(r.value())));
      }
      case St.Store st -> out.addStatement("$L[$L] $L $L", ScalarCode.array(st.space()),
          scalar.ix(st.index()).code(), st.accumulate() ? "+=" : "=", scalar.fx(st.value()).code());
      case St.DeclareFloat d -> declare("float", names.floatVar(d.name()), scalar.fx(d.init()));
      case St.SetFloat d -> out.addStatement("$L = $L", names.floatVar(d.name()), scalar.fx(d.value()).code());
      case St.DeclareInt d -> declare("int", names.intVar(d.name()), scalar.ix(d.init()));
      case St.Comment c -> {
        for (String line : Comments.lines(c.text())) out.add("// $L\n", line);
      }
      case St.Gemm g -> out.addStatement("$T.gemm($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", JavaTypes.GEMM,
          ScalarCode.array(g.aSpace()), scalar.ix(g.a()).code(), ScalarCode.array(g.bSpace()), scalar.ix(g.b()).code(),
          ScalarCode.array(g.cSpace()), scalar.ix(g.c()).code(), scalar.ix(g.m()).code(), scalar.ix(g.n()).code(),
          scalar.ix(g.k()).code(), gemmFlags(g), scalar.fx(g.alpha()).code());
      case St.GemmSum gs -> {
        St.Gemm g = gs.gemm();
        out.addStatement("$T.gemmSum($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", JavaTypes.GEMM_SUM,
            ScalarCode.array(g.aSpace()), scalar.ix(g.a()).code(), scalar.ix(gs.aStride()).code(),
            ScalarCode.array(g.bSpace()), scalar.ix(g.b()).code(), scalar.ix(gs.bStride()).code(),
            ScalarCode.array(g.cSpace()), scalar.ix(g.c()).code(), scalar.ix(gs.batch()).code(), scalar.ix(g.m()).code(),
            scalar.ix(g.n()).code(), scalar.ix(g.k()).code(), gemmFlags(g), scalar.fx(g.alpha()).code());
      }
    }
  }

  private void declare(String type, String name, Expr init) {
    if (visible(name)) {
      out.addStatement("$L = $L", name, init.code());
    } else {
      declared.peek().add(name);
      out.addStatement("$L $L = $L", type, name, init.code());
    }
  }

  /**
   * Whether a Java local of this name is in scope. The interpreter keeps one flat map of ints and
   * one of floats per kernel, so a declaration of a name already in scope is an assignment, and a
   * loop over a variable already in scope assigns it too.
   */
  private boolean visible(String name) {
    return declared.stream().anyMatch(b -> b.contains(name));
  }

  private void scalarLoop(St loop, String irVar, Ix lo, Ix hi, Runnable body) {
    String v = names.intVar(irVar);
    Expr end = stable(hi, v + "End", loop);
    boolean reuse = visible(v);
    names.enterBlock();
    declared.push(new HashSet<>());
    declared.peek().add(v);
    out.beginControlFlow("for ($L$L = $L; $L < $L; $L++)", reuse ? "" : "int ", v, scalar.ix(lo).code(), v, end.code(), v);
    body.run();
    out.endControlFlow();
    declared.pop();
    names.exitBlock();
  }

  /**
   * The loop variable counts whole vectors from {@code lo} up to {@code lo + S.loopBound(hi - lo)}
   * (the largest multiple of the vector length that fits), then single elements up to {@code hi}.
   * It is declared before both loops, which share it; when {@code hi <= lo} neither runs.
   */
  private void vectorHead(St loop, String v, Ix irLo, Expr hi, Runnable beforeLoop, Runnable vectorBody) {
    Expr lo = stable(irLo, v + "Lo", loop);
    beforeLoop.run();
    declare("int", v, lo);
    names.enterBlock();
    declared.push(new HashSet<>());
    String upper = names.temp(v + "Upper");
    out.beginControlFlow("for (int $L = $L; $L < $L; $L += S.length())", upper, loopBound(lo, hi).code(), v, upper, v);
    vectorBody.run();
    out.endControlFlow();
    declared.pop();
    names.exitBlock();
  }

  private void vectorLoop(St.ElementLoop l) {
    String v = names.intVar(l.var());
    Expr hi = stable(l.hi(), v + "End", l);
    vectorHead(l, v, l.lo(), hi, () -> {}, () -> {
      VectorCode vc = new VectorCode(names, scalar, out, l.var());
      for (St.Store st : l.body()) vc.store(st);
    });
    tail(v, hi, () -> statements(l.body()));
  }

  /**
   * A reduction with one accumulator per lane, folded into the scalar accumulator after the
   * vector loop; the tail continues on the scalar accumulator.
   */
  private void vectorReduce(St.ReduceLoop r) {
    String v = names.intVar(r.var()), acc = names.floatVar(r.acc());
    Expr hi = stable(r.hi(), v + "End", r);
    String lanes = names.temp(acc + "Lanes");
    float identity = (float) r.op().identity();
    Runnable declareLanes = () -> {
      if (identity == 0f) {
        out.addStatement("$T $L = $T.zero(S)", FLOAT_VECTOR, lanes, FLOAT_VECTOR);
      } else {
        out.addStatement("$T $L = $T.broadcast(S, $L)", FLOAT_VECTOR, lanes, FLOAT_VECTOR,
            Expr.floatLiteral(identity).code());
      }
    };
    vectorHead(r, v, r.lo(), hi, declareLanes,
        () -> new VectorCode(names, scalar, out, r.var()).reduceStep(r.op(), lanes, r.value()));
    String across = switch (r.op()) {
      case SUM -> "ADD";
      case MAX -> "MAX";
      case MIN -> "MIN";
    };
    combine(r.op(), acc, Expr.primary("$L.reduceLanes($T.$L)", lanes, VECTOR_OPERATORS, across));
    tail(v, hi, () -> combine(r.op(), acc, scalar.fx(r.value())));
  }

  /** {@code for (; v < hi; v++)}: the elements after the last whole vector. */
  private void tail(String v, Expr hi, Runnable body) {
    out.beginControlFlow("for (; $L < $L; $L++)", v, hi.code(), v);
    block(body);
    out.endControlFlow();
  }

  /**
   * {@code acc = op(acc, x)} with {@link ReduceOp#combine}'s meaning: for max, x replaces acc when
   * it is larger or NaN, so NaN propagates (a NaN acc stays NaN: no x compares larger than it)
   * and ties keep the earlier value, which tells -0 from 0 where {@code Math.max} would not.
   */
  private void combine(ReduceOp op, String acc, Expr x) {
    if (op == ReduceOp.SUM) {
      out.addStatement("$L += $L", acc, x.code());
      return;
    }
    if (!x.isSimple()) {
      String t = names.numbered("x");
      out.addStatement("float $L = $L", t, x.code());
      x = Expr.name(t);
    }
    out.addStatement("$L = $L $L $L || $T.isNaN($L) ? $L : $L", acc, x.code(), op == ReduceOp.MAX ? ">" : "<", acc,
        Float.class, x.code(), x.code(), acc);
  }

  /** {@code lo + S.loopBound(hi - lo)}: where the whole vectors starting at lo end. */
  private static Expr loopBound(Expr lo, Expr hi) {
    if (lo.toString().equals("0")) return Expr.primary("S.loopBound($L)", hi.code());
    Expr count = isInt(lo) && isInt(hi)
        ? Expr.intLiteral(Integer.parseInt(hi.toString()) - Integer.parseInt(lo.toString()))
        : Expr.infix(hi, "-", lo, Expr.ADDITIVE);
    return Expr.infix(lo, "+", Expr.primary("S.loopBound($L)", count.code()), Expr.ADDITIVE);
  }

  private static boolean isInt(Expr e) {
    return e.toString().matches("-?\\d+");
  }

  /**
   * A loop bound that Java evaluates more than once: in place, unless its value could change while
   * the loop runs (it reads the arenas, or an int the loop assigns), in which case it is read once
   * into a local, as the interpreter does.
   */
  private Expr stable(Ix bound, String hint, St loop) {
    Expr e = scalar.ix(bound);
    Set<String> assigned = new HashSet<>();
    assignedInts(List.of(loop), assigned);
    if (!readsMemory(bound) && assigned.stream().noneMatch(n -> Vectorizer.mentions(bound, n))) return e;
    String n = names.temp(hint);
    out.addStatement("int $L = $L", n, e.code());
    return Expr.name(n);
  }

  /** The IR int names that statements assign: loop variables and declared ints. */
  private static void assignedInts(List<? extends St> body, Set<String> into) {
    for (St s : body) {
      switch (s) {
        case St.Loop l -> {
          into.add(l.var());
          assignedInts(l.body(), into);
        }
        case St.ElementLoop l -> into.add(l.var());
        case St.ReduceLoop r -> into.add(r.var());
        case St.DeclareInt d -> into.add(d.name());
        case St.Store st -> {}
        case St.DeclareFloat d -> {}
        case St.SetFloat d -> {}
        case St.Comment c -> {}
        case St.Gemm g -> {}
        case St.GemmSum g -> {}
      }
    }
  }

  /** The flags argument spelled with the kernel's constants: {@code Gemm.TRANS_A | Gemm.ACCUMULATE}. */
  private static CodeBlock gemmFlags(St.Gemm g) {
    List<CodeBlock> parts = new java.util.ArrayList<>();
    if (g.transA()) parts.add(CodeBlock.of("$T.TRANS_A", JavaTypes.GEMM));
    if (g.transB()) parts.add(CodeBlock.of("$T.TRANS_B", JavaTypes.GEMM));
    if (g.accumulate()) parts.add(CodeBlock.of("$T.ACCUMULATE", JavaTypes.GEMM));
    return parts.isEmpty() ? CodeBlock.of("0") : CodeBlock.join(parts, " | ");
  }

  private static boolean readsMemory(Ix x) {
    return switch (x) {
      case Ix.Const c -> false;
      case Ix.Var v -> false;
      case Ix.Rt r -> false;
      case Ix.Add a -> readsMemory(a.a()) || readsMemory(a.b());
      case Ix.Mul a -> readsMemory(a.a()) || readsMemory(a.b());
      case Ix.Div a -> readsMemory(a.a()) || readsMemory(a.b());
      case Ix.Rem a -> readsMemory(a.a()) || readsMemory(a.b());
      case Ix.FromFloat f -> true;
    };
  }

  private void block(Runnable body) {
    names.enterBlock();
    declared.push(new HashSet<>());
    body.run();
    declared.pop();
    names.exitBlock();
  }
}
