package nnc.compiler.backend.asm;

import org.objectweb.asm.ClassWriter;

/**
 * A ClassWriter that computes stack map frames without loading the class being generated (it does
 * not exist yet) and without a context class loader: common superclasses of the JDK and runtime
 * types that generated code uses are resolved through the compiler's own loader, and anything it
 * cannot resolve merges to {@code Object}, which is what a frame needs for a slot that is dead at
 * the merge point (the only place two different reference types meet in generated code).
 */
final class FrameClassWriter extends ClassWriter {
  private final String generated;

  FrameClassWriter(String generatedInternalName) {
    super(COMPUTE_FRAMES | COMPUTE_MAXS);
    this.generated = generatedInternalName;
  }

  @Override
  protected String getCommonSuperClass(String type1, String type2) {
    if (type1.equals(type2)) return type1;
    if (type1.equals(generated) || type2.equals(generated)) return Descriptors.OBJECT;
    try {
      Class<?> a = load(type1), b = load(type2);
      if (a.isAssignableFrom(b)) return type1;
      if (b.isAssignableFrom(a)) return type2;
      if (a.isInterface() || b.isInterface()) return Descriptors.OBJECT;
      do {
        a = a.getSuperclass();
      } while (!a.isAssignableFrom(b));
      return a.getName().replace('.', '/');
    } catch (ClassNotFoundException | LinkageError e) {
      return Descriptors.OBJECT;
    }
  }

  private static Class<?> load(String internalName) throws ClassNotFoundException {
    return Class.forName(
        internalName.replace('/', '.'), false, FrameClassWriter.class.getClassLoader());
  }
}
