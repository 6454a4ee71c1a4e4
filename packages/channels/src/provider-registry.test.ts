import { describe, expect, it } from "vitest";
import { PROVIDER_FACTORIES, providerFactory } from "./provider-registry.ts";

describe("provider registry", () => {
  it("lists every configurable provider once", () => {
    const ids = PROVIDER_FACTORIES.map((factory) => factory.provider);
    expect([...ids].sort()).toEqual(
      [
        "webhook",
        "sendgrid",
        "twilio",
        "slack",
        "slack-webhook",
        "smtp",
        "mailgun",
        "mandrill",
        "google-sheets",
        "google-chat-api",
        "google-chat",
        "msgraph",
        "gmail",
        "onesignal",
        "telegram",
        "messenger",
        "whatsapp",
        "messagebird",
        "intercom",
        "freshdesk",
        "zendesk",
        "teams",
        "sns",
        "ses",
        "airtable",
        "pipedrive",
        "activecampaign",
        "klaviyo",
        "shopify",
        "woocommerce",
      ].sort(),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("finds a factory by id, and nothing for an unknown id or preview", () => {
    expect(providerFactory("twilio")?.kind).toBe("sms");
    expect(providerFactory("sendgrid")?.kind).toBe("email");
    expect(providerFactory("nope")).toBeUndefined();
    expect(providerFactory("preview")).toBeUndefined();
  });

  it("refuses an empty configuration for every factory (credentials or a URL are required)", () => {
    for (const factory of PROVIDER_FACTORIES) {
      const result = factory.configSchema.safeParse({});
      expect(result.success, factory.provider).toBe(false);
    }
  });
});
