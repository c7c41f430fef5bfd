/* trucewatch dashboard, live part: reads the incident stream (GET /api/stream, Server-Sent
   Events read with fetch so the token goes in the Authorization header), adds each new or
   updated incident to the "Live" list and to the map (a ringed marker), shows a toast, and
   removes the markers of incidents that were replaced or retired. Reconnects with
   Last-Event-ID after a drop (waiting 1 s, then doubling up to 30 s). */
"use strict";

const Live = (() => {
  const MAX_LIST = 30;
  let controller = null;
  let layer = null;
  let renderer = null;  // SVG (the map draws on a canvas): live markers are page elements
  const markers = new Map();  // incident uid -> marker

  const el = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function setStatus(s) {
    const status = el("live-status");
    status.dataset.state = s;
    status.textContent = {
      on: _("live: connected"), retrying: _("live: reconnecting…"), off: _("live: off"),
    }[s];
  }

  function parse(block) {
    const ev = { event: "message", id: null, data: "" };
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) ev.event = line.slice(7);
      else if (line.startsWith("id: ")) ev.id = Number(line.slice(4));
      else if (line.startsWith("data: ")) ev.data += line.slice(6);
    }
    return ev;
  }

  function unmark(uid) {
    const m = markers.get(uid);
    if (m) { layer.removeLayer(m); markers.delete(uid); }
    const item = document.querySelector(`#live-list li[data-uid="${uid}"]`);
    if (item) item.classList.add("gone");
  }

  function toast(text) {
    const t = el("live-toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 6000);
  }

  function show(tw, data) {
    const f = data.feature;
    const p = f.properties;
    (data.supersedes || []).forEach(unmark);
    const [lon, lat] = f.geometry.coordinates;
    const m = L.circleMarker([lat, lon], {
      pane: "incidents", renderer, radius: 9, weight: 3, color: "#111", fillColor: STATUS_COLORS[p.status] || "#999",
      fillOpacity: 0.9, className: "live-marker",
    });
    m.bindTooltip(`${word(p.kind)} · ${word(p.status)} · ${pct(p.confidence)}`);
    m.on("click", () => tw.openIncident(f.id));
    unmark(f.id);
    m.addTo(layer);
    markers.set(f.id, m);
    const words = { kind: word(p.kind), status: word(p.status), confidence: pct(p.confidence) };
    const text = (data.supersedes || []).length
      ? _("Updated incident: {kind} · {status} · {confidence}", words)
      : _("New incident: {kind} · {status} · {confidence}", words);
    const li = document.createElement("li");
    li.dataset.uid = f.id;
    li.dataset.status = p.status;
    li.innerHTML = `<span class="dot" style="background:${STATUS_COLORS[p.status] || "#999"}"></span> `
      + `${esc(text)}<br><span class="muted">${esc(fmtTime(p.time_start))}${p.sector ? " · " + esc(p.sector) : ""}</span>`;
    li.addEventListener("click", () => tw.openIncident(f.id, true));
    const list = el("live-list");
    list.prepend(li);
    while (list.children.length > MAX_LIST) list.lastChild.remove();
    el("live-empty").hidden = true;
    const count = el("live-count");
    count.dataset.count = String(Number(count.dataset.count || 0) + 1);
    toast(text);
  }

  function handle(tw, ev) {
    if (!ev.data) return;
    const data = JSON.parse(ev.data);
    if (ev.event === "incident") show(tw, data);
    else if (ev.event === "retired") unmark(data.uid);
  }

  async function run(tw, signal) {
    let last = null;
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const headers = tw.state.token ? { Authorization: `Bearer ${tw.state.token}` } : {};
        if (last !== null) headers["Last-Event-ID"] = String(last);
        const r = await fetch(API + "/stream", { headers, signal, cache: "no-store" });
        if (!r.ok) throw new Error(String(r.status));
        setStatus("on");
        delay = 1000;
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut;
          while ((cut = buf.indexOf("\n\n")) >= 0) {
            const ev = parse(buf.slice(0, cut));
            buf = buf.slice(cut + 2);
            if (ev.id !== null) last = ev.id;
            handle(tw, ev);
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        console.warn("live stream:", e.message || e);
      }
      setStatus("retrying");
      await sleep(delay);
      delay = Math.min(delay * 2, 30000);
    }
  }

  /* (Re)connect for the signed-in caller: called by app.js once its view is loaded. */
  function connect(tw, map) {
    if (controller) controller.abort();
    if (!layer) {
      renderer = L.svg({ pane: "incidents" });
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    markers.clear();
    el("live-section").hidden = !canReadIncidents();
    if (!canReadIncidents()) { setStatus("off"); return; }
    controller = new AbortController();
    run(tw, controller.signal);
  }

  return { connect };
})();
