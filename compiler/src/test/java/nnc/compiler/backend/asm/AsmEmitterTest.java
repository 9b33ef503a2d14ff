package nnc.compiler.backend.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import jdk.incubator.vector.VectorSpecies;
import nnc.compiler.backend.KernelPrograms;
import nnc.compiler.backend.KernelPrograms.Case;
import nnc.compiler.backend.KernelPrograms.State;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.Program;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.runtime.ModelCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Generated classes verify and compute what the kernel interpreter computes. */
class AsmEmitterTest {
  static List<Case> cases() {
    return KernelPrograms.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyEntryMatchesTheInterpreter(Case c) throws Exception {
    ModelCode code = load(c.program());
    for (String entry : c.entries()) {
      String diff = KernelPrograms.mismatch(c, c.interpret(entry), c.run(code, entry));
      assertNull(diff, () -> c.name() + ", entry " + entry + ": " + diff);
    }
  }

  /**
   * The first calls run in the bytecode interpreter, where the Vector API computes lane by lane
   * in Java; after enough calls C2 compiles the kernels to vector instructions, its own math
   * routines, masks and fused multiply-adds. Those must stay within tolerance too. Only cases
   * whose compiled form can round differently are run hot (+, -, *, /, sqrt, neg and abs are
   * exact IEEE operations in any form), since warming up costs a second per case.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("hotCases")
  void vectorCodeStaysWithinToleranceOnceCompiled(Case c) throws Exception {
    ModelCode code = load(c.program());
    for (String entry : c.entries()) {
      State expected = c.interpret(entry);
      float[] p0 = c.newP(), m0 = c.newM();
      int[] rt = c.rt();
      int number = c.entryNumber(entry);
      State last = null;
      for (int i = 0; i < HOT_CALLS; i++) {
        last = new State(p0.clone(), m0.clone());
        code.call(number, last.p(), last.m(), rt);
      }
      String diff = KernelPrograms.mismatch(c, expected, last);
      assertNull(diff, () -> c.name() + ", entry " + entry + ", hot: " + diff);
    }
  }

  /**
   * Calls after which C2 has usually compiled the kernels (loop back-edges count towards it; C2
   * compiles in the background, so on a busy machine some cases may still be checked in C1 code).
   */
  private static final int HOT_CALLS = 20_000;

  static Stream<Case> hotCases() {
    Set<String> names =
        Set.of(
            "unary.exp.vector", "unary.log.vector", "unary.log1p.vector", "unary.sin.vector",
            "unary.cos.vector", "unary.tanh.vector", "unary.relu.vector", "unary.sigmoid.vector",
            "unary.softplus.vector", "unary.heaviside.vector", "binary.pow.vector",
            "binary.max.vector", "binary.min.vector", "binary.lt.vector", "binary.eq.vector",
            "binary.ne.vector", "reduce.sum.vector", "reduce.max.vector", "reduce.min.vector",
            "gemm.n37", "softmax.n17", "select.vector", "stores", "compound");
    List<Case> hot = KernelPrograms.all().stream().filter(c -> names.contains(c.name())).toList();
    assertEquals(names.size(), hot.size());
    return hot.stream();
  }

  @Test
  void entriesRunInSequenceOnTheSameArenas() throws Exception {
    Case c = KernelPrograms.byName("entries");
    ModelCode code = load(c.program());
    String[] sequence = {"train", "train", "infer", "train"};
    String diff = KernelPrograms.mismatch(c, c.interpret(sequence), c.run(code, sequence));
    assertNull(diff, diff);
  }

  @Test
  void vectorizableLoopsUseTheVectorApiAndOthersDoNot() {
    Map<String, Set<String>> gemm = calls(AsmEmitter.emit(KernelPrograms.byName("gemm.n37").program()));
    assertTrue(gemm.get("matmul").contains("jdk/incubator/vector/FloatVector.fromArray"));
    assertTrue(gemm.get("matmul").contains("jdk/incubator/vector/FloatVector.fma"));
    assertTrue(gemm.get("matmul").contains("jdk/incubator/vector/FloatVector.intoArray"));
    assertTrue(gemm.get("bias_relu").contains("jdk/incubator/vector/FloatVector.max"));
    Map<String, Set<String>> softmax = calls(AsmEmitter.emit(KernelPrograms.byName("softmax.n17").program()));
    assertTrue(softmax.get("softmax").contains("jdk/incubator/vector/FloatVector.reduceLanes"));

    Map<String, Set<String>> strided = calls(AsmEmitter.emit(KernelPrograms.byName("strided").program()));
    for (Map.Entry<String, Set<String>> e : strided.entrySet()) {
      if (e.getKey().equals("<clinit>")) continue;
      assertTrue(
          e.getValue().stream().noneMatch(s -> s.startsWith("jdk/incubator/vector/")),
          () -> e.getKey() + " uses the Vector API: " + e.getValue());
    }
    Map<String, Set<String>> sign = calls(AsmEmitter.emit(KernelPrograms.byName("unary.sign.vector").program()));
    assertFalse(sign.get("n100").contains("jdk/incubator/vector/FloatVector.fromArray"));
    assertTrue(sign.get("n100").contains("java/lang/Math.signum"));
  }

  @Test
  void noMaskedOperationsAnywhere() {
    for (Case c : KernelPrograms.all()) {
      byte[] bytes = AsmEmitter.emit(c.program());
      new ClassReader(bytes)
          .accept(
              new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int a, String n, String d, String s, String[] e) {
                  return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
                      boolean masked = desc.contains("VectorMask;)") || desc.contains("VectorMask;I");
                      assertFalse(masked && !name.equals("blend"), () -> c + ": " + name + desc);
                    }
                  };
                }
              },
              0);
    }
  }

  @Test
  void classShape() throws Exception {
    Case c = KernelPrograms.byName("entries");
    Class<?> k = define(c.program().className(), AsmEmitter.emit(c.program()));
    assertEquals("nnc.gen.Case_entries", k.getName());
    assertTrue(Modifier.isPublic(k.getModifiers()) && Modifier.isFinal(k.getModifiers()));
    assertTrue(ModelCode.class.isAssignableFrom(k));
    var s = k.getDeclaredField("S");
    assertTrue(Modifier.isStatic(s.getModifiers()) && Modifier.isFinal(s.getModifiers()));
    s.setAccessible(true);
    assertEquals(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, (VectorSpecies<?>) s.get(null));
    for (Kernel kernel : c.program().kernels()) {
      Method m = k.getMethod(kernel.name(), float[].class, float[].class, int[].class);
      assertTrue(Modifier.isStatic(m.getModifiers()));
      assertEquals(void.class, m.getReturnType());
    }
  }

  @Test
  void unknownEntryNumbersThrow() throws Exception {
    Case c = KernelPrograms.byName("entries");
    ModelCode code = load(c.program());
    float[] p = c.newP(), m = c.newM();
    for (int bad : new int[] {-1, 2, 99}) {
      var e = assertThrows(IllegalArgumentException.class, () -> code.call(bad, p, m, c.rt()));
      assertEquals(
          "no entry point number " + bad + " in nnc.gen.Case_entries (entries: 0 infer, 1 train)",
          e.getMessage());
    }
    ModelCode none = load(new Program("nnc.gen.NoEntries", List.of(), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> none.call(0, p, m, c.rt()));
  }

  @Test
  void emittingTwiceGivesTheSameBytes() {
    for (Case c : KernelPrograms.all()) {
      assertArrayEquals(AsmEmitter.emit(c.program()), AsmEmitter.emit(c.program()), c.name());
    }
  }

  @Test
  void malformedProgramsAreRejectedWithTheKernelName() {
    Fx undeclared = new Fx.Local("nowhere");
    var e = assertThrows(IllegalArgumentException.class, () -> emit(store(undeclared)));
    assertEquals("kernel k: uses float nowhere, which is not declared in an enclosing scope", e.getMessage());

    St leaked =
        new St.Loop("i", Ix.c(0), Ix.c(2), List.of(new St.DeclareFloat("t", Fx.c(1))));
    e = assertThrows(IllegalArgumentException.class, () -> emit(leaked, store(new Fx.Local("t"))));
    assertTrue(e.getMessage().contains("uses float t"), e.getMessage());

    St nested =
        new St.Loop("i", Ix.c(0), Ix.c(2), List.of(new St.Loop("i", Ix.c(0), Ix.c(2), List.of())));
    e = assertThrows(IllegalArgumentException.class, () -> emit(nested));
    assertEquals("kernel k: loop variable i is already declared", e.getMessage());

    St clobber =
        new St.Loop("i", Ix.c(0), Ix.c(2), List.of(new St.DeclareInt("i", Ix.c(0))));
    e = assertThrows(IllegalArgumentException.class, () -> emit(clobber));
    assertTrue(e.getMessage().contains("enclosing loop"), e.getMessage());

    Kernel k = new Kernel("k", "", "test", List.of());
    assertThrows(
        IllegalArgumentException.class,
        () -> AsmEmitter.emit(new Program("nnc.gen.X", List.of(k, k), Map.of())));
    assertThrows(
        IllegalArgumentException.class,
        () -> AsmEmitter.emit(new Program("nnc.gen.X", List.of(k), Map.of("e", List.of("k", "z")))));
    assertThrows(
        IllegalArgumentException.class,
        () -> AsmEmitter.emit(new Program("nnc.gen.X", List.of(new Kernel("a-b", "", "", List.of())), Map.of())));
    assertThrows(
        IllegalArgumentException.class, () -> AsmEmitter.emit(new Program("nnc..X", List.of(), Map.of())));
  }

  @Test
  void verifyReportsBrokenClasses() {
    byte[] good = AsmEmitter.emit(KernelPrograms.byName("locals").program());
    AsmEmitter.verify(good);
    byte[] bad = breakFirstFload(good);
    var e = assertThrows(IllegalStateException.class, () -> AsmEmitter.verify(bad));
    assertTrue(e.getMessage().startsWith("nnc/gen/Case_locals fails verification"), e.getMessage());
  }

  // ---- helpers

  /** Emits, verifies, defines and instantiates the class of {@code program}. */
  static ModelCode load(Program program) throws ReflectiveOperationException {
    return nnc.compiler.backend.Emitters.asm(program);
  }

  static Class<?> define(String name, byte[] bytes) {
    return new Loader().define(name, bytes);
  }

  /** One loader per class, so that cases may reuse class names. */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(AsmEmitterTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  private static St store(Fx value) {
    return new St.Store(Space.M, Ix.c(0), value, false);
  }

  private static byte[] emit(St... body) {
    Kernel k = new Kernel("k", "", "test", List.of(body));
    return AsmEmitter.emit(new Program("nnc.gen.X", List.of(k), Map.of("e", List.of("k"))));
  }

  /** Owner.name of every method each method of the class calls. */
  private static Map<String, Set<String>> calls(byte[] bytes) {
    Map<String, Set<String>> calls = new java.util.HashMap<>();
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(int a, String name, String d, String s, String[] e) {
                Set<String> set = calls.computeIfAbsent(name, x -> new TreeSet<>());
                return new MethodVisitor(Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(int op, String owner, String n, String desc, boolean itf) {
                    set.add(owner + "." + n);
                  }
                };
              }
            },
            0);
    return calls;
  }

  /** The class with its first FLOAD turned into an ILOAD: a type error the verifier must catch. */
  private static byte[] breakFirstFload(byte[] bytes) {
    org.objectweb.asm.ClassWriter cw = new org.objectweb.asm.ClassWriter(0);
    List<Boolean> done = new ArrayList<>(List.of(false));
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9, cw) {
              @Override
              public MethodVisitor visitMethod(int a, String n, String d, String s, String[] e) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(a, n, d, s, e)) {
                  @Override
                  public void visitVarInsn(int opcode, int slot) {
                    if (opcode == Opcodes.FLOAD && !done.get(0)) {
                      done.set(0, true);
                      opcode = Opcodes.ILOAD;
                    }
                    super.visitVarInsn(opcode, slot);
                  }
                };
              }
            },
            0);
    assertTrue(done.get(0));
    return cw.toByteArray();
  }
}
