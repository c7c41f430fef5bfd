/* Place names on the map, offline: settlements (GeoNames) shown by size as one zooms in,
   oblast names at country scale, and the sea coast; all from /api/layers/places and
   /api/layers/coast. Labels never catch the mouse. */
"use strict";

const Places = (() => {
  let features = [];
  let labels = null;
  let coast = null;
  let map = null;

  /** Smallest settlement labelled at a zoom level (inhabitants). */
  function minPopulation(zoom) {
    if (zoom < 6) return 1000000;
    if (zoom < 7) return 200000;
    if (zoom < 8) return 60000;
    if (zoom < 9) return 20000;
    if (zoom < 10) return 8000;
    return 2000;
  }

  function label(f, zoom, min) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    if (p.kind === "oblast") {
      if (zoom < 6 || zoom > 8) return null;
      return L.marker([lat, lon], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "oblast-label", html: esc(p.name), iconSize: null }),
      });
    }
    if (p.population < min) return null;
    const big = p.population >= 100000 ? " big" : "";
    return L.marker([lat, lon], {
      pane: "labels", interactive: false, keyboard: false,
      icon: L.divIcon({
        className: `place-label${big}`, iconSize: null,
        html: `<span class="place-dot"></span><span data-population="${p.population}">${esc(p.name)}</span>`,
      }),
    });
  }

  /** The screen box a label takes (pixels, estimated from its length). */
  function box(f, point) {
    const w = 8 + 7 * f.properties.name.length;
    if (f.properties.kind === "oblast") return [point.x - w / 2, point.y - 8, point.x + w / 2, point.y + 8];
    return [point.x - 3, point.y - 8, point.x + w, point.y + 8];
  }

  const overlaps = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

  /** Label the places in view: cities first, then oblasts, then the other settlements
      largest first, leaving out any label that would overlap one already placed. */
  function draw() {
    if (!map || !labels) return;
    labels.clearLayers();
    const zoom = map.getZoom();
    const min = minPopulation(zoom);
    const view = map.getBounds().pad(0.05);
    const placed = [];
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      if (!view.contains([lat, lon])) continue;
      const m = label(f, zoom, min);
      if (!m) continue;
      const b = box(f, map.latLngToContainerPoint([lat, lon]));
      if (placed.some((p) => overlaps(p, b))) continue;
      placed.push(b);
      labels.addLayer(m);
    }
  }

  /** Load the layers into `theMap` through `api` (the dashboard's fetch). */
  async function load(theMap, api) {
    map = theMap;
    const [places, sea] = await Promise.all([
      api(`/layers/places?lang=${encodeURIComponent(I18N.locale)}`), api("/layers/coast"),
    ]);
    // cities first, then oblast names, then the other settlements (largest first)
    const rank = (f) => (f.properties.kind === "oblast" ? 1 : f.properties.population >= 200000 ? 0 : 2);
    features = places.features.map((f, i) => [rank(f), i, f]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((x) => x[2]);
    if (coast) map.removeLayer(coast);
    coast = L.geoJSON(sea, {
      pane: "base", interactive: false, style: { color: "#4f7fae", weight: 1.2, opacity: 0.9 },
    }).addTo(map);
    if (!labels) {
      labels = L.layerGroup().addTo(map);
      map.on("zoomend moveend", draw);
    }
    draw();
  }

  function clear() {
    features = [];
    if (labels) labels.clearLayers();
    if (coast) { map.removeLayer(coast); coast = null; }
  }

  return { load, clear, count: () => (labels ? labels.getLayers().length : 0) };
})();
