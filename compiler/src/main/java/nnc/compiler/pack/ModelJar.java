package nnc.compiler.pack;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import nnc.compiler.lower.CompiledModel;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.io.AtomicFiles;
import nnc.runtime.io.SafeTensors;
import nnc.runtime.model.Manifest;

/**
 * Writes {@code model.jar}: the generated classes, {@code weights.safetensors} (initial parameters
 * and constants), the manifest, and the .nn source. Its JAR manifest makes {@code java -jar
 * model.jar} run inference through the runtime's launcher, with {@code nnc-runtime.jar} beside it.
 */
public final class ModelJar {
  public static final String RUNTIME_JAR = "nnc-runtime.jar";

  private ModelJar() {}

  /** Writes the JAR atomically; {@code classes} maps binary class names to class files. */
  public static void write(Path out, CompiledModel model, Map<String, byte[]> classes, String source) throws IOException {
    Path weights = Files.createTempFile("nnc-weights", ".safetensors");
    try {
      SafeTensors.write(weights, initialWeights(model), Map.of("model", model.manifest().model()));
      byte[] weightBytes = Files.readAllBytes(weights);
      AtomicFiles.write(out, os -> writeJar(os, model.manifest(), classes, source, weightBytes));
    } finally {
      Files.deleteIfExists(weights);
    }
  }

  private static void writeJar(OutputStream os, Manifest m, Map<String, byte[]> classes, String source, byte[] weights) throws IOException {
    java.util.jar.Manifest mf = new java.util.jar.Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(Attributes.Name.MAIN_CLASS, "nnc.runtime.Launcher");
    a.put(Attributes.Name.CLASS_PATH, RUNTIME_JAR);
    a.put(new Attributes.Name("Created-By"), "nnc " + m.nncVersion());
    a.put(new Attributes.Name("Nnc-Model"), m.model());
    // finish(), not close(): the atomic writer owns the stream and closes it after syncing.
    // The manifest is written as an ordinary first entry rather than through the
    // JarOutputStream(os, manifest) constructor, which stamps it with the current time: with
    // every entry at time 0, compiling the same model twice gives the same bytes.
    JarOutputStream jar = new JarOutputStream(os);
    java.io.ByteArrayOutputStream manifestBytes = new java.io.ByteArrayOutputStream();
    mf.write(manifestBytes);
    put(jar, java.util.jar.JarFile.MANIFEST_NAME, manifestBytes.toByteArray());
    for (Map.Entry<String, byte[]> c : classes.entrySet()) put(jar, c.getKey().replace('.', '/') + ".class", c.getValue());
    put(jar, NnModel.MANIFEST, m.toJson().getBytes(StandardCharsets.UTF_8));
    putStored(jar, NnModel.WEIGHTS, weights);
    put(jar, NnModel.SOURCE, source.getBytes(StandardCharsets.UTF_8));
    jar.finish();
  }

  /**
   * An entry without compression: trained or random float weights barely deflate, and deflating
   * megabytes of them was most of a compile's time (init_depth: ~1 s of 8 MB).
   */
  private static void putStored(JarOutputStream jar, String name, byte[] bytes) throws IOException {
    JarEntry e = new JarEntry(name);
    e.setTime(0);
    e.setMethod(java.util.zip.ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    jar.putNextEntry(e);
    jar.write(bytes);
    jar.closeEntry();
  }

  private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
    JarEntry e = new JarEntry(name);
    e.setTime(0); // reproducible JARs: the same model gives the same bytes
    jar.putNextEntry(e);
    jar.write(bytes);
    jar.closeEntry();
  }

  /** Parameters and constants by name, from the initial parameter arena. */
  static Map<String, Tensor> initialWeights(CompiledModel model) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Manifest m = model.manifest();
    for (Manifest.Slot s : m.params()) out.put(s.name(), slice(model.pInit(), s));
    for (Manifest.Slot s : m.constants()) out.put(s.name(), slice(model.pInit(), s));
    for (Manifest.Slot s : m.modelState()) out.put(s.name(), slice(model.pInit(), s));
    return out;
  }

  private static Tensor slice(float[] p, Manifest.Slot s) {
    return Tensor.of(java.util.Arrays.copyOfRange(p, s.offset(), s.offset() + s.size()), s.shape().stream().mapToInt(Integer::intValue).toArray());
  }
}
