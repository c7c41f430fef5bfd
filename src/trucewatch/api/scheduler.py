"""The bulletin scheduler inside ``trucewatch serve``: an asyncio task that calls
:func:`trucewatch.app.bulletins.run_due` every ``bulletin_interval_seconds`` (in a worker
thread, so requests are never held up) while the server runs. Off unless the settings'
``bulletins`` is true (``TRUCEWATCH_BULLETINS=1`` or ``trucewatch serve --bulletins``);
cron can run ``trucewatch bulletin run`` instead."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import time

from trucewatch.api.state import AppState
from trucewatch.app.bulletins import Schedule, run_due

log = logging.getLogger(__name__)


def schedule_of(state: AppState) -> Schedule:
    """The schedule the settings describe (reports into the server's report folder)."""
    s = state.settings
    hours, minutes = (int(p) for p in s.cutoff.split(":"))
    return Schedule(lags_hours=tuple(s.bulletin_lags_hours), cutoff=time(hours, minutes),
                    tz=s.cutoff_tz, report_dir=state.report_dir / "daily")  # fmt: skip


async def run_forever(state: AppState, schedule: Schedule) -> None:
    """Do what is due, then wait; an error is logged and the loop goes on."""
    while True:
        try:
            done = await asyncio.to_thread(run_due, state.store, schedule,
                                           fuse_first=state.settings.bulletin_fuse)  # fmt: skip
            for b in done["bulletins"]:
                log.info("bulletin %s v%s (%s) issued", b["period"], b["version"], b["kind"])
            for r in done["reports"]:
                log.info("daily report %s written and logged", r["date"])
        except Exception:  # the scheduler must outlive a bad period
            log.exception("bulletin scheduler: this round failed; trying again later")
        await asyncio.sleep(state.settings.bulletin_interval_seconds)


@contextlib.asynccontextmanager
async def bulletin_scheduler(state: AppState) -> AsyncIterator[asyncio.Task[None] | None]:
    """Run the scheduler for the life of the server when the settings ask for it."""
    if not state.settings.bulletins:
        yield None
        return
    task = asyncio.create_task(run_forever(state, schedule_of(state)), name="bulletins")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
