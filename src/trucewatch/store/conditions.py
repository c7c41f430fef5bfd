"""WHERE conditions shared by the read queries (:mod:`trucewatch.store.queries`): a lon/lat
box (WGS84 degrees; through PostGIS where the store has it, :mod:`trucewatch.store.spatial`),
a ``[since, until)`` window on ``time_start`` (UTC), and the test of an incident's
assessment against agreements, written with each backend's JSON functions (``json_each``
on SQLite, ``json_array_elements`` on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, and_, bindparam, text

from trucewatch.store import schema as t
from trucewatch.store import spatial
from trucewatch.store.schema import WorstVerdict
from trucewatch.units import as_utc


@dataclass(frozen=True, kw_only=True)
class BBox:
    """A lon/lat box in WGS84 degrees, ``west <= east`` and ``south <= north`` (a box
    crossing the antimeridian is not supported)."""

    west: float
    """Western edge: longitude, degrees east, -180 to 180."""
    south: float
    """Southern edge: latitude, degrees north, -90 to 90."""
    east: float
    """Eastern edge: longitude, degrees east, at least ``west``."""
    north: float
    """Northern edge: latitude, degrees north, at least ``south``."""

    def __post_init__(self) -> None:
        if not (-180.0 <= self.west <= self.east <= 180.0):
            raise ValueError("bbox: need -180 <= west <= east <= 180")
        if not (-90.0 <= self.south <= self.north <= 90.0):
            raise ValueError("bbox: need -90 <= south <= north <= 90")


def place_time_conditions(
    conn: Connection,
    c: Any,
    bbox: BBox | None,
    since: datetime | None,
    until: datetime | None,
    *,
    spatial_index: bool = True,
) -> list[ColumnElement[bool]]:
    """Bounding box on the ``lon``/``lat`` columns ``c`` of a table (led by its PostGIS
    ``geom`` column and GiST index where it has one and ``spatial_index`` is true:
    :func:`spatial.bbox_condition`; the same rows either way) and ``[since, until)`` on
    its ``time_start``."""
    conds: list[ColumnElement[bool]] = []
    if bbox is not None:
        conds.append(spatial.bbox_condition(conn, c, bbox.west, bbox.south, bbox.east,
                                            bbox.north, use_geometry=spatial_index))  # fmt: skip
    if since is not None:
        conds.append(c.time_start >= as_utc(since))
    if until is not None:
        conds.append(c.time_start < as_utc(until))
    return conds


_ASSESSMENT_SQL = {
    "postgresql": {
        "agreement": "a.v->>'agreement' = :qa_agreement",
        "verdict": "a.v->>'verdict' = :qa_verdict",
        "clause": (
            "(a.v->>'clause' = :qa_clause OR (json_typeof(a.v->'other_clauses') = 'array' "
            "AND EXISTS (SELECT 1 FROM json_array_elements_text(a.v->'other_clauses') "
            "AS oc(x) WHERE oc.x = :qa_clause)))"
        ),
        "exists": (
            "EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN "
            "json_typeof(incidents.assessment->'agreements') = 'array' "
            "THEN incidents.assessment->'agreements' ELSE '[]'::json END) AS a(v) WHERE {})"
        ),
    },
    "sqlite": {
        "agreement": "json_extract(a.value, '$.agreement') = :qa_agreement",
        "verdict": "json_extract(a.value, '$.verdict') = :qa_verdict",
        "clause": (
            "(json_extract(a.value, '$.clause') = :qa_clause OR EXISTS (SELECT 1 FROM "
            "json_each(a.value, '$.other_clauses') AS oc WHERE oc.value = :qa_clause))"
        ),
        "exists": (
            "EXISTS (SELECT 1 FROM json_each(incidents.assessment, '$.agreements') AS a WHERE "
            "json_type(incidents.assessment, '$.agreements') = 'array' AND {})"
        ),
    },
}
"""Per backend: the test of one field of an agreement's assessment ``a``, and the EXISTS
over the incident's assessments that holds them."""


SEVERITY = ("violation", "undetermined", "permitted")
"""The verdicts, worst first (the order of :func:`trucewatch.agreements.verdicts.worst_verdict`)."""


def worst_verdict_condition(verdict: str | None) -> ColumnElement[bool]:
    """What an incident's worst verdict (:class:`~trucewatch.store.schema.WorstVerdict`)
    must be for one of its assessments to have ``verdict`` (None: any): that verdict or a
    worse one; not null when any assessment will do. A condition the indexes of the worst
    verdict serve; it narrows, never decides, the EXISTS of :func:`assessment_clause`."""
    worst = WorstVerdict(t.incidents.c.assessment)
    if verdict == SEVERITY[0]:
        return worst == verdict
    if verdict in SEVERITY[:-1]:
        return worst.in_(SEVERITY[: SEVERITY.index(verdict) + 1])
    return worst.is_not(None)


def assessment_clause(
    dialect: str, *, agreement: str | None, verdict: str | None, clause: str | None
) -> ColumnElement[bool] | None:
    """EXISTS (one agreement's assessment of the incident matching ``agreement``,
    ``verdict`` and ``clause``, the deciding clause or one of its ``other_clauses``), with
    the condition on the worst verdict that lets the backend use an index
    (:func:`worst_verdict_condition`); None without any of them.

    ``verdict="violation"`` alone is that condition alone: an incident has an assessment
    that finds a violation exactly when its worst verdict is one (the assessment JSON is
    written by :func:`trucewatch.agreements.verdicts.assessment_dict` only), and the
    backend then counts the matches in the index without reading the JSON."""
    wanted = {name: value for name, value in
              (("agreement", agreement), ("verdict", verdict), ("clause", clause))
              if value is not None}  # fmt: skip
    if not wanted:
        return None
    if wanted == {"verdict": SEVERITY[0]}:
        return worst_verdict_condition(verdict)
    sql = _ASSESSMENT_SQL["postgresql" if dialect == "postgresql" else "sqlite"]
    where = " AND ".join(sql[name] for name in wanted)
    params: list[BindParameter[Any]] = [bindparam(f"qa_{k}", v) for k, v in wanted.items()]
    exists: ColumnElement[bool] = text(  # type: ignore[assignment]
        sql["exists"].format(where)).bindparams(*params)
    return and_(worst_verdict_condition(verdict), exists)
