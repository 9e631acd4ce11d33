package io.meshfed.demo;

import java.util.ArrayList;
import java.util.List;

/** The commands the demo prints to try it: the cross-cluster call, the weighted route, the federation's views. */
final class DemoCommands {

  private DemoCommands() {
  }

  static List<String> of(List<DemoCluster> clusters) {
    DemoCluster first = clusters.get(0);
    List<String> out = new ArrayList<>();
    out.add("# cross-cluster: " + first.name() + "'s ingress -> west's east-west gateway (mTLS) -> west/"
        + DemoSettings.WEST_ONLY_SERVICE);
    out.add("curl -si " + first.ingressUrl() + "/" + DemoSettings.WEST_ONLY_SERVICE);
    out.add("# weighted route: " + IstioConfig.V1_WEIGHT + "% v1, " + IstioConfig.V2_WEIGHT + "% v2 of "
        + DemoSettings.SHARED_SERVICE + ", served in any cluster");
    out.add("for i in $(seq 40); do curl -s " + first.ingressUrl() + "/" + DemoSettings.SHARED_SERVICE
        + "; done | grep -o '\"servedBy\":\"[^\"]*\"' | sort | uniq -c");
    out.add("# the federation and the gateways as the control planes see them");
    out.add("curl -s " + first.adminUrl() + "/debug/clusterz");
    out.add("bin/meshfed proxy-status --control-plane " + first.adminUrl());
    return List.copyOf(out);
  }
}
