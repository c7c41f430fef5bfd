"""Linking a firing position and its impact into one violation before counting."""

from __future__ import annotations

import numpy as np

from trucewatch.claims.linkage import MAX_EVENT_S, SAME_SIDE_KM, link_sites, resolved


def test_opposite_sides_close_in_time_are_one_violation() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [5.0, 0.0], [200.0, 0.0], [201.0, 0.0]])
    t = np.array([0.0, 30.0, 10.0, 0.0, 5000.0])
    side = np.array(["RU", "UA", "RU", "RU", "UA"], dtype=object)
    group = link_sites(xy, t, side)
    # 0 and 2 are on one side, 5 km apart (two sites): only one of them pairs with 1 (the
    # closer, 2)
    assert group[1] == 1 and group[2] == 1 and group[0] == 0
    # 3 and 4 are on opposite sides but 5,000 s apart
    assert group[3] == 3 and group[4] == 4
    assert len(np.unique(group)) == 4


def test_one_site_resolved_twice_is_one_violation() -> None:
    """Two incidents on one side, close in place and time (an echo, two fixes of one
    site), are one violation; farther apart in place or time they are two."""
    near = SAME_SIDE_KM / 2
    xy = np.array([[0.0, 0.0], [near, 0.0], [50.0, 0.0], [50.0 + near, 0.0],
                   [100.0, 0.0], [100.0 + 2 * SAME_SIDE_KM, 0.0]])  # fmt: skip
    t = np.array([0.0, 10.0, 0.0, 600.0, 0.0, 5.0])
    side = np.array(["RU"] * 6, dtype=object)
    group = link_sites(xy, t, side)
    assert group.tolist() == [0, 0, 2, 3, 4, 5]


def test_an_incident_longer_than_an_episode_is_not_one_violation() -> None:
    assert resolved(np.array([0.0, 600.0, MAX_EVENT_S, MAX_EVENT_S + 1, 6 * 3600])).tolist() == [
        True, True, True, False, False]  # fmt: skip
