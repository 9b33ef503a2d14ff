package nnc.compiler.backend.asm;

import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.INVOKEINTERFACE;
import static org.objectweb.asm.Opcodes.INVOKESPECIAL;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;

import org.objectweb.asm.MethodVisitor;

/**
 * Every class, field and method of the JDK, the Vector API and the runtime that generated code
 * names, in one place: the emitter never spells a descriptor inline.
 */
final class Descriptors {
  private Descriptors() {}

  /** A method the generated code calls; {@link #emit} writes the invoke instruction. */
  record Call(int opcode, String owner, String name, String descriptor) {
    void emit(MethodVisitor mv) {
      mv.visitMethodInsn(opcode, owner, name, descriptor, opcode == INVOKEINTERFACE);
    }
  }

  /** A static field the generated code reads; {@link #emit} writes the getstatic instruction. */
  record Static(String owner, String name, String descriptor) {
    void emit(MethodVisitor mv) {
      mv.visitFieldInsn(GETSTATIC, owner, name, descriptor);
    }
  }

  // ---- internal names
  static final String OBJECT = "java/lang/Object";
  static final String STRING = "java/lang/String";
  static final String ILLEGAL_ARGUMENT = "java/lang/IllegalArgumentException";
  static final String MATH = "java/lang/Math";
  static final String MODEL_CODE = "nnc/runtime/ModelCode";
  static final String SCALAR_OPS = "nnc/runtime/ScalarOps";
  static final String GEMM_KERNELS = "nnc/runtime/kernels/Gemm";
  static final String FLOAT_VECTOR = "jdk/incubator/vector/FloatVector";
  static final String VECTOR = "jdk/incubator/vector/Vector";
  static final String VECTOR_MASK = "jdk/incubator/vector/VectorMask";
  static final String VECTOR_SPECIES = "jdk/incubator/vector/VectorSpecies";
  static final String VECTOR_OPERATORS = "jdk/incubator/vector/VectorOperators";

  // ---- descriptors
  static final String D_FLOAT_VECTOR = "L" + FLOAT_VECTOR + ";";
  static final String D_VECTOR = "L" + VECTOR + ";";
  static final String D_VECTOR_MASK = "L" + VECTOR_MASK + ";";
  static final String D_VECTOR_SPECIES = "L" + VECTOR_SPECIES + ";";
  static final String D_UNARY_OPERATOR = "L" + VECTOR_OPERATORS + "$Unary;";
  static final String D_BINARY_OPERATOR = "L" + VECTOR_OPERATORS + "$Binary;";
  static final String D_ASSOCIATIVE_OPERATOR = "L" + VECTOR_OPERATORS + "$Associative;";
  static final String D_COMPARISON_OPERATOR = "L" + VECTOR_OPERATORS + "$Comparison;";

  /** {@code static void NAME(float[] p, float[] m, int[] rt)}: one per kernel. */
  static final String KERNEL = "([F[F[I)V";
  /** {@code ModelCode.call(int entry, float[] p, float[] m, int[] rt)}. */
  static final String CALL = "(I[F[F[I)V";
  static final String CALL_NAME = "call";

  // ---- the species field of every generated class
  static final String SPECIES_FIELD = "S";
  static final String SPECIES_SIGNATURE = "L" + VECTOR_SPECIES + "<Ljava/lang/Float;>;";
  static final Static SPECIES_PREFERRED =
      new Static(FLOAT_VECTOR, "SPECIES_PREFERRED", D_VECTOR_SPECIES);

  // ---- java.lang
  static final Call OBJECT_INIT = new Call(INVOKESPECIAL, OBJECT, "<init>", "()V");
  static final Call ILLEGAL_ARGUMENT_INIT =
      new Call(INVOKESPECIAL, ILLEGAL_ARGUMENT, "<init>", "(Ljava/lang/String;)V");
  static final Call STRING_VALUE_OF_INT =
      new Call(INVOKESTATIC, STRING, "valueOf", "(I)Ljava/lang/String;");
  static final Call STRING_CONCAT =
      new Call(INVOKEVIRTUAL, STRING, "concat", "(Ljava/lang/String;)Ljava/lang/String;");

  /** {@code Math.NAME(double)double}: exp, log, log1p, sqrt, sin, cos, tanh. */
  static Call mathDouble(String name) {
    return new Call(INVOKESTATIC, MATH, name, "(D)D");
  }

  static final Call MATH_POW = new Call(INVOKESTATIC, MATH, "pow", "(DD)D");
  static final Call MATH_ABS_FLOAT = new Call(INVOKESTATIC, MATH, "abs", "(F)F");
  static final Call MATH_SIGNUM_FLOAT = new Call(INVOKESTATIC, MATH, "signum", "(F)F");
  static final Call MATH_MAX_FLOAT = new Call(INVOKESTATIC, MATH, "max", "(FF)F");
  static final Call MATH_MIN_FLOAT = new Call(INVOKESTATIC, MATH, "min", "(FF)F");

  /** {@code ScalarOps.NAME(double)double}: relu, sigmoid, softplus, erf, heaviside. */
  static Call scalarOps(String name) {
    return new Call(INVOKESTATIC, SCALAR_OPS, name, "(D)D");
  }

  /** {@code Gemm.gemm(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha)}. */
  static final Call GEMM = new Call(INVOKESTATIC, GEMM_KERNELS, "gemm", "([FI[FI[FIIIIIF)V");
  static final Call GEMM_SUM = new Call(INVOKESTATIC, "nnc/runtime/kernels/GemmSum", "gemmSum", "([FII[FII[FIIIIIIF)V");

  // ---- jdk.incubator.vector
  static final Call LOOP_BOUND = new Call(INVOKEINTERFACE, VECTOR_SPECIES, "loopBound", "(I)I");
  static final Call LENGTH = new Call(INVOKEINTERFACE, VECTOR_SPECIES, "length", "()I");
  static final Call FROM_ARRAY =
      new Call(INVOKESTATIC, FLOAT_VECTOR, "fromArray", "(" + D_VECTOR_SPECIES + "[FI)" + D_FLOAT_VECTOR);
  static final Call BROADCAST =
      new Call(INVOKESTATIC, FLOAT_VECTOR, "broadcast", "(" + D_VECTOR_SPECIES + "F)" + D_FLOAT_VECTOR);
  static final Call INTO_ARRAY = new Call(INVOKEVIRTUAL, FLOAT_VECTOR, "intoArray", "([FI)V");
  static final Call REDUCE_LANES =
      new Call(INVOKEVIRTUAL, FLOAT_VECTOR, "reduceLanes", "(" + D_ASSOCIATIVE_OPERATOR + ")F");

  /** {@code FloatVector.NAME(Vector)FloatVector}: add, sub, mul, div, max, min. */
  static Call vectorBinary(String name) {
    return new Call(INVOKEVIRTUAL, FLOAT_VECTOR, name, "(" + D_VECTOR + ")" + D_FLOAT_VECTOR);
  }

  /** {@code FloatVector.NAME()FloatVector}: neg, abs, sqrt. */
  static Call vectorUnary(String name) {
    return new Call(INVOKEVIRTUAL, FLOAT_VECTOR, name, "()" + D_FLOAT_VECTOR);
  }

  static final Call FMA =
      new Call(INVOKEVIRTUAL, FLOAT_VECTOR, "fma", "(" + D_VECTOR + D_VECTOR + ")" + D_FLOAT_VECTOR);
  static final Call LANEWISE_UNARY =
      new Call(INVOKEVIRTUAL, FLOAT_VECTOR, "lanewise", "(" + D_UNARY_OPERATOR + ")" + D_FLOAT_VECTOR);
  static final Call LANEWISE_BINARY =
      new Call(
          INVOKEVIRTUAL,
          FLOAT_VECTOR,
          "lanewise",
          "(" + D_BINARY_OPERATOR + D_VECTOR + ")" + D_FLOAT_VECTOR);
  static final Call COMPARE =
      new Call(
          INVOKEVIRTUAL,
          FLOAT_VECTOR,
          "compare",
          "(" + D_COMPARISON_OPERATOR + D_VECTOR + ")" + D_VECTOR_MASK);
  static final Call BLEND =
      new Call(
          INVOKEVIRTUAL, FLOAT_VECTOR, "blend", "(" + D_VECTOR + D_VECTOR_MASK + ")" + D_FLOAT_VECTOR);

  /** {@code VectorOperators.NAME}, a lane-wise unary operator: EXP, LOG, LOG1P, SIN, COS, TANH. */
  static Static unaryOperator(String name) {
    return new Static(VECTOR_OPERATORS, name, D_UNARY_OPERATOR);
  }

  /** {@code VectorOperators.POW}. */
  static final Static POW_OPERATOR = new Static(VECTOR_OPERATORS, "POW", D_BINARY_OPERATOR);

  /** {@code VectorOperators.NAME}, an associative operator for reduceLanes: ADD, MAX, MIN. */
  static Static associativeOperator(String name) {
    return new Static(VECTOR_OPERATORS, name, D_ASSOCIATIVE_OPERATOR);
  }

  /** {@code VectorOperators.NAME}, a comparison: LT, LE, GT, GE, EQ, NE. */
  static Static comparisonOperator(String name) {
    return new Static(VECTOR_OPERATORS, name, D_COMPARISON_OPERATOR);
  }
}
