package nnc.runtime.io;

import nnc.runtime.DType;

/** A little-endian element encoding found in a file, and the tensor type it is read into. */
enum Encoding {
  F32(4, DType.F32),
  F64(8, DType.F64),
  I32(4, DType.I32),
  BOOL(1, DType.BOOL),
  /** NumPy {@code |u1} (pixels, say): widened to i32. */
  U8(1, DType.I32),
  /** NumPy {@code <i8} (the default integer type): narrowed to i32 when every value fits. */
  I64(8, DType.I32);

  final int byteSize;
  final DType target;

  Encoding(int byteSize, DType target) {
    this.byteSize = byteSize;
    this.target = target;
  }

  /** The encoding nnc writes a tensor of type {@code t} in. */
  static Encoding of(DType t) {
    return switch (t) {
      case F32 -> F32;
      case F64 -> F64;
      case I32 -> I32;
      case BOOL -> BOOL;
    };
  }
}
