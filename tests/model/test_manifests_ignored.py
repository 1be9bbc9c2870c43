"""Verdict-relevant fields the model ignores are recorded by the loader (issue 18 item 6).

Each is listed once per object (``LoadResult.ignored``) and, by the runner, once per run as a
warning ``ignored: priorityClassName on statefulset/zk (FILE:LINE)``; modelled fields are not.
"""

from __future__ import annotations

import pytest

from model.manifests import load_text

STS = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zk, namespace: coord}
spec:
  selector: {matchLabels: {app: zk}}
  template:
    metadata: {labels: {app: zk}}
    spec:
EXTRA      containers:
      - name: zk
        image: zookeeper:3.8
CONTAINER"""


def ignored(extra: str = "", container: str = "") -> list[str]:
    text = STS.replace("EXTRA", extra).replace("CONTAINER", container)
    r = load_text(text, "zk.yaml")
    assert r.ok, r.errors
    return [str(i) for i in r.ignored]


def test_nothing_is_listed_for_modelled_fields() -> None:
    assert ignored("""      nodeSelector: {disk: ssd}
      tolerations: [{key: k, operator: Exists}]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Exists}]}]
""", "        readinessProbe: {tcpSocket: {port: 2181}}\n") == []


@pytest.mark.parametrize(
    "extra, container, line",
    [
        ("""      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: zone}}]
""", "", "ignored: preferred podAntiAffinity on statefulset/zk in namespace coord (zk.yaml:11)"),
        ("""      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {}}]
""", "", "ignored: preferred node affinity on statefulset/zk in namespace coord (zk.yaml:11)"),
        ("      topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]\n", "",
         "ignored: topologySpreadConstraints with whenUnsatisfiable ScheduleAnyway on statefulset/zk in namespace coord (zk.yaml:9)"),
        ("      priorityClassName: high\n", "", "ignored: priorityClassName on statefulset/zk in namespace coord (zk.yaml:9)"),
        ("", "        resources: {requests: {cpu: 1}}\n", "ignored: resources on statefulset/zk in namespace coord (zk.yaml:12)"),
        ("", "        startupProbe: {tcpSocket: {port: 1}}\n", "ignored: startupProbe on statefulset/zk in namespace coord (zk.yaml:12)"),
        ("", "        livenessProbe: {tcpSocket: {port: 1}}\n", "ignored: livenessProbe on statefulset/zk in namespace coord (zk.yaml:12)"),

    ],
)
def test_each_ignored_field_is_listed_with_its_line(extra: str, container: str, line: str) -> None:
    assert ignored(extra, container) == [line]


def test_a_field_in_several_containers_is_listed_once_per_object() -> None:
    text = STS.replace("EXTRA", "").replace("CONTAINER", "        resources: {limits: {cpu: 1}}\n"
                                            "      - name: side\n        image: busybox\n        resources: {limits: {cpu: 1}}\n")
    assert [i.field for i in load_text(text, "zk.yaml").ignored] == ["resources"]


def test_a_pods_own_node_name_is_modelled_but_a_templates_is_not() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeName: n1\n  containers: [{name: c, image: x}]\n"
    assert load_text(pod).ignored == ()
    assert [i.field for i in load_text(STS.replace("EXTRA", "      nodeName: n1\n").replace("CONTAINER", "")).ignored] == [
        "nodeName in a pod template"
    ]


def test_a_shared_claim_volume_is_listed_but_a_claim_template_volume_is_not() -> None:
    # corpus set velero-nginx-pv (vmware-tanzu/velero examples/nginx-app/with-pv.yaml): a Deployment mounting one
    # ReadWriteOnce claim was checked without a word, although upstream a surge pod on another node hits the
    # attach/detach controller's Multi-Attach error (and a ReadWriteOncePod or missing claim keeps it unschedulable)
    claim = "      volumes: [{name: data, persistentVolumeClaim: {claimName: shared}}, {name: cfg, emptyDir: {}}]\n"
    assert ignored(claim) == ["ignored: persistentVolumeClaim volume on statefulset/zk in namespace coord (zk.yaml:9)"]
    deployment = STS.replace("StatefulSet", "Deployment").replace("EXTRA", claim).replace("CONTAINER", "")
    assert [i.field for i in load_text(deployment).ignored] == ["persistentVolumeClaim volume"]
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n" \
          "  volumes: [{name: d, persistentVolumeClaim: {claimName: c}}]\n"
    assert [str(i) for i in load_text(pod, "p.yaml").ignored] == ["ignored: persistentVolumeClaim volume on pod/p (p.yaml:6)"]
    # the set's own per-ordinal claim: a template volume named like a claim template is replaced by it
    own = STS.replace("EXTRA", "      volumes: [{name: data, persistentVolumeClaim: {claimName: x}}]\n").replace("CONTAINER", "") + (
        "  volumeClaimTemplates:\n  - metadata: {name: data}\n"
        "    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
    r = load_text(own, "zk.yaml")
    assert r.ok, r.errors
    assert r.ignored == ()
    assert ignored("      volumes: [{name: cfg, emptyDir: {}}]\n") == []


def test_a_containers_host_port_is_modelled_but_an_init_containers_is_not() -> None:
    # the scheduler's NodePorts filter reads spec.containers only (node_ports.go getContainerPorts)
    r = load_text(STS.replace("EXTRA", "").replace("CONTAINER", "        ports: [{containerPort: 80}, {containerPort: 81, hostPort: 81}]\n"), "zk.yaml")
    assert r.ignored == ()
    (c,) = r.objects[0].template.containers
    assert c.host_ports == (("0.0.0.0", "TCP", 81),)
    init = STS.replace("EXTRA", "      initContainers: [{name: i, image: busybox, ports: [{containerPort: 1, hostPort: 1}]}]\n").replace("CONTAINER", "")
    assert ignored_of(init) == ["ignored: hostPort in an init container on statefulset/zk in namespace coord (zk.yaml:9)"]


def test_host_network_gives_every_containers_port_a_host_port() -> None:
    # pkg/apis/core/v1/defaults.go SetDefaults_Pod: with hostNetwork, a port without a hostPort gets its containerPort
    # (defaultHostNetworkPorts); an explicit hostPort stays; the warning says what of hostNetwork is still not read
    ports = "        ports: [{containerPort: 80}, {containerPort: 81, hostPort: 81, protocol: UDP}]\n"
    r = load_text(STS.replace("EXTRA", "      hostNetwork: true\n").replace("CONTAINER", ports), "zk.yaml")
    (c,) = r.objects[0].template.containers
    assert c.host_ports == (("0.0.0.0", "TCP", 80), ("0.0.0.0", "UDP", 81))
    assert [str(i) for i in r.ignored] == [
        "ignored: hostNetwork (beyond the host ports it gives every containerPort) on statefulset/zk in namespace coord (zk.yaml:9)"]
    r = load_text(STS.replace("EXTRA", "      hostNetwork: false\n").replace("CONTAINER", ports), "zk.yaml")
    assert r.objects[0].template.containers[0].host_ports == (("0.0.0.0", "UDP", 81),)
    # a bare Pod too: upstream defaults it before validating, so hostPort 0 is no error there either
    pod = load_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
                    "  containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]\n", "p.yaml")
    assert pod.ok, pod.errors
    assert pod.objects[0].spec_containers[0].host_ports == (("0.0.0.0", "TCP", 8080),)


def ignored_of(text: str) -> list[str]:
    r = load_text(text, "zk.yaml")
    assert r.ok, r.errors
    return [str(i) for i in r.ignored]


def test_required_pod_affinity_terms_are_modelled() -> None:
    # the scheduler's InterPodAffinity filter reads them (model.scheduler.satisfies_inter_pod_affinity)
    r = load_text(STS.replace("EXTRA", """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: zk}}, topologyKey: kubernetes.io/hostname}
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: db}}, namespaces: [data], topologyKey: zone}
          - {labelSelector: {matchLabels: {app: cache}}, namespaceSelector: {}, topologyKey: zone}
""").replace("CONTAINER", ""), "zk.yaml")
    assert r.ok, r.errors
    assert r.ignored == ()
    t = r.objects[0].template
    (anti,) = t.pod_anti_affinity
    assert (anti.topology_key, anti.namespaces, anti.all_namespaces) == ("kubernetes.io/hostname", (), False)
    assert anti.selector is not None and dict(anti.selector.match_labels) == {"app": "zk"}
    assert [(a.namespaces, a.all_namespaces) for a in t.pod_affinity] == [(("data",), False), ((), True)]


@pytest.mark.parametrize("part, value", [("namespaceSelector", "{matchLabels: {team: a}}")])
def test_the_unmodelled_parts_of_a_required_term_are_listed(part: str, value: str) -> None:
    text = STS.replace("EXTRA", f"""      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {{matchLabels: {{app: zk}}}}
            topologyKey: kubernetes.io/hostname
            {part}: {value}
""").replace("CONTAINER", "")
    assert ignored_of(text) == [f"ignored: {part} in a required podAntiAffinity term on statefulset/zk in namespace coord (zk.yaml:14)"]


@pytest.mark.parametrize("term, message", [
    ("{labelSelector: {matchLabels: {app: zk}}}", "topologyKey: required value: can not be empty"),
    ("{labelSelector: {matchLabels: {app: zk}}, topologyKey: 'bad key!'}", "topologyKey: invalid value"),
    ("{labelSelector: {matchExpressions: [{key: app, operator: In}]}, topologyKey: zone}", "values: required value"),
])
def test_an_invalid_required_term_is_refused_with_its_field(term: str, message: str) -> None:
    r = load_text(STS.replace("EXTRA", f"""      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{term}]
""").replace("CONTAINER", ""), "zk.yaml")
    assert not r.ok
    assert any("spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]" in str(e)
               and message in str(e) for e in r.errors), r.errors


@pytest.mark.parametrize("term, message", [
    ("{topologyKey: zone, matchLabelKeys: [app]}", "matchLabelKeys: forbidden: must not be specified when labelSelector is not set"),
    ("{labelSelector: {}, topologyKey: zone, matchLabelKeys: ['bad key']}", "matchLabelKeys[0]: invalid value"),
    ("{labelSelector: {}, topologyKey: zone, matchLabelKeys: [a], mismatchLabelKeys: [a]}",
     "exists in both matchLabelKeys and mismatchLabelKeys"),
])
def test_match_label_keys_are_validated_as_upstream(term: str, message: str) -> None:
    # validation.go validateMatchLabelKeysAndMismatchLabelKeys / validateLabelKeys
    r = load_text(STS.replace("EXTRA", f"""      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{term}]
""").replace("CONTAINER", ""), "zk.yaml")
    assert not r.ok
    assert any(message in str(e) for e in r.errors), r.errors


def test_match_label_keys_are_modelled() -> None:
    r = load_text(STS.replace("EXTRA", """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: zk}}, topologyKey: kubernetes.io/hostname, matchLabelKeys: [pod-template-hash],
             mismatchLabelKeys: [tenant]}
""").replace("CONTAINER", ""), "zk.yaml")
    assert r.ok, r.errors
    assert r.ignored == ()
    (t,) = r.objects[0].template.pod_anti_affinity
    assert (t.match_label_keys, t.mismatch_label_keys) == (("pod-template-hash",), ("tenant",))


def test_do_not_schedule_topology_spread_constraints_are_modelled() -> None:
    # the scheduler's PodTopologySpread filter reads them (model.scheduler.satisfies_pod_topology_spread);
    # a ScheduleAnyway entry only scores: not kept, listed as ignored
    r = load_text(STS.replace("EXTRA", """      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: zk}},
         matchLabelKeys: [controller-revision-hash], minDomains: 2, nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor}
      - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {}}
""").replace("CONTAINER", ""), "zk.yaml")
    assert r.ok, r.errors
    assert [i.field for i in r.ignored] == ["topologySpreadConstraints with whenUnsatisfiable ScheduleAnyway"]
    host, zone = r.objects[0].template.topology_spread_constraints
    assert (host.max_skew, host.topology_key, host.min_domains, host.node_affinity_policy, host.node_taints_policy,
            host.match_label_keys) == (1, "kubernetes.io/hostname", 2, "Ignore", "Honor", ("controller-revision-hash",))
    assert host.selector is not None and dict(host.selector.match_labels) == {"app": "zk"}
    assert (zone.max_skew, zone.selector, zone.min_domains, zone.node_affinity_policy) == (2, None, None, None)


def _spread_errors(constraints: str) -> list[str]:
    r = load_text(STS.replace("EXTRA", f"      topologySpreadConstraints: {constraints}\n").replace("CONTAINER", ""), "zk.yaml")
    assert not r.ok
    return [str(e) for e in r.errors]


@pytest.mark.parametrize("constraints, message", [
    ("[{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]",
     "spec.template.spec.topologySpreadConstraints[0].maxSkew: invalid value 0: must be greater than zero"),
    ("[{maxSkew: 1, whenUnsatisfiable: DoNotSchedule}]",
     "spec.template.spec.topologySpreadConstraints[0].topologyKey: required value: can not be empty"),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never}]",
     'spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]",
     'spec.template.spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: duplicate value "{zone, DoNotSchedule}"'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 0}]",
     "spec.template.spec.topologySpreadConstraints[0].minDomains: invalid value 0: must be greater than zero"),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]",
     "spec.template.spec.topologySpreadConstraints[0].minDomains: invalid value 2: "
     "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, nodeAffinityPolicy: Always}]",
     'spec.template.spec.topologySpreadConstraints[0].nodeAffinityPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: honor}]",
     'spec.template.spec.topologySpreadConstraints[0].nodeTaintsPolicy: Unsupported value: "honor": supported values: "Honor", "Ignore"'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, matchLabelKeys: [app]}]",
     "spec.template.spec.topologySpreadConstraints[0].matchLabelKeys: forbidden: must not be specified when labelSelector is not set"),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: zk}}, matchLabelKeys: [app]}]",
     'spec.template.spec.topologySpreadConstraints[0].matchLabelKeys[0]: invalid value "app": exists in both matchLabelKeys and labelSelector'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: zk}}, matchLabelKeys: ['-x']}]",
     'spec.template.spec.topologySpreadConstraints[0].matchLabelKeys[0]: invalid value "-x": name part must consist of'),
    ("[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchExpressions: [{key: app, operator: In}]}}]",
     "spec.template.spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].values: required value"),
])
def test_topology_spread_constraints_are_validated(constraints: str, message: str) -> None:
    """validation.go validateTopologySpreadConstraints: one line per error, with the file, line and field (exit 2 in the CLI)."""
    errors = _spread_errors(constraints)
    assert any(message in e for e in errors), errors
    assert all("zk.yaml:" in e for e in errors), errors
