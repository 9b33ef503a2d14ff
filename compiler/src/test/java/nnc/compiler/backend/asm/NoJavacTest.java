package nnc.compiler.backend.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.LinkedHashSet;
import java.util.Set;
import nnc.compiler.backend.KernelPrograms;
import nnc.compiler.backend.KernelPrograms.Case;
import nnc.compiler.backend.KernelPrograms.State;
import nnc.compiler.kernel.Program;
import nnc.runtime.ModelCode;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Generating, verifying, defining and running a class needs no Java compiler: the emitter and its
 * test fixture are loaded again by a class loader under which {@code javax.tools}, javac and
 * JavaPoet do not exist, and the generated code still computes what the interpreter computes.
 */
class NoJavacTest {
  @Test
  void emitDefineAndRunWithoutAnyCompilerOnTheClassPath() throws Exception {
    try (URLClassLoader isolated = new URLClassLoader(classPath(), new NoCompilers())) {
      Class<?> probe = isolated.loadClass(Probe.class.getName());
      assertNotSame(Probe.class, probe);
      assertThrows(
          ClassNotFoundException.class, () -> isolated.loadClass("javax.tools.ToolProvider"));
      for (String name : new String[] {"gemm.n37", "softmax.n17", "intmath"}) {
        float[][] got;
        try {
          got = (float[][]) probe.getMethod("run", String.class).invoke(null, name);
        } catch (InvocationTargetException e) {
          throw new AssertionError(name + " failed without a compiler", e.getCause());
        }
        Case c = KernelPrograms.byName(name);
        State want = c.interpret(c.entries().get(0));
        assertNull(KernelPrograms.mismatch(c, want, new State(got[0], got[1])), name);
      }
    }
  }

  @Test
  void probeWorksInTheOrdinaryLoaderToo() {
    float[][] got = Probe.run("locals");
    Case c = KernelPrograms.byName("locals");
    assertNull(KernelPrograms.mismatch(c, c.interpret("run"), new State(got[0], got[1])));
    assertEquals(c.mSize(), got[1].length);
  }

  /** Runs inside the isolated loader: emit, verify, define, instantiate, call the first entry. */
  public static final class Probe {
    private Probe() {}

    public static float[][] run(String caseName) {
      Case c = KernelPrograms.byName(caseName);
      Program program = c.program();
      byte[] bytes = AsmEmitter.emit(program);
      AsmEmitter.verify(bytes);
      ModelCode code;
      try {
        code =
            (ModelCode)
                new DefiningLoader(Probe.class.getClassLoader())
                    .define(program.className(), bytes)
                    .getConstructor()
                    .newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      State s = c.run(code, c.entries().get(0));
      return new float[][] {s.p(), s.m()};
    }
  }

  private static final class DefiningLoader extends ClassLoader {
    DefiningLoader(ClassLoader parent) {
      super(parent);
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  /** The platform classes, minus the compiler API, javac's internals and JavaPoet. */
  private static final class NoCompilers extends ClassLoader {
    NoCompilers() {
      super(ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      for (String hidden : new String[] {"javax.tools.", "com.sun.tools.javac.", "com.sun.source.", "com.palantir.javapoet."}) {
        if (name.startsWith(hidden)) throw new ClassNotFoundException(name + " is hidden from this test");
      }
      return super.loadClass(name, resolve);
    }
  }

  /** Where the emitter, ASM, the runtime and the test fixture were loaded from. */
  private static URL[] classPath() {
    Set<URL> urls = new LinkedHashSet<>();
    for (Class<?> anchor :
        new Class<?>[] {
          AsmEmitter.class, Program.class, KernelPrograms.class, NoJavacTest.class, ModelCode.class,
          ClassWriter.class, ClassNode.class, Analyzer.class, CheckClassAdapter.class
        }) {
      urls.add(anchor.getProtectionDomain().getCodeSource().getLocation());
    }
    return urls.toArray(URL[]::new);
  }
}
