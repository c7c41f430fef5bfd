/* The dashboard's language: messages from the page's catalogue (gettext .po files read by
   the server, see trucewatch.i18n), numbers and dates through the browser's Intl in the
   same locale. `_("text {name}", {name: 1})` translates and fills placeholders. */
"use strict";

const I18N = (() => {
  const data = JSON.parse(document.getElementById("i18n-data").textContent);
  const locale = data.locale;
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const longDay = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
  const dayTime = new Intl.DateTimeFormat(locale, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZone: "UTC",
  });

  function translate(msg, vars) {
    let s = data.messages[msg] || msg;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  /** Switch language: remembered in a cookie (the user's choice), applied by reloading. */
  function use(code) {
    document.cookie = `trucewatch_lang=${encodeURIComponent(code)}; path=/; max-age=31536000; SameSite=Lax`;
    const url = new URL(window.location.href);
    url.searchParams.set("lang", code);
    window.location.assign(url.toString());
  }

  return {
    locale,
    translate,
    use,
    num: (n) => (n === null || n === undefined ? "–" : number.format(n)),
    pct: (x) => (x === null || x === undefined ? "–" : percent.format(x)),
    day: (iso) => longDay.format(new Date(iso.slice(0, 10) + "T00:00:00Z")),
    time: (iso) => (iso ? `${dayTime.format(new Date(iso))} UTC` : "–"),
  };
})();
const _ = I18N.translate;

/* Words of the API (statuses, kinds, verdicts, flows, sources) in the page's language. */
const WORDS = {
  unverified: _("unverified"), possible: _("possible"), probable: _("probable"),
  confirmed: _("confirmed"), refuted: _("refuted"),
  violation: _("violation"), undetermined: _("undetermined"), permitted: _("permitted"),
  explosion: _("explosion"), artillery: _("artillery"), mortar: _("mortar"),
  small_arms: _("small arms"), burst: _("burst"), shot: _("shot"), projectile: _("projectile"),
  flare: _("flare"), grenade: _("grenade"), thermal_anomaly: _("thermal anomaly"),
  incoming: _("incoming"), outgoing: _("outgoing"),
  patrol: _("patrol"), camera: _("camera"), acoustic: _("acoustic"),
  satellite_thermal: _("satellite thermal"), party_complaint: _("party complaint"),
  open_source: _("open source"),
  analyst: _("analyst"), monitor: _("monitor"), liaison: _("liaison"), public: _("public"),
};
const word = (w) => (w === null || w === undefined ? "" : WORDS[w] || String(w).replaceAll("_", " "));
