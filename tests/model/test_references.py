"""model.references: what a pod spec needs, and which of it the manifests do not declare."""

from __future__ import annotations

from model.manifests import load_text
from model.references import missing_references

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web-sa
      volumes:
      - name: conf
        configMap: {name: web-conf, items: [{key: app.ini, path: app.ini}]}
      - name: tls
        secret: {secretName: web-tls, optional: true}
      - name: both
        projected:
          sources:
          - secret: {name: web-proj}
      - name: data
        persistentVolumeClaim: {claimName: web-data}
      containers:
      - name: app
        image: nginx
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: web-db, key: password}}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: web-conf, key: mode, optional: true}}
        envFrom:
        - configMapRef: {name: web-env}
"""


def _missing(text: str) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    load = load_text(text, "m.yaml")
    assert load.ok, load.errors
    return [(m.kind, m.name, m.key, tuple(r.path for r in m.references)) for m in missing_references(load.references, load.declared)]


def test_every_non_optional_reference_the_manifests_do_not_declare_is_missing() -> None:
    # optional ones (the tls Secret, the MODE key) are left out: upstream starts the pod without them
    assert _missing(DEPLOYMENT) == [
        ("ConfigMap", "web-conf", None, ("spec.template.spec.volumes[0].configMap.name",)),
        ("Secret", "web-proj", None, ("spec.template.spec.volumes[2].projected.sources[0].secret.name",)),
        ("PersistentVolumeClaim", "web-data", None, ("spec.template.spec.volumes[3].persistentVolumeClaim.claimName",)),
        ("Secret", "web-db", None, ("spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",)),
        ("ConfigMap", "web-env", None, ("spec.template.spec.containers[0].envFrom[0].configMapRef.name",)),
        ("ServiceAccount", "web-sa", None, ("spec.template.spec.serviceAccountName",)),
    ]


DECLARED = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-conf}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: web-db}
stringData: {pasword: x}
---
apiVersion: v1
kind: Secret
metadata: {name: web-proj}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-env}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web-sa}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def test_declared_objects_are_found_and_their_missing_keys_named() -> None:
    # every object declared (skipped kinds all): only the keys the ConfigMap and the Secret lack remain; the
    # optional key (mode of web-conf, which exists anyway) and envFrom (whole object) never name a key
    assert _missing(DEPLOYMENT + DECLARED) == [
        ("ConfigMap", "web-conf", "app.ini", ("spec.template.spec.volumes[0].configMap.items",)),
        ("Secret", "web-db", "password", ("spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key",)),
    ]


def test_other_namespaces_the_default_account_claim_templates_and_token_secrets() -> None:
    # a Secret of another namespace is not the pod's; "default" exists in every namespace; a StatefulSet's
    # claim template provides its volume; a service-account-token Secret's keys are written by the token controller
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: prod}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      serviceAccountName: default
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: ignored}
      - name: tok
        secret: {secretName: db-token, items: [{key: token, path: t}]}
      containers:
      - name: db
        image: postgres
        envFrom: [{secretRef: {name: creds}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata: {name: db-token, namespace: prod}
"""
    assert _missing(text) == [("Secret", "creds", None, ("spec.template.spec.containers[0].envFrom[0].secretRef.name",))]


def test_a_bare_pod_and_a_list_item_declare_and_reference() -> None:
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: conf}
  data: {a: "1"}
- apiVersion: v1
  kind: Pod
  metadata: {name: p}
  spec:
    serviceAccount: runner
    containers:
    - name: c
      image: busybox
      env: [{name: A, valueFrom: {configMapKeyRef: {name: conf, key: a}}}]
"""
    assert _missing(text) == [("ServiceAccount", "runner", None, ("spec.serviceAccount",))]


def test_a_namespace_given_like_kubectl_apply_n_places_and_enforces() -> None:
    # load_manifests(namespace=...) is `kubectl apply -n`: objects without a namespace go there (so the pod's
    # ConfigMap declared there is found), one that names another namespace is refused at its metadata.namespace
    import io

    from model.manifests import load_manifests

    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: busybox, envFrom: [{configMapRef: {name: conf}}]}]
"""
    plain = load_manifests(["-"], stdin=io.StringIO(text))
    assert plain.ok and [o.namespace for o in plain.objects] == ["default"]
    assert [(m.kind, m.namespace, m.name) for m in missing_references(plain.references, plain.declared)] == [("ConfigMap", "default", "conf")]
    shop = load_manifests(["-"], stdin=io.StringIO(text), namespace="shop")
    assert shop.ok and [o.namespace for o in shop.objects] == ["shop"]
    assert missing_references(shop.references, shop.declared) == []
    refused = load_manifests(["-"], stdin=io.StringIO(text.replace("metadata: {name: p}", "metadata: {name: p, namespace: web}")),
                             namespace="shop")
    assert [str(e) for e in refused.errors] == [
        '<stdin>:7: metadata.namespace: the namespace from the provided object "web" does not match the namespace "shop" '
        "given with --namespace (kubectl apply refuses it; pass --namespace=web or remove metadata.namespace)"]
    # a kind kubecheck skips but knows to be namespaced (the ConfigMap) is held to --namespace too (review)
    other = load_manifests(["-"], stdin=io.StringIO(text), namespace="web")
    assert [str(e) for e in other.errors] == [
        '<stdin>:3: metadata.namespace: the namespace from the provided object "shop" does not match the namespace "web" '
        "given with --namespace (kubectl apply refuses it; pass --namespace=shop or remove metadata.namespace)"]


def test_binary_data_keys_are_mounted_but_never_read_into_the_environment() -> None:
    # kubelet_pods.go makeEnvironmentVariables reads configMap.Data only; the configmap volume mounts binaryData too
    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: bin}
binaryData: {k: aGk=}
data: {1: one}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes: [{name: v, configMap: {name: bin, items: [{key: k, path: k}, {key: "1", path: one}]}}]
  containers:
  - name: c
    image: busybox
    env: [{name: K, valueFrom: {configMapKeyRef: {name: bin, key: k}}}, {name: O, valueFrom: {configMapKeyRef: {name: bin, key: "1"}}}]
"""
    assert _missing(text) == [("ConfigMap", "bin", "k", ("spec.containers[0].env[0].valueFrom.configMapKeyRef.key",))]


def test_the_root_ca_configmap_is_in_every_namespace_with_key_ca_crt() -> None:
    # rootcacertpublisher makes kube-root-ca.crt (key ca.crt) in every namespace: a pod mounting it needs no
    # manifest (strimzi's operator does), but another key of it is still missing; a manifest's own wins
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: op, namespace: kafka}
spec:
  selector: {matchLabels: {app: op}}
  template:
    metadata: {labels: {app: op}}
    spec:
      volumes:
      - name: ca
        configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
      - name: other
        configMap: {name: kube-root-ca.crt, items: [{key: other.crt, path: o.crt}]}
      containers:
      - name: op
        image: op
        env:
        - name: CA
          valueFrom: {configMapKeyRef: {name: kube-root-ca.crt, key: ca.crt}}
"""
    assert _missing(text) == [("ConfigMap", "kube-root-ca.crt", "other.crt", ("spec.template.spec.volumes[1].configMap.items",))]
    own = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-root-ca.crt, namespace: kafka}\ndata: {other.crt: x}\n"
    assert _missing(text + own) == [
        ("ConfigMap", "kube-root-ca.crt", "ca.crt", ("spec.template.spec.volumes[0].configMap.items",
                                                     "spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key")),
    ]
