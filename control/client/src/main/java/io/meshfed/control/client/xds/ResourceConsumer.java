package io.meshfed.control.client.xds;

/**
 * Receives the resources of one subscribed type, validates them and answers with a {@link Verdict}. Runs on the
 * client's context; it must not block (hand heavy work to a worker and answer with what it can check now).
 */
@FunctionalInterface
public interface ResourceConsumer {

    /** Validates and, if valid, applies an update. */
    Verdict accept(ResourceUpdate update);
}
