"""Use cases of the contact lines: import a control map or line (deriving the line of
contact and cutting it into sectors), list them, and the stored history of lines as the
lookup fusion and assessment use (:class:`trucewatch.geo.history.LineHistory`)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.types import ContactLine, Sector

if TYPE_CHECKING:  # the geometry stack is imported when a line is read or derived
    from trucewatch.geo.history import LineHistory
    from trucewatch.store import Store

LINE_WKT_PRECISION = 6
"""Decimal places of stored WGS84 coordinates (about 0.1 m)."""


def valid_from_of(path: Path, geometry_hint: dict[str, Any] | None = None) -> date | None:
    """The date a control map or line is valid from, read from the file name
    (``..._YYYYMMDD`` or ``..._YYYY-MM-DD``) or from the latest ``EditDate`` property."""
    m = re.search(r"(20\d\d)-?(\d\d)-?(\d\d)(?!\d)", path.stem)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if geometry_hint and geometry_hint.get("edit_date"):
        return date.fromisoformat(str(geometry_hint["edit_date"])[:10])
    return None


def _latest_edit_date(path: Path) -> str | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dates = [
        str(f.get("properties", {}).get("EditDate"))
        for f in doc.get("features", [])
        if f.get("properties", {}).get("EditDate")
    ]
    return max(dates) if dates else None


def import_line(
    store: Store,
    path: Path,
    *,
    valid_from: date | None = None,
    name: str | None = None,
    country: Path | None = None,
    sector_km: float = 50.0,
    controlled_by: str = "RU",
    other_party: str = "UA",
    contact_only: bool = False,
    held_across: Path | None = None,
    principal: Principal = OPERATOR,
) -> dict[str, Any]:
    """Import a control-area file (deriving the contact line) or a line file, cut it into
    sectors and store it, versioned by ``valid_from``.

    From control areas the whole front is derived (``docs/contact-line.md``): the line of
    contact and the state border with Russia where Ukrainian-held land faces it, and
    around ``held_across`` (polygons of land the other party holds across the border);
    ``contact_only`` keeps the line of contact inside the country. The result lists the
    labelled parts and their lengths (km)."""
    from shapely import wkt

    from trucewatch.geo.contact_line import WHOLE_FRONT, ContactLineParams
    from trucewatch.geo.line_file import read_line_file
    from trucewatch.geo.outline import load_country_outline
    from trucewatch.geo.projection import geodesic_length_km

    require(principal, Permission.MANAGE_MISSION)
    kind, geom = read_line_file(path)
    if valid_from is None:
        valid_from = valid_from_of(path, {"edit_date": _latest_edit_date(path)})
    if valid_from is None:
        raise InputError(
            RecordError(str(path), None, "valid_from",
                        "no date in the file name or EditDate; give --valid-from YYYY-MM-DD")
        )  # fmt: skip
    control = country_geom = None
    line = geom
    parts: list[dict[str, Any]] = []
    by_label: dict[str, float] = {}
    if kind == "control":
        across = None if held_across is None else _held_across(held_across)
        params = ContactLineParams() if contact_only else WHOLE_FRONT
        derived = _derive(path, geom, load_country_outline(country), params, across)
        line, control, country_geom = derived.line, derived.control, derived.country
        parts = [p.as_dict() for p in derived.parts]
        by_label = {k: round(v, 1) for k, v in derived.lengths_by_label().items()}
    if line.is_empty:
        raise InputError(
            RecordError(str(path), None, "geometry",
                        "no line of contact: the control area touches no land of the other party")
        )  # fmt: skip
    contact = ContactLine(
        id=None,
        name=name or path.stem,
        valid_from=valid_from,
        length_km=round(geodesic_length_km(line), 3),
        geometry_wkt=wkt.dumps(line, rounding_precision=LINE_WKT_PRECISION),
        controlled_by=controlled_by,
        other_party=other_party,
        control_wkt=None if control is None else wkt.dumps(control, rounding_precision=6),
        country_wkt=None if country_geom is None else wkt.dumps(country_geom, rounding_precision=5),
        source=str(path),
    )
    sectors = sectors_of(line, sector_km)
    line_id, status = store.add_line(contact, sectors)
    return {
        "line_id": line_id,
        "name": contact.name,
        "valid_from": valid_from.isoformat(),
        "length_km": contact.length_km,
        "sectors": len(sectors),
        "derived_from": kind,
        "length_by_part_km": by_label,
        "parts": parts,
        "status": status,
    }


def _held_across(path: Path) -> Any:
    """Polygons of land held across the border by the other party, from a file."""
    from trucewatch.geo.line_file import read_line_file

    kind, geom = read_line_file(path)
    if kind != "control":
        raise InputError(RecordError(str(path), None, "geometry",
                                     "expected Polygon/MultiPolygon features (land held)"))
    return geom


def _derive(path: Path, control: Any, country: Any, params: Any, held_across: Any) -> Any:
    """:func:`trucewatch.geo.contact_line.derive`, its errors (an outline that does not
    reach the state border) named after the file."""
    from trucewatch.geo.contact_line import derive

    try:
        return derive(control, country, params, held_across=held_across)
    except ValueError as exc:
        raise InputError(RecordError(
            str(path), None, "geometry", f"{exc} (--contact-only derives the line of contact alone)"
        )) from None


def sectors_of(line: Any, sector_km: float) -> list[Sector]:
    """The line cut into sectors of about ``sector_km`` (unsaved: ``line_id`` 0)."""
    from shapely import wkt

    from trucewatch.geo.sectors import cut_sectors

    return [
        Sector(line_id=0, index=p.index, name=p.name, start_km=round(p.start_km, 3),
               end_km=round(p.end_km, 3),
               geometry_wkt=wkt.dumps(p.geometry, rounding_precision=LINE_WKT_PRECISION))
        for p in cut_sectors(line, target_km=sector_km)
    ]  # fmt: skip


def line_history(store: Store) -> LineHistory:
    """Every stored contact line as a :class:`LineHistory` (each line valid from its date
    until the next one's)."""
    from trucewatch.geo.history import LineHistory

    lines = store.lines()
    return LineHistory.of_stored(
        lines, {ln.id: store.sectors(ln.id) for ln in lines if ln.id is not None})


def list_lines(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Every stored contact line: id, name, valid-from date, length (km) and sectors."""
    require(principal, Permission.READ_MAP_LAYERS)
    return {
        "lines": [
            {"line_id": ln.id, "name": ln.name, "valid_from": ln.valid_from.isoformat(),
             "length_km": ln.length_km, "sectors": len(store.sectors(ln.id or 0))}
            for ln in store.lines()
        ]
    }  # fmt: skip
