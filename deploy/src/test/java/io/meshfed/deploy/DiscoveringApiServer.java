package io.meshfed.deploy;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD mock API server with API discovery, enough for Helm: a server-side dry-run install asks
 * discovery for every kind it renders (and for {@code .Capabilities}), then {@code lookup} reads objects from the
 * CRUD store. Discovery answers for the built-in kinds the chart renders, plus the extra resources a test declares
 * (as a cluster with Istio's CRDs would serve them).
 */
final class DiscoveringApiServer implements AutoCloseable {

  /** One served resource: group/version, plural, kind, namespaced. */
  record Resource(String groupVersion, String plural, String kind, boolean namespaced) {
  }

  private static final List<Resource> BUILT_IN = List.of(
      new Resource("v1", "configmaps", "ConfigMap", true),
      new Resource("v1", "secrets", "Secret", true),
      new Resource("v1", "services", "Service", true),
      new Resource("v1", "serviceaccounts", "ServiceAccount", true),
      new Resource("v1", "namespaces", "Namespace", false),
      new Resource("apps/v1", "deployments", "Deployment", true),
      new Resource("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
      new Resource("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false),
      new Resource("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false),
      new Resource("rbac.authorization.k8s.io/v1", "roles", "Role", true),
      new Resource("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true),
      new Resource("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
          "ValidatingWebhookConfiguration", false),
      new Resource("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false));

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private DiscoveringApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient(builder -> builder.withHttpClientFactory(new JdkHttpClientFactory()));
  }

  /** Starts a server on loopback serving the built-in kinds and {@code extra}. */
  static DiscoveringApiServer start(List<Resource> extra) {
    List<Resource> resources = new ArrayList<>(BUILT_IN);
    resources.addAll(extra);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new DiscoveryThenCrud(resources), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new DiscoveringApiServer(server);
  }

  KubernetesClient client() {
    return client;
  }

  /** A kubeconfig for Helm pointing at this server. */
  String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
        users:
        - name: mock
          user:
            token: mock
        current-context: mock
        """.formatted(server.url("/"));
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** Answers /api, /apis and /api(s)/<group version> itself; everything else goes to the CRUD store. */
  private static final class DiscoveryThenCrud extends Dispatcher {

    private final Map<String, List<Resource>> byGroupVersion = new LinkedHashMap<>();
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

    DiscoveryThenCrud(List<Resource> resources) {
      resources.forEach(r -> byGroupVersion.computeIfAbsent(r.groupVersion(), gv -> new ArrayList<>()).add(r));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      int query = path.indexOf('?');
      String bare = query < 0 ? path : path.substring(0, query);
      if (request.getMethod().equals("GET")) {
        if (bare.equals("/api")) {
          return json(new APIVersionsBuilder().withVersions("v1").build());
        }
        if (bare.equals("/apis")) {
          APIGroupListBuilder groups = new APIGroupListBuilder();
          byGroupVersion.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> {
            String group = gv.substring(0, gv.indexOf('/'));
            String version = gv.substring(gv.indexOf('/') + 1);
            groups.addToGroups(new APIGroupBuilder().withName(group)
                .withVersions(new GroupVersionForDiscoveryBuilder().withGroupVersion(gv).withVersion(version).build())
                .withPreferredVersion(new GroupVersionForDiscoveryBuilder().withGroupVersion(gv).withVersion(version).build())
                .build());
          });
          return json(groups.build());
        }
        String groupVersion = bare.startsWith("/api/") ? bare.substring("/api/".length())
            : bare.startsWith("/apis/") ? bare.substring("/apis/".length()) : null;
        if (groupVersion != null && byGroupVersion.containsKey(groupVersion)) {
          APIResourceListBuilder list = new APIResourceListBuilder().withGroupVersion(groupVersion);
          byGroupVersion.get(groupVersion).forEach(r -> list.addToResources(new APIResourceBuilder()
              .withName(r.plural()).withKind(r.kind()).withNamespaced(r.namespaced())
              .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").build()));
          return json(list.build());
        }
      }
      return crud.dispatch(request);
    }

    private static MockResponse json(Object body) {
      return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(body));
    }
  }
}
