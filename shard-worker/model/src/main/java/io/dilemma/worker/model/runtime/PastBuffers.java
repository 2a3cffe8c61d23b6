package io.dilemma.worker.model.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Direct buffers a step gathers its sessions' pasts into, one layer at a time, kept for the next
 * step: ONNX Runtime reads a direct buffer in place, so neither the gather target nor a copy of it
 * is allocated per step. Steps may run concurrently on one runner (prefills beside the decode
 * batch), each with its own pair.
 */
final class PastBuffers {
  private final ConcurrentLinkedDeque<Pair> idle = new ConcurrentLinkedDeque<>();

  /** Keys and values of one step's gathered past, each at least {@code floats} long. */
  static final class Pair {
    private FloatBuffer keys = allocate(0);
    private FloatBuffer values = allocate(0);

    /** Both buffers with room for {@code floats}, positioned at 0 with that limit; reallocated only to grow. */
    void ensure(int floats) {
      if (keys.capacity() < floats) {
        int size = Math.max(floats, 2 * keys.capacity());
        keys = allocate(size);
        values = allocate(size);
      }
      keys.clear().limit(floats);
      values.clear().limit(floats);
    }

    FloatBuffer keys() {
      return keys;
    }

    FloatBuffer values() {
      return values;
    }
  }

  Pair take() {
    Pair pair = idle.pollFirst();
    return pair != null ? pair : new Pair();
  }

  void give(Pair pair) {
    idle.addFirst(pair);
  }

  private static FloatBuffer allocate(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
