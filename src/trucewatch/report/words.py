"""The language of the daily report: its messages (gettext, :mod:`trucewatch.i18n`), plural
forms, and dates and numbers in the words of the locale (Babel's CLDR data).

Every sentence, heading, table header, axis label and legend of the report goes through a
:class:`Words` of the report's language (``report.json`` names it in ``language``).
Messages are English source strings with ``{name}`` placeholders; plural messages use
``ngettext`` and the plural rule of the catalogue's header (Ukrainian and Russian have
three forms: 1 and 21 інцидент / инцидент, 2 інциденти / инцидента, 5 інцидентів /
инцидентов). Party codes, sector and place names and clause ids are never translated.
English dates are written the British way ("12 August 2025"), as the report always did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from babel.support import NullTranslations

from trucewatch import i18n

__all__ = ["ENGLISH", "N_", "Words", "words"]


def N_(message: str) -> str:
    """Mark ``message`` for extraction (``pybabel extract``) without translating it here."""
    return message


@dataclass(frozen=True)
class Words:
    """The report's messages, dates and numbers in ``locale`` (one of
    :data:`trucewatch.i18n.LOCALES`)."""

    locale: str = i18n.DEFAULT
    _t: NullTranslations = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.locale not in i18n.LOCALES:
            raise ValueError(f"language {self.locale!r}: offered are {', '.join(i18n.LOCALES)}")
        object.__setattr__(self, "_t", i18n.translations(self.locale))

    def _(self, message: str, **values: object) -> str:
        """``message`` translated, its ``{placeholders}`` filled with ``values``."""
        text = self._t.gettext(message)
        return text.format(**values) if values else text

    def translate(self, message: str) -> str:
        """``message`` translated, placeholders left as they are."""
        return self._t.gettext(message)

    def translate_plural(self, singular: str, plural: str, n: int) -> str:
        """The plural form of the message for ``n``, placeholders left as they are."""
        return self._t.ngettext(singular, plural, n)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The plural form for ``n`` (``{n}`` is ``n`` with the locale's separators)."""
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=self.integer(n), **values)

    def integer(self, n: int | float) -> str:
        """An integer with the locale's thousands separator (``1,234``, ``1 234``)."""
        return i18n.format_number(int(n), self.locale, 0)

    def dec(self, x: float, decimals: int | None = 2) -> str:
        """A number with ``decimals`` fraction digits (``0.80``, ``0,80``); None: as many as
        it has (``15``, ``7,5``)."""
        return i18n.format_number(x, self.locale, decimals)

    def day(self, d: date) -> str:
        """A calendar day in words: ``12 August 2025``, ``12 серпня 2025 р.``."""
        return i18n.format_day(d, "en_GB" if self.locale == "en" else self.locale)

    def short_day(self, d: date) -> str:
        """Day and abbreviated month for chart ticks: ``12 Aug``, ``12 серп.``."""
        return i18n.format_day(d, "en_GB" if self.locale == "en" else self.locale, "d MMM")

    def label(self, key: object) -> str:
        """A value of the report (a status, kind, source, verdict: ``satellite_thermal``)
        in words: its message (marked in :data:`LABELS`), else the key with spaces."""
        text = str(key).replace("_", " ")
        return self._t.gettext(text) if text in LABELS else text

    def join(self, items: Iterable[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` in the locale's words."""
        xs = list(items)
        if len(xs) <= 1:
            return "".join(xs)
        return self._("{items} and {last}", items=", ".join(xs[:-1]), last=xs[-1])


LABELS: frozenset[str] = frozenset((
    # incident statuses
    N_("confirmed"), N_("probable"), N_("possible"), N_("unverified"), N_("refuted"),
    # event kinds
    N_("explosion"), N_("artillery"), N_("mortar"), N_("small arms"), N_("burst"), N_("shot"),
    N_("projectile"), N_("flare"), N_("grenade"), N_("undetermined"), N_("thermal anomaly"),
    # source kinds
    N_("patrol"), N_("camera"), N_("acoustic"), N_("satellite thermal"),
    N_("party complaint"), N_("open source"),
    # verdicts against an agreement
    N_("violation"), N_("permitted"),
    # claims: items and aggregates
    N_("corroborated"), N_("partly corroborated"), N_("not verifiable"), N_("contradicted"),
    N_("pending"), N_("consistent"), N_("overstated"), N_("understated"), N_("no estimate"),
    # agreement scopes
    N_("general"), N_("protected sites"), N_("sea"), N_("air"),
    # sides and rows
    N_("unknown"), N_("outside sectors"),
))  # fmt: skip
"""Values of the report shown in words (with underscores as spaces)."""

ENGLISH = Words()


def words(locale: str | None) -> Words:
    """The :class:`Words` of ``locale`` (None: English)."""
    return ENGLISH if locale in (None, i18n.DEFAULT) else Words(str(locale))
