package nnc.compiler.backend.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;

/** The types the generated source names, in one place. */
final class JavaTypes {
  private JavaTypes() {}

  static final String VECTOR_PACKAGE = "jdk.incubator.vector";
  static final ClassName FLOAT_VECTOR = ClassName.get(VECTOR_PACKAGE, "FloatVector");
  static final ClassName VECTOR_OPERATORS = ClassName.get(VECTOR_PACKAGE, "VectorOperators");
  /** {@code VectorSpecies<Float>}, the type of the field {@code S}. */
  static final TypeName FLOAT_SPECIES =
      ParameterizedTypeName.get(ClassName.get(VECTOR_PACKAGE, "VectorSpecies"), ClassName.get(Float.class));
  static final ClassName GEMM = ClassName.get("nnc.runtime.kernels", "Gemm");
  static final ClassName GEMM_SUM = ClassName.get("nnc.runtime.kernels", "GemmSum");
  static final ClassName MODEL_CODE = ClassName.get("nnc.runtime", "ModelCode");
}
