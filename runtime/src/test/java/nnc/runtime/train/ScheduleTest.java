package nnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final double EPS = 1e-12;

  @Test
  void constantAndStepDecay() {
    assertEquals(0.1, Schedule.of("constant", Map.of(), 0.1, 100).lr(57), EPS);
    Schedule s = Schedule.of("step", Map.of("size", 10.0, "gamma", 0.5), 0.1, 100);
    assertEquals(0.1, s.lr(0), EPS);
    assertEquals(0.1, s.lr(9), EPS);
    assertEquals(0.05, s.lr(10), EPS);
    assertEquals(0.025, s.lr(25), EPS);
  }

  @Test
  void linearWarmup() {
    Schedule s = Schedule.of("warmup", Map.of("steps", 4.0), 1.0, 100);
    assertEquals(0.0, s.lr(0), EPS);
    assertEquals(0.5, s.lr(2), EPS);
    assertEquals(1.0, s.lr(4), EPS);
    assertEquals(1.0, s.lr(50), EPS);
  }

  @Test
  void cosineAnnealsToTheMinimumOverTheRun() {
    Schedule s = Schedule.of("cosine", Map.of("min_lr", 0.1), 1.0, 100);
    assertEquals(1.0, s.lr(0), EPS);
    assertEquals(0.55, s.lr(50), EPS);
    assertEquals(0.1, s.lr(100), EPS);
    assertEquals(0.1, s.lr(150), EPS);
    assertEquals(0.5, Schedule.of("cosine", Map.of("steps", 10.0), 1.0, 100).lr(5), EPS);
  }

  @Test
  void warmupThenCosine() {
    Schedule s = Schedule.of("warmup_cosine", Map.of("warmup", 3.0, "steps", 13.0), 1.0, 100);
    assertEquals(0.25, s.lr(0), EPS);
    assertEquals(0.75, s.lr(2), EPS);
    assertEquals(1.0, s.lr(3), EPS);
    assertEquals(0.5, s.lr(8), EPS);
    assertEquals(0.0, s.lr(13), EPS);
  }

  @Test
  void oneCycleRisesToTheMaximumAndFallsFarBelowTheStart() {
    Schedule s = Schedule.of("one_cycle", Map.of("max_lr", 1.0, "steps", 101.0, "pct_start", 0.3), 0.1, 1000);
    assertEquals(1.0 / 25, s.lr(0), EPS);
    double up = 0.3 * 101 - 1;
    assertEquals(1.0, s.lr((long) up), 1e-3);
    assertEquals(1.0 / 25 / 1e4, s.lr(100), 1e-9);
  }

  @Test
  void unknownNamesAndParametersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Schedule.of("linear", Map.of(), 1, 10));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of("cosine", Map.of("gamma", 1.0), 1, 10));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of("step", Map.of(), 1, 10));
  }
}
