package nnc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Folding, the algebraic rules and CSE, one small model each: the optimized IR (comments left
 * out) against an inline golden string. {@link Opt} also checks that every optimized graph
 * computes what the original did.
 */
class SimplifyTest {
  @Test
  void foldsConstantSubexpressionsThroughEveryKindOfOp() {
    assertEquals("""
        graph t
          %0 : f32[3] = param w = ones
          %1 : f32[3] = add %0 13
          output y = %1
        """, Opt.ir("""
        param w : f32[3] = ones
        const c = [1, 2, 3]
        output y = w * exp(0) + sum(c * 2) + reshape(c, [3, 1])[0, 0]
        """));
  }

  @Test
  void identitiesDisappear() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          output a = %0
          output b = %0
          output c = %0
          output d = %0
          output e = %0
        """, Opt.ir("""
        input x : f32[B, 3]
        output a = x * 1 + 0
        output b = 0 + 1 * x
        output c = -(-x) / 1 - 0
        output d = log(exp(x))
        output e = x ^ 1
        """));
  }

  @Test
  void timesZeroAndMinusSelfStayBecauseInfinityAndNanMakeThemWrong() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[B,3] = mul %0 0
          %2 : f32[B,3] = sub %0 %0
          %3 : f32[B,3] = log %0
          %4 : f32[B,3] = exp %3
          output a = %1
          output b = %2
          output c = %4
        """, Opt.ir("""
        input x : f32[B, 3]
        output a = x * 0
        output b = x - x
        output c = exp(log(x))
        """));
  }

  @Test
  void constantsAreGathered() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[B,3] = mul %0 6
          %2 : f32[B,3] = mul %0 4
          %3 : f32[B,3] = add %0 3
          %4 : f32[B,3] = mul %0 -0.5
          output a = %1
          output b = %2
          output c = %3
          output d = %4
        """, Opt.ir("""
        input x : f32[B, 3]
        output a = 2 * (3 * x)
        output b = x + x + 2 * x
        output c = (x + 1) + 2
        output d = -x / 2
        """));
  }

  @Test
  void powersWithConstantExponentsAreStrengthReduced() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[B,3] = mul %0 %0
          %2 : f32[B,3] = sqrt %0
          %3 : f32[B,3] = div 1 %0
          %4 : f32[B,3] = broadcast 1
          %5 : f32[B,3] = pow %0 3
          output a = %1
          output b = %2
          output c = %3
          output d = %4
          output e = %5
        """, Opt.ir("""
        input x : f32[B, 3]
        output a = x ^ 2
        output b = x ^ 0.5
        output c = x ^ -1
        output d = x ^ 0
        output e = x ^ 3
        """));
  }

  @Test
  void commutedOperandsAreOneNode() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[3] = param w = ones
          %2 : f32[B,3] = mul %0 %1
          %3 : f32[B,3] = mul %2 2
          output y = %3
        """, Opt.ir("""
        input x : f32[B, 3]
        param w : f32[3] = ones
        output y = x * w + w * x
        """));
  }

  @Test
  void movementCollapses() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : bool[B,3] = input c
          output a = %0
          output b = %0
          output d = %0
          output e = %0
        """, Opt.ir("""
        input x : f32[B, 3]
        input c : bool[B, 3]
        output a = transpose(transpose(x))
        output b = reshape(reshape(x, [-1, 3, 1]), [-1, 3])
        output d = where(c, x, x)
        output e = f32(f64(x))
        """));
  }

  @Test
  void aBroadcastScalarMeetsTheElementwiseOpUnexpanded() {
    // The gradient of a mean spreads 1/B over the batch: the spread is absorbed by the multiply,
    // and the scalar factor then moves out of the batch sum.
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[3] = param w = ones
          %2 : f32[B,3] = mul %0 %1
          %3 : f32[] = reduce_sum axes=[0,1] %2
          %4 : f32[] = dimsize B
          %5 : f32[] = mul %4 3
          %6 : f32[] = div %3 %5
          %7 : f32[] = div 1 %5
          %8 : f32[3] = reduce_sum axes=[0] %0
          %9 : f32[3] = mul %7 %8
          output loss = %6
          output grad.w = %9
        """, Opt.gradIr("""
        input x : f32[B, 3]
        param w : f32[3] = ones
        loss = mean(x * w)
        train minimize loss with sgd
        """));
  }

  @Test
  void reductionsOfOneValueAreShared() {
    // mean(h) and the mean inside var(h) are one reduction (keepdims is a reshape, a view).
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[] = reduce_sum axes=[0,1] %0
          %2 : f32[] = dimsize B
          %3 : f32[] = mul %2 3
          %4 : f32[] = div %1 %3
          %5 : f32[B,3] = sub %0 %4
          %6 : f32[B,3] = mul %5 %5
          %7 : f32[] = reduce_sum axes=[0,1] %6
          %8 : f32[] = sub %3 1
          %9 : f32[] = div %7 %8
          %10 : f32[] = sqrt %9
          output m = %4
          output s = %10
        """, Opt.ir("""
        input x : f32[B, 3]
        output m = mean(x)
        output s = std(x)
        """));
  }

  @Test
  void matrixProductsOfDegenerateShapesBecomeElementwiseOrSums() {
    // an inner dimension of 1 is an outer product; (W^T x^T)^T is x W
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[3,1] = param W = ones
          %2 : f32[1,4] = param V = ones
          %3 : f32[B,1] = matmul %0 %1
          %4 : f32[B,4] = mul %3 %2
          output o = %4
          output t = %3
        """, Opt.ir("""
        input x : f32[B, 3]
        param W : f32[3, 1] = ones
        param V : f32[1, 4] = ones
        output o = (x @ W) @ V
        output t = transpose(transpose(W) @ transpose(x))
        """));
    // the gradient of a mean of x W multiplies x^T by a broadcast 1/B: a column sum of x
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[3,1] = param W = ones
          %2 : f32[B,1] = matmul %0 %1
          %3 : f32[] = reduce_sum axes=[0,1] %2
          %4 : f32[] = dimsize B
          %5 : f32[] = div %3 %4
          %6 : f32[3] = reduce_sum axes=[0] %0
          %7 : f32[] = div 1 %4
          %8 : f32[3] = mul %6 %7
          %9 : f32[3,1] = reshape %8
          output loss = %5
          output grad.W = %9
        """, Opt.gradIr("""
        input x : f32[B, 3]
        param W : f32[3, 1] = ones
        loss = mean(x @ W)
        train minimize loss with sgd
        """));
  }
}
