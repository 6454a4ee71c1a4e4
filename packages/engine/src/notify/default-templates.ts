import type { MessageTemplate } from "@trackflow/core";

/**
 * Built-in English templates, used when a tenant has not written its own. Every one reads only
 * the variables message-variables.ts always provides.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<string, MessageTemplate>> = {
  shipment_info_received: {
    subject: "Your order {{ order.number }} is being prepared",
    text: "{{ tenant.name }}: the label for your parcel {{ shipment.trackingNumber }} ({{ shipment.carrierName }}) has been created.",
  },
  shipment_in_transit: {
    subject: "Your order {{ order.number }} is on its way",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} is on its way with {{ shipment.carrierName }}.{% if shipment.estimatedDelivery %} Expected: {{ shipment.estimatedDelivery }}.{% endif %}",
  },
  shipment_out_for_delivery: {
    subject: "Your order {{ order.number }} is out for delivery",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} is out for delivery today.",
  },
  shipment_available_for_pickup: {
    subject: "Your order {{ order.number }} is ready for pickup",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} is ready for pickup{% if shipment.lastEvent.location %} at {{ shipment.lastEvent.location }}{% endif %}.",
  },
  shipment_delivered: {
    subject: "Your order {{ order.number }} has been delivered",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} has been delivered.",
  },
  shipment_attempt_failed: {
    subject: "We missed you: order {{ order.number }}",
    text: "{{ tenant.name }}: {{ shipment.carrierName }} tried to deliver your parcel {{ shipment.trackingNumber }}. {{ shipment.lastEvent.message }}",
  },
  shipment_exception: {
    subject: "A problem with your order {{ order.number }}",
    text: "{{ tenant.name }}: there is a problem with your parcel {{ shipment.trackingNumber }}: {{ shipment.lastEvent.message }}",
  },
  shipment_returning_to_sender: {
    subject: "Your order {{ order.number }} is being returned",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} is on its way back to us. We will be in touch.",
  },
  shipment_returned_to_sender: {
    subject: "Your order {{ order.number }} came back to us",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} was returned to us. We will be in touch.",
  },
  shipment_status: {
    subject: "Update on your order {{ order.number }}",
    text: "{{ tenant.name }}: your parcel {{ shipment.trackingNumber }} is now {{ shipment.statusText }}.",
  },
  staff_exception: {
    subject:
      "[{{ tenant.name }}] {{ exception.kind }}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}",
    text: "{{ exception.kind }} on {{ shipment.carrierName }} {{ shipment.trackingNumber }} (order {{ order.number }}): {{ exception.detail }}",
  },
};
