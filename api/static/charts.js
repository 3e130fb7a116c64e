// Small inline-SVG charts: grouped vertical bars and horizontal bars. No library, no network.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f6fb0", "#3b9a5a", "#c0392b", "#d68910"];

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const Charts = {
  // series: [{label, values: [..]}], categories: [..] -> grouped columns with a legend.
  columns(container, categories, series) {
    const width = 420, height = 220, left = 30, bottom = 30, top = 24;
    // Four gridlines on whole numbers.
    const max = 4 * Math.ceil(Math.max(1, ...series.flatMap((s) => s.values)) / 4);
    const plotW = width - left - 8, plotH = height - top - bottom;
    const group = plotW / Math.max(1, categories.length);
    const bar = Math.max(2, (group - 6) / series.length);
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart-svg", role: "img" });
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      svg.append(svgEl("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "gridline" }));
      svg.append(svgEl("text", { x: left - 4, y: y + 4, class: "axis", "text-anchor": "end" }, Math.round((max * i) / 4)));
    }
    categories.forEach((category, i) => {
      series.forEach((s, j) => {
        const value = s.values[i] || 0;
        const h = (plotH * value) / max;
        svg.append(
          svgEl("rect", {
            x: left + i * group + 3 + j * bar, y: top + plotH - h, width: bar - 1, height: h,
            fill: COLOURS[j % COLOURS.length], class: "bar", "data-value": value,
          })
        );
      });
      if (categories.length <= 8 || (categories.length - 1 - i) % 2 === 0) {
        svg.append(svgEl("text", { x: left + i * group + group / 2, y: height - bottom + 14, class: "axis", "text-anchor": "middle" }, category));
      }
    });
    series.forEach((s, j) => {
      svg.append(svgEl("rect", { x: left + j * 90, y: 4, width: 10, height: 10, fill: COLOURS[j % COLOURS.length] }));
      svg.append(svgEl("text", { x: left + j * 90 + 14, y: 13, class: "legend" }, s.label));
    });
    container.replaceChildren(svg);
  },

  // items: [{label, value, text}] -> one horizontal bar each.
  bars(container, items, colour) {
    const width = 420, row = 24, left = 72, right = 96;
    const height = Math.max(1, items.length) * row + 8;
    const max = Math.max(1, ...items.map((item) => item.value));
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart-svg", role: "img" });
    items.forEach((item, i) => {
      const y = 4 + i * row;
      const w = ((width - left - right) * item.value) / max;
      svg.append(svgEl("text", { x: left - 6, y: y + 14, class: "axis", "text-anchor": "end" }, item.label));
      svg.append(svgEl("rect", { x: left, y: y + 2, width: Math.max(item.value ? 2 : 0, w), height: row - 6, fill: colour, class: "bar", "data-value": item.value }));
      svg.append(svgEl("text", { x: left + w + 6, y: y + 14, class: "axis" }, item.text));
    });
    container.replaceChildren(svg);
  },
};
