import { type Brand, BrandSchema, renderMessage, smsSegments, validateTemplate } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { messageVariables, sampleMessageVariables } from "../message-variables.ts";
import {
  DEFAULT_TEMPLATE_IDS,
  DEFAULT_TEMPLATE_LOCALES,
  DEFAULT_TEMPLATES,
  DEFAULT_TEMPLATES_BY_LOCALE,
  defaultTemplate,
} from "./index.ts";

const KINDS = ["email", "sms", "chat", "push", "webhook"] as const;
const cases = DEFAULT_TEMPLATE_LOCALES.flatMap((locale) =>
  DEFAULT_TEMPLATE_IDS.flatMap((id) => KINDS.map((kind) => [locale, id, kind] as const)),
);

/** Longer than the sample in every value an SMS shows: worst typical case. */
function longVariables() {
  const brand: Brand = BrandSchema.parse({
    name: "Acme Outdoor Supplies",
    trackingPageUrl: "https://acme-outdoor.example.com/track/{{ trackingNumber }}",
  });
  const v = sampleMessageVariables("Acme Outdoor Supplies", brand);
  v.shipment.trackingNumber = "9400111899223197428490";
  v.shipment.trackingUrl = "https://acme-outdoor.example.com/track/9400111899223197428490";
  v.shipment.lastEvent.location = "Post office, Frankfurt am Main";
  v.order.number = "100234";
  return v;
}

describe("built-in templates", () => {
  it.each(cases)("%s %s for %s validates against the sample variables", (locale, id, kind) => {
    const template = defaultTemplate(id, kind, [locale])!;
    const result = validateTemplate(template, kind, sampleMessageVariables("Acme Outdoor"));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const all = `${result.rendered!.subject ?? ""}\n${result.rendered!.text}`;
    expect(all).not.toMatch(/\{\{|\{%| {2}|\n\n\n| \.|\.\.(?!\d)|undefined/);
  });

  it.each(DEFAULT_TEMPLATE_LOCALES.flatMap((l) => DEFAULT_TEMPLATE_IDS.map((id) => [l, id] as const)))(
    "%s %s: SMS fits in 2 segments with typical and long values",
    (locale, id) => {
      const template = defaultTemplate(id, "sms", [locale])!;
      for (const variables of [sampleMessageVariables("Acme Outdoor"), longVariables()]) {
        const text = renderMessage(template, variables).text;
        expect(smsSegments(text).segments, text).toBeLessThanOrEqual(2);
      }
    },
  );

  it.each(DEFAULT_TEMPLATE_LOCALES.flatMap((l) => DEFAULT_TEMPLATE_IDS.map((id) => [l, id] as const)))(
    "%s %s renders with nothing known (no shipment, no order, no brand)",
    (locale, id) => {
      const empty = messageVariables({ tenantName: "Acme", shipment: null, lastEvent: null, order: null });
      for (const kind of KINDS) {
        const r = renderMessage(defaultTemplate(id, kind, [locale])!, empty);
        expect(r.text).not.toMatch(/undefined|\{\{/);
      }
    },
  );

  it("chooses the language along the chain, English last", () => {
    expect(defaultTemplate("shipment_delivered", "email", ["de-AT", "de", "en"])).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.de.shipment_delivered.email,
    );
    expect(defaultTemplate("shipment_delivered", "email", ["FR-ca"])).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.fr.shipment_delivered.email,
    );
    expect(defaultTemplate("shipment_delivered", "email", ["pt-BR", "es"])).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.es.shipment_delivered.email,
    );
    expect(defaultTemplate("shipment_delivered", "email", ["pt"])).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.en.shipment_delivered.email,
    );
    expect(defaultTemplate("shipment_delivered", "email")).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.en.shipment_delivered.email,
    );
    expect(defaultTemplate("no_such_template", "email", ["en"])).toBeNull();
  });

  it("gives each kind its variant", () => {
    const de = DEFAULT_TEMPLATES_BY_LOCALE.de;
    expect(defaultTemplate("shipment_delivered", "sms", ["de"])).toEqual({
      text: de.shipment_delivered.sms.text,
    });
    expect(defaultTemplate("shipment_delivered", "chat", ["de"])).toEqual({
      subject: de.shipment_delivered.email.subject,
      text: de.shipment_delivered.sms.text,
    });
    expect(defaultTemplate("staff_exception", "chat", ["de"])).toBe(de.staff_exception.chat);
    expect(defaultTemplate("staff_exception", "ticket", ["de"])).toBe(de.staff_exception.email);
  });

  it("keeps DEFAULT_TEMPLATES: the English email templates by id", () => {
    expect(Object.keys(DEFAULT_TEMPLATES).sort()).toEqual([...DEFAULT_TEMPLATE_IDS].sort());
    expect(DEFAULT_TEMPLATES.shipment_delivered).toBe(
      DEFAULT_TEMPLATES_BY_LOCALE.en.shipment_delivered.email,
    );
    for (const t of Object.values(DEFAULT_TEMPLATES)) expect(t.subject).toBeTruthy();
  });

  it("says the daily summary's statuses in the template's language", () => {
    const v = sampleMessageVariables("Acme");
    expect(renderMessage(defaultTemplate("staff_daily_summary", "email", ["de"])!, v)).toEqual({
      subject: "[Acme] Sendungen am 06.03.2024: 3",
      text:
        "3 Sendungen, nach Status:\n\nUnterwegs (1)\n- UPS 1Z999AA10123456784, Bestellung 1001\n\n" +
        "Problem (1)\n- USPS 9400111899223197428490, Bestellung 1002\n\nZugestellt (1)\n- FedEx 794698345210, Bestellung 1003",
      html: null,
    });
    const none = messageVariables({ tenantName: "Acme", shipment: null, lastEvent: null, order: null });
    expect(renderMessage(defaultTemplate("staff_daily_summary", "chat", ["en"])!, none).text).toBe(
      "No shipments to report today.",
    );
  });
});
