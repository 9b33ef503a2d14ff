package nnc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import nnc.compiler.autodiff.GradCheck;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.Graph;
import nnc.runtime.DType;
import org.junit.jupiter.api.Test;

/**
 * layer_norm, rms_norm, dyt and scaled_dot_product_attention against numbers computed here
 * directly from their definitions, and the causal mask's gradients staying finite.
 */
class NormalizationTest {
  private static NDArray f64(int[] shape, double... v) {
    return new NDArray(DType.F64, shape, v);
  }

  private static Map<String, NDArray> run(String src, Map<String, NDArray> in) {
    Graph g = StdLayersTest.compile(src);
    return new Interpreter(g, in, Map.of(), true).run(g.outputs());
  }

  @Test
  void layerNormUsesTheBiasedVarianceAndEpsInsideTheRoot() {
    double[] x = {1, 2, 4, -3, 0, 3};
    Map<String, NDArray> out = run("""
        input x : f64[2, 3]
        input g : f64[3]
        input b : f64[3]
        output plain = layer_norm(x)
        output affine = layer_norm(x, g, b, eps = 0.5)
        output rms = rms_norm(x, g)
        output both_axes = layer_norm(x, axis = [0, 1])
        """, Map.of("x", f64(new int[] {2, 3}, x), "g", f64(new int[] {3}, 2, -1, 0.5), "b", f64(new int[] {3}, 0, 1, 2)));
    // row 0: mean 7/3, biased variance ((4/3)^2 + (1/3)^2 + (5/3)^2) / 3 = 14/9
    double m0 = 7.0 / 3, v0 = 14.0 / 9, m1 = 0, v1 = 6;
    double[] plain = new double[6], affine = new double[6], rms = new double[6];
    double[] g = {2, -1, 0.5}, b = {0, 1, 2};
    for (int i = 0; i < 6; i++) {
      double m = i < 3 ? m0 : m1, v = i < 3 ? v0 : v1;
      plain[i] = (x[i] - m) / Math.sqrt(v + 1e-5);
      affine[i] = (x[i] - m) / Math.sqrt(v + 0.5) * g[i % 3] + b[i % 3];
      double ms = i < 3 ? (1 + 4 + 16) / 3.0 : (9 + 0 + 9) / 3.0;
      rms[i] = x[i] / Math.sqrt(ms + 1e-6) * g[i % 3];
    }
    assertArrayEquals(plain, out.get("plain").data(), 1e-12);
    assertArrayEquals(affine, out.get("affine").data(), 1e-12);
    assertArrayEquals(rms, out.get("rms").data(), 1e-12);
    double mean = 7.0 / 6, var = 0;
    for (double v : x) var += (v - mean) * (v - mean) / 6;
    double[] whole = new double[6];
    for (int i = 0; i < 6; i++) whole[i] = (x[i] - mean) / Math.sqrt(var + 1e-5);
    assertArrayEquals(whole, out.get("both_axes").data(), 1e-12);
  }

  @Test
  void dytIsGammaTanhAlphaXPlusBeta() {
    Map<String, NDArray> out = run("""
        input x : f64[2, 2]
        input a : f64
        input g : f64[2]
        input b : f64[2]
        output y = dyt(x, a, g, b)
        """, Map.of("x", f64(new int[] {2, 2}, 1, -2, 0.5, 3), "a", f64(new int[] {}, 0.7),
        "g", f64(new int[] {2}, 1.5, -1), "b", f64(new int[] {2}, 0.25, 2)));
    double[] want = {1.5 * Math.tanh(0.7) + 0.25, -Math.tanh(-1.4) + 2, 1.5 * Math.tanh(0.35) + 0.25, -Math.tanh(2.1) + 2};
    assertArrayEquals(want, out.get("y").data(), 1e-12);
  }

  /** softmax(q kᵀ / √d + mask) v, looped out by hand, for 2 batches of 3 queries and 4 keys. */
  @Test
  void attentionMatchesADirectComputation() {
    int batch = 2, tq = 3, tk = 4, d = 5, dv = 2;
    Random r = new Random(3);
    double[] q = gaussian(r, batch * tq * d), k = gaussian(r, batch * tk * d), v = gaussian(r, batch * tk * dv);
    Map<String, NDArray> out = run("""
        input q : f64[2, 3, 5]
        input k : f64[2, 4, 5]
        input v : f64[2, 4, 2]
        output full = scaled_dot_product_attention(q, k, v)
        output causal = scaled_dot_product_attention(q, k, v, causal = true)
        """, Map.of("q", f64(new int[] {batch, tq, d}, q), "k", f64(new int[] {batch, tk, d}, k),
        "v", f64(new int[] {batch, tk, dv}, v)));
    for (boolean causal : new boolean[] {false, true}) {
      double[] want = new double[batch * tq * dv];
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < tq; i++) {
          int visible = causal ? i + 1 : tk; // top-left aligned: query i sees keys 0..i
          double[] w = new double[visible];
          double max = Double.NEGATIVE_INFINITY, sum = 0;
          for (int j = 0; j < visible; j++) {
            for (int c = 0; c < d; c++) w[j] += q[(b * tq + i) * d + c] * k[(b * tk + j) * d + c];
            w[j] /= Math.sqrt(d);
            max = Math.max(max, w[j]);
          }
          for (int j = 0; j < visible; j++) sum += w[j] = Math.exp(w[j] - max);
          for (int j = 0; j < visible; j++) {
            for (int c = 0; c < dv; c++) want[(b * tq + i) * dv + c] += w[j] / sum * v[(b * tk + j) * dv + c];
          }
        }
      }
      assertArrayEquals(want, out.get(causal ? "causal" : "full").data(), 1e-12, causal ? "causal" : "full");
    }
  }

  /** With large scores the masked entries still give finite gradients (no inf - inf, no 0 * inf). */
  @Test
  void causalAttentionGradientsStayFiniteForLargeScores() {
    Graph g = StdLayersTest.compile("""
        input x : f32[B, 4, 3]
        param W : f32[3, 3] = normal(0, 30)
        output loss = sum(scaled_dot_product_attention(x @ W, x @ W, x, causal = true) ^ 2)
        """);
    GradCheck.Report rep = GradCheck.run(g, 1, 2, 2, 1e-5);
    for (GradCheck.Row row : rep.rows()) {
      assertTrue(Double.isFinite(row.symbolic()) && Double.isFinite(row.numeric()), rep.table());
    }
  }

  private static double[] gaussian(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
    return v;
  }
}
