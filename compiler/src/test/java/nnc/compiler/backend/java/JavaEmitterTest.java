package nnc.compiler.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import nnc.compiler.backend.KernelPrograms;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.KernelInterpreter;
import nnc.compiler.kernel.Program;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.runtime.ModelCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The generated source compiles, reads as intended, and computes what the kernel interpreter does. */
class JavaEmitterTest {
  private static final int[] SIZES = {1, 15, 16, 17, 37, 100};
  private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
  private static final Map<Integer, Compiled> COMPILED = new ConcurrentHashMap<>();

  private record Compiled(KernelCases.Suite suite, ModelCode code) {}

  private static Compiled compiled(int n) {
    return COMPILED.computeIfAbsent(n, k -> {
      KernelCases.Suite suite = KernelCases.suite(k);
      return new Compiled(suite, JavaCompilation.load(suite.program()));
    });
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (int n : SIZES) {
      for (KernelCases.Case c : KernelCases.suite(n).cases()) all.add(Arguments.of(c.name(), n));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void agreesWithTheKernelInterpreter(String name, int n) {
    Compiled compiled = compiled(n);
    Program program = compiled.suite().program();
    KernelCases.Case c = compiled.suite().cases().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    List<String> entries = List.copyOf(program.entries().keySet());
    // bit for bit unless a vector iteration runs: vector lanes round transcendental functions and
    // fused multiply-adds differently, and sum in a different order
    boolean exact = c.vectorTrip() < LANES;
    for (String entry : c.entries()) {
      float[] p1 = c.p().clone(), m1 = c.m().clone(), p2 = c.p().clone(), m2 = c.m().clone();
      KernelInterpreter.call(program, entry, p1, m1, c.rt().clone());
      compiled.code().call(entries.indexOf(entry), p2, m2, c.rt().clone());
      compare(entry + " p", p1, p2, exact);
      compare(entry + " m", m1, m2, exact);
    }
  }

  static Stream<KernelPrograms.Case> sharedCases() {
    return KernelPrograms.all().stream();
  }

  /** The shared fixture of both emitters: every entry, from fresh inputs, against the interpreter. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void agreesWithTheInterpreterOnTheSharedPrograms(KernelPrograms.Case c) {
    ModelCode code = JavaCompilation.load(c.program());
    for (String entry : c.entries()) {
      String mismatch = KernelPrograms.mismatch(c, c.interpret(entry), c.run(code, entry));
      if (mismatch != null) fail(c.name() + " entry " + entry + ": " + mismatch + "\n" + JavaEmitter.emit(c.program()));
    }
  }

  private static void compare(String what, float[] expected, float[] actual, boolean exact) {
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      boolean ok = exact
          ? Float.floatToIntBits(e) == Float.floatToIntBits(a)
          : Float.isNaN(e) ? Float.isNaN(a) : e == a || Math.abs(e - a) <= 1e-5 * Math.max(Math.abs(e), Math.abs(a)) + 1e-5;
      if (!ok) fail(what + "[" + i + "]: interpreter " + e + ", generated code " + a + (exact ? " (bit-exact)" : ""));
    }
  }

  @Test
  void unknownEntryIsRejected() {
    ModelCode code = compiled(1).code();
    var e = assertThrows(IllegalArgumentException.class, () -> code.call(1000, new float[0], new float[0], new int[0]));
    assertTrue(e.getMessage().contains("unknown entry 1000"), e.getMessage());
    assertTrue(e.getMessage().contains("0 (unary_run)"), e.getMessage());
  }

  @Test
  void classHasTheModelCodeShape() throws Exception {
    Class<?> c = compiled(16).code().getClass();
    assertEquals("nnc.gen.Cases16", c.getName());
    assertTrue(java.lang.reflect.Modifier.isFinal(c.getModifiers()) && java.lang.reflect.Modifier.isPublic(c.getModifiers()));
    var dense = c.getDeclaredMethod("matmul_dense", float[].class, float[].class, int[].class);
    assertTrue(java.lang.reflect.Modifier.isStatic(dense.getModifiers()));
    assertEquals("S", c.getDeclaredField("S").getName());
  }

  @Test
  void vectorizableLoopsGetTheVectorFormAndOthersTheScalarForm() {
    Fx x = new Fx.Load(Space.M, Ix.v("j"));
    St vector = new St.ElementLoop("j", Ix.c(0), new Ix.Rt(0),
        List.of(new St.Store(Space.M, Ix.add(new Ix.Rt(1), Ix.v("j")), new Fx.Unary(UnaryOp.EXP, x), false)));
    St scalar = new St.ElementLoop("j", Ix.c(0), new Ix.Rt(0),
        List.of(new St.Store(Space.M, Ix.add(new Ix.Rt(1), Ix.v("j")), new Fx.Unary(UnaryOp.ERF, x), false)));
    String v = JavaEmitter.emit(single("v", vector));
    assertTrue(v.contains("""
            int rt0 = rt[0];
            int rt1 = rt[1];
            int j = 0;
            for (int jUpper = S.loopBound(rt0); j < jUpper; j += S.length()) {
              FloatVector t0 = FloatVector.fromArray(S, m, j);
              t0.lanewise(VectorOperators.EXP).intoArray(m, rt1 + j);
            }
            for (; j < rt0; j++) {
              m[rt1 + j] = (float) Math.exp(m[j]);
            }
        """), v);
    String s = JavaEmitter.emit(single("s", scalar));
    assertFalse(s.contains("loopBound") || s.contains("fromArray"), s);
    assertTrue(s.contains("for (int j = 0; j < rt[0]; j++) {"), s);
    assertTrue(s.contains("m[rt[1] + j] = (float) ScalarOps.erf(m[j]);"), s);
  }

  @Test
  void reductionsFoldVectorLanesIntoTheAccumulator() {
    Fx prod = new Fx.Binary(BinaryOp.MUL, new Fx.Load(Space.M, Ix.v("k")), new Fx.Load(Space.P, Ix.add(Ix.c(8), Ix.v("k"))));
    String src = JavaEmitter.emit(single("dot",
        new St.DeclareFloat("s", Fx.c(0)),
        new St.ReduceLoop("k", Ix.c(0), Ix.c(8), "s", ReduceOp.SUM, prod),
        new St.DeclareFloat("mx", Fx.c(Float.NEGATIVE_INFINITY)),
        new St.ReduceLoop("k", Ix.c(0), Ix.c(8), "mx", ReduceOp.MAX, prod)));
    assertTrue(src.contains("sLanes = t0.fma(t1, sLanes);"), src);
    assertTrue(src.contains("s += sLanes.reduceLanes(VectorOperators.ADD);"), src);
    assertTrue(src.contains("FloatVector mxLanes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);"), src);
    assertTrue(src.contains("float x0 = mxLanes.reduceLanes(VectorOperators.MAX);\n    mx = x0 > mx || Float.isNaN(x0) ? x0 : mx;"), src);
    assertTrue(src.contains("s += m[k] * p[8 + k];"), src);
  }

  @Test
  void expressionsPrintWithMinimalParentheses() {
    Ix i = Ix.v("i"), j = Ix.v("j");
    Ix index = new Ix.Add(new Ix.Mul(i, new Ix.Add(j, Ix.c(2))), new Ix.Add(new Ix.Div(j, new Ix.Mul(i, Ix.c(3))), Ix.c(-1)));
    Fx a = new Fx.Load(Space.M, index), b = new Fx.Load(Space.P, i);
    Fx value = new Fx.Binary(BinaryOp.SUB, new Fx.Binary(BinaryOp.MUL, a, new Fx.Binary(BinaryOp.ADD, b, Fx.c(0.5f))),
        new Fx.Binary(BinaryOp.SUB, new Fx.Unary(UnaryOp.NEG, new Fx.Unary(UnaryOp.NEG, b)), Fx.c(1e-8f)));
    String src = JavaEmitter.emit(single("expr", new St.Loop("i", Ix.c(0), Ix.c(2), List.of(new St.Loop("j", Ix.c(0), Ix.c(2),
        List.of(new St.Store(Space.M, Ix.add(Ix.c(40), j), value, false)))))));
    assertTrue(src.contains("m[40 + j] = m[i * (j + 2) + j / (i * 3) - 1] * (p[i] + 0.5f) - (-(-p[i]) - 1.0E-8f);"), src);
  }

  @Test
  void commentsAndJavadocCannotEscape() {
    String src = JavaEmitter.emit(compiled(1).suite().program());
    assertTrue(src.contains("* names *&#47; that \\\\u clash"), src);
    assertTrue(src.contains("// y = x @ W + b, one row of x at a time"), src);
  }

  @Test
  void goldenSource() throws IOException {
    String src = JavaEmitter.emit(GoldenProgram.tinyMlp());
    assertTrue(src.contains("/**\n   * %3 = matmul %x %W1  tiny.nn:7:8"), src);
    assertTrue(src.contains("// one row of the batch at a time"), src);
    Path file = Path.of("src/test/resources/golden/java/TinyMlp.java");
    if (Boolean.getBoolean("nnc.updateGolden")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, src, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(file)) fail("missing " + file + "; run with -Dnnc.updateGolden=true after reading this:\n" + src);
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), src, "golden file " + file + " differs");
    JavaCompilation.load(GoldenProgram.tinyMlp());
  }

  @Test
  void writesTheSourceInItsPackageDirectory(@TempDir Path dir) throws IOException {
    Path file = JavaEmitter.write(GoldenProgram.tinyMlp(), dir);
    assertEquals(dir.resolve("nnc/gen/TinyMlp.java"), file);
    assertEquals(JavaEmitter.emit(GoldenProgram.tinyMlp()), Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void compilationErrorsCarryJavacDiagnostics() {
    var e = assertThrows(IllegalStateException.class,
        () -> JavaCompilation.compile("nnc.gen.Broken", "package nnc.gen; class Broken { int x = y; }"));
    assertTrue(e.getMessage().contains("1:") && e.getMessage().contains("y"), e.getMessage());
  }

  private static Program single(String name, St... body) {
    return new Program("nnc.gen.Single", List.of(new Kernel(name, name, "test", List.of(body))),
        Map.of("run", List.of(name)));
  }
}
