import { createHash } from "node:crypto";
import type { Brand } from "@trackflow/core";

/**
 * The tracking page's own style sheet, mobile first (one column; two for parcels on wide
 * screens). Served by the engine: no CDN, no web fonts. Brand colours come from brand.css.
 */
export const TRACKING_CSS = `:root {
  --brand: #1f6feb;
  --brand-fg: #ffffff;
  --bg: #f6f8fa;
  --page-text: #1f2328;
  --text: #1f2328;
  --muted: #57606a;
  --card: #ffffff;
  --line: #d0d7de;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
  font-size: 1rem;
  line-height: 1.5;
  color: var(--page-text);
  background: var(--bg);
}
a { color: inherit; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--brand); outline-offset: 2px; }
.site-header { background: var(--card); color: var(--text); border-top: 0.25rem solid var(--brand); border-bottom: 1px solid var(--line); }
.site-header .inner, main, .site-footer { max-width: 56rem; margin: 0 auto; padding-left: 1rem; padding-right: 1rem; }
.site-header .inner { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.25rem 1rem; padding-top: 0.5rem; padding-bottom: 0.5rem; }
.brand { font-weight: 700; font-size: 1.125rem; }
.brand img { display: block; max-height: 2.5rem; max-width: 12rem; width: auto; height: auto; }
.languages ul { display: flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
.languages a { display: inline-block; padding: 0.5rem; min-width: 2.75rem; text-align: center; }
.languages a[aria-current="true"] { font-weight: 700; text-decoration: none; }
main { padding-top: 1rem; padding-bottom: 1rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 1.5rem 0 0.75rem; }
h3 { font-size: 1.125rem; margin: 0 0 0.5rem; }
h4 { font-size: 1rem; margin: 0 0 0.5rem; }
.card { background: var(--card); color: var(--text); border: 1px solid var(--line); border-radius: 0.5rem; padding: 1rem; margin: 0 0 1rem; }
.card p { margin: 0 0 1rem; }
.card p:last-child { margin-bottom: 0; }
.field { margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: 0 0 0.25rem; }
.hint { color: var(--muted); font-size: 0.875rem; margin: 0 0 0.25rem; }
input[type="text"] {
  display: block;
  width: 100%;
  font: inherit;
  color: #1f2328;
  background: #ffffff;
  padding: 0.625rem 0.75rem;
  border: 1px solid #6e7781;
  border-radius: 0.375rem;
}
button {
  display: block;
  width: 100%;
  font: inherit;
  font-weight: 600;
  padding: 0.75rem 1rem;
  border: 0;
  border-radius: 0.375rem;
  color: var(--brand-fg);
  background: var(--brand);
  cursor: pointer;
}
button[aria-busy="true"] { cursor: progress; opacity: 0.8; }
.alert { background: #ffffff; color: #1f2328; border: 1px solid var(--line); border-left: 0.25rem solid #cf222e; border-radius: 0.375rem; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.alert p { margin: 0; }
.summary .order-number { color: var(--muted); margin: 0 0 0.25rem; }
.summary h1 { margin-bottom: 0.5rem; }
.eta { font-size: 1.125rem; margin: 0 0 1rem; }
.steps { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
.steps li { font-size: 0.8125rem; line-height: 1.3; text-align: center; padding-top: 0.5rem; border-top: 0.375rem solid var(--line); color: var(--muted); }
.steps li.done, .steps li.current { border-top-color: var(--brand); color: var(--text); }
.steps li.current { font-weight: 700; }
.parcels { display: grid; gap: 1rem; }
.parcels .card { margin: 0; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.75rem; margin: 0 0 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.timeline { list-style: none; margin: 0 0 0 0.375rem; padding: 0; border-left: 2px solid var(--line); }
.timeline li { position: relative; padding: 0 0 1rem 1rem; }
.timeline li:last-child { padding-bottom: 0; }
.timeline li::before { content: ""; position: absolute; left: -0.4375rem; top: 0.3125rem; width: 0.75rem; height: 0.75rem; border-radius: 50%; background: var(--card); border: 2px solid var(--brand); }
.timeline li:first-child::before { background: var(--brand); }
.timeline time, .timeline .place { display: block; color: var(--muted); font-size: 0.875rem; }
.timeline .event-status { display: block; font-weight: 600; }
.timeline .message { display: block; overflow-wrap: anywhere; }
.site-footer { padding-top: 1rem; padding-bottom: 2rem; font-size: 0.875rem; }
.site-footer p { margin: 0 0 0.5rem; white-space: pre-line; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
@media (min-width: 48rem) {
  main { padding-top: 1.5rem; }
  h1 { font-size: 2rem; }
  button { display: inline-block; width: auto; min-width: 12rem; }
  .lookup { max-width: 32rem; }
  .parcels { grid-template-columns: 1fr 1fr; align-items: start; }
  .steps li { font-size: 0.9375rem; }
}
`;

/**
 * Progressive enhancement only: the pages work without it. It marks a submitted form busy and
 * stops a second submit (each counts against the lookup rate), and undoes that when the page
 * comes back from the back/forward cache.
 */
export const TRACKING_JS = `"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.getAttribute("data-submitted") === "true") { event.preventDefault(); return; }
  form.setAttribute("data-submitted", "true");
  var button = form.querySelector("button[type=submit]");
  if (button) button.setAttribute("aria-busy", "true");
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    form.removeAttribute("data-submitted");
    var button = form.querySelector("button[type=submit]");
    if (button) button.removeAttribute("aria-busy");
  });
});
`;

const shortHash = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 12);

/** Changes whenever the style sheet or script does: their URLs carry it, so they can be cached long. */
export const ASSET_VERSION = shortHash(TRACKING_CSS + TRACKING_JS);

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `preferred` when it reads on `background` (WCAG AA, 4.5:1), else black or white, whichever reads better. */
export function readableOn(background: string, preferred?: string): string {
  if (preferred && contrastRatio(preferred, background) >= 4.5) return preferred;
  return contrastRatio("#000000", background) >= contrastRatio("#ffffff", background) ? "#000000" : "#ffffff";
}

/**
 * The brand's colours as the style sheet's variables. The brand's text colour is kept where it
 * reads on the background it is drawn on; otherwise a readable one is used instead, so a brand
 * never makes the page fail WCAG AA contrast.
 */
export function brandCss(brand: Brand): string {
  const vars = {
    "--brand": brand.primaryColor,
    "--brand-fg": readableOn(brand.primaryColor),
    "--bg": brand.backgroundColor,
    "--page-text": readableOn(brand.backgroundColor, brand.textColor),
    "--text": readableOn("#ffffff", brand.textColor),
  };
  return `:root {\n${Object.entries(vars)
    .map(([name, value]) => `  ${name}: ${value};`)
    .join("\n")}\n}\n`;
}

/** A version for the brand's style sheet URL: it changes when the colours do. */
export function brandCssVersion(brand: Brand): string {
  return shortHash(brandCss(brand));
}
