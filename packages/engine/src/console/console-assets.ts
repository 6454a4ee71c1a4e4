import { createHash } from "node:crypto";

/** The console's style sheet: served by the engine, no CDN, no web fonts, no build step. */
export const CONSOLE_CSS = `:root {
  --accent: #0a58ca; --bg: #f6f8fa; --text: #1f2328; --muted: #57606a; --card: #ffffff; --line: #d0d7de;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700;
}
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
  font-size: 0.9375rem; line-height: 1.5; color: var(--text); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--card); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; background: #1f2328; color: #fff;
  padding: 0.5rem 1rem; }
.top .product { font-weight: 700; color: #fff; text-decoration: none; }
.top nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
.top nav a { display: inline-block; color: #fff; padding: 0.375rem 0.625rem; border-radius: 0.375rem; text-decoration: none; }
.top nav a[aria-current="page"] { background: #ffffff26; font-weight: 700; }
.top .who { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; font-size: 0.875rem; }
.top .who button { background: transparent; color: #fff; border: 1px solid #ffffff80; }
main:focus { outline: none; }
main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.75rem; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem; padding: 1rem; margin: 0 0 1rem; }
.figure-number { font-size: 2rem; font-weight: 700; margin: 0; }
.chart { margin: 0; }
.chart svg { display: block; width: 100%; height: auto; }
.chart text { font-size: 13px; fill: var(--text); }
.chart .axis { stroke: var(--line); }
.bar { fill: var(--accent); } .bar.ok { fill: var(--ok); } .bar.bad { fill: var(--bad); }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: 0.5rem 0 0; font-size: 0.875rem; }
.swatch { display: inline-block; width: 0.75rem; height: 0.75rem; margin-right: 0.25rem; vertical-align: middle; }
.swatch.ok { background: var(--ok); } .swatch.bad { background: var(--bad); }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: 0.375rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8125rem; }
.muted { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.75rem; margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: 0 0 0.25rem; }
input, select, textarea { font: inherit; color: var(--text); background: #fff; padding: 0.375rem 0.5rem;
  border: 1px solid #6e7781; border-radius: 0.375rem; }
button { font: inherit; font-weight: 600; padding: 0.375rem 0.875rem; border: 0; border-radius: 0.375rem; color: #fff;
  background: var(--accent); cursor: pointer; }
button[aria-busy="true"] { cursor: progress; opacity: 0.8; }
.field { margin: 0 0 0.75rem; }
.alert { background: #fff; border: 1px solid var(--line); border-left: 0.25rem solid var(--bad); padding: 0.75rem 1rem; margin: 0 0 1rem; }
.notice { background: #fff; border: 1px solid var(--line); border-left: 0.25rem solid var(--ok); padding: 0.75rem 1rem; margin: 0 0 1rem; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 1rem; background: #eaeef2; font-size: 0.8125rem; white-space: nowrap; }
.status.bad { background: #ffebe9; color: #82071e; } .status.ok { background: #dafbe1; color: #116329; }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
.login { max-width: 26rem; margin: 3rem auto; }
.login input { width: 100%; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
.buttons { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.actions { display: flex; flex-direction: column; gap: 0.5rem; }
.actions form, form.inline { display: flex; gap: 0.375rem; flex-wrap: wrap; align-items: center; margin: 0; }
textarea.code, pre.code { width: 100%; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8125rem; }
pre.code, pre.message-text { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid var(--line);
  border-radius: 0.375rem; padding: 0.5rem; margin: 0.5rem 0; max-height: 32rem; overflow: auto; }
.message-text { white-space: pre-wrap; }
[aria-invalid="true"] { border-color: var(--bad); border-width: 2px; }
.field-error, .field-errors { color: #82071e; font-weight: 600; margin: 0.25rem 0 0; }
.field-errors ul { margin: 0.25rem 0 0; }
.warnings { color: var(--warn); }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.columns { columns: 18rem; }
details summary { cursor: pointer; color: var(--accent); }
`;

/**
 * The console's script: progressive enhancement only (every page works without it). Marks a
 * form busy while it submits and refuses a second submit.
 */
export const CONSOLE_JS = `"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.submitting === "true") { event.preventDefault(); return; }
  if (form.method.toLowerCase() !== "post") return;
  form.dataset.submitting = "true";
  var button = form.querySelector("button[type=submit], button:not([type])");
  if (button) button.setAttribute("aria-busy", "true");
});
// the template editor's live preview: as you type (debounced), the engine renders it
document.querySelectorAll("form[data-preview]").forEach(function (form) {
  var timer = 0;
  var seq = 0;
  var set = function (id, text) { var el = document.getElementById(id); if (el) el.textContent = text; };
  function show(result) {
    var r = result.rendered;
    set("preview-subject", r && r.subject ? r.subject : "\u2014");
    set("preview-text", r ? r.text : "");
    set("preview-status", result.ok ? "Rendered with the sample values." : "The template does not render: see the errors next to the fields.");
    var sms = document.getElementById("preview-sms");
    if (sms) {
      sms.hidden = !result.sms;
      if (result.sms) sms.textContent = result.sms.segments + " SMS segment" + (result.sms.segments === 1 ? "" : "s") + " (" + result.sms.encoding + ", " + result.sms.characters + " characters, " + result.sms.perSegment + " per segment)";
    }
    var warnings = document.getElementById("preview-warnings");
    if (warnings) {
      warnings.replaceChildren();
      result.warnings.forEach(function (w) { var li = document.createElement("li"); li.textContent = w.part + ": " + w.message; warnings.appendChild(li); });
    }
    form.querySelectorAll(".field-error[data-part]").forEach(function (p) {
      var part = p.getAttribute("data-part");
      var errors = result.errors.filter(function (e) { return e.part === part; });
      p.textContent = errors.map(function (e) { return e.message + (e.line ? " (line " + e.line + ")" : ""); }).join("; ");
      p.hidden = errors.length === 0;
      var field = form.elements.namedItem(part);
      if (field) { if (errors.length) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid"); }
    });
  }
  function preview() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.dataset.preview, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (result) { if (result && mine === seq) show(result); })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  });
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.form && el.form.dataset.autosubmit === "true") el.form.requestSubmit();
});
`;

/** Changes with the assets: their URLs carry it, so they may be cached for a day. */
export const CONSOLE_ASSET_VERSION = createHash("sha256")
  .update(CONSOLE_CSS)
  .update(CONSOLE_JS)
  .digest("hex")
  .slice(0, 12);
