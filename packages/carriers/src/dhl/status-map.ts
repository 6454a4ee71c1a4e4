import type { StatusMap, StatusMapping } from "../shared/status-map.ts";

/**
 * DHL Shipment Tracking - Unified: `statusCode` → unified status.
 *
 * Source: developer.dhl.com, "Shipment Tracking - Unified" OpenAPI (track v1.5.x), enum `StatusCode`
 * "Code of the status (high-level grouping statuses)": pre-transit, transit, delivered, failure,
 * unknown. The same five values are the event filters of "Shipment Tracking - Unified - Push".
 *
 * The code is coarse and DHL's own text often says more (or something else): see DHL_PHRASE_RULES
 * below, applied on top of this table by `resolveDhlStatus`.
 */
export const DHL_STATUS_MAP: StatusMap = {
  "pre-transit": { status: "info_received", reason: "label_created" }, // shipment data received, not yet handed over
  transit: { status: "in_transit" },
  delivered: { status: "delivered" },
  failure: { status: "exception" }, // refined by text: failed attempt, return, refusal, damage…
  unknown: { status: "unknown" },
};

/**
 * THE RULE: the status comes from `statusCode`, then DHL's own human text refines it.
 *
 * DHL's text (`status`, `statusDetailed`, `description`; `remark` too when `status` holds a Post &
 * Parcel Germany event code such as "ZU", since DHL moved the former status text to `remark`) is
 * matched against the phrases below, in order; the first rule that matches (and whose `codes`, if
 * given, include the event's statusCode) decides the status. No match: the statusCode mapping stands.
 * The text wins over the code because the code is a five-value grouping while the text names what
 * happened; e.g. DHL Paket reports "Die Sendung wurde erfolgreich zugestellt" under statusCode
 * `transit`, a Packstation hand-in under `transit` or `delivered`, and returns under `transit`.
 *
 * Deliberate decisions:
 * - "ready for pick-up" / "zur Abholung bereit" is `available_for_pickup` (actionRequired), never
 *   delivered, whatever the code says: the recipient does not have the parcel yet.
 * - "delivered to the PACKSTATION" (a Packstation or locker chosen as the delivery address) is
 *   `delivered` with reason `parcel_locker`; collection from a locker or retail outlet is `delivered`
 *   with `parcel_locker` / `access_point`.
 * - A return phrase makes the event `returning_to_sender`; "delivered back to the sender" (or a
 *   return phrase under statusCode `delivered`) is `returned_to_sender`. Conditional mentions ("if not
 *   collected it will be returned") are not returns.
 * - English and German texts are both recognised (DHL Paket answers in German by default).
 */
export interface DhlPhraseRule {
  /** what the rule recognises (also used in test names and debugging) */
  readonly name: string;
  /** the statusCodes the rule applies to; omitted: any code, including unknown ones */
  readonly codes?: readonly string[];
  /** matched against DHL's text, lower-cased with whitespace collapsed */
  readonly pattern: RegExp;
  /** the rule does not apply when this also matches */
  readonly unless?: RegExp;
  readonly mapping: (text: string) => StatusMapping;
}

const LOCKER = /packstation|parcel\s*locker|paketkasten|poststation|\blocker\b/;
const CONDITIONAL = /\bif\b|\bunless\b|\bfalls\b|\bwenn\b|\bsonst\b/;
const RETURN =
  /\breturn(?:ed|ing)?\s+to\s+(?:the\s+)?(?:sender|shipper|consignor|origin)\b|\bbeing\s+returned\b|rücksendung|zurück\s+an\s+(?:den\s+)?absender|an\s+den\s+absender\s+zurück|retoure/;
const RETURN_DELIVERED =
  /\b(?:delivered|returned)\s+back\s+to\s+(?:the\s+)?(?:sender|shipper|consignor)\b|\bdelivered\s+to\s+(?:the\s+)?(?:sender|shipper|consignor)\b|(?:an\s+den|dem)\s+absender\s+(?:erfolgreich\s+)?(?:zugestellt|zurückgeliefert|ausgeliefert|übergeben)/;
const PICKUP_READY =
  /\bready\s+for\s+(?:pick[\s-]?up|collection)\b|\bavailable\s+for\s+(?:pick[\s-]?up|collection)\b|\bawaiting\s+collection\b|\bheld\s+for\s+(?:pick[\s-]?up|collection)\b|zur\s+abholung\s+bereit|abholbereit/;
const COLLECTED =
  /\b(?:picked\s+up|collected)\s+by\s+the\s+(?:recipient|consignee)\b|\brecipient\s+(?:has\s+)?(?:picked\s+up|collected)\b|\b(?:picked\s+up|collected|removed)\s+from\s+the\s+(?:packstation|parcel\s+locker|locker|retail\s+outlet|service\s+point|parcel\s+shop)\b|aus\s+der\s+packstation\s+entnommen|vom\s+empfänger\s+(?:in\s+der\s+\S+\s+)?abgeholt|empfänger\s+hat\s+die\s+sendung\s+(?:in\s+der\s+\S+\s+)?abgeholt/;
const NOT_DELIVERED =
  /\b(?:could|can)\s*not\s+be\s+delivered\b|\bnot\s+delivered\b|\bdelivery\s+attempt|\bunsuccessful\s+delivery\b|\bnot\s+at\s+home\b|\brecipient\s+(?:was\s+|is\s+)?not\s+available\b|konnte\s+nicht\s+zugestellt|nicht\s+zugestellt\s+werden|nicht\s+angetroffen|zustellversuch|nicht\s+erfolgreich/;
const REFUSED = /\brefus|verweiger/;
const DELIVERED =
  /\bsuccessfully\s+delivered\b|\bhas\s+been\s+delivered\b|\bwas\s+delivered\b|^delivered\b|erfolgreich\s+zugestellt|wurde\s+zugestellt|zustellung\s.*\berfolgreich\b/;
const OUT_FOR_DELIVERY =
  /\bout\s+for\s+delivery\b|\bwith\s+delivery\s+courier\b|\bloaded\s+onto\s+the\s+delivery\s+vehicle\b|zustellfahrzeug\s+geladen|\bin\s+zustellung\b/;
const ADDRESS_ISSUE =
  /\baddress\b.*\b(?:incorrect|incomplete|insufficient|invalid|unknown|wrong)\b|\b(?:incorrect|incomplete|insufficient|invalid|wrong)\s+address\b|adressfehler|(?:fehlerhafte|unvollständige|falsche)\s+(?:empfänger)?(?:adresse|anschrift|angaben|empfängerangaben)|empfänger\s+(?:ist\s+)?unbekannt|\brecipient\s+(?:is\s+)?unknown\b/;
const DAMAGED = /damage|beschädig/;
const WEATHER = /\bweather\b|unwetter|wetterbedingt|witterung|natural\s+disaster|naturkatastrophe/;
const FORWARDED =
  /\bforwarded\s+to\s+(?:a\s+|the\s+)?new\s+(?:delivery\s+)?address\b|\bredirected\s+to\b|nachsendeauftrag|an\s+eine\s+neue\s+empfängeradresse|umgeleitet/;
const ADDRESS_CORRECTED =
  /\baddress\s+(?:has\s+been\s+|was\s+)?corrected\b|\bcorrected\s+address\b|(?:adresse|anschrift)\s+wurde\s+korrigiert|adresskorrektur/;
const CUSTOMS = /\bcustoms\b|zoll/;
const RECIPIENT_AWAY =
  /nicht\s+angetroffen|\bnot\s+at\s+home\b|\brecipient\s+(?:was\s+|is\s+)?not\s+available\b|niemand/;
const CLOSED = /\bclosed\b|geschlossen/;

function pickupPlace(text: string): StatusMapping["reason"] {
  return LOCKER.test(text) ? "parcel_locker" : "access_point";
}

function returnReason(text: string): Pick<StatusMapping, "reason"> {
  if (REFUSED.test(text)) return { reason: "refused" };
  if (ADDRESS_ISSUE.test(text)) return { reason: "address_issue" };
  return {};
}

function attemptReason(text: string): Pick<StatusMapping, "reason"> {
  if (RECIPIENT_AWAY.test(text)) return { reason: "recipient_unavailable" };
  if (CLOSED.test(text)) return { reason: "business_closed" };
  if (ADDRESS_ISSUE.test(text)) return { reason: "address_issue" };
  return {};
}

function deliveredPlace(text: string): Pick<StatusMapping, "reason"> {
  if (LOCKER.test(text)) return { reason: "parcel_locker" };
  if (/retail\s+outlet|service\s*point|parcel\s*shop|paketshop|filiale/.test(text))
    return { reason: "access_point" };
  return {};
}

/** In order; the first applicable match wins. One line per rule: name, codes, pattern → mapping. */
// biome-ignore format: a table, one rule per line
export const DHL_PHRASE_RULES: readonly DhlPhraseRule[] = [
  { name: "delivered back to the sender", pattern: RETURN_DELIVERED, mapping: () => ({ status: "returned_to_sender" }) },
  { name: "return under statusCode delivered", codes: ["delivered"], pattern: RETURN, unless: CONDITIONAL, mapping: (t) => ({ status: "returned_to_sender", ...returnReason(t) }) },
  { name: "being returned to the sender", pattern: RETURN, unless: CONDITIONAL, mapping: (t) => ({ status: "returning_to_sender", ...returnReason(t) }) },
  { name: "ready for pickup", pattern: PICKUP_READY, mapping: (t) => ({ status: "available_for_pickup", reason: pickupPlace(t), actionRequired: true }) },
  { name: "collected by the recipient", pattern: COLLECTED, mapping: (t) => ({ status: "delivered", reason: pickupPlace(t) }) },
  { name: "delivery attempt failed", pattern: NOT_DELIVERED, mapping: (t) => ({ status: "attempt_failed", ...attemptReason(t) }) },
  { name: "refused by the recipient", pattern: REFUSED, mapping: () => ({ status: "exception", reason: "refused" }) },
  { name: "delivered", pattern: DELIVERED, mapping: (t) => ({ status: "delivered", ...deliveredPlace(t) }) },
  { name: "out for delivery", codes: ["pre-transit", "transit", "unknown"], pattern: OUT_FOR_DELIVERY, mapping: () => ({ status: "out_for_delivery" }) },
  { name: "address problem", pattern: ADDRESS_ISSUE, mapping: () => ({ status: "exception", reason: "address_issue", actionRequired: true }) },
  { name: "damaged", pattern: DAMAGED, mapping: () => ({ status: "exception", reason: "damaged" }) },
  { name: "weather delay", pattern: WEATHER, mapping: () => ({ status: "exception", reason: "weather" }) },
  { name: "forwarded to a new address", pattern: FORWARDED, mapping: () => ({ status: "in_transit", reason: "forwarded" }) },
  { name: "address corrected", pattern: ADDRESS_CORRECTED, mapping: () => ({ status: "in_transit", reason: "address_corrected" }) },
  { name: "held in customs", codes: ["failure"], pattern: CUSTOMS, mapping: () => ({ status: "exception", reason: "customs_hold" }) },
];
