"""Fuzz every input format the way ``trucewatch import`` / ``agreement add`` read them:
``N`` mutated files per format (patrol JSON Lines, FIRMS CSV, SMM text, agreement TOML),
each imported into one SQLite store through the use cases the command line calls. A case
passes when it is stored or refused with a :class:`~trucewatch.errors.TrucewatchError`
(the one-line error); any other exception is a traceback the user would have seen, and
every stored observation must lie within :mod:`trucewatch.limits`.

    python -m benchmarks.fuzz_inputs [N]     # default 10,000 per format; JSON on stdout
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.app import agreements, intake
from trucewatch.app.demo import AGREEMENT_FILE, demo_file
from trucewatch.errors import TrucewatchError
from trucewatch.store import Store

SEED = 20
HOSTILE: list[Any] = [
    None, True, 0, -1, 2**31, 2**63, 2**70, 10**20, 1e308, -1e308, 1e151, 1e-320,
    float("inf"), float("-inf"), float("nan"), "", " ", "\x00", "a\x00b", "\ud800", "x" * 300,
    "x" * 100_000, "9999-12-31", "0001-01-01", "2025-13-01", "2025-02-30", "24:00", "99:99",
    "1e400", "nan", "-0", [], {}, [[[]]], {"a": {"b": {"c": 1}}}, "[" * 500 + "]" * 500,
]  # fmt: skip
PATROL = {"date": "2025-08-13", "observer_place": "post", "observer_lon": 37.3,
          "observer_lat": 48.3, "observer_sigma_km": 0.2, "time_start": "09:00",
          "time_end": "10:00", "source_id": "a1", "timezone": "Europe/Kyiv",
          "events": [{"kind": "mortar", "count": 3, "weapon": "mortar", "flow": "incoming",
                      "directions": ["east"], "distance_km_min": 2,
                      "distance_km_max": 4}]}  # fmt: skip
FIRMS = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,"
         "version,bright_ti5,frp,daynight,instrument\n"
         "48.5,37.5,330.1,0.4,0.4,2025-08-13,0126,N20,nominal,2.0NRT,290.0,3.1,N,VIIRS\n")
SMM = ("date: 2016-08-22\n\nOn the night of 22 August, whilst in Donetsk city centre the "
       "SMM heard 15 undetermined explosions 7-9km north-north-west of its position.\n")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, allow_nan=True)


def patrol_case(rng: random.Random) -> str:
    record = json.loads(json.dumps(PATROL))
    event = record["events"][0]
    if rng.random() < 0.05:
        record["events"] = record["events"] * rng.choice([201, 1000])
    for _ in range(rng.randint(1, 3)):
        target = record if rng.random() < 0.5 else event
        target[rng.choice(sorted(target))] = rng.choice(HOSTILE)
    return json.dumps(record, ensure_ascii=False, allow_nan=True) + "\n"


def firms_case(rng: random.Random) -> str:
    header, row = FIRMS.splitlines()
    cells = row.split(",")
    for _ in range(rng.randint(1, 3)):
        cells[rng.randrange(len(cells))] = _text(rng.choice(HOSTILE)).replace(",", ";")
    return header + "\n" + ",".join(c.replace("\n", " ") for c in cells) + "\n"


def smm_case(rng: random.Random) -> str:
    words = SMM.split(" ")
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = _text(rng.choice(HOSTILE))
    return " ".join(words)


def toml_case(rng: random.Random) -> str:
    lines = demo_file(AGREEMENT_FILE).read_text(encoding="utf-8").splitlines()
    keyed = [i for i, ln in enumerate(lines) if "=" in ln and not ln.lstrip().startswith("#")]
    for _ in range(rng.randint(1, 2)):
        i = rng.choice(keyed)
        value = rng.choice(HOSTILE)
        text = json.dumps(value) if isinstance(value, str) else _text(value)
        lines[i] = lines[i].split("=")[0] + "= " + text.replace("NaN", "nan")
    return "\n".join(lines) + "\n"


FORMATS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "patrol": (".jsonl", patrol_case), "firms": (".csv", firms_case),
    "smm": (".txt", smm_case), "agreement": (".toml", toml_case),
}  # fmt: skip


def _one(store: Store, fmt: str, path: Path) -> str:
    """``stored``, ``refused`` or ``traceback: ...`` for one file."""
    try:
        if fmt == "agreement":
            agreements.add_agreement(store, path)
        else:
            intake.import_files(store, [path], format=fmt)
        return "stored"
    except TrucewatchError:
        return "refused"
    except Exception:  # a traceback the user would have seen
        return "traceback: " + traceback.format_exc(limit=3).splitlines()[-1]


def run(n: int = 10_000) -> dict[str, Any]:
    rng = random.Random(SEED)
    out: dict[str, Any] = {"cases_per_format": n, "formats": {}}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'fuzz.db'}")
        try:
            for fmt, (suffix, make) in FORMATS.items():
                t0, tally, examples = time.perf_counter(), {"stored": 0, "refused": 0,
                                                             "traceback": 0}, []  # fmt: skip
                for i in range(n):
                    path = Path(tmp) / f"{fmt}-{i}{suffix}"
                    path.write_text(make(rng), encoding="utf-8", errors="surrogatepass")
                    outcome = _one(store, fmt, path)
                    key = outcome.split(":")[0]
                    tally[key] += 1
                    if key == "traceback" and len(examples) < 5:
                        examples.append({"case": path.read_text(errors="replace")[:300],
                                         "error": outcome})  # fmt: skip
                    path.unlink()
                out["formats"][fmt] = {**tally, "examples": examples,
                                       "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
            bad = [o.uid for o in store.observations() if limits.observation_problem(o)]
            out["stored_out_of_limits"] = len(bad)
        finally:
            store.close()
    out["tracebacks"] = sum(f["traceback"] for f in out["formats"].values())
    return out


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000), indent=2))
