package nnc.compiler.backend.asm;

import static nnc.compiler.backend.asm.Descriptors.MATH_ABS_FLOAT;
import static nnc.compiler.backend.asm.Descriptors.MATH_MAX_FLOAT;
import static nnc.compiler.backend.asm.Descriptors.MATH_MIN_FLOAT;
import static nnc.compiler.backend.asm.Descriptors.MATH_POW;
import static nnc.compiler.backend.asm.Descriptors.MATH_SIGNUM_FLOAT;
import static nnc.compiler.backend.asm.Descriptors.mathDouble;
import static nnc.compiler.backend.asm.Descriptors.scalarOps;
import static org.objectweb.asm.Opcodes.*;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Space;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Scalar expressions as bytecode that leaves the value on the stack, with exactly the meaning of
 * {@link nnc.compiler.kernel.KernelInterpreter}: Java int and float arithmetic, transcendental
 * functions in double via {@link Math} or {@code ScalarOps} and rounded back to float. (float +,
 * -, *, / computed in double and rounded equal the float operations, so they are emitted as
 * float instructions.)
 */
final class ScalarCode {
  private final MethodVisitor mv;
  private final Locals locals;

  ScalarCode(MethodVisitor mv, Locals locals) {
    this.mv = mv;
    this.locals = locals;
  }

  void ix(Ix x) {
    switch (x) {
      case Ix.Const c -> pushInt(mv, c.value());
      case Ix.Var v -> mv.visitVarInsn(ILOAD, locals.intSlot(v.name()));
      case Ix.Rt r -> {
        mv.visitVarInsn(ALOAD, Locals.RT);
        pushInt(mv, r.slot());
        mv.visitInsn(IALOAD);
      }
      case Ix.Add a -> intOp(a.a(), a.b(), IADD);
      case Ix.Mul m -> intOp(m.a(), m.b(), IMUL);
      case Ix.Div d -> intOp(d.a(), d.b(), IDIV);
      case Ix.Rem r -> intOp(r.a(), r.b(), IREM);
      case Ix.FromFloat f -> {
        fx(f.value());
        mv.visitInsn(F2I);
      }
    }
  }

  private void intOp(Ix a, Ix b, int opcode) {
    ix(a);
    ix(b);
    mv.visitInsn(opcode);
  }

  void fx(Fx x) {
    switch (x) {
      case Fx.Const c -> pushFloat(mv, c.value());
      case Fx.Load l -> {
        array(l.space());
        ix(l.index());
        mv.visitInsn(FALOAD);
      }
      case Fx.Local l -> mv.visitVarInsn(FLOAD, locals.floatSlot(l.name()));
      case Fx.Unary u -> {
        fx(u.x());
        unary(u.op());
      }
      case Fx.Binary b -> binary(b.op(), b.a(), b.b());
      case Fx.Select s -> {
        Label otherwise = new Label(), done = new Label();
        fx(s.cond());
        mv.visitInsn(FCONST_0);
        mv.visitInsn(FCMPL); // NaN gives -1: NaN != 0 selects a, as in Java
        mv.visitJumpInsn(IFEQ, otherwise);
        fx(s.a());
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(otherwise);
        fx(s.b());
        mv.visitLabel(done);
      }
      case Fx.FromInt i -> {
        ix(i.value());
        mv.visitInsn(I2F);
      }
      case Fx.Trunc t -> {
        fx(t.x());
        mv.visitInsn(F2I);
        mv.visitInsn(I2F);
      }
    }
  }

  void array(Space space) {
    mv.visitVarInsn(ALOAD, space == Space.P ? Locals.P : Locals.M);
  }

  /** Applies {@code op} to the float on the stack. */
  private void unary(UnaryOp op) {
    switch (op) {
      case NEG -> mv.visitInsn(FNEG);
      case ABS -> MATH_ABS_FLOAT.emit(mv);
      case SIGN -> MATH_SIGNUM_FLOAT.emit(mv);
      case SQRT -> viaDouble(mathDouble("sqrt"));
      case EXP -> viaDouble(mathDouble("exp"));
      case LOG -> viaDouble(mathDouble("log"));
      case LOG1P -> viaDouble(mathDouble("log1p"));
      case SIN -> viaDouble(mathDouble("sin"));
      case COS -> viaDouble(mathDouble("cos"));
      case TANH -> viaDouble(mathDouble("tanh"));
      case RELU -> viaDouble(scalarOps("relu"));
      case SIGMOID -> viaDouble(scalarOps("sigmoid"));
      case SOFTPLUS -> viaDouble(scalarOps("softplus"));
      case ERF -> viaDouble(scalarOps("erf"));
      case HEAVISIDE -> viaDouble(scalarOps("heaviside"));
    }
  }

  private void viaDouble(Descriptors.Call call) {
    mv.visitInsn(F2D);
    call.emit(mv);
    mv.visitInsn(D2F);
  }

  private void binary(BinaryOp op, Fx a, Fx b) {
    if (op.isComparison()) {
      comparison(op, a, b);
      return;
    }
    fx(a);
    if (op == BinaryOp.POW) mv.visitInsn(F2D);
    fx(b);
    switch (op) {
      case ADD -> mv.visitInsn(FADD);
      case SUB -> mv.visitInsn(FSUB);
      case MUL -> mv.visitInsn(FMUL);
      case DIV -> mv.visitInsn(FDIV);
      case MAX -> MATH_MAX_FLOAT.emit(mv);
      case MIN -> MATH_MIN_FLOAT.emit(mv);
      case POW -> {
        mv.visitInsn(F2D);
        MATH_POW.emit(mv);
        mv.visitInsn(D2F);
      }
      case LT, LE, GT, GE, EQ, NE -> throw new AssertionError(op);
    }
  }

  /**
   * {@code a OP b ? 1f : 0f}. As javac does, the compare instruction is chosen so that NaN (an
   * unordered pair) makes every comparison false except NE.
   */
  private void comparison(BinaryOp op, Fx a, Fx b) {
    fx(a);
    fx(b);
    boolean lessFamily = op == BinaryOp.LT || op == BinaryOp.LE;
    mv.visitInsn(lessFamily ? FCMPG : FCMPL);
    int jumpIfFalse =
        switch (op) {
          case LT -> IFGE;
          case LE -> IFGT;
          case GT -> IFLE;
          case GE -> IFLT;
          case EQ -> IFNE;
          case NE -> IFEQ;
          default -> throw new AssertionError(op);
        };
    Label no = new Label(), done = new Label();
    mv.visitJumpInsn(jumpIfFalse, no);
    mv.visitInsn(FCONST_1);
    mv.visitJumpInsn(GOTO, done);
    mv.visitLabel(no);
    mv.visitInsn(FCONST_0);
    mv.visitLabel(done);
  }

  /**
   * {@code acc = op.combine(acc, x)} for the float in slot {@code x}, exactly as {@link
   * ReduceOp#combine} decides: max and min take x when acc is NaN, when x is NaN, or when x is
   * strictly greater (smaller); a tie keeps acc.
   */
  void combine(ReduceOp op, int acc, int x) {
    if (op == ReduceOp.SUM) {
      mv.visitVarInsn(FLOAD, acc);
      mv.visitVarInsn(FLOAD, x);
      mv.visitInsn(FADD);
      mv.visitVarInsn(FSTORE, acc);
      return;
    }
    Label take = new Label(), done = new Label();
    jumpIfNaN(acc, take);
    mv.visitVarInsn(FLOAD, x);
    mv.visitVarInsn(FLOAD, acc);
    if (op == ReduceOp.MAX) {
      mv.visitInsn(FCMPL); // x > acc is false for NaN
      mv.visitJumpInsn(IFGT, take);
    } else {
      mv.visitInsn(FCMPG); // x < acc is false for NaN
      mv.visitJumpInsn(IFLT, take);
    }
    jumpIfNaN(x, take);
    mv.visitJumpInsn(GOTO, done);
    mv.visitLabel(take);
    mv.visitVarInsn(FLOAD, x);
    mv.visitVarInsn(FSTORE, acc);
    mv.visitLabel(done);
  }

  private void jumpIfNaN(int slot, Label target) {
    mv.visitVarInsn(FLOAD, slot);
    mv.visitVarInsn(FLOAD, slot);
    mv.visitInsn(FCMPL);
    mv.visitJumpInsn(IFNE, target);
  }

  static void pushInt(MethodVisitor mv, int v) {
    if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
    else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
    else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
    else mv.visitLdcInsn(v);
  }

  static void pushFloat(MethodVisitor mv, float v) {
    int bits = Float.floatToRawIntBits(v);
    if (bits == Float.floatToRawIntBits(0f)) mv.visitInsn(FCONST_0);
    else if (v == 1f) mv.visitInsn(FCONST_1);
    else if (v == 2f) mv.visitInsn(FCONST_2);
    else mv.visitLdcInsn(v);
  }
}
