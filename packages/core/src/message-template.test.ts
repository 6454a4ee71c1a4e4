import { describe, expect, it } from "vitest";
import { renderMessage, TemplateError, validateTemplate } from "./message-template.ts";

describe("renderMessage", () => {
  it("renders every part with the variables", () => {
    expect(
      renderMessage(
        {
          subject: "Order {{ order.number }}",
          text: "Hi {{ customer.name }}, it is {{ shipment.status }}.",
          html: "<b>{{ shipment.status }}</b>",
        },
        { order: { number: "1001" }, customer: { name: "Ada" }, shipment: { status: "delivered" } },
      ),
    ).toEqual({ subject: "Order 1001", text: "Hi Ada, it is delivered.", html: "<b>delivered</b>" });
  });

  it("fails on an unknown variable or filter, naming the part", () => {
    expect(() => renderMessage({ text: "{{ shipment.nope }}" }, { shipment: {} })).toThrow(TemplateError);
    expect(() => renderMessage({ subject: "{{ x | shout }}", text: "" }, { x: 1 })).toThrow(/^subject: /);
  });

  it("escapes nothing it was not asked to, and escapes with the escape filter", () => {
    expect(renderMessage({ text: "{{ v | escape }}" }, { v: "<script>" }).text).toBe("&lt;script&gt;");
  });
});

describe("renderMessage sandbox", () => {
  it("escapes values in the html part, and raw opts out", () => {
    expect(renderMessage({ text: "{{ v }}", html: "<p>{{ v }}</p>{{ v | raw }}" }, { v: "<b>&" })).toEqual({
      subject: null,
      text: "<b>&",
      html: "<p>&lt;b&gt;&amp;</p><b>&",
    });
  });

  it("reads no files: include, render and layout find nothing", () => {
    for (const source of [
      '{% include "package.json" %}',
      '{% render "package.json" %}',
      '{% layout "package.json" %}x',
    ])
      expect(() => renderMessage({ text: source }, {})).toThrow(TemplateError);
  });

  it("stops a template that would exhaust memory", () => {
    expect(() => renderMessage({ text: "{% for i in (1..100000000) %}{{ i }}{% endfor %}" }, {})).toThrow(
      TemplateError,
    );
  });

  it("tells the line of an error", () => {
    try {
      renderMessage({ text: "a\nb\n{{ x.y }}" }, { x: {} });
      expect.unreachable();
    } catch (error) {
      expect((error as TemplateError).line).toBe(3);
    }
  });
});

describe("validateTemplate", () => {
  const sample = {
    tenant: { name: "Acme" },
    shipment: { trackingNumber: "1Z999", estimatedDelivery: "", events: [{ message: "x" }] },
    order: { number: "1001" },
  };

  it("accepts a good template and gives its rendering", () => {
    expect(
      validateTemplate(
        { subject: "Order {{ order.number }}", text: "{{ tenant.name }}: {{ shipment.trackingNumber }}" },
        "email",
        sample,
      ),
    ).toEqual({
      ok: true,
      errors: [],
      warnings: [],
      rendered: { subject: "Order 1001", text: "Acme: 1Z999", html: null },
    });
  });

  it("finds an unknown variable in a branch the sample does not take, with its line", () => {
    const result = validateTemplate(
      {
        subject: "s",
        text: "Hi\n{% if shipment.estimatedDelivery == blank %}ok{% else %}\n{{ shipment.eta }}{% endif %}",
      },
      "email",
      sample,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      { part: "text", message: 'unknown variable "shipment.eta", line:3, col:4', line: 3 },
    ]);
  });

  it("knows size, first and last and loop variables", () => {
    const result = validateTemplate(
      {
        text: "{{ shipment.events.size }} {{ shipment.events.first.message }} {{ shipment.trackingNumber.size }}{% for e in shipment.events %}{{ e.message }}{{ forloop.index }}{% endfor %}",
      },
      "chat",
      sample,
    );
    expect(result.errors).toEqual([]);
  });

  it("fails a loop item's unknown field at render", () => {
    const result = validateTemplate(
      { text: "{% for e in shipment.events %}{{ e.nope }}{% endfor %}" },
      "chat",
      sample,
    );
    expect(result.errors).toEqual([
      { part: "text", message: expect.stringMatching(/^undefined variable: e.nope, line:1/), line: 1 },
    ]);
  });

  it("names the part of an unknown filter, a syntax error and a missing subject", () => {
    const result = validateTemplate(
      { subject: "", text: "{{ order.number | shout }}", html: "<p>\n{% if %}</p>" },
      "email",
      sample,
    );
    expect(result.ok).toBe(false);
    expect(result.rendered).toBeNull();
    expect(result.errors).toEqual([
      { part: "subject", message: "an email needs a subject" },
      { part: "text", message: expect.stringMatching(/^undefined filter: shout/), line: 1 },
      { part: "html", message: expect.stringMatching(/line:2/), line: 2 },
    ]);
  });

  it("requires text for every kind, but a subject only for email", () => {
    expect(validateTemplate({ text: " " }, "sms", sample).errors).toEqual([
      { part: "text", message: "the text is required" },
    ]);
    expect(validateTemplate({ text: "hi" }, "chat", sample).ok).toBe(true);
  });

  it("counts SMS segments and warns over 2", () => {
    const short = validateTemplate(
      { text: "{{ tenant.name }}: {{ shipment.trackingNumber }}" },
      "sms",
      sample,
    );
    expect(short.sms).toEqual({ encoding: "GSM-7", characters: 11, segments: 1, perSegment: 160 });
    expect(short.warnings).toEqual([]);
    const long = validateTemplate({ text: `{{ tenant.name }} ${"x".repeat(400)}` }, "sms", sample);
    expect(long.ok).toBe(true);
    expect(long.sms?.segments).toBe(3);
    expect(long.warnings).toEqual([{ part: "text", message: expect.stringMatching(/^3 SMS segments/) }]);
    const ucs = validateTemplate({ text: `Está ${"x".repeat(70)}` }, "sms", sample);
    expect(ucs.sms).toMatchObject({ encoding: "UCS-2", segments: 2 });
    expect(ucs.warnings).toEqual([
      { part: "text", message: expect.stringMatching(/^"á" is not in the GSM-7/) },
    ]);
  });

  it("warns of an html part a kind does not use", () => {
    expect(validateTemplate({ text: "t", html: "<p>t</p>" }, "sms", sample).warnings).toContainEqual({
      part: "html",
      message: "the html part is not used for sms messages",
    });
  });
});
