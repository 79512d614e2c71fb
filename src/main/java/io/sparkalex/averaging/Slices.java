package io.sparkalex.averaging;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Overlaps a worker's ND4J work on its parameters with moving their bytes: the arrays are cut
 * into slices of {@value #VALUES} values, and a helper thread computes one slice while the
 * calling thread reads or writes another. Encoding a change (subtract, cast) and applying one
 * (cast, add, copy) take 0.10-0.15 s each for 58.3M values; moving 117 MB over the network takes
 * as long, and a round waits for both when they run one after the other.
 */
final class Slices {
    /** 2M values per slice: 4 MB of bfloat16, a few dozen slices for AlexNet. */
    static final int VALUES = 1 << 21;

    private static final ExecutorService HELPER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sparkalex-slices");
        t.setDaemon(true);
        return t;
    });

    /** Work on values {@code from} (inclusive) to {@code to} (exclusive). */
    interface Work {
        void on(long from, long to);
    }

    /** Moves the bytes of values {@code from} to {@code to}. */
    interface Move {
        void on(long from, long to) throws IOException;
    }

    private Slices() {
    }

    /** Values {@code from} to {@code to} of a vector ({@code [n]} or {@code [1, n]}), as a view. */
    static INDArray view(INDArray row, long from, long to) {
        return row.rank() == 1 ? row.get(NDArrayIndex.interval(from, to))
                : row.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, to));
    }

    /** Sending: each slice is computed on the helper, then moved by the caller, in order. */
    static void computeThenMove(long length, Work compute, Move move) throws IOException {
        BlockingQueue<Object> computed = new LinkedBlockingQueue<>();
        Future<?> helper = HELPER.submit(() -> {
            try {
                for (long from = 0; from < length; from += VALUES) {
                    compute.on(from, Math.min(length, from + VALUES));
                    Nd4j.getExecutioner().commit();
                    computed.add(from);
                }
            } catch (Throwable t) {
                computed.add(t);
            }
        });
        try {
            for (long from = 0; from < length; from += VALUES) {
                Object next = take(computed);
                if (next instanceof Throwable t) {
                    throw new IllegalStateException("encoding the parameters' slice at " + from, t);
                }
                move.on(from, Math.min(length, from + VALUES));
            }
        } finally {
            await(helper);   // never return while the helper still touches the buffers
        }
    }

    /**
     * Receiving: each slice is moved by the caller, then computed on the helper while the next
     * one is moved. Returns the nanoseconds the caller waited for the helper after the last move.
     */
    static long moveThenCompute(long length, Move move, Work compute) throws IOException {
        BlockingQueue<Long> moved = new LinkedBlockingQueue<>();
        Future<?> helper = HELPER.submit(() -> {
            for (long from = take(moved); from >= 0; from = take(moved)) {
                compute.on(from, Math.min(length, from + VALUES));
            }
            Nd4j.getExecutioner().commit();
            return null;
        });
        try {
            for (long from = 0; from < length; from += VALUES) {
                move.on(from, Math.min(length, from + VALUES));
                moved.add(from);
            }
        } finally {
            moved.add(-1L);
        }
        long t0 = System.nanoTime();
        try {
            helper.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted applying the parameters' change", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("applying the parameters' change", e.getCause());
        }
        return System.nanoTime() - t0;
    }

    private static <T> T take(BlockingQueue<T> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void await(Future<?> helper) {
        try {
            helper.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // reported through the queue
        }
    }
}
