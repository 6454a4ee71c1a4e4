import { date, ifSet, type LocaleTemplates, labelOf, optionalParagraph } from "./compose.ts";

const hello = ifSet("customer.name", "Hola, {{ customer.name }}:", "Hola:");
const team = "Un saludo,\nEl equipo de {{ brand.name }}";
const TuPedido = ifSet("order.number", "Tu pedido {{ order.number }}", "Tu pedido");
const tuPedido = ifSet("order.number", "tu pedido {{ order.number }}", "tu pedido");
const TuPaquete = "Tu paquete {{ shipment.trackingNumber }}";
const tuPaquete = "tu paquete {{ shipment.trackingNumber }}";
const day = (v: string) => date(v, "%d/%m/%Y");
const track = optionalParagraph(
  "shipment.trackingUrl != blank",
  "Puedes seguir tu paquete aquí: {{ shipment.trackingUrl }}",
);
const smsTrack = ifSet("shipment.trackingUrl", " {{ shipment.trackingUrl }}");
const eta = ifSet(
  "shipment.estimatedDelivery",
  ` Entrega prevista: ${date("shipment.estimatedDelivery", "%d/%m")}.`,
);

function email(subject: string, body: string, withTracking = true) {
  return { subject, text: `${hello}\n\n${body}${withTracking ? track : ""}\n\n${team}` };
}

const SHIPMENT_STATUS = {
  pending: "pendiente de recogida por el transportista",
  info_received: "etiqueta creada",
  in_transit: "en camino",
  out_for_delivery: "en reparto",
  available_for_pickup: "listo para recoger",
  delivered: "entregado",
  attempt_failed: "intento de entrega sin éxito",
  exception: "incidencia en la entrega",
  returning_to_sender: "de vuelta hacia nosotros",
  returned_to_sender: "devuelto a nuestro almacén",
  cancelled: "cancelado",
  lost: "extraviado",
  unknown: "en revisión",
};

const ORDER_STATUS = {
  received: "recibido",
  processing: "en preparación",
  on_hold: "en espera",
  backordered: "pendiente de reposición",
  partially_shipped: "enviado en parte",
  shipped: "enviado",
  out_for_delivery: "en reparto",
  partially_delivered: "entregado en parte",
  delivered: "entregado",
  delayed: "con retraso",
  exception: "con una incidencia",
  returned: "devuelto",
  cancelled: "cancelado",
};

const SUMMARY_STATUS = {
  pending: "Pendientes",
  info_received: "Etiqueta creada",
  in_transit: "En tránsito",
  out_for_delivery: "En reparto",
  available_for_pickup: "Listos para recoger",
  delivered: "Entregados",
  attempt_failed: "Entrega fallida",
  exception: "Incidencia",
  returning_to_sender: "En devolución",
  returned_to_sender: "Devueltos",
  cancelled: "Cancelados",
  lost: "Extraviados",
  unknown: "Desconocido",
};

const EXCEPTION_KIND = {
  stalled: "Sin escaneos",
  delivery_date_missed: "Fecha de entrega incumplida",
  delivery_date_revised: "Fecha de entrega modificada",
  delivery_failed: "Entrega fallida",
  customs_hold: "Retenido en aduana",
  return_to_sender: "Devolución al remitente",
  lost: "Extraviado",
  damaged: "Dañado",
};

const shipmentStatus = labelOf("shipment.status", SHIPMENT_STATUS, "shipment.statusText");
const orderStatus = labelOf("order.status", ORDER_STATUS, "order.statusText");
const exceptionKind = labelOf("exception.kind", EXCEPTION_KIND, "exception.kind");
const shipments = "{% if summary.total == 1 %}1 envío{% else %}{{ summary.total }} envíos{% endif %}";
const summaryLines =
  "{% for group in summary.groups %}\n\n" +
  `${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} ({{ group.count }})` +
  "{% for s in group.shipments %}\n- {{ s.carrierName }} {{ s.trackingNumber }}" +
  ifSet("s.orderNumber", ", pedido {{ s.orderNumber }}") +
  ifSet("s.estimatedDelivery", `, previsto el ${date("s.estimatedDelivery", "%d/%m")}`) +
  "{% endfor %}{% endfor %}";

function when0(none: string, some: string): string {
  return `{% if summary.total == 0 %}${none}{% else %}${some}{% endif %}`;
}

export const ES: LocaleTemplates = {
  shipment_info_received: {
    email: email(
      `Estamos preparando ${tuPedido}`,
      "¡Gracias por tu compra! Estamos preparando tu pedido y la etiqueta de envío de {{ shipment.carrierName }} ya está lista (número de seguimiento {{ shipment.trackingNumber }}). Te avisaremos en cuanto salga.",
    ),
    sms: {
      text: `{{ brand.name }}: estamos preparando ${tuPedido} para enviarlo con {{ shipment.carrierName }}.${smsTrack}`,
    },
  },
  shipment_in_transit: {
    email: email(
      `${TuPedido} ya va de camino`,
      `¡Buenas noticias! ${TuPaquete} ya va de camino con {{ shipment.carrierName }}.` +
        ifSet("shipment.estimatedDelivery", ` Debería llegar el ${day("shipment.estimatedDelivery")}.`),
    ),
    sms: {
      text: `{{ brand.name }}: ${tuPedido} ya va de camino con {{ shipment.carrierName }}.${eta}${smsTrack}`,
    },
  },
  shipment_out_for_delivery: {
    email: email(
      `${TuPedido} llega hoy`,
      `${TuPaquete} está en reparto con {{ shipment.carrierName }} y debería llegar hoy.`,
    ),
    sms: { text: `{{ brand.name }}: ${tuPedido} ya va en reparto y llega hoy.${smsTrack}` },
  },
  shipment_available_for_pickup: {
    email: email(
      `${TuPedido} ya se puede recoger`,
      `${TuPaquete} ya está listo para recoger` +
        ifSet("shipment.lastEvent.location", " en {{ shipment.lastEvent.location }}") +
        ". Lleva contigo el número de seguimiento y un documento de identidad. Los paquetes solo se guardan durante un tiempo limitado, así que te recomendamos recogerlo pronto.",
    ),
    sms: {
      text: `{{ brand.name }}: ${tuPedido} ya se puede recoger${ifSet("shipment.lastEvent.location", " en {{ shipment.lastEvent.location }}")}. Seguimiento: {{ shipment.trackingNumber }}`,
    },
  },
  shipment_delivered: {
    email: email(
      `${TuPedido} ya ha sido entregado`,
      `${TuPaquete} ya ha sido entregado. ¡Esperamos que lo disfrutes!\n\nSi falta algo o hay algún problema, solo tienes que responder a este correo.`,
      false,
    ),
    sms: { text: `{{ brand.name }}: ${tuPedido} ya ha sido entregado. ¡Que lo disfrutes!` },
  },
  shipment_attempt_failed: {
    email: email(
      `No te encontramos en casa: ${tuPedido}`,
      `{{ shipment.carrierName }} intentó entregar ${tuPaquete}, pero no pudo hacerlo.` +
        ifSet(
          "shipment.lastEvent.message",
          " Mensaje del transportista: «{{ shipment.lastEvent.message }}»",
        ) +
        "\n\nNormalmente vuelven a intentarlo el siguiente día laborable o dejan un aviso indicando dónde puedes recogerlo.",
    ),
    sms: {
      text: `{{ brand.name }}: {{ shipment.carrierName }} no pudo entregar ${tuPedido} hoy y lo va a intentar de nuevo.${smsTrack}`,
    },
  },
  shipment_exception: {
    email: email(
      `Incidencia con ${tuPedido}`,
      `Ha surgido una incidencia con la entrega de ${tuPaquete}` +
        ifSet("shipment.lastEvent.message", ": «{{ shipment.lastEvent.message }}»", ".") +
        "\n\nYa lo estamos revisando con {{ shipment.carrierName }} y te escribiremos pronto. Por ahora no tienes que hacer nada.",
    ),
    sms: {
      text: `{{ brand.name }}: hay una incidencia con la entrega de ${tuPedido}. Ya nos estamos ocupando y te escribiremos pronto.${smsTrack}`,
    },
  },
  shipment_delayed: {
    email: email(
      `${TuPedido} llega con retraso`,
      `${TuPaquete} está tardando más de lo previsto.` +
        ifSet(
          "shipment.estimatedDelivery",
          ` {{ shipment.carrierName }} prevé entregarlo el ${day("shipment.estimatedDelivery")}.`,
        ) +
        "\n\nSentimos la espera. Seguimos de cerca tu envío y te avisaremos si hay cualquier novedad.",
    ),
    sms: { text: `{{ brand.name }}: lo sentimos, ${tuPedido} llega con retraso.${eta}${smsTrack}` },
  },
  shipment_delivery_date_revised: {
    email: email(
      `Nueva fecha de entrega para ${tuPedido}`,
      ifSet(
        "shipment.estimatedDelivery",
        `{{ shipment.carrierName }} ha fijado una nueva fecha de entrega para ${tuPaquete}: el ${day("shipment.estimatedDelivery")}` +
          ifSet(
            "shipment.firstEstimatedDelivery",
            ` (en lugar del ${day("shipment.firstEstimatedDelivery")})`,
          ) +
          ".",
        `{{ shipment.carrierName }} ha cambiado la fecha de entrega de ${tuPaquete}. Te diremos la nueva fecha en cuanto la sepamos.`,
      ),
    ),
    sms: {
      text: `{{ brand.name }}: nueva fecha de entrega para ${tuPedido}${ifSet("shipment.estimatedDelivery", `: el ${date("shipment.estimatedDelivery", "%d/%m")}`)}.${smsTrack}`,
    },
  },
  shipment_returning_to_sender: {
    email: email(
      `${TuPedido} vuelve a nuestro almacén`,
      `No se ha podido entregar ${tuPaquete} y está volviendo a nuestro almacén.` +
        ifSet(
          "shipment.lastEvent.message",
          " Mensaje del transportista: «{{ shipment.lastEvent.message }}»",
        ) +
        "\n\nEn cuanto llegue, nos pondremos en contacto contigo para buscar una solución.",
    ),
    sms: {
      text: `{{ brand.name }}: no se ha podido entregar ${tuPedido} y nos lo devuelven. Te escribiremos pronto.`,
    },
  },
  shipment_returned_to_sender: {
    email: email(
      `${TuPedido} ha vuelto a nuestro almacén`,
      `${TuPaquete} ha vuelto a nuestro almacén. Nos pondremos en contacto contigo muy pronto para organizar un nuevo envío o el reembolso.`,
      false,
    ),
    sms: {
      text: `{{ brand.name }}: ${tuPedido} nos ha llegado de vuelta. Te escribiremos para volver a enviarlo o reembolsarte el importe.`,
    },
  },
  shipment_status: {
    email: email(`Novedades sobre ${tuPedido}`, `Nuevo estado de ${tuPaquete}: ${shipmentStatus}.`),
    sms: { text: `{{ brand.name }}: ${tuPaquete}: ${shipmentStatus}.${smsTrack}` },
  },
  order_status: {
    email: email(`Novedades sobre ${tuPedido}`, `Nuevo estado de ${tuPedido}: ${orderStatus}.`, false),
    sms: { text: `{{ brand.name }}: ${tuPedido}: ${orderStatus}.` },
  },
  staff_exception: {
    email: {
      subject: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text:
        `${exceptionKind} en {{ shipment.carrierName }} {{ shipment.trackingNumber }}` +
        ifSet("order.number", " (pedido {{ order.number }})") +
        ": {{ exception.detail }}" +
        ifSet("shipment.lastEvent.message", "\n\nÚltimo evento: {{ shipment.lastEvent.message }}") +
        ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})") +
        ifSet("shipment.trackingUrl", "\n\n{{ shipment.trackingUrl }}"),
    },
    sms: {
      text: `[{{ tenant.name }}] ${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}${ifSet("order.number", ", pedido {{ order.number }}")} - {{ exception.detail }}`,
    },
    chat: {
      subject: `${exceptionKind}: {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text: `{{ exception.detail }}${ifSet("order.number", "\nPedido {{ order.number }}")}${ifSet("shipment.lastEvent.message", "\nÚltimo evento: {{ shipment.lastEvent.message }}")}`,
    },
  },
  staff_daily_summary: {
    email: {
      subject: `[{{ tenant.name }}] Envíos del ${day("summary.date")}: {{ summary.total }}`,
      text: when0("Hoy no hay envíos que destacar.", `${shipments}, por estado:${summaryLines}`),
    },
    sms: {
      text: `[{{ tenant.name }}] ${shipments}: {% for group in summary.groups %}${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} {{ group.count }}{% unless forloop.last %}, {% endunless %}{% endfor %}`,
    },
    chat: {
      subject: `Envíos del ${day("summary.date")}: {{ summary.total }}`,
      text: when0("Hoy no hay envíos que destacar.", `${shipments}, por estado:${summaryLines}`),
    },
  },
};
