/* The parties' claims in the dashboard (docs/claims.md): for the selected day (or the whole
   period), per party the claims made and how many the evidence corroborated, partly
   corroborated, could not verify or contradicted (GET /api/claims: its by_party summary),
   the list of claims with each label's reason and coverage, and, for an analyst, the
   estimated violations per sector and day with their 90% intervals (GET /api/claims/totals).
   Clicking a claim with a place pans the map to it (the claimed point, its 2-sd circle)
   and shows the incidents it was linked to, those the caller's role may open. What the API
   refuses a role (401/403) is hidden, not shown as an error. */
"use strict";

const Claims = (() => {
  const LABELS = ["corroborated", "partly_corroborated", "not_verifiable", "contradicted"];
  const AGGREGATE = ["consistent", "overstated", "understated", "no_estimate"];
  const MAX_LIST = 200;    // claims listed (the summary counts all of them)
  const MAX_LINKED = 10;   // linked incidents fetched for a claim
  const WORDS_ = {
    corroborated: _("corroborated"), partly_corroborated: _("partly corroborated"),
    not_verifiable: _("not verifiable"), contradicted: _("contradicted"), pending: _("pending"),
    consistent: _("consistent"), overstated: _("overstated"), understated: _("understated"),
    no_estimate: _("no estimate"),
    // what an aggregate claim counts (after "claimed ...: N")
    violations: _("violations"), attacks: _("attacks"), shelling: _("shelling"),
    assaults: _("assaults"), drones: _("drones"),
    // the weapon and target words of claim records (claims read from text use these)
    "aerial bomb": _("aerial bomb"), drone: _("drone"), mlrs: _("MLRS"), missile: _("missile"),
    tank: _("tank"), "energy infrastructure": _("energy infrastructure"),
    hospital: _("hospital"), school: _("school"), residential: _("residential"),
    civilian: _("civilian"), port: _("port"), railway: _("railway"),
  };
  const cword = (w) => (w ? WORDS_[w] || WORDS_[String(w).toLowerCase()] || word(w) : "");
  const clock = new Intl.DateTimeFormat(I18N.locale, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
  let map_ = null;
  let layer = null;
  let renderer = null;   // SVG: the claim's marks are page elements
  let seq = 0;
  let claims = [];

  const el = (id) => document.getElementById(id);
  const num = I18N.num;
  const sum = (o) => Object.values(o || {}).reduce((a, b) => a + b, 0);

  function span(c) {
    const same = c.start.slice(0, 10) === c.end.slice(0, 10);
    if (c.start === c.end) return fmtTime(c.start);
    return same ? `${fmtTime(c.start)} – ${clock.format(new Date(c.end))}`
      : `${fmtTime(c.start)} – ${fmtTime(c.end)}`;
  }

  function where(c) {
    if (c.type === "aggregate") return c.sector ? _("sector {name}", { name: c.sector }) : _("whole front");
    const point = `${c.lat.toFixed(4)}, ${c.lon.toFixed(4)}`;
    return c.place ? `${c.place} (${point})` : point;
  }

  /* The API's reason, with incident uids shortened to 12 characters. */
  const reason = (r) => String(r || "").replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, "$1…");

  function summaryHtml(byParty) {
    const parties = Object.keys(byParty).sort();
    const cell = (p, n, row) => `<td data-party="${esc(p)}" data-row="${row}">${num(n)}</td>`;
    const dot = (label) => `<span class="claim-dot ${label}"></span>`;
    const rows = [`<tr data-row="claims"><th>${esc(_("claims made"))}</th>`
      + parties.map((p) => cell(p, sum(byParty[p]), "claims")).join("") + "</tr>"];
    LABELS.forEach((l) => rows.push(`<tr data-row="${l}"><th>${dot(l)}${esc(cword(l))}</th>`
      + parties.map((p) => cell(p, byParty[p][l] || 0, l)).join("") + "</tr>"));
    const pending = parties.map((p) => byParty[p].pending || 0);
    if (pending.some((n) => n)) {
      rows.push(`<tr data-row="pending"><th>${dot("pending")}${esc(cword("pending"))}</th>`
        + parties.map((p, i) => cell(p, pending[i], "pending")).join("") + "</tr>");
    }
    const aggs = parties.map((p) => AGGREGATE.reduce((a, v) => a + (byParty[p][v] || 0), 0));
    if (aggs.some((n) => n)) {
      rows.push(`<tr data-row="aggregate"><th>${dot("aggregate")}${esc(_("aggregate claims"))}</th>`
        + parties.map((p, i) => {
          const parts = AGGREGATE.filter((v) => byParty[p][v]).map((v) => `${cword(v)} ${num(byParty[p][v])}`);
          return `<td data-party="${esc(p)}" data-row="aggregate" title="${esc(parts.join(", "))}">${num(aggs[i])}</td>`;
        }).join("") + "</tr>");
    }
    return `<thead><tr><th></th>${parties.map((p) => `<th data-party="${esc(p)}">${esc(p)}</th>`).join("")}</tr></thead>`
      + `<tbody>${rows.join("")}</tbody>`;
  }

  function claimHtml(c) {
    const label = c.label || "pending";
    const what = c.type === "item"
      ? [cword(c.weapon), c.count ? `×${num(c.count)}` : "", c.target ? _("target: {target}", { target: cword(c.target) }) : ""]
      : [_("claimed {kind}: {count}", { count: num(c.count), kind: cword(c.kind) })];
    const who = `${esc(c.claimant)}${c.accused ? ` → ${esc(c.accused)}` : ""}`;
    const d = c.details || {};
    const figures = [];
    if (c.coverage !== null && c.coverage !== undefined) figures.push(_("coverage {coverage}", { coverage: pct(c.coverage) }));
    if (c.type === "aggregate" && d.estimate !== null && d.estimate !== undefined && d.interval) {
      figures.push(_("estimate {estimate}, 90% interval {low}–{high}",
        { estimate: num(Math.round(d.estimate)), low: num(Math.round(d.interval[0])), high: num(Math.round(d.interval[1])) }));
    }
    return `<span class="claim-label ${esc(label)}">${esc(cword(label))}</span> <strong>${who}</strong>`
      + ` ${esc(what.filter(Boolean).join(" "))}`
      + `<br><span class="muted">${esc(span(c))} · ${esc(where(c))}</span>`
      + (figures.length || c.reason ? `<br><span class="claim-reason">${figures.map((f) => `<strong>${esc(f)}</strong>`).join(" · ")}`
        + `${figures.length && c.reason ? " · " : ""}${esc(reason(c.reason))}</span>` : "")
      + `<div class="claim-links" hidden></div>`;
  }

  function listHtml(rows) {
    const ol = el("claims-list");
    ol.replaceChildren();
    rows.slice(0, MAX_LIST).forEach((c) => {
      const li = document.createElement("li");
      li.dataset.uid = c.uid;
      li.dataset.party = c.claimant;
      li.dataset.label = c.label || "pending";
      li.dataset.type = c.type;
      li.innerHTML = claimHtml(c);
      if (c.lat !== null && c.lon !== null) {
        li.classList.add("placed");
        li.tabIndex = 0;
        li.addEventListener("click", (ev) => { if (!ev.target.closest(".claim-links")) select(c, li); });
        li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(c, li); });
      }
      ol.appendChild(li);
    });
    const more = el("claims-more");
    more.hidden = rows.length <= MAX_LIST;
    more.textContent = _("claims listed: {shown} of {total}", { shown: num(MAX_LIST), total: num(rows.length) });
  }

  async function linked(uids) {
    const got = await Promise.all(uids.slice(0, MAX_LINKED).map((u) => api(`/incidents/${u}`).catch(() => null)));
    return got.filter(Boolean);
  }

  /* Scroll the list (not the side panel) so that the claim and its links are in view. */
  function reveal(li) {
    const ol = el("claims-list");
    const a = ol.getBoundingClientRect();
    const b = li.getBoundingClientRect();
    if (b.top < a.top) ol.scrollTop -= a.top - b.top;
    else if (b.bottom > a.bottom) ol.scrollTop += Math.min(b.bottom - a.bottom, b.top - a.top);
  }

  /* The claim on the map (its point and 2-sd circle), and its linked incidents. */
  async function select(c, li) {
    document.querySelectorAll("#claims-list li.selected").forEach((x) => {
      x.classList.remove("selected");
      x.querySelector(".claim-links").hidden = true;
    });
    li.classList.add("selected");
    layer.clearLayers();
    const at = [c.lat, c.lon];
    const sd = c.sigma_km || 2;
    L.circle(at, { renderer, radius: 2000 * sd, color: "#5b2a86", weight: 1.5, dashArray: "5 4",
      fillOpacity: 0.04, className: "claim-area", interactive: false }).addTo(layer);
    const place = L.circleMarker(at, { renderer, radius: 11, color: "#5b2a86", weight: 3,
      fill: false, className: "claim-place" })
      .bindTooltip(esc(_("claimed place ± {km} km", { km: num(2 * sd) }))).addTo(layer);
    const box = li.querySelector(".claim-links");
    const uids = (c.details && Array.isArray(c.details.incidents)) ? c.details.incidents : [];
    const points = [at];
    box.hidden = !uids.length;
    box.innerHTML = uids.length ? `<span class="muted">${esc(_("loading…"))}</span>` : "";
    const found = uids.length ? await linked(uids) : [];
    if (!li.classList.contains("selected")) return;  // another claim was picked meanwhile
    found.forEach((d) => {
      const [lon, lat] = d.incident.geometry.coordinates;
      points.push([lat, lon]);
      const m = L.circleMarker([lat, lon], { renderer, radius: 9, color: "#111", weight: 2.5,
        fillColor: STATUS_COLORS[d.incident.properties.status] || "#999", fillOpacity: 0.9,
        className: "claim-incident" });
      m.bindTooltip(esc(`${word(d.incident.properties.kind)} · ${word(d.incident.properties.status)}`));
      m.on("click", () => window.trucewatch.openIncident(d.incident.id));
      m.addTo(layer);
    });
    place.bringToFront();  // the claimed point's ring above the incidents
    if (uids.length) {
      const hidden = Math.min(uids.length, MAX_LINKED) - found.length;
      box.innerHTML = `<strong>${esc(_("Linked incidents"))}</strong><ul>${found.map((d) => {
        const p = d.incident.properties;
        return `<li><button type="button" class="link" data-uid="${esc(d.incident.id)}">`
          + `${esc(word(p.kind))} · ${esc(word(p.status))} · ${esc(fmtTime(p.time_start))}</button></li>`;
      }).join("")}</ul>${hidden > 0 ? `<span class="muted">${esc(_("linked incidents not shown to your role: {n}", { n: num(hidden) }))}</span>` : ""}`;
      box.querySelectorAll("button[data-uid]").forEach((b) => b.addEventListener("click",
        () => window.trucewatch.openIncident(b.dataset.uid, true)));
    }
    const zoom = Math.max(map_.getZoom(), 11);
    if (points.length > 1) map_.flyToBounds(L.latLngBounds(points).pad(0.5), { maxZoom: 13, duration: 0.6 });
    else map_.flyTo(at, zoom, { duration: 0.6 });
    li.dataset.linked = String(found.length);
    reveal(li);
  }

  function totalsHtml(t, day) {
    const rows = t.sector_days || [];
    if (!rows.length) return `<tr><td class="muted">${esc(_("No estimate: no incidents seen by monitoring sources."))}</td></tr>`;
    const status = { too_few_sources: _("too few sources"), too_dependent: _("too dependent") };
    const head = `<thead><tr><th>${esc(_("Sector"))}</th>${day ? "" : `<th>${esc(_("day"))}</th>`}`
      + `<th class="n">${esc(_("seen"))}</th><th class="n">${esc(_("estimate (90% interval)"))}</th></tr></thead>`;
    return head + "<tbody>" + rows.map((r) => {
      const est = r.status === "ok"
        ? `<strong>${num(r.total)}</strong> <span class="muted">(${num(r.low)}–${num(r.high)})</span>`
        : `<span class="muted">${esc(status[r.status] || r.status)}</span>`;
      return `<tr data-status="${esc(r.status)}" title="${esc(r.reason)}"><td>${esc(r.sector)}</td>`
        + `${day ? "" : `<td>${esc(I18N.day(r.day))}</td>`}<td class="n">${num(r.observed)}</td><td class="n">${est}</td></tr>`;
    }).join("") + "</tbody>";
  }

  /* Load the panel for the caller and the period (``day``: YYYY-MM-DD, or null: all). */
  async function load(tw, map, day) {
    map_ = map;
    if (!layer) {
      renderer = L.svg({ pane: "incidents" });
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    const section = el("claims-section");
    const mine = ++seq;
    delete section.dataset.loaded;
    if (!can("read_all_incidents") && !can("submit_complaints")) { section.hidden = true; return; }
    const p = new URLSearchParams();
    if (day) {
      const next = new Date(day + "T00:00:00Z"); next.setUTCDate(next.getUTCDate() + 1);
      p.set("since", day + "T00:00:00Z");
      p.set("until", next.toISOString().slice(0, 10) + "T00:00:00Z");
    }
    const q = p.toString() ? `?${p}` : "";
    const mayTotal = can("read_all_incidents");
    const [list, totals] = await Promise.all([
      api(`/claims${q}`).catch((e) => e),
      mayTotal ? api(`/claims/totals${q}`).catch((e) => e) : Promise.resolve(null),
    ]);
    if (mine !== seq) return;
    const refused = (x) => x instanceof Error && (x.status === 401 || x.status === 403);
    if (refused(list)) { section.hidden = true; return; }
    section.hidden = false;
    el("claims-period").textContent = day ? I18N.day(day) : _("whole period");
    const note = el("claims-note");
    if (list instanceof Error) {
      note.textContent = _("Could not load the claims: {error}", { error: list.message });
      note.hidden = false;
      el("claims-summary").replaceChildren();
      el("claims-list").replaceChildren();
    } else {
      claims = list.claims.slice().sort((a, b) => a.start.localeCompare(b.start) || a.claimant.localeCompare(b.claimant));
      note.hidden = claims.length > 0;
      note.textContent = _("No claims in this period.");
      el("claims-summary").innerHTML = claims.length ? summaryHtml(list.by_party) : "";
      listHtml(claims);
    }
    const box = el("claims-totals");
    box.hidden = totals === null || refused(totals);
    if (!box.hidden) {
      el("totals-note").textContent = _("Including the violations no source recorded, from the overlap of the monitoring sources; the 90% interval in brackets.");
      el("totals-table").innerHTML = totals instanceof Error
        ? `<tr><td class="muted">${esc(_("Could not load the estimates: {error}", { error: totals.message }))}</td></tr>`
        : totalsHtml(totals, day);
    }
    section.dataset.loaded = day || "all";
  }

  function fold(open) {
    el("claims-body").hidden = !open;
    el("claims-toggle").setAttribute("aria-expanded", String(open));
    localStorage.setItem("trucewatch-claims-folded", open ? "0" : "1");
  }
  el("claims-toggle").addEventListener("click",
    () => fold(el("claims-toggle").getAttribute("aria-expanded") !== "true"));
  if (localStorage.getItem("trucewatch-claims-folded") === "1") fold(false);

  return { load, claims: () => claims };
})();
