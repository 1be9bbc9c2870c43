"""Independent searches in a local process pool (``kubecheck check --jobs N``, issue 17 item 4).

The check pipeline submits every engine run of every scenario (scenarios x interaction groups x
rolled workloads x reductions) to a :class:`SearchPool` before it reads any result, then reads the
results in submission order, so the report is the one the sequential path writes, byte for byte
(``tests/cli/test_parallel.py``).

* **One forked process per search**, at most ``jobs`` at a time.  ``fork`` (not ``spawn``): the
  child inherits the search as it stands in memory (properties are closures, user rules come from
  files imported under generated module names; none of it needs to be picklable), the same hash
  seed and the same memo caches.  Only the result travels back, through a pipe, pickled: each
  :class:`~kubecheck.core.verdict.PropertyResult` without its property (the parent puts its own
  back).  Where ``fork`` is missing (Windows), or with ``jobs=1``, a search runs in this process
  when its result is first asked for, which is the sequential path of before.
* **Bounds per search and per worker**: ``--timeout`` and ``--max-memory`` are enforced by the
  engine inside each child, on the child's own clock and RSS (so N workers may use up to N times
  ``--max-memory``).  The parent also kills a child that runs :data:`GRACE` past its timeout (a step
  that never returns) and reports that search as ERROR.
* **A child that dies** (killed, out of memory) makes its search ERROR with a message, never HOLDS.
  A child whose result cannot be pickled (a user's model holding a lambda in a trace) or that
  raised something that cannot be sent is re-run here, so the outcome is the sequential one.
* **Ctrl-C**: the terminal's SIGINT reaches every child; each running search stops as the
  sequential one does ("interrupted", HOLDS_WITHIN_BOUNDS).  A child takes at most one SIGINT (the
  parent forwards one to each running child when only the parent got it).  A second Ctrl-C in the
  parent kills the children and stops the run.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import time
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

__all__ = ["SearchPool", "RaySearchPool", "default_jobs", "GRACE", "LOST"]

#: Seconds past a search's timeout after which its worker is killed (and the search is ERROR).
GRACE = 60.0
#: The ``bound_hit`` of a search whose worker was lost (died, or killed after its timeout).
LOST = "worker lost"


def default_jobs() -> int:
    """The cores this process may run on (``--jobs`` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _fork_context() -> Any:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return None


class _Job:
    __slots__ = ("fn", "props", "timeout", "done", "value", "error", "proc", "conn", "started", "interrupted")

    def __init__(self, fn: Callable[[], Any], props: list[Any], timeout: float | None) -> None:
        self.fn = fn
        self.props = props
        self.timeout = timeout
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.proc: Any = None
        self.conn: Connection | None = None
        self.started = 0.0
        self.interrupted = False


def _sigint_once(_signum: int, _frame: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _portable(result: Any) -> Any:
    """An engine result without its properties (closures): the parent puts them back."""
    results = getattr(result, "results", None)
    if results is None:
        return result
    return replace(result, results=tuple(replace(r, property=None) for r in results), graph=None)


def _child(job: _Job, conn: Connection) -> None:
    signal.signal(signal.SIGINT, _sigint_once)
    try:
        msg: tuple[str, Any] = ("ok", _portable(job.fn()))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it as the sequential path would
        msg = ("raised", exc)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - not picklable: the parent runs it itself
        data = pickle.dumps(("rerun", f"{type(exc).__name__}: {exc}"))
    conn.send_bytes(data)
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()


class SearchPool:
    """Runs submitted searches in up to ``jobs`` forked workers; results are read in any order.

    ``submit(fn, props, timeout)`` queues ``fn`` (a search returning an
    :class:`~kubecheck.core.verdict.ExplorationResult`, whose results belong to ``props``) and returns
    a handle; ``result(handle)`` starts queued searches (oldest first) while it waits.  ``lost(props,
    note)`` builds the result of a search whose worker was lost.  Use it as a context manager: leaving
    it kills the workers still running (only those it started)."""

    def __init__(self, jobs: int, lost: Callable[[list[Any], str], Any] | None = None) -> None:
        self.ctx = _fork_context() if jobs > 1 else None
        self.jobs = jobs if self.ctx is not None else 1
        self.queue: list[_Job] = []
        self.running: list[_Job] = []
        self.lost = lost
        #: searches run in workers, re-run here (result not picklable), and workers lost
        self.forked = self.reruns = self.losses = 0

    def __enter__(self) -> "SearchPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def submit(self, fn: Callable[[], Any], props: list[Any], timeout: float | None = None) -> _Job:
        job = _Job(fn, props, timeout)
        if self.jobs > 1:
            self.queue.append(job)
        return job

    def result(self, job: _Job) -> Any:
        if self.jobs <= 1 or (not job.done and job.proc is None and not self.forked and len(self.queue) == 1):
            # sequential, or the run's only search: in this process, no fork.  Once one search has
            # forked, every later one forks too, so where a search runs never depends on timing.
            if not job.done:
                if job in self.queue:
                    self.queue.remove(job)
                job.value, job.done = job.fn(), True
            return self._value(job)
        interrupts = 0
        while not job.done:
            self._fill()
            try:
                self._wait()
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts > 1:
                    self.close()
                    raise
                self._interrupt()
        return self._value(job)

    def _value(self, job: _Job) -> Any:
        if job.error is not None:
            raise job.error
        value = job.value
        results = getattr(value, "results", None)
        if results is not None and results and results[0].property is None:
            value = replace(value, results=tuple(replace(r, property=p) for r, p in zip(results, job.props)))
        return value

    def _fill(self) -> None:
        assert self.ctx is not None  # jobs > 1
        while self.queue and len(self.running) < self.jobs:
            job = self.queue.pop(0)
            reader, writer = self.ctx.Pipe(duplex=False)
            sys.stdout.flush()
            sys.stderr.flush()
            proc = self.ctx.Process(target=_child, args=(job, writer), daemon=True)
            proc.start()
            writer.close()
            job.proc, job.conn, job.started = proc, reader, time.monotonic()
            self.running.append(job)
            self.forked += 1

    def _wait(self) -> None:
        now = time.monotonic()
        deadlines = [j.started + j.timeout + GRACE for j in self.running if j.timeout is not None]
        limit = max(0.0, min(deadlines) - now) if deadlines else None
        ready = wait([j.conn for j in self.running if j.conn is not None] + [j.proc.sentinel for j in self.running], limit)
        for job in list(self.running):
            if job.conn is not None and job.conn in ready:
                self._receive(job)
            elif job.proc.sentinel in ready and not job.conn.poll():  # type: ignore[union-attr]
                self._lose(job, None)
            elif job.timeout is not None and time.monotonic() > job.started + job.timeout + GRACE:
                self._lose(job, f"the search's worker ran {GRACE:.0f} s past its --timeout of {job.timeout} s and was "
                                "killed: nothing is claimed")

    def _receive(self, job: _Job) -> None:
        try:
            kind, payload = pickle.loads(job.conn.recv_bytes())  # type: ignore[union-attr]
        except (EOFError, OSError):
            kind, payload = "dead", None
        self._finish(job)
        if kind == "ok":
            job.value, job.done = payload, True
        elif kind == "raised":
            job.error, job.done = payload, True
        elif kind == "rerun":
            self.reruns += 1
            job.value, job.done = job.fn(), True
        else:
            self._lose_result(job, self._death(job))

    def _finish(self, job: _Job) -> None:
        if job.conn is not None:
            job.conn.close()
            job.conn = None
        job.proc.join(timeout=5)
        if job.proc.is_alive():  # pragma: no cover - it sent its result and should be exiting
            job.proc.kill()
            job.proc.join()
        self.running.remove(job)

    def _lose(self, job: _Job, note: str | None) -> None:
        if job.proc.is_alive():
            job.proc.kill()
        self._finish(job)
        self._lose_result(job, note or self._death(job))

    @staticmethod
    def _death(job: _Job) -> str:
        code = job.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"the search's worker process died ({how}; out of memory?) before reporting: nothing is claimed"

    def _lose_result(self, job: _Job, note: str) -> None:
        self.losses += 1
        if self.lost is None:
            job.error = RuntimeError(note)
        else:
            job.value = self.lost(job.props, note)
        job.done = True

    def _interrupt(self) -> None:
        """Forward one SIGINT to each running worker that has not had one from us (the terminal's
        reaches them too; a worker takes the first and ignores the rest)."""
        for job in self.running:
            if not job.interrupted and job.proc.pid is not None:
                job.interrupted = True
                try:
                    os.kill(job.proc.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass

    def close(self) -> None:
        """Kill the workers still running (ours only, by process id) and forget the queue."""
        for job in list(self.running):
            if job.proc.is_alive():
                job.proc.kill()
            job.proc.join()
            if job.conn is not None:
                job.conn.close()
                job.conn = None
        self.running.clear()
        self.queue.clear()


def _search_task(fn: Callable[[], Any]) -> bytes:
    """A search run as a Ray task: the message :func:`_child` would send, pickled here (so a result
    that cannot be pickled is re-run by the caller, as with the process pool)."""
    try:
        msg: tuple[str, Any] = ("ok", _portable(fn()))
    except BaseException as exc:  # noqa: BLE001 - re-raised by the caller, as the sequential path would
        msg = ("raised", exc)
    try:
        return pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - not picklable: the caller runs it itself
        return pickle.dumps(("rerun", f"{type(exc).__name__}: {exc}"))


class RaySearchPool(SearchPool):
    """:class:`SearchPool`'s interface, each search a Ray task (``kubecheck check --ray ADDRESS --workers 1``,
    issue 22 item 2): the independent searches run in parallel over the cluster's CPUs, one task
    (one CPU) each, and are read in submission order, so the report is the sequential one.

    * Every search is submitted when it is (Ray queues what the cluster cannot run yet); the search
      function travels with its system and properties (cloudpickle: closures, and a rules file's
      functions, whose generated module is not in ``sys.modules``, go by value).  One that cannot
      be sent, or whose task cannot load it, or whose result cannot be pickled, runs in this
      process instead (``reruns``).
    * ``--timeout`` is the engine's, inside the task; a task that runs :data:`GRACE` past it is
      cancelled and its search is ERROR, as is one whose worker dies: never HOLDS.
    * Ctrl-C cancels every task of this pool (only those)."""

    def __init__(self, address: str | None, lost: Callable[[list[Any], str], Any] | None = None) -> None:
        from kubecheck.core.distributed import connect_ray, release_workers

        super().__init__(1, lost)
        self.ray = connect_ray(address)
        release_workers()  # the distributed search's idle actors would hold the CPUs the tasks need
        self.jobs = max(2, int(self.ray.cluster_resources().get("CPU", 1)))
        self.remote = self.ray.remote(num_cpus=1, max_retries=0)(_search_task)
        self.refs: dict[int, Any] = {}
        #: searches run as Ray tasks
        self.tasks = 0

    def submit(self, fn: Callable[[], Any], props: list[Any], timeout: float | None = None) -> _Job:
        job = _Job(fn, props, timeout)
        try:
            self.refs[id(job)] = self.remote.remote(fn)
            self.tasks += 1
        except Exception:  # noqa: BLE001 - cannot be sent (pickling): result() runs it here
            self.reruns += 1
        return job

    def result(self, job: _Job) -> Any:
        if job.done:
            return self._value(job)
        ref = self.refs.pop(id(job), None)
        if ref is None:
            job.value, job.done = job.fn(), True
            return self._value(job)
        ray = self.ray
        limit = None if job.timeout is None else job.timeout + GRACE
        try:
            kind, payload = pickle.loads(ray.get(ref, timeout=limit))
        except KeyboardInterrupt:
            self.close()
            raise
        except ray.exceptions.GetTimeoutError:
            ray.cancel(ref, force=True)
            kind, payload = "lost", (f"the search's Ray task ran {GRACE:.0f} s past its --timeout of {job.timeout} s and was "
                                     "cancelled: nothing is claimed")
        except ray.exceptions.RayTaskError as exc:  # the task could not load the search (an import in the worker)
            kind, payload = "rerun", str(exc)
        except ray.exceptions.RayError as exc:  # the worker died, the object was lost
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            kind, payload = "lost", f"the search's Ray task was lost ({type(exc).__name__}: {first}): nothing is claimed"
        if kind == "ok":
            job.value, job.done = payload, True
        elif kind == "raised":
            job.error, job.done = payload, True
        elif kind == "rerun":
            self.reruns += 1
            job.value, job.done = job.fn(), True
        else:
            self._lose_result(job, payload)
        return self._value(job)

    def close(self) -> None:
        """Cancel this pool's tasks not yet read."""
        for ref in self.refs.values():
            try:
                self.ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - already finished
                pass
        self.refs.clear()
