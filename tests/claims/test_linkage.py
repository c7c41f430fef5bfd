"""Linking a firing position and its impact into one violation before counting."""

from __future__ import annotations

import numpy as np

from trucewatch.claims.linkage import link_sites


def test_opposite_sides_close_in_time_are_one_violation() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.5, 0.0], [200.0, 0.0], [201.0, 0.0]])
    t = np.array([0.0, 30.0, 10.0, 0.0, 5000.0])
    side = np.array(["RU", "UA", "RU", "RU", "UA"], dtype=object)
    group = link_sites(xy, t, side)
    # 0 and 2 are on one side: only one of them pairs with 1 (the closer in time, 2)
    assert group[1] == 1 and group[2] == 1 and group[0] == 0
    # 3 and 4 are on opposite sides but 5,000 s apart
    assert group[3] == 3 and group[4] == 4
    assert len(np.unique(group)) == 4
