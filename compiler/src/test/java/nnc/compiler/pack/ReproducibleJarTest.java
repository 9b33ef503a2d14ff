package nnc.compiler.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import nnc.compiler.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same model compiled twice gives the same JAR, byte for byte (build caches, diffs, signatures). */
class ReproducibleJarTest {
  private static final String MODEL = """
      input x : f32[B, 4]
      input y : i32[B]
      param w : f32[4, 3] = normal(0, 0.1)
      param b : f32[3] = zeros
      logits = x @ w + b
      output model = logits
      loss = cross_entropy(logits, y)
      train minimize loss with sgd(lr = 0.1) batch 4
      """;

  @TempDir
  Path dir;

  @Test
  void compilingTwiceGivesTheSameBytes() throws Exception {
    Path model = Files.writeString(dir.resolve("tiny.nn"), MODEL);
    Path first = dir.resolve("a/tiny.jar");
    Path second = dir.resolve("b/tiny.jar");
    assertEquals(0, Main.execute("compile", model.toString(), "-o", first.toString()));
    // A zip timestamp has a resolution of two seconds: wait past it, so that an entry stamped
    // with the wall clock would differ.
    Thread.sleep(2100);
    assertEquals(0, Main.execute("compile", model.toString(), "-o", second.toString()));
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
  }

  @Test
  void everyEntryIncludingTheManifestHasTheFixedTimestamp() throws Exception {
    Path model = Files.writeString(dir.resolve("tiny.nn"), MODEL);
    Path jar = dir.resolve("tiny.jar");
    assertEquals(0, Main.execute("compile", model.toString(), "-o", jar.toString()));
    List<String> names = new ArrayList<>();
    try (ZipFile z = new ZipFile(jar.toFile())) {
      long fixed = z.getEntry(nnc.runtime.NnModel.WEIGHTS).getTime();
      for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        names.add(e.getName());
        assertEquals(fixed, e.getTime(), e.getName());
      }
    }
    assertEquals(JarFile.MANIFEST_NAME, names.get(0), "the manifest comes first, where JarInputStream looks for it");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertEquals("nnc.runtime.Launcher", j.getManifest().getMainAttributes().getValue("Main-Class"));
    }
    assertTrue(names.size() >= 4, names.toString());
  }
}
