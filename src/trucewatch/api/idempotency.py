"""Idempotency keys of observation submissions, kept in the store so that any number of
API processes (on one or several hosts) answer a key the same way.

A client sends ``Idempotency-Key: <key>`` with each batch. The first request with a key
is processed; a repeat with the same key and the same body gets the first answer again
(``replayed: true``) and stores nothing; a repeat with another body is refused (422); a
repeat while the first is still being processed, by this process or another, is refused
(409, retry later).

Keys are scoped to the token holder. Each request **reserves** its key in the store before
it is processed (a row of ``idempotency_keys``, the primary key deciding between processes)
and its answer **completes** the reservation in the transaction that stores the batch
(:mod:`trucewatch.store.idempotency`). A request refused before anything is stored frees its
key. A reservation whose process died is taken over by the next request with that key once
its lease (``idempotency_lease_s``) has run out; a completed key is forgotten after
``idempotency_ttl_hours``.
"""

from __future__ import annotations

from dataclasses import dataclass

from trucewatch.api.errors import Conflict, Invalid
from trucewatch.app.session import Store
from trucewatch.app.submissions import KeyOutcome, Reservation, release_key, reserve_key


@dataclass(frozen=True)
class IdempotencyKeys:
    """The store's idempotency keys, as the API uses them."""

    store: Store
    ttl_s: float
    lease_s: float

    def reserve(self, who: str, key: str, digest: str) -> Reservation:
        """Reserve ``key`` (outcome ``RESERVED``, with the holder to complete it with) or
        find its completed answer (``DONE``); raises :class:`Invalid` (422) for a key used
        with another body and :class:`Conflict` (409) for a key being processed."""
        found = reserve_key(self.store, who, key, digest, lease_s=self.lease_s,
                            ttl_s=self.ttl_s)  # fmt: skip
        if found.outcome is KeyOutcome.MISMATCH:
            raise Invalid(
                f"Idempotency-Key {key!r} was already used for a different request body",
                field="Idempotency-Key",
            )
        if found.outcome is KeyOutcome.IN_PROGRESS:
            raise Conflict(f"a request with Idempotency-Key {key!r} is still in progress")
        return found

    def release(self, who: str, key: str, holder: str) -> None:
        """Free a reservation whose request failed before anything was stored."""
        release_key(self.store, who, key, holder)
