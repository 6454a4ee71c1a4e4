import { type Brand, type EventTime, formatEventTime } from "@trackflow/core";
import { html, type SafeHtml } from "./html.ts";
import { ASSET_VERSION, brandCssVersion } from "./tracking-assets.ts";
import {
  TRACKING_LANGUAGES,
  TRACKING_TEXTS,
  type TrackingLanguage,
  type TrackingTexts,
} from "./tracking-texts.ts";
import type { ParcelView, TrackingView } from "./tracking-view.ts";

/** Why the lookup form is shown again. */
export type LookupMessage = "notFound" | "tooManyRequests" | "linkInvalid";

interface PageBase {
  brand: Brand;
  tenantId: string;
  lang: TrackingLanguage;
  /** the language was chosen with ?lang=: links and the form keep it */
  explicitLang: boolean;
}

const tenantPath = (tenantId: string) => `/track/${encodeURIComponent(tenantId)}`;
const withLang = (path: string, page: PageBase) => (page.explicitLang ? `${path}?lang=${page.lang}` : path);

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: TrackingLanguage, kind: "moment" | "day" | "dayTime"): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === "moment"
        ? { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }
        : kind === "day"
          ? { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }
          : {
              weekday: "long",
              day: "numeric",
              month: "long",
              hour: "numeric",
              minute: "2-digit",
              timeZone: "UTC",
            };
    f = new Intl.DateTimeFormat(lang, options);
    formatters.set(key, f);
  }
  return f;
}

/** The carrier's wall-clock time as a Date read in UTC: it is shown as given, never converted. */
const wallClock = (t: EventTime) => new Date(`${t.local.slice(0, 19)}Z`);

/** An event's time as the carrier gave it, in the place's local time ("23 Jul 2024, 14:05"). */
export function formatEventMoment(t: EventTime, lang: TrackingLanguage): string {
  return formatter(lang, "moment").format(wallClock(t));
}

/** An estimated delivery: the day, with the time when the carrier gave one ("Thursday 25 July"). */
export function formatDeliveryDay(t: EventTime, lang: TrackingLanguage): string {
  const dateOnly = t.local.slice(11, 19) === "00:00:00";
  return formatter(lang, dateOnly ? "day" : "dayTime").format(wallClock(t));
}

const timeElement = (t: EventTime, text: string) =>
  html`<time datetime="${formatEventTime(t)}">${text}</time>`;

function layout(page: PageBase & { title: string; selfPath: string; body: SafeHtml }): string {
  const t = TRACKING_TEXTS[page.lang];
  const { brand } = page;
  const languages = TRACKING_LANGUAGES.map((lang) => {
    const current = lang === page.lang;
    return html`<li><a href="${`${page.selfPath}?lang=${lang}`}" lang="${lang}" hreflang="${lang}"${current ? html` aria-current="true"` : ""}>${TRACKING_TEXTS[lang].languageName}</a></li>`;
  });
  const footer = [
    brand.footer ? html`<p>${brand.footer}</p>` : "",
    brand.supportEmail
      ? html`<p><a href="${`mailto:${brand.supportEmail}`}">${brand.supportEmail}</a></p>`
      : "",
  ];
  return html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${page.title} · ${brand.name}</title>
<link rel="stylesheet" href="${`/track/assets/track.css?v=${ASSET_VERSION}`}">
<link rel="stylesheet" href="${`${tenantPath(page.tenantId)}/brand.css?v=${brandCssVersion(brand)}`}">
<script src="${`/track/assets/track.js?v=${ASSET_VERSION}`}" defer></script>
</head>
<body>
<header class="site-header"><div class="inner">
<p class="brand">${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="${brand.name}">` : brand.name}</p>
<nav class="languages" aria-label="${t.language}"><ul>${languages}</ul></nav>
</div></header>
<main>
${page.body}
</main>
<footer class="site-footer">${footer}</footer>
</body>
</html>
`.value;
}

/**
 * The lookup form: order number plus email address or postcode. With a message (not found, too
 * many attempts, a link that no longer works) above it; the form never echoes what was typed, so
 * every failed lookup gets the very same page.
 */
export function renderLookupPage(page: PageBase & { message?: LookupMessage | undefined }): string {
  const t = TRACKING_TEXTS[page.lang];
  const path = tenantPath(page.tenantId);
  const body = html`<div class="lookup">
<h1>${t.pageTitle}</h1>
${page.message ? html`<div class="alert" role="alert"><p>${t[page.message]}</p></div>` : ""}
<div class="card">
<p>${t.intro}</p>
<form method="post" action="${withLang(path, page)}">
<div class="field">
<label for="order-number">${t.orderNumberLabel}</label>
<input id="order-number" name="orderNumber" type="text" required maxlength="64" autocomplete="off" spellcheck="false">
</div>
<div class="field">
<label for="contact">${t.contactLabel}</label>
<p class="hint" id="contact-hint">${t.contactHint}</p>
<input id="contact" name="contact" type="text" required maxlength="320" autocomplete="email" autocapitalize="none" spellcheck="false" aria-describedby="contact-hint">
</div>
<button type="submit">${t.submit}</button>
</form>
</div>
</div>`;
  return layout({ ...page, title: t.pageTitle, selfPath: path, body });
}

function stepsList(step: number, t: TrackingTexts): SafeHtml {
  const items = t.steps.map((label, i) => {
    if (i < step) return html`<li class="done">${label}<span class="sr-only"> (${t.stepDone})</span></li>`;
    if (i === step)
      return html`<li class="current" aria-current="step">${label}<span class="sr-only"> (${t.stepCurrent})</span></li>`;
    return html`<li>${label}</li>`;
  });
  return html`<ol class="steps" aria-label="${t.progress}">${items}</ol>`;
}

function parcelCard(parcel: ParcelView, index: number, count: number, lang: TrackingLanguage): SafeHtml {
  const t = TRACKING_TEXTS[lang];
  const id = `parcel-${index + 1}`;
  const timeline =
    parcel.timeline.length === 0
      ? html`<p>${t.noEvents}</p>`
      : html`<ol class="timeline">${parcel.timeline.map(
          (e) =>
            html`<li>${timeElement(e.at, formatEventMoment(e.at, lang))}<span class="event-status">${t.shipmentStatus[e.status]}</span>${e.message ? html`<span class="message">${e.message}</span>` : ""}${e.location ? html`<span class="place">${e.location}</span>` : ""}</li>`,
        )}</ol>`;
  return html`<article class="card parcel" aria-labelledby="${id}">
<h3 id="${id}">${t.parcel(index + 1, count)}</h3>
<dl class="facts">
<dt>${t.status}</dt><dd><strong>${t.shipmentStatus[parcel.status]}</strong></dd>
<dt>${t.carrier}</dt><dd>${parcel.carrierName}</dd>
<dt>${t.trackingNumber}</dt><dd>${parcel.trackingNumber}</dd>
${parcel.estimatedDelivery ? html`<dt>${t.estimatedDelivery}</dt><dd>${timeElement(parcel.estimatedDelivery, formatDeliveryDay(parcel.estimatedDelivery, lang))}</dd>` : ""}
</dl>
<h4>${t.history}</h4>
${timeline}
</article>`;
}

/**
 * One order's page: the status headline, the estimated delivery, the progress steps, and every
 * parcel of the order with its timeline. `selfPath` is the page's own path (its language links).
 */
export function renderTrackingPage(page: PageBase & { view: TrackingView; selfPath: string }): string {
  const t = TRACKING_TEXTS[page.lang];
  const { view } = page;
  const count = view.parcels.length;
  const body = html`<section class="card summary" aria-labelledby="headline">
<p class="order-number">${t.order(view.orderNumber)}</p>
<h1 id="headline">${t.orderHeadline[view.status]}</h1>
${view.estimatedDelivery ? html`<p class="eta">${t.estimatedDelivery}: <strong>${timeElement(view.estimatedDelivery, formatDeliveryDay(view.estimatedDelivery, page.lang))}</strong></p>` : ""}
${view.step === null ? "" : stepsList(view.step, t)}
</section>
<section aria-labelledby="parcels-heading">
<h2 id="parcels-heading">${t.parcels(count)}</h2>
${count === 0 ? html`<div class="card"><p>${t.noParcels}</p></div>` : html`<div class="parcels">${view.parcels.map((p, i) => parcelCard(p, i, count, page.lang))}</div>`}
</section>
<p><a href="${withLang(tenantPath(page.tenantId), page)}">${t.lookUpAnother}</a></p>`;
  return layout({
    ...page,
    title: `${t.order(view.orderNumber)} · ${t.orderHeadline[view.status]}`,
    selfPath: page.selfPath,
    body,
  });
}
