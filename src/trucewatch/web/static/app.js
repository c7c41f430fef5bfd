/* trucewatch dashboard: Leaflet map, filters, time slider, incident panel, trend chart.
   Works offline: the base map is vector data served by the API (country outline, coast,
   places, control area, contact line, sectors, zones); OpenStreetMap tiles only when the
   toggle is on. The server filters, ranks and pages: the map holds the MAP_LIMIT most
   confident matches (/incidents/markers, clustered), the list pages through all of them. */
"use strict";

const API = "/api";
const STATUS_COLORS = {
  unverified: "#9e9e9e", possible: "#e9b949", probable: "#ef7d22",
  confirmed: "#c0392b", refuted: "#3b82f6",
};
const MAP_LIMIT = 5000;   // markers on the map: the most confident matches
const LIST_PAGE = 15;     // rows per page of the "most confident" list

const state = {
  token: sessionStorage.getItem("trucewatch-token") || "",
  me: null, facets: null, days: [], layers: {}, incidents: [], osm: null, selected: null,
  list: { cursors: [null], index: 0, next: null },
  firstPaintMs: null,
};

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => (
  { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmtTime = I18N.time;
const pct = I18N.pct;

async function api(path) {
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const r = await fetch(API + path, { headers });
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error.message; } catch (_) { /* not JSON */ }
    const err = new Error(msg); err.status = r.status; throw err;
  }
  return r.json();
}
const can = (p) => !!state.me && state.me.permissions.includes(p);
const canReadIncidents = () => can("read_all_incidents") || can("read_published_findings");

function notice(text) {
  const n = $("notice");
  n.hidden = !text;
  n.textContent = text || "";
}

// ------------------------------------------------------------------ map

const map = L.map("map", { preferCanvas: true, zoomControl: true, worldCopyJump: false, minZoom: 4, maxZoom: 18 })
  .setView([48.5, 35.5], 6);
const canvas = L.canvas({ padding: 0.3 });
const panes = ["base", "zones", "lines", "incidents"];
panes.forEach((p, i) => { map.createPane(p); map.getPane(p).style.zIndex = 300 + i * 10; });
map.createPane("labels");
map.getPane("labels").style.zIndex = 450;  // above the markers, below clusters and popups
map.getPane("labels").style.pointerEvents = "none";
L.control.scale({ imperial: false }).addTo(map);
map.attributionControl.setPrefix(false);

const legend = L.control({ position: "bottomleft" });
legend.onAdd = () => {
  const div = L.DomUtil.create("div", "leaflet-bar");
  div.style.background = "#fff"; div.style.padding = "4px 8px"; div.style.fontSize = "12px";
  div.innerHTML = Object.entries(STATUS_COLORS)
    .map(([s, c]) => `<span class="dot" style="background:${c}"></span> ${esc(word(s))}`).join("<br>")
    + `<br><span class='muted'>${esc(_("size and opacity: confidence"))}</span>`;
  return div;
};
legend.addTo(map);

function toggleOsm(on) {
  if (on && !state.osm) {
    const url = (state.config && state.config.osm) || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    state.osm = L.tileLayer(url, {
      maxZoom: 18, attribution: `© ${_("OpenStreetMap contributors")}`, pane: "tilePane",
    });
  }
  if (on) state.osm.addTo(map); else if (state.osm) map.removeLayer(state.osm);
}

async function loadBaseLayers() {
  Object.entries(state.layers).forEach(([k, l]) => { if (k !== "incidents") map.removeLayer(l); });
  state.layers = { incidents: state.layers.incidents };
  if (!can("read_map_layers")) { Places.clear(); return; }
  const [outline, control, lines, sectors, zones] = await Promise.all([
    api("/layers/outline"), api("/layers/control"), api("/layers/lines"),
    api("/layers/sectors"), api("/layers/zones"),
  ]);
  const latestLine = (fc) => {
    // the newest line (and its sectors/zones) on the map; older lines stay in the API
    const ids = fc.features.map((f) => f.properties.line_id ?? f.id);
    return Math.max(...ids.filter((x) => typeof x === "number"), -1);
  };
  const lineId = latestLine(lines);
  const onLine = (f) => (f.properties.line_id ?? f.id) === lineId;
  state.layers.outline = L.geoJSON(outline, {
    pane: "base", interactive: false,
    style: { color: "#6b778c", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
  }).addTo(map);
  state.layers.control = L.geoJSON(control, {
    pane: "base", interactive: false, filter: onLine,
    style: { color: "#b08a8a", weight: 0.5, fillColor: "#e9cfcf", fillOpacity: 0.8 },
  }).addTo(map);
  state.layers.zones = L.geoJSON(zones, {
    pane: "zones", filter: onLine,
    style: { color: "#8e6bbf", weight: 1, dashArray: "4 3", fillColor: "#8e6bbf", fillOpacity: 0.08 },
    onEachFeature: (f, l) => l.bindTooltip(
      `${esc(f.properties.zone)}: ${esc(_("{km} km either side", { km: I18N.num(f.properties.half_width_km) }))} (${esc(f.properties.agreement)})`),
  }).addTo(map);
  state.layers.sectors = L.geoJSON(sectors, {
    pane: "lines", filter: onLine,
    style: (f) => ({ color: f.properties.index % 2 ? "#2f3e57" : "#7d8aa3", weight: 7, opacity: 0.35 }),
    onEachFeature: (f, l) => l.bindTooltip(
      esc(_("sector {name} (km {start}–{end})", { name: f.properties.name,
        start: I18N.num(Math.round(f.properties.start_km)), end: I18N.num(Math.round(f.properties.end_km)) })),
      { sticky: true }),
  }).addTo(map);
  state.layers.line = L.geoJSON(lines, {
    pane: "lines", interactive: false, filter: onLine,
    style: { color: "#7a1010", weight: 2.2 },
  }).addTo(map);
  const b = state.layers.line.getBounds();
  if (b.isValid()) map.fitBounds(b.pad(0.08));
  // place names load beside the incidents, not before them
  Places.load(map, api).catch((e) => notice(_("Map layers: {error}", { error: e.message })));
}

// ------------------------------------------------------------------ filters & time

function dayList(minIso, maxIso) {
  const out = [];
  if (!minIso || !maxIso) return out;
  const d = new Date(minIso.slice(0, 10) + "T00:00:00Z");
  const end = new Date(maxIso.slice(0, 10) + "T00:00:00Z");
  while (d <= end && out.length < 3660) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function fillSelect(select, values, label, words) {
  select.replaceChildren(new Option(label, ""));
  values.forEach((v) => select.appendChild(new Option(words ? word(v) : v, v)));
}

function setupFilters(facets) {
  const box = $("filter-status");
  box.replaceChildren();
  Object.keys(STATUS_COLORS).forEach((s) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" data-status="${s}" checked>`
      + `<span class="dot" style="background:${STATUS_COLORS[s]}"></span>${esc(word(s))}`;
    box.appendChild(label);
  });
  fillSelect($("filter-sector"), facets.sectors, _("all sectors"));
  fillSelect($("filter-party"), facets.parties, _("any attribution"), true);
  state.days = dayList(facets.time_min, facets.time_max);
  const slider = $("time-slider");
  slider.max = Math.max(0, state.days.length - 1);
  slider.value = slider.max;  // the latest day first
  $("all-days").checked = !state.days.length;
  slider.disabled = $("all-days").checked;
  updateTimeLabel();
}

function selectedDay() {
  if ($("all-days").checked || !state.days.length) return null;
  return state.days[Number($("time-slider").value)];
}

function updateTimeLabel() {
  const day = selectedDay();
  const label = $("time-label");
  label.dataset.day = day || "";
  label.textContent = day ? I18N.day(day) : state.days.length
    ? `${I18N.day(state.days[0])} – ${I18N.day(state.days[state.days.length - 1])}` : "";
  updateReportLink(day || state.days[state.days.length - 1]);
}

function filterQuery() {
  const p = new URLSearchParams();
  const checked = [...document.querySelectorAll("#filter-status input:checked")].map((i) => i.dataset.status);
  if (checked.length < Object.keys(STATUS_COLORS).length) {
    (checked.length ? checked : ["__none__"]).forEach((s) => p.append("status", s));
  }
  if ($("filter-sector").value) p.append("sector", $("filter-sector").value);
  if ($("filter-party").value) p.append("party", $("filter-party").value);
  if ($("filter-verdict").value) p.append("verdict", $("filter-verdict").value);
  const day = selectedDay();
  if (day) {
    const next = new Date(day + "T00:00:00Z"); next.setUTCDate(next.getUTCDate() + 1);
    p.append("since", day + "T00:00:00Z");
    p.append("until", next.toISOString().slice(0, 10) + "T00:00:00Z");
  }
  return p;
}

// ------------------------------------------------------------------ incidents

// Leaflet.markercluster hides and shows the markers it clusters; circle markers need these.
L.CircleMarker.include({
  clusterHide() { this._shown = [this.options.opacity, this.options.fillOpacity]; this.setStyle({ opacity: 0, fillOpacity: 0 }); return this; },
  clusterShow() { if (this._shown) this.setStyle({ opacity: this._shown[0], fillOpacity: this._shown[1] }); return this; },
});

function markerStyle(props) {
  const c = props.confidence ?? 0.3;
  return {
    pane: "incidents", renderer: canvas,
    radius: 2 + 6 * c, color: "#222", weight: 0.5,
    fillColor: STATUS_COLORS[props.status] || "#777",
    fillOpacity: 0.15 + 0.8 * c, opacity: 0.2 + 0.7 * c,
  };
}

const EMPTY_PAGE = { features: [], numberMatched: 0, next_cursor: null };

function rankedQuery(params, limit, cursor, count, path = "/incidents") {
  const p = new URLSearchParams(params);
  p.set("sort", "-confidence");
  p.set("limit", String(limit));
  if (cursor) p.set("cursor", cursor);
  if (count) p.set("count", "true");
  return `${path}?${p}`;
}

let refreshSeq = 0;
async function refresh() {
  if (!canReadIncidents()) return;
  const seq = ++refreshSeq;
  $("loading").hidden = false;
  const params = filterQuery();
  const none = params.getAll("status").includes("__none__");
  try {
    const [page, first] = none ? [EMPTY_PAGE, EMPTY_PAGE] : await Promise.all([
      api(rankedQuery(params, MAP_LIMIT, null, true, "/incidents/markers")),
      api(rankedQuery(params, LIST_PAGE, null, false)),
    ]);
    if (seq !== refreshSeq) return;
    drawIncidents(page.features, page.numberMatched);
    state.list = { cursors: [null], index: 0, params };
    showList(first);
    notice(null);
    if (state.firstPaintMs === null) {
      state.firstPaintMs = performance.now();
      document.body.dataset.firstPaint = String(Math.round(state.firstPaintMs));
    }
    const trend = none ? { counts: [], days: [], sectors: [] } : await api(`/incidents/trend?${trendQuery(params)}`);
    if (seq === refreshSeq) TrendChart.draw($("trend"), trend, selectedDay());
  } catch (e) {
    console.error(e);
    notice(_("Could not load incidents: {error}", { error: e.message || e }));
  } finally {
    if (seq === refreshSeq) $("loading").hidden = true;
  }
}

const TREND_DAYS = 31;  // the chart: the month up to the selected (or latest) day

function trendQuery(params) {
  const p = new URLSearchParams(params);
  p.delete("since"); p.delete("until");
  const last = selectedDay() || state.days[state.days.length - 1];
  if (last) {
    const end = new Date(last + "T00:00:00Z"); end.setUTCDate(end.getUTCDate() + 1);
    const start = new Date(end); start.setUTCDate(start.getUTCDate() - TREND_DAYS);
    p.append("since", start.toISOString().slice(0, 10) + "T00:00:00Z");
    p.append("until", end.toISOString().slice(0, 10) + "T00:00:00Z");
  }
  return p;
}

function drawIncidents(features, total) {
  if (state.layers.incidents) map.removeLayer(state.layers.incidents);
  state.incidents = features;
  const group = L.markerClusterGroup({
    chunkedLoading: true, animate: false, showCoverageOnHover: false, spiderfyOnMaxZoom: false,
    disableClusteringAtZoom: 11, maxClusterRadius: 45, removeOutsideVisibleBounds: true,
    iconCreateFunction: (cluster) => {
      const n = cluster.getChildCount();
      const size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
      return L.divIcon({
        html: `<span>${I18N.num(n)}</span>`, className: "incident-cluster",
        iconSize: L.point(size, size),
      });
    },
  });
  group.addLayers(features.map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const m = L.circleMarker([lat, lon], markerStyle(f.properties));
    m.bindTooltip(`${esc(word(f.properties.kind))} · ${esc(word(f.properties.status))} · ${pct(f.properties.confidence)}`);
    m.on("click", () => openIncident(f.id));
    return m;
  }));
  group.addTo(map);
  state.layers.incidents = group;
  const count = $("shown-count");
  const matched = total ?? features.length;
  count.dataset.shown = String(features.length);
  count.dataset.total = String(matched);
  count.textContent = _("{shown} of {total} incidents shown",
    { shown: I18N.num(features.length), total: I18N.num(matched) });
  $("shown-note").hidden = features.length >= matched;
}

async function pageList(step) {
  const list = state.list;
  const index = list.index + step;
  if (index < 0 || index >= list.cursors.length) return;
  try {
    const page = await api(rankedQuery(list.params, LIST_PAGE, list.cursors[index], false));
    list.index = index;
    showList(page);
  } catch (e) {
    notice(_("Could not load incidents: {error}", { error: e.message }));
  }
}

function showList(page) {
  const list = state.list;
  if (page.next_cursor && list.cursors.length === list.index + 1) list.cursors.push(page.next_cursor);
  const ol = $("incident-list");
  ol.replaceChildren();
  ol.start = list.index * LIST_PAGE + 1;
  page.features.forEach((f) => {
    const li = document.createElement("li");
    li.dataset.uid = f.id;
    li.innerHTML = `<span class="dot" style="background:${STATUS_COLORS[f.properties.status]}"></span> `
      + `${esc(word(f.properties.kind))}, ${esc(f.properties.sector || _("outside sectors"))}, `
      + `${esc(fmtTime(f.properties.time_start))} <span class="muted">${pct(f.properties.confidence)}</span>`;
    li.addEventListener("click", () => openIncident(f.id, true));
    ol.appendChild(li);
  });
  const from = list.index * LIST_PAGE + 1;
  $("list-range").textContent = page.features.length
    ? `${I18N.num(from)}–${I18N.num(from + page.features.length - 1)}` : _("none");
  $("list-prev").disabled = list.index === 0;
  $("list-next").disabled = !page.next_cursor;
}

function assessmentHtml(assessment) {
  const rows = (assessment && assessment.agreements) || [];
  if (!rows.length) return `<p class='muted'>${esc(_("No agreement in force at this time."))}</p>`;
  return rows.map((a) => `
    <p><span class="verdict ${esc(a.verdict)}">${esc(word(a.verdict))}</span>
       <strong>${esc(a.agreement_name || a.agreement)}</strong>
       ${a.clause ? esc(_("clause {clause}", { clause: a.clause })) : ""}${a.zone ? `, ${esc(_("zone {zone}", { zone: a.zone }))}` : ""}
       ${a.other_clauses && a.other_clauses.length ? `<span class="muted">(${esc(_("also {clauses}", { clauses: a.other_clauses.join(", ") }))})</span>` : ""}<br>
       ${esc(a.reason)}</p>`).join("");
}

function evidenceHtml(detail) {
  return `<ol class="evidence">${detail.evidence.map((o) => {
    const where = o.location ? locationText(o.location) : `<span class='muted'>${esc(_("position not shown to your role"))}</span>`;
    return `<li><strong>${esc(word(o.source_kind))}</strong> ${esc(word(o.kind))}${o.count ? ` ×${o.count}` : ""}`
      + `${o.flow ? `, ${esc(word(o.flow))}` : ""} · ${esc(fmtTime(o.time_start))} – ${esc(fmtTime(o.time_end))}`
      + ` · ${esc(_("grade"))} ${esc(o.reliability)}${o.credibility}<br><span class="muted">${o.source_id ? esc(o.source_id) + " · " : ""}${where}`
      + ` · sha256 ${esc(o.payload_sha256.slice(0, 12))}…${o.ledger_entries && o.ledger_entries.length ? ` · ${esc(_("log entry {entries}", { entries: o.ledger_entries.join(", ") }))}` : ""}</span></li>`;
  }).join("")}</ol>`;
}

function locationText(loc) {
  if (loc.type === "point") return `${loc.lat.toFixed(4)}, ${loc.lon.toFixed(4)}`;
  if (loc.type === "bearing_range") {
    const obs = loc.observer.type === "point" ? `${loc.observer.lat.toFixed(3)}, ${loc.observer.lon.toFixed(3)}` : esc(loc.observer.place);
    const dist = loc.distance_km_min !== null || loc.distance_km_max !== null
      ? `${loc.distance_km_min ?? "?"}–${loc.distance_km_max ?? "?"} km` : esc(_("distance unknown"));
    const bearings = loc.bearings_deg.map((b) => Math.round(b) + "°").join("/") || esc(_("any"));
    return esc(_("from {observer}, bearing {bearings}, {distance}", { observer: obs, bearings, distance: dist }));
  }
  return esc(loc.place || "");
}

function row(label, html) {
  return `<tr><th>${esc(label)}</th><td>${html}</td></tr>`;
}

function incidentHtml(d) {
  const p = d.incident.properties;
  const [lon, lat] = d.incident.geometry.coordinates;
  const att = p.attribution;
  const probs = Object.entries(att.probabilities).map(([k, v]) => `${esc(word(k))} ${pct(v)}`).join(", ");
  const line = p.line_distance_km !== null
    ? `, ${esc(_("{km} km from the line", { km: I18N.num(Math.round(Math.abs(p.line_distance_km) * 10) / 10) }))}` : "";
  const held = p.held_by ? ` (${esc(_("held by {party}", { party: p.held_by }))})` : "";
  const record = d.ledger === "available"
    ? esc(_("{proofs} inclusion proof(s) against a tree head of {size} entries",
      { proofs: (d.proofs || []).length, size: d.tree_head ? I18N.num(d.tree_head.tree_size) : "?" }))
    : esc(d.ledger.replaceAll("_", " "));
  const where = `${lat.toFixed(4)}, ${lon.toFixed(4)} ± ${I18N.num(Math.round((p.ellipse.semi_major_km || 0) * 100) / 100)} km (95%)`;
  const sources = d.sources.map((s) => `${esc(word(s.source_kind))}${s.source_id ? ` (${esc(s.source_id)})` : ""}: `
    + `${s.observations}, ${esc(_("grade"))} ${s.reliability.join("/")}${s.credibility.join("/")}`).join("<br>");
  const rows = [
    row(_("When"), `${esc(fmtTime(p.time_start))} – ${esc(fmtTime(p.time_end))}`),
    row(_("Where"), where),
    row(_("Sector"), `${esc(p.sector || _("outside sectors"))}${line}${held}`),
    row(_("Attribution"), `${esc(word(att.party))}${probs ? ` (${probs})` : ""} <span class="muted">${esc(att.method)}</span>`),
    row(_("Sources"), sources),
    row(_("Record"), record),
  ];
  const heading = `${esc(word(p.kind))}${p.count ? ` ×${p.count}` : ""} — ${esc(word(p.status))} (${pct(p.confidence)})`;
  const against = esc(_("Against the agreement"));
  const evidence = esc(_("Evidence ({count})", { count: d.evidence.length }));
  return `
    <h3><span class="dot" style="background:${STATUS_COLORS[p.status]}"></span> ${heading}</h3>
    <table>${rows.join("")}</table>
    <h4>${against}</h4>${assessmentHtml(d.assessment)}
    <h4>${evidence}</h4>${evidenceHtml(d)}`;
}

async function openIncident(uid, fly) {
  try {
    const d = await api(`/incidents/${uid}`);
    const [lon, lat] = d.incident.geometry.coordinates;
    state.selected = uid;
    $("incident-body").innerHTML = incidentHtml(d);
    $("incident-panel").hidden = false;
    if (typeof Review !== "undefined") Review.show(uid);  // review.js: the analyst's review
    if (fly) map.flyTo([lat, lon], Math.max(map.getZoom(), 10), { duration: 0.6 });
  } catch (e) {
    notice(_("Could not open the incident: {error}", { error: e.message }));
  }
}

// ------------------------------------------------------------------ reports, role

function updateReportLink(day) {
  const a = $("report-link");
  if (day && (can("read_all_reports") || can("read_published_reports"))) {
    a.href = `${API}/reports/${day}/html`;
    a.textContent = _("Daily report {day}", { day: I18N.day(day) });
    a.hidden = false;
  } else {
    a.hidden = true;
  }
}

async function loadReports() {
  const section = $("reports-section");
  section.hidden = true;
  if (!can("read_all_reports") && !can("read_published_reports")) return;
  const list = await api("/reports");
  const ul = $("report-list");
  ul.replaceChildren();
  list.reports.slice(-30).reverse().forEach((r) => {
    const li = document.createElement("li");
    li.innerHTML = `<a href="${esc(r.html_url)}" target="_blank" rel="noopener">${esc(I18N.day(r.date))}</a>`
      + ` <a class="muted" href="${esc(r.json_url)}" target="_blank" rel="noopener">json</a>`;
    ul.appendChild(li);
  });
  section.hidden = !list.reports.length;
  if (!state.days.length && list.reports.length) updateReportLink(list.reports[list.reports.length - 1].date);
}

/* The badge of the record: the latest log head the parties' and neutral witnesses cosigned
   (GET /ledger/cosigned-head), its root hash and witnesses in the tooltip. */
async function loadCosignedHead() {
  const badge = $("cosigned-head");
  let head;
  try {
    head = (await api("/ledger/cosigned-head")).cosigned_head;
  } catch (_e) {
    badge.hidden = true;  // a role that may not read it, or a server without a log
    return;
  }
  if (!head) {
    badge.textContent = _("No cosigned log head yet");
    badge.title = "";
  } else {
    badge.textContent = _("Record cosigned: {size} entries", { size: I18N.num(head.tree_size) });
    badge.title = _("root hash {root}, cosigned by {witnesses}, {time}", {
      root: head.root_hash, witnesses: head.cosigned_by.join(", "), time: fmtTime(head.published_at),
    });
    badge.dataset.treeSize = String(head.tree_size);
  }
  badge.hidden = false;
}

/* The claims panel (claims.js) for the selected day, or every claim for a role without the
   day selection. */
function loadClaims() {
  return Claims.load(window.trucewatch, map, canReadIncidents() ? selectedDay() : null)
    .catch((e) => notice(_("Could not load the claims: {error}", { error: e.message })));
}

function firstRunHint() {
  const anonymous = !state.me || !state.me.authenticated;
  $("first-run").hidden = !anonymous || localStorage.getItem("trucewatch-hint-closed") === "1";
}

async function start() {
  delete document.body.dataset.loadedFor;
  try {
    state.me = await api("/me");
  } catch (e) {
    state.me = null;
    $("role").textContent = _("signed out");
    $("role").dataset.role = "";
    notice(_("Sign in: {error}", { error: e.message }));
    firstRunHint();  // a server that refuses anonymous requests: say how to get a token
    return;
  }
  const me = state.me;
  $("role").textContent = `${me.name} · ${word(me.role)}${me.party ? " " + me.party : ""}`;
  $("role").dataset.role = me.role;
  firstRunHint();
  const readsIncidents = canReadIncidents();
  $("filters").hidden = !readsIncidents;
  $("trend-section").hidden = !readsIncidents;
  $("list-section").hidden = !readsIncidents;
  if (!readsIncidents) {
    if (state.layers.incidents) { map.removeLayer(state.layers.incidents); delete state.layers.incidents; }
    notice(_("Your role ({role}) does not see incidents here.", { role: word(me.role) }));
  } else {
    notice(null);
  }
  // the layers and reports load beside the incidents, not before them
  const beside = Promise.all([
    loadBaseLayers().catch((e) => notice(_("Map layers: {error}", { error: e.message }))), loadReports(),
    loadCosignedHead(),
  ]);
  let claims;
  if (readsIncidents) {
    state.facets = await api("/incidents/facets");
    setupFilters(state.facets);
    claims = loadClaims();  // the claims of the selected day (claims.js)
    await refresh();
  } else {
    claims = loadClaims();
  }
  await Promise.all([beside, claims]);
  Live.connect(window.trucewatch, map);  // new incidents as they are fused (live.js)
  document.body.dataset.loadedFor = me.role;  // the view of this role is on the page
}

// ------------------------------------------------------------------ wiring

$("token").value = state.token;
$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.token = $("token").value.trim();
  sessionStorage.setItem("trucewatch-token", state.token);
  start();
});
$("sign-out").addEventListener("click", () => {
  state.token = ""; $("token").value = "";
  sessionStorage.removeItem("trucewatch-token");
  start();
});
$("close-hint").addEventListener("click", () => {
  localStorage.setItem("trucewatch-hint-closed", "1");
  $("first-run").hidden = true;
});
$("lang").addEventListener("change", (ev) => I18N.use(ev.target.value));
$("osm-toggle").addEventListener("change", (ev) => toggleOsm(ev.target.checked));
["filter-sector", "filter-party", "filter-verdict"].forEach((id) => $(id).addEventListener("change", refresh));
$("filter-status").addEventListener("change", refresh);
$("all-days").addEventListener("change", () => {
  $("time-slider").disabled = $("all-days").checked;
  updateTimeLabel(); refresh(); loadClaims();
});
$("time-slider").addEventListener("input", updateTimeLabel);
$("time-slider").addEventListener("change", () => { refresh(); loadClaims(); });
$("list-prev").addEventListener("click", () => pageList(-1));
$("list-next").addEventListener("click", () => pageList(1));
$("close-panel").addEventListener("click", () => { $("incident-panel").hidden = true; });

window.trucewatch = {
  state, refresh, openIncident, places: Places,
  zoomTo: (lat, lon, zoom) => { map.setView([lat, lon], zoom, { animate: false }); },
};
start();
