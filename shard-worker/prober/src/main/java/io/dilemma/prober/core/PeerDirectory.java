package io.dilemma.prober.core;

import java.io.IOException;
import java.util.List;

/** Who the other probers are right now. */
public interface PeerDirectory {
  List<Peer> peers() throws IOException;
}
