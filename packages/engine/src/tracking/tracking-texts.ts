import type { OrderStatus, ShipmentStatus } from "@trackflow/core";

/** The languages the tracking page is written in; English when the customer asks for none of them. */
export const TRACKING_LANGUAGES = ["en", "de", "fr", "es"] as const;
export type TrackingLanguage = (typeof TRACKING_LANGUAGES)[number];

/** Everything the tracking page says, in one language. */
export interface TrackingTexts {
  /** the language's own name, for the language links */
  languageName: string;
  pageTitle: string;
  intro: string;
  orderNumberLabel: string;
  contactLabel: string;
  contactHint: string;
  submit: string;
  notFound: string;
  tooManyRequests: string;
  linkInvalid: string;
  order: (orderNumber: string) => string;
  estimatedDelivery: string;
  progress: string;
  /** ordered, shipped, out for delivery, delivered */
  steps: readonly [string, string, string, string];
  stepDone: string;
  stepCurrent: string;
  parcels: (count: number) => string;
  parcel: (index: number, count: number) => string;
  carrier: string;
  trackingNumber: string;
  status: string;
  history: string;
  noEvents: string;
  noParcels: string;
  language: string;
  lookUpAnother: string;
  /** the page's headline for the order's status */
  orderHeadline: Readonly<Record<OrderStatus, string>>;
  /** a parcel's or an event's status, as a label */
  shipmentStatus: Readonly<Record<ShipmentStatus, string>>;
}

const EN: TrackingTexts = {
  languageName: "English",
  pageTitle: "Track your order",
  intro: "Enter your order number and the email address or postcode you ordered with.",
  orderNumberLabel: "Order number",
  contactLabel: "Email address or postcode",
  contactHint: "The email address or delivery postcode of your order.",
  submit: "Track order",
  notFound:
    "We could not find an order with these details. Check the order number and the email address or postcode, then try again.",
  tooManyRequests: "Too many attempts. Please wait a minute, then try again.",
  linkInvalid:
    "This tracking link has expired or is not valid. Enter your order details to look up your order.",
  order: (n) => `Order ${n}`,
  estimatedDelivery: "Estimated delivery",
  progress: "Progress",
  steps: ["Ordered", "Shipped", "Out for delivery", "Delivered"],
  stepDone: "completed",
  stepCurrent: "current step",
  parcels: (n) => (n === 1 ? "Your parcel" : `Your ${n} parcels`),
  parcel: (i, n) => `Parcel ${i} of ${n}`,
  carrier: "Carrier",
  trackingNumber: "Tracking number",
  status: "Status",
  history: "Tracking history",
  noEvents: "No updates from the carrier yet.",
  noParcels: "Nothing has shipped yet. This page shows your parcels as soon as they are on their way.",
  language: "Language",
  lookUpAnother: "Track another order",
  orderHeadline: {
    received: "We have received your order",
    processing: "Your order is being prepared",
    on_hold: "Your order is on hold",
    backordered: "Your order is waiting for stock",
    partially_shipped: "Part of your order has shipped",
    shipped: "Your order is on its way",
    out_for_delivery: "Your order is out for delivery",
    partially_delivered: "Part of your order has been delivered",
    delivered: "Your order has been delivered",
    delayed: "Your order is delayed",
    exception: "There is a problem with your delivery",
    returned: "Your order has been returned",
    cancelled: "Your order has been cancelled",
  },
  shipmentStatus: {
    pending: "Waiting for the carrier",
    info_received: "Label created",
    in_transit: "In transit",
    out_for_delivery: "Out for delivery",
    available_for_pickup: "Ready for pickup",
    delivered: "Delivered",
    attempt_failed: "Delivery attempt failed",
    exception: "Delivery problem",
    returning_to_sender: "Returning to sender",
    returned_to_sender: "Returned to sender",
    cancelled: "Cancelled",
    lost: "Lost",
    unknown: "Checking status",
  },
};

const DE: TrackingTexts = {
  languageName: "Deutsch",
  pageTitle: "Sendung verfolgen",
  intro: "Geben Sie Ihre Bestellnummer und die E-Mail-Adresse oder Postleitzahl Ihrer Bestellung ein.",
  orderNumberLabel: "Bestellnummer",
  contactLabel: "E-Mail-Adresse oder Postleitzahl",
  contactHint: "Die E-Mail-Adresse oder die Postleitzahl der Lieferadresse Ihrer Bestellung.",
  submit: "Bestellung suchen",
  notFound:
    "Wir konnten keine Bestellung mit diesen Angaben finden. Prüfen Sie die Bestellnummer und die E-Mail-Adresse oder Postleitzahl und versuchen Sie es erneut.",
  tooManyRequests: "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es dann erneut.",
  linkInvalid:
    "Dieser Sendungslink ist abgelaufen oder ungültig. Geben Sie Ihre Bestelldaten ein, um Ihre Bestellung zu finden.",
  order: (n) => `Bestellung ${n}`,
  estimatedDelivery: "Voraussichtliche Zustellung",
  progress: "Fortschritt",
  steps: ["Bestellt", "Versandt", "In Zustellung", "Zugestellt"],
  stepDone: "erledigt",
  stepCurrent: "aktueller Schritt",
  parcels: (n) => (n === 1 ? "Ihr Paket" : `Ihre ${n} Pakete`),
  parcel: (i, n) => `Paket ${i} von ${n}`,
  carrier: "Versanddienstleister",
  trackingNumber: "Sendungsnummer",
  status: "Status",
  history: "Sendungsverlauf",
  noEvents: "Noch keine Meldungen vom Versanddienstleister.",
  noParcels: "Noch nichts versandt. Diese Seite zeigt Ihre Pakete, sobald sie unterwegs sind.",
  language: "Sprache",
  lookUpAnother: "Andere Bestellung verfolgen",
  orderHeadline: {
    received: "Ihre Bestellung ist eingegangen",
    processing: "Ihre Bestellung wird vorbereitet",
    on_hold: "Ihre Bestellung ist angehalten",
    backordered: "Ihre Bestellung wartet auf Nachschub",
    partially_shipped: "Ihre Bestellung ist teilweise versandt",
    shipped: "Ihre Bestellung ist unterwegs",
    out_for_delivery: "Ihre Bestellung ist in Zustellung",
    partially_delivered: "Ihre Bestellung ist teilweise zugestellt",
    delivered: "Ihre Bestellung wurde zugestellt",
    delayed: "Ihre Bestellung verzögert sich",
    exception: "Bei der Zustellung gibt es ein Problem",
    returned: "Ihre Bestellung wurde zurückgesendet",
    cancelled: "Ihre Bestellung wurde storniert",
  },
  shipmentStatus: {
    pending: "Wartet auf den Versanddienstleister",
    info_received: "Etikett erstellt",
    in_transit: "Unterwegs",
    out_for_delivery: "In Zustellung",
    available_for_pickup: "Zur Abholung bereit",
    delivered: "Zugestellt",
    attempt_failed: "Zustellversuch erfolglos",
    exception: "Problem bei der Zustellung",
    returning_to_sender: "Auf dem Rückweg",
    returned_to_sender: "Zurückgesendet",
    cancelled: "Storniert",
    lost: "Verloren gegangen",
    unknown: "Wird geprüft",
  },
};

const FR: TrackingTexts = {
  languageName: "Français",
  pageTitle: "Suivre ma commande",
  intro: "Saisissez votre numéro de commande et l'adresse e-mail ou le code postal de votre commande.",
  orderNumberLabel: "Numéro de commande",
  contactLabel: "Adresse e-mail ou code postal",
  contactHint: "L'adresse e-mail ou le code postal de livraison de votre commande.",
  submit: "Suivre la commande",
  notFound:
    "Nous n'avons trouvé aucune commande correspondant à ces informations. Vérifiez le numéro de commande et l'adresse e-mail ou le code postal, puis réessayez.",
  tooManyRequests: "Trop de tentatives. Patientez une minute, puis réessayez.",
  linkInvalid:
    "Ce lien de suivi a expiré ou n'est pas valide. Saisissez les informations de votre commande pour la retrouver.",
  order: (n) => `Commande ${n}`,
  estimatedDelivery: "Livraison estimée",
  progress: "Progression",
  steps: ["Commandée", "Expédiée", "En cours de livraison", "Livrée"],
  stepDone: "terminé",
  stepCurrent: "étape en cours",
  parcels: (n) => (n === 1 ? "Votre colis" : `Vos ${n} colis`),
  parcel: (i, n) => `Colis ${i} sur ${n}`,
  carrier: "Transporteur",
  trackingNumber: "Numéro de suivi",
  status: "Statut",
  history: "Historique de suivi",
  noEvents: "Aucune information du transporteur pour l'instant.",
  noParcels: "Rien n'a encore été expédié. Cette page affichera vos colis dès qu'ils seront en route.",
  language: "Langue",
  lookUpAnother: "Suivre une autre commande",
  orderHeadline: {
    received: "Nous avons bien reçu votre commande",
    processing: "Votre commande est en préparation",
    on_hold: "Votre commande est en attente",
    backordered: "Votre commande attend un réapprovisionnement",
    partially_shipped: "Votre commande est partiellement expédiée",
    shipped: "Votre commande est en route",
    out_for_delivery: "Votre commande est en cours de livraison",
    partially_delivered: "Votre commande est partiellement livrée",
    delivered: "Votre commande a été livrée",
    delayed: "Votre commande est retardée",
    exception: "Un incident affecte votre livraison",
    returned: "Votre commande a été retournée",
    cancelled: "Votre commande a été annulée",
  },
  shipmentStatus: {
    pending: "En attente de prise en charge",
    info_received: "Étiquette créée",
    in_transit: "En transit",
    out_for_delivery: "En cours de livraison",
    available_for_pickup: "Disponible au retrait",
    delivered: "Livré",
    attempt_failed: "Tentative de livraison infructueuse",
    exception: "Incident de livraison",
    returning_to_sender: "En retour",
    returned_to_sender: "Retourné",
    cancelled: "Annulé",
    lost: "Perdu",
    unknown: "En cours de vérification",
  },
};

const ES: TrackingTexts = {
  languageName: "Español",
  pageTitle: "Seguir mi pedido",
  intro: "Introduce tu número de pedido y el correo electrónico o el código postal de tu pedido.",
  orderNumberLabel: "Número de pedido",
  contactLabel: "Correo electrónico o código postal",
  contactHint: "El correo electrónico o el código postal de entrega de tu pedido.",
  submit: "Seguir pedido",
  notFound:
    "No hemos encontrado ningún pedido con estos datos. Comprueba el número de pedido y el correo electrónico o el código postal, e inténtalo de nuevo.",
  tooManyRequests: "Demasiados intentos. Espera un minuto e inténtalo de nuevo.",
  linkInvalid:
    "Este enlace de seguimiento ha caducado o no es válido. Introduce los datos de tu pedido para encontrarlo.",
  order: (n) => `Pedido ${n}`,
  estimatedDelivery: "Entrega estimada",
  progress: "Progreso",
  steps: ["Pedido realizado", "Enviado", "En reparto", "Entregado"],
  stepDone: "completado",
  stepCurrent: "paso actual",
  parcels: (n) => (n === 1 ? "Tu paquete" : `Tus ${n} paquetes`),
  parcel: (i, n) => `Paquete ${i} de ${n}`,
  carrier: "Transportista",
  trackingNumber: "Número de seguimiento",
  status: "Estado",
  history: "Historial de seguimiento",
  noEvents: "Todavía no hay novedades del transportista.",
  noParcels: "Todavía no se ha enviado nada. Esta página mostrará tus paquetes en cuanto estén en camino.",
  language: "Idioma",
  lookUpAnother: "Seguir otro pedido",
  orderHeadline: {
    received: "Hemos recibido tu pedido",
    processing: "Estamos preparando tu pedido",
    on_hold: "Tu pedido está en espera",
    backordered: "Tu pedido está pendiente de reposición",
    partially_shipped: "Parte de tu pedido ya se ha enviado",
    shipped: "Tu pedido está en camino",
    out_for_delivery: "Tu pedido está en reparto",
    partially_delivered: "Parte de tu pedido ya se ha entregado",
    delivered: "Tu pedido ha sido entregado",
    delayed: "Tu pedido llega con retraso",
    exception: "Hay una incidencia con tu entrega",
    returned: "Tu pedido ha sido devuelto",
    cancelled: "Tu pedido ha sido cancelado",
  },
  shipmentStatus: {
    pending: "Pendiente de recogida",
    info_received: "Etiqueta creada",
    in_transit: "En tránsito",
    out_for_delivery: "En reparto",
    available_for_pickup: "Listo para recoger",
    delivered: "Entregado",
    attempt_failed: "Intento de entrega sin éxito",
    exception: "Incidencia en la entrega",
    returning_to_sender: "En devolución",
    returned_to_sender: "Devuelto",
    cancelled: "Cancelado",
    lost: "Extraviado",
    unknown: "En revisión",
  },
};

export const TRACKING_TEXTS: Readonly<Record<TrackingLanguage, TrackingTexts>> = {
  en: EN,
  de: DE,
  fr: FR,
  es: ES,
};

function asLanguage(tag: string): TrackingLanguage | null {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return (TRACKING_LANGUAGES as readonly string[]).includes(primary) ? (primary as TrackingLanguage) : null;
}

/**
 * The page's language: `?lang=` when it names one of ours (explicit: links and the form keep
 * it), else the first of `Accept-Language` by preference that we have, else English.
 */
export function pickTrackingLanguage(
  query: string | undefined,
  acceptLanguage: string | undefined,
): { lang: TrackingLanguage; explicit: boolean } {
  const chosen = query ? asLanguage(query) : null;
  if (chosen) return { lang: chosen, explicit: true };
  const ranked = (acceptLanguage ?? "")
    .slice(0, 1000)
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.split(";");
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((x) => x.tag !== "" && x.q > 0 && Number.isFinite(x.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const lang = asLanguage(tag);
    if (lang) return { lang, explicit: false };
  }
  return { lang: "en", explicit: false };
}
