"""The Kubernetes objects kubecheck models, as frozen, hashable dataclasses.

Field names are the upstream JSON names in snake_case (``spec.minReadySeconds`` is
``min_ready_seconds``).  Metadata is flattened into each object (``pod.labels`` rather
than ``pod.metadata.labels``) so that a functional update is one ``dataclasses.replace``.

Only the fields that the modelled controllers read or write are kept; docs/semantics.md
lists what is left out and why that is sound.

Time is abstract (see docs/semantics.md, "Abstract time"): timestamps are logical
integers or flags, never a growing wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal, Union

from model.frozen import EMPTY, FrozenMap
from model.labels import LabelSelector

__all__ = [
    "IntOrString",
    "OwnerReference",
    "ObjectMeta",
    "ContainerSpec",
    "ProbeTiming",
    "Volume",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "PodAffinityTerm",
    "TopologySpreadConstraint",
    "Toleration",
    "Taint",
    "placement_repr",
    "PodTemplate",
    "PodConditions",
    "Sandbox",
    "ContainerStatus",
    "Pod",
    "ReplicaSetCondition",
    "ReplicaSetStatus",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentCondition",
    "DeploymentStrategy",
    "DeploymentStatus",
    "Deployment",
    "PersistentVolumeClaimTemplate",
    "StatefulSetUpdateStrategy",
    "PVCRetentionPolicy",
    "StatefulSetStatus",
    "StatefulSet",
    "ControllerRevision",
    "PersistentVolumeClaim",
    "Node",
    "Service",
    "DrainRecord",
    "PodDisruptionBudgetStatus",
    "PodDisruptionBudget",
    "DaemonSetUpdateStrategy",
    "DaemonSetStatus",
    "DaemonSet",
    "MetricSpec",
    "HPAScalingPolicy",
    "HPAScalingRules",
    "HorizontalPodAutoscalerBehavior",
    "HorizontalPodAutoscalerStatus",
    "HPAControllerRecord",
    "HorizontalPodAutoscaler",
    "KindInfo",
    "KIND_INFO",
    "KINDS",
    "API_VERSIONS",
    "SHORT_KIND_NAMES",
    "replace",
]

#: int-or-string as in ``intstr.IntOrString``: ``3`` or ``"25%"``.
IntOrString = Union[int, str]

#: ``""`` is the phase of a pod object a controller has built but not yet created
#: (upstream ``isCreated`` is ``pod.Status.Phase != ""``); the API server stores "Pending".
PodPhase = Literal["", "Pending", "Running", "Succeeded", "Failed", "Unknown"]
ContainerState = Literal["waiting", "running", "terminated"]


class _CachedHash:
    """A slot for the object's hash, computed on first use (see :func:`_cache_hashes`), and one for
    its stable hash (the same in every process: :mod:`model.stable_hash`, computed only by a
    distributed search, which routes states by it).

    Not a dataclass field: ``fields()``, ``repr``, ``==``, pickling (the dataclass ``__getstate__``
    lists fields only) and :func:`model.frozen.evolve` (which copies fields only) never see it, so a
    copy or a changed object starts without a cached hash.
    """

    __slots__ = ("_h", "_sh")


@dataclass(frozen=True, slots=True)
class OwnerReference(_CachedHash):
    """metav1.OwnerReference (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go)."""

    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool = False
    block_owner_deletion: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectMeta(_CachedHash):
    """The metav1.ObjectMeta fields every modelled object carries, flattened into it.

    ``deletion_timestamp`` is a logical tick (``None`` = not being deleted); the model only
    asks whether it is set.  ``creation_index`` is a logical creation order used where
    upstream compares ``creationTimestamp`` (deletion ranking, picking the oldest RS).
    """

    name: str
    namespace: str = "default"
    uid: str = ""
    labels: FrozenMap[str, str] = field(default=EMPTY)
    annotations: FrozenMap[str, str] = field(default=EMPTY)
    owner_references: tuple[OwnerReference, ...] = ()
    generation: int = 1
    deletion_timestamp: int | None = None
    deletion_grace_period_seconds: int | None = None
    finalizers: tuple[str, ...] = ()
    creation_index: int = 0
    #: metadata.generateName: the prefix the API server completed into ``name`` ("" = the
    #: name was given).  Set by model.apiserver on Create; the canonical form renames only
    #: generated names.
    generate_name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """(namespace, name): the object's key within its kind."""
        return (self.namespace, self.name)

    def controller_ref(self) -> OwnerReference | None:
        """metav1.GetControllerOf: the owner reference with ``controller: true``, if any."""
        for ref in self.owner_references:
            if ref.controller:
                return ref
        return None

    @property
    def being_deleted(self) -> bool:
        return self.deletion_timestamp is not None


# --------------------------------------------------------------------------- pods


@dataclass(frozen=True, slots=True)
class ProbeTiming:
    """The timing of a v1.Probe (``readinessProbe``), defaulted as pkg/apis/core/v1/defaults.go
    SetDefaults_Probe (0 or absent: timeout 1 s, period 10 s, success threshold 1, failure threshold 3).

    Read only under the ``probes`` clock of a scenario (``Scenario.clocks``, docs/semantics.md,
    "Clocks"); the loader sets it only when the manifest states one of the fields."""

    initial_delay_seconds: int = 0
    timeout_seconds: int = 1
    period_seconds: int = 10
    success_threshold: int = 1
    failure_threshold: int = 3


@dataclass(frozen=True, slots=True)
class ContainerSpec(_CachedHash):
    """v1.Container: the fields the model needs (name, image, readiness probe present).

    ``restart_policy`` is the container-level ``restartPolicy`` (init containers only):
    ``"Always"`` makes an init container a sidecar (podutil.IsRestartableInitContainer).
    ``startup_probe`` / ``liveness_probe`` say the probe is declared; only
    ``model.kubelet.compute_pod_actions`` reads them, for its upstream table (the loader leaves
    them False: those probes are ignored fields, docs/semantics.md#runtime). The three are
    ``repr=False`` so that a template without them hashes as before they existed.
    """

    name: str
    image: str
    readiness_probe: bool = False
    restart_policy: str | None = field(default=None, repr=False)
    startup_probe: bool = field(default=False, repr=False)
    liveness_probe: bool = field(default=False, repr=False)
    #: settings the model does not interpret, only compares: ``env.KEY`` and ``requests.R`` /
    #: ``limits.R`` as ``kubectl set env`` / ``set resources`` write them (model.template_edits;
    #: the loader does not read them). ``repr=False``, appended by :func:`placement_repr` when set.
    config: FrozenMap[str, str] = field(default=EMPTY, repr=False)
    #: the readiness probe's timing when the manifest states any of it (``None``: upstream's defaults,
    #: :class:`ProbeTiming`). ``repr=False``, appended by :func:`placement_repr` when set.
    readiness_timing: ProbeTiming | None = field(default=None, repr=False)
    #: ``ports[]`` with a ``hostPort`` > 0, as ``(hostIP, protocol, hostPort)`` sanitised as upstream's
    #: ``HostPortInfo`` does (``""`` -> ``"0.0.0.0"``, ``""`` -> ``"TCP"``); read by the scheduler's
    #: NodePorts filter (``model.scheduler.fits_ports``). ``repr=False``, appended by :func:`placement_repr`.
    host_ports: tuple[tuple[str, str, int], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Volume:
    """v1.Volume; ``claim_name`` is set for a persistentVolumeClaim volume source."""

    name: str
    claim_name: str | None = None


@dataclass(frozen=True, slots=True)
class NodeSelectorRequirement:
    """v1.NodeSelectorRequirement: ``operator`` is In, NotIn, Exists, DoesNotExist, Gt or Lt
    (matchFields: In or NotIn on ``metadata.name``)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """v1.NodeSelectorTerm: its requirements are ANDed; the terms of a NodeSelector are ORed."""

    match_expressions: tuple[NodeSelectorRequirement, ...] = ()
    match_fields: tuple[NodeSelectorRequirement, ...] = ()


@dataclass(frozen=True, slots=True)
class PodAffinityTerm:
    """v1.PodAffinityTerm of a *required* pod affinity or anti-affinity (the preferred ones only score).

    ``selector`` is ``labelSelector`` (``None`` when unset: it then matches no pod, as upstream's
    ``metav1.LabelSelectorAsSelector(nil)``); ``namespaces`` the listed namespaces and
    ``all_namespaces`` an empty ``namespaceSelector: {}`` (every namespace); with neither, the pod's
    own namespace (pkg/scheduler/framework/types.go newAffinityTerm). ``topology_key`` names the node
    label whose value is the term's topology domain. ``match_label_keys`` / ``mismatch_label_keys`` are
    merged into a pod's selector when the pod is created (``model.apiserver.apply_match_label_keys_and_mismatch_label_keys``).
    A non-empty ``namespaceSelector`` is not modelled (listed as an ignored field)."""

    selector: LabelSelector | None
    topology_key: str
    namespaces: tuple[str, ...] = ()
    all_namespaces: bool = False
    match_label_keys: tuple[str, ...] = ()
    mismatch_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopologySpreadConstraint:
    """v1.TopologySpreadConstraint with ``whenUnsatisfiable: DoNotSchedule``, the only ones the scheduler's
    PodTopologySpread *Filter* reads (pkg/scheduler/framework/plugins/podtopologyspread/common.go
    ``filterTopologySpreadConstraints``; ScheduleAnyway ones only score and are not kept).

    ``selector`` is ``labelSelector`` (``None`` when unset: it matches no pod, ``LabelSelectorAsSelector(nil)``);
    ``min_domains`` is ``minDomains`` (``None``: 1); ``node_affinity_policy`` / ``node_taints_policy`` are
    ``nodeAffinityPolicy`` / ``nodeTaintsPolicy`` (``None``: Honor / Ignore); ``match_label_keys`` are merged
    into the selector by the scheduler for the keys the pod carries (:func:`model.scheduler.spread_constraint_selector`);
    ``selector_merge`` says that the API server also merges them into a Pod's ``labelSelector`` at its create (from 1.34,
    ``model.apiserver.admit_spread_label_keys``; not in the repr, so a template's hash is the same in every version)."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None
    min_domains: int | None = None
    node_affinity_policy: str | None = None
    node_taints_policy: str | None = None
    match_label_keys: tuple[str, ...] = ()
    selector_merge: bool = field(default=False, repr=False)


@dataclass(frozen=True, slots=True)
class Toleration:
    """v1.Toleration: ``operator`` Equal (also written "") or Exists; ``effect`` "" tolerates
    every effect; ``key`` "" with Exists tolerates every taint. ``tolerationSeconds`` is not
    kept except as ``forever`` (it only times NoExecute evictions, and taints never change in the
    model): ``forever`` is True for a NoExecute toleration without ``tolerationSeconds``, which the
    taint eviction never evicts (pkg/controller/tainteviction getMinTolerationTime: -1), e.g. the
    ones every DaemonSet pod gets (model.daemon.add_or_update_daemon_pod_tolerations)."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    forever: bool = field(default=False, repr=False)


@dataclass(frozen=True, slots=True)
class Taint:
    """v1.Taint on a Node: ``effect`` NoSchedule, PreferNoSchedule or NoExecute."""

    key: str
    value: str = ""
    effect: str = "NoSchedule"


def placement_repr(obj: "PodTemplate | Pod") -> str:
    """The placement fields of a template or pod as text, ``""`` when none is set.

    The placement fields are ``repr=False`` so that a template without them prints (and so
    hashes, ``compute_hash``/``controller_revision_hash``) exactly as before they existed; the
    hash functions append this text so that templates differing only in placement differ.
    The init containers (``repr=False`` too, issue #20) are appended the same way, with every
    field of each (their ``restart_policy`` included).
    """
    init = ""
    if obj.init_containers:
        init = "|init=" + repr(tuple((c.name, c.image, c.readiness_probe, c.restart_policy, c.startup_probe,
                                      c.liveness_probe) for c in obj.init_containers))
    containers = obj.containers if isinstance(obj, PodTemplate) else obj.spec_containers
    if any(c.config for c in (*containers, *obj.init_containers)):
        init += "|config=" + repr(tuple(tuple(c.config.items()) for c in (*containers, *obj.init_containers)))
    if any(c.readiness_timing for c in (*containers, *obj.init_containers)):
        init += "|probes=" + repr(tuple(c.readiness_timing for c in (*containers, *obj.init_containers)))
    if any(c.host_ports for c in (*containers, *obj.init_containers)):
        init += "|hostPorts=" + repr(tuple(c.host_ports for c in (*containers, *obj.init_containers)))
    if obj.pod_affinity or obj.pod_anti_affinity:
        init += f"|podAffinity={obj.pod_affinity!r},{obj.pod_anti_affinity!r}"
    if obj.topology_spread_constraints:
        init += f"|topologySpread={obj.topology_spread_constraints!r}"
    if not obj.node_selector and obj.node_affinity is None and not obj.tolerations:
        return init
    return f"|placement={tuple(obj.node_selector.items())!r},{obj.node_affinity!r},{obj.tolerations!r}" + init


@dataclass(frozen=True, slots=True, kw_only=True)
class PodTemplate(_CachedHash):
    """v1.PodTemplateSpec: template metadata plus the modelled part of the pod spec.

    Placement (docs/semantics.md#runtime, "Scheduler"): ``node_selector`` is
    ``spec.nodeSelector``; ``node_affinity`` is
    ``spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms``
    (``None`` when unset; the preferred part only scores, so it is not kept); ``tolerations`` is
    ``spec.tolerations``; ``pod_affinity`` and ``pod_anti_affinity`` are the required terms of
    ``spec.affinity.podAffinity`` and ``podAntiAffinity`` (the scheduler's InterPodAffinity filter);
    ``topology_spread_constraints`` the ``DoNotSchedule`` entries of ``spec.topologySpreadConstraints``
    (the scheduler's PodTopologySpread filter).
    """

    labels: FrozenMap[str, str] = field(default=EMPTY)
    annotations: FrozenMap[str, str] = field(default=EMPTY)
    containers: tuple[ContainerSpec, ...] = ()
    volumes: tuple[Volume, ...] = ()
    restart_policy: Literal["Always", "OnFailure", "Never"] = "Always"
    hostname: str = ""
    subdomain: str = ""
    termination_grace_period_seconds: int = 30
    node_selector: FrozenMap[str, str] = field(default=EMPTY, repr=False)
    node_affinity: tuple[NodeSelectorTerm, ...] | None = field(default=None, repr=False)
    tolerations: tuple[Toleration, ...] = field(default=(), repr=False)
    #: spec.initContainers, in order (sidecars have ``restart_policy="Always"``); see placement_repr
    init_containers: tuple[ContainerSpec, ...] = field(default=(), repr=False)
    pod_affinity: tuple[PodAffinityTerm, ...] = field(default=(), repr=False)
    pod_anti_affinity: tuple[PodAffinityTerm, ...] = field(default=(), repr=False)
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class PodConditions:
    """The pod conditions of v1.PodConditionType the model uses, as booleans (status True/False).

    ``disruption_target`` is ``DisruptionTarget`` (reason ``EvictionByEvictionAPI``), set by the
    eviction API (pkg/registry/core/pod/storage/eviction.go addConditionAndDeletePod); the kubelet
    keeps it (generateAPIPodStatus keeps the conditions it does not own).
    """

    pod_scheduled: bool = False
    initialized: bool = False
    containers_ready: bool = False
    ready: bool = False
    disruption_target: bool = False


@dataclass(frozen=True, slots=True)
class Sandbox:
    """The pod sandbox (the pause container): it owns the pod's network namespace and IP.

    Mirrors the CRI PodSandbox the kubelet creates in
    pkg/kubelet/kuberuntime/kuberuntime_sandbox.go createPodSandbox.
    """

    id: int
    ip: str
    netns: str
    ready: bool = True


@dataclass(frozen=True, slots=True)
class ContainerStatus(_CachedHash):
    """v1.ContainerStatus, reduced: ``sandbox_id`` is the sandbox the container runs in."""

    name: str
    image: str
    state: ContainerState = "waiting"
    restart_count: int = 0
    sandbox_id: int | None = None
    ready: bool = False
    #: the exit code of a ``terminated`` container: 1 (a crash or a kill) unless an init
    #: container completed (0); meaningless in the other states
    exit_code: int = 1
    #: v1.ContainerStateWaiting.reason of a waiting container: "" (ContainerCreating), or
    #: ``ErrImagePull`` / ``ImagePullBackOff`` (an image that fails to pull) / ``CrashLoopBackOff``
    #: (an exited container in restart back-off); model.kubelet.ImageFacts.
    reason: str = ""
    #: the readiness probe of a running container of a ``ready: stops`` image has started failing for
    #: good (the app turned unready after start); a restart creates a new container (False again).
    readiness_lost: bool = False
    #: the app in the container answers requests (model.kubelet.ImageFacts ``serves_after``): False
    #: from the start of a container of an image that serves only N seconds after start, until the
    #: ``app_starts_serving`` clock step; True for every other container.  Not in the API: upstream
    #: learns it only through a readiness probe.
    serving: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Pod(ObjectMeta):
    """v1.Pod with its sandbox, containers and the conditions the controllers read.

    ``ready_elapsed`` abstracts ``now - Ready.lastTransitionTime >= minReadySeconds``
    (pkg/api/v1/pod/util.go IsPodAvailable): an expiry step of the environment sets it.
    """

    spec_containers: tuple[ContainerSpec, ...] = ()
    volumes: tuple[Volume, ...] = ()
    restart_policy: Literal["Always", "OnFailure", "Never"] = "Always"
    node_name: str | None = None
    hostname: str = ""
    subdomain: str = ""
    termination_grace_period_seconds: int = 30
    phase: PodPhase = "Pending"
    conditions: PodConditions = field(default_factory=PodConditions)
    ready_elapsed: bool = False
    sandbox: Sandbox | None = None
    container_statuses: tuple[ContainerStatus, ...] = ()
    #: placement, copied from the template (see :class:`PodTemplate`); read by the scheduler only
    node_selector: FrozenMap[str, str] = field(default=EMPTY, repr=False)
    node_affinity: tuple[NodeSelectorTerm, ...] | None = field(default=None, repr=False)
    tolerations: tuple[Toleration, ...] = field(default=(), repr=False)
    #: spec.initContainers (see :class:`PodTemplate`); their statuses are in ``container_statuses``
    #: too (names are unique across both lists), as in the runtime's kubecontainer.PodStatus
    init_containers: tuple[ContainerSpec, ...] = field(default=(), repr=False)
    #: the required inter-pod (anti-)affinity terms, copied from the template (see :class:`PodTemplate`)
    pod_affinity: tuple[PodAffinityTerm, ...] = field(default=(), repr=False)
    pod_anti_affinity: tuple[PodAffinityTerm, ...] = field(default=(), repr=False)
    #: the DoNotSchedule topology spread constraints, copied from the template (see :class:`PodTemplate`)
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = field(default=(), repr=False)

    @property
    def readiness_probe(self) -> bool:
        """True when any container declares a readiness probe."""
        return any(c.readiness_probe for c in self.spec_containers)

    @property
    def pod_ip(self) -> str | None:
        return self.sandbox.ip if self.sandbox is not None else None

    def claim_names(self) -> tuple[str, ...]:
        """The PVCs this pod mounts, in volume order."""
        return tuple(v.claim_name for v in self.volumes if v.claim_name is not None)


# --------------------------------------------------------------- replica sets, RC


@dataclass(frozen=True, slots=True)
class ReplicaSetCondition(_CachedHash):
    """apps/v1 ReplicaSetCondition (also v1 ReplicationControllerCondition): the only type a
    controller writes is ``ReplicaFailure`` (replica_set_utils.go calculateStatus); the
    lastTransitionTime is abstract time and left out."""

    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ReplicaSetStatus(_CachedHash):
    """apps/v1 ReplicaSetStatus (also the RC's status).

    ``conditions`` holds ``ReplicaFailure`` after a refused pod create/delete (the opt-in
    ``write_failure`` fault); ``terminating_replicas`` is ``None`` (nil) unless the scenario tracks
    it (``Scenario.terminating_replicas``) in a version whose gate writes it (``model.versions``).
    """

    replicas: int = 0
    fully_labeled_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    observed_generation: int = 0
    conditions: tuple[ReplicaSetCondition, ...] = ()
    terminating_replicas: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicaSet(ObjectMeta):
    """apps/v1 ReplicaSet."""

    replicas: int = 1
    selector: LabelSelector | None = None
    template: PodTemplate = field(default_factory=PodTemplate)
    min_ready_seconds: int = 0
    status: ReplicaSetStatus = field(default_factory=ReplicaSetStatus)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicationController(ObjectMeta):
    """v1 ReplicationController: an equality-only map selector (defaulted from the template)."""

    replicas: int = 1
    selector: FrozenMap[str, str] = field(default=EMPTY)
    template: PodTemplate = field(default_factory=PodTemplate)
    min_ready_seconds: int = 0
    status: ReplicaSetStatus = field(default_factory=ReplicaSetStatus)


# ------------------------------------------------------------------- deployments


@dataclass(frozen=True, slots=True)
class DeploymentCondition(_CachedHash):
    """apps/v1 DeploymentCondition: type (Available, Progressing, ReplicaFailure), status, reason."""

    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class DeploymentStrategy:
    """apps/v1 DeploymentStrategy; the rolling parameters are kept for Recreate too (ignored)."""

    type: Literal["RollingUpdate", "Recreate"] = "RollingUpdate"
    max_surge: IntOrString = "25%"
    max_unavailable: IntOrString = "25%"


@dataclass(frozen=True, slots=True)
class DeploymentStatus(_CachedHash):
    """apps/v1 DeploymentStatus."""

    observed_generation: int = 0
    replicas: int = 0
    updated_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    unavailable_replicas: int = 0
    conditions: tuple[DeploymentCondition, ...] = ()
    collision_count: int | None = None
    #: sum of the ReplicaSets' ``status.terminatingReplicas`` (nil unless tracked, ``model.versions``)
    terminating_replicas: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment(ObjectMeta):
    """apps/v1 Deployment. Revision annotations live in ``annotations`` as upstream."""

    replicas: int = 1
    selector: LabelSelector | None = None
    template: PodTemplate = field(default_factory=PodTemplate)
    strategy: DeploymentStrategy = field(default_factory=DeploymentStrategy)
    min_ready_seconds: int = 0
    revision_history_limit: int = 10
    paused: bool = False
    progress_deadline_seconds: int = 600
    status: DeploymentStatus = field(default_factory=DeploymentStatus)
    #: abstract time: set by an expiry step when progressDeadlineSeconds has passed
    #: since the last progress (see docs/semantics.md).
    progress_deadline_elapsed: bool = False


# ------------------------------------------------------------------ statefulsets


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistentVolumeClaimTemplate:
    """An entry of spec.volumeClaimTemplates."""

    name: str
    labels: FrozenMap[str, str] = field(default=EMPTY)
    storage: str = "1Gi"
    access_modes: tuple[str, ...] = ("ReadWriteOnce",)
    storage_class_name: str | None = None


@dataclass(frozen=True, slots=True)
class StatefulSetUpdateStrategy:
    """apps/v1 StatefulSetUpdateStrategy: RollingUpdate (partition, maxUnavailable) or OnDelete."""

    type: Literal["RollingUpdate", "OnDelete"] = "RollingUpdate"
    partition: int = 0
    max_unavailable: IntOrString | None = None
    #: False when ``spec.updateStrategy.rollingUpdate`` is nil: SetDefaults_StatefulSet creates it
    #: only when ``type`` was empty, so ``type: RollingUpdate`` written without ``rollingUpdate``
    #: keeps it nil, and newVersionedStatefulSetPod then uses ``status.currentReplicas``, not
    #: ``partition``. Only meaningful when ``type`` is RollingUpdate.
    has_rolling_update: bool = True


@dataclass(frozen=True, slots=True)
class PVCRetentionPolicy:
    """apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy."""

    when_deleted: Literal["Retain", "Delete"] = "Retain"
    when_scaled: Literal["Retain", "Delete"] = "Retain"


@dataclass(frozen=True, slots=True)
class StatefulSetStatus:
    """apps/v1 StatefulSetStatus."""

    observed_generation: int = 0
    replicas: int = 0
    ready_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0
    available_replicas: int = 0
    current_revision: str = ""
    update_revision: str = ""
    collision_count: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatefulSet(ObjectMeta):
    """apps/v1 StatefulSet."""

    replicas: int = 1
    selector: LabelSelector | None = None
    template: PodTemplate = field(default_factory=PodTemplate)
    service_name: str = ""
    pod_management_policy: Literal["OrderedReady", "Parallel"] = "OrderedReady"
    update_strategy: StatefulSetUpdateStrategy = field(default_factory=StatefulSetUpdateStrategy)
    volume_claim_templates: tuple[PersistentVolumeClaimTemplate, ...] = ()
    persistent_volume_claim_retention_policy: PVCRetentionPolicy = field(default_factory=PVCRetentionPolicy)
    ordinals_start: int = 0
    min_ready_seconds: int = 0
    revision_history_limit: int = 10
    status: StatefulSetStatus = field(default_factory=StatefulSetStatus)


@dataclass(frozen=True, slots=True, kw_only=True)
class ControllerRevision(ObjectMeta):
    """apps/v1 ControllerRevision: a snapshot of a StatefulSet's pod template."""

    revision: int = 1
    data: PodTemplate = field(default_factory=PodTemplate)


# -------------------------------------------------------------- other core kinds


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistentVolumeClaim(ObjectMeta):
    """v1 PersistentVolumeClaim (binding to a PV is abstracted: see docs/semantics.md)."""

    storage: str = "1Gi"
    access_modes: tuple[str, ...] = ("ReadWriteOnce",)
    storage_class_name: str | None = None
    phase: Literal["Pending", "Bound", "Lost"] = "Bound"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node(ObjectMeta):
    """v1 Node: Ready condition, schedulability, a pod capacity, labels (metadata) and taints."""

    namespace: str = ""
    ready: bool = True
    unschedulable: bool = False
    pod_capacity: int = 110
    #: spec.taints (the scheduler's TaintToleration filter reads NoSchedule and NoExecute)
    taints: tuple[Taint, ...] = field(default=(), repr=False)
    #: client record, not API data: the ``kubectl drain`` of this node that is running (or that
    #: failed), see :class:`DrainRecord`; ``None`` when no drain runs.
    drain: "DrainRecord | None" = None
    #: abstract time: the node-lifecycle eviction timeout has passed since NotReady.
    eviction_timeout_elapsed: bool = False
    #: runtime record, not API data: ``(namespace, name, uid)`` of pods whose API object was
    #: force-deleted while this node was NotReady and whose containers keep running here until
    #: the node's kubelet comes back and kills them (split brain, docs/semantics.md#properties).
    orphaned_pods: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Service(ObjectMeta):
    """v1 Service: the selector and ``publishNotReadyAddresses`` matter to the properties (zero downtime).

    ``publish_not_ready_addresses`` is ``spec.publishNotReadyAddresses``: the endpoint controllers
    then list a selected pod whether or not it is Ready (pkg/controller/util/endpoint
    controller_utils.go ShouldPodBeInEndpoints, pkg/controller/endpointslice podToEndpoint).
    """

    selector: FrozenMap[str, str] = field(default=EMPTY)
    cluster_ip: str | None = None
    publish_not_ready_addresses: bool = False


@dataclass(frozen=True, slots=True)
class DrainRecord:
    """A ``kubectl drain NODE`` in progress (staging/src/k8s.io/kubectl/pkg/drain/drain.go).

    Not API data: the state of the client process, kept on the node it drains so that it is part
    of the cluster state the explorer sees.  ``pods`` are the ``(namespace, name, uid)`` of the pods
    ``GetPodsForDeletion`` listed when the drain started and that it still waits for (evicts, then
    waits until the pod is gone or its UID changed: ``waitForDelete``).  ``error`` is set when the
    drain stopped with an error (a bare pod without ``--force``, an eviction refused with something
    other than 429): kubectl then exits 1 and leaves the node cordoned.  ``force`` is ``--force``.
    """

    pods: tuple[tuple[str, str, str], ...] = ()
    error: str = ""
    force: bool = False


# ------------------------------------------------------------------- policy/v1


@dataclass(frozen=True, slots=True)
class PodDisruptionBudgetStatus:
    """policy/v1 PodDisruptionBudgetStatus.

    ``disruptedPods`` is abstracted away (an eviction marks its pod deleted in the same step, so
    the map the controller keeps is always empty at a sync) and the ``DisruptionAllowed``
    condition is a function of ``disruptions_allowed`` (pdbhelper.UpdateDisruptionAllowedCondition):
    see docs/semantics.md, "PodDisruptionBudget, eviction and drain".
    """

    observed_generation: int = 0
    disruptions_allowed: int = 0
    current_healthy: int = 0
    desired_healthy: int = 0
    expected_pods: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PodDisruptionBudget(ObjectMeta):
    """policy/v1 PodDisruptionBudget.

    ``selector`` ``None`` is a nil selector (selects no pods); an empty one selects every pod of
    the namespace in the disruption controller (policy/v1) but guards none in the eviction API
    (eviction.go getPodDisruptionBudgets skips ``selector.Empty()``).  ``min_available`` and
    ``max_unavailable`` are int-or-percent, at most one set.  ``unhealthy_pod_eviction_policy``
    ``None`` behaves as ``IfHealthyBudget``.
    """

    selector: LabelSelector | None = None
    min_available: IntOrString | None = None
    max_unavailable: IntOrString | None = None
    unhealthy_pod_eviction_policy: Literal["IfHealthyBudget", "AlwaysAllow"] | None = None
    status: PodDisruptionBudgetStatus = field(default_factory=PodDisruptionBudgetStatus)


# ------------------------------------------------------------------- daemon sets


@dataclass(frozen=True, slots=True)
class DaemonSetUpdateStrategy:
    """apps/v1 DaemonSetUpdateStrategy: RollingUpdate (maxUnavailable, maxSurge) or OnDelete.

    ``max_surge`` ``None`` is a nil maxSurge (util.SurgeCount: 0).  For OnDelete the rolling
    parameters are ignored (SurgeCount and UnavailableCount return 0)."""

    type: Literal["RollingUpdate", "OnDelete"] = "RollingUpdate"
    max_unavailable: IntOrString = 1
    max_surge: IntOrString | None = 0


@dataclass(frozen=True, slots=True)
class DaemonSetStatus:
    """apps/v1 DaemonSetStatus (conditions omitted: no controller writes any)."""

    observed_generation: int = 0
    desired_number_scheduled: int = 0
    current_number_scheduled: int = 0
    number_misscheduled: int = 0
    number_ready: int = 0
    updated_number_scheduled: int = 0
    number_available: int = 0
    number_unavailable: int = 0
    collision_count: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DaemonSet(ObjectMeta):
    """apps/v1 DaemonSet (model.daemon; docs/semantics.md, "DaemonSet")."""

    selector: LabelSelector | None = None
    template: PodTemplate = field(default_factory=PodTemplate)
    update_strategy: DaemonSetUpdateStrategy = field(default_factory=DaemonSetUpdateStrategy)
    min_ready_seconds: int = 0
    revision_history_limit: int = 10
    status: DaemonSetStatus = field(default_factory=DaemonSetStatus)


# ------------------------------------------------------------------- autoscaling/v2


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """autoscaling/v2 MetricSpec of type ``Resource`` (the one metric source the model computes).

    ``resource`` is the resource name (``cpu``, ``memory``); ``target_type`` is ``Utilization``
    (``average_utilization`` percent of the pods' requests) or ``AverageValue``
    (``average_value_milli``: the target per pod as a milli-value, ``Quantity.MilliValue()``).
    Any other source (Pods, Object, External, ContainerResource) is ``target_type`` ``AtTarget``,
    ``resource`` its type and metric name: a metric that stays at its target (docs/semantics.md,
    "HorizontalPodAutoscaler"), whose proposal is always the current replicas.
    """

    resource: str = "cpu"
    target_type: Literal["Utilization", "AverageValue", "AtTarget"] = "Utilization"
    average_utilization: int | None = None
    average_value_milli: int | None = None


@dataclass(frozen=True, slots=True)
class HPAScalingPolicy:
    """autoscaling/v2 HPAScalingPolicy: ``type`` Pods or Percent, ``value``, ``periodSeconds``."""

    type: Literal["Pods", "Percent"]
    value: int
    period_seconds: int


@dataclass(frozen=True, slots=True)
class HPAScalingRules:
    """autoscaling/v2 HPAScalingRules, defaulted (pkg/apis/autoscaling/v2/defaults.go): only the
    scale-down ``stabilization_window_seconds`` may stay ``None`` (the controller then uses its
    ``--horizontal-pod-autoscaler-downscale-stabilization``, 300 s: maybeInitScaleDownStabilizationWindow)."""

    stabilization_window_seconds: int | None
    select_policy: Literal["Max", "Min", "Disabled"]
    policies: tuple[HPAScalingPolicy, ...]


@dataclass(frozen=True, slots=True)
class HorizontalPodAutoscalerBehavior:
    """autoscaling/v2 HorizontalPodAutoscalerBehavior after defaulting (both rules set)."""

    scale_up: HPAScalingRules
    scale_down: HPAScalingRules


@dataclass(frozen=True, slots=True)
class HorizontalPodAutoscalerStatus:
    """autoscaling/v2 HorizontalPodAutoscalerStatus: ``currentReplicas`` and ``desiredReplicas``
    (conditions, currentMetrics and lastScaleTime are not modelled: docs/semantics.md,
    "HorizontalPodAutoscaler")."""

    current_replicas: int = 0
    desired_replicas: int = 0


@dataclass(frozen=True, slots=True)
class HPAControllerRecord:
    """Controller memory, not API data: what pkg/controller/podautoscaler/horizontal.go keeps per
    HPA key in ``recommendations``, ``scaleUpEvents`` and ``scaleDownEvents``, under abstract time.

    ``up_recommendations`` are the recommendations still inside the scale-up stabilization window,
    oldest first, kept as their suffix minima (strictly increasing: an older value not below a
    newer one can never be the minimum of a window that still holds the newer one);
    ``down_recommendations`` likewise for the scale-down window, as suffix maxima (strictly
    decreasing).  ``scale_up_events`` / ``scale_down_events`` are the replica changes
    (non-negative, oldest first) still inside the policies' period.  Time passing is a clock step
    that drops the oldest entry (``model.horizontal.window_expiry_steps``); docs/semantics.md
    says why this is sound.
    """

    up_recommendations: tuple[int, ...] = ()
    down_recommendations: tuple[int, ...] = ()
    scale_up_events: tuple[int, ...] = ()
    scale_down_events: tuple[int, ...] = ()
    #: ``recordInitialRecommendation`` has run (the first reconcile).
    initialized: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HorizontalPodAutoscaler(ObjectMeta):
    """autoscaling/v2 HorizontalPodAutoscaler (Resource metrics).

    ``scale_target_ref`` is ``(apiVersion, kind, name)`` of the CrossVersionObjectReference;
    ``behavior`` ``None`` keeps the pre-behavior algorithm (normalizeDesiredReplicas), as upstream.
    ``load`` is the environment, not API data: the total demand on the target's pods, in percent of
    one pod at the target (100 = one pod exactly at ``averageUtilization``/``averageValue``);
    ``None`` until the system starts (then: the target's replicas x 100, the load at which the
    manifests are at rest).  ``memory`` is the controller's per-HPA memory (:class:`HPAControllerRecord`).
    """

    scale_target_ref: tuple[str, str, str] = ("apps/v1", "Deployment", "")
    min_replicas: int = 1
    max_replicas: int = 1
    metrics: tuple[MetricSpec, ...] = ()
    behavior: HorizontalPodAutoscalerBehavior | None = None
    status: HorizontalPodAutoscalerStatus = field(default_factory=HorizontalPodAutoscalerStatus)
    memory: HPAControllerRecord = field(default_factory=HPAControllerRecord)
    load: int | None = None
    #: environment: what a Running pod that is not Ready uses, in percent of one pod at the target
    #: (its start-up work; annotation ``kubecheck.io/startup-usage``, default 0).
    startup_usage: int = 0


@dataclass(frozen=True, slots=True)
class KindInfo:
    """What the model knows of one object kind apart from its functions: its ``name``, frozen class
    ``cls``, ``ClusterState`` table (``table``), ``api_version`` (manifests and owner references),
    ``short`` name (action labels: ``rs_create_pod``), the fields written through its status
    subresource (``status_fields``, ``model.apiserver.STATUS_FIELDS``), whether the API server bumps its
    ``metadata.generation`` on a spec change (``generation``), its position in the list of kinds
    manifests may declare (``manifest_rank``, the order error messages list them; ``None``: only
    controllers create it), its resource ``plural`` when it is not the lower-case name plus ``s``, and
    its lane ``alias`` in the trace views (``traces.describe``, which may not import the model: a test
    compares the two).  One entry per kind in :data:`KIND_INFO`; ``model/kinds.py`` adds the
    functions (:class:`model.records.Kind`).  The old per-kind tables are derived from it."""

    name: str
    cls: type
    table: str
    api_version: str
    short: str
    status_fields: tuple[str, ...]
    generation: bool = False
    manifest_rank: int | None = None
    plural: str = ""
    alias: str = ""

    @property
    def group(self) -> str:
        """The API group (``apps``; ``""`` for the core group)."""
        return self.api_version.rpartition("/")[0]

    @property
    def resource(self) -> str:
        """``schema.GroupResource.String()``: ``replicasets.apps``, ``pods``.

        >>> KindInfo("ReplicaSet", object, "replica_sets", "apps/v1", "rs", ()).resource
        'replicasets.apps'
        """
        plural = self.plural or self.name.lower() + "s"
        return f"{plural}.{self.group}" if self.group else plural


#: One entry per kind, in table order (the ``ClusterState`` fields' order).  Pods do not bump
#: ``generation`` (binding and status changes are not spec changes a controller observes through
#: observedGeneration); a pod's runtime view (sandbox, container statuses) lives in its status, as
#: upstream's PodStatus carries podIP and containerStatuses.
KIND_INFO: tuple[KindInfo, ...] = (
    KindInfo("Pod", Pod, "pods", "v1", "pod", ("phase", "conditions", "ready_elapsed", "sandbox", "container_statuses"),
             manifest_rank=4),
    KindInfo("ReplicaSet", ReplicaSet, "replica_sets", "apps/v1", "rs", ("status",), generation=True, manifest_rank=1),
    KindInfo("ReplicationController", ReplicationController, "replication_controllers", "v1", "rc", ("status",),
             generation=True, manifest_rank=3),
    KindInfo("Deployment", Deployment, "deployments", "apps/v1", "deployment", ("status", "progress_deadline_elapsed"),
             generation=True, manifest_rank=0),
    KindInfo("StatefulSet", StatefulSet, "stateful_sets", "apps/v1", "statefulset", ("status",), generation=True,
             manifest_rank=2),
    KindInfo("ControllerRevision", ControllerRevision, "controller_revisions", "apps/v1", "revision", ()),
    KindInfo("PersistentVolumeClaim", PersistentVolumeClaim, "persistent_volume_claims", "v1", "pvc", ("phase",),
             manifest_rank=6, alias="PVC"),
    KindInfo("Node", Node, "nodes", "v1", "node", ("ready", "eviction_timeout_elapsed"), manifest_rank=7),
    KindInfo("Service", Service, "services", "v1", "service", (), manifest_rank=5),
    KindInfo("PodDisruptionBudget", PodDisruptionBudget, "pod_disruption_budgets", "policy/v1", "pdb", ("status",),
             generation=True, manifest_rank=8, alias="PDB"),
    KindInfo("DaemonSet", DaemonSet, "daemon_sets", "apps/v1", "daemonset", ("status",), generation=True,
             manifest_rank=9),
    KindInfo("HorizontalPodAutoscaler", HorizontalPodAutoscaler, "horizontal_pod_autoscalers", "autoscaling/v2", "hpa",
             ("status", "memory"), manifest_rank=10, alias="HPA"),
)

#: kind name -> (class, ClusterState table attribute)
KINDS: dict[str, tuple[type, str]] = {k.name: (k.cls, k.table) for k in KIND_INFO}

def _cache_hashes(cls: type) -> None:
    """Give a frozen dataclass of :class:`_CachedHash` a cached ``__hash__`` and an ``==`` that
    rejects on different cached hashes (issue #17: the memo compares the objects a controller
    read, the tables rehash their objects on every write).

    Pure speed: the hash is the dataclass's own (a function of the compared fields, which never
    change: the objects are frozen), and two objects with different hashes are never equal.
    """
    hash0: Callable[[Any], int] = cls.__dict__["__hash__"]
    eq0: Callable[[Any, object], bool] = cls.__dict__["__eq__"]
    setattr_ = object.__setattr__

    def __hash__(self: Any) -> int:
        try:
            return self._h
        except AttributeError:
            h = hash0(self)
            setattr_(self, "_h", h)
            return h

    def __eq__(self: Any, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        a = getattr(self, "_h", None)
        if a is not None:
            b = getattr(other, "_h", None)
            if b is not None and a != b:
                return False
        return eq0(self, other)

    cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]
    cls.__eq__ = __eq__  # type: ignore[method-assign,assignment]


for _cls in (*(c for c, _ in KINDS.values()), OwnerReference, ContainerSpec, PodTemplate, ContainerStatus, ReplicaSetStatus,
             ReplicaSetCondition, DeploymentCondition, DeploymentStatus):
    _cache_hashes(_cls)

#: kind name -> apiVersion as written in manifests and owner references
API_VERSIONS: dict[str, str] = {k.name: k.api_version for k in KIND_INFO}

#: kind name -> the short name used in action labels (``rs_create_pod``, ``user_scale_deployment``)
SHORT_KIND_NAMES: dict[str, str] = {k.name: k.short for k in KIND_INFO}

_CLASS_TO_KIND = {cls: kind for kind, (cls, _) in KINDS.items()}


def kind_of(obj: object) -> str:
    """The Kubernetes kind name of a model object."""
    return _CLASS_TO_KIND[type(obj)]
