package nnc.compiler.backend;

import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaCompilation;
import nnc.compiler.kernel.Program;
import nnc.runtime.ModelCode;

/** A compiled program loaded through either emitter, for tests that check both. */
public final class Emitters {
  private Emitters() {}

  /** The two emitters' names, as tests report them. */
  public static final java.util.List<String> BOTH = java.util.List.of("asm", "java");

  /** The program's class from {@code "asm"} (bytecode, verified by CheckClassAdapter) or {@code "java"} (JavaPoet source, compiled). */
  public static ModelCode load(String emitter, Program program) throws ReflectiveOperationException {
    return switch (emitter) {
      case "asm" -> asm(program);
      case "java" -> JavaCompilation.load(program);
      default -> throw new IllegalArgumentException("no emitter " + emitter);
    };
  }

  /** Emits, verifies, defines (in a loader of its own, so class names may repeat) and instantiates. */
  public static ModelCode asm(Program program) throws ReflectiveOperationException {
    byte[] bytes = AsmEmitter.emit(program);
    AsmEmitter.verify(bytes);
    String name = program.className();
    ClassLoader loader = new ClassLoader(ModelCode.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        if (!n.equals(name)) throw new ClassNotFoundException(n);
        return defineClass(n, bytes, 0, bytes.length);
      }
    };
    return (ModelCode) loader.loadClass(name).getConstructor().newInstance();
  }
}
