package nnc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import nnc.runtime.DType;
import org.junit.jupiter.api.Test;

/** The shape rules of unfold and fold, and their errors (which name the op and the shapes). */
class WindowShapeTest {
  private final IrBuilder b = new IrBuilder();

  private Node input(Dim... dims) {
    return b.input("x", new TensorType(DType.F32, Shape.of(dims)));
  }

  @Test
  void unfoldGivesKernelAxesThenOutputPositions() {
    Node x = input(Dim.sym("B"), Dim.of(3), Dim.of(9), Dim.of(8));
    Node u = b.unfold(x, new Window.Geometry(3, 2, 2, 3, 2, 1));
    // OH = (9 - 2*2 - 1)/2 + 1 = 3, OW = (8 - 1 - 1)/3 + 1 = 3
    assertEquals(Shape.of(Dim.sym("B"), Dim.of(3), Dim.of(3), Dim.of(2), Dim.of(3), Dim.of(3)), u.shape());
    assertEquals("kernel=[3,2] stride=[2,3] dilation=[2,1]", u.attributes());
    Node f = b.fold(u, new Window.Geometry(3, 2, 2, 3, 2, 1), 9, 8);
    assertEquals(x.shape(), f.shape());
    assertSame(u, b.unfold(x, new Window.Geometry(3, 2, 2, 3, 2, 1)), "interned");
  }

  @Test
  void unfoldRejectsAKernelThatDoesNotFit() {
    Node x = input(Dim.of(2), Dim.of(4), Dim.of(4));
    IrException e = assertThrows(IrException.class, () -> b.unfold(x, new Window.Geometry(3, 3, 1, 1, 2, 2)));
    assertEquals("unfold: f32[2,4,4] with kernel=[3,3] stride=[1,1] dilation=[2,2]: the dilated kernel 5x5 does not fit in 4x4",
        e.getMessage());
  }

  @Test
  void unfoldRejectsNonPositiveStrideAndSymbolicWindowAxes() {
    Node x = input(Dim.of(2), Dim.of(4), Dim.of(4));
    IrException e = assertThrows(IrException.class, () -> b.unfold(x, new Window.Geometry(2, 2, 0, 1, 1, 1)));
    assertEquals("unfold: f32[2,4,4] with kernel=[2,2] stride=[0,1] dilation=[1,1]: kernel size, stride and dilation must be positive",
        e.getMessage());
    Node s = input(Dim.of(4), Dim.sym("B"));
    e = assertThrows(IrException.class, () -> b.unfold(s, new Window.Geometry(2, 2, 1, 1, 1, 1)));
    assertEquals("unfold: f32[4,B] with kernel=[2,2] stride=[1,1] dilation=[1,1]: window axis 1 must have a fixed size, got B",
        e.getMessage());
  }

  @Test
  void foldChecksThatItsInputHasTheUnfoldedShapeOfTheImage() {
    Node x = input(Dim.of(2), Dim.of(2), Dim.of(3), Dim.of(3));
    IrException e = assertThrows(IrException.class, () -> b.fold(x, new Window.Geometry(2, 2, 1, 1, 1, 1), 5, 4));
    assertEquals("fold: f32[2,2,3,3] with kernel=[2,2] stride=[1,1] dilation=[1,1] to size [5,4]: the last four axes must be [2,2,4,3]",
        e.getMessage());
  }
}
