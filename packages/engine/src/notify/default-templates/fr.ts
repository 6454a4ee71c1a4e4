import { date, ifSet, type LocaleTemplates, labelOf, optionalParagraph } from "./compose.ts";

const hello = ifSet("customer.name", "Bonjour {{ customer.name }},", "Bonjour,");
const team = "À bientôt,\nL'équipe {{ brand.name }}";
const VotreCommande = ifSet("order.number", "Votre commande {{ order.number }}", "Votre commande");
const votreCommande = ifSet("order.number", "votre commande {{ order.number }}", "votre commande");
const VotreColis = "Votre colis {{ shipment.trackingNumber }}";
const votreColis = "votre colis {{ shipment.trackingNumber }}";
const day = (v: string) => date(v, "%d/%m/%Y");
const track = optionalParagraph(
  "shipment.trackingUrl != blank",
  "Suivez votre colis ici : {{ shipment.trackingUrl }}",
);
const smsTrack = ifSet("shipment.trackingUrl", " {{ shipment.trackingUrl }}");
const eta = ifSet(
  "shipment.estimatedDelivery",
  ` Livraison prévue le ${date("shipment.estimatedDelivery", "%d/%m")}.`,
);

function email(subject: string, body: string, withTracking = true) {
  return { subject, text: `${hello}\n\n${body}${withTracking ? track : ""}\n\n${team}` };
}

const SHIPMENT_STATUS = {
  pending: "en attente de prise en charge",
  info_received: "étiquette créée",
  in_transit: "en cours d'acheminement",
  out_for_delivery: "en cours de livraison",
  available_for_pickup: "disponible au retrait",
  delivered: "livré",
  attempt_failed: "tentative de livraison infructueuse",
  exception: "incident de livraison",
  returning_to_sender: "en retour vers nos entrepôts",
  returned_to_sender: "revenu dans nos entrepôts",
  cancelled: "annulé",
  lost: "perdu",
  unknown: "en cours de vérification",
};

const ORDER_STATUS = {
  received: "reçue",
  processing: "en préparation",
  on_hold: "en attente",
  backordered: "en attente de réapprovisionnement",
  partially_shipped: "partiellement expédiée",
  shipped: "expédiée",
  out_for_delivery: "en cours de livraison",
  partially_delivered: "partiellement livrée",
  delivered: "livrée",
  delayed: "retardée",
  exception: "incident de livraison",
  returned: "retournée",
  cancelled: "annulée",
};

const SUMMARY_STATUS = {
  pending: "En attente",
  info_received: "Étiquette créée",
  in_transit: "En transit",
  out_for_delivery: "En cours de livraison",
  available_for_pickup: "Disponible au retrait",
  delivered: "Livrés",
  attempt_failed: "Échec de livraison",
  exception: "Incident",
  returning_to_sender: "En retour",
  returned_to_sender: "Retournés",
  cancelled: "Annulés",
  lost: "Perdus",
  unknown: "Inconnu",
};

const EXCEPTION_KIND = {
  stalled: "Aucun scan",
  delivery_date_missed: "Date de livraison dépassée",
  delivery_date_revised: "Date de livraison modifiée",
  delivery_failed: "Échec de livraison",
  customs_hold: "Retenu en douane",
  return_to_sender: "Retour à l'expéditeur",
  lost: "Perdu",
  damaged: "Endommagé",
};

const shipmentStatus = labelOf("shipment.status", SHIPMENT_STATUS, "shipment.statusText");
const orderStatus = labelOf("order.status", ORDER_STATUS, "order.statusText");
const exceptionKind = labelOf("exception.kind", EXCEPTION_KIND, "exception.kind");
const shipments = "{% if summary.total == 1 %}1 envoi{% else %}{{ summary.total }} envois{% endif %}";
const summaryLines =
  "{% for group in summary.groups %}\n\n" +
  `${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} ({{ group.count }})` +
  "{% for s in group.shipments %}\n- {{ s.carrierName }} {{ s.trackingNumber }}" +
  ifSet("s.orderNumber", ", commande {{ s.orderNumber }}") +
  ifSet("s.estimatedDelivery", `, prévu le ${date("s.estimatedDelivery", "%d/%m")}`) +
  "{% endfor %}{% endfor %}";

function when0(none: string, some: string): string {
  return `{% if summary.total == 0 %}${none}{% else %}${some}{% endif %}`;
}

export const FR: LocaleTemplates = {
  shipment_info_received: {
    email: email(
      `${VotreCommande} est en préparation`,
      "Merci pour votre commande ! Nous sommes en train de la préparer et l'étiquette d'expédition {{ shipment.carrierName }} est prête (numéro de suivi {{ shipment.trackingNumber }}). Nous vous préviendrons dès que votre colis sera en route.",
    ),
    sms: {
      text: `{{ brand.name }} : ${votreCommande} est en préparation pour un envoi avec {{ shipment.carrierName }}.${smsTrack}`,
    },
  },
  shipment_in_transit: {
    email: email(
      `${VotreCommande} est en route`,
      `Bonne nouvelle : ${votreColis} est en route avec {{ shipment.carrierName }}.` +
        ifSet("shipment.estimatedDelivery", ` Il devrait arriver le ${day("shipment.estimatedDelivery")}.`),
    ),
    sms: {
      text: `{{ brand.name }} : ${votreCommande} est en route avec {{ shipment.carrierName }}.${eta}${smsTrack}`,
    },
  },
  shipment_out_for_delivery: {
    email: email(
      `${VotreCommande} arrive aujourd'hui`,
      `${VotreColis} est en cours de livraison avec {{ shipment.carrierName }} et devrait vous être remis aujourd'hui.`,
    ),
    sms: {
      text: `{{ brand.name }} : ${votreCommande} est en cours de livraison et arrive aujourd'hui.${smsTrack}`,
    },
  },
  shipment_available_for_pickup: {
    email: email(
      `${VotreCommande} vous attend en point de retrait`,
      `${VotreColis} est disponible au retrait` +
        ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})") +
        ". Munissez-vous du numéro de suivi et d'une pièce d'identité. Les colis ne sont conservés que pendant une durée limitée : pensez à le récupérer rapidement.",
    ),
    sms: {
      text: `{{ brand.name }} : ${votreCommande} est disponible au retrait${ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})")}. Suivi : {{ shipment.trackingNumber }}`,
    },
  },
  shipment_delivered: {
    email: email(
      `${VotreCommande} a été livrée`,
      `${VotreColis} a été livré. Nous espérons que votre achat vous plaira !\n\nSi quelque chose manque ou ne convient pas, répondez simplement à cet e-mail.`,
      false,
    ),
    sms: { text: `{{ brand.name }} : ${votreCommande} a été livrée. Bonne découverte !` },
  },
  shipment_attempt_failed: {
    email: email(
      `Vous étiez absent : ${votreCommande}`,
      `{{ shipment.carrierName }} a tenté de livrer ${votreColis}, mais n'a pas pu vous le remettre.` +
        ifSet(
          "shipment.lastEvent.message",
          " Message du transporteur : « {{ shipment.lastEvent.message }} »",
        ) +
        "\n\nUne nouvelle tentative a généralement lieu le jour ouvré suivant ; sinon, un avis de passage vous indiquera où récupérer votre colis.",
    ),
    sms: {
      text: `{{ brand.name }} : {{ shipment.carrierName }} n'a pas pu livrer ${votreCommande} aujourd'hui et fera une nouvelle tentative.${smsTrack}`,
    },
  },
  shipment_exception: {
    email: email(
      `Un problème avec ${votreCommande}`,
      `La livraison de ${votreColis} rencontre un problème` +
        ifSet("shipment.lastEvent.message", " : « {{ shipment.lastEvent.message }} »", ".") +
        "\n\nNous voyons cela avec {{ shipment.carrierName }} et revenons vers vous rapidement. Vous n'avez rien à faire pour le moment.",
    ),
    sms: {
      text: `{{ brand.name }} : la livraison de ${votreCommande} rencontre un problème. Nous nous en occupons et revenons vers vous.${smsTrack}`,
    },
  },
  shipment_delayed: {
    email: email(
      `${VotreCommande} a du retard`,
      `${VotreColis} met plus de temps que prévu à arriver.` +
        ifSet(
          "shipment.estimatedDelivery",
          ` {{ shipment.carrierName }} prévoit désormais une livraison le ${day("shipment.estimatedDelivery")}.`,
        ) +
        "\n\nNous sommes désolés pour ce contretemps. Nous suivons votre colis de près et vous tiendrons au courant de tout changement.",
    ),
    sms: { text: `{{ brand.name }} : désolés, ${votreCommande} a du retard.${eta}${smsTrack}` },
  },
  shipment_delivery_date_revised: {
    email: email(
      `Nouvelle date de livraison pour ${votreCommande}`,
      ifSet(
        "shipment.estimatedDelivery",
        `{{ shipment.carrierName }} a fixé une nouvelle date de livraison pour ${votreColis} : le ${day("shipment.estimatedDelivery")}` +
          ifSet(
            "shipment.firstEstimatedDelivery",
            ` (au lieu du ${day("shipment.firstEstimatedDelivery")})`,
          ) +
          ".",
        `{{ shipment.carrierName }} a modifié la date de livraison de ${votreColis}. Nous vous communiquerons la nouvelle date dès que nous la connaîtrons.`,
      ),
    ),
    sms: {
      text: `{{ brand.name }} : nouvelle date de livraison pour ${votreCommande}${ifSet("shipment.estimatedDelivery", ` : le ${date("shipment.estimatedDelivery", "%d/%m")}`)}.${smsTrack}`,
    },
  },
  shipment_returning_to_sender: {
    email: email(
      `${VotreCommande} nous est retournée`,
      `${VotreColis} n'a pas pu être livré et revient vers nous.` +
        ifSet(
          "shipment.lastEvent.message",
          " Message du transporteur : « {{ shipment.lastEvent.message }} »",
        ) +
        "\n\nNous vous contacterons dès son retour pour trouver une solution avec vous.",
    ),
    sms: {
      text: `{{ brand.name }} : la livraison de ${votreCommande} a échoué et elle nous est retournée. Nous vous recontactons.`,
    },
  },
  shipment_returned_to_sender: {
    email: email(
      `${VotreCommande} nous a été retournée`,
      `${VotreColis} nous a été retourné. Nous vous contacterons très bientôt pour organiser une nouvelle livraison ou un remboursement.`,
      false,
    ),
    sms: {
      text: `{{ brand.name }} : ${votreCommande} nous a été retournée. Nous vous recontactons pour une nouvelle livraison ou un remboursement.`,
    },
  },
  shipment_status: {
    email: email(
      `Du nouveau pour ${votreCommande}`,
      `Nouveau statut pour ${votreColis} : ${shipmentStatus}.`,
    ),
    sms: { text: `{{ brand.name }} : ${votreColis} : ${shipmentStatus}.${smsTrack}` },
  },
  order_status: {
    email: email(
      `Du nouveau pour ${votreCommande}`,
      `Nouveau statut pour ${votreCommande} : ${orderStatus}.`,
      false,
    ),
    sms: { text: `{{ brand.name }} : ${votreCommande} : ${orderStatus}.` },
  },
  staff_exception: {
    email: {
      subject: `[{{ tenant.name }}] ${exceptionKind} : {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text:
        `${exceptionKind} sur {{ shipment.carrierName }} {{ shipment.trackingNumber }}` +
        ifSet("order.number", " (commande {{ order.number }})") +
        " : {{ exception.detail }}" +
        ifSet("shipment.lastEvent.message", "\n\nDernier événement : {{ shipment.lastEvent.message }}") +
        ifSet("shipment.lastEvent.location", " ({{ shipment.lastEvent.location }})") +
        ifSet("shipment.trackingUrl", "\n\n{{ shipment.trackingUrl }}"),
    },
    sms: {
      text: `[{{ tenant.name }}] ${exceptionKind} : {{ shipment.carrierName }} {{ shipment.trackingNumber }}${ifSet("order.number", ", commande {{ order.number }}")} - {{ exception.detail }}`,
    },
    chat: {
      subject: `${exceptionKind} : {{ shipment.carrierName }} {{ shipment.trackingNumber }}`,
      text: `{{ exception.detail }}${ifSet("order.number", "\nCommande {{ order.number }}")}${ifSet("shipment.lastEvent.message", "\nDernier événement : {{ shipment.lastEvent.message }}")}`,
    },
  },
  staff_daily_summary: {
    email: {
      subject: `[{{ tenant.name }}] Envois du ${day("summary.date")} : {{ summary.total }}`,
      text: when0("Aucun envoi à signaler aujourd'hui.", `${shipments}, par statut :${summaryLines}`),
    },
    sms: {
      text: `[{{ tenant.name }}] ${shipments} : {% for group in summary.groups %}${labelOf("group.status", SUMMARY_STATUS, "group.statusText")} {{ group.count }}{% unless forloop.last %}, {% endunless %}{% endfor %}`,
    },
    chat: {
      subject: `Envois du ${day("summary.date")} : {{ summary.total }}`,
      text: when0("Aucun envoi à signaler aujourd'hui.", `${shipments}, par statut :${summaryLines}`),
    },
  },
};
