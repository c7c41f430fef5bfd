"""Reading and validating agreement files (TOML; the format is in ``docs/agreements.md``).

:func:`load_agreement` reads a file, :func:`parse_agreement` a parsed document, and
:func:`agreement_from_definition` rebuilds an agreement from the canonical definition that
the store keeps. Every problem is a :class:`trucewatch.errors.InputError` whose
:class:`~trucewatch.errors.RecordError` names the file, the TOML line when it can be found,
the dotted key (``clauses[1].zone``, indices from 0) and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.agreements.clauses.registry import PROHIBITIONS
from trucewatch.agreements.definition import COMPUTED_KEYS, canonical_definition
from trucewatch.agreements.fields import (
    as_id,
    as_str_list,
    as_table,
    as_tables,
    check_choice,
    check_keys,
    get_km,
    get_str,
    new_id,
    slugify,
)
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
from trucewatch.agreements.sites import read_sites_file, sites_from_geojson
from trucewatch.agreements.times import (
    TimeZoneSpec,
    parse_instant,
    parse_timezone,
)
from trucewatch.agreements.toml_lines import KeyLines
from trucewatch.errors import InputError, RecordError
from trucewatch.types import Agreement, Party, Zone
from trucewatch.units import iso_utc

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


MAX_AGREEMENT_CHARS = 1024 * 1024
"""Longest agreement file (the longest real texts are a few pages)."""


def loads_agreement(
    text: str, *, file: str = "<string>", base_dir: Path | None = None
) -> LoadedAgreement:
    """Validate an agreement given as TOML text (``base_dir`` resolves a sites file)."""
    if len(text) > MAX_AGREEMENT_CHARS:
        raise InputError(RecordError(file, None, None,
                                     f"longer than {MAX_AGREEMENT_CHARS} characters"))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        raise InputError(
            RecordError(file, int(m[1]) if m else None, None, f"not valid TOML: {e}")
        ) from None
    except RecursionError:
        raise InputError(RecordError(file, None, None, "not valid TOML: nested deeper than "
                                     f"{limits.MAX_DEPTH} levels")) from None
    problem = limits.value_problem(doc, "")
    if problem is not None:
        raise InputError(RecordError(file, KeyLines(text).line(problem[0]),
                                     problem[0], problem[1]))
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
    doc = {k: v for k, v in definition.items() if k not in COMPUTED_KEYS}
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


# --------------------------------------------------------------------------- the parser


class _Parser:
    """One validation pass over a document; builds the loaded agreement and its
    canonical definition together so that they cannot disagree."""

    def __init__(self, base_dir: Path | None) -> None:
        self.base_dir = base_dir

    def parse(self, doc: Mapping[str, Any]) -> LoadedAgreement:
        check_keys(doc, TOP_KEYS, "")
        if "schema_version" in doc and doc["schema_version"] != 1:
            raise AgreementProblem("schema_version", "only schema_version = 1 is known")
        name = get_str(doc, "name", "name", required=True)
        slug = get_str(doc, "slug", "slug") or slugify(name)
        if not _SLUG.match(slug):
            raise AgreementProblem(
                "slug", "must be lower-case letters, digits, '.', '_' or '-' (e.g. "
                "'easter-truce-2025')"
            )
        version = doc.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise AgreementProblem("version", "must be a whole number >= 1")
        status = get_str(doc, "status", "status")
        if status:
            check_choice(status, STATUSES, "status", "status")
        assumptions = as_str_list(doc.get("assumptions", []), "assumptions")

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
        scope = check_choice(get_str(doc, "scope", "scope", default="general") or "general",
                        SCOPES, "scope", "scope")

        parties = self._parties(doc)
        zones = self._zones(doc)
        sites = self._sites(doc, scope)
        clauses = self._clauses(doc, zone, zones, start, end)
        exceptions = self._exceptions(doc, clauses)

        agreement = Agreement(
            name=name, parties=parties, start=start, end=end, scope=scope, zones=zones,
            slug=slug, version=version, timezone=zone.name if zone else _offset_name(start),
            status=status, source=get_str(doc, "source", "source"),
        )  # fmt: skip
        definition = canonical_definition(
            agreement, get_str(doc, "description", "description"), assumptions, zone, sites,
            clauses, exceptions,
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
        items = as_tables(doc["parties"], "parties")
        if not items:
            raise AgreementProblem("parties", "needs at least one party")
        parties: list[Party] = []
        for i, t in enumerate(items):
            f = f"parties[{i}]"
            check_keys(t, PARTY_KEYS, f)
            code = get_str(t, "code", f"{f}.code", required=True)
            if not _CODE.match(code):
                raise AgreementProblem(
                    f"{f}.code", f"{code!r} is not a party code (letters, digits, '_' or '-', "
                    "starting with a letter, e.g. 'UA')"
                )
            if any(p.code == code for p in parties):
                raise AgreementProblem(f"{f}.code", f"party {code!r} is listed twice")
            parties.append(Party(code=code, name=get_str(t, "name", f"{f}.name", required=True)))
        return tuple(parties)

    def _zones(self, doc: Mapping[str, Any]) -> tuple[Zone, ...]:
        zones: list[Zone] = []
        for i, t in enumerate(as_tables(doc.get("zones", []), "zones")):
            f = f"zones[{i}]"
            check_keys(t, ZONE_KEYS, f)
            name = get_str(t, "name", f"{f}.name", required=True)
            if any(z.name == name for z in zones):
                raise AgreementProblem(f"{f}.name", f"zone {name!r} is defined twice")
            kind = check_choice(get_str(t, "kind", f"{f}.kind", default="security") or "security",
                           ZONE_KINDS, f"{f}.kind", "zone kind")
            half = get_km(t, "half_width_km", f"{f}.half_width_km")
            width = get_km(t, "width_km", f"{f}.width_km")
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
                wc = get_str(t, "weapon_class", f"{f}.weapon_class", required=True)
                weapon_class = check_choice(wc, list(WEAPON_CLASSES), f"{f}.weapon_class",
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
                    description=get_str(t, "description", f"{f}.description"),
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
        t = as_table(doc["sites"], "sites")
        if scope != "protected_sites":
            raise AgreementProblem(
                "sites", f"sites are only used with scope = \"protected_sites\" (scope is "
                f"{scope!r})"
            )
        check_keys(t, SITES_KEYS, "sites")
        buffer_km = get_km(t, "buffer_km", "sites.buffer_km")
        if buffer_km is None:
            raise AgreementProblem("sites.buffer_km", "is required (km around each site)")
        label = get_str(t, "label", "sites.label")
        file = get_str(t, "file", "sites.file")
        if "geojson" in t:  # embedded (stored definitions)
            return sites_from_geojson(
                t["geojson"], buffer_km=buffer_km, label=label, file=file,
                sha256=get_str(t, "sha256", "sites.sha256"), field="sites.geojson",
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
        items = as_tables(doc["clauses"], "clauses")
        if not items:
            raise AgreementProblem("clauses", "needs at least one clause")
        zone_by_name = {z.name: z for z in zones}
        clauses: list[Clause] = []
        for i, t in enumerate(items):
            f = f"clauses[{i}]"
            check_keys(t, CLAUSE_KEYS, f)
            cid = new_id(t, f, [c.id for c in clauses], "clause",
                         "is required (the clause's number or id)")
            text = get_str(t, "text", f"{f}.text", required=True)
            if "prohibits" not in t:
                raise AgreementProblem(
                    f"{f}.prohibits", f"is required: a list, {one_of(PROHIBITIONS)}"
                )
            prohibits = as_str_list(t["prohibits"], f"{f}.prohibits")
            if not prohibits:
                raise AgreementProblem(f"{f}.prohibits", "must name at least one activity")
            for j, p in enumerate(prohibits):
                check_choice(p, PROHIBITIONS, f"{f}.prohibits[{j}]", "activity")
            zone_name = get_str(t, "zone", f"{f}.zone") or None
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
        for i, t in enumerate(as_tables(doc.get("exceptions", []), "exceptions")):
            f = f"exceptions[{i}]"
            check_keys(t, EXCEPTION_KEYS, f)
            eid = new_id(t, f, [e.id for e in out], "exception")
            kind = check_choice(get_str(t, "kind", f"{f}.kind", default="self_defence")
                           or "self_defence", EXCEPTION_KINDS, f"{f}.kind", "exception kind")
            raw = t.get("clauses", [])
            raw = raw if isinstance(raw, list) else [raw]  # one clause may be given alone
            refs = [as_id(v, f"{f}.clauses[{j}]") for j, v in enumerate(raw)]
            for j, ref in enumerate(refs):
                if ref not in ids:
                    raise AgreementProblem(
                        f"{f}.clauses[{j}]",
                        f"unknown clause {ref!r}{did_you_mean(ref, ids)} (clauses: "
                        f"{', '.join(ids)})",
                    )
            out.append(AgreementException(id=eid, text=get_str(t, "text", f"{f}.text",
                                                               required=True),
                                          kind=kind, clauses=tuple(refs)))
        return tuple(out)


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
