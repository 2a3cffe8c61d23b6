package io.dilemma.worker.serving.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.serving.it.TinyModel;
import io.dilemma.worker.serving.pipeline.Sampling;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The completion engine with the real head layer and scripted shards behind it, all in this JVM. */
class CompletionEngineTest {
  @RegisterExtension static final HeadFixture head = new HeadFixture();

  @Test
  void feedsEachReturnedTokenBackAndEndsTheSessionDownTheChain() throws Exception {
    HeadFixture.ScriptedShards shards = new HeadFixture.ScriptedShards(7, 8, 9);
    long[] prompt = TinyModel.prompt(3, 5);
    Completion completion = head.engine(shards).complete(prompt, 3, Sampling.greedy(), TokenListener.NONE);
    assertThat(completion.tokens()).containsExactly(7, 8, 9);
    assertThat(shards.steps).extracting(step -> step.getStartPosition()).containsExactly(0, 5, 6);
    assertThat(shards.steps).extracting(step -> step.getSessionId()).containsOnly(shards.ended.get(0));
    assertThat(shards.ended).hasSize(1);
  }

  @Test
  void stopsWhenTheListenerSaysSo() throws Exception {
    HeadFixture.ScriptedShards shards = new HeadFixture.ScriptedShards(7, 8, 9, 10);
    Completion completion = head.engine(shards).complete(TinyModel.prompt(4, 3), 4, Sampling.greedy(), token -> token != 8);
    assertThat(completion.tokens()).containsExactly(7, 8);
    assertThat(shards.steps).hasSize(2);
    assertThat(shards.ended).hasSize(1);
  }

  @Test
  void aTokenOutsideTheVocabularyFromTheChainIsRefused() {
    HeadFixture.ScriptedShards shards = new HeadFixture.ScriptedShards(7, HeadFixture.VOCAB + 5);
    assertThatThrownBy(() -> head.engine(shards).complete(TinyModel.prompt(5, 3), 3, Sampling.greedy(), TokenListener.NONE))
        .isInstanceOfSatisfying(ShardFailure.class, failure -> {
          assertThat(failure.kind()).isEqualTo(ShardFailure.Kind.REJECTED);
          assertThat(failure.shardIndex()).isEqualTo(1);
          assertThat(failure.getMessage()).contains("outside the vocabulary");
        });
    assertThat(shards.ended).hasSize(1);
  }
}
