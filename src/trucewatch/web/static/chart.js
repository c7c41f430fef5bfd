/* A per-sector trend chart in plain SVG: one row per sector, one bar per UTC day. */
"use strict";

const TrendChart = (() => {
  const SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Draw `trend` ({counts, days, sectors}) into `container`; highlight `selectedDay`. */
  function draw(container, trend, selectedDay, maxRows = 16) {
    container.replaceChildren();
    const days = trend.days;
    if (!days.length) {
      container.textContent = _("No incidents for these filters.");
      return;
    }
    const per = new Map();
    for (const c of trend.counts) {
      const key = c.sector === null ? `(${_("outside sectors")})` : c.sector;
      if (!per.has(key)) per.set(key, new Map());
      const row = per.get(key);
      row.set(c.day, (row.get(c.day) || 0) + c.count);
    }
    const rows = [...per.entries()]
      .map(([name, byDay]) => ({ name, byDay, total: [...byDay.values()].reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.total - a.total)
      .slice(0, maxRows);
    const nameW = 120, totalW = 40, rowH = 20, width = 360;
    const barsW = width - nameW - totalW;
    const bw = barsW / days.length;
    const height = rows.length * rowH + 18;
    const svg = el("svg", { width, height, role: "img", "aria-label": _("Incidents per sector and day") });
    rows.forEach((r, i) => {
      const y = i * rowH;
      const max = Math.max(1, ...r.byDay.values());  // each row on its own scale: its trend
      svg.appendChild(el("text", { x: 0, y: y + 14, class: "name" }, r.name.slice(0, 20)));
      days.forEach((d, j) => {
        const n = r.byDay.get(d) || 0;
        const h = n ? Math.max(2, (rowH - 4) * (n / max)) : 0;
        const bar = el("rect", {
          x: nameW + j * bw + 0.5, y: y + rowH - 2 - h, width: Math.max(1, bw - 1), height: h,
          fill: d === selectedDay ? "#c0392b" : "#5b7fb0",
        });
        bar.appendChild(el("title", {}, `${r.name}, ${d}: ${n}`));
        bar.dataset.count = String(n);
        svg.appendChild(bar);
      });
      svg.appendChild(el("text", { x: width - totalW + 6, y: y + 14, class: "num" }, I18N.num(r.total)));
    });
    const yAxis = rows.length * rowH + 12;
    svg.appendChild(el("text", { x: nameW, y: yAxis, class: "num" }, days[0]));
    svg.appendChild(el("text", { x: width - totalW + 6, y: yAxis, class: "num" }, _("total")));
    if (days.length > 1) {
      svg.appendChild(el("text", { x: width - totalW, y: yAxis, class: "num", "text-anchor": "end" },
        days[days.length - 1]));
    }
    container.appendChild(svg);
  }

  return { draw };
})();
