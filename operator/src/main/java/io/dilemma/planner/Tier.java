package io.dilemma.planner;

/** Where a node sits: on the edge next to the users, or in the cloud behind the uplink. */
public enum Tier {
  EDGE,
  CLOUD
}
