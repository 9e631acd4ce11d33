package io.meshfed.control.client.xds;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The role a meshfed gateway announces in its node metadata ({@code ROLE}). */
public enum GatewayRole {
    EASTWEST, INGRESS, EGRESS;

    /** The metadata value: {@code eastwest}, {@code ingress} or {@code egress}. */
    public String metadataValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named by a metadata value, case-insensitive. */
    public static Optional<GatewayRole> fromMetadata(String value) {
        return Arrays.stream(values()).filter(r -> r.metadataValue().equalsIgnoreCase(value)).findFirst();
    }
}
