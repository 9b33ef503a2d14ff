package nnc.runtime.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small pool that splits the large kernels of one call ({@link Gemm}) between the calling
 * thread and {@code threads - 1} helper threads. The split is fixed (part t of T is the t-th
 * share of whole tiles), parts are claimed by whichever thread is free (the caller too), and
 * every element is computed by the same operations whatever part computes it, so results do not
 * depend on the number of threads or on scheduling.
 *
 * <p>Helpers wait for work by spinning briefly ({@link #SPIN_NANOS}: the kernels of one training
 * step follow each other within microseconds), then yielding, then parking: a helper that only
 * spun was measured to cost milliseconds per call when the machine's cores were busy elsewhere,
 * and since the caller claims parts too, a parked helper that wakes late costs only parallelism.
 *
 * <p>A pool runs one job at a time. A caller that finds it busy (two threads calling one model)
 * computes its product alone, which gives the same result.
 */
public final class Workers implements AutoCloseable {
  /** How long an idle helper spins before it yields, then parks. */
  static final long SPIN_NANOS = 20_000;
  static final long YIELD_NANOS = 200_000;

  private static final ThreadLocal<Workers> BOUND = new ThreadLocal<>();

  private final int threads;
  private final Thread[] helpers;
  private final AtomicBoolean busy = new AtomicBoolean();
  /** The next part of the current job to claim, and how many parts are finished. */
  private final AtomicInteger next = new AtomicInteger(Integer.MAX_VALUE);
  private final AtomicInteger done = new AtomicInteger();
  private final Job job = new Job();
  private volatile int generation;
  private volatile boolean closed;
  private final AtomicInteger sleeping = new AtomicInteger();
  private volatile Throwable failure;

  /** A pool for {@code threads} threads in all, the caller included ({@code threads >= 2}). */
  public Workers(int threads) {
    if (threads < 2) throw new IllegalArgumentException("a worker pool needs at least 2 threads, got " + threads);
    this.threads = threads;
    this.helpers = new Thread[threads - 1];
    for (int t = 0; t < helpers.length; t++) {
      helpers[t] = Thread.ofPlatform().daemon().name("nnc-worker-" + (t + 1)).unstarted(this::loop);
      helpers[t].start();
    }
  }

  public int threads() {
    return threads;
  }

  /** The pool bound to the calling thread, or null (single-threaded). */
  static Workers current() {
    return BOUND.get();
  }

  /** Binds a pool (or null) to the calling thread for the kernels it calls; returns the previous one. */
  public static Workers bind(Workers w) {
    Workers old = BOUND.get();
    BOUND.set(w);
    return old;
  }

  /** The product split between all threads; false (nothing done) when the pool is busy or closed. */
  boolean gemm(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha) {
    if (closed || !busy.compareAndSet(false, true)) return false;
    try {
      job.set(a, ao, b, bo, c, co, m, n, k, flags, alpha);
      failure = null;
      done.set(0);
      next.set(0); // opens the parts for claiming (after the job's fields: an atomic write publishes them)
      generation++; // wakes the helpers
      if (sleeping.get() > 0) for (Thread h : helpers) LockSupport.unpark(h);
      claimParts();
      long start = System.nanoTime();
      while (done.get() != threads) {
        if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
        else Thread.yield();
      }
      job.clear();
      Throwable f = failure;
      if (f != null) throw new IllegalStateException("a worker thread failed: " + f, f);
      return true;
    } finally {
      busy.set(false);
    }
  }

  /**
   * Runs parts of the current job until none is left. Every thread, the caller included, claims
   * parts, so a helper the OS has not scheduled yet delays nothing: the caller takes its part.
   * Which thread runs a part does not change what the part computes.
   */
  private void claimParts() {
    int part;
    while ((part = next.getAndIncrement()) < threads) {
      try {
        job.run(part, threads);
      } catch (Throwable t) {
        failure = t;
      } finally {
        done.incrementAndGet();
      }
    }
  }

  private void loop() {
    int seen = 0;
    while (true) {
      long start = System.nanoTime();
      int g;
      while ((g = generation) == seen) {
        if (closed) return;
        long waited = System.nanoTime() - start;
        if (waited < SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (waited < SPIN_NANOS + YIELD_NANOS) {
          Thread.yield();
        } else {
          // Dekker with the caller: announce, re-check, park; the caller bumps the generation,
          // then reads the count, so one of the two sees the other.
          sleeping.incrementAndGet();
          if (generation == seen && !closed) LockSupport.park(this);
          sleeping.decrementAndGet();
        }
      }
      seen = g;
      claimParts();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread h : helpers) LockSupport.unpark(h);
  }

  /** The arguments of the product being split (one at a time, guarded by {@code busy}). */
  private static final class Job {
    float[] a, b, c;
    int ao, bo, co, m, n, k, flags;
    float alpha;

    void set(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha) {
      this.a = a;
      this.ao = ao;
      this.b = b;
      this.bo = bo;
      this.c = c;
      this.co = co;
      this.m = m;
      this.n = n;
      this.k = k;
      this.flags = flags;
      this.alpha = alpha;
    }

    void clear() {
      a = b = c = null;
    }

    /** Part {@code part} of {@code parts}: a share of whole column tiles, or of whole row tiles. */
    void run(int part, int parts) {
      if ((flags & Gemv.SPLIT) != 0) { // batch-1 row products (Gemv, issue #8)
        Gemv.part(a, ao, b, bo, c, co, n, k, flags, alpha, part, parts);
        return;
      }
      boolean dot = (flags & Gemm.DOT) != 0;
      if (Gemm.splitColumns(m, n)) {
        int tile = dot ? Dot.COLS : Gemm.COLS, tiles = (n + tile - 1) / tile;
        int j0 = Math.min(n, tiles * part / parts * tile), j1 = Math.min(n, tiles * (part + 1) / parts * tile);
        if (j0 < j1) Gemm.range(a, ao, b, bo, c, co, m, n, k, flags, alpha, 0, m, j0, j1);
      } else {
        int tile = Gemm.ROWS, tiles = (m + tile - 1) / tile;
        int i0 = Math.min(m, tiles * part / parts * tile), i1 = Math.min(m, tiles * (part + 1) / parts * tile);
        if (i0 < i1) Gemm.range(a, ao, b, bo, c, co, m, n, k, flags, alpha, i0, i1, 0, n);
      }
    }
  }
}
