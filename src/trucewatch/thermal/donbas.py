"""The 2015-2022 line of contact in Donbas, approximated, for the pre-war baseline.

From the Minsk II agreement (February 2015, after Debaltseve) to 24 February 2022 the line
between Ukrainian-held and separatist-held Donbas barely moved, and fighting along it
never stopped (the OSCE SMM recorded 94,000 ceasefire violations in 2021). Fire
detections near it in 2016-2021 are partly war fires, so the "normal year" baseline must
not learn them as normal. No control map of that period is shipped with the data; the
line is approximated here by an explicit polyline through places on either side of it
(positions from their well-known coordinates; the line runs between them), north-east to
south:

* the Siverskyi Donets from the Russian border past Stanytsia Luhanska and Shchastia to
  Krymske (Ukraine held the north bank);
* south past Zolote and Popasna (Ukraine) / Pervomaisk and Kirovsk (separatists), to
  Svitlodarsk (Ukraine) / Debaltseve (separatists);
* Zaitseve and Mayorsk between Horlivka (separatists) and Toretsk (Ukraine);
* Avdiivka (Ukraine) / Yasynuvata (separatists), the Donetsk airport, Pisky, Krasnohorivka
  and Marinka west of Donetsk;
* south past Novomykhailivka and Novotroitske (Ukraine) / Olenivka and Dokuchaievsk
  (separatists), down the Kalmius past Hranitne and Pavlopil to the Azov coast at
  Shyrokyne, east of Mariupol.

Its error is a few km (at most about 10 km), far less than the default exclusion band
of 20 km either side (:data:`DONBAS_BUFFER_KM`), which is also about the range of the
122 mm artillery that most OSCE-reported violations involved. Coordinates WGS84 lon/lat.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString

from trucewatch.geo.projection import to_local_m

__all__ = [
    "DONBAS_BUFFER_KM",
    "DONBAS_LINE_2015_2022",
    "DONBAS_WAR_YEARS",
    "donbas_distance_km",
]

DONBAS_LINE_2015_2022: tuple[tuple[float, float], ...] = (
    (39.80, 48.61),  # Siverskyi Donets at the Russian border
    (39.49, 48.64),  # Stanytsia Luhanska (UA, north bank)
    (39.23, 48.72),  # Shchastia (UA)
    (38.95, 48.73),
    (38.83, 48.72),  # Krymske (UA)
    (38.62, 48.69),
    (38.51, 48.67),  # Zolote (UA) / Pervomaisk (sep.)
    (38.40, 48.60),  # Popasna (UA) / Kirovsk (sep.)
    (38.30, 48.50),  # Troitske
    (38.24, 48.43),  # Svitlodarsk (UA) / Debaltseve (sep.)
    (38.03, 48.36),  # Zaitseve
    (37.90, 48.36),  # Mayorsk: Horlivka (sep.) / Toretsk (UA)
    (37.82, 48.20),  # Novhorodske - Verkhnotoretske
    (37.78, 48.13),  # Avdiivka (UA) / Yasynuvata (sep.)
    (37.72, 48.07),  # Donetsk airport
    (37.63, 48.05),  # Pisky (UA)
    (37.53, 48.00),  # Krasnohorivka (UA)
    (37.47, 47.93),  # Marinka (UA)
    (37.47, 47.84),  # Novomykhailivka (UA)
    (37.58, 47.73),  # Novotroitske (UA) / Olenivka, Dokuchaievsk (sep.)
    (37.63, 47.55),
    (37.62, 47.43),  # Hranitne on the Kalmius
    (37.66, 47.30),  # Pavlopil
    (37.74, 47.08),  # Shyrokyne, Azov coast
)
"""Approximate line of contact in Donbas, 2015-2022 (lon, lat), north-east to south."""

DONBAS_WAR_YEARS = tuple(range(2014, 2022))
"""Years (2014-2021) in which fire near the Donbas line may be war fire."""

DONBAS_BUFFER_KM = 20.0
"""Default half width (km) of the band around the line left out of war years."""


@lru_cache(maxsize=1)
def _line_m() -> LineString:
    lon, lat = np.array(DONBAS_LINE_2015_2022).T
    x, y = to_local_m(lon, lat)
    line = LineString(np.column_stack([x, y]))
    shapely.prepare(line)
    return line


def donbas_distance_km(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    """Distance (km) of points (WGS84 degrees) to the approximate 2015-2022 Donbas line."""
    x, y = to_local_m(lon, lat)
    pts = shapely.points(x, y)
    return np.asarray(shapely.distance(_line_m(), pts), dtype=np.float64) / 1000.0
