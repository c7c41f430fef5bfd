"""Reading and validating agreement files (TOML; the format is in ``docs/agreements.md``).

:func:`load_agreement` reads a file, :func:`parse_agreement` a parsed document, and
:func:`agreement_from_definition` rebuilds an agreement from the canonical definition that
the store keeps. Every problem is a :class:`trucewatch.errors.InputError` whose
:class:`~trucewatch.errors.RecordError` names the file, the TOML line when it can be found,
the dotted key (``clauses[1].zone``, indices from 0) and the problem.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch.agreements.clauses.registry import PROHIBITIONS
from trucewatch.agreements.model import (
    DEFINITION_VERSION,
    EXCEPTION_KINDS,
    STATUSES,
    WEAPON_CLASSES,
    ZONE_KINDS,
    AgreementException,
    Clause,
    LoadedAgreement,
    SiteSet,
)
from trucewatch.agreements.problem import AgreementProblem, did_you_mean, one_of
from trucewatch.agreements.scopes.registry import SCOPES
from trucewatch.agreements.sites import canonical_geojson, read_sites_file, sites_from_geojson
from trucewatch.agreements.times import (
    TimeZoneSpec,
    iso_local,
    iso_utc,
    parse_instant,
    parse_timezone,
)
from trucewatch.agreements.toml_lines import KeyLines
from trucewatch.errors import InputError, RecordError
from trucewatch.types import Agreement, Party, Zone

__all__ = [
    "CLAUSE_KEYS",
    "EXCEPTION_KEYS",
    "PARTY_KEYS",
    "SITES_KEYS",
    "TOP_KEYS",
    "ZONE_KEYS",
    "agreement_from_definition",
    "as_loaded",
    "load_agreement",
    "loads_agreement",
    "parse_agreement",
]

TOP_KEYS: tuple[str, ...] = (
    "schema_version", "name", "slug", "version", "status", "description", "source",
    "assumptions", "timezone", "start", "end", "scope", "parties", "zones", "sites",
    "clauses", "exceptions",
)  # fmt: skip
PARTY_KEYS: tuple[str, ...] = ("code", "name")
ZONE_KEYS: tuple[str, ...] = (
    "name", "kind", "half_width_km", "width_km", "weapon_class", "description",
)  # fmt: skip
SITES_KEYS: tuple[str, ...] = ("file", "buffer_km", "label", "geojson", "sha256")
CLAUSE_KEYS: tuple[str, ...] = ("id", "text", "prohibits", "zone", "start", "end")
EXCEPTION_KEYS: tuple[str, ...] = ("id", "text", "kind", "clauses")

_COMPUTED_KEYS = ("definition_version", "start_utc", "end_utc")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


# --------------------------------------------------------------------------- entry points


def load_agreement(path: str | Path) -> LoadedAgreement:
    """Read and validate an agreement file.

    Parameters
    ----------
    path : str or Path
        A TOML file; a sites file it names is read relative to it.

    Returns
    -------
    LoadedAgreement
        The summary (:class:`trucewatch.types.Agreement`, ``id`` None), clauses,
        exceptions, sites and the canonical ``definition`` to store.

    Raises
    ------
    InputError
        With the file, the TOML line (when found), the dotted key and the problem.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(RecordError(str(p), None, None, "file not found")) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(RecordError(str(p), None, None, f"cannot read: {e}")) from None
    return loads_agreement(text, file=str(p), base_dir=p.parent)


def loads_agreement(
    text: str, *, file: str = "<string>", base_dir: Path | None = None
) -> LoadedAgreement:
    """Validate an agreement given as TOML text (``base_dir`` resolves a sites file)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        raise InputError(
            RecordError(file, int(m[1]) if m else None, None, f"not valid TOML: {e}")
        ) from None
    return parse_agreement(doc, file=file, base_dir=base_dir, key_lines=KeyLines(text))


def parse_agreement(
    doc: Mapping[str, Any],
    *,
    file: str = "<document>",
    base_dir: Path | None = None,
    key_lines: KeyLines | None = None,
) -> LoadedAgreement:
    """Validate a parsed agreement document (a TOML table as a dict)."""
    try:
        loaded = _Parser(base_dir).parse(doc)
    except AgreementProblem as e:
        line = key_lines.line(e.at) if key_lines is not None else None
        raise InputError(RecordError(file, line, e.field, e.message)) from None
    return _with_path(loaded, None if file.startswith("<") else file)


def agreement_from_definition(
    definition: Mapping[str, Any], *, agreement_id: int | None = None
) -> LoadedAgreement:
    """Rebuild an agreement from its canonical definition (as stored), without files.

    Raises
    ------
    InputError
        The definition is not a valid agreement (file ``"<definition>"``).
    """
    version = definition.get("definition_version", DEFINITION_VERSION)
    if version != DEFINITION_VERSION:
        raise InputError(
            RecordError("<definition>", None, "definition_version",
                        f"unsupported definition version {version!r}")
        )
    doc = {k: v for k, v in definition.items() if k not in _COMPUTED_KEYS}
    return parse_agreement(doc, file="<definition>").with_id(agreement_id)


def as_loaded(agreement: LoadedAgreement | Agreement) -> LoadedAgreement:
    """A :class:`LoadedAgreement` for either form.

    A bare :class:`trucewatch.types.Agreement` (no clauses) gets one implicit clause
    ``"ceasefire"`` prohibiting fire wherever its scope applies (``general``/``sea``/
    ``air``; a ``protected_sites`` agreement needs its sites and cannot be converted).
    """
    if isinstance(agreement, LoadedAgreement):
        return agreement
    if agreement.scope not in SCOPES or agreement.scope == "protected_sites":
        raise ValueError(
            f"agreement {agreement.name!r}: scope {agreement.scope!r} needs a loaded "
            "agreement (clauses and sites)"
        )
    clause = Clause(id="ceasefire", text="No fire (implicit clause).", prohibits=("fire",))
    return LoadedAgreement(agreement=agreement, clauses=(clause,))


def _with_path(loaded: LoadedAgreement, path: str | None) -> LoadedAgreement:
    return replace(loaded, path=path)


# --------------------------------------------------------------------------- value helpers


def _check_keys(table: Mapping[str, Any], allowed: Sequence[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            field = f"{prefix}.{key}" if prefix else key
            where = f"in [{prefix}]" if prefix else "at the top level"
            raise AgreementProblem(
                field, f"unknown key {key!r} {where}{did_you_mean(key, allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )


def _table(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AgreementProblem(field, "must be a table")
    return value


def _tables(value: Any, field: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        raise AgreementProblem(field, f"must be an array of tables ([[{field}]])")
    for i, item in enumerate(value):
        _table(item, f"{field}[{i}]")
    return value


def _str(table: Mapping[str, Any], key: str, field: str, *, required: bool = False,
         default: str = "") -> str:
    if key not in table:
        if required:
            raise AgreementProblem(field, "is required")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise AgreementProblem(field, f"must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise AgreementProblem(field, "must not be empty")
    return value.strip()


def _id(value: Any, field: str) -> str:
    """Clause and exception ids: a string, or an integer (clause numbers)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AgreementProblem(field, "must be a string or a number")
    text = str(value).strip()
    if not text:
        raise AgreementProblem(field, "must not be empty")
    return text


def _km(table: Mapping[str, Any], key: str, field: str) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AgreementProblem(field, "must be a number (km)")
    if not value > 0 or value != value or value == float("inf"):
        raise AgreementProblem(field, f"must be a positive distance in km, not {value}")
    return float(value)


def _str_list(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AgreementProblem(field, "must be a list of strings")
    return list(value)


def _choice(value: str, choices: Sequence[str], field: str, what: str) -> str:
    if value not in choices:
        raise AgreementProblem(
            field, f"unknown {what} {value!r}{did_you_mean(value, choices)} "
            f"({one_of(choices)})"
        )
    return value


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:100] or "agreement"


# --------------------------------------------------------------------------- the parser


class _Parser:
    """One validation pass over a document; builds the loaded agreement and its
    canonical definition together so that they cannot disagree."""

    def __init__(self, base_dir: Path | None) -> None:
        self.base_dir = base_dir

    def parse(self, doc: Mapping[str, Any]) -> LoadedAgreement:
        _check_keys(doc, TOP_KEYS, "")
        if "schema_version" in doc and doc["schema_version"] != 1:
            raise AgreementProblem("schema_version", "only schema_version = 1 is known")
        name = _str(doc, "name", "name", required=True)
        slug = _str(doc, "slug", "slug") or _slugify(name)
        if not _SLUG.match(slug):
            raise AgreementProblem(
                "slug", "must be lower-case letters, digits, '.', '_' or '-' (e.g. "
                "'easter-truce-2025')"
            )
        version = doc.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise AgreementProblem("version", "must be a whole number >= 1")
        status = _str(doc, "status", "status")
        if status:
            _choice(status, STATUSES, "status", "status")
        assumptions = _str_list(doc.get("assumptions", []), "assumptions")

        zone = parse_timezone(doc["timezone"]) if "timezone" in doc else None
        for key in ("start", "end"):
            if key not in doc:
                raise AgreementProblem(key, "is required")
        start = parse_instant(doc["start"], zone, "start")
        end = parse_instant(doc["end"], zone, "end")
        if end.astimezone(UTC) <= start.astimezone(UTC):  # same-zone compares wall clocks
            raise AgreementProblem(
                "end", f"end ({iso_utc(end)}) is not after start ({iso_utc(start)})"
            )
        scope = _choice(_str(doc, "scope", "scope", default="general") or "general",
                        SCOPES, "scope", "scope")

        parties = self._parties(doc)
        zones = self._zones(doc)
        sites = self._sites(doc, scope)
        clauses = self._clauses(doc, zone, zones, start, end)
        exceptions = self._exceptions(doc, clauses)

        agreement = Agreement(
            name=name,
            parties=parties,
            start=start,
            end=end,
            scope=scope,
            zones=zones,
            slug=slug,
            version=version,
            timezone=zone.name if zone else _offset_name(start),
            status=status,
            source=_str(doc, "source", "source"),
        )
        definition = self._definition(
            agreement, doc, assumptions, zone, zones, sites, clauses, exceptions
        )
        return LoadedAgreement(
            agreement=agreement,
            clauses=clauses,
            exceptions=exceptions,
            sites=sites,
            definition=definition,
        )

    # ------------------------------------------------------------------ sections

    def _parties(self, doc: Mapping[str, Any]) -> tuple[Party, ...]:
        if "parties" not in doc:
            raise AgreementProblem("parties", "is required: [[parties]] with code and name")
        items = _tables(doc["parties"], "parties")
        if not items:
            raise AgreementProblem("parties", "needs at least one party")
        parties: list[Party] = []
        for i, t in enumerate(items):
            f = f"parties[{i}]"
            _check_keys(t, PARTY_KEYS, f)
            code = _str(t, "code", f"{f}.code", required=True)
            if not _CODE.match(code):
                raise AgreementProblem(
                    f"{f}.code", f"{code!r} is not a party code (letters, digits, '_' or '-', "
                    "starting with a letter, e.g. 'UA')"
                )
            if any(p.code == code for p in parties):
                raise AgreementProblem(f"{f}.code", f"party {code!r} is listed twice")
            parties.append(Party(code=code, name=_str(t, "name", f"{f}.name", required=True)))
        return tuple(parties)

    def _zones(self, doc: Mapping[str, Any]) -> tuple[Zone, ...]:
        zones: list[Zone] = []
        for i, t in enumerate(_tables(doc.get("zones", []), "zones")):
            f = f"zones[{i}]"
            _check_keys(t, ZONE_KEYS, f)
            name = _str(t, "name", f"{f}.name", required=True)
            if any(z.name == name for z in zones):
                raise AgreementProblem(f"{f}.name", f"zone {name!r} is defined twice")
            kind = _choice(_str(t, "kind", f"{f}.kind", default="security") or "security",
                           ZONE_KINDS, f"{f}.kind", "zone kind")
            half = _km(t, "half_width_km", f"{f}.half_width_km")
            width = _km(t, "width_km", f"{f}.width_km")
            if half is not None and width is not None:
                raise AgreementProblem(
                    f"{f}.width_km", "give either half_width_km (each side of the line) or "
                    "width_km (total, both sides), not both"
                )
            weapon_class: str | None = None
            if kind == "withdrawal":
                if "weapon_class" not in t:
                    raise AgreementProblem(
                        f"{f}.weapon_class", "a withdrawal zone needs a weapon_class "
                        f"({one_of(WEAPON_CLASSES)})"
                    )
                wc = _str(t, "weapon_class", f"{f}.weapon_class", required=True)
                weapon_class = _choice(wc, list(WEAPON_CLASSES), f"{f}.weapon_class",
                                       "weapon class")
                default = WEAPON_CLASSES[weapon_class].zone_width_km
                if half is None and width is None:
                    if default is None:
                        raise AgreementProblem(
                            f"{f}.width_km", f"weapon class {weapon_class!r} has no default "
                            "zone width: give width_km or half_width_km"
                        )
                    width = default
            elif "weapon_class" in t:
                raise AgreementProblem(
                    f"{f}.weapon_class", "only withdrawal zones have a weapon class "
                    "(add kind = \"withdrawal\")"
                )
            if half is None and width is None:
                raise AgreementProblem(
                    f"{f}.half_width_km", "a security zone needs half_width_km (km each side "
                    "of the line) or width_km (total)"
                )
            half_width = half if half is not None else float(width or 0.0) / 2.0
            zones.append(
                Zone(
                    name=name,
                    half_width_km=half_width,
                    kind=kind,
                    weapon_class=weapon_class,
                    description=_str(t, "description", f"{f}.description"),
                )
            )
        return tuple(zones)

    def _sites(self, doc: Mapping[str, Any], scope: str) -> SiteSet | None:
        if "sites" not in doc:
            if scope == "protected_sites":
                raise AgreementProblem(
                    "sites", "scope 'protected_sites' needs a [sites] table with file and "
                    "buffer_km", at="scope",
                )
            return None
        t = _table(doc["sites"], "sites")
        if scope != "protected_sites":
            raise AgreementProblem(
                "sites", f"sites are only used with scope = \"protected_sites\" (scope is "
                f"{scope!r})"
            )
        _check_keys(t, SITES_KEYS, "sites")
        buffer_km = _km(t, "buffer_km", "sites.buffer_km")
        if buffer_km is None:
            raise AgreementProblem("sites.buffer_km", "is required (km around each site)")
        label = _str(t, "label", "sites.label")
        file = _str(t, "file", "sites.file")
        if "geojson" in t:  # embedded (stored definitions)
            return sites_from_geojson(
                t["geojson"], buffer_km=buffer_km, label=label, file=file,
                sha256=_str(t, "sha256", "sites.sha256"), field="sites.geojson",
            )
        if not file:
            raise AgreementProblem("sites.file", "is required: a GeoJSON file of the sites")
        path = Path(file)
        if not path.is_absolute():
            if self.base_dir is None:
                raise AgreementProblem(
                    "sites.file", f"{file!r} is relative but the document has no directory"
                )
            path = self.base_dir / path
        geojson, digest = read_sites_file(path, "sites.file")
        return sites_from_geojson(
            geojson, buffer_km=buffer_km, label=label, file=Path(file).name, sha256=digest,
            field="sites.file",
        )

    def _clauses(
        self,
        doc: Mapping[str, Any],
        zone: TimeZoneSpec | None,
        zones: Sequence[Zone],
        start: datetime,
        end: datetime,
    ) -> tuple[Clause, ...]:
        if "clauses" not in doc:
            raise AgreementProblem(
                "clauses", "is required: at least one [[clauses]] with id, text and prohibits"
            )
        items = _tables(doc["clauses"], "clauses")
        if not items:
            raise AgreementProblem("clauses", "needs at least one clause")
        zone_by_name = {z.name: z for z in zones}
        clauses: list[Clause] = []
        for i, t in enumerate(items):
            f = f"clauses[{i}]"
            _check_keys(t, CLAUSE_KEYS, f)
            if "id" not in t:
                raise AgreementProblem(f"{f}.id", "is required (the clause's number or id)")
            cid = _id(t["id"], f"{f}.id")
            if any(c.id == cid for c in clauses):
                raise AgreementProblem(f"{f}.id", f"clause id {cid!r} is used twice")
            text = _str(t, "text", f"{f}.text", required=True)
            if "prohibits" not in t:
                raise AgreementProblem(
                    f"{f}.prohibits", f"is required: a list, {one_of(PROHIBITIONS)}"
                )
            prohibits = _str_list(t["prohibits"], f"{f}.prohibits")
            if not prohibits:
                raise AgreementProblem(f"{f}.prohibits", "must name at least one activity")
            for j, p in enumerate(prohibits):
                _choice(p, PROHIBITIONS, f"{f}.prohibits[{j}]", "activity")
            zone_name = _str(t, "zone", f"{f}.zone") or None
            if zone_name is not None and zone_name not in zone_by_name:
                raise AgreementProblem(
                    f"{f}.zone", f"unknown zone {zone_name!r}"
                    + (did_you_mean(zone_name, zone_by_name) or
                       f" (zones: {', '.join(zone_by_name) or 'none defined'})")
                )
            if "heavy_weapons_presence" in prohibits and (
                zone_name is None or zone_by_name[zone_name].kind != "withdrawal"
            ):
                raise AgreementProblem(
                    f"{f}.zone", "heavy_weapons_presence needs a withdrawal zone (a zone with "
                    "kind = \"withdrawal\" and a weapon_class)"
                )
            c_start = parse_instant(t["start"], zone, f"{f}.start") if "start" in t else None
            c_end = parse_instant(t["end"], zone, f"{f}.end") if "end" in t else None
            lo = max(start, c_start or start, key=_instant)
            hi = min(end, c_end or end, key=_instant)
            if _instant(hi) <= _instant(lo):
                raise AgreementProblem(
                    f"{f}.end" if c_end else f"{f}.start",
                    f"the clause would never be in force ({iso_utc(lo)} to {iso_utc(hi)})",
                )
            clauses.append(Clause(id=cid, text=text, prohibits=tuple(prohibits),
                                  zone=zone_name, start=c_start, end=c_end))
        return tuple(clauses)

    def _exceptions(
        self, doc: Mapping[str, Any], clauses: Sequence[Clause]
    ) -> tuple[AgreementException, ...]:
        ids = [c.id for c in clauses]
        out: list[AgreementException] = []
        for i, t in enumerate(_tables(doc.get("exceptions", []), "exceptions")):
            f = f"exceptions[{i}]"
            _check_keys(t, EXCEPTION_KEYS, f)
            if "id" not in t:
                raise AgreementProblem(f"{f}.id", "is required")
            eid = _id(t["id"], f"{f}.id")
            if any(e.id == eid for e in out):
                raise AgreementProblem(f"{f}.id", f"exception id {eid!r} is used twice")
            kind = _choice(_str(t, "kind", f"{f}.kind", default="self_defence")
                           or "self_defence", EXCEPTION_KINDS, f"{f}.kind", "exception kind")
            raw = t.get("clauses", [])
            raw = raw if isinstance(raw, list) else [raw]  # one clause may be given alone
            refs = [_id(v, f"{f}.clauses[{j}]") for j, v in enumerate(raw)]
            for j, ref in enumerate(refs):
                if ref not in ids:
                    raise AgreementProblem(
                        f"{f}.clauses[{j}]",
                        f"unknown clause {ref!r}{did_you_mean(ref, ids)} (clauses: "
                        f"{', '.join(ids)})",
                    )
            out.append(AgreementException(id=eid, text=_str(t, "text", f"{f}.text",
                                                               required=True),
                                          kind=kind, clauses=tuple(refs)))
        return tuple(out)

    # ------------------------------------------------------------------ canonical form

    def _definition(
        self,
        ag: Agreement,
        doc: Mapping[str, Any],
        assumptions: list[str],
        zone: TimeZoneSpec | None,
        zones: Sequence[Zone],
        sites: SiteSet | None,
        clauses: Sequence[Clause],
        exceptions: Sequence[AgreementException],
    ) -> dict[str, Any]:
        d: dict[str, Any] = {
            "definition_version": DEFINITION_VERSION,
            "schema_version": 1,
            "slug": ag.slug,
            "version": ag.version,
            "name": ag.name,
            "status": ag.status,
            "description": _str(doc, "description", "description"),
            "source": ag.source,
            "assumptions": assumptions,
            "start": iso_local(ag.start),
            "end": iso_local(ag.end),
            "start_utc": iso_utc(ag.start),
            "end_utc": iso_utc(ag.end),
            "scope": ag.scope,
            "parties": [{"code": p.code, "name": p.name} for p in ag.parties],
            "zones": [
                {k: v for k, v in {
                    "name": z.name, "kind": z.kind, "half_width_km": z.half_width_km,
                    "weapon_class": z.weapon_class, "description": z.description,
                }.items() if v not in (None, "")}
                for z in zones
            ],
            "clauses": [
                {k: v for k, v in {
                    "id": c.id, "text": c.text, "prohibits": list(c.prohibits),
                    "zone": c.zone,
                    "start": iso_local(c.start) if c.start else None,
                    "end": iso_local(c.end) if c.end else None,
                }.items() if v is not None}
                for c in clauses
            ],
            "exceptions": [
                {"id": e.id, "text": e.text, "kind": e.kind, "clauses": list(e.clauses)}
                for e in exceptions
            ],
        }
        if zone is not None:
            d["timezone"] = zone.name
        if sites is not None:
            d["sites"] = {
                "file": sites.file,
                "buffer_km": sites.buffer_km,
                "label": sites.label,
                "sha256": sites.sha256,
                "geojson": canonical_geojson(sites),
            }
        # plain JSON types only (tuples -> lists), so that a stored copy compares equal
        result: dict[str, Any] = json.loads(json.dumps(d, ensure_ascii=False))
        return result


def _instant(dt: datetime) -> datetime:
    """``dt`` in UTC: aware datetimes sharing a tzinfo compare by wall clock in Python,
    which is wrong across a daylight-saving change; compare instants in UTC."""
    return dt.astimezone(UTC)


def _offset_name(dt: datetime) -> str:
    off = dt.utcoffset()
    if off is None or dt.tzinfo is UTC or off.total_seconds() == 0:
        return "UTC"
    minutes = int(off.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
