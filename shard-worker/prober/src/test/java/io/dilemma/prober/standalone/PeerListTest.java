package io.dilemma.prober.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerListTest {
  @Test
  void anEntryIsANodeAHostAndAPort() {
    assertThat(PeerList.parse("n2=127.0.0.2:7470")).isEqualTo(new PeerList.Entry("n2", "127.0.0.2", 7470));
    assertThat(PeerList.parse("edge-1=edge-1.lan:80")).isEqualTo(new PeerList.Entry("edge-1", "edge-1.lan", 80));
    assertThat(PeerList.parse("n3=[::1]:7470")).isEqualTo(new PeerList.Entry("n3", "::1", 7470));
  }

  @Test
  void anEntryMissingAPartSaysWhichEntryAndWhatItMustBe() {
    for (String bad : List.of("127.0.0.2:7470", "n2=127.0.0.2", "n2=:7470", "n2=127.0.0.2:", "=h:1", "n3=::1:7470")) {
      assertThatThrownBy(() -> PeerList.parse(bad)).as(bad).hasMessageContaining("'" + bad + "'").hasMessageContaining("NODE=HOST:PORT");
    }
    assertThatThrownBy(() -> PeerList.parse("n2=h:http")).hasMessage("entry 'n2=h:http' has port 'http', not a number");
    assertThatThrownBy(() -> PeerList.parse("n2=h:0")).hasMessage("entry 'n2=h:0' has port 0, outside 1..65535");
  }

  @Test
  void peersAreListedWithTheirAddressesAndANodeMayNotComeTwice() {
    var list = new PeerList(List.of(new PeerList.Entry("n1", "127.0.0.1", 1), new PeerList.Entry("n2", "127.0.0.1", 2)));
    assertThat(list.peers()).extracting(p -> p.node() + "@" + p.address().getPort()).containsExactly("n1@1", "n2@2");
    assertThat(list.peers().get(1).address()).isEqualTo(new InetSocketAddress("127.0.0.1", 2));
    assertThatThrownBy(() -> new PeerList(List.of(new PeerList.Entry("n1", "a", 1), new PeerList.Entry("n1", "b", 2))))
        .hasMessage("names node n1 twice");
  }
}
