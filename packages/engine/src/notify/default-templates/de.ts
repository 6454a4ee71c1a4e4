import { date, ifSet, type LocaleTemplates, labelOf, optionalParagraph } from "./compose.ts";

const hello = ifSet("customer.name", "Hallo {{ customer.name }},", "Hallo,");
const team = "Viele Grüße\nIhr Team von {{ brand.name }}";
const IhreBestellung = ifSet("order.number", "Ihre Bestellung {{ order.number }}", "Ihre Bestellung");
const ihreBestellung = ifSet("order.number", "Ihre Bestellung {{ order.number }}", "Ihre Bestellung");
const IhrPaket = "Ihr Paket {{ shipment.trackingNumber }}";
const day = (v: string) => date(v, "%d.%m.%Y");
const track = optionalParagraph(
  "shipment.trackingUrl != blank",
  "Hier können Sie Ihre Sendung verfolgen: {{ shipment.trackingUrl }}",
);
const smsTrack = ifSet("shipment.trackingUrl", " {{ shipment.trackingUrl }}");
const eta = ifSet(
  "shipment.estimatedDelivery",
  ` Voraussichtlich am ${date("shipment.estimatedDelivery", "%d.%m.")}`,
);

function email(subject: string, body: string, withTracking = true) {
  return { subject, text: `${hello}\n\n${body}${withTracking ? track : ""}\n\n${team}` };
}

const SHIPMENT_STATUS = {
  pending: "wartet auf den Versanddienstleister",
  info_received: "Versandetikett erstellt",
  in_transit: "unterwegs",
  out_for_delivery: "in Zustellung",
  available_for_pickup: "zur Abholung bereit",
  delivered: "zugestellt",
  attempt_failed: "Zustellversuch ohne Erfolg",
  exception: "Problem bei der Zustellung",
  returning_to_sender: "auf dem Rückweg zu uns",
  returned_to_sender: "an uns zurückgegangen",
  cancelled: "storniert",
  lost: "verloren gegangen",
  unknown: "wird geprüft",
};

const ORDER_STATUS = {
  received: "eingegangen",
  processing: "in Bearbeitung",
  on_hold: "angehalten",
  backordered: "wartet auf Nachschub",
  partially_shipped: "teilweise versandt",
  shipped: "versandt",
  out_for_delivery: "in Zustellung",
  partially_delivered: "teilweise zugestellt",
  delivered: "zugestellt",
  delayed: "verzögert",
  exception: "Problem bei der Zustellung",
  returned: "zurückgesendet",
  cancelled: "storniert",
};

const SUMMARY_STATUS = {
  pending: "Ausstehend",
  info_received: "Etikett erstellt",
  in_transit: "Unterwegs",
  out_for_delivery: "In Zustellung",
  available_for_pickup: "Zur Abholung bereit",
  delivered: "Zugestellt",
  attempt_failed: "Zustellversuch erfolglos",
  exception: "Problem",
  returning_to_sender: "Rücksendung unterwegs",
  returned_to_sender: "Zurückgesendet",
  cancelled: "Storniert",
  lost: "Verloren",
  unknown: "Unbekannt",
};

const EXCEPTION_KIND = {
  stalled: "Keine Scans",
  delivery_date_missed: "Liefertermin verpasst",
  delivery_date_revised: "Liefertermin geändert",
  delivery_failed: "Zustellung fehlgeschlagen",
  customs_hold: "Im Zoll festgehalten",
  return_to_sender: "Rücksendung an Absender",
  lost: "Verloren",
  damaged: "Beschädigt",
};

const shipmentStatus = labelOf("shipment.status", SHIPMENT_STATUS, "shipment.statusText");
const orderStatus = labelOf("order.status", ORDER_STATUS, "order.statusText");
const exceptionKind = labelOf("exception.kind", EXCEPTION_KIND, "exception.kind");
const shipments = "{% if summary.total == 1 %}1 Sendung{% else %}{{ summary.total }} Sendungen{% endif %}";
const summaryLines =
  "{% for group in summary.groups %}\n\n" +
  `${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} ({{ group.count }})` +
  "{% for s in group.shipments %}\n- {{ s.carrierName }} {{ s.trackingNumber }}" +
  ifSet("s.orderNumber", ", Bestellung {{ s.orderNumber }}") +
  ifSet("s.estimatedDelivery", `, voraussichtlich ${date("s.estimatedDelivery", "%d.%m.")}`) +
  "{% endfor %}{% endfor %}";

function when0(none: string, some: string): string {
  return `{% if summary.total == 0 %}${none}{% else %}${some}{% endif %}`;
}

export const DE: LocaleTemplates = {
  shipment_info_received: {
    email: email(
      `${IhreBestellung} wird vorbereitet`,
      "vielen Dank für Ihre Bestellung! Wir packen sie gerade, das Versandetikett für {{ shipment.carrierName }} ist bereits erstellt (Sendungsnummer {{ shipment.trackingNumber }}). Sobald das Paket unterwegs ist, sagen wir Ihnen Bescheid.",
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} wird für den Versand mit {{ shipment.carrierName }} vorbereitet.${smsTrack}`,
    },
  },
  shipment_in_transit: {
    email: email(
      `${IhreBestellung} ist unterwegs`,
      `gute Nachrichten: ${IhrPaket} ist mit {{ shipment.carrierName }} unterwegs zu Ihnen.` +
        ifSet(
          "shipment.estimatedDelivery",
          ` Voraussichtlich kommt es am ${day("shipment.estimatedDelivery")} an.`,
        ),
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} ist mit {{ shipment.carrierName }} unterwegs.${eta}${smsTrack}`,
    },
  },
  shipment_out_for_delivery: {
    email: email(
      `${IhreBestellung} kommt heute`,
      `${IhrPaket} ist bei {{ shipment.carrierName }} in der Zustellung und kommt voraussichtlich heute bei Ihnen an.`,
    ),
    sms: { text: `{{ brand.name }}: ${IhreBestellung} ist in der Zustellung und kommt heute.${smsTrack}` },
  },
  shipment_available_for_pickup: {
    email: email(
      `${IhreBestellung} liegt zur Abholung bereit`,
      `${IhrPaket} liegt` +
        ifSet("shipment.lastEvent.location", " in {{ shipment.lastEvent.location }}") +
        " zur Abholung bereit. Bitte bringen Sie die Sendungsnummer und einen Ausweis mit. Pakete werden meist nur begrenzte Zeit aufbewahrt, holen Sie es also bitte bald ab.",
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} liegt${ifSet("shipment.lastEvent.location", " in {{ shipment.lastEvent.location }}")} zur Abholung bereit. Sendungsnr. {{ shipment.trackingNumber }}`,
    },
  },
  shipment_delivered: {
    email: email(
      `${IhreBestellung} wurde zugestellt`,
      `${IhrPaket} wurde zugestellt. Wir wünschen Ihnen viel Freude damit!\n\nFehlt etwas oder ist nicht alles in Ordnung? Antworten Sie einfach auf diese E-Mail.`,
      false,
    ),
    sms: { text: `{{ brand.name }}: ${IhreBestellung} wurde zugestellt. Viel Freude damit!` },
  },
  shipment_attempt_failed: {
    email: email(
      `Wir haben Sie nicht angetroffen: ${ihreBestellung}`,
      `{{ shipment.carrierName }} wollte ${IhrPaket.replace("Ihr", "Ihnen Ihr")} zustellen, hat Sie aber leider nicht angetroffen.` +
        ifSet("shipment.lastEvent.message", " Hinweis des Zustellers: „{{ shipment.lastEvent.message }}“") +
        "\n\nIn der Regel gibt es am nächsten Werktag einen neuen Zustellversuch, oder Sie erhalten eine Nachricht, wo Sie das Paket abholen können.",
    ),
    sms: {
      text: `{{ brand.name }}: {{ shipment.carrierName }} konnte ${ihreBestellung} heute nicht zustellen und versucht es erneut.${smsTrack}`,
    },
  },
  shipment_exception: {
    email: email(
      `Problem mit ${ihreBestellung.replaceAll("Ihre", "Ihrer")}`,
      "bei der Zustellung Ihres Pakets {{ shipment.trackingNumber }} gibt es ein Problem" +
        ifSet("shipment.lastEvent.message", ": „{{ shipment.lastEvent.message }}“", ".") +
        "\n\nWir klären das gerade mit {{ shipment.carrierName }} und melden uns bei Ihnen. Sie müssen im Moment nichts weiter tun.",
    ),
    sms: {
      text: `{{ brand.name }}: Bei der Zustellung ${ihreBestellung.replaceAll("Ihre", "Ihrer")} gibt es ein Problem. Wir kümmern uns darum und melden uns.${smsTrack}`,
    },
  },
  shipment_delayed: {
    email: email(
      `${IhreBestellung} verzögert sich`,
      `${IhrPaket} braucht leider länger als geplant.` +
        ifSet(
          "shipment.estimatedDelivery",
          ` {{ shipment.carrierName }} rechnet jetzt mit der Zustellung am ${day("shipment.estimatedDelivery")}.`,
        ) +
        "\n\nEntschuldigen Sie bitte die Verzögerung. Wir behalten die Sendung im Blick und melden uns, falls sich etwas ändert.",
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} verzögert sich leider.${eta}${smsTrack}`,
    },
  },
  shipment_delivery_date_revised: {
    email: email(
      `Neuer Liefertermin für ${ihreBestellung}`,
      ifSet(
        "shipment.estimatedDelivery",
        `{{ shipment.carrierName }} hat einen neuen Liefertermin für ${IhrPaket}: ${day("shipment.estimatedDelivery")}` +
          ifSet("shipment.firstEstimatedDelivery", ` (statt ${day("shipment.firstEstimatedDelivery")})`) +
          ".",
        `{{ shipment.carrierName }} hat den Liefertermin für ${IhrPaket} geändert. Sobald wir den neuen Termin kennen, sagen wir Ihnen Bescheid.`,
      ),
    ),
    sms: {
      text: `{{ brand.name }}: Neuer Liefertermin für ${ihreBestellung}${ifSet("shipment.estimatedDelivery", `: ${day("shipment.estimatedDelivery")}`)}.${smsTrack}`,
    },
  },
  shipment_returning_to_sender: {
    email: email(
      `${IhreBestellung} kommt zu uns zurück`,
      `${IhrPaket} konnte nicht zugestellt werden und ist auf dem Rückweg zu uns.` +
        ifSet("shipment.lastEvent.message", " Hinweis des Zustellers: „{{ shipment.lastEvent.message }}“") +
        "\n\nSobald es bei uns ist, melden wir uns, um alles Weitere mit Ihnen zu klären.",
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} konnte nicht zugestellt werden und kommt zu uns zurück. Wir melden uns bei Ihnen.`,
    },
  },
  shipment_returned_to_sender: {
    email: email(
      `${IhreBestellung} ist zu uns zurückgekommen`,
      `${IhrPaket} ist wieder bei uns angekommen. Wir melden uns in Kürze, um eine neue Zustellung oder eine Erstattung mit Ihnen abzustimmen.`,
      false,
    ),
    sms: {
      text: `{{ brand.name }}: ${IhreBestellung} ist zu uns zurückgekommen. Wir melden uns wegen neuer Zustellung oder Erstattung.`,
    },
  },
  shipment_status: {
    email: email(
      `Neuigkeiten zu ${ihreBestellung.replaceAll("Ihre", "Ihrer")}`,
      `neuer Status für ${IhrPaket}: ${shipmentStatus}.`,
    ),
    sms: { text: `{{ brand.name }}: ${IhrPaket}: ${shipmentStatus}.${smsTrack}` },
  },
  order_status: {
    email: email(
      `Neuigkeiten zu ${ihreBestellung.replaceAll("Ihre", "Ihrer")}`,
      `neuer Status für ${ihreBestellung}: ${orderStatus}.`,
      false,
    ),
    sms: { text: `{{ brand.name }}: ${IhreBestellung}: ${orderStatus}.` },
  },
  staff_exception: {
    email: {
      subject: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text:
        `${exceptionKind} bei {{ shipment.carrierName }} {{ shipment.trackingNumber }}` +
        ifSet("order.number", " (Bestellung {{ order.number }})") +
        ": {{ exception.detail }}" +
        ifSet("shipment.lastEvent.message", "\n\nLetztes Ereignis: {{ shipment.lastEvent.message }}") +
        ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})") +
        ifSet("shipment.trackingUrl", "\n\n{{ shipment.trackingUrl }}"),
    },
    sms: {
      text: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}${ifSet("order.number", ", Bestellung {{ order.number }}")} - {{ exception.detail }}`,
    },
    chat: {
      subject: `${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text: `{{ exception.detail }}${ifSet("order.number", "\nBestellung {{ order.number }}")}${ifSet("shipment.lastEvent.message", "\nLetztes Ereignis: {{ shipment.lastEvent.message }}")}`,
    },
  },
  staff_daily_summary: {
    email: {
      subject: `[{{ tenant.name }}] Sendungen am ${day("summary.date")}: {{ summary.total }}`,
      text: when0("Heute gibt es keine Sendungen zu melden.", `${shipments}, nach Status:${summaryLines}`),
    },
    sms: {
      text: `[{{ tenant.name }}] ${shipments}: {% for group in summary.groups %}${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} {{ group.count }}{% unless forloop.last %}, {% endunless %}{% endfor %}`,
    },
    chat: {
      subject: `Sendungen am ${day("summary.date")}: {{ summary.total }}`,
      text: when0("Heute gibt es keine Sendungen zu melden.", `${shipments}, nach Status:${summaryLines}`),
    },
  },
};
