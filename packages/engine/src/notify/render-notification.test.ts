import { BrandSchema, TemplateError } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { defaultTemplate } from "./default-templates/index.ts";
import { sampleMessageVariables } from "./message-variables.ts";
import { renderNotification } from "./render-notification.ts";

const brand = BrandSchema.parse({ name: "Acme", footer: "Acme Ltd", primaryColor: "#112233" });
const variables = sampleMessageVariables("Acme", brand);
const unsubscribeUrl = "https://tf.example/u/tok.sig";
const template = {
  subject: "Order {{ order.number }}\n",
  text: "Hi {{ customer.name }}\n\n{{ shipment.trackingUrl }}",
};

describe("renderNotification", () => {
  it("lays out an email with the brand and the unsubscribe link", () => {
    const out = renderNotification({
      template,
      kind: "email",
      variables,
      brand,
      unsubscribeUrl,
      locale: "de",
    });
    expect(out.subject).toBe("Order 1001");
    expect(out.text).toBe(
      "Hi Alex Smith\n\nhttps://track.example.com/1Z999AA10123456784\n\n-- \nAcme Ltd\nAbmelden: https://tf.example/u/tok.sig\n",
    );
    expect(out.html).toContain('<a href="https://track.example.com/1Z999AA10123456784"');
    expect(out.html).toContain('href="https://tf.example/u/tok.sig"');
    expect(out.html).toContain("#112233");
    expect(out.structured).toBeUndefined();
  });

  it("uses the template's html part, escaped", () => {
    const out = renderNotification({
      template: { subject: "s", text: "t", html: "<p>{{ customer.name }}</p>" },
      kind: "email",
      variables: { ...variables, customer: { name: "<b>Eve</b>" } },
      brand,
      unsubscribeUrl,
    });
    expect(out.html).toContain("<p>&lt;b&gt;Eve&lt;/b&gt;</p>");
  });

  it("gives an SMS its text and segments", () => {
    const out = renderNotification({
      template: defaultTemplate("shipment_in_transit", "sms", ["en"])!,
      kind: "sms",
      variables,
      brand,
      unsubscribeUrl,
    });
    expect(out.html).toBeUndefined();
    expect(out.subject).toBeUndefined();
    expect(out.smsSegments).toMatchObject({ encoding: "GSM-7", segments: 1 });
  });

  it("builds Slack blocks, a Teams card, or plain chat", () => {
    const t = defaultTemplate("staff_exception", "chat", ["en"])!;
    const slack = renderNotification({
      template: t,
      kind: "chat",
      variables,
      brand,
      unsubscribeUrl,
      chatFormat: "slack",
    });
    expect(slack.subject).toBe("No scans: UPS 1Z999AA10123456784");
    expect(slack.structured).toEqual([
      expect.objectContaining({ type: "header" }),
      expect.objectContaining({ type: "section" }),
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*Order*\n1001" },
          { type: "mrkdwn", text: "*Carrier*\nUPS" },
          { type: "mrkdwn", text: "*Tracking number*\n1Z999AA10123456784" },
        ],
      },
      expect.objectContaining({ type: "actions" }),
    ]);
    const teams = renderNotification({
      template: t,
      kind: "chat",
      variables,
      brand,
      unsubscribeUrl,
      chatFormat: "teams",
      locale: "fr",
    });
    expect(teams.structured).toMatchObject({
      type: "AdaptiveCard",
      version: "1.4",
      actions: [{ type: "Action.OpenUrl", title: "Suivre le colis" }],
    });
    const plain = renderNotification({ template: t, kind: "chat", variables, brand, unsubscribeUrl });
    expect(plain.structured).toBeUndefined();
    expect(plain.text).toContain("no carrier scan for 72 hours");
  });

  it("renders other kinds as subject and text", () => {
    expect(renderNotification({ template, kind: "push", variables, brand, unsubscribeUrl })).toEqual({
      subject: "Order 1001",
      text: "Hi Alex Smith\n\nhttps://track.example.com/1Z999AA10123456784",
    });
  });

  it("throws TemplateError for a template that does not render", () => {
    expect(() =>
      renderNotification({ template: { text: "{{ nope }}" }, kind: "sms", variables, brand, unsubscribeUrl }),
    ).toThrow(TemplateError);
  });
});
