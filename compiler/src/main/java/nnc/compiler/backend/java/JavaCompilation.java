package nnc.compiler.backend.java;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import nnc.compiler.kernel.Program;
import nnc.runtime.ModelCode;

/**
 * Compiles generated Java source in memory with the JDK's javac and loads the classes in a fresh
 * class loader: tests use it to run the JavaPoet source against the ASM bytecode and the kernel
 * interpreter. Needs a JDK (not a bare JRE) and a JVM started with {@code --add-modules
 * jdk.incubator.vector}.
 */
public final class JavaCompilation {
  private JavaCompilation() {}

  /** What javac is told: the project's language level, the Vector API, and nothing else. */
  public static final List<String> OPTIONS =
      List.of("--release", "21", "--add-modules", "jdk.incubator.vector", "-proc:none", "-nowarn");

  /** Emits, compiles, loads and instantiates {@code program}'s class. */
  public static ModelCode load(Program program) {
    Class<?> c = compile(program.className(), JavaEmitter.emit(program));
    try {
      return (ModelCode) c.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /**
   * Compiles {@code source}, the compilation unit of class {@code className} (a binary name), and
   * loads that class.
   *
   * @throws IllegalStateException with javac's diagnostics when the source does not compile
   */
  public static Class<?> compile(String className, String source) {
    Map<String, byte[]> classes = classFiles(className, source);
    try {
      return new MemoryLoader(classes, ModelCode.class.getClassLoader()).loadClass(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("javac wrote no class " + className + " (only " + classes.keySet() + ")", e);
    }
  }

  /** The class files javac writes for {@code source}, by binary class name. */
  public static Map<String, byte[]> classFiles(String className, String source) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) throw new IllegalStateException("no Java compiler in this runtime: run nnc on a JDK");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> outputs = new LinkedHashMap<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
    List<String> options = new ArrayList<>(OPTIONS);
    options.add("-classpath");
    options.add(classPath());
    StringWriter log = new StringWriter();
    try (MemoryFileManager files = new MemoryFileManager(standard, outputs)) {
      boolean ok = javac.getTask(log, files, diagnostics, options, null, List.of(new Source(className, source))).call();
      if (!ok) throw new IllegalStateException(report(className, diagnostics, log));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    Map<String, byte[]> classes = new LinkedHashMap<>();
    outputs.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
    return classes;
  }

  /** The JVM's class path plus wherever the runtime classes were loaded from. */
  private static String classPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isEmpty()) entries.add(e);
    }
    try {
      var source = ModelCode.class.getProtectionDomain().getCodeSource();
      if (source != null) entries.add(Path.of(source.getLocation().toURI()).toString());
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      // the class path alone must then do
    }
    return String.join(File.pathSeparator, entries);
  }

  private static String report(String className, DiagnosticCollector<JavaFileObject> diagnostics, StringWriter log) {
    StringBuilder b = new StringBuilder("generated source of " + className + " does not compile:");
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) continue;
      b.append('\n').append(d.getLineNumber()).append(':').append(d.getColumnNumber()).append(": ")
          .append(d.getMessage(Locale.ROOT));
    }
    if (!log.toString().isBlank()) b.append('\n').append(log.toString().strip());
    return b.toString();
  }

  private static URI uri(String className, JavaFileObject.Kind kind) {
    return URI.create("memory:///" + className.replace('.', '/') + kind.extension);
  }

  /** A compilation unit held in a string. */
  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String className, String text) {
      super(uri(className, Kind.SOURCE), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  /** Sends javac's class files to memory; reads everything else through the standard manager. */
  private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
    private final Map<String, ByteArrayOutputStream> outputs;

    MemoryFileManager(StandardJavaFileManager standard, Map<String, ByteArrayOutputStream> outputs) {
      super(standard);
      this.outputs = outputs;
    }

    @Override
    public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
        FileObject sibling) {
      return new SimpleJavaFileObject(uri(className, kind), kind) {
        @Override
        public OutputStream openOutputStream() {
          return outputs.computeIfAbsent(className, k -> new ByteArrayOutputStream());
        }
      };
    }
  }

  /** Defines the compiled classes on demand; everything else comes from the parent. */
  private static final class MemoryLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    MemoryLoader(Map<String, byte[]> classes, ClassLoader parent) {
      super(parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) throw new ClassNotFoundException(name);
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
