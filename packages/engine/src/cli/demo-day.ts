import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sourceById } from "@trackflow/carriers";

/** One shipment of the demo day: a customer, an order, and a carrier timeline from the fixtures. */
export interface DemoShipment {
  customer: { name: string; email: string; phone: string };
  orderNumber: string;
  source: string;
  fixture: string;
  story: string;
}

/** A realistic day: mostly deliveries, some delays and failed attempts, a customs hold, returns. */
export const DEMO_DAY: readonly DemoShipment[] = [
  {
    customer: { name: "Ada Lovelace", email: "ada@example.com", phone: "+14155550101" },
    orderNumber: "#1001",
    source: "ups",
    fixture: "multi-package",
    story: "two parcels, both delivered",
  },
  {
    customer: { name: "Grace Hopper", email: "grace@example.com", phone: "+14155550102" },
    orderNumber: "#1002",
    source: "fedex",
    fixture: "repeated-delivery-attempts",
    story: "two missed attempts, then delivered",
  },
  {
    customer: { name: "Alan Turing", email: "alan@example.co.uk", phone: "+447700900103" },
    orderNumber: "#1003",
    source: "dhl",
    fixture: "packstation-delivery",
    story: "delivered to a parcel locker",
  },
  {
    customer: { name: "Katherine Johnson", email: "katherine@example.com", phone: "+14155550104" },
    orderNumber: "#1004",
    source: "ups",
    fixture: "weather-delay-failed-attempt",
    story: "weather delay and a failed attempt",
  },
  {
    customer: { name: "Edsger Dijkstra", email: "edsger@example.nl", phone: "+31612345105" },
    orderNumber: "#1005",
    source: "ups",
    fixture: "customs-hold-then-release",
    story: "held in customs, then released",
  },
  {
    customer: { name: "Barbara Liskov", email: "barbara@example.com", phone: "+14155550106" },
    orderNumber: "#1006",
    source: "usps",
    fixture: "return-to-sender",
    story: "returned to sender",
  },
  {
    customer: { name: "Donald Knuth", email: "donald@example.com", phone: "+14155550107" },
    orderNumber: "#1007",
    source: "usps",
    fixture: "happy-path",
    story: "delivered",
  },
  {
    customer: { name: "Frances Allen", email: "frances@example.com", phone: "+14155550108" },
    orderNumber: "#1008",
    source: "dhl",
    fixture: "retail-outlet-pickup",
    story: "waiting at a pickup point",
  },
  {
    customer: { name: "John Backus", email: "john@example.com", phone: "+14155550109" },
    orderNumber: "#1009",
    source: "easypost",
    fixture: "weather-delay-and-damage",
    story: "delayed by weather, then damaged",
  },
  {
    customer: { name: "Radia Perlman", email: "radia@example.com", phone: "+14155550110" },
    orderNumber: "#1010",
    source: "fedex",
    fixture: "return-to-shipper",
    story: "refused, returned to the shipper",
  },
  {
    customer: { name: "Ken Thompson", email: "ken@example.com", phone: "+14155550111" },
    orderNumber: "#1011",
    source: "aftership",
    fixture: "attempt-weather-damage",
    story: "failed attempt and weather",
  },
  {
    customer: { name: "Margaret Hamilton", email: "margaret@example.com", phone: "+14155550112" },
    orderNumber: "#1012",
    source: "usps",
    fixture: "address-correction-forwarded",
    story: "address corrected, forwarded, delivered",
  },
];

const FIXTURES = join(import.meta.dirname, "../../../carriers/src");

/**
 * The fixture's payload with every tracking number made this run's own (its last digits
 * replaced by `suffix`, distinct per number), so a demo run creates new shipments instead of
 * duplicates and the fixtures that share numbers do not merge.
 */
export async function demoPayload(
  shipment: DemoShipment,
  suffix: string,
): Promise<{ body: string; trackingNumber: string; carrier: string }> {
  const raw = await readFile(join(FIXTURES, shipment.source, "fixtures", `${shipment.fixture}.json`), "utf8");
  const events = sourceById(shipment.source)!.parse(JSON.parse(raw));
  const numbers = new Set<string>();
  for (const e of events) {
    numbers.add(e.trackingNumber);
    if (e.pieceId) numbers.add(e.pieceId);
  }
  const renamed = new Map<string, string>();
  [...numbers].forEach((n, i) => {
    const own = `${suffix}${i}`;
    renamed.set(n, n.length > own.length + 4 ? `${n.slice(0, n.length - own.length)}${own}` : `${n}${own}`);
  });
  const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(
    [...numbers]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegex)
      .join("|"),
    "g",
  );
  const body = raw.replace(pattern, (match) => renamed.get(match) ?? match);
  return { body, trackingNumber: renamed.get(events[0]!.trackingNumber)!, carrier: events[0]!.carrier };
}
