"""Live fusion: the server fuses submissions as they arrive.

One thread (:class:`LiveFusion`) holds an incremental fusion engine
(:class:`~trucewatch.fusion.streaming.IncrementalFusion`) of the store's recent
observations. Woken by the bus when submissions are committed (and every ``poll_s``
seconds anyway, for imports from the command line or a lost notification), it reads the
observations of the import batches stored since it last looked, adds them to the engine,
assesses the incidents of the components they touched against the agreements (as
``fuse`` does) and stores them (:func:`trucewatch.store.live.apply_incident_changes`: the
incidents, their ledger entries and one ``incident_changes`` row per change); then it
tells the bus (:data:`~trucewatch.app.bus.INCIDENTS`).

**Refresh.** Clusters, locations, times and kinds of live incidents are those of a batch
fusion at once, but the negative evidence of silent arrays, the ``activity`` feature of the
confidence and attribution's pairing look beyond the component, so confidence, status and
attribution can lag. :meth:`IncrementalFusion.refresh` re-fuses every component; the service
refreshes after ``quiet_s`` seconds without arrivals and at least every ``refresh_s``
seconds while they keep coming, if anything changed since the last refresh. After a
refresh the live incidents equal a batch ``fuse`` of the same observations.

**What it holds.** It resumes after the last import batch it took (``live_cursor``,
written with the incidents it stored), so a restart loses no submission. At start, the
observations of the last ``seed_days`` UTC days (by start time) taken already are loaded
silently (their incidents are those already stored), with the days of the incidents
changed since the last refresh (``live_cursor``), which are refreshed soon; an arrival
on an older day first loads that day and the days either side. Memory grows with the days
touched since the server started.

**Retractions.** When an analyst retracts an observation (the route wakes the service),
the service rebuilds the days it holds from the store without the retracted observations,
refreshes, and stores the difference: an incident that lost evidence is re-fused or
retired, as the next ``trucewatch fuse`` would do.

With several processes on one PostgreSQL store, only the process holding the live lock
(:class:`trucewatch.store.bus.Leadership`) fuses; the others take over if it stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from trucewatch import limits
from trucewatch.agreements.verdicts import AssessContext, attach_assessments
from trucewatch.app.agreements import stored_agreements
from trucewatch.app.bus import INCIDENTS, OBSERVATIONS, Bus
from trucewatch.app.engine import engine_run
from trucewatch.app.lines import line_history
from trucewatch.app.review import remap_reviews
from trucewatch.app.session import Store
from trucewatch.app.thermal import war_fire_incidents
from trucewatch.fusion.streaming import IncrementalFusion, StreamUpdate
from trucewatch.geo.history import LineHistory
from trucewatch.store import live as live_store
from trucewatch.store.bus import Leadership
from trucewatch.types import EventKind, Incident, Observation, SourceKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSettings:
    """When the live service looks and refreshes (seconds) and what it loads at start."""

    poll_s: float = 2.0
    """Look for new batches at least this often (imports by other means, lost notices)."""
    quiet_s: float = 10.0
    """Refresh after this long without arrivals (if anything changed since the last)."""
    refresh_s: float = 300.0
    """Refresh at least this often while observations keep arriving."""
    seed_days: int = 2
    """UTC days (by start time, up to today) loaded at start."""


@dataclass
class LiveStats:
    """What the service did (for the health route and the benchmarks)."""

    observations: int = 0
    steps: int = 0
    refreshes: int = 0
    last_change_id: int = 0
    last_step_s: float = 0.0
    last_refresh_s: float = 0.0
    leader: bool = False


class LiveFusion:
    """The live fusion thread (see the module docstring)."""

    def __init__(self, store: Store, bus: Bus, settings: LiveSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.store = store
        self.bus = bus
        self.settings = settings or LiveSettings()
        self.stats = LiveStats()
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._leadership = Leadership(store.engine)
        self._engine: IncrementalFusion | None = None
        self._lines: LineHistory | None = None
        self._days: set[date] = set()
        self._last_batch = 0
        self._incident_of: dict[str, str] = {}
        self._retracted = 0
        self._dirty = False
        # from a start with stale days until the first refresh: the days were loaded
        # silently, so the engine's state is not what the store holds (refresh)
        self._unsynced = False
        self._last_arrival = 0.0
        self._last_refresh = 0.0
        self._mark_start()
        bus.subscribe(self._heard)
        self._thread = threading.Thread(target=self._run, name="live-fusion", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- the thread

    def _heard(self, channel: str, _payload: str) -> None:
        if channel == OBSERVATIONS:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.stats.leader = self._leadership.try_lead()
                if self.stats.leader:
                    self._cycle()
            except Exception:  # keep serving; the next cycle tries again
                log.exception("live fusion failed; retrying")
                self._stop.wait(1.0)

    def _cycle(self) -> None:
        if self._engine is None:
            self._start()
        if live_store.retraction_count(self.store.engine) != self._retracted:
            self.reload()
        if self.step():
            return
        now = self._clock()
        quiet = now - self._last_arrival >= self.settings.quiet_s
        due = now - self._last_refresh >= self.settings.refresh_s
        if self._dirty and (quiet or due):
            self.refresh()
        self._idle.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(30.0)
        self._leadership.close()

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Wait until the service has taken everything stored so far (for tests)."""
        target = live_store.last_batch_id(self.store.engine)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._idle.clear()
            if self._engine is not None and self._last_batch >= target:
                return True
            self._wake.set()
            self._idle.wait(0.2)
        return False

    # ---------------------------------------------------------------- the work

    def _mark_start(self) -> None:
        """On a store where live fusion never ran, start after the batches stored so far:
        set here, before the server takes its first submission, so that none falls
        between this point and the thread's first cycle (it would be taken as old)."""
        if live_store.cursor(self.store.engine) is None:
            live_store.set_cursor(self.store.engine, live_store.last_batch_id(self.store.engine))

    def _start(self) -> None:
        """Resume after the last batch taken (:meth:`_mark_start` on a store where live
        fusion never ran) and load the recent days silently."""
        self._lines = _lines(self.store)
        self._engine = IncrementalFusion(self._lines)
        self._retracted = live_store.retraction_count(self.store.engine)
        resume = live_store.cursor(self.store.engine)
        self._last_batch = (live_store.last_batch_id(self.store.engine) if resume is None
                            else resume)  # fmt: skip
        if resume is None:
            live_store.set_cursor(self.store.engine, self._last_batch)
        today = datetime.now(UTC).date()
        days = {today - timedelta(days=k) for k in range(self.settings.seed_days)}
        # incidents changed since the last refresh (a server stopped before refreshing):
        # hold their days, and refresh them soon
        refreshed = live_store.cursor(self.store.engine, live_store.REFRESH_CURSOR) or 0
        stale = live_store.days_changed_after(self.store.engine, refreshed)
        days |= {d + timedelta(days=k) for d in stale for k in (-1, 0, 1)}
        self._load_days(days)
        self._dirty = self._unsynced = bool(stale)
        self._last_refresh = self._clock()

    def _load_days(self, days: Iterable[date]) -> None:
        """Add the stored observations of ``days`` that live fusion (or a ``fuse``) has
        taken already, silently (their incidents are stored): those of the batches up to
        the cursor; later batches are taken by :meth:`step`."""
        assert self._engine is not None
        for day in sorted(set(days) - self._days):
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            observations, _ = live_store.observations_fused(
                self.store.engine, start, start + timedelta(days=1), self._last_batch)
            update = self._engine.add(_trusted(observations))
            self._days.add(day)
            self._remember(update.incidents)

    def step(self) -> bool:
        """Take the batches stored since the last step; True when there were any."""
        engine = self._engine
        assert engine is not None
        batches = live_store.batches_after(self.store.engine, self._last_batch)
        if not batches:
            return False
        t0 = time.perf_counter()
        observations, _ = live_store.observations_of_batches(self.store.engine, batches)
        new = _trusted(observations)
        days = {o.time_start.astimezone(UTC).date() + timedelta(days=k)
                for o in new for k in (-1, 0, 1)} - self._days  # fmt: skip
        if days:
            self._load_days(days)
        update = engine.add(new)
        self._store(update, cursor=batches[-1])
        self._last_batch = batches[-1]
        self.stats.observations += update.observations
        self.stats.steps += 1
        self.stats.last_step_s = time.perf_counter() - t0
        self._last_arrival = self._clock()
        self._dirty = True
        return True

    def reload(self) -> None:
        """Rebuild the days held from the store, without the observations retracted since
        (see the module docstring), and store what changed against the stored incidents."""
        assert self._engine is not None
        t0 = time.perf_counter()
        before = live_store.last_change_id(self.store.engine)
        stored = {i.uid: i for i in self._engine.incidents()}
        stored_of, days = self._incident_of, set(self._days)
        self._retracted = live_store.retraction_count(self.store.engine)
        self._lines = _lines(self.store)
        self._engine, self._days, self._incident_of = IncrementalFusion(self._lines), set(), {}
        self._load_days(days)
        self._engine.refresh()
        now = {i.uid: i for i in self._engine.incidents()}
        self._store(StreamUpdate(incidents=[i for u, i in now.items() if stored.get(u) != i],
                                 retired=sorted(set(stored) - set(now))),
                    superseded_from=stored_of)  # fmt: skip
        self._refreshed(before, t0)

    def refresh(self) -> None:
        """Re-fuse every component held (see the module docstring) and store what changed."""
        assert self._engine is not None
        t0 = time.perf_counter()
        before = live_store.last_change_id(self.store.engine)
        self._lines = _lines(self.store)  # lines may have been imported since
        self._engine.lookup = self._lines
        update = self._engine.refresh()
        if self._unsynced:
            update = self._with_stored_differences(update)
            self._unsynced = False
        self._store(update)
        self._refreshed(before, t0)

    def _with_stored_differences(self, update: StreamUpdate) -> StreamUpdate:
        """``update`` with every held incident whose stored confidence, status or
        attribution differs from the engine's. After a start with stale days (a server
        stopped before refreshing) the engine's state is that of the silent load, not what
        the store holds (the steps' values before the stop), so a refresh that changes
        nothing in the engine may still change the store."""
        assert self._engine is not None
        held = self._engine.incidents()
        if not held:
            return update
        since = min(i.time_start for i in held)
        until = max(i.time_start for i in held) + timedelta(seconds=1)
        stored = {i.uid: _refreshed_facts(i) for i in self.store.incidents(since, until)}
        changed = {i.uid for i in update.incidents}
        extra = [i for i in held
                 if i.uid not in changed and stored.get(i.uid) != _refreshed_facts(i)]
        return StreamUpdate(observations=update.observations,
                            incidents=[*update.incidents, *extra], retired=update.retired)

    def _refreshed(self, before: int, t0: float) -> None:
        """Record a refresh (or rebuild) that began at ``t0`` (``perf_counter``) when the
        last stored change was ``before``."""
        live_store.set_cursor(self.store.engine, before, live_store.REFRESH_CURSOR)
        self._dirty = False
        self._last_refresh = self._clock()
        self.stats.refreshes += 1
        self.stats.last_refresh_s = time.perf_counter() - t0

    def _store(self, update: StreamUpdate, cursor: int | None = None,
               superseded_from: dict[str, str] | None = None) -> None:  # fmt: skip
        """Store ``update``; ``superseded_from``: the incident each observation was in
        before it (default: as this service last stored them)."""
        assessed = self._assessed(update.incidents)
        supersedes = self._supersedes(
            update, self._incident_of if superseded_from is None else superseded_from)
        last = live_store.apply_incident_changes(self.store, assessed, update.retired,
                                                 supersedes, engine_run(None, None),
                                                 cursor=cursor)  # fmt: skip
        self._remember(update.incidents)
        if update.incidents:  # reviews rest on the new automatic incidents (app.review)
            starts = [i.time_start for i in update.incidents]
            remap_reviews(self.store, min(starts), max(starts) + timedelta(seconds=1))
        if last:
            self.stats.last_change_id = last
            self.bus.publish(INCIDENTS, str(last))

    def _assessed(self, incidents: Sequence[Incident]) -> list[Incident]:
        """The incidents judged against the stored agreements, with the satellite fires
        judged war-related, as ``trucewatch fuse`` does."""
        if not incidents:
            return []
        assert self._engine is not None
        lines = self._lines
        war_fires: frozenset[str] = frozenset()
        if any(i.kind is EventKind.THERMAL_ANOMALY for i in incidents):
            detections = [o for o in self._engine.observations()
                          if o.source_kind is SourceKind.SATELLITE_THERMAL]  # fmt: skip
            war_fires = war_fire_incidents(incidents, detections, lines)
        return attach_assessments(incidents, stored_agreements(self.store),
                                  AssessContext(lines=lines, war_fires=war_fires))

    @staticmethod
    def _supersedes(update: StreamUpdate, incident_of: dict[str, str]) -> dict[str, list[str]]:
        """For each new incident, the retired ones whose observations it took over."""
        retired = set(update.retired)
        out: dict[str, list[str]] = {}
        for inc in update.incidents:
            before = {incident_of.get(u) for u in inc.observation_uids}
            gone = sorted(u for u in before if u is not None and u in retired)
            if gone:
                out[inc.uid] = gone
        return out

    def _remember(self, incidents: Iterable[Incident]) -> None:
        for inc in incidents:
            for u in inc.observation_uids:
                self._incident_of[u] = inc.uid


def _refreshed_facts(i: Incident) -> tuple[object, ...]:
    """What a refresh may change in an incident (its clusters and places are local):
    confidence, status and attribution."""
    a = i.attribution
    return (round(i.confidence, 4), i.status, a.party, a.method,
            tuple(sorted(a.probabilities.items())))  # fmt: skip


def _lines(store: Store) -> LineHistory | None:
    lines = line_history(store)
    return lines if lines else None


def _trusted(observations: Sequence[Observation]) -> list[Observation]:
    """The observations fusion may use (as ``trucewatch fuse``: values outside
    :mod:`trucewatch.limits` are left out with a warning)."""
    out = []
    for o in observations:
        problem = limits.observation_problem(o)
        if problem is None:
            out.append(o)
        else:
            log.warning("observation %s left out of live fusion: field %r: %s", o.uid,
                        problem[0], problem[1])  # fmt: skip
    return out
