package nnc.compiler.backend.asm;

import static org.objectweb.asm.Opcodes.*;

import java.util.List;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits one kernel as {@code public static void NAME(float[] p, float[] m, int[] rt)}: statements
 * in order, loops as counted loops. A loop that {@link Vectorizer} accepts first runs its vector
 * part ({@link VectorCode}) and then, with the same loop variable, the scalar loop that finishes
 * the remaining elements; a loop it rejects is only the scalar loop.
 */
final class KernelEmitter {
  private final MethodVisitor mv;
  private final Locals locals;
  private final ScalarCode scalar;
  private final VectorCode vector;

  private KernelEmitter(MethodVisitor mv, Kernel kernel, Descriptors.Static species) {
    this.mv = mv;
    this.locals = new Locals(kernel.name());
    this.scalar = new ScalarCode(mv, locals);
    this.vector = new VectorCode(mv, locals, scalar, species);
  }

  /** Writes the method of {@code kernel} into {@code cv}; {@code owner} is the generated class. */
  static void emit(ClassVisitor cv, String owner, Kernel kernel) {
    MethodVisitor mv =
        cv.visitMethod(ACC_PUBLIC | ACC_STATIC, kernel.name(), Descriptors.KERNEL, null, null);
    mv.visitParameter("p", 0);
    mv.visitParameter("m", 0);
    mv.visitParameter("rt", 0);
    mv.visitCode();
    Descriptors.Static species =
        new Descriptors.Static(owner, Descriptors.SPECIES_FIELD, Descriptors.D_VECTOR_SPECIES);
    new KernelEmitter(mv, kernel, species).statements(kernel.body());
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0); // computed by the ClassWriter
    mv.visitEnd();
  }

  private void statements(List<? extends St> body) {
    for (St s : body) statement(s);
  }

  private void statement(St s) {
    switch (s) {
      case St.Loop l -> {
        locals.push();
        Counter c = counter(l.var(), l.lo(), l.hi());
        scalarLoop(c.var(), c.hi(), () -> statements(l.body()));
        locals.pop();
      }
      case St.ElementLoop l -> {
        locals.push();
        Counter c = counter(l.var(), l.lo(), l.hi());
        if (Vectorizer.canVectorize(l)) vector.elementLoop(l, c.var(), c.hi());
        scalarLoop(c.var(), c.hi(), () -> statements(l.body()));
        locals.pop();
      }
      case St.ReduceLoop r -> {
        int acc = locals.floatSlot(r.acc());
        locals.push();
        Counter c = counter(r.var(), r.lo(), r.hi());
        if (Vectorizer.canVectorize(r)) vector.reduceLoop(r, c.var(), c.hi(), acc);
        int x = locals.temp();
        scalarLoop(
            c.var(),
            c.hi(),
            () -> {
              scalar.fx(r.value());
              mv.visitVarInsn(FSTORE, x);
              scalar.combine(r.op(), acc, x);
            });
        locals.pop();
      }
      case St.Store st -> store(st);
      case St.DeclareFloat d -> {
        scalar.fx(d.init()); // before the name is bound: init may read an earlier binding
        mv.visitVarInsn(FSTORE, locals.declare(Locals.Kind.FLOAT, d.name()));
      }
      case St.SetFloat d -> {
        scalar.fx(d.value());
        mv.visitVarInsn(FSTORE, locals.floatSlot(d.name()));
      }
      case St.DeclareInt d -> {
        scalar.ix(d.init());
        mv.visitVarInsn(ISTORE, locals.declare(Locals.Kind.INT, d.name()));
      }
      case St.Comment c -> {}
      case St.Gemm g -> gemm(g);
      case St.GemmSum g -> gemmSum(g);
    }
  }

  /** {@code GemmSum.gemmSum(a, ao, aStride, b, bo, bStride, c, co, batch, m, n, k, flags, alpha)}. */
  private void gemmSum(St.GemmSum gs) {
    St.Gemm g = gs.gemm();
    scalar.array(g.aSpace());
    scalar.ix(g.a());
    scalar.ix(gs.aStride());
    scalar.array(g.bSpace());
    scalar.ix(g.b());
    scalar.ix(gs.bStride());
    scalar.array(g.cSpace());
    scalar.ix(g.c());
    scalar.ix(gs.batch());
    scalar.ix(g.m());
    scalar.ix(g.n());
    scalar.ix(g.k());
    ScalarCode.pushInt(mv, g.flags());
    scalar.fx(g.alpha());
    Descriptors.GEMM_SUM.emit(mv);
  }

  /** {@code Gemm.gemm(a, ao, b, bo, c, co, m, n, k, flags, alpha)}: a call into the runtime's kernel. */
  private void gemm(St.Gemm g) {
    scalar.array(g.aSpace());
    scalar.ix(g.a());
    scalar.array(g.bSpace());
    scalar.ix(g.b());
    scalar.array(g.cSpace());
    scalar.ix(g.c());
    scalar.ix(g.m());
    scalar.ix(g.n());
    scalar.ix(g.k());
    ScalarCode.pushInt(mv, g.flags());
    scalar.fx(g.alpha());
    Descriptors.GEMM.emit(mv);
  }

  /** {@code space[index] = value} or {@code space[index] += value}, index evaluated first. */
  private void store(St.Store st) {
    scalar.array(st.space());
    scalar.ix(st.index());
    if (st.accumulate()) {
      mv.visitInsn(DUP2);
      mv.visitInsn(FALOAD);
      scalar.fx(st.value());
      mv.visitInsn(FADD);
    } else {
      scalar.fx(st.value());
    }
    mv.visitInsn(FASTORE);
  }

  /**
   * Allocates and initializes the counter of a loop in the current scope: {@code hi} into a
   * temporary, then {@code lo} into the loop variable (the interpreter's order).
   */
  private Counter counter(String var, Ix lo, Ix hi) {
    int hiSlot = locals.temp();
    scalar.ix(hi);
    mv.visitVarInsn(ISTORE, hiSlot);
    scalar.ix(lo);
    int v = locals.loopVariable(var);
    mv.visitVarInsn(ISTORE, v);
    return new Counter(v, hiSlot);
  }

  /** The slots of a loop's variable and of its upper bound. */
  private record Counter(int var, int hi) {}

  /** {@code while (var < hi) { body; var++; }}, the scalar loop (or scalar tail). */
  private void scalarLoop(int var, int hi, Runnable body) {
    Label top = new Label(), end = new Label();
    mv.visitLabel(top);
    mv.visitVarInsn(ILOAD, var);
    mv.visitVarInsn(ILOAD, hi);
    mv.visitJumpInsn(IF_ICMPGE, end);
    body.run();
    mv.visitIincInsn(var, 1);
    mv.visitJumpInsn(GOTO, top);
    mv.visitLabel(end);
  }
}
