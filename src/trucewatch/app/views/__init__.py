"""Read-only views for the screens of the API and the dashboard: each opens its own read
connection, checks the caller's permission (:func:`trucewatch.app.roles.require`) where the
screen needs one, and never writes. The faces format the answers; a view refuses with
:class:`~trucewatch.app.views.errors.NotVisible` (nothing to show) or
:class:`~trucewatch.app.views.errors.BadQuery` (a parameter it cannot answer).

Modules: :mod:`.incidents` (pages, facets, trend, one incident with its evidence),
:mod:`.observations` (pages and one observation), :mod:`.layers` (map layers as GeoJSON),
:mod:`.agreements`, :mod:`.ledger` (the Merkle log: tree heads and proofs) and
:mod:`.health`.
"""
