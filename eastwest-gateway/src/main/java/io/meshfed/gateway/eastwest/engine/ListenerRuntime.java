package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.config.ListenerConfig;
import java.util.List;

/** A listener inside one snapshot: its config and the index of its chains. */
record ListenerRuntime(ListenerConfig config, List<ChainRuntime> chains, ChainIndex index) {

  ListenerRuntime(ListenerConfig config, List<ChainRuntime> chains) {
    this(config, List.copyOf(chains), new ChainIndex(chains));
  }
}
