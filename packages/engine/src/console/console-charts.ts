import { html, type SafeHtml } from "../tracking/html.ts";

/** One bar: its label, value, and the text a reader hears or sees for it. */
export interface Bar {
  label: string;
  value: number;
  /** shown at the bar's end and in the data table; the value by default */
  text?: string;
}

export interface Series {
  name: string;
  /** css class of its bars: "ok", "bad" or "" */
  tone: string;
}

const WIDTH = 400;
const LABEL_W = 120;
const VALUE_W = 90;
const ROW_H = 26;

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/** The chart's text alternative: a visually hidden table of what it shows. */
function dataTable(caption: string, headers: string[], rows: string[][]): SafeHtml {
  return html`<table class="visually-hidden"><caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>`)}</tbody>
</table>`;
}

function svgOpen(id: string, title: string, summary: string, height: number): SafeHtml {
  return html`<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="${id}-title">${title}</title><desc id="${id}-desc">${summary}</desc>`;
}

const empty = (title: string, what: string) =>
  html`<figure class="chart"><figcaption><h2>${title}</h2></figcaption><p class="muted">${what}</p></figure>`;

/** Horizontal bars, one per row, with the value at each bar's end. */
export function barChart(opts: {
  id: string;
  title: string;
  bars: Bar[];
  /** the scale's end; the largest value by default */
  max?: number;
  tone?: string;
  /** the data table's heading of the labels */
  labelHeader: string;
  valueHeader?: string;
  emptyText?: string;
}): SafeHtml {
  if (opts.bars.length === 0) return empty(opts.title, opts.emptyText ?? "Nothing yet.");
  const max = Math.max(opts.max ?? 0, ...opts.bars.map((b) => b.value), 1);
  const height = opts.bars.length * ROW_H + 8;
  const span = WIDTH - LABEL_W - VALUE_W;
  const text = (b: Bar) => b.text ?? fmt(b.value);
  const summary = opts.bars.map((b) => `${b.label}: ${text(b)}`).join("; ");
  return html`<figure class="chart"><figcaption><h2 id="${opts.id}-heading">${opts.title}</h2></figcaption>
${svgOpen(opts.id, opts.title, summary, height)}
${opts.bars.map((b, i) => {
  const y = 4 + i * ROW_H;
  const w = Math.max(b.value > 0 ? 2 : 0, (b.value / max) * span);
  return html`<text x="${LABEL_W - 8}" y="${y + 17}" text-anchor="end">${b.label}</text><rect class="bar ${opts.tone ?? ""}" x="${LABEL_W}" y="${y + 3}" width="${fmt(w)}" height="${ROW_H - 8}" rx="2"></rect><text x="${fmt(LABEL_W + w + 6)}" y="${y + 17}">${text(b)}</text>`;
})}
<line class="axis" x1="${LABEL_W}" y1="0" x2="${LABEL_W}" y2="${height}"></line>
</svg>
${dataTable(
  opts.title,
  [opts.labelHeader, opts.valueHeader ?? "Value"],
  opts.bars.map((b) => [b.label, text(b)]),
)}
</figure>`;
}

/** Vertical columns over time (one per day), labelled every few columns. */
export function columnChart(opts: {
  id: string;
  title: string;
  bars: Bar[];
  valueHeader?: string;
  tone?: string;
}): SafeHtml {
  const height = 180;
  const base = height - 24;
  const max = Math.max(1, ...opts.bars.map((b) => b.value));
  const left = 30;
  const step = (WIDTH - left) / Math.max(1, opts.bars.length);
  const total = opts.bars.reduce((sum, b) => sum + b.value, 0);
  const peak = opts.bars.reduce(
    (best, b) => (b.value > best.value ? b : best),
    opts.bars[0] ?? { label: "", value: 0 },
  );
  const summary =
    total === 0
      ? `None in the ${opts.bars.length} days shown.`
      : `${total} in the ${opts.bars.length} days shown; most on ${peak.label} (${peak.value}).`;
  const every = Math.ceil(opts.bars.length / 7);
  return html`<figure class="chart"><figcaption><h2>${opts.title}</h2></figcaption>
${svgOpen(opts.id, opts.title, summary, height)}
<text x="${left - 6}" y="14" text-anchor="end">${max}</text><text x="${left - 6}" y="${base}" text-anchor="end">0</text>
<line class="axis" x1="${left}" y1="${base}" x2="${WIDTH}" y2="${base}"></line>
${opts.bars.map((b, i) => {
  const h = (b.value / max) * (base - 10);
  const x = left + i * step;
  return html`<rect class="bar ${opts.tone ?? ""}" x="${fmt(x + step * 0.15)}" y="${fmt(base - h)}" width="${fmt(step * 0.7)}" height="${fmt(h)}" rx="2"></rect>${
    i % every === 0
      ? html`<text x="${fmt(x + step / 2)}" y="${height - 6}" text-anchor="middle">${b.label}</text>`
      : ""
  }`;
})}
</svg>
${dataTable(
  opts.title,
  ["Day", opts.valueHeader ?? "Count"],
  opts.bars.map((b) => [b.label, String(b.value)]),
)}
</figure>`;
}

/** Side-by-side bars per group (e.g. sent and failed per channel), with a legend. */
export function groupedBarChart(opts: {
  id: string;
  title: string;
  series: Series[];
  groups: Array<{ label: string; values: number[] }>;
  /** the data table's heading of the group labels */
  labelHeader: string;
  emptyText?: string;
}): SafeHtml {
  if (opts.groups.length === 0) return empty(opts.title, opts.emptyText ?? "Nothing yet.");
  const n = opts.series.length;
  const barH = 14;
  const groupH = n * barH + 12;
  const height = opts.groups.length * groupH + 8;
  const max = Math.max(1, ...opts.groups.flatMap((g) => g.values));
  const span = WIDTH - LABEL_W - VALUE_W;
  const summary = opts.groups
    .map((g) => `${g.label}: ${opts.series.map((s, i) => `${g.values[i] ?? 0} ${s.name}`).join(", ")}`)
    .join("; ");
  return html`<figure class="chart"><figcaption><h2>${opts.title}</h2></figcaption>
${svgOpen(opts.id, opts.title, summary, height)}
${opts.groups.map((g, gi) => {
  const y = 4 + gi * groupH;
  return html`<text x="${LABEL_W - 8}" y="${y + (n * barH) / 2 + 5}" text-anchor="end">${g.label}</text>${opts.series.map(
    (s, si) => {
      const v = g.values[si] ?? 0;
      const w = Math.max(v > 0 ? 2 : 0, (v / max) * span);
      const by = y + si * barH;
      return html`<rect class="bar ${s.tone}" x="${LABEL_W}" y="${by + 1}" width="${fmt(w)}" height="${barH - 2}" rx="2"></rect><text x="${fmt(LABEL_W + w + 6)}" y="${by + 11}">${v}</text>`;
    },
  )}`;
})}
<line class="axis" x1="${LABEL_W}" y1="0" x2="${LABEL_W}" y2="${height}"></line>
</svg>
<ul class="legend" aria-hidden="true">${opts.series.map((s) => html`<li><span class="swatch ${s.tone}"></span>${s.name}</li>`)}</ul>
${dataTable(
  opts.title,
  [opts.labelHeader, ...opts.series.map((s) => s.name)],
  opts.groups.map((g) => [g.label, ...g.values.map(String)]),
)}
</figure>`;
}
