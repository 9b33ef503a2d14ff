package nnc.compiler.backend.asm;

import static nnc.compiler.backend.asm.Descriptors.BLEND;
import static nnc.compiler.backend.asm.Descriptors.BROADCAST;
import static nnc.compiler.backend.asm.Descriptors.COMPARE;
import static nnc.compiler.backend.asm.Descriptors.FMA;
import static nnc.compiler.backend.asm.Descriptors.FROM_ARRAY;
import static nnc.compiler.backend.asm.Descriptors.INTO_ARRAY;
import static nnc.compiler.backend.asm.Descriptors.LANEWISE_BINARY;
import static nnc.compiler.backend.asm.Descriptors.LANEWISE_UNARY;
import static nnc.compiler.backend.asm.Descriptors.LENGTH;
import static nnc.compiler.backend.asm.Descriptors.LOOP_BOUND;
import static nnc.compiler.backend.asm.Descriptors.POW_OPERATOR;
import static nnc.compiler.backend.asm.Descriptors.REDUCE_LANES;
import static nnc.compiler.backend.asm.Descriptors.associativeOperator;
import static nnc.compiler.backend.asm.Descriptors.comparisonOperator;
import static nnc.compiler.backend.asm.Descriptors.unaryOperator;
import static nnc.compiler.backend.asm.Descriptors.vectorBinary;
import static nnc.compiler.backend.asm.Descriptors.vectorUnary;
import static org.objectweb.asm.Opcodes.*;

import java.util.HashMap;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The vector part of a loop that {@link Vectorizer} accepts, for a loop variable {@code v} that
 * already holds {@code lo}:
 *
 * <pre>
 * int upper = v + S.loopBound(hi - v);
 * if (v &lt; upper) {
 *   FloatVector u1 = FloatVector.broadcast(S, uniform1); ...          // hoisted
 *   do { vector body; v += S.length(); } while (v &lt; upper);
 * }
 * </pre>
 *
 * after which the caller's scalar loop, over the same {@code v}, finishes the tail. Everything is
 * straight-line code in the kernel method: no masks, and no helper methods that take or return
 * vectors (C2 would box them).
 *
 * <p>A subexpression that does not mention {@code v} is uniform across lanes: it is computed once
 * with its scalar meaning and broadcast before the loop (inside the guard, so that a loop with no
 * vector iteration evaluates nothing extra). The rest is lane-wise: a unit-stride load is {@code
 * fromArray} at the index of lane 0, ops are their {@code lanewise} forms, and an accumulation of a
 * product, {@code acc += x * y}, is {@code x.fma(y, acc)}.
 */
final class VectorCode {
  private static final Fx ZERO = Fx.c(0f), ONE = Fx.c(1f);

  private final MethodVisitor mv;
  private final Locals locals;
  private final ScalarCode scalar;
  private final Descriptors.Static species;

  /** The loop being emitted: its variable's name and slot, and the slots of hoisted values. */
  private String var;
  private int v;
  private final Map<Fx, Integer> uniform = new HashMap<>();

  VectorCode(MethodVisitor mv, Locals locals, ScalarCode scalar, Descriptors.Static species) {
    this.mv = mv;
    this.locals = locals;
    this.scalar = scalar;
    this.species = species;
  }

  /** Each vector iteration runs the body's stores in order, as vector stores. */
  void elementLoop(St.ElementLoop loop, int v, int hi) {
    Label skip = new Label();
    int upper = begin(loop.var(), v, hi, skip);
    for (St.Store st : loop.body()) hoist(st.value());
    boolean accumulates = loop.body().stream().anyMatch(St.Store::accumulate);
    int index = accumulates ? locals.temp() : -1; // the index of an accumulating store, reused
    Label top = here();
    for (St.Store st : loop.body()) store(st, index);
    step(top, upper);
    mv.visitLabel(skip);
  }

  /**
   * A vector accumulator starting at the identity combines lane-wise; after the loop, {@code acc
   * = op(acc, vacc.reduceLanes(op))} with the scalar rule of {@link ReduceOp#combine}.
   */
  void reduceLoop(St.ReduceLoop loop, int v, int hi, int acc) {
    Label skip = new Label();
    int upper = begin(loop.var(), v, hi, skip);
    hoist(loop.value());
    int vacc = locals.temp();
    species.emit(mv);
    ScalarCode.pushFloat(mv, (float) loop.op().identity());
    BROADCAST.emit(mv);
    mv.visitVarInsn(ASTORE, vacc);
    Label top = here();
    accumulate(loop.op(), loop.value(), vacc);
    step(top, upper);
    int lanes = locals.temp();
    mv.visitVarInsn(ALOAD, vacc);
    associativeOperator(laneOperator(loop.op())).emit(mv);
    REDUCE_LANES.emit(mv);
    mv.visitVarInsn(FSTORE, lanes);
    scalar.combine(loop.op(), acc, lanes);
    mv.visitLabel(skip);
  }

  /** {@code int upper = v + S.loopBound(hi - v); if (v >= upper) goto skip;}; returns upper. */
  private int begin(String var, int v, int hi, Label skip) {
    this.var = var;
    this.v = v;
    uniform.clear();
    int upper = locals.temp();
    mv.visitVarInsn(ILOAD, v);
    species.emit(mv);
    mv.visitVarInsn(ILOAD, hi);
    mv.visitVarInsn(ILOAD, v);
    mv.visitInsn(ISUB);
    LOOP_BOUND.emit(mv);
    mv.visitInsn(IADD);
    mv.visitVarInsn(ISTORE, upper);
    mv.visitVarInsn(ILOAD, v);
    mv.visitVarInsn(ILOAD, upper);
    mv.visitJumpInsn(IF_ICMPGE, skip);
    return upper;
  }

  private Label here() {
    Label l = new Label();
    mv.visitLabel(l);
    return l;
  }

  /** {@code v += S.length(); if (v < upper) goto top;}. */
  private void step(Label top, int upper) {
    mv.visitVarInsn(ILOAD, v);
    species.emit(mv);
    LENGTH.emit(mv);
    mv.visitInsn(IADD);
    mv.visitVarInsn(ISTORE, v);
    mv.visitVarInsn(ILOAD, v);
    mv.visitVarInsn(ILOAD, upper);
    mv.visitJumpInsn(IF_ICMPLT, top);
  }

  // ---- hoisting

  /** Hoists the uniform subexpressions of {@code x} and the constants its lane-wise form uses. */
  private void hoist(Fx x) {
    if (!mentionsVar(x)) {
      hoistUniform(x);
      return;
    }
    switch (x) {
      case Fx.Load l -> {}
      case Fx.Unary u -> {
        hoist(u.x());
        switch (u.op()) {
          case RELU, SOFTPLUS -> hoistUniform(ZERO);
          case SIGMOID -> hoistUniform(ONE);
          case HEAVISIDE -> {
            hoistUniform(ZERO);
            hoistUniform(ONE);
          }
          default -> {}
        }
      }
      case Fx.Binary b -> {
        hoist(b.a());
        hoist(b.b());
        if (b.op().isComparison()) {
          hoistUniform(ZERO);
          hoistUniform(ONE);
        }
      }
      case Fx.Select s -> {
        hoist(s.cond());
        hoist(s.a());
        hoist(s.b());
        hoistUniform(ZERO);
      }
      case Fx.Const c -> throw notLanewise(x);
      case Fx.Local l -> throw notLanewise(x);
      case Fx.FromInt i -> throw notLanewise(x);
      case Fx.Trunc t -> throw notLanewise(x);
    }
  }

  /** {@code FloatVector u = FloatVector.broadcast(S, x)}, once per distinct x. */
  private void hoistUniform(Fx x) {
    if (uniform.containsKey(x)) return;
    int slot = locals.temp();
    species.emit(mv);
    scalar.fx(x);
    BROADCAST.emit(mv);
    mv.visitVarInsn(ASTORE, slot);
    uniform.put(x, slot);
  }

  // ---- loop bodies

  /** {@code x.intoArray(a, i)}; accumulating: {@code fromArray(S, a, i).add(x)} or an fma. */
  private void store(St.Store st, int index) {
    if (!st.accumulate()) {
      vector(st.value());
      scalar.array(st.space());
      scalar.ix(st.index());
      INTO_ARRAY.emit(mv);
      return;
    }
    scalar.ix(st.index());
    mv.visitVarInsn(ISTORE, index);
    if (product(st.value()) instanceof Fx.Binary mul) {
      vector(mul.a());
      vector(mul.b());
      fromArray(st.space(), index);
      FMA.emit(mv);
    } else {
      fromArray(st.space(), index);
      vector(st.value());
      vectorBinary("add").emit(mv);
    }
    scalar.array(st.space());
    mv.visitVarInsn(ILOAD, index);
    INTO_ARRAY.emit(mv);
  }

  /** {@code vacc = vacc.op(x)}, or {@code vacc = a.fma(b, vacc)} for a sum of products. */
  private void accumulate(ReduceOp op, Fx x, int vacc) {
    if (op == ReduceOp.SUM && product(x) instanceof Fx.Binary mul) {
      vector(mul.a());
      vector(mul.b());
      mv.visitVarInsn(ALOAD, vacc);
      FMA.emit(mv);
    } else {
      mv.visitVarInsn(ALOAD, vacc);
      vector(x);
      vectorBinary(
              switch (op) {
                case SUM -> "add";
                case MAX -> "max";
                case MIN -> "min";
              })
          .emit(mv);
    }
    mv.visitVarInsn(ASTORE, vacc);
  }

  /** {@code x} when it is a product that varies across lanes (an fma candidate), else null. */
  private Fx product(Fx x) {
    return x instanceof Fx.Binary b && b.op() == BinaryOp.MUL && mentionsVar(x) ? x : null;
  }

  private void fromArray(Space space, int index) {
    species.emit(mv);
    scalar.array(space);
    mv.visitVarInsn(ILOAD, index);
    FROM_ARRAY.emit(mv);
  }

  // ---- lane-wise expressions

  /** Leaves the FloatVector of {@code x} on the stack. */
  private void vector(Fx x) {
    if (!mentionsVar(x)) {
      mv.visitVarInsn(ALOAD, uniform.get(x));
      return;
    }
    switch (x) {
      case Fx.Load l -> {
        species.emit(mv);
        if (Vectorizer.coefficient(l.index(), var) == 1) {
          scalar.array(l.space());
          scalar.ix(l.index());
          FROM_ARRAY.emit(mv);
        } else { // stride 0 although the index mentions v (e.g. v - v): one scalar per iteration
          scalar.fx(l);
          BROADCAST.emit(mv);
        }
      }
      case Fx.Unary u -> unary(u.op(), u.x());
      case Fx.Binary b -> binary(b.op(), b.a(), b.b());
      case Fx.Select s -> { // b.blend(a, cond != 0)
        vector(s.b());
        vector(s.a());
        vector(s.cond());
        comparisonOperator("NE").emit(mv);
        vector(ZERO);
        COMPARE.emit(mv);
        BLEND.emit(mv);
      }
      case Fx.Const c -> throw notLanewise(x);
      case Fx.Local l -> throw notLanewise(x);
      case Fx.FromInt i -> throw notLanewise(x);
      case Fx.Trunc t -> throw notLanewise(x);
    }
  }

  private void unary(UnaryOp op, Fx x) {
    switch (op) {
      case NEG -> vectorCall(x, vectorUnary("neg"));
      case ABS -> vectorCall(x, vectorUnary("abs"));
      case SQRT -> vectorCall(x, vectorUnary("sqrt"));
      case EXP -> lanewise(x, "EXP");
      case LOG -> lanewise(x, "LOG");
      case LOG1P -> lanewise(x, "LOG1P");
      case SIN -> lanewise(x, "SIN");
      case COS -> lanewise(x, "COS");
      case TANH -> lanewise(x, "TANH");
      case RELU -> { // max(x, 0)
        vector(x);
        vector(ZERO);
        vectorBinary("max").emit(mv);
      }
      case SIGMOID -> { // 1 / (1 + exp(-x))
        vector(ONE);
        vector(ONE);
        vector(x);
        vectorUnary("neg").emit(mv);
        exp();
        vectorBinary("add").emit(mv);
        vectorBinary("div").emit(mv);
      }
      case SOFTPLUS -> { // max(x, 0) + log1p(exp(-|x|))
        int t = locals.temp();
        vector(x);
        mv.visitVarInsn(ASTORE, t);
        mv.visitVarInsn(ALOAD, t);
        vector(ZERO);
        vectorBinary("max").emit(mv);
        mv.visitVarInsn(ALOAD, t);
        vectorUnary("abs").emit(mv);
        vectorUnary("neg").emit(mv);
        exp();
        unaryOperator("LOG1P").emit(mv);
        LANEWISE_UNARY.emit(mv);
        vectorBinary("add").emit(mv);
      }
      case HEAVISIDE -> { // x > 0 ? 1 : 0
        vector(ZERO);
        vector(ONE);
        vector(x);
        comparisonOperator("GT").emit(mv);
        vector(ZERO);
        COMPARE.emit(mv);
        BLEND.emit(mv);
      }
      case SIGN, ERF -> throw notLanewise(new Fx.Unary(op, x));
    }
  }

  private void binary(BinaryOp op, Fx a, Fx b) {
    switch (op) {
      case ADD -> vectorCall(a, b, vectorBinary("add"));
      case SUB -> vectorCall(a, b, vectorBinary("sub"));
      case MUL -> vectorCall(a, b, vectorBinary("mul"));
      case DIV -> vectorCall(a, b, vectorBinary("div"));
      case MAX -> vectorCall(a, b, vectorBinary("max"));
      case MIN -> vectorCall(a, b, vectorBinary("min"));
      case POW -> {
        vector(a);
        POW_OPERATOR.emit(mv);
        vector(b);
        LANEWISE_BINARY.emit(mv);
      }
      case LT, LE, GT, GE, EQ, NE -> { // zero.blend(one, a.compare(OP, b))
        vector(ZERO);
        vector(ONE);
        vector(a);
        comparisonOperator(comparisonName(op)).emit(mv);
        vector(b);
        COMPARE.emit(mv);
        BLEND.emit(mv);
      }
    }
  }

  private void vectorCall(Fx x, Descriptors.Call call) {
    vector(x);
    call.emit(mv);
  }

  private void vectorCall(Fx a, Fx b, Descriptors.Call call) {
    vector(a);
    vector(b);
    call.emit(mv);
  }

  private void lanewise(Fx x, String operator) {
    vector(x);
    unaryOperator(operator).emit(mv);
    LANEWISE_UNARY.emit(mv);
  }

  private void exp() {
    unaryOperator("EXP").emit(mv);
    LANEWISE_UNARY.emit(mv);
  }

  private static String comparisonName(BinaryOp op) {
    return switch (op) {
      case LT -> "LT";
      case LE -> "LE";
      case GT -> "GT";
      case GE -> "GE";
      case EQ -> "EQ";
      case NE -> "NE";
      default -> throw new AssertionError(op);
    };
  }

  private static String laneOperator(ReduceOp op) {
    return switch (op) {
      case SUM -> "ADD";
      case MAX -> "MAX";
      case MIN -> "MIN";
    };
  }

  private boolean mentionsVar(Fx x) {
    return mentions(x, var);
  }

  /** Whether {@code x} depends on loop variable {@code var}. */
  static boolean mentions(Fx x, String var) {
    return switch (x) {
      case Fx.Const c -> false;
      case Fx.Local l -> false;
      case Fx.Load l -> Vectorizer.mentions(l.index(), var);
      case Fx.Unary u -> mentions(u.x(), var);
      case Fx.Binary b -> mentions(b.a(), var) || mentions(b.b(), var);
      case Fx.Select s -> mentions(s.cond(), var) || mentions(s.a(), var) || mentions(s.b(), var);
      case Fx.FromInt i -> Vectorizer.mentions(i.value(), var);
      case Fx.Trunc t -> mentions(t.x(), var);
    };
  }

  private static IllegalStateException notLanewise(Fx x) {
    return new IllegalStateException("no lane-wise form for " + x + ", which Vectorizer accepted");
  }
}
