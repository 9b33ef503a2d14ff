package nnc.compiler.lower;

import nnc.compiler.kernel.Program;
import nnc.runtime.model.Manifest;

/**
 * A model lowered to kernels: the program to emit, the manifest the runtime needs, and the
 * initial contents of the parameter arena (seeded parameters, constants, hyper-parameters).
 */
public record CompiledModel(Program program, Manifest manifest, float[] pInit) {}
