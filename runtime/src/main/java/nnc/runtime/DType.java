package nnc.runtime;

import java.util.Optional;

/**
 * The element types a tensor can hold, with the names each outside world uses for them.
 *
 * <p>One enum keeps the spellings of the language ({@code f32}), of NumPy ({@code <f4}) and
 * of safetensors ({@code F32}) side by side, so that a reader or writer of one format never
 * invents its own table.
 */
public enum DType {
  /** 32-bit IEEE float: the type models train and run in. */
  F32(4, "<f4", "F32", "f32"),
  /** 64-bit IEEE float: used for gradient checks and reference evaluation. */
  F64(8, "<f8", "F64", "f64"),
  /** 32-bit signed integer: labels and indices. */
  I32(4, "<i4", "I32", "i32"),
  /** Boolean stored as one byte (0 or 1): masks and comparison results. */
  BOOL(1, "|b1", "BOOL", "bool");

  private final int byteSize;
  private final String npyDescr;
  private final String safetensorsName;
  private final String languageName;

  DType(int byteSize, String npyDescr, String safetensorsName, String languageName) {
    this.byteSize = byteSize;
    this.npyDescr = npyDescr;
    this.safetensorsName = safetensorsName;
    this.languageName = languageName;
  }

  /** Bytes per element in the little-endian file formats. */
  public int byteSize() {
    return byteSize;
  }

  /** The NumPy type string ({@code descr}) of this type, e.g. {@code <f4}. */
  public String npyDescr() {
    return npyDescr;
  }

  /** The safetensors header name of this type, e.g. {@code F32}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The name a {@code .nn} file uses, e.g. {@code f32}. */
  public String languageName() {
    return languageName;
  }

  /**
   * Parses a language name such as {@code f32}.
   *
   * @throws IllegalArgumentException naming the accepted spellings, if {@code name} is not one
   */
  public static DType parse(String name) {
    for (DType t : values()) {
      if (t.languageName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "' (expected f32, f64, i32 or bool)");
  }

  /** The type whose safetensors name is {@code name}, if nnc supports it. */
  public static Optional<DType> ofSafetensorsName(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
