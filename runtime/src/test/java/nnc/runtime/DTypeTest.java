package nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DTypeTest {
  @Test
  void namesAndSizes() {
    assertEquals(4, DType.F32.byteSize());
    assertEquals(8, DType.F64.byteSize());
    assertEquals(4, DType.I32.byteSize());
    assertEquals(1, DType.BOOL.byteSize());
    assertEquals("<f4 <f8 <i4 |b1", DType.F32.npyDescr() + " " + DType.F64.npyDescr() + " "
        + DType.I32.npyDescr() + " " + DType.BOOL.npyDescr());
    assertEquals("F32 F64 I32 BOOL", DType.F32.safetensorsName() + " " + DType.F64.safetensorsName() + " "
        + DType.I32.safetensorsName() + " " + DType.BOOL.safetensorsName());
    assertEquals("f32 f64 i32 bool", DType.F32.languageName() + " " + DType.F64.languageName() + " "
        + DType.I32.languageName() + " " + DType.BOOL.languageName());
  }

  @Test
  void parsesLanguageNames() {
    for (DType t : DType.values()) {
      assertEquals(t, DType.parse(t.languageName()));
    }
  }

  @Test
  void rejectsOtherSpellings() {
    var e = assertThrows(IllegalArgumentException.class, () -> DType.parse("F32"));
    assertEquals("unknown dtype 'F32' (expected f32, f64, i32 or bool)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DType.parse("float32"));
  }

  @Test
  void looksUpSafetensorsNames() {
    assertEquals(Optional.of(DType.BOOL), DType.ofSafetensorsName("BOOL"));
    assertEquals(Optional.of(DType.F64), DType.ofSafetensorsName("F64"));
    assertEquals(Optional.empty(), DType.ofSafetensorsName("F16"));
    assertEquals(Optional.empty(), DType.ofSafetensorsName("f32"));
  }
}
