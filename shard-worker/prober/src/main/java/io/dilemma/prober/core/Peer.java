package io.dilemma.prober.core;

import java.net.InetSocketAddress;

/**
 * Another prober.
 *
 * @param node the Kubernetes node it runs on, the {@code to} of the link this prober measures
 * @param address where its probe server listens
 */
public record Peer(String node, InetSocketAddress address) {}
