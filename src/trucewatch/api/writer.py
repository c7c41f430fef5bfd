"""One writer thread for every submission, with group commit.

Request handlers validate a submission themselves and hand the writing to
:class:`SubmissionWriter`: a single thread that takes every submission waiting in its queue
and stores them in **one** transaction (each still gets its own batch row, ledger entries and
answer). Under load, submissions that arrive while a transaction is being written go into the
next one together, so the cost of a transaction (begin, the ledger's log lock, commit) is
shared instead of paid per request, and no request thread waits on a database lock.

A submission whose own checks fail (a signature, a revoked key, its token's daily quota) is
answered with its error and leaves the others of its group alone, since those checks run
before anything of it is written (the quota's charge, the last of them, changes nothing
when it refuses). If writing the group fails anyway, nothing of it was committed, and each
of its submissions is written again in a transaction of its own, so one bad submission
cannot take its neighbours down with it.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

MAX_GROUP = 64
"""Submissions written in one transaction at most."""


class Job:
    """A submission to write: ``check(conn)`` runs the checks that read the store (may raise;
    nothing is written then), ``write(conn)`` writes and returns the answer, and
    ``write_all(conn, jobs)`` writes several jobs of the same class at once (by default one
    after the other; a class can write a whole group with fewer statements)."""

    def check(self, conn: Connection) -> None:
        """Raise to refuse this submission before anything of it is written."""

    def write(self, conn: Connection) -> Any:
        raise NotImplementedError

    def lock_order(self) -> str:
        """Where this job's ``check`` falls in its group: checks run in this order (then
        the jobs are written in the order they came), so that checks that lock rows (a
        daily quota's) lock them in one order in every process."""
        return ""

    @classmethod
    def write_all(cls, conn: Connection, jobs: Sequence[Job]) -> list[Any]:
        """Answers of ``jobs`` (all of this class), written in ``conn``'s transaction."""
        return [job.write(conn) for job in jobs]


@dataclass
class _Queued:
    job: Job
    future: Future[Any] = field(default_factory=Future)


_STOP = object()


class SubmissionWriter:
    """A thread that writes submissions in groups (see the module docstring)."""

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP,
                 on_committed: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.max_group = max_group
        self.on_committed = on_committed
        """Called (on the writer thread) after each committed transaction: the live
        fusion's wake-up (:mod:`trucewatch.api.live`)."""
        self.groups_written = 0
        self.jobs_written = 0
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="submission-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Future[Any]:
        """Queue ``job``; the future gets its answer (or exception) once it is committed."""
        if not self._thread.is_alive():
            raise RuntimeError("the submission writer has stopped")
        item = _Queued(job)
        self._queue.put(item)
        return item.future

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout_s)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            stop = False
            while len(group) < self.max_group:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                group.append(nxt)
            self._write_group(group)
            if stop:
                return

    def _write_group(self, group: list[_Queued]) -> None:
        try:
            answers = self._transaction(group)
        except BaseException:  # nothing of the group was committed: one transaction each
            for item in group:
                self._write_alone(item)
            return
        self.groups_written += 1
        self._committed()
        for item, (ok, value) in zip(group, answers, strict=True):
            self.jobs_written += ok
            _settle(item.future, ok, value)

    def _transaction(self, group: list[_Queued]) -> list[tuple[bool, Any]]:
        answers: list[tuple[bool, Any] | None] = [None] * len(group)
        with self.engine.begin() as conn:
            passed: list[int] = []
            for k in sorted(range(len(group)), key=lambda k: group[k].job.lock_order()):
                try:
                    group[k].job.check(conn)
                except Exception as exc:  # refused before writing: the group goes on
                    answers[k] = (False, exc)
                    continue
                passed.append(k)
            passed.sort()
            for cls, run in itertools.groupby(passed, key=lambda k: type(group[k].job)):
                ks = list(run)
                written = cls.write_all(conn, [group[k].job for k in ks])
                for k, value in zip(ks, written, strict=True):
                    answers[k] = (True, value)
        return [a for a in answers if a is not None]

    def _write_alone(self, item: _Queued) -> None:
        try:
            with self.engine.begin() as conn:
                item.job.check(conn)
                value = item.job.write(conn)
        except BaseException as exc:
            _settle(item.future, False, exc)
            return
        self.groups_written += 1
        self.jobs_written += 1
        self._committed()
        _settle(item.future, True, value)

    def _committed(self) -> None:
        if self.on_committed is not None:
            try:
                self.on_committed()
            except Exception:  # a wake-up that failed must not fail the submission
                log.exception("after-commit hook failed")


def _settle(future: Future[Any], ok: bool, value: Any) -> None:
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
