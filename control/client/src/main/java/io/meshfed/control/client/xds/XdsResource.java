package io.meshfed.control.client.xds;

import com.google.protobuf.Message;
import java.util.Objects;

/**
 * A resource a gateway received.
 *
 * @param name the xDS resource name
 * @param version the per-resource version (delta), or the response's {@code version_info} (state of the world)
 * @param resource the unpacked message ({@code Listener}, {@code Cluster}, ...)
 */
public record XdsResource(String name, String version, Message resource) {
    public XdsResource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(resource, "resource");
    }
}
