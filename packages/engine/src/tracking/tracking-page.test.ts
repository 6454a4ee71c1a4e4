import { BrandSchema, initialShipmentState, parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import type { OrderRow, ShipmentRow, StoredEvent } from "@trackflow/store";
import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "./html.ts";
import { brandCss, contrastRatio, readableOn } from "./tracking-assets.ts";
import {
  formatDeliveryDay,
  formatEventMoment,
  renderLookupPage,
  renderTrackingPage,
} from "./tracking-page.ts";
import { pickTrackingLanguage } from "./tracking-texts.ts";
import { trackingView } from "./tracking-view.ts";

const XSS = `<script>alert("x")</script>&'`;
const brand = BrandSchema.parse({
  name: `Acme ${XSS}`,
  logoUrl: "https://shop.example/logo.svg?a=1&b=2",
  primaryColor: "#0b7a3e",
  footer: `Acme Ltd\n${XSS}`,
  supportEmail: "help@shop.example",
});

function orderRow(overrides: Partial<OrderRow> = {}): OrderRow {
  return {
    id: "ord_1",
    tenantId: "acme",
    source: "api",
    externalId: "ext-1",
    status: "shipped",
    customer: { email: "ada@example.com" },
    data: { orderNumber: `1001${XSS}` },
    lines: [],
    updatedAt: new Date(0),
    ...overrides,
  };
}

function shipmentRow(id: string, trackingNumber: string, overrides: Partial<ShipmentRow> = {}): ShipmentRow {
  return {
    id,
    tenantId: "acme",
    carrier: "dhl",
    trackingNumber,
    orderId: "ord_1",
    destinationCountry: "DE",
    status: "in_transit",
    reason: null,
    actionRequired: false,
    state: initialShipmentState("dhl", trackingNumber),
    estimatedDelivery: null,
    lastEventAt: null,
    hostRef: null,
    createdAt: new Date(Number(id.slice(-1)) * 1000),
    updatedAt: new Date(0),
    ...overrides,
  };
}

function event(
  status: ShipmentEvent["status"],
  at: string,
  message: string,
  city: string | null = null,
): StoredEvent {
  return {
    fingerprint: `${status}-${at}`,
    receivedAt: new Date(0),
    event: {
      source: "dhl",
      carrier: "dhl",
      trackingNumber: "x",
      pieceId: null,
      sourceEventId: null,
      status,
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "",
      rawStatus: null,
      message,
      location: city ? { description: null, city, state: null, postalCode: null, country: "DE" } : null,
      occurredAt: parseTimestamp(at),
      estimatedDelivery: null,
      signedBy: null,
    },
  };
}

const view = trackingView(orderRow(), [
  {
    shipment: shipmentRow("shp_2", "JJD0002", {
      status: "out_for_delivery",
      estimatedDelivery: parseTimestamp("2024-07-25T00:00:00"),
    }),
    events: [
      event("in_transit", "2024-07-23T09:00:00+02:00", "Sorted"),
      event("out_for_delivery", "2024-07-24T07:15:00+02:00", `Out ${XSS}`, "Leipzig"),
    ],
  },
  {
    shipment: shipmentRow("shp_1", "JJD0001", { estimatedDelivery: parseTimestamp("2024-07-26T00:00:00") }),
    events: [event("info_received", "2024-07-22T18:00:00+02:00", "Label created")],
  },
]);

describe("the tracking page", () => {
  it("escapes every interpolated value, and only those", () => {
    expect(escapeHtml(XSS)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    const inner = html`<b>${"<i>"}</b>`;
    expect(
      html`<p title="${'"x"'}">${inner}${[html`<br>`, "&"]}${null}${false}${undefined}${0}</p>`.value,
    ).toBe('<p title="&quot;x&quot;"><b>&lt;i&gt;</b><br>&amp;0</p>');
  });

  it("shows no raw markup from the brand, the order or the carrier", () => {
    const page = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "en",
      explicitLang: false,
      view,
      selfPath: "/track/acme/t/tok",
    });
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain('src="https://shop.example/logo.svg?a=1&amp;b=2"');
    expect(page).toContain('href="mailto:help@shop.example"');
    // the only scripts are the page's own, by URL
    expect(page.match(/<script\b[^>]*>/g)).toEqual([
      expect.stringMatching(/^<script src="\/track\/assets\/track\.js\?v=[\w-]+" defer>$/),
    ]);
    expect(page).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it("shows the status, the estimate, the steps and every parcel with its timeline, newest first", () => {
    const page = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "en",
      explicitLang: false,
      view,
      selfPath: "/track/acme/t/tok",
    });
    expect(page).toContain("Your order is on its way");
    expect(page).toContain("Your 2 parcels");
    expect(page).toContain("Parcel 1 of 2");
    expect(page).toContain("Parcel 2 of 2");
    // parcels in the order they were made
    expect(page.indexOf("JJD0001")).toBeLessThan(page.indexOf("JJD0002"));
    expect(page).toContain(
      'Estimated delivery: <strong><time datetime="2024-07-26T00:00:00">Friday, July 26</time>',
    );
    expect(page).toMatch(
      /<li class="done">Ordered<span class="sr-only"> \(completed\)<\/span><\/li><li class="current" aria-current="step">Shipped/,
    );
    expect(page).toContain('<time datetime="2024-07-24T07:15:00+02:00">Jul 24, 2024, 7:15 AM</time>');
    expect(page.indexOf("Out &lt;script&gt;")).toBeLessThan(page.indexOf("Sorted"));
    expect(page).toContain('<span class="place">Leipzig, DE</span>');
    expect(page).toContain("Out for delivery");
    expect(page).toContain('<html lang="en">');
  });

  it("speaks the customer's language, status texts included", () => {
    const de = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "de",
      explicitLang: true,
      view,
      selfPath: "/track/acme/t/tok",
    });
    expect(de).toContain('<html lang="de">');
    expect(de).toContain("Ihre Bestellung ist unterwegs");
    expect(de).toContain("In Zustellung");
    expect(de).toContain("Sendungsverlauf");
    expect(de).toContain("Paket 1 von 2");
    expect(de).toContain('href="/track/acme?lang=de"');
    expect(de).toContain(
      '<a href="/track/acme/t/tok?lang=de" lang="de" hreflang="de" aria-current="true">Deutsch</a>',
    );
    const fr = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "fr",
      explicitLang: false,
      view,
      selfPath: "/p",
    });
    expect(fr).toContain("Votre commande est en route");
    const es = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "es",
      explicitLang: false,
      view,
      selfPath: "/p",
    });
    expect(es).toContain("Tu pedido está en camino");
    expect(formatEventMoment(parseTimestamp("2024-07-24T07:15:00+02:00"), "de")).toBe("24.07.2024, 07:15");
    expect(formatDeliveryDay(parseTimestamp("2024-07-26"), "de")).toBe("Freitag, 26. Juli");
    expect(formatDeliveryDay(parseTimestamp("2024-07-26T14:00:00"), "en")).toMatch(/Friday, July 26.*2:00/);
  });

  it("shows wall-clock times as the carrier gave them, whatever the offset", () => {
    expect(formatEventMoment(parseTimestamp("2024-07-24T23:30:00-07:00"), "en")).toBe(
      "Jul 24, 2024, 11:30 PM",
    );
    expect(formatEventMoment(parseTimestamp("2024-07-24T23:30:00"), "en")).toBe("Jul 24, 2024, 11:30 PM");
  });

  it("leaves the steps out for a cancelled order and the estimate out once delivered", () => {
    const cancelled = trackingView(orderRow({ status: "cancelled" }), []);
    expect(cancelled.step).toBeNull();
    const page = renderTrackingPage({
      brand,
      tenantId: "acme",
      lang: "en",
      explicitLang: false,
      view: cancelled,
      selfPath: "/p",
    });
    expect(page).toContain("Your order has been cancelled");
    expect(page).not.toContain('class="steps"');
    expect(page).toContain("Nothing has shipped yet.");
    const delivered = trackingView(orderRow({ status: "delivered" }), [
      {
        shipment: shipmentRow("shp_1", "A", {
          status: "delivered",
          estimatedDelivery: parseTimestamp("2024-07-26"),
        }),
        events: [],
      },
    ]);
    expect(delivered.estimatedDelivery).toBeNull();
    expect(delivered.parcels[0]!.estimatedDelivery).toBeNull();
    expect(delivered.step).toBe(3);
  });

  it("renders the lookup form without echoing input, with the message when there is one", () => {
    const plain = renderLookupPage({ brand, tenantId: "acme", lang: "en", explicitLang: false });
    expect(plain).toContain('<form method="post" action="/track/acme">');
    expect(plain).toContain('name="orderNumber"');
    expect(plain).toContain('name="contact"');
    expect(plain).not.toContain('role="alert"');
    const notFound = renderLookupPage({
      brand,
      tenantId: "acme",
      lang: "fr",
      explicitLang: true,
      message: "notFound",
    });
    expect(notFound).toContain('action="/track/acme?lang=fr"');
    expect(notFound).toContain('<div class="alert" role="alert"><p>Nous n&#39;avons trouvé aucune commande');
    expect(notFound).not.toMatch(/value=/);
    const odd = renderLookupPage({ brand, tenantId: 'a"b<c', lang: "en", explicitLang: false });
    expect(odd).toContain('action="/track/a%22b%3Cc"');
  });
});

describe("the page's language", () => {
  it("is ?lang= when it is one of ours, else the best of Accept-Language, else English", () => {
    expect(pickTrackingLanguage("de", "fr")).toEqual({ lang: "de", explicit: true });
    expect(pickTrackingLanguage("DE-at", undefined)).toEqual({ lang: "de", explicit: true });
    expect(pickTrackingLanguage("xx", "fr-CH, fr;q=0.9, en;q=0.8")).toEqual({ lang: "fr", explicit: false });
    expect(pickTrackingLanguage(undefined, "nl, es;q=0.5, de;q=0.7")).toEqual({
      lang: "de",
      explicit: false,
    });
    expect(pickTrackingLanguage(undefined, "de;q=0, es")).toEqual({ lang: "es", explicit: false });
    expect(pickTrackingLanguage(undefined, "ja, *;q=0.1")).toEqual({ lang: "en", explicit: false });
    expect(pickTrackingLanguage(undefined, undefined)).toEqual({ lang: "en", explicit: false });
  });
});

describe("the brand's colours", () => {
  it("are used where they read, replaced where they would not", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21);
    expect(readableOn("#1f6feb")).toBe("#ffffff");
    expect(readableOn("#ffd33d")).toBe("#000000");
    const css = brandCss(
      BrandSchema.parse({
        name: "Pale",
        primaryColor: "#ffd33d",
        textColor: "#eeeeee",
        backgroundColor: "#ffffff",
      }),
    );
    expect(css).toContain("--brand: #ffd33d;");
    expect(css).toContain("--brand-fg: #000000;");
    expect(css).toContain("--text: #000000;");
    expect(brandCss(brand)).toContain("--brand: #0b7a3e;");
    expect(brandCss(brand)).toContain("--text: #1f2328;");
  });
});
