package nnc.compiler.ir;

import nnc.runtime.DType;

/** The static type of a node: element type and shape. Printed as {@code f32[B,784]}. */
public record TensorType(DType dtype, Shape shape) {
  public static TensorType scalar(DType dtype) {
    return new TensorType(dtype, Shape.SCALAR);
  }

  public int rank() {
    return shape.rank();
  }

  public TensorType withShape(Shape s) {
    return new TensorType(dtype, s);
  }

  public TensorType withDType(DType d) {
    return new TensorType(d, shape);
  }

  public boolean isFloat() {
    return dtype == DType.F32 || dtype == DType.F64;
  }

  @Override
  public String toString() {
    return dtype.languageName() + shape;
  }
}
