package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.runtime.DType;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;
import nnc.runtime.data.Csv;
import nnc.runtime.data.Idx;
import org.junit.jupiter.api.Test;

/** The samples evaluated on the shipped data, and the numbers the lectures expect of them. */
class SampleDataTest {
  static final Path DATA = Path.of("../data");

  static Graph compile(String name) throws Exception {
    return Elaborator.compile(Path.of(name + ".nn"));
  }

  static Map<String, NDArray> run(Graph g, Map<String, NDArray> inputs, long seed) {
    return new Interpreter(g, inputs, Parameters.initial(g, seed), false).run(g.roots());
  }

  /** The first n MNIST test images as f32 [n, 784] in [0, 1], and their labels. */
  static Map<String, NDArray> mnist(int n) throws Exception {
    Tensor images = Idx.read(DATA.resolve("mnist/t10k-images-idx3-ubyte.gz"));
    Tensor labels = Idx.read(DATA.resolve("mnist/t10k-labels-idx1-ubyte.gz"));
    double[] x = new double[n * 784];
    for (int i = 0; i < x.length; i++) x[i] = (float) (images.getDouble(i) / 255.0);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) y[i] = labels.getDouble(i);
    return Map.of("x", new NDArray(DType.F32, new int[] {n, 784}, x), "y", new NDArray(DType.I32, new int[] {n}, y));
  }

  @Test
  void mnistMlpGivesAProbabilityPerClassOnRealImages() throws Exception {
    Graph g = compile("mnist_mlp");
    Map<String, NDArray> out = run(g, mnist(32), 0);
    NDArray probs = out.get("probs");
    assertArrayEquals(new int[] {32, 10}, probs.shape());
    for (int r = 0; r < 32; r++) {
      double s = 0;
      for (int c = 0; c < 10; c++) s += probs.data()[r * 10 + c];
      assertEquals(1.0, s, 1e-5);
    }
    double loss = out.get("loss").scalar();
    assertTrue(loss > 0.5 && loss < 20, "untrained loss " + loss);
  }

  /** The lecture's initialization experiment on the MNIST MLP: the scale of the weights sets the initial loss. */
  @Test
  void initialCrossEntropyDependsOnTheWeightScale() throws Exception {
    String source = java.nio.file.Files.readString(Path.of("mnist_mlp.nn"));
    Map<String, NDArray> data = mnist(256);
    double[] losses = new double[2];
    String[] inits = {"normal(0, 1)", "normal(0, 0.0001)"};
    for (int k = 0; k < 2; k++) {
      Graph g = nnc.compiler.frontend.Elaborator.compile(new nnc.compiler.frontend.SourceText("mnist_mlp.nn",
          source.replace("normal(0, 0.1)", inits[k])));
      losses[k] = new Interpreter(g, data, Parameters.initial(g, 0), false).run(Map.of("loss", g.train().objective())).get("loss").scalar();
    }
    assertTrue(losses[0] > 100, "N(0,1) weights: initial cross-entropy " + losses[0]);
    assertEquals(Math.log(10), losses[1], 1e-3, "weights scaled by 1e-4: every class equally likely");
  }

  @Test
  void xorNetworkEvaluatesItsFourPoints() throws Exception {
    Graph g = compile("xor");
    var x = new NDArray(DType.F32, new int[] {4, 2}, new double[] {0, 0, 0, 1, 1, 0, 1, 1});
    var y = new NDArray(DType.F32, new int[] {4, 1}, new double[] {0, 1, 1, 0});
    Map<String, NDArray> out = run(g, Map.of("x", x, "y", y), 0);
    for (double p : out.get("prob").data()) assertTrue(p > 0 && p < 1);
    // With b = 0 the input (0, 0) gives logit 0 exactly, so its loss term is ln 2.
    assertEquals(0.5, out.get("prob").data()[0], 1e-7);
  }

  @Test
  void perceptronSeparatesIrisSetosaFromVersicolorWithHandPickedWeights() throws Exception {
    Graph g = compile("perceptron");
    double[][] iris = Csv.read(DATA.resolve("sklearn/iris.csv"), 1);
    int n = 100; // the first 50 are setosa (0), the next 50 versicolor (1)
    double[] x = new double[2 * n], y = new double[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = iris[i][2];
      x[2 * i + 1] = iris[i][3];
      y[i] = iris[i][4];
    }
    var params = new LinkedHashMap<String, NDArray>();
    // petal length + petal width > 3.5 separates the two species
    params.put("w", new NDArray(DType.F32, new int[] {2}, new double[] {1, 1}));
    params.put("b", new NDArray(DType.F32, new int[] {}, new double[] {-3.5}));
    var inputs = Map.of("x", new NDArray(DType.F32, new int[] {n, 2}, x), "y", new NDArray(DType.F32, new int[] {n}, y));
    Map<String, NDArray> out = new Interpreter(g, inputs, params, false).run(g.roots());
    assertArrayEquals(y, out.get("pred").data());
    assertEquals(0.0, out.get("loss").scalar());
  }

  @Test
  void digitsAndDiabetesRunOnTheirCsvFiles() throws Exception {
    double[][] digits = Csv.read(DATA.resolve("sklearn/digits.csv.gz"), 0);
    int n = 16;
    double[] x = new double[n * 64], y = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 64; j++) x[i * 64 + j] = digits[i][j] / 16.0;
      y[i] = digits[i][64];
    }
    Graph digitsGraph = compile("digits_mlp");
    Map<String, NDArray> out = new Interpreter(digitsGraph, Map.of("x", new NDArray(DType.F32, new int[] {n, 64}, x),
        "y", new NDArray(DType.I32, new int[] {n}, y)), Parameters.initial(digitsGraph, 1), false).run(digitsGraph.train().metrics());
    double acc = out.get("accuracy").scalar();
    assertTrue(acc >= 0 && acc <= 1);
    assertEquals(Math.round(acc * n), acc * n, 1e-5); // a fraction of the 16 rows

    double[][] raw = Csv.read(DATA.resolve("sklearn/diabetes_data_raw.csv.gz"), 0);
    double[][] target = Csv.read(DATA.resolve("sklearn/diabetes_target.csv.gz"), 0);
    double[] dx = new double[n * 10], dy = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 10; j++) dx[i * 10 + j] = raw[i][j] / 100.0;
      dy[i] = target[i][0] / 100.0;
    }
    Map<String, NDArray> reg = run(compile("diabetes_regression"),
        Map.of("x", new NDArray(DType.F32, new int[] {n, 10}, dx), "y", new NDArray(DType.F32, new int[] {n, 1}, dy)), 1);
    assertArrayEquals(new int[] {n, 1}, reg.get("pred").shape());
    assertTrue(reg.get("loss").scalar() > 0);
  }

  @Test
  void initializationExperimentShowsVanishingAndPreservedActivations() throws Exception {
    Graph g = compile("init_depth");
    Rng rng = new Rng(3);
    double[] x = new double[64 * 256];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
    Map<String, NDArray> out = run(g, Map.of("x", new NDArray(DType.F32, new int[] {64, 256}, x)), 0);
    double he0 = out.get("he_std.0").scalar(), he9 = out.get("he_std.9").scalar();
    double small0 = out.get("small_std.0").scalar(), small9 = out.get("small_std.9").scalar();
    double xavier0 = out.get("xavier_std.0").scalar(), xavier9 = out.get("xavier_std.9").scalar();
    // Xavier halves the variance a layer under ReLU: a factor of about 2^-4.5 ~ 1/22 in std over 9.
    assertTrue(xavier9 / xavier0 < 0.1, "xavier std " + xavier0 + " -> " + xavier9);
    // Kaiming keeps the scale within a small factor over 10 layers; std 0.01 shrinks it ~6x a layer.
    assertTrue(he9 / he0 > 0.3 && he9 / he0 < 3, "kaiming std " + he0 + " -> " + he9);
    assertTrue(small9 / small0 < 1e-6, "small-init std " + small0 + " -> " + small9);
  }

  @Test
  void batchNormGradientEqualsThePapersClosedForm() throws Exception {
    Graph g = compile("batchnorm_manual");
    int n = 6, c = 4;
    Rng rng = new Rng(11);
    double[] x = new double[n * c], u = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = 3 * rng.nextGaussian() + 1;
      u[i] = rng.nextGaussian();
    }
    var params = new LinkedHashMap<String, NDArray>();
    params.put("gamma", new NDArray(DType.F64, new int[] {c}, new double[] {0.5, 1, 2, -1}));
    params.put("beta", new NDArray(DType.F64, new int[] {c}, new double[] {0, 1, 0, 1}));
    var inputs = Map.of("x", new NDArray(DType.F64, new int[] {n, c}, x), "upstream", new NDArray(DType.F64, new int[] {n, c}, u));
    double[] dx = new Interpreter(g, inputs, params, true).run(g.roots()).get("dx").data();
    double eps = 1e-5;
    for (int j = 0; j < c; j++) {
      double mu = 0, var = 0, sumDy = 0, sumDyXhat = 0;
      for (int i = 0; i < n; i++) mu += x[i * c + j] / n;
      for (int i = 0; i < n; i++) var += Math.pow(x[i * c + j] - mu, 2) / n;
      double sigma = Math.sqrt(var + eps);
      for (int i = 0; i < n; i++) {
        sumDy += u[i * c + j];
        sumDyXhat += u[i * c + j] * (x[i * c + j] - mu) / sigma;
      }
      double gamma = params.get("gamma").data()[j];
      for (int i = 0; i < n; i++) {
        double xhat = (x[i * c + j] - mu) / sigma;
        double expected = gamma / (n * sigma) * (n * u[i * c + j] - sumDy - xhat * sumDyXhat);
        assertEquals(expected, dx[i * c + j], 1e-12, "dx[" + i + "," + j + "]");
      }
    }
  }
}
