package nnc.compiler.lower;

import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Space;

/**
 * A region of one arena that holds a tensor. Parameters and constants live at fixed offsets in
 * {@link Space#P}; everything else lives in the workspace {@link Space#M}, at an offset the
 * runtime's memory plan chooses per batch size and passes in run-time table slot {@code rtSlot}.
 *
 * @param id dense index within its entry (M) or model (P)
 * @param name a readable name for reports and generated comments
 * @param node the IR node whose value it holds
 * @param pOffset the fixed offset in P (or -1 for M buffers)
 * @param rtSlot the run-time table slot holding the M offset (or -1 for P buffers)
 */
public record Buffer(int id, String name, Space space, Shape shape, Node node, int pOffset, int rtSlot) {}
