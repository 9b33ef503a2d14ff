package nnc.compiler.backend.asm;

import static org.objectweb.asm.Opcodes.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.Program;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Turns a kernel {@link Program} into the bytes of a class implementing {@code
 * nnc.runtime.ModelCode}, with no javac involved:
 *
 * <pre>
 * public final class NAME implements ModelCode {
 *   static final VectorSpecies&lt;Float&gt; S = FloatVector.SPECIES_PREFERRED;
 *   public NAME() {}
 *   public void call(int entry, float[] p, float[] m, int[] rt) {
 *     switch (entry) {
 *       case 0: k1(p, m, rt); k2(p, m, rt); return;   // the kernels of entry 0, in order
 *       ...
 *       default: throw new IllegalArgumentException(...);
 *     }
 *   }
 *   public static void k1(float[] p, float[] m, int[] rt) { ... }      // one per kernel
 * }
 * </pre>
 *
 * Kernel bodies are emitted by {@link KernelEmitter}. The bytes depend only on the program, so
 * emitting the same program twice gives identical classes.
 */
public final class AsmEmitter {
  /** Java 21, the oldest JDK that runs nnc. */
  private static final int CLASS_VERSION = V21;

  private AsmEmitter() {}

  /** The class file of {@code program}; define it with any class loader that sees the runtime. */
  public static byte[] emit(Program program) {
    validate(program);
    String owner = program.className().replace('.', '/');
    ClassWriter cw = new FrameClassWriter(owner);
    cw.visit(
        CLASS_VERSION,
        ACC_PUBLIC | ACC_FINAL | ACC_SUPER,
        owner,
        null,
        Descriptors.OBJECT,
        new String[] {Descriptors.MODEL_CODE});
    cw.visitField(
            ACC_STATIC | ACC_FINAL,
            Descriptors.SPECIES_FIELD,
            Descriptors.D_VECTOR_SPECIES,
            Descriptors.SPECIES_SIGNATURE,
            null)
        .visitEnd();
    staticInitializer(cw, owner);
    constructor(cw);
    call(cw, owner, program);
    for (Kernel k : program.kernels()) KernelEmitter.emit(cw, owner, k);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /**
   * Runs ASM's {@link CheckClassAdapter} with data-flow verification over {@code classBytes} and
   * throws {@link IllegalStateException} with its report if it finds anything. The Vector API and
   * the runtime must be visible to this class's loader (the JVM needs {@code --add-modules
   * jdk.incubator.vector}).
   */
  public static void verify(byte[] classBytes) {
    StringWriter report = new StringWriter();
    try (PrintWriter out = new PrintWriter(report)) {
      CheckClassAdapter.verify(
          new ClassReader(classBytes), AsmEmitter.class.getClassLoader(), false, out);
    }
    if (!report.toString().isEmpty()) {
      String name = new ClassReader(classBytes).getClassName();
      throw new IllegalStateException(name + " fails verification:\n" + report);
    }
  }

  /** Names that would make a broken or ambiguous class are compiler bugs: fail here, clearly. */
  private static void validate(Program program) {
    for (String part : program.className().split("\\.", -1)) {
      if (!isIdentifier(part)) {
        throw new IllegalArgumentException("not a binary class name: " + program.className());
      }
    }
    Set<String> names = new HashSet<>();
    for (Kernel k : program.kernels()) {
      if (!isIdentifier(k.name())) {
        throw new IllegalArgumentException("kernel name is not a Java identifier: " + k.name());
      }
      if (!names.add(k.name())) throw new IllegalArgumentException("duplicate kernel " + k.name());
    }
    for (Map.Entry<String, List<String>> e : program.entries().entrySet()) {
      for (String k : e.getValue()) {
        if (!names.contains(k)) {
          throw new IllegalArgumentException("entry " + e.getKey() + " runs unknown kernel " + k);
        }
      }
    }
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !Character.isJavaIdentifierStart(s.codePointAt(0))) return false;
    return s.codePoints().allMatch(Character::isJavaIdentifierPart);
  }

  private static void staticInitializer(ClassWriter cw, String owner) {
    MethodVisitor mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
    mv.visitCode();
    Descriptors.SPECIES_PREFERRED.emit(mv);
    mv.visitFieldInsn(
        PUTSTATIC, owner, Descriptors.SPECIES_FIELD, Descriptors.D_VECTOR_SPECIES);
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void constructor(ClassWriter cw) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    Descriptors.OBJECT_INIT.emit(mv);
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** {@code call(entry, p, m, rt)}: a tableswitch over the entry numbers. */
  private static void call(ClassWriter cw, String owner, Program program) {
    MethodVisitor mv =
        cw.visitMethod(ACC_PUBLIC, Descriptors.CALL_NAME, Descriptors.CALL, null, null);
    for (String name : List.of("entry", "p", "m", "rt")) mv.visitParameter(name, 0);
    mv.visitCode();
    List<List<String>> entries = new ArrayList<>(program.entries().values());
    Label unknown = new Label();
    if (!entries.isEmpty()) {
      Label[] cases = new Label[entries.size()];
      for (int i = 0; i < cases.length; i++) cases[i] = new Label();
      mv.visitVarInsn(ILOAD, 1);
      mv.visitTableSwitchInsn(0, cases.length - 1, unknown, cases);
      for (int i = 0; i < cases.length; i++) {
        mv.visitLabel(cases[i]);
        for (String kernel : entries.get(i)) {
          mv.visitVarInsn(ALOAD, 2);
          mv.visitVarInsn(ALOAD, 3);
          mv.visitVarInsn(ALOAD, 4);
          mv.visitMethodInsn(INVOKESTATIC, owner, kernel, Descriptors.KERNEL, false);
        }
        mv.visitInsn(RETURN);
      }
    }
    mv.visitLabel(unknown);
    mv.visitTypeInsn(NEW, Descriptors.ILLEGAL_ARGUMENT);
    mv.visitInsn(DUP);
    mv.visitLdcInsn("no entry point number ");
    mv.visitVarInsn(ILOAD, 1);
    Descriptors.STRING_VALUE_OF_INT.emit(mv);
    Descriptors.STRING_CONCAT.emit(mv);
    mv.visitLdcInsn(" in " + program.className() + " " + describe(program));
    Descriptors.STRING_CONCAT.emit(mv);
    Descriptors.ILLEGAL_ARGUMENT_INIT.emit(mv);
    mv.visitInsn(ATHROW);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** "(entries: 0 infer, 1 train)". */
  private static String describe(Program program) {
    List<String> parts = new ArrayList<>();
    for (String name : program.entries().keySet()) parts.add(parts.size() + " " + name);
    return parts.isEmpty() ? "(it has none)" : "(entries: " + String.join(", ", parts) + ")";
  }
}
