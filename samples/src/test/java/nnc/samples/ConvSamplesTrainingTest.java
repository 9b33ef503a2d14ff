package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The convolutional samples trained as {@code bin/nnc train} trains them (their own epochs, batch,
 * schedule and seed) reach the figures their headers promise on the shipped test sets.
 */
class ConvSamplesTrainingTest {
  @TempDir
  Path dir;

  /** LeNet-5 on the shipped 10k MNIST training images: at least 97.5% on the 10k test images. */
  @Test
  void lenet5ReachesNinetySevenAndAHalfPercentOnTheMnistTestSet() throws Exception {
    double acc = SampleTraining.train("lenet5.nn", dir).test("accuracy");
    assertTrue(acc >= 0.975, "LeNet-5 test accuracy after training: " + acc);
  }

  /**
   * The small residual network with batch norm and global average pooling on the shipped 10k
   * Fashion-MNIST training images: at least 85% on the 10k test images, evaluated with the
   * running statistics.
   */
  @Test
  void resnetSmallReachesEightyFivePercentOnTheFashionMnistTestSet() throws Exception {
    double acc = SampleTraining.train("resnet_small.nn", dir).test("accuracy");
    assertTrue(acc >= 0.85, "resnet_small test accuracy after training: " + acc);
  }
}
