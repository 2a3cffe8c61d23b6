package io.dilemma.worker.serving;

import io.dilemma.worker.serving.head.CompletionEngine;
import io.dilemma.worker.serving.head.Downstream;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.pipeline.ShardPipelineService;
import io.grpc.Server;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * What a shard does in its pipeline. The head serves completions over HTTP and runs no gRPC
 * server; every other shard serves the pipeline over gRPC. Either may have a next shard: the head
 * unless it holds the whole model, a relay unless it is the last.
 */
public sealed interface ShardRole extends AutoCloseable permits ShardRole.Head, ShardRole.Relay {

  /** Throws unless every shard after this one answers for the plan. */
  void checkChain() throws ShardFailure;

  /**
   * A stopping pod's last work before {@link #close()}: whatever calls are still running finish,
   * within {@code bound}. Nothing new is accepted meanwhile.
   */
  default void finishInFlight(Duration bound) throws InterruptedException {}

  @Override
  void close();

  /** The first shard: embeds, runs its layers, drives generation; {@code next} is empty for a one-shard plan. */
  record Head(CompletionEngine engine, Optional<Downstream> next) implements ShardRole {
    @Override
    public void checkChain() throws ShardFailure {
      engine.checkChain();
    }

    @Override
    public void close() {
      next.ifPresent(Downstream::close);
    }
  }

  /**
   * A shard after the head: a middle shard forwards to {@code next}, the last one samples.
   * {@code service} is the step-stream service {@code grpc} serves; it owns the compute pool.
   */
  record Relay(String planId, Server grpc, ShardPipelineService service, Optional<NextShardLink> next) implements ShardRole {
    @Override
    public void checkChain() throws ShardFailure {
      if (next.isPresent()) {
        next.get().checkChain(planId);
      }
    }

    /**
     * The step streams in flight are the head's: they end when the head, having answered its last
     * request, closes its link; this shard serves them until then (a shut-down gRPC server keeps
     * its open calls).
     */
    @Override
    public void finishInFlight(Duration bound) throws InterruptedException {
      grpc.shutdown();
      if (!grpc.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        LoggerFactory.getLogger(Relay.class).warn("step streams still open after {} ms; closing them", bound.toMillis());
      }
    }

    @Override
    public void close() {
      grpc.shutdownNow();
      try {
        grpc.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      service.close();
      next.ifPresent(NextShardLink::close);
    }
  }
}
