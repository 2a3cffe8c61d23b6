package io.dilemma.prober.standalone;

import io.dilemma.prober.core.Peer;
import io.dilemma.prober.core.PeerDirectory;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The peers named on the command line ({@code --peers NODE=HOST:PORT,...}), for a prober that runs
 * without the API server: on hosts outside Kubernetes, or in a benchmark on loopback. Host names
 * are resolved on every listing, as pod IPs are listed afresh: a name that does not resolve yet is
 * a probe that fails, not a prober that stops.
 */
public final class PeerList implements PeerDirectory {
  /** One {@code --peers} entry. */
  public record Entry(String node, String host, int port) {}

  private final List<Entry> entries;

  /** @throws IllegalArgumentException when two entries name the same node */
  public PeerList(List<Entry> entries) {
    Set<String> seen = new HashSet<>();
    for (Entry e : entries) {
      if (!seen.add(e.node())) throw new IllegalArgumentException("names node " + e.node() + " twice");
    }
    this.entries = List.copyOf(entries);
  }

  @Override
  public List<Peer> peers() {
    return entries.stream().map(e -> new Peer(e.node(), new InetSocketAddress(e.host(), e.port()))).toList();
  }

  /**
   * One {@code NODE=HOST:PORT} entry; an IPv6 host goes in brackets ({@code n2=[fd00::2]:7470}).
   *
   * @throws IllegalArgumentException naming the entry and what is wrong with it
   */
  public static Entry parse(String entry) {
    int equals = entry.indexOf('=');
    int colon = entry.lastIndexOf(':');
    if (equals <= 0 || colon < equals + 2 || colon == entry.length() - 1) {
      throw new IllegalArgumentException("entry '" + entry + "' must be NODE=HOST:PORT");
    }
    String node = entry.substring(0, equals);
    String host = entry.substring(equals + 1, colon);
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (bracketed) host = host.substring(1, host.length() - 1);
    if (host.isEmpty() || host.contains(":") && !bracketed) {
      throw new IllegalArgumentException("entry '" + entry + "' must be NODE=HOST:PORT (an IPv6 host in brackets)");
    }
    int port;
    try {
      port = Integer.parseInt(entry.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("entry '" + entry + "' has port '" + entry.substring(colon + 1) + "', not a number");
    }
    if (port < 1 || port > 65535) throw new IllegalArgumentException("entry '" + entry + "' has port " + port + ", outside 1..65535");
    return new Entry(node, host, port);
  }
}
