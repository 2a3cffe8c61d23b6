package io.dilemma.operator.it;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The chart's own ServiceAccount and RBAC, rendered by Helm and applied to the test API server,
 * and a client that acts as that ServiceAccount. The operator under test uses it, so a verb the
 * code needs and the chart does not grant fails an IT instead of a user's cluster.
 */
public final class ChartRbac {
  public static final String NAMESPACE = "dilemma-system";
  private static final String RELEASE = "dilemma";
  private static final Set<String> RBAC_KINDS =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  private ChartRbac() {}

  /** The chart's ServiceAccount, once installed: the one in {@link #NAMESPACE} besides {@code default}. */
  public static String serviceAccount(KubernetesClient admin) {
    return admin.serviceAccounts().inNamespace(NAMESPACE).list().getItems().stream()
        .map(a -> a.getMetadata().getName())
        .filter(n -> !n.equals("default"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no chart ServiceAccount in " + NAMESPACE));
  }

  /** Installs the rendered RBAC with the admin client; returns a client acting as the operator. */
  public static KubernetesClient install(KubernetesClient admin) {
    return install(admin, null);
  }

  /** As {@link #install(KubernetesClient)}, with the chart rendered with this values file. */
  public static KubernetesClient install(KubernetesClient admin, java.nio.file.Path values) {
    var template =
        new Helm(KubeTestEnvironment.REPO.resolve("helm/dilemma"))
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE);
    if (values != null) template.withValuesFile(values);
    String rendered = template.call();
    List<HasMetadata> rbac =
        admin
            .load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
            .items()
            .stream()
            .filter(o -> RBAC_KINDS.contains(o.getKind()))
            .toList();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    for (HasMetadata object : rbac) {
      String namespace = object.getMetadata().getNamespace();
      if (namespace != null && admin.namespaces().withName(namespace).get() == null) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).serverSideApply();
      }
      if (object.getMetadata().getNamespace() == null && !object.getKind().startsWith("Cluster")) {
        object.getMetadata().setNamespace(NAMESPACE);
      }
      admin.resource(object).serverSideApply();
    }
    String serviceAccount =
        rbac.stream()
            .filter(ServiceAccount.class::isInstance)
            .map(o -> o.getMetadata().getName())
            .findFirst()
            .orElseThrow(() -> new AssertionError("the chart renders no ServiceAccount"));
    var config =
        new ConfigBuilder(admin.getConfiguration())
            .withImpersonateUsername("system:serviceaccount:" + NAMESPACE + ":" + serviceAccount)
            .withImpersonateGroups(
                "system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated")
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
