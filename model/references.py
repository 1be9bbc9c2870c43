"""The objects a pod needs before it can start, and which of them the manifests do not declare.

The model does not read ConfigMaps, Secrets, ServiceAccounts or PersistentVolumeClaims (they are skipped
kinds): it assumes every object a pod template names exists, with every key it names. Upstream a pod
whose object is missing does not start, and none of the controllers' promises (convergence, rollout
availability) can then be kept:

* a ConfigMap or Secret volume (also inside a ``projected`` volume), not ``optional``: the kubelet cannot
  mount it (pkg/volume/configmap/configmap.go and pkg/volume/secret/secret.go ``SetUpAt``: "configmap
  ... not found", and "references non-existent config key" for an ``items`` key the object lacks); the
  pod stays ContainerCreating (FailedMount);
* ``env[].valueFrom.configMapKeyRef`` / ``secretKeyRef`` and ``envFrom[].configMapRef`` / ``secretRef``,
  not ``optional``: the kubelet cannot build the environment (pkg/kubelet/kubelet_pods.go
  ``makeEnvironmentVariables``: "couldn't find key ... in ConfigMap"); the container waits in
  CreateContainerConfigError;
* ``serviceAccountName`` (or the deprecated ``serviceAccount``) other than ``default`` (which the
  ServiceAccount controller creates in every namespace): the API server refuses the pod
  (plugin/pkg/admission/serviceaccount/admission.go: "error looking up service account"), so a
  controller creates none (FailedCreate);
* a ``persistentVolumeClaim`` volume (not one a StatefulSet's volumeClaimTemplates provide): the pod stays
  Pending (the scheduler's VolumeBinding: "persistentvolumeclaim ... not found").

:func:`pod_references` lists what a workload's (or bare Pod's) pod spec names; :func:`missing_references`
keeps those the manifests do not declare (any document of the kind, namespace and name, loaded or skipped),
and the keys a declared ConfigMap or Secret lacks. The CLI prints them as warnings: the verdicts stand for
a cluster where the objects exist, and the warning says so (docs/semantics.md, "Objects a pod needs").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Reference", "Missing", "POD_BEARING_KINDS", "IN_EVERY_NAMESPACE", "pod_references", "declared_keys",
           "missing_references"]

#: the modelled kinds that carry a pod spec (the bare Pod's at ``spec``, the others' at ``spec.template.spec``)
POD_BEARING_KINDS: Final = ("Pod", "Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet")


@dataclass(frozen=True, slots=True)
class Reference:
    """One object (and, for a key reference, one key of it) a pod spec needs."""

    kind: str  # ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim
    namespace: str
    name: str
    key: str | None  # a key of the ConfigMap/Secret the pod reads, or None for the whole object
    consumer: tuple[str, str, str]  # (kind, namespace, name) of the workload or Pod
    path: str  # the field that names it, e.g. spec.template.spec.volumes[0].configMap.name
    how: str  # "volume", "env", "serviceAccount", "claim"


@dataclass(frozen=True, slots=True)
class Missing:
    """A referenced object (``key`` None) or key the manifests do not declare, with every reference to it."""

    kind: str
    namespace: str
    name: str
    key: str | None
    references: tuple[Reference, ...]


def _optional(ref: Mapping[str, Any]) -> bool:
    return ref.get("optional") is True


def _keys(ref: Mapping[str, Any]) -> list[str]:
    return [i["key"] for i in ref.get("items") or () if isinstance(i, dict) and isinstance(i.get("key"), str)]


def pod_references(kind: str, obj: Mapping[str, Any]) -> list[Reference]:
    """What the pod spec of a decoded, defaulted object of a :data:`POD_BEARING_KINDS` kind names and needs
    (not ``optional``), in field order: volumes, then each (init) container's env and envFrom, then the
    service account."""
    meta = obj.get("metadata") or {}
    namespace, consumer = meta.get("namespace", ""), (kind, meta.get("namespace", ""), meta.get("name", ""))
    spec_path = "spec" if kind == "Pod" else "spec.template.spec"
    spec = obj.get("spec") or {}
    if kind != "Pod":
        spec = (spec.get("template") or {}).get("spec") or {}
        claim_templates = {(t.get("metadata") or {}).get("name") for t in (obj.get("spec") or {}).get("volumeClaimTemplates") or ()}
    else:
        claim_templates = set()
    out: list[Reference] = []

    def add(kind_: str, name: Any, key: str | None, path: str, how: str) -> None:
        if isinstance(name, str) and name:
            out.append(Reference(kind_, namespace, name, key, consumer, path, how))

    def source(src: Mapping[str, Any], kind_: str, name_field: str, path: str) -> None:
        if _optional(src):
            return
        add(kind_, src.get(name_field), None, f"{path}.{name_field}", "volume")
        for k in _keys(src):
            add(kind_, src.get(name_field), k, f"{path}.items", "volume")

    for i, v in enumerate(spec.get("volumes") or ()):
        if not isinstance(v, dict):
            continue
        vp = f"{spec_path}.volumes[{i}]"
        if isinstance(v.get("configMap"), dict):
            source(v["configMap"], "ConfigMap", "name", f"{vp}.configMap")
        if isinstance(v.get("secret"), dict):
            source(v["secret"], "Secret", "secretName", f"{vp}.secret")
        for j, s in enumerate((v.get("projected") or {}).get("sources") or ()):
            if isinstance(s, dict) and isinstance(s.get("configMap"), dict):
                source(s["configMap"], "ConfigMap", "name", f"{vp}.projected.sources[{j}].configMap")
            if isinstance(s, dict) and isinstance(s.get("secret"), dict):
                source(s["secret"], "Secret", "name", f"{vp}.projected.sources[{j}].secret")
        pvc = v.get("persistentVolumeClaim")
        if isinstance(pvc, dict) and v.get("name") not in claim_templates:
            add("PersistentVolumeClaim", pvc.get("claimName"), None, f"{vp}.persistentVolumeClaim.claimName", "claim")
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or ()):
            if not isinstance(c, dict):
                continue
            cp = f"{spec_path}.{group}[{i}]"
            for j, e in enumerate(c.get("env") or ()):
                value_from = (e or {}).get("valueFrom") if isinstance(e, dict) else None
                for field, kind_ in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    ref = (value_from or {}).get(field)
                    if isinstance(ref, dict) and not _optional(ref):
                        path = f"{cp}.env[{j}].valueFrom.{field}"
                        add(kind_, ref.get("name"), None, f"{path}.name", "env")
                        if isinstance(ref.get("key"), str):
                            add(kind_, ref.get("name"), ref["key"], f"{path}.key", "env")
            for j, e in enumerate(c.get("envFrom") or ()):
                for field, kind_ in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    ref = e.get(field) if isinstance(e, dict) else None
                    if isinstance(ref, dict) and not _optional(ref):
                        add(kind_, ref.get("name"), None, f"{cp}.envFrom[{j}].{field}.name", "env")
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account != "default":
        field = "serviceAccountName" if spec.get("serviceAccountName") else "serviceAccount"
        add("ServiceAccount", account, None, f"{spec_path}.{field}", "serviceAccount")
    return out


def declared_keys(kind: str, obj: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]] | None:
    """The keys a ConfigMap or Secret declares, as (the keys an env reference can read, the keys a volume can
    read); None for other kinds and for a Secret of type ``kubernetes.io/service-account-token`` (the token
    controller fills in ``token``, ``ca.crt`` and ``namespace``: pkg/controller/serviceaccount/tokens_controller.go).
    A ConfigMap's ``binaryData`` is mounted in a volume (pkg/volume/configmap) but never read into the environment
    (kubelet_pods.go ``makeEnvironmentVariables`` reads ``configMap.Data`` only); a Secret's ``stringData`` is
    merged into ``data`` by the API server. Keys are strings (a YAML integer key becomes its string in JSON)."""

    def keys(*fields: str) -> frozenset[str]:
        return frozenset(str(k) for f in fields if isinstance(obj.get(f), dict) for k in obj[f])

    if kind == "ConfigMap":
        return keys("data"), keys("data", "binaryData")
    if kind == "Secret" and obj.get("type") != "kubernetes.io/service-account-token":
        both = keys("data", "stringData")
        return both, both
    return None


#: objects the control plane makes in every namespace, with the keys they hold (None: the object only): the
#: ServiceAccount ``default`` (pkg/controller/serviceaccount/serviceaccounts_controller.go; :func:`pod_references`
#: never lists it) and the root CA publisher's ConfigMap ``kube-root-ca.crt`` with key ``ca.crt``
#: (pkg/controller/certificates/rootcacertpublisher/publisher.go ``RootCACertConfigMapName``, since 1.20 in
#: every namespace); a manifest that declares one of them is read as written
IN_EVERY_NAMESPACE: Final[Mapping[tuple[str, str], tuple[frozenset[str], frozenset[str]] | None]] = {
    ("ServiceAccount", "default"): None,
    ("ConfigMap", "kube-root-ca.crt"): (frozenset({"ca.crt"}), frozenset({"ca.crt"})),
}


def missing_references(references: tuple[Reference, ...],
                       declared: Mapping[tuple[str, str, str], tuple[frozenset[str], frozenset[str]] | None]) -> list[Missing]:
    """The referenced objects no document declares and the keys a declared ConfigMap or Secret lacks (for the
    way the pod reads them: :func:`declared_keys`), each with every reference to it, in the order first
    referenced. A key of a missing object is not listed apart (the object is)."""
    by_target: dict[tuple[str, str, str, str | None], list[Reference]] = {}
    for r in references:
        target = (r.kind, r.namespace, r.name)
        if target not in declared and (r.kind, r.name) not in IN_EVERY_NAMESPACE:
            if r.key is None:
                by_target.setdefault((*target, None), []).append(r)
            continue
        keys = declared[target] if target in declared else IN_EVERY_NAMESPACE[(r.kind, r.name)]
        if r.key is not None and keys is not None and r.key not in keys[0 if r.how == "env" else 1]:
            by_target.setdefault((*target, r.key), []).append(r)
    return [Missing(kind, ns, name, key, tuple(refs)) for (kind, ns, name, key), refs in by_target.items()]
