package io.meshfed.gateway.eastwest;

/** How a drain ended: connections that finished on their own before the deadline, and those closed at it. */
public record DrainResult(int finished, int forced) {
}
