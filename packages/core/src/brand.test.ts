import { describe, expect, it } from "vitest";
import { BrandSchema, brandTrackingUrl, defaultBrand } from "./brand.ts";

describe("BrandSchema", () => {
  it("fills the default colours", () => {
    expect(BrandSchema.parse({ name: "Acme" })).toEqual({
      name: "Acme",
      primaryColor: "#1f6feb",
      textColor: "#1f2328",
      backgroundColor: "#f6f8fa",
    });
    expect(defaultBrand("  ")).toMatchObject({ name: "Trackflow" });
  });

  it.each([
    ["a logo over http", { logoUrl: "http://acme.example/logo.png" }],
    ["a logo that is not a URL", { logoUrl: "logo.png" }],
    ["a colour that is not #rrggbb", { primaryColor: "red" }],
    ["a colour that could break out of a style", { textColor: "#fff;background:url(x)" }],
    ["a short colour", { backgroundColor: "#fff" }],
    ["a support address that is not one", { supportEmail: "support" }],
    ["a tracking page with an unknown variable", { trackingPageUrl: "https://t.example/{{ tracking }}" }],
    ["a tracking page that is not https", { trackingPageUrl: "http://t.example/{{ trackingNumber }}" }],
    ["a tracking page that is not a URL", { trackingPageUrl: "{{ trackingNumber }}" }],
  ])("refuses %s", (_, fields) => {
    expect(BrandSchema.safeParse({ name: "Acme", ...fields }).success).toBe(false);
  });

  it("accepts a full brand", () => {
    const brand = BrandSchema.parse({
      name: "Acme",
      logoUrl: "https://acme.example/logo.png",
      primaryColor: "#AA3300",
      footer: "Acme GmbH\nMusterstraße 1",
      supportEmail: "help@acme.example",
      trackingPageUrl: "https://acme.example/track/{{ trackingNumber }}?c={{ carrier }}&o={{ orderNumber }}",
    });
    expect(brand.primaryColor).toBe("#AA3300");
  });
});

describe("brandTrackingUrl", () => {
  const brand = BrandSchema.parse({
    name: "Acme",
    trackingPageUrl: "https://acme.example/track/{{ trackingNumber }}?o={{ orderNumber }}",
  });

  it("renders the template with URL-encoded values", () => {
    expect(brandTrackingUrl(brand, { trackingNumber: "1Z 9/9", carrier: "ups", orderNumber: "#10&1" })).toBe(
      "https://acme.example/track/1Z%209%2F9?o=%2310%261",
    );
  });

  it("is empty without a brand URL or a tracking number", () => {
    expect(
      brandTrackingUrl(defaultBrand("Acme"), { trackingNumber: "1Z", carrier: "ups", orderNumber: "" }),
    ).toBe("");
    expect(brandTrackingUrl(brand, { trackingNumber: "", carrier: "", orderNumber: "" })).toBe("");
    expect(brandTrackingUrl(null, { trackingNumber: "1Z", carrier: "ups", orderNumber: "" })).toBe("");
  });
});
