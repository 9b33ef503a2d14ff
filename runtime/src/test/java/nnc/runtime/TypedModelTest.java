package nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The array conversions of the facade base class (running models is tested with the compiler). */
class TypedModelTest {
  @Test
  void arraysBecomeRowMajorTensorsShapedByTheirLengths() {
    Tensor t = TypedModel.input("x", new float[][][] {{{1, 2}, {3, 4}, {5, 6}}});
    assertEquals(DType.F32, t.dtype());
    assertArrayEquals(new int[] {1, 3, 2}, t.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.floats());

    Tensor i = TypedModel.input("y", new int[][] {{1, 2, 3}, {4, 5, 6}});
    assertEquals(DType.I32, i.dtype());
    assertArrayEquals(new int[] {2, 3}, i.shape());
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, i.ints());

    assertArrayEquals(new int[] {2, 1, 1, 3}, TypedModel.input("x", new float[2][1][1][3]).shape());
    assertArrayEquals(new int[] {1, 2, 1, 1, 2}, TypedModel.input("x", (Object) new int[1][2][1][1][2]).shape());
    assertArrayEquals(new int[] {0, 0}, TypedModel.input("x", new float[0][]).shape());

    Tensor s = TypedModel.input("t", 2.5f);
    assertEquals(0, s.rank());
    assertEquals(2.5f, s.floats()[0]);
    assertEquals(7, TypedModel.input("k", 7).ints()[0]);
  }

  @Test
  void theInputIsCopied() {
    float[] a = {1, 2};
    Tensor t = TypedModel.input("x", a);
    a[0] = 9;
    assertEquals(1f, t.floats()[0]);
  }

  @Test
  void badArraysAreOneLineErrorsNamingTheInput() {
    var e = assertThrows(IllegalArgumentException.class, () -> TypedModel.input("img", new float[][][] {{{1, 2}}, {{1, 2}, {3, 4}}}));
    assertEquals("input img is ragged: img[1] has length 2, img[0] has 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TypedModel.input("img", new float[][][] {{{1, 2}}, {{1}}}));
    assertEquals("input img is ragged: img[1][0] has length 1, img[0][0] has 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TypedModel.input("ids", new int[][] {null, {1}}));
    assertEquals("input ids has a null array at ids[0]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TypedModel.input("x", (float[]) null));
    assertEquals("input x is null", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TypedModel.input("x", (Object) new double[2]));
    assertEquals("input x: expected a float or int array, got double[]", e.getMessage());
  }

  @Test
  void tensorsBecomeNestedArraysOfTheirRank() {
    float[][][] f = (float[][][]) TypedModel.toArray(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 1, 2));
    assertArrayEquals(new float[] {5, 6}, f[2][0]);
    int[][] i = (int[][]) TypedModel.toArray(Tensor.of(new int[] {1, 2, 3, 4}, 2, 2));
    assertArrayEquals(new int[] {3, 4}, i[1]);
    boolean[] b = (boolean[]) TypedModel.toArray(Tensor.ofBool(new boolean[] {true, false}, 2));
    assertArrayEquals(new boolean[] {true, false}, b);
    assertEquals(0, ((float[][]) TypedModel.toArray(Tensor.of(new float[0], 0, 4))).length);

    assertEquals(1.5f, TypedModel.toFloat(Tensor.of(new float[] {1.5f})));
    assertEquals(3, TypedModel.toInt(Tensor.of(new int[] {3})));
    assertThrows(IllegalArgumentException.class, () -> TypedModel.toArray(Tensor.of(new float[] {1})));
    assertThrows(IllegalStateException.class, () -> TypedModel.toFloat(Tensor.of(new float[] {1, 2}, 2)));
    assertThrows(IllegalStateException.class, () -> TypedModel.toInt(Tensor.of(new float[] {1})));
  }
}
