import { date, ifSet, type LocaleTemplates, labelOf, optionalParagraph } from "./compose.ts";

const hello = ifSet("customer.name", "Hi {{ customer.name }},", "Hello,");
const team = "The {{ brand.name }} team";
const YourOrder = ifSet("order.number", "Your order {{ order.number }}", "Your order");
const yourOrder = ifSet("order.number", "your order {{ order.number }}", "your order");
const YourParcel = "Your parcel {{ shipment.trackingNumber }}";
const yourParcel = "your parcel {{ shipment.trackingNumber }}";
const day = (v: string) => date(v, "%A, %B %-d");
const track = optionalParagraph(
  "shipment.trackingUrl != blank",
  "Follow your parcel here: {{ shipment.trackingUrl }}",
);
const smsTrack = ifSet("shipment.trackingUrl", " {{ shipment.trackingUrl }}");
const eta = ifSet("shipment.estimatedDelivery", ` Expected ${date("shipment.estimatedDelivery", "%b %-d")}.`);

/** An email: greeting, body paragraphs, the tracking link when there is one, sign-off. */
function email(subject: string, body: string, withTracking = true) {
  return { subject, text: `${hello}\n\n${body}${withTracking ? track : ""}\n\n${team}` };
}

/** what the parcel / order "is" or "has": the whole predicate, so each reads naturally */
const SHIPMENT_STATUS = {
  pending: "is waiting for the carrier",
  info_received: "is ready to be handed to the carrier",
  in_transit: "is on its way",
  out_for_delivery: "is out for delivery",
  available_for_pickup: "is ready for pickup",
  delivered: "has been delivered",
  attempt_failed: "is waiting for another delivery attempt",
  exception: "is held up",
  returning_to_sender: "is on its way back to us",
  returned_to_sender: "is back with us",
  cancelled: "has been cancelled",
  lost: "has been lost",
};

const ORDER_STATUS = {
  received: "has been received",
  processing: "is being prepared",
  on_hold: "is on hold",
  backordered: "is waiting for stock",
  partially_shipped: "has partly shipped",
  shipped: "has shipped",
  out_for_delivery: "is out for delivery",
  partially_delivered: "has been partly delivered",
  delivered: "has been delivered",
  delayed: "is delayed",
  exception: "is held up",
  returned: "has been returned",
  cancelled: "has been cancelled",
};

const SUMMARY_STATUS = {
  pending: "Pending",
  info_received: "Label created",
  in_transit: "In transit",
  out_for_delivery: "Out for delivery",
  available_for_pickup: "Ready for pickup",
  delivered: "Delivered",
  attempt_failed: "Delivery attempt failed",
  exception: "Exception",
  returning_to_sender: "Returning to sender",
  returned_to_sender: "Returned to sender",
  cancelled: "Cancelled",
  lost: "Lost",
  unknown: "Unknown",
};

const EXCEPTION_KIND = {
  stalled: "No scans",
  delivery_date_missed: "Delivery date missed",
  delivery_date_revised: "Delivery date revised",
  delivery_failed: "Delivery failed",
  customs_hold: "Held in customs",
  return_to_sender: "Returning to sender",
  lost: "Lost",
  damaged: "Damaged",
};

const shipmentStatus = labelOf("shipment.status", SHIPMENT_STATUS, "shipment.statusText", "is ");
const orderStatus = labelOf("order.status", ORDER_STATUS, "order.statusText", "is ");
const exceptionKind = labelOf("exception.kind", EXCEPTION_KIND, "exception.kind");
const summaryLines =
  "{% for group in summary.groups %}\n\n" +
  `${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} ({{ group.count }})` +
  "{% for s in group.shipments %}\n- {{ s.carrierName }} {{ s.trackingNumber }}" +
  ifSet("s.orderNumber", ", order {{ s.orderNumber }}") +
  ifSet("s.estimatedDelivery", `, expected ${date("s.estimatedDelivery", "%b %-d")}`) +
  "{% endfor %}{% endfor %}";
const shipments = "{% if summary.total == 1 %}1 shipment{% else %}{{ summary.total }} shipments{% endif %}";
const summaryTitle = `[{{ tenant.name }}] Shipments on ${date("summary.date", "%b %-d, %Y")}: {{ summary.total }}`;

export const EN: LocaleTemplates = {
  shipment_info_received: {
    email: email(
      `${YourOrder} is being prepared`,
      "Thank you for your order! We are packing it now, and the shipping label for {{ shipment.carrierName }} is ready (tracking number {{ shipment.trackingNumber }}). We will let you know as soon as it is on its way.",
    ),
    sms: {
      text: `{{ brand.name }}: ${YourOrder} is being prepared for shipping with {{ shipment.carrierName }}.${smsTrack}`,
    },
  },
  shipment_in_transit: {
    email: email(
      `${YourOrder} is on its way`,
      `Good news: ${yourParcel} is on its way with {{ shipment.carrierName }}.` +
        ifSet("shipment.estimatedDelivery", ` It should arrive on ${day("shipment.estimatedDelivery")}.`),
    ),
    sms: {
      text: `{{ brand.name }}: ${YourOrder} is on its way with {{ shipment.carrierName }}.${eta}${smsTrack}`,
    },
  },
  shipment_out_for_delivery: {
    email: email(
      `${YourOrder} arrives today`,
      `${YourParcel} is out for delivery with {{ shipment.carrierName }} and should arrive today.`,
    ),
    sms: { text: `{{ brand.name }}: ${YourOrder} is out for delivery and arrives today.${smsTrack}` },
  },
  shipment_available_for_pickup: {
    email: email(
      `${YourOrder} is ready for pickup`,
      `${YourParcel} is ready for pickup` +
        ifSet("shipment.lastEvent.location", " at {{ shipment.lastEvent.location }}") +
        ". Please bring the tracking number and an ID with you. Parcels are usually held for a limited time only, so please collect it soon.",
    ),
    sms: {
      text: `{{ brand.name }}: ${YourOrder} is ready for pickup${ifSet("shipment.lastEvent.location", " at {{ shipment.lastEvent.location }}")}. Tracking no. {{ shipment.trackingNumber }}`,
    },
  },
  shipment_delivered: {
    email: email(
      `${YourOrder} has been delivered`,
      `${YourParcel} has been delivered. We hope you enjoy your purchase!\n\nIf anything is missing or not as expected, just reply to this email.`,
      false,
    ),
    sms: { text: `{{ brand.name }}: ${YourOrder} has been delivered. Enjoy!` },
  },
  shipment_attempt_failed: {
    email: email(
      `We missed you: ${yourOrder}`,
      `{{ shipment.carrierName }} tried to deliver ${yourParcel} but could not reach you.` +
        ifSet("shipment.lastEvent.message", ' The carrier says: "{{ shipment.lastEvent.message }}"') +
        "\n\nThey will usually try again on the next working day, or leave a note saying where you can collect it.",
    ),
    sms: {
      text: `{{ brand.name }}: {{ shipment.carrierName }} could not deliver ${yourOrder} today and will try again.${smsTrack}`,
    },
  },
  shipment_exception: {
    email: email(
      `A problem with ${yourOrder}`,
      `There is a problem with the delivery of ${yourParcel}` +
        ifSet("shipment.lastEvent.message", ': "{{ shipment.lastEvent.message }}"', ".") +
        "\n\nWe are looking into it with {{ shipment.carrierName }} and will be in touch. You do not need to do anything for now.",
    ),
    sms: {
      text: `{{ brand.name }}: there is a problem with the delivery of ${yourOrder}. We are on it and will be in touch.${smsTrack}`,
    },
  },
  shipment_delayed: {
    email: email(
      `${YourOrder} is delayed`,
      `${YourParcel} is taking longer than expected.` +
        ifSet(
          "shipment.estimatedDelivery",
          ` {{ shipment.carrierName }} now expects to deliver it on ${day("shipment.estimatedDelivery")}.`,
        ) +
        "\n\nSorry for the wait. We are keeping an eye on it and will let you know if anything changes.",
    ),
    sms: { text: `{{ brand.name }}: sorry, ${yourOrder} is delayed.${eta}${smsTrack}` },
  },
  shipment_delivery_date_revised: {
    email: email(
      `New delivery date for ${yourOrder}`,
      ifSet(
        "shipment.estimatedDelivery",
        `{{ shipment.carrierName }} has a new delivery date for ${yourParcel}: ${day("shipment.estimatedDelivery")}` +
          ifSet(
            "shipment.firstEstimatedDelivery",
            ` (instead of ${day("shipment.firstEstimatedDelivery")})`,
          ) +
          ".",
        `{{ shipment.carrierName }} has changed the delivery date for ${yourParcel}. We will let you know the new date as soon as we have it.`,
      ),
    ),
    sms: {
      text: `{{ brand.name }}: new delivery date for ${yourOrder}${ifSet("shipment.estimatedDelivery", `: ${date("shipment.estimatedDelivery", "%b %-d")}`)}.${smsTrack}`,
    },
  },
  shipment_returning_to_sender: {
    email: email(
      `${YourOrder} is being returned to us`,
      `${YourParcel} could not be delivered and is on its way back to us.` +
        ifSet("shipment.lastEvent.message", ' The carrier says: "{{ shipment.lastEvent.message }}"') +
        "\n\nWe will be in touch as soon as it arrives to sort it out with you.",
    ),
    sms: {
      text: `{{ brand.name }}: ${YourOrder} could not be delivered and is on its way back to us. We will be in touch.`,
    },
  },
  shipment_returned_to_sender: {
    email: email(
      `${YourOrder} came back to us`,
      `${YourParcel} has been returned to us. We will be in touch shortly to arrange a new delivery or a refund.`,
      false,
    ),
    sms: {
      text: `{{ brand.name }}: ${YourOrder} came back to us. We will be in touch about a new delivery or a refund.`,
    },
  },
  shipment_status: {
    email: email(`Update on ${yourOrder}`, `${YourParcel} ${shipmentStatus}.`),
    sms: { text: `{{ brand.name }}: ${YourParcel} ${shipmentStatus}.${smsTrack}` },
  },
  order_status: {
    email: email(`Update on ${yourOrder}`, `${YourOrder} ${orderStatus}.`, false),
    sms: { text: `{{ brand.name }}: ${YourOrder} ${orderStatus}.` },
  },
  staff_exception: {
    email: {
      subject: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text:
        `${exceptionKind} on {{ shipment.carrierName }} {{ shipment.trackingNumber }}` +
        ifSet("order.number", " (order {{ order.number }})") +
        ": {{ exception.detail }}" +
        ifSet("shipment.lastEvent.message", "\n\nLast carrier event: {{ shipment.lastEvent.message }}") +
        ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})") +
        ifSet("shipment.trackingUrl", "\n\n{{ shipment.trackingUrl }}"),
    },
    sms: {
      text: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}${ifSet("order.number", ", order {{ order.number }}")} - {{ exception.detail }}`,
    },
    chat: {
      subject: `${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text: `{{ exception.detail }}${ifSet("order.number", "\nOrder {{ order.number }}")}${ifSet("shipment.lastEvent.message", "\nLast event: {{ shipment.lastEvent.message }}")}`,
    },
  },
  staff_daily_summary: {
    email: {
      subject: summaryTitle,
      text: `${when0("No shipments to report today.", `${shipments}, by status:${summaryLines}`)}`,
    },
    sms: {
      text: `[{{ tenant.name }}] ${shipments}: {% for group in summary.groups %}${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} {{ group.count }}{% unless forloop.last %}, {% endunless %}{% endfor %}`,
    },
    chat: {
      subject: `Shipments on ${date("summary.date", "%b %-d, %Y")}: {{ summary.total }}`,
      text: when0("No shipments to report today.", `${shipments}, by status:${summaryLines}`),
    },
  },
};

function when0(none: string, some: string): string {
  return `{% if summary.total == 0 %}${none}{% else %}${some}{% endif %}`;
}
