"""Encoding a FIRMS file read as columns (:class:`~trucewatch.sources.firms_columns.FirmsColumns`)
into observation rows and their log entries, in compiled loops over the file's bytes.

Each row's uid, payload SHA-256, stored location JSON, row digest and column digests
(:func:`trucewatch.store.coverage.observation_row_meta`), log entry
(:func:`trucewatch.ledger.entry.observation_entry`) and leaf hash are built from
**programs** (:mod:`trucewatch.ledger.bulk`): the constant parts of each text once, the
row's own parts (its line, latitude and longitude text, date, digests) spliced in. The
result is byte for byte what the row path builds (tested), so a file imported either way
stores and logs the same rows, and re-imports of either are duplicates.

Floats are written as Python's ``repr`` (the shortest text that reads back to the same
double): numpy's float-to-text conversion gives the same text (tested).
"""

from __future__ import annotations

import itertools
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numba
import numpy as np

from trucewatch.ledger import bulk
from trucewatch.ledger.entry import format_time
from trucewatch.ledger.rows import canonical
from trucewatch.sources.firms_columns import FirmsColumns
from trucewatch.types import EventKind, SourceKind

# segment sources of the programs (bulk.CONST = 0 is the constants buffer)
_LAT, _LON, _PAYLOAD, _SCRATCH, _TS, _TE = 1, 2, 3, 4, 5, 6
# the per-row scratch of digests (hex): payload SHA-256, uid, column digests, row digest
_PSHA, _UID, _COLS, _ROW, _SCRATCH_BYTES = 0, 64, 128, 288, 352
_NUM_COLS = 20


@dataclass(frozen=True)
class EncodedColumns:
    """Rows and entries of a FIRMS file, as Python values for the driver."""

    uids: list[str]
    payload_sha256: list[str]
    locations: list[str]
    payloads: list[str]
    entries: list[bytes]
    leaf_hashes: list[bytes]


class _Programs:
    """The constants buffer and the programs of one file's texts."""

    def __init__(self) -> None:
        self.consts = bytearray()

    def const(self, text: str) -> tuple[int, int, int]:
        raw = text.encode("utf-8")
        self.consts += raw
        return (bulk.CONST, len(self.consts) - len(raw), len(raw))

    def program(self, *segments: tuple[int, int, int] | str) -> np.ndarray:
        out = [self.const(s) if isinstance(s, str) else s for s in segments]
        return np.array(out, np.int64).reshape(-1, 3)


def _texts(cols: FirmsColumns, batch_id: int, p: _Programs) -> dict[str, list[Any]]:
    """Each stored column's canonical text (:func:`trucewatch.ledger.rows.canonical`) as
    segments, by column name."""
    s2 = repr(cols.sigma2_km2)
    lat, lon, payload = (_LAT, 0, 0), (_LON, 0, 0), (_PAYLOAD, 0, 0)
    return {
        "uid": ['"', (_SCRATCH, _UID, 64), '"'],
        "source_kind": [canonical(SourceKind.SATELLITE_THERMAL.value)],
        "source_format": [canonical("firms")],
        "source_id": [canonical(cols.source_id)],
        "time_start": ['"', (_TS, 0, 0), '"'],
        "time_end": ['"', (_TE, 0, 0), '"'],
        "location_type": [canonical("point")],
        "lon": [lon],
        "lat": [lat],
        "location": [f'{{"cov_km2":[[{s2},0.0],[0.0,{s2}]],"lat":', lat, ',"lon":', lon,
                     ',"type":"point"}'],
        "kind": [canonical(EventKind.THERMAL_ANOMALY.value)],
        "count": ["1"],
        "weapon": ["null"],
        "flow": ["null"],
        "reliability": [canonical("B")],
        "credibility": ["3"],
        "payload": ['"', payload, '"'],
        "payload_sha256": ['"', (_SCRATCH, _PSHA, 64), '"'],
        "attributes": ["{}"],
        "batch_id": [str(int(batch_id))],
    }


@dataclass
class _Plan:
    consts: np.ndarray
    uid: np.ndarray
    row: np.ndarray
    entry: np.ndarray
    location: np.ndarray
    col_progs: np.ndarray
    col_nseg: np.ndarray
    col_crc: np.ndarray
    col_const: np.ndarray
    entry_len: int


def _plan(cols: FirmsColumns, batch_id: int, received_at: datetime) -> _Plan:
    p = _Programs()
    texts = _texts(cols, batch_id, p)
    names = sorted(texts)
    assert len(names) == _NUM_COLS
    row: list[Any] = ["{"]
    progs, crcs, const = [], [], []
    for k, name in enumerate(names):
        row += [("," if k else "") + canonical(name) + ":", *texts[name]]
        segments = texts[name]
        prefix = zlib.crc32(name.encode() + b"\x00")
        if all(isinstance(s, str) for s in segments):
            crcs.append(zlib.crc32("".join(segments).encode(), prefix))
            const.append(True)
            progs.append(p.program(""))
        else:
            crcs.append(prefix)
            const.append(False)
            progs.append(p.program(*segments))
    row.append("}")
    width = max(len(g) for g in progs)
    col_progs = np.zeros((len(progs), width, 3), np.int64)
    for k, g in enumerate(progs):
        col_progs[k, : len(g)] = g
    s2 = repr(cols.sigma2_km2)
    tail = f'","time":"{format_time(received_at)}","type":"observation","v":1}}'
    entry = p.program('{"meta":{"cols":"', (_SCRATCH, _COLS, 160), '","row":"',
                      (_SCRATCH, _ROW, 64), '"},"ref":"', (_SCRATCH, _UID, 64),
                      '","sha256":"', (_SCRATCH, _PSHA, 64), tail)  # fmt: skip
    entry_len = int(entry[:, 2].sum())
    return _finish(p, entry_len, progs, col_progs, crcs, const, row, entry, s2)


def _finish(p: _Programs, entry_len: int, progs: list[np.ndarray], col_progs: np.ndarray,
            crcs: list[int], const: list[bool], row: list[Any], entry: np.ndarray,
            s2: str) -> _Plan:  # fmt: skip
    uid = p.program("firms\n", (_PAYLOAD, 0, 0), "\n0")
    row_prog = p.program(*row)
    location = p.program('{"type": "point", "lon": ', (_LON, 0, 0), ', "lat": ', (_LAT, 0, 0),
                         f', "cov_km2": [[{s2}, 0.0], [0.0, {s2}]]}}\n')  # fmt: skip
    return _Plan(np.frombuffer(bytes(p.consts), np.uint8).copy(), uid, row_prog, entry, location,
                 col_progs, np.array([len(g) for g in progs], np.int64),
                 np.array(crcs, np.int64), np.array(const, np.bool_), entry_len)  # fmt: skip


def _fixed_text(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Texts as a 2-D byte array (one row each) and their lengths."""
    raw = np.array([v.encode("ascii") for v in values], dtype="S")
    width = max(raw.dtype.itemsize, 1)
    grid = np.frombuffer(raw.tobytes(), np.uint8).reshape(len(values), width).copy()
    return grid, np.char.str_len(raw).astype(np.int64)


def encode_columns(cols: FirmsColumns, batch_id: int, received_at: datetime,
                   threads: int = 2) -> EncodedColumns:  # fmt: skip
    """Rows and log entries of every row of ``cols`` in batch ``batch_id``, logged at
    ``received_at`` (aware UTC); ``threads`` compiled loops share the rows."""
    plan = _plan(cols, batch_id, received_at)
    n = cols.read
    lat_txt, lat_len = _float_text(cols.lat)
    lon_txt, lon_len = _float_text(cols.lon)
    windows = [cols.window(k) for k in range(len(cols.days))]
    ts_txt, ts_len = _fixed_text([format_time(w[0]) for w in windows])
    te_txt, te_len = _fixed_text([format_time(w[1]) for w in windows])
    loc_len = int(plan.location[:, 2].sum())  # constants and the two float texts
    loc_off = np.zeros(n + 1, np.int64)
    np.cumsum(loc_len + lat_len + lon_len, out=loc_off[1:])
    entries = np.zeros(n * (plan.entry_len + 1), np.uint8)
    leaves = np.zeros(32 * n, np.uint8)
    uids = np.zeros(64 * n, np.uint8)
    pshas = np.zeros(64 * n, np.uint8)
    locations = np.zeros(int(loc_off[-1]), np.uint8)
    args = (plan.consts, plan.uid, plan.row, plan.entry, plan.location, plan.col_progs,
            plan.col_nseg, plan.col_crc, plan.col_const, bulk.CRC_TABLE, cols.data, cols.starts,
            cols.stops, lat_txt, lat_len, lon_txt, lon_len, cols.day, ts_txt, ts_len, te_txt,
            te_len, entries, plan.entry_len + 1, leaves, uids, pshas, locations,
            loc_off)  # fmt: skip
    bounds = np.linspace(0, n, max(1, threads) + 1).astype(np.int64)
    failures: list[BaseException] = []

    def run(a: int, b: int) -> None:
        try:
            _encode_rows(*args, a, b)
        except BaseException as exc:  # raised in the caller's thread below
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(int(a), int(b)))
               for a, b in itertools.pairwise(bounds)]  # fmt: skip
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise failures[0]
    return _as_python(cols, plan.entry_len, entries, leaves, uids, pshas, locations)


def _float_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Python's ``repr`` of each float (numpy's shortest round-trip text) as fixed rows."""
    raw = values.astype("S32")
    width = raw.dtype.itemsize
    grid = np.frombuffer(raw.tobytes(), np.uint8).reshape(len(values), width)
    return grid, np.char.str_len(raw).astype(np.int64)


def _as_python(cols: FirmsColumns, entry_len: int, entries: np.ndarray, leaves: np.ndarray,
               uids: np.ndarray, pshas: np.ndarray,
               locations: np.ndarray) -> EncodedColumns:  # fmt: skip
    n = cols.read
    u = uids.tobytes().decode("ascii")
    h = pshas.tobytes().decode("ascii")
    e = entries.tobytes()
    lb = leaves.tobytes()
    step = entry_len + 1
    first, last = int(cols.starts[0]), int(cols.stops[-1])
    return EncodedColumns(
        uids=[u[k : k + 64] for k in range(0, 64 * n, 64)],
        payload_sha256=[h[k : k + 64] for k in range(0, 64 * n, 64)],
        locations=locations.tobytes().decode("ascii").split("\n")[:n],
        payloads=cols.data[first:last].tobytes().decode("ascii").split("\n"),
        entries=[e[k + 1 : k + step] for k in range(0, step * n, step)],
        leaf_hashes=[lb[k : k + 32] for k in range(0, 32 * n, 32)],
    )


@numba.njit(nogil=True, cache=True)
def _emit(prog: np.ndarray, nseg: int, consts: np.ndarray, i: int, data: np.ndarray,
          starts: np.ndarray, stops: np.ndarray, lat_txt: np.ndarray, lat_len: np.ndarray,
          lon_txt: np.ndarray, lon_len: np.ndarray, day: np.ndarray, ts_txt: np.ndarray,
          ts_len: np.ndarray, te_txt: np.ndarray, te_len: np.ndarray, hx: np.ndarray,
          dst: np.ndarray, d: int) -> int:  # fmt: skip
    """Write row ``i``'s text of program ``prog`` (its first ``nseg`` segments) at
    ``dst[d:]``; returns the end offset."""
    for s in range(nseg):
        src, a, n = prog[s, 0], prog[s, 1], prog[s, 2]
        if src == 0:
            d = bulk.copy_into(consts, a, n, dst, d)
        elif src == _LAT:
            d = bulk.copy_into(lat_txt[i], 0, lat_len[i], dst, d)
        elif src == _LON:
            d = bulk.copy_into(lon_txt[i], 0, lon_len[i], dst, d)
        elif src == _PAYLOAD:
            d = bulk.copy_into(data, starts[i], stops[i] - starts[i], dst, d)
        elif src == _SCRATCH:
            d = bulk.copy_into(hx, a, n, dst, d)
        elif src == _TS:
            d = bulk.copy_into(ts_txt[day[i]], 0, ts_len[day[i]], dst, d)
        else:
            d = bulk.copy_into(te_txt[day[i]], 0, te_len[day[i]], dst, d)
    return d


@numba.njit(nogil=True, cache=True)
def _encode_rows(consts: np.ndarray, uid_prog: np.ndarray, row_prog: np.ndarray,
                 entry_prog: np.ndarray, loc_prog: np.ndarray, col_progs: np.ndarray,
                 col_nseg: np.ndarray, col_crc: np.ndarray, col_const: np.ndarray,
                 table: np.ndarray, data: np.ndarray, starts: np.ndarray, stops: np.ndarray,
                 lat_txt: np.ndarray, lat_len: np.ndarray, lon_txt: np.ndarray,
                 lon_len: np.ndarray, day: np.ndarray, ts_txt: np.ndarray, ts_len: np.ndarray,
                 te_txt: np.ndarray, te_len: np.ndarray, entries: np.ndarray, step: int,
                 leaves: np.ndarray, uids: np.ndarray, pshas: np.ndarray,
                 locations: np.ndarray, loc_off: np.ndarray, r0: int, r1: int) -> None:  # fmt: skip
    """Rows ``[r0, r1)``: payload hash, uid, column and row digests, entry, leaf hash and
    stored location text, each in its slot of the output buffers."""
    ctx = np.zeros(bulk.CTX_BYTES, np.uint8)
    dig = np.zeros(32, np.uint8)
    hx = np.zeros(_SCRATCH_BYTES, np.uint8)
    scratch = np.zeros(8192, np.uint8)
    for i in range(r0, r1):
        bulk.sha256_into(ctx, data, starts[i], stops[i], dig, 0)
        bulk.hex_into(dig, 0, 32, hx, _PSHA)
        e = _emit(uid_prog, len(uid_prog), consts, i, data, starts, stops, lat_txt, lat_len,
                  lon_txt, lon_len, day, ts_txt, ts_len, te_txt, te_len, hx, scratch, 0)
        bulk.sha256_into(ctx, scratch, 0, e, dig, 0)
        bulk.hex_into(dig, 0, 32, hx, _UID)
        p = _COLS
        for c in range(len(col_nseg)):
            crc = col_crc[c]
            if not col_const[c]:
                e = _emit(col_progs[c], col_nseg[c], consts, i, data, starts, stops, lat_txt,
                          lat_len, lon_txt, lon_len, day, ts_txt, ts_len, te_txt, te_len, hx,
                          scratch, 0)
                crc = bulk.crc32_update(table, crc, scratch, 0, e)
            p = bulk.crc_hex_into(crc, hx, p)
        e = _emit(row_prog, len(row_prog), consts, i, data, starts, stops, lat_txt, lat_len,
                  lon_txt, lon_len, day, ts_txt, ts_len, te_txt, te_len, hx, scratch, 0)
        bulk.sha256_into(ctx, scratch, 0, e, dig, 0)
        bulk.hex_into(dig, 0, 32, hx, _ROW)
        base = i * step
        entries[base] = 0  # the leaf hash prefix (RFC 9162)
        _emit(entry_prog, len(entry_prog), consts, i, data, starts, stops, lat_txt, lat_len,
              lon_txt, lon_len, day, ts_txt, ts_len, te_txt, te_len, hx, entries, base + 1)
        bulk.sha256_into(ctx, entries, base, base + step, leaves, 32 * i)
        bulk.copy_into(hx, _UID, 64, uids, 64 * i)
        bulk.copy_into(hx, _PSHA, 64, pshas, 64 * i)
        _emit(loc_prog, len(loc_prog), consts, i, data, starts, stops, lat_txt, lat_len,
              lon_txt, lon_len, day, ts_txt, ts_len, te_txt, te_len, hx, locations, loc_off[i])
