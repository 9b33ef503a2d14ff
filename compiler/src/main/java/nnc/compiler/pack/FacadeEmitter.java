package nnc.compiler.pack;

import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_PUBLIC;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ANEWARRAY;
import static org.objectweb.asm.Opcodes.ARETURN;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.CHECKCAST;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.FLOAD;
import static org.objectweb.asm.Opcodes.FRETURN;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESPECIAL;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.IRETURN;
import static org.objectweb.asm.Opcodes.NEW;
import static org.objectweb.asm.Opcodes.RETURN;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.V21;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.SourceVersion;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.runtime.TypedModel;
import nnc.runtime.model.Manifest;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * Generates, with ASM, the typed facade of a compiled model: a subclass of {@link TypedModel}
 * that takes and returns Java arrays instead of maps of tensors. For {@code model MnistMlp}
 * ({@code x : f32[B,784]}, {@code y : i32[B]}, {@code output probs : f32[B,10]}):
 *
 * <pre>
 * public final class nnc.gen.MnistMlpModel extends TypedModel {
 *   public MnistMlpModel(NnModel model)                       // refuses a JAR of another model
 *   public static MnistMlpModel load(Path jar) throws IOException
 *   public float[][] predict(float[][] x)                     // the first output of infer
 *   public float[][] probs(float[][] x)                       // one method per infer output
 *   public float trainStep(float[][] x, int[] y)              // when the model has a train entry
 * }
 * </pre>
 *
 * <p>Types: an input or output of dtype f32 and rank r is {@code float} with r brackets ({@code
 * float} at rank 0), i32 is {@code int}, a bool output {@code boolean}. Parameters are named
 * after the inputs (a MethodParameters attribute, so reflection and IDEs see them). What cannot
 * be typed is left out, and {@link #notes} says why: an entry with a bool input (no method for
 * it), an output whose name is not a Java identifier or clashes with a method of the facade or
 * {@link TypedModel}, an output of another dtype. The map-based {@code model()} API still does
 * everything.
 */
public final class FacadeEmitter {
  // ---- every name and descriptor the facade uses ---------------------------------------------------
  private static final int CLASS_VERSION = V21;
  private static final String STRING = "java/lang/String";
  private static final String IO_EXCEPTION = "java/io/IOException";
  private static final String TYPED_MODEL = "nnc/runtime/TypedModel";
  private static final String NN_MODEL = "nnc/runtime/NnModel";
  private static final String TENSOR = "nnc/runtime/Tensor";
  private static final String D_STRING = "L" + STRING + ";";
  private static final String D_TENSOR = "L" + TENSOR + ";";
  private static final String D_NN_MODEL = "L" + NN_MODEL + ";";
  private static final String D_PATH = "Ljava/nio/file/Path;";
  /** {@code TypedModel(NnModel model, String modelName)}. */
  private static final String SUPER_INIT = "(" + D_NN_MODEL + D_STRING + ")V";
  /** {@code NAME(NnModel model)}, the facade's constructor. */
  private static final String INIT = "(" + D_NN_MODEL + ")V";
  /** {@code NnModel.load(Path)}. */
  private static final String NN_MODEL_LOAD = "(" + D_PATH + ")" + D_NN_MODEL;
  /** {@code TypedModel.infer(String output, String[] names, Tensor[] values)}. */
  private static final String INFER = "(" + D_STRING + "[" + D_STRING + "[" + D_TENSOR + ")" + D_TENSOR;
  /** {@code TypedModel.train(String[] names, Tensor[] values)}. */
  private static final String TRAIN = "([" + D_STRING + "[" + D_TENSOR + ")F";
  /** {@code TypedModel.input(String name, Object array)}: any rank. */
  private static final String INPUT_ANY = "(" + D_STRING + "Ljava/lang/Object;)" + D_TENSOR;
  /** Argument descriptors of the typed {@code TypedModel.input(String name, T value)} overloads. */
  private static final Set<String> TYPED_INPUTS = Set.of("F", "[F", "[[F", "[[[F", "[[[[F", "I", "[I", "[[I");
  /** {@code TypedModel.toArray(Tensor)}: rank ≥ 1, cast to the array type. */
  private static final String TO_ARRAY = "(" + D_TENSOR + ")Ljava/lang/Object;";

  private static final String PREDICT = "predict";
  private static final String TRAIN_STEP = "trainStep";
  private static final String LOAD = "load";

  private FacadeEmitter() {}

  /** The binary name of the facade: the model's code class with {@code Model} appended, e.g. {@code nnc.gen.MnistMlpModel}. */
  public static String className(Manifest m) {
    return m.className() + "Model";
  }

  /** The methods the facade of {@code m} has, as Java signatures (for messages and docs). */
  public static List<String> methods(Manifest m) {
    return plan(m).methods.stream().map(FacadeMethod::signature).toList();
  }

  /** One line per port or entry that the facade leaves out, with the reason; empty when nothing is. */
  public static List<String> notes(Manifest m) {
    return plan(m).notes;
  }

  /** The class file of the facade; it is checked with ASM's verifier before it is returned. */
  public static byte[] emit(Manifest m) {
    Plan plan = plan(m);
    String owner = className(m).replace('.', '/');
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(CLASS_VERSION, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, owner, null, TYPED_MODEL, null);
    cw.visitSource(m.model() + ".nn", null);
    constructor(cw, m.model());
    load(cw, owner);
    for (FacadeMethod method : plan.methods) method.emit(cw);
    cw.visitEnd();
    byte[] bytes = cw.toByteArray();
    AsmEmitter.verify(bytes);
    return bytes;
  }

  // ---- what to generate ----------------------------------------------------------------------------

  /** An entry's port as a Java type: {@code base} is F, I or Z, with {@code rank} brackets. */
  private record JType(char base, int rank) {
    /** The Java type of a port's dtype and rank, or null if the facade has none for it. */
    static JType of(Manifest.Port p, boolean output) {
      char base = switch (p.dtype()) {
        case "f32" -> 'F';
        case "i32" -> 'I';
        case "bool" -> output ? 'Z' : 0;
        default -> 0;
      };
      return base == 0 ? null : new JType(base, p.shape().size());
    }

    String descriptor() {
      return "[".repeat(rank) + base;
    }

    String javaName() {
      return (base == 'F' ? "float" : base == 'I' ? "int" : "boolean") + "[]".repeat(rank);
    }

    int loadOpcode() {
      return rank > 0 ? ALOAD : base == 'F' ? FLOAD : ILOAD;
    }
  }

  /** A facade parameter: the input's name in the model and the Java name it gets. */
  private record Param(String port, String javaName, JType type) {}

  /** A method of an entry: {@code output} null for the training step. */
  private record FacadeMethod(String name, List<Param> params, String output, JType returns) {
    String descriptor() {
      StringBuilder sb = new StringBuilder("(");
      for (Param p : params) sb.append(p.type.descriptor());
      return sb.append(')').append(returns.descriptor()).toString();
    }

    String signature() {
      StringBuilder sb = new StringBuilder(returns.javaName()).append(' ').append(name).append('(');
      for (int i = 0; i < params.size(); i++) {
        sb.append(i > 0 ? ", " : "").append(params.get(i).type.javaName()).append(' ').append(params.get(i).javaName);
      }
      return sb.append(')').toString();
    }

    void emit(ClassWriter cw) {
      MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, name, descriptor(), null, null);
      for (Param p : params) mv.visitParameter(p.javaName, 0);
      mv.visitCode();
      mv.visitVarInsn(ALOAD, 0);
      if (output != null) mv.visitLdcInsn(output);
      pushInt(mv, params.size());
      mv.visitTypeInsn(ANEWARRAY, STRING);
      for (int i = 0; i < params.size(); i++) {
        mv.visitInsn(DUP);
        pushInt(mv, i);
        mv.visitLdcInsn(params.get(i).port);
        mv.visitInsn(AASTORE);
      }
      pushInt(mv, params.size());
      mv.visitTypeInsn(ANEWARRAY, TENSOR);
      for (int i = 0; i < params.size(); i++) {
        Param p = params.get(i);
        mv.visitInsn(DUP);
        pushInt(mv, i);
        mv.visitLdcInsn(p.port);
        mv.visitVarInsn(p.type.loadOpcode(), i + 1); // every parameter takes one local slot
        String arg = TYPED_INPUTS.contains(p.type.descriptor()) ? "(" + D_STRING + p.type.descriptor() + ")" + D_TENSOR : INPUT_ANY;
        mv.visitMethodInsn(INVOKESTATIC, TYPED_MODEL, "input", arg, false);
        mv.visitInsn(AASTORE);
      }
      if (output == null) {
        mv.visitMethodInsn(INVOKEVIRTUAL, TYPED_MODEL, "train", TRAIN, false);
        mv.visitInsn(FRETURN);
      } else {
        mv.visitMethodInsn(INVOKEVIRTUAL, TYPED_MODEL, "infer", INFER, false);
        if (returns.rank == 0) {
          String helper = returns.base == 'F' ? "toFloat" : returns.base == 'I' ? "toInt" : "toBoolean";
          mv.visitMethodInsn(INVOKESTATIC, TYPED_MODEL, helper, "(" + D_TENSOR + ")" + returns.base, false);
          mv.visitInsn(returns.base == 'F' ? FRETURN : IRETURN);
        } else {
          mv.visitMethodInsn(INVOKESTATIC, TYPED_MODEL, "toArray", TO_ARRAY, false);
          mv.visitTypeInsn(CHECKCAST, returns.descriptor());
          mv.visitInsn(ARETURN);
        }
      }
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
  }

  private record Plan(List<FacadeMethod> methods, List<String> notes) {}

  private static Plan plan(Manifest m) {
    List<FacadeMethod> methods = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Manifest.Entry infer = m.entry("infer");
    if (infer != null) {
      List<Param> params = params(infer, notes);
      if (params != null) {
        Set<String> reserved = reservedNames();
        for (int i = 0; i < infer.outputs().size(); i++) {
          Manifest.Port o = infer.outputs().get(i);
          JType type = JType.of(o, true);
          if (type == null) {
            notes.add("output " + o.name() + " (" + o.dtype() + "): no Java type for this dtype; no facade method");
            continue;
          }
          if (i == 0) methods.add(new FacadeMethod(PREDICT, params, o.name(), type));
          if (!isJavaName(o.name())) {
            notes.add("output " + o.name() + ": not a Java identifier, so no method of that name (use model().infer)");
          } else if (reserved.contains(o.name())) {
            notes.add("output " + o.name() + ": the name is taken by a method of the facade, so no method of that name (use model().infer)");
          } else {
            methods.add(new FacadeMethod(o.name(), params, o.name(), type));
          }
        }
      }
    }
    Manifest.Entry train = m.entry("train");
    if (train != null) {
      List<Param> params = params(train, notes);
      if (params != null) methods.add(new FacadeMethod(TRAIN_STEP, params, null, new JType('F', 0)));
    }
    return new Plan(List.copyOf(methods), List.copyOf(notes));
  }

  /** The parameters of an entry's methods, or null (with a note) if an input has no Java type. */
  private static List<Param> params(Manifest.Entry e, List<String> notes) {
    List<Param> params = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Manifest.Port in : e.inputs()) {
      if (in.isNoise()) continue;
      JType type = JType.of(in, false);
      if (type == null) {
        notes.add(e.name() + ": input " + in.name() + " is " + in.dtype() + ", which the facade does not take; no "
            + (e.name().equals("train") ? TRAIN_STEP : PREDICT + "/output") + " methods (use model())");
        return null;
      }
      String javaName = isJavaName(in.name()) ? in.name() : "arg" + params.size();
      while (!used.add(javaName)) javaName = "_" + javaName;
      params.add(new Param(in.name(), javaName, type));
    }
    return params;
  }

  private static boolean isJavaName(String s) {
    return SourceVersion.isIdentifier(s) && !SourceVersion.isKeyword(s);
  }

  /** Names an output method may not take: the facade's own and every method of TypedModel and Object. */
  private static Set<String> reservedNames() {
    Set<String> names = new HashSet<>(Set.of(LOAD, PREDICT, TRAIN_STEP));
    for (Method x : TypedModel.class.getDeclaredMethods()) names.add(x.getName());
    for (Method x : Object.class.getDeclaredMethods()) names.add(x.getName());
    return names;
  }

  // ---- the fixed members -------------------------------------------------------------------------

  private static void constructor(ClassWriter cw, String modelName) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", INIT, null, null);
    mv.visitParameter("model", 0);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    mv.visitVarInsn(ALOAD, 1);
    mv.visitLdcInsn(modelName);
    mv.visitMethodInsn(INVOKESPECIAL, TYPED_MODEL, "<init>", SUPER_INIT, false);
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void load(ClassWriter cw, String owner) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, LOAD, "(" + D_PATH + ")L" + owner + ";", null, new String[] {IO_EXCEPTION});
    mv.visitParameter("jar", 0);
    mv.visitCode();
    mv.visitTypeInsn(NEW, owner);
    mv.visitInsn(DUP);
    mv.visitVarInsn(ALOAD, 0);
    mv.visitMethodInsn(INVOKESTATIC, NN_MODEL, "load", NN_MODEL_LOAD, false);
    mv.visitMethodInsn(INVOKESPECIAL, owner, "<init>", INIT, false);
    mv.visitInsn(ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void pushInt(MethodVisitor mv, int v) {
    if (v <= 5) mv.visitInsn(ICONST_0 + v);
    else if (v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
    else if (v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
    else mv.visitLdcInsn(v);
  }
}
