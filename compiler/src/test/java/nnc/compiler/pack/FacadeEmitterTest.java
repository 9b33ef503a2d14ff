package nnc.compiler.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.TypedModel;
import nnc.runtime.data.Idx;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed facade, loaded from a model JAR through a class loader that sees only the JAR and
 * the runtime, gives exactly what the map-based {@link NnModel} API gives on the same data.
 */
class FacadeEmitterTest {
  static final Path MNIST = Path.of("../samples/mnist_mlp.nn");
  static final Path DATA = Path.of("../data/mnist");

  /** i32 inputs (ranks 1 and 2), a rank-0 f32 input, rank-0 f32 and i32 outputs, a bool output, a clashing name. */
  static final String TAGGER = """
      model Tagger
      input  ids : i32[B, 3]
      input  y   : i32[B]
      input  t   : f32[]
      param  E : f32[5, 4] = normal(0, 1)
      param  W : f32[4, 2] = normal(0, 1)
      logits = mean(E[ids], axis = 1) @ W * t
      output score = cross_entropy(logits, y)
      output label = argmax(logits)
      output positive = logits > 0
      output count = sum(argmax(logits))
      output model = logits
      loss = cross_entropy(logits, y)
      train minimize loss with sgd(lr = 0.1) batch 4
      """;

  @TempDir
  Path dir;

  /** Compiles {@code file} in process into {@code jar}, with its facade; returns the manifest. */
  static Manifest compile(Path file, Path jar) throws Exception {
    String source = Files.readString(file);
    CompiledModel c = ModelCompiler.compile(Elaborator.compile(file), source, "test", 5);
    Map<String, byte[]> classes = new TreeMap<>();
    classes.put(c.program().className(), AsmEmitter.emit(c.program()));
    classes.put(FacadeEmitter.className(c.manifest()), FacadeEmitter.emit(c.manifest()));
    ModelJar.write(jar, c, classes, source);
    return c.manifest();
  }

  /** A loader that sees the model JAR, with the runtime (and nothing of the JAR) from its parent. */
  static URLClassLoader loader(Path jar) throws Exception {
    return new URLClassLoader(new URL[] {jar.toUri().toURL()}, FacadeEmitterTest.class.getClassLoader());
  }

  static Object call(Object target, String name, Class<?>[] types, Object... args) throws Throwable {
    try {
      return target.getClass().getMethod(name, types).invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The first {@code n} MNIST test images as float[n][784] in [0, 1] and their labels. */
  static float[][] images(int n) throws Exception {
    int[] pixels = Idx.read(DATA.resolve("t10k-images-idx3-ubyte.gz")).ints();
    float[][] x = new float[n][784];
    for (int i = 0; i < n; i++) for (int k = 0; k < 784; k++) x[i][k] = pixels[i * 784 + k] / 255f;
    return x;
  }

  static int[] labels(int n) throws Exception {
    return Arrays.copyOf(Idx.read(DATA.resolve("t10k-labels-idx1-ubyte.gz")).ints(), n);
  }

  static float[] flat(float[][] a) {
    float[] out = new float[a.length * a[0].length];
    for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, out, i * a[0].length, a[i].length);
    return out;
  }

  @Test
  void mnistFacadeGivesExactlyWhatNnModelGives() throws Throwable {
    Path jar = dir.resolve("mnist_mlp.jar");
    Manifest m = compile(MNIST, jar);
    assertEquals("nnc.gen.MnistMlpModel", FacadeEmitter.className(m));
    float[][] x = images(16);
    int[] y = labels(16);
    Tensor xt = Tensor.of(flat(x), 16, 784), yt = Tensor.of(y, 16);
    try (URLClassLoader cl = loader(jar); NnModel plain = NnModel.load(jar); NnModel fresh = NnModel.load(jar)) {
      Class<?> cls = cl.loadClass("nnc.gen.MnistMlpModel");
      try (TypedModel facade = (TypedModel) cls.getMethod("load", Path.class).invoke(null, jar)) {
        float[] want = plain.infer(Map.of("x", xt)).get("probs").floats();
        float[][] predicted = (float[][]) call(facade, "predict", new Class<?>[] {float[][].class}, (Object) x);
        float[][] probs = (float[][]) call(facade, "probs", new Class<?>[] {float[][].class}, (Object) x);
        assertEquals(16, predicted.length);
        assertEquals(10, predicted[0].length);
        assertArrayEquals(want, flat(predicted));
        assertArrayEquals(want, flat(probs));

        float loss = (float) call(facade, "trainStep", new Class<?>[] {float[][].class, int[].class}, x, y);
        assertEquals(fresh.trainStep(Map.of("x", xt, "y", yt)), loss);
        assertTrue(loss > 0 && Float.isFinite(loss), "loss " + loss);
        // The same update from the same start: the parameters agree bit for bit.
        Map<String, Tensor> a = facade.model().parameters(), b = fresh.parameters();
        for (String p : b.keySet()) assertTrue(a.get(p).contentEquals(b.get(p)), "updated " + p);
        Path ckpt = dir.resolve("ckpt.safetensors");
        facade.saveCheckpoint(ckpt);
        assertTrue(Files.size(ckpt) > 0);
      }
    }
  }

  @Test
  void mnistFacadeHasNamedTypedParameters() throws Exception {
    Path jar = dir.resolve("mnist_mlp.jar");
    compile(MNIST, jar);
    try (URLClassLoader cl = loader(jar)) {
      Class<?> cls = cl.loadClass("nnc.gen.MnistMlpModel");
      assertEquals(TypedModel.class, cls.getSuperclass());
      assertTrue(Modifier.isPublic(cls.getModifiers()) && Modifier.isFinal(cls.getModifiers()));

      Method load = cls.getMethod("load", Path.class);
      assertTrue(Modifier.isStatic(load.getModifiers()));
      assertEquals(cls, load.getReturnType());
      assertEquals(List.of(java.io.IOException.class), List.of(load.getExceptionTypes()));
      assertParams(load, "jar");

      Method predict = cls.getMethod("predict", float[][].class);
      assertEquals(float[][].class, predict.getReturnType());
      assertParams(predict, "x");
      Method probs = cls.getMethod("probs", float[][].class);
      assertEquals(float[][].class, probs.getReturnType());
      assertParams(probs, "x");
      Method train = cls.getMethod("trainStep", float[][].class, int[].class);
      assertEquals(float.class, train.getReturnType());
      assertParams(train, "x", "y");
      assertParams(cls.getConstructor(NnModel.class), "model");
    }
  }

  static void assertParams(java.lang.reflect.Executable m, String... names) {
    Parameter[] ps = m.getParameters();
    assertEquals(names.length, ps.length, m.toString());
    for (int i = 0; i < names.length; i++) {
      assertTrue(ps[i].isNamePresent(), m + ": no MethodParameters");
      assertEquals(names[i], ps[i].getName(), m.toString());
    }
  }

  @Test
  void intInputsScalarsBoolOutputsAndClashingNames() throws Throwable {
    Path file = dir.resolve("tagger.nn"), jar = dir.resolve("tagger.jar");
    Files.writeString(file, TAGGER);
    Manifest m = compile(file, jar);
    assertEquals(List.of("float predict(int[][] ids, int[] y, float t)", "float score(int[][] ids, int[] y, float t)",
        "int[] label(int[][] ids, int[] y, float t)", "boolean[][] positive(int[][] ids, int[] y, float t)",
        "int count(int[][] ids, int[] y, float t)", "float trainStep(int[][] ids, int[] y, float t)"), FacadeEmitter.methods(m));
    assertEquals(1, FacadeEmitter.notes(m).size());
    assertTrue(FacadeEmitter.notes(m).get(0).startsWith("output model:"), FacadeEmitter.notes(m).toString());

    int[][] ids = {{0, 1, 2}, {4, 3, 2}, {1, 1, 1}};
    int[] y = {0, 1, 1};
    float t = 1.5f;
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("ids", Tensor.of(new int[] {0, 1, 2, 4, 3, 2, 1, 1, 1}, 3, 3));
    in.put("y", Tensor.of(y, 3));
    in.put("t", Tensor.of(new float[] {t}));
    Class<?>[] sig = {int[][].class, int[].class, float.class};
    try (URLClassLoader cl = loader(jar); NnModel plain = NnModel.load(jar); NnModel fresh = NnModel.load(jar)) {
      Class<?> cls = cl.loadClass("nnc.gen.TaggerModel");
      assertThrows(NoSuchMethodException.class, () -> cls.getDeclaredMethod("model", sig));
      try (TypedModel facade = (TypedModel) cls.getMethod("load", Path.class).invoke(null, jar)) {
        Map<String, Tensor> want = plain.infer(in);
        assertEquals(want.get("score").floats()[0], (float) call(facade, "predict", sig, ids, y, t));
        assertEquals(want.get("score").floats()[0], (float) call(facade, "score", sig, ids, y, t));
        assertArrayEquals(want.get("label").ints(), (int[]) call(facade, "label", sig, ids, y, t));
        assertEquals(want.get("count").ints()[0], (int) call(facade, "count", sig, ids, y, t));
        boolean[][] positive = (boolean[][]) call(facade, "positive", sig, ids, y, t);
        for (int i = 0; i < 3; i++) {
          for (int j = 0; j < 2; j++) assertEquals(want.get("positive").bools()[i * 2 + j], positive[i][j]);
        }
        assertEquals(fresh.trainStep(in), (float) call(facade, "trainStep", sig, ids, y, t));
      }
      Method score = cls.getMethod("score", sig);
      assertEquals(float.class, score.getReturnType());
      assertParams(score, "ids", "y", "t");
    }
  }

  @Test
  void raggedAndNullInputsAreOneLineErrorsNamingTheInput() throws Throwable {
    Path jar = dir.resolve("mnist_mlp.jar");
    compile(MNIST, jar);
    try (URLClassLoader cl = loader(jar)) {
      Class<?> cls = cl.loadClass("nnc.gen.MnistMlpModel");
      try (TypedModel facade = (TypedModel) cls.getMethod("load", Path.class).invoke(null, jar)) {
        float[][] ragged = {new float[784], new float[784], new float[783]};
        var e = assertThrows(IllegalArgumentException.class, () -> call(facade, "predict", new Class<?>[] {float[][].class}, (Object) ragged));
        assertEquals("input x is ragged: x[2] has length 783, x[0] has 784", e.getMessage());
        float[][] holey = {new float[784], null};
        e = assertThrows(IllegalArgumentException.class, () -> call(facade, "predict", new Class<?>[] {float[][].class}, (Object) holey));
        assertEquals("input x has a null array at x[1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> call(facade, "trainStep", new Class<?>[] {float[][].class, int[].class}, new float[2][784], null));
        assertEquals("input y is null", e.getMessage());
        // Shapes are the model's to check, with its usual message.
        e = assertThrows(IllegalArgumentException.class, () -> call(facade, "predict", new Class<?>[] {float[][].class}, (Object) new float[2][783]));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("input x"), e.getMessage());
      }
    }
  }

  @Test
  void aFacadeRefusesAnotherModelsJar() throws Throwable {
    Path mnist = dir.resolve("mnist_mlp.jar"), tagger = dir.resolve("tagger.jar"), file = dir.resolve("tagger.nn");
    compile(MNIST, mnist);
    Files.writeString(file, TAGGER);
    compile(file, tagger);
    try (URLClassLoader cl = loader(mnist)) {
      Class<?> cls = cl.loadClass("nnc.gen.MnistMlpModel");
      var e = assertThrows(InvocationTargetException.class, () -> cls.getMethod("load", Path.class).invoke(null, tagger));
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertEquals("this facade is for model MnistMlp, the JAR holds model Tagger", e.getCause().getMessage());
    }
  }

  @Test
  void boolInputsGetNoMethodAndANote() throws Exception {
    Path file = dir.resolve("masked.nn");
    Files.writeString(file, """
        model Masked
        input x    : f32[B, 2]
        input mask : bool[B, 2]
        output y = where(mask, x, 0)
        """);
    CompiledModel c = ModelCompiler.compile(Elaborator.compile(file), Files.readString(file), "test", 5);
    assertEquals(List.of(), FacadeEmitter.methods(c.manifest()));
    assertEquals(List.of("infer: input mask is bool, which the facade does not take; no predict/output methods (use model())"),
        FacadeEmitter.notes(c.manifest()));
    FacadeEmitter.emit(c.manifest()); // still a valid class: load, the constructor and model()
  }

  @Test
  void ranksWithoutATypedOverloadUseTheGenericConversion() throws Throwable {
    Path file = dir.resolve("deep.nn"), jar = dir.resolve("deep.jar");
    Files.writeString(file, """
        model Deep
        input x : f32[B, 1, 2, 1, 2]
        input k : i32[B, 1, 2]
        output y = x * 2
        output kk = k + 1
        """);
    Manifest m = compile(file, jar);
    assertEquals("float[][][][][] y(float[][][][][] x, int[][][] k)", FacadeEmitter.methods(m).get(1));
    float[][][][][] x = {{{{{1, 2}}, {{3, 4}}}}};
    int[][][] k = {{{5, 6}}};
    Class<?>[] sig = {float[][][][][].class, int[][][].class};
    try (URLClassLoader cl = loader(jar)) {
      Class<?> cls = cl.loadClass("nnc.gen.DeepModel");
      try (TypedModel facade = (TypedModel) cls.getMethod("load", Path.class).invoke(null, jar)) {
        float[][][][][] y = (float[][][][][]) call(facade, "y", sig, x, k);
        assertArrayEquals(new float[] {6, 8}, y[0][0][1][0]);
        int[][][] kk = (int[][][]) call(facade, "kk", sig, x, k);
        assertArrayEquals(new int[] {6, 7}, kk[0][0]);
      }
    }
  }

  @Test
  void emittingIsDeterministic() throws Exception {
    CompiledModel c = ModelCompiler.compile(Elaborator.compile(MNIST), Files.readString(MNIST), "test", 5);
    assertArrayEquals(FacadeEmitter.emit(c.manifest()), FacadeEmitter.emit(c.manifest()));
  }
}
