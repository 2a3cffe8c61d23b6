package io.dilemma.worker.serving.hop;

import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.model.profile.HopTimer;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.transport.ShardTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cut's round trip as the head makes it: the head's thread encodes one token's activation at an
 * 8/4 cut of ρ 0.25 and waits on {@link NextShardLink} (the runtime's step stream) for a second
 * JVM on loopback, {@link HopEchoPeer}, to decode it and reply with a token. A profile measured
 * in-process missed most of this: on a loaded 2-core machine the wake-ups of the four threads a
 * round trip passes through cost milliseconds, its codec microseconds.
 *
 * <p>The mean counts, not the median: a completion pays every step's hop, its slow ones too.
 */
public final class LoopbackHopTimer implements HopTimer {
  private static final CutQuantization CUT = new CutQuantization(0.25, 8, 4);
  private static final Duration PEER_START = Duration.ofSeconds(60);
  /** Round trips before timing, so that both JVMs have compiled the path. */
  static final int WARM_UP_STEPS = 200;

  @Override
  public double roundTripSeconds(int hiddenSize, int steps) throws IOException, ShardFailure, InterruptedException {
    if (steps < 1) throw new IllegalArgumentException("--timing-hop-steps: must be at least 1, got " + steps);
    int maxMessageBytes = ActivationFrameCodec.HEADER_BYTES + 4 * hiddenSize + 4096;
    Process peer = startPeer(hiddenSize, maxMessageBytes);
    try (ShardTls plaintext = ShardTls.plaintext()) {
      int port = peerPort(peer);
      NextShardLink link =
          new NextShardLink(0, 1, "127.0.0.1:" + port, Duration.ofSeconds(30), maxMessageBytes, plaintext.channelCredentials(), new ServingMetrics("", "profile", 0));
      try {
        float[] activation = activation(hiddenSize);
        for (int i = 0; i < WARM_UP_STEPS; i++) roundTrip(link, activation, hiddenSize, i);
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) roundTrip(link, activation, hiddenSize, WARM_UP_STEPS + i);
        return (System.nanoTime() - start) / 1e9 / steps;
      } finally {
        link.close();
      }
    } finally {
      peer.getOutputStream().close();
      if (!peer.waitFor(5, TimeUnit.SECONDS)) peer.destroyForcibly();
    }
  }

  /** One decode step's frame out and its token back, the head's encoding included. */
  private static void roundTrip(NextShardLink link, float[] activation, int width, int position) throws ShardFailure {
    byte[] frame = ActivationFrameCodec.encode(activation, width, new boolean[] {position % 4 == 0}, CUT);
    link.forward(
        StepRequest.newBuilder()
            .setPlanId("hop-timing")
            .setSessionId(1)
            .setStartPosition(1 + position)
            .setActivations(UnsafeByteOperations.unsafeWrap(frame))
            .build());
  }

  private static float[] activation(int width) {
    SplittableRandom random = new SplittableRandom(11);
    float[] x = new float[width];
    for (int i = 0; i < width; i++) x[i] = (float) random.nextGaussian();
    return x;
  }

  private static Process startPeer(int hiddenSize, int maxMessageBytes) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), HopEchoPeer.class.getName()));
    command.add(Integer.toString(hiddenSize));
    command.add(Integer.toString(maxMessageBytes));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static int peerPort(Process peer) throws IOException, InterruptedException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return lines.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = first.get(PEER_START.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IOException("hop timing: the echo peer process did not start within " + PEER_START.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IOException("hop timing: cannot read the echo peer's port: " + e.getCause());
    }
    if (line == null || !line.startsWith(HopEchoPeer.PORT_LINE)) {
      throw new IOException("hop timing: the echo peer process exited before listening (exit " + (peer.isAlive() ? "none" : peer.exitValue()) + ")");
    }
    return Integer.parseInt(line.substring(HopEchoPeer.PORT_LINE.length()).trim());
  }
}
