package nnc.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest's JSON form keeps model state apart from parameters and optimizer state. */
class ManifestTest {
  private static Manifest manifest(List<Manifest.Slot> modelState) {
    List<Manifest.Slot> params = List.of(new Manifest.Slot("W", "f32", List.of(2, 3), 0));
    List<Manifest.Slot> optimizer = List.of(new Manifest.Slot("state.W.momentum", "f32", List.of(2, 3), 6));
    Manifest.Entry infer = new Manifest.Entry("infer", 1, 0, List.of(), List.of(), List.of());
    return new Manifest("m", "nnc.gen.m", "test", "0", List.of("B"), 20, params, List.of(), optimizer,
        Map.of("lr", new Manifest.Hyper(19, 0.1)), List.of(infer), modelState);
  }

  @Test
  void modelStateRoundTrips() {
    Manifest m = manifest(List.of(new Manifest.Slot("bn.running_mean", "f32", List.of(3), 12),
        new Manifest.Slot("bn.running_var", "f32", List.of(3), 15)));
    Manifest back = Manifest.parse(m.toJson());
    assertEquals(m.modelState(), back.modelState());
    assertEquals(m.params(), back.params());
    assertEquals(m.state(), back.state());
  }

  /** A model without state writes no model_state field, and a manifest without one (older ones) has none. */
  @Test
  void manifestsWithoutModelStateStayAsTheyWere() {
    Manifest m = manifest(List.of());
    assertFalse(m.toJson().contains("model_state"));
    assertEquals(List.of(), Manifest.parse(m.toJson()).modelState());
  }
}
