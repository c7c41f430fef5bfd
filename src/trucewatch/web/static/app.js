/* trucewatch dashboard: Leaflet map, filters, time slider, incident panel, trend chart.
   Works offline: the base map is vector data served by the API (country outline, control
   area, contact line, sectors, zones); OpenStreetMap tiles only when the toggle is on. */
"use strict";

const API = "/api";
const STATUS_COLORS = {
  unverified: "#9e9e9e", possible: "#e9b949", probable: "#ef7d22",
  confirmed: "#c0392b", refuted: "#3b82f6",
};
const MAX_INCIDENTS = 20000;

const state = {
  token: sessionStorage.getItem("trucewatch-token") || "",
  me: null, facets: null, days: [], layers: {}, incidents: [], osm: null, selected: null,
};

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => (
  { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmtTime = (iso) => (iso ? iso.replace("T", " ").replace(/:00Z$|Z$/, "").slice(0, 16) + " UTC" : "–");
const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

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

const map = L.map("map", { preferCanvas: true, zoomControl: true, worldCopyJump: false })
  .setView([48.5, 35.5], 6);
const canvas = L.canvas({ padding: 0.3 });
const panes = ["base", "zones", "lines", "incidents"];
panes.forEach((p, i) => { map.createPane(p); map.getPane(p).style.zIndex = 300 + i * 10; });
L.control.scale({ imperial: false }).addTo(map);
map.attributionControl.setPrefix(false);

const legend = L.control({ position: "bottomleft" });
legend.onAdd = () => {
  const div = L.DomUtil.create("div", "leaflet-bar");
  div.style.background = "#fff"; div.style.padding = "4px 8px"; div.style.fontSize = "12px";
  div.innerHTML = Object.entries(STATUS_COLORS)
    .map(([s, c]) => `<span class="dot" style="background:${c}"></span> ${s}`).join("<br>")
    + "<br><span class='muted'>size and opacity: confidence</span>";
  return div;
};
legend.addTo(map);

function toggleOsm(on) {
  if (on && !state.osm) {
    const url = (state.config && state.config.osm) || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    state.osm = L.tileLayer(url, {
      maxZoom: 18, attribution: "© OpenStreetMap contributors", pane: "tilePane",
    });
  }
  if (on) state.osm.addTo(map); else if (state.osm) map.removeLayer(state.osm);
}

async function loadBaseLayers() {
  Object.values(state.layers).forEach((l) => map.removeLayer(l));
  state.layers = {};
  if (!can("read_map_layers")) return;
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
      `${esc(f.properties.zone)}: ${f.properties.half_width_km} km either side (${esc(f.properties.agreement)})`),
  }).addTo(map);
  state.layers.sectors = L.geoJSON(sectors, {
    pane: "lines", filter: onLine,
    style: (f) => ({ color: f.properties.index % 2 ? "#2f3e57" : "#7d8aa3", weight: 7, opacity: 0.35 }),
    onEachFeature: (f, l) => l.bindTooltip(
      `sector ${esc(f.properties.name)} (km ${Math.round(f.properties.start_km)}–${Math.round(f.properties.end_km)})`,
      { sticky: true }),
  }).addTo(map);
  state.layers.line = L.geoJSON(lines, {
    pane: "lines", interactive: false, filter: onLine,
    style: { color: "#7a1010", weight: 2.2 },
  }).addTo(map);
  const b = state.layers.line.getBounds();
  if (b.isValid()) map.fitBounds(b.pad(0.08));
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

function fillSelect(select, values, label) {
  select.replaceChildren(new Option(label, ""));
  values.forEach((v) => select.appendChild(new Option(v, v)));
}

function setupFilters(facets) {
  const box = $("filter-status");
  box.replaceChildren();
  const statuses = Object.keys(STATUS_COLORS);
  statuses.forEach((s) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" data-status="${s}" checked>`
      + `<span class="dot" style="background:${STATUS_COLORS[s]}"></span>${s}`;
    box.appendChild(label);
  });
  fillSelect($("filter-sector"), facets.sectors, "all sectors");
  fillSelect($("filter-party"), facets.parties, "any attribution");
  state.days = dayList(facets.time_min, facets.time_max);
  const slider = $("time-slider");
  slider.max = Math.max(0, state.days.length - 1);
  slider.value = slider.max;
  slider.disabled = $("all-days").checked;
  updateTimeLabel();
}

function selectedDay() {
  if ($("all-days").checked || !state.days.length) return null;
  return state.days[Number($("time-slider").value)];
}

function updateTimeLabel() {
  const day = selectedDay();
  $("time-label").textContent = day ? day : state.days.length
    ? `${state.days[0]} – ${state.days[state.days.length - 1]}` : "";
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

async function fetchIncidents(params) {
  const features = [];
  let cursor = null;
  do {
    const p = new URLSearchParams(params);
    p.set("limit", "5000");
    if (cursor) p.set("cursor", cursor);
    const page = await api(`/incidents?${p}`);
    features.push(...page.features);
    cursor = page.next_cursor;
  } while (cursor && features.length < MAX_INCIDENTS);
  return features;
}

function markerStyle(props) {
  const c = props.confidence ?? 0.3;
  return {
    pane: "incidents", renderer: canvas,
    radius: 2 + 6 * c, color: "#222", weight: 0.5,
    fillColor: STATUS_COLORS[props.status] || "#777",
    fillOpacity: 0.15 + 0.8 * c, opacity: 0.2 + 0.7 * c,
  };
}

let refreshSeq = 0;
async function refresh() {
  if (!canReadIncidents()) return;
  const seq = ++refreshSeq;
  $("loading").hidden = false;
  const params = filterQuery();
  const bad = params.getAll("status").includes("__none__");
  try {
    const [features, trend] = bad ? [[], { counts: [], days: [], sectors: [] }] : await Promise.all([
      fetchIncidents(params), api(`/incidents/trend?${trendQuery(params)}`),
    ]);
    if (seq !== refreshSeq) return;
    drawIncidents(features);
    TrendChart.draw($("trend"), trend, selectedDay());
    notice(null);
  } catch (e) {
    notice(`Could not load incidents: ${e.message}`);
  } finally {
    if (seq === refreshSeq) $("loading").hidden = true;
  }
}

function trendQuery(params) {
  const p = new URLSearchParams(params);
  p.delete("since"); p.delete("until");  // the chart shows the whole period
  return p;
}

function drawIncidents(features) {
  if (state.layers.incidents) map.removeLayer(state.layers.incidents);
  state.incidents = features;
  const group = L.layerGroup();
  features.forEach((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const m = L.circleMarker([lat, lon], markerStyle(f.properties));
    m.bindTooltip(`${esc(f.properties.kind)} · ${esc(f.properties.status)} · ${pct(f.properties.confidence)}`);
    m.on("click", () => openIncident(f.id));
    group.addLayer(m);
  });
  group.addTo(map);
  state.layers.incidents = group;
  $("incident-count").textContent = String(features.length);
  const list = $("incident-list");
  list.replaceChildren();
  [...features].sort((a, b) => (b.properties.confidence ?? 0) - (a.properties.confidence ?? 0))
    .slice(0, 15).forEach((f) => {
      const li = document.createElement("li");
      li.dataset.uid = f.id;
      li.innerHTML = `<span class="dot" style="background:${STATUS_COLORS[f.properties.status]}"></span> `
        + `${esc(f.properties.kind)}, ${esc(f.properties.sector || "outside sectors")}, `
        + `${fmtTime(f.properties.time_start)} <span class="muted">${pct(f.properties.confidence)}</span>`;
      li.addEventListener("click", () => openIncident(f.id, true));
      list.appendChild(li);
    });
}

function assessmentHtml(assessment) {
  const rows = (assessment && assessment.agreements) || [];
  if (!rows.length) return "<p class='muted'>No agreement in force at this time.</p>";
  return rows.map((a) => `
    <p><span class="verdict ${esc(a.verdict)}">${esc(a.verdict)}</span>
       <strong>${esc(a.agreement_name || a.agreement)}</strong>
       ${a.clause ? `clause ${esc(a.clause)}` : ""}${a.zone ? `, zone ${esc(a.zone)}` : ""}
       ${a.other_clauses && a.other_clauses.length ? `<span class="muted">(also ${a.other_clauses.map(esc).join(", ")})</span>` : ""}<br>
       ${esc(a.reason)}</p>`).join("");
}

function evidenceHtml(detail) {
  return `<ol class="evidence">${detail.evidence.map((o) => {
    const where = o.location ? locationText(o.location) : "<span class='muted'>position not shown to your role</span>";
    return `<li><strong>${esc(o.source_kind)}</strong> ${esc(o.kind)}${o.count ? ` ×${o.count}` : ""}`
      + `${o.flow ? `, ${esc(o.flow)}` : ""} · ${fmtTime(o.time_start)}–${fmtTime(o.time_end).slice(11)}`
      + ` · grade ${esc(o.reliability)}${o.credibility}<br><span class="muted">${o.source_id ? esc(o.source_id) + " · " : ""}${where}`
      + ` · sha256 ${esc(o.payload_sha256.slice(0, 12))}…${o.ledger_entries && o.ledger_entries.length ? ` · log entry ${o.ledger_entries.join(", ")}` : ""}</span></li>`;
  }).join("")}</ol>`;
}

function locationText(loc) {
  if (loc.type === "point") return `${loc.lat.toFixed(4)}, ${loc.lon.toFixed(4)}`;
  if (loc.type === "bearing_range") {
    const obs = loc.observer.type === "point" ? `${loc.observer.lat.toFixed(3)}, ${loc.observer.lon.toFixed(3)}` : esc(loc.observer.place);
    const dist = loc.distance_km_min !== null || loc.distance_km_max !== null
      ? `${loc.distance_km_min ?? "?"}–${loc.distance_km_max ?? "?"} km` : "distance unknown";
    return `from ${obs}, bearing ${loc.bearings_deg.map((b) => Math.round(b) + "°").join("/") || "any"}, ${dist}`;
  }
  return esc(loc.place || "");
}

async function openIncident(uid, fly) {
  try {
    const d = await api(`/incidents/${uid}`);
    const p = d.incident.properties;
    const [lon, lat] = d.incident.geometry.coordinates;
    state.selected = uid;
    const att = p.attribution;
    $("incident-body").innerHTML = `
      <h3><span class="dot" style="background:${STATUS_COLORS[p.status]}"></span>
        ${esc(p.kind)}${p.count ? ` ×${p.count}` : ""} — ${esc(p.status)} (${pct(p.confidence)})</h3>
      <table>
        <tr><th>When</th><td>${fmtTime(p.time_start)} – ${fmtTime(p.time_end)}</td></tr>
        <tr><th>Where</th><td>${lat.toFixed(4)}, ${lon.toFixed(4)} ± ${p.ellipse.semi_major_km?.toFixed(2)} km (95%)</td></tr>
        <tr><th>Sector</th><td>${esc(p.sector || "outside sectors")}${p.line_distance_km !== null ? `, ${Math.abs(p.line_distance_km).toFixed(1)} km from the line` : ""}${p.held_by ? ` (held by ${esc(p.held_by)})` : ""}</td></tr>
        <tr><th>Attribution</th><td>${esc(att.party)}${Object.keys(att.probabilities).length ? ` (${Object.entries(att.probabilities).map(([k, v]) => `${esc(k)} ${pct(v)}`).join(", ")})` : ""} <span class="muted">${esc(att.method)}</span></td></tr>
        <tr><th>Sources</th><td>${d.sources.map((s) => `${esc(s.source_kind)}${s.source_id ? ` (${esc(s.source_id)})` : ""}: ${s.observations}, grade ${s.reliability.join("/")}${s.credibility.join("/")}`).join("<br>")}</td></tr>
        <tr><th>Record</th><td>${d.ledger === "available" ? `${(d.proofs || []).length} inclusion proof(s) against tree head of ${d.tree_head ? d.tree_head.tree_size : "?"} entries` : esc(d.ledger.replaceAll("_", " "))}</td></tr>
      </table>
      <h4>Against the agreement</h4>${assessmentHtml(d.assessment)}
      <h4>Evidence (${d.evidence.length})</h4>${evidenceHtml(d)}`;
    $("incident-panel").hidden = false;
    if (fly) map.flyTo([lat, lon], Math.max(map.getZoom(), 10), { duration: 0.6 });
  } catch (e) {
    notice(`Could not open the incident: ${e.message}`);
  }
}

// ------------------------------------------------------------------ reports, role

function updateReportLink(day) {
  const a = $("report-link");
  if (day && (can("read_all_reports") || can("read_published_reports"))) {
    a.href = `${API}/reports/${day}/html`;
    a.textContent = `Daily report ${day}`;
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
    li.innerHTML = `<a href="${esc(r.html_url)}" target="_blank" rel="noopener">${esc(r.date)}</a>`
      + ` <a class="muted" href="${esc(r.json_url)}" target="_blank" rel="noopener">json</a>`;
    ul.appendChild(li);
  });
  section.hidden = !list.reports.length;
  if (!state.days.length && list.reports.length) updateReportLink(list.reports[list.reports.length - 1].date);
}

async function start() {
  try {
    state.me = await api("/me");
  } catch (e) {
    state.me = null;
    $("role").textContent = "signed out";
    notice(`Sign in: ${e.message}`);
    return;
  }
  $("role").textContent = `${state.me.name} · ${state.me.role}${state.me.party ? " " + state.me.party : ""}`;
  const readsIncidents = canReadIncidents();
  $("filters").hidden = !readsIncidents;
  $("trend-section").hidden = !readsIncidents;
  $("list-section").hidden = !readsIncidents;
  if (!readsIncidents) {
    notice(state.me.authenticated
      ? `Your role (${state.me.role}) does not see incidents here.`
      : "Published reports are listed below; sign in to see the map.");
  }
  await Promise.all([loadBaseLayers().catch((e) => notice(`Map layers: ${e.message}`)), loadReports()]);
  if (readsIncidents) {
    state.facets = await api("/incidents/facets");
    setupFilters(state.facets);
    await refresh();
  }
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
$("osm-toggle").addEventListener("change", (ev) => toggleOsm(ev.target.checked));
["filter-sector", "filter-party", "filter-verdict"].forEach((id) => $(id).addEventListener("change", refresh));
$("filter-status").addEventListener("change", refresh);
$("all-days").addEventListener("change", () => {
  $("time-slider").disabled = $("all-days").checked;
  updateTimeLabel(); refresh();
});
$("time-slider").addEventListener("input", updateTimeLabel);
$("time-slider").addEventListener("change", refresh);
$("close-panel").addEventListener("click", () => { $("incident-panel").hidden = true; });

window.trucewatch = { state, refresh, openIncident };
start();
