import { describe, expect, it } from "vitest";
import { renderMessage, TemplateError } from "./message-template.ts";

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
