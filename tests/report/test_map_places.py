"""Places on the report's map: border, coast and names inside the view, none overlapping."""

from __future__ import annotations

from trucewatch.report.map_places import MAX_PLACES, draw_places
from trucewatch.report.plotting import new_figure


def _texts(window: tuple[float, float, float, float]) -> list[tuple[str, float, float]]:
    fig = new_figure((9.0, 6.0), 110)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    draw_places(ax, window)
    assert len(ax.collections) == 2  # the border and the coast
    names = [(t.get_text(), *t.xy) for t in ax.texts if hasattr(t, "xy")]
    oblasts = [(t.get_text(), *t.get_position()) for t in ax.texts if not hasattr(t, "xy")]
    return names + oblasts


def test_the_front_has_its_towns_and_oblasts() -> None:
    window = (35.0, 46.5, 40.0, 49.5)
    texts = _texts(window)
    names = {t[0] for t in texts}
    assert {"Donetsk", "Mariupol", "Zaporizhzhya"} <= names
    assert any(n.endswith("OBLAST") for n in names)
    assert all(window[0] <= x <= window[2] and window[1] <= y <= window[3] for _, x, y in texts)
    assert len([n for n in names if not n.endswith("OBLAST")]) <= MAX_PLACES


def test_a_small_view_names_villages() -> None:
    texts = _texts((37.4, 48.3, 37.9, 48.6))  # around Kostiantynivka, ~40 km wide
    assert len(texts) >= 5
