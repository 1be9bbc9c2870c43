"""What ``vulture --min-confidence 60 kubecheck model properties traces bench`` reports and why each
stays (tests/test_dead_code.py runs vulture with this file; a new report fails the test).

Each entry names an attribute vulture believes unused, with the reason it is kept.  Entries marked
"owner" are code other work of this round owns (docs/architecture.md, "Complexity and dead code"):
left for it to use or remove, not deleted here by a move-only change.
"""

from typing import Any


class _Names:
    """Any attribute: each ``_.name`` below is a use of ``name`` for vulture, and nothing at run time."""

    def __getattr__(self, name: str) -> Any:
        return self


_ = _Names()

# --- entry points vulture cannot see
_.convert  # kubecheck/cli.py: click.ParamType.convert, called by click
_.explain  # kubecheck/cli.py: a click command
_.list_scenarios  # kubecheck/cli.py: a click command
_.prove  # kubecheck/cli.py: a click command
_.__getattr__  # kubecheck/core/__init__.py: the module __getattr__ (lazy explore/check)
_.teardown  # kubecheck/core/random/bridge.py: Hypothesis' state-machine hook
_.kubecheck  # kubecheck/pytest_plugin.py: the pytest fixture
_.__add__  # kubecheck/symbolic/rollout.py: the + operator
_.representative  # model/system.py: BaseSystem hook (the renamed copy), no caller in the packages (not audited)
_.from_dict  # kubecheck/runner.py: the inverse of to_dict, no caller in the packages (API kept; not audited)
_.as_dict  # kubecheck/symbolic/check.py: JSON form, no caller in the packages (API kept; not audited)
_.is_lasso  # kubecheck/core/trace.py: public Trace API, no caller in the packages (API kept; not audited)
_.by_label  # kubecheck/core/random/_walk.py: public statistics API, no caller in the packages (API kept; not audited)
_.by_actor_kind  # kubecheck/core/random/_walk.py: public statistics API, no caller in the packages (API kept; not audited)
_.line_of  # model/manifests.py: public loader API, no caller in the packages (API kept; not audited)
_.requires_exact_match  # model/labels.py: port of the upstream Selector method, with its upstream test table
_.has_value  # model/labels.py: port of the upstream Requirement method (owner)

# --- dataclass fields read generically or kept for the upstream shape
_.controller_revisions  # model/state.py: ClusterState tables, read through model.objects.KINDS names
_.persistent_volume_claims
_.pod_disruption_budgets
_.progress_deadline  # model/system.py Scenario field, read by getattr through Timer.opt_in (model.registry.TIMERS)
_.node_recovery  # model/environment.py FaultBudget fields, read by getattr through Fault.budget (model.registry.FAULTS)
_.force_delete
_.cluster_ip  # model/objects.py Service: loaded from manifests, upstream field kept for rendering
_.number_misscheduled  # model/objects.py DaemonSetStatus: upstream status fields the controller writes
_.alias  # model/objects.py KindInfo: the trace lane alias; traces/ may not import the model, so tests/model/test_registry.py checks traces.describe._ALIASES against it
_.classes  # kubecheck/scenarios.py ActionKey: the UserAction classes a scenario-file key builds; tests/model/test_registry.py builds every key and checks them, and that every USER_ACTIONS class is reached
_.number_unavailable
_.all_errors  # model/manifests.py: the loader's error list, no caller in the packages (not audited)
_.misses  # model/canonical.py: statistics counter nothing reads yet
_.tests  # traces/minimize.py: statistics counter nothing reads yet
_.object_trace  # kubecheck/symbolic/prove.py: result field filled for callers (owner)
_.COVERED_FAULTS  # kubecheck/symbolic/check.py: documented table (owner)

# --- owner: code other work of this round owns
_.replace_initial  # kubecheck/scenarios.py
_.describe_user_action  # model/environment.py
_.is_stateful_set_pod  # properties/_common.py
_.actor_of  # kubecheck/symbolic/rollout.py
_.state_key  # kubecheck/symbolic/rollout.py
_.new_pdu  # kubecheck/symbolic/rollout.py: named unpacking of the count vector
_.new_pda
_.new_ps
_.old_pdu
_.new_doomed
_.old_doomed
_.mid_ps  # the second old ReplicaSet's pending status write (read through rollout._side)
_.raise_expectations  # model/controller_utils.py: ControllerExpectations port (informer-cache work)
_.is_never_ready_image  # model/kubelet.py (image facts)
_._current_rss  # kubecheck/core/explorer/_common.py: memory probe (bounds monitor)

# --- bench/: benchmark drivers (owner)
_.OUTCOMES  # bench/manifest_fuzz.py
_.got_idx
_._family  # bench/por_probe.py
_.kx
_.ky
_._rss_now  # bench/runner.py
_.scenario_runs
_.runs_to_json
_.matched  # bench/spin/driver.py: parsed SPIN output fields
_.state_vector_bytes
_.pan_memory_mb
_.P_NEW_RS_AVAILABLE  # bench/spin/rollout_gen.py: Promela constants
_.P_NEW_RS_CREATED
_.P_RS_UPDATED
_._scenario_of  # bench/spin_rollout.py

# --- counters read by tests
_.published  # model/prober.py: ProbeWorker's published result, read by tests/model/test_prober.py (the worker_test.go tables)
_.forked  # kubecheck/pool.py: SearchPool counters, read by tests/cli/test_parallel.py
_.reruns  # kubecheck/pool.py: SearchPool counters, read by tests/cli/test_parallel.py
_.losses  # kubecheck/pool.py: SearchPool counters (workers lost), reported for debugging
_.tasks  # kubecheck/pool.py: RaySearchPool counter (searches run as Ray tasks), read by tests/distributed/test_ray.py
_.persistent_id  # kubecheck/core/distributed/_worker.py: pickle.Pickler hook, called by pickle
_.persistent_load  # kubecheck/core/distributed/_worker.py: pickle.Unpickler hook, called by pickle
_.__reduce__  # model/state.py: ClusterState's pickling (without its index cache), called by pickle
_._stable_hash  # model/system.py: KubeSystem's StableHash, set on first use and read back through __dict__.get (bench/ray_bench.py reads its memos)
_.memory_now  # kubecheck/core/distributed/_worker.py: Worker.memory_now, called on a Ray actor handle (handle.memory_now.remote()) to split a worker's RSS by kind (docs/performance.md, Ray, fourth session)
