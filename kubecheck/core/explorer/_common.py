"""Private module for selective re-export: configuration, bound monitoring, findings and trace replay."""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

from kubecheck.core.errors import InvalidScenario, KubecheckError
from kubecheck.core.properties import Property
from kubecheck.core.ts import successors_fn
from kubecheck.core.judge import Outcome
from kubecheck.core.trace import Trace, replay_positions

#: Target wall seconds between two bound checks of a search (the stride adapts to the expansion rate).
CHECK_INTERVAL = 0.01
#: Seconds per stored state and eventual property that the fair-cycle analysis spends besides the
#: predicate (Tarjan, the loops over states and edges): 1-7 us measured on examples/web-deployment.yaml
#: (29 us per state in all for its two eventual rules, predicates included).
ANALYSIS_SECONDS_PER_STATE = 4e-6
#: Seconds between two timings of the eventual predicates (for the analysis' time reserve).
PROBE_INTERVAL = 0.1
#: Seconds between two ``progress="lines"`` lines (tests lower it).
PROGRESS_INTERVAL = 5.0
#: Bytes kept free below ``max_memory`` per stored state, for the visited set's next resize (a dict
#: allocates its new table, about 60 bytes per entry, while the old one is still alive).
RESIZE_RESERVE = 64

@dataclass(frozen=True, slots=True)
class SearchConfig:
    strategy: str
    symmetry: bool
    max_depth: int | None
    max_states: int | None
    timeout: float | None
    max_memory: int | None
    check_deadlock: bool
    keep_graph: bool
    #: "off", "bar" (tqdm) or "lines" (one line on stderr every :data:`PROGRESS_INTERVAL` seconds)
    progress: str
    #: the fingerprint width in bits when the visited set stores fingerprints (hash compaction), else None
    fingerprint_bits: int | None = None

    @property
    def engine(self) -> str:
        return f"explorer-{self.strategy}"

    def bounds(self) -> tuple[tuple[str, Any], ...]:
        out: list[tuple[str, Any]] = [("strategy", self.strategy), ("symmetry", self.symmetry)]
        if self.fingerprint_bits is not None:
            out.append(("fingerprint_bits", self.fingerprint_bits))
        for name in ("max_depth", "max_states", "timeout", "max_memory"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value))
        return tuple(out)


@dataclass(slots=True)
class Finding:
    """What a search found for one property: a violation, an example (``sometimes``) or an error.

    ``path`` is ``(init_index, positions)``: positions index into ``successors(state)`` along the way.
    ``loop`` (lasso only) lists the loop's positions, starting and ending at the path's last state; an
    empty tuple means no fair action is enabled in the last state, and the run stutters there.
    """

    kind: Outcome  # VIOLATION, EXAMPLE or ERROR
    path: tuple[int, tuple[int, ...]] | None  # None: no trace (e.g. an eventual predicate raised)
    loop: tuple[int, ...] | None = None
    note: str = ""


@dataclass(slots=True)
class SearchOutcome:
    findings: dict[int, Finding]
    states: int
    transitions: int
    max_depth: int
    complete: bool
    bound_hit: str | None
    graph: Any = None


def _page_size() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 4096


_PAGE = _page_size()


def _current_rss() -> int:
    """Resident set size in bytes: ``/proc/self/statm`` on Linux, the peak RSS elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return peak_rss()


def peak_rss() -> int:
    """The peak RSS of this process in bytes: ``VmHWM`` of ``/proc/self/status`` on Linux, else
    ``getrusage``'s ``ru_maxrss``.  (On Linux ``ru_maxrss`` survives ``exec``: a kubecheck started from
    a large process, such as a test runner, would report that process's size.)"""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


class RssReader:
    """The current RSS in bytes, read cheaply: ``/proc/self/statm`` is opened once and re-read with
    ``pread`` (about 1 us, against 7 us for open/read/close); elsewhere ``getrusage``'s peak RSS (which
    only grows, so a bound on it is conservative).  Open one per search: after ``fork`` the file
    still describes the parent."""

    __slots__ = ("fd",)

    def __init__(self) -> None:
        self.fd: int | None
        try:
            self.fd = os.open("/proc/self/statm", os.O_RDONLY)
            int(os.pread(self.fd, 128, 0).split()[1])
        except (OSError, ValueError, IndexError, AttributeError):
            self.close()
            self.fd = None

    def read(self) -> int:
        if self.fd is not None:
            try:
                return int(os.pread(self.fd, 128, 0).split()[1]) * _PAGE
            except (OSError, ValueError, IndexError):
                pass
        return peak_rss()

    def close(self) -> None:
        fd = getattr(self, "fd", None)
        if fd is not None:
            self.fd = None
            try:
                os.close(fd)
            except OSError:  # pragma: no cover
                pass


class MemoryGuard:
    """Stops *before* ``limit`` bytes of RSS: after each reading it predicts the growth until the next one.

    ``check(work, reserve)`` takes a count of units of work done so far (expansions, settle steps) and
    the bytes the caller must keep free (its visited set's next resize, what the analysis after the
    search will need).  From the growth per unit of work since the previous reading (the larger of the
    last rate and half the one before, so one quiet stretch does not hide the trend) it says
    ``"max_memory"`` when one more unit could cross the limit, and otherwise :attr:`stride`, the units of
    work after which the next reading should come so that the predicted growth stays within half of
    the room left.
    """

    __slots__ = ("limit", "reader", "rss", "peak", "_last_work", "_last_rss", "_rate", "stride")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reader = RssReader()
        self.rss = self._last_rss = self.reader.read()
        self.peak = self.rss
        self._last_work = 0
        self._rate = 0.0  # bytes per unit of work
        self.stride = 1

    def check(self, work: int, reserve: int = 0) -> str | None:
        rss = self.rss = self.reader.read()
        if rss > self.peak:
            self.peak = rss
        done = work - self._last_work
        if done > 0:
            rate = max(0, rss - self._last_rss) / done
            self._rate = max(rate, self._rate * 0.5)
            self._last_work, self._last_rss = work, rss
        room = self.limit - rss - reserve
        # one more unit of work (at twice the recent rate) must still fit
        if room <= 2 * self._rate:
            return "max_memory"
        self.stride = max(1, int(room / (2 * self._rate))) if self._rate > 0 else 1 << 20
        return None

    def restart(self) -> None:
        """Count units of work from 0 again (a different loop, with a different growth per unit)."""
        self._last_work = 0
        self._last_rss = self.reader.read()
        self._rate = 0.0

    def close(self) -> None:
        self.reader.close()


PROGRESS_MODES = ("auto", "bar", "lines", "off")


def progress_mode(progress: bool | str | None) -> str:
    """``"bar"``, ``"lines"`` or ``"off"`` for the ``progress=`` argument: ``None``/``"auto"`` is the
    bar when stderr is a terminal and lines otherwise (CI logs); ``True``/``False`` are bar/off."""
    if progress is None or progress == "auto":
        return "bar" if getattr(sys.stderr, "isatty", lambda: False)() else "lines"
    if progress is True:
        return "bar"
    if progress is False:
        return "off"
    if progress in ("bar", "lines", "off"):
        return str(progress)
    raise InvalidScenario(f"progress must be one of {', '.join(PROGRESS_MODES)} (or True/False/None), got {progress!r}")


class Monitor:
    """Checks wall time and memory at an adaptive stride and drives the progress display.

    A search calls :meth:`check` when its count of expanded states reaches :attr:`next_at` (one integer
    comparison per expansion, as cheap as the fixed ``% 1024`` test it replaces).  Each check measures
    the seconds per expansion since the previous one and sets the next stride so that the next check
    comes after about :data:`CHECK_INTERVAL` seconds, a quarter of the time left before the deadline
    (so the stride falls to 1 expansion near it: the overshoot is at most about one expansion), and
    no more memory growth than half of the room left below ``max_memory`` (:class:`MemoryGuard`).  The
    stride at most doubles from one check to the next, so a search that slows down (larger states,
    longer reconciles) is not checked at the rate of its fast start.
    """

    def __init__(
        self, cfg: SearchConfig, reserve_per_state: int = 0, analysis_probe: Callable[[Any], None] | None = None,
        analysis_props: int = 0,
    ) -> None:
        self.start = time.perf_counter()
        #: with eventual properties: evaluates their predicates on one state (timed every
        #: PROBE_INTERVAL), so the search stops early enough for the fair-cycle analysis to finish
        #: before the deadline
        self.probe = analysis_probe
        self.analysis_props = analysis_props
        self._probe_samples: list[float] = []
        self._probe_cost = 0.0
        self._next_probe = self.start
        self.timeout = cfg.timeout
        self.deadline = None if cfg.timeout is None else self.start + cfg.timeout
        self.interval = CHECK_INTERVAL if cfg.timeout is None else min(CHECK_INTERVAL, cfg.timeout / 200)
        self.memory = None if cfg.max_memory is None else MemoryGuard(cfg.max_memory)
        #: bytes to keep free per stored state below max_memory (visited-set resize, analysis after the search)
        self.reserve_per_state = RESIZE_RESERVE + reserve_per_state
        self.mode = cfg.progress
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(unit=" states", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
        self.stream = sys.stderr
        self.next_line = self.start + PROGRESS_INTERVAL
        self.lines = 0
        self.next_at = 1
        self._last = 0
        self._stride = 1
        self._t_last = self.start
        self._n_last = 0
        self._polls = 0

    def check(self, states: int, expanded: int = 0, depth: int = 0, state: Any = None) -> str | None:
        """The name of the bound that is exhausted, or ``None``; sets :attr:`next_at`.

        ``states``: distinct states stored; ``expanded``: states expanded so far (the unit of the
        stride); ``depth``: the depth being expanded (for the progress display); ``state``: a state,
        or a list of consecutive ones, to time the analysis probe on (the general loop passes the last
        eight it stored)."""
        now = time.perf_counter()
        if self.bar is not None:
            self.bar.update(states - self._last)
            self._last = states
        elif self.mode == "lines" and now >= self.next_line:
            self._line(states, depth, now)
        end = self.deadline
        if end is not None and now >= end:
            return "timeout"
        if end is not None and self.probe is not None and state is not None and now >= self._next_probe:
            # Leave time for the fair-cycle analysis after the search: per stored state, the eventual
            # predicates (timed here on the last few states stored, which the analysis also visits one
            # after the other and so shares identity caches between; the median of the last 15 timings,
            # so one GC pause or descheduling does not count, while a steadily loaded machine does)
            # and the SCC work.  Measured on examples/web-deployment.yaml the probe says 34 us a state
            # against the 22-24 us the analysis spends: it errs on the early side, so no margin.
            batch = state if isinstance(state, list) else [state]
            for one in batch:
                self.probe(one)
            after = time.perf_counter()
            samples = self._probe_samples
            samples.append((after - now) / len(batch))
            if len(samples) > 15:
                del samples[0]
            self._probe_cost = sorted(samples)[len(samples) // 2]
            # every PROBE_INTERVAL: eight predicate calls a check would cost ~3 % of the search
            self._next_probe = after + PROBE_INTERVAL
            now = after
        if end is not None and self._probe_cost:
            end -= states * (self._probe_cost + ANALYSIS_SECONDS_PER_STATE * self.analysis_props)
            if now >= end:
                return "timeout"
        done = expanded - self._n_last
        per = (now - self._t_last) / done if done > 0 else 0.0  # seconds per expansion
        self._t_last, self._n_last = now, expanded
        window = self.interval
        if end is not None:
            window = min(window, (end - now) / 4)
        stride = int(window / per) if per > 0 else 2 * self._stride
        if self.memory is not None:
            hit = self.memory.check(expanded, states * self.reserve_per_state)
            if hit is not None:
                return hit
            stride = min(stride, self.memory.stride)
        stride = max(1, min(stride, 2 * self._stride))
        self._stride = stride
        self.next_at = expanded + stride
        return None

    def poll(self) -> str | None:
        """The bound that is exhausted, or ``None``, for work after the search (the fair-cycle analysis):
        the clock, and the RSS against ``max_memory`` (no room is reserved any more)."""
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return "timeout"
        if self.memory is not None:
            if not self._polls:
                self.memory.restart()  # a new unit of work: one poll
            self._polls += 1
            return self.memory.check(self._polls)
        return None

    def _line(self, states: int, depth: int, now: float) -> None:
        elapsed = now - self.start
        rate = states / elapsed if elapsed > 0 else 0.0
        print(f"kubecheck: {states:,} states, depth {depth}, {rate:,.0f} states/s, {elapsed:.1f} s elapsed",
              file=self.stream, flush=True)
        self.lines += 1
        self.next_line = now + PROGRESS_INTERVAL

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def close(self, states: int, bound_hit: str | None = None) -> None:
        if self.memory is not None:
            self.memory.close()
        if self.bar is not None:
            self.bar.update(states - self._last)
            self.bar.close()
        elif self.mode == "lines" and self.lines:
            # a search that printed progress says how it ended (and which bound cut it)
            how = f"cut by {bound_hit}" if bound_hit else "done"
            print(f"kubecheck: search {how}: {states:,} states in {self.elapsed():.1f} s", file=self.stream, flush=True)


def positions_from_keys(
    system: Any, init_index: int, keys: Sequence[Hashable], key_of: Callable[[Any], Hashable]
) -> tuple[int, ...]:
    """Turn a chain of state keys (after the initial one) into successor positions.

    The edge that discovered a state is the *first* successor of its parent with that key, so matching
    the first successor with the wanted key replays exactly the stored path (IMPORTANT: the path
    continues from the original successor state, never from the canonical representative, so every
    step of the trace is a real step of the system).
    """
    succ = successors_fn(system)
    state = list(system.init_states())[init_index]
    out: list[int] = []
    for want in keys:
        for pos, (_, nxt) in enumerate(succ(state)):
            if key_of(nxt) == want:
                out.append(pos)
                state = nxt
                break
        else:  # pragma: no cover - only if the system is nondeterministic
            raise KubecheckError(
                "replay failed: successors() no longer yields a state seen during the search; "
                "the system's actions()/step()/successors() must be deterministic"
            )
    return tuple(out)


def build_trace(system: Any, prop: Property, finding: Finding, cfg: SearchConfig) -> Trace:
    assert finding.path is not None
    init_index, prefix = finding.path
    if finding.loop is None:
        initial, steps = replay_positions(system, init_index, prefix)
        return Trace(initial, tuple(steps), prop.rule_id, prop.name, None, cfg.engine, cfg.bounds(), init_index)
    initial, steps = replay_positions(system, init_index, tuple(prefix) + tuple(finding.loop))
    loop_start = len(prefix)
    loop_step = None
    if finding.loop:
        loop_step = steps.pop()
    return Trace(
        initial, tuple(steps), prop.rule_id, prop.name, loop_start, cfg.engine, cfg.bounds(), init_index, loop_step
    )
