package nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void shapeIsCopiedInAndOut() {
    int[] shape = {2, 3};
    Tensor t = Tensor.of(new float[6], shape);
    shape[0] = 99;
    t.shape()[1] = 99;
    assertArrayEquals(new int[] {2, 3}, t.shape());
    assertEquals(2, t.rank());
    assertEquals(3, t.dim(1));
    assertEquals(6, t.size());
  }

  @Test
  void backingArrayIsShared() {
    float[] data = {1, 2};
    Tensor t = Tensor.of(data, 2);
    assertSame(data, t.floats());
    data[0] = 7;
    assertEquals(7.0, t.getDouble(0));
  }

  @Test
  void rejectsDataOfTheWrongLength() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[5], 2, 3));
    assertEquals("shape [2,3] has 6 elements but the data has 5", e.getMessage());
  }

  @Test
  void rejectsNegativeAndHugeShapes() {
    var negative = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 2, -1));
    assertEquals("negative dimension in shape [2,-1]", negative.getMessage());
    var huge = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.BOOL, 65536, 32768));
    assertEquals("shape [65536,32768] has more than 2147483647 elements", huge.getMessage());
  }

  @Test
  void elementCountSaturatesInsteadOfOverflowing() {
    int max = Integer.MAX_VALUE;
    assertEquals(Long.MAX_VALUE, Tensor.elementCount(max, max, max));
    assertEquals(0, Tensor.elementCount(max, max, max, 0));
    assertEquals(1, Tensor.elementCount());
    assertEquals(24, Tensor.elementCount(2, 3, 4));
  }

  @Test
  void accessorOfTheWrongTypeSaysWhatTheTensorIs() {
    Tensor t = Tensor.of(new float[2], 2);
    var e = assertThrows(IllegalStateException.class, t::ints);
    assertEquals("tensor is f32[2], not i32 (asked for its int[])", e.getMessage());
    assertThrows(IllegalStateException.class, t::doubles);
    assertThrows(IllegalStateException.class, t::bools);
    assertThrows(IllegalStateException.class, () -> Tensor.of(new int[1]).floats());
  }

  @Test
  void zerosOfEveryType() {
    assertArrayEquals(new float[4], Tensor.zeros(DType.F32, 2, 2).floats());
    assertArrayEquals(new double[3], Tensor.zeros(DType.F64, 3).doubles());
    assertArrayEquals(new int[1], Tensor.zeros(DType.I32).ints());
    assertArrayEquals(new boolean[2], Tensor.zeros(DType.BOOL, 1, 2).bools());
    assertEquals(0, Tensor.zeros(DType.F32, 0, 5).size());
  }

  @Test
  void fromDoublesCastsLikeJava() {
    double[] v = {0.1, -2.7, 2.9, 0.0, -0.0, Double.NaN};
    assertArrayEquals(new float[] {0.1f, -2.7f, 2.9f, 0f, -0f, Float.NaN},
        Tensor.fromDoubles(DType.F32, new int[] {6}, v).floats());
    assertArrayEquals(new int[] {0, -2, 2, 0, 0, 0}, Tensor.fromDoubles(DType.I32, new int[] {2, 3}, v).ints());
    assertArrayEquals(new boolean[] {true, true, true, false, false, true},
        Tensor.fromDoubles(DType.BOOL, new int[] {6}, v).bools());
    double[] copy = Tensor.fromDoubles(DType.F64, new int[] {6}, v).doubles();
    assertArrayEquals(v, copy);
    var e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromDoubles(DType.F64, new int[] {4}, v));
    assertEquals("shape [4] has 4 elements but 6 values were given", e.getMessage());
  }

  @Test
  void widensEveryTypeToDouble() {
    assertArrayEquals(new double[] {1, 0, 1}, Tensor.ofBool(new boolean[] {true, false, true}, 3).toDoubles());
    assertArrayEquals(new double[] {-3, 4}, Tensor.of(new int[] {-3, 4}, 2).toDoubles());
    assertEquals((double) 0.1f, Tensor.of(new float[] {0.1f}).getDouble(0));
    assertEquals(0.1, Tensor.of(new double[] {0.1}).getDouble(0));
  }

  @Test
  void reshapeSharesDataAndChecksSize() {
    Tensor t = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor r = t.reshape(3, 2);
    assertArrayEquals(new int[] {3, 2}, r.shape());
    assertSame(t.doubles(), r.doubles());
    var e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
    assertEquals("shape [4,2] has 8 elements but the data has 6", e.getMessage());
  }

  @Test
  void printsTypeShapeAndFirstValues() {
    assertEquals("f32[2,3] [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]",
        Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3).toString());
    assertEquals("i32[10] [0, 1, 2, 3, 4, 5, 6, 7, ...]",
        Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10).toString());
    assertEquals("f64[] [1.5]", Tensor.of(new double[] {1.5}).toString());
    assertEquals("bool[2,0] []", Tensor.ofBool(new boolean[0], 2, 0).toString());
    assertEquals("bool[1] [true]", Tensor.ofBool(new boolean[] {true}, 1).toString());
  }

  @Test
  void shapeString() {
    assertEquals("[]", Tensor.shapeString(new int[0]));
    assertEquals("[7]", Tensor.shapeString(new int[] {7}));
    assertEquals("[1,28,28]", Tensor.shapeString(new int[] {1, 28, 28}));
  }

  @Test
  void contentEqualsComparesTypeShapeAndValues() {
    Tensor a = Tensor.of(new float[] {1, Float.NaN}, 2);
    assertTrue(a.contentEquals(Tensor.of(new float[] {1, Float.NaN}, 2)));
    assertFalse(a.contentEquals(Tensor.of(new float[] {1, 2}, 2)));
    assertFalse(a.contentEquals(a.reshape(1, 2)));
    assertFalse(a.contentEquals(Tensor.of(new double[] {1, Double.NaN}, 2)));
  }
}
