import type { OutboundMessage } from "../channel-provider.ts";

/** A complete OutboundMessage for tests; the overrides replace whole top-level fields. */
export function outboundMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
    notificationId: "ntf_01HZX3J8Q4",
    tenantId: "tn_acme",
    recipient: { address: "jane@example.com", name: "Jane Doe" },
    content: {
      subject: "Your order has been delivered",
      text: "Order #1001 was delivered today.",
      html: "<p>Order <b>#1001</b> was delivered today.</p>",
    },
    ...overrides,
  };
}
