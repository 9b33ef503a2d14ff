/**
 * The nnc runtime: tensors, file formats, and the loader of compiled models. A compiled model
 * needs nothing else. Requiring the Vector API transitively means that an application on the
 * module path that requires {@code nnc.runtime} runs compiled models without
 * {@code --add-modules jdk.incubator.vector}.
 */
module nnc.runtime {
  requires transitive jdk.incubator.vector;

  exports nnc.runtime;
  exports nnc.runtime.data;
  exports nnc.runtime.init;
  exports nnc.runtime.io;
  exports nnc.runtime.kernels;
  exports nnc.runtime.model;
  exports nnc.runtime.train;
}
