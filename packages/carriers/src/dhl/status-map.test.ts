import { describe, expect, it } from "vitest";
import { dhlText, resolveDhlStatus } from "./resolve-status.ts";
import { DHL_STATUS_MAP } from "./status-map.ts";

function resolve(statusCode: string | null, description: string) {
  const { rule: _rule, ...mapping } = resolveDhlStatus(statusCode, dhlText({ description }));
  return mapping;
}

describe("DHL_STATUS_MAP (the statusCode alone)", () => {
  it.each([
    ["pre-transit", "info_received"],
    ["transit", "in_transit"],
    ["delivered", "delivered"],
    ["failure", "exception"],
    ["unknown", "unknown"],
  ])("%s → %s when the text says nothing more", (code, status) => {
    expect(DHL_STATUS_MAP[code]?.status).toBe(status);
    expect(resolve(code, "Shipment data updated").status).toBe(status);
  });

  it("a code DHL does not document is unknown, never in transit", () => {
    expect(resolve("on-hold", "Shipment on hold")).toEqual({ status: "unknown" });
    expect(resolve(null, "Shipment on hold")).toEqual({ status: "unknown" });
  });
});

describe("DHL text contradicting the statusCode (the phrase rules)", () => {
  it.each([
    // [statusCode, DHL text, expected]
    ["transit", "The shipment has been successfully delivered", { status: "delivered" }],
    ["transit", "Die Sendung wurde erfolgreich zugestellt.", { status: "delivered" }],
    ["transit", "Die Zustellung an den gewünschten Ablageort war erfolgreich.", { status: "delivered" }],
    [
      "transit",
      "The shipment has been delivered to the PACKSTATION.",
      { status: "delivered", reason: "parcel_locker" },
    ],
    [
      "delivered",
      "Die Sendung liegt in der PACKSTATION 157 in 53113 Bonn zur Abholung bereit.",
      { status: "available_for_pickup", reason: "parcel_locker", actionRequired: true },
    ],
    [
      "transit",
      "The shipment is ready for pick-up at the retail outlet.",
      { status: "available_for_pickup", reason: "access_point", actionRequired: true },
    ],
    [
      "delivered",
      "Die Sendung liegt ab sofort in der Filiale 502 zur Abholung bereit.",
      { status: "available_for_pickup", reason: "access_point", actionRequired: true },
    ],
    [
      "transit",
      "Die Sendung wurde aus der PACKSTATION entnommen.",
      { status: "delivered", reason: "parcel_locker" },
    ],
    [
      "transit",
      "The recipient has picked up the shipment from the retail outlet.",
      { status: "delivered", reason: "access_point" },
    ],
    ["transit", "Rücksendung an den Absender", { status: "returning_to_sender" }],
    ["transit", "The shipment is being returned to the sender.", { status: "returning_to_sender" }],
    [
      "failure",
      "Die Annahme der Sendung wurde verweigert. Die Sendung wird an den Absender zurückgesandt.",
      { status: "returning_to_sender", reason: "refused" },
    ],
    [
      "failure",
      "Aufgrund eines Adressfehlers konnte die Sendung nicht zugestellt werden und wird an den Absender zurückgesandt.",
      { status: "returning_to_sender", reason: "address_issue" },
    ],
    ["delivered", "Returned to sender", { status: "returned_to_sender" }],
    ["transit", "The shipment has been delivered back to the sender.", { status: "returned_to_sender" }],
    ["delivered", "Die Sendung wurde an den Absender zugestellt.", { status: "returned_to_sender" }],
    [
      "failure",
      "Der Empfänger wurde nicht angetroffen. Die Sendung wird in eine Filiale gebracht.",
      { status: "attempt_failed", reason: "recipient_unavailable" },
    ],
    ["delivered", "The shipment could not be delivered.", { status: "attempt_failed" }],
    ["failure", "The recipient refused to accept the shipment.", { status: "exception", reason: "refused" }],
    ["transit", "Die Sendung wurde in das Zustellfahrzeug geladen.", { status: "out_for_delivery" }],
    ["transit", "With delivery courier", { status: "out_for_delivery" }],
    [
      "failure",
      "Aufgrund einer Beschädigung verzögert sich der Transport der Sendung.",
      { status: "exception", reason: "damaged" },
    ],
    [
      "failure",
      "Delivery delayed due to severe weather conditions",
      { status: "exception", reason: "weather" },
    ],
    [
      "transit",
      "The address is incomplete. The recipient's address is being checked.",
      { status: "exception", reason: "address_issue", actionRequired: true },
    ],
    [
      "transit",
      "Aufgrund eines Nachsendeauftrags des Empfängers wird die Sendung an eine neue Empfängeradresse gesandt.",
      { status: "in_transit", reason: "forwarded" },
    ],
    ["transit", "The address has been corrected.", { status: "in_transit", reason: "address_corrected" }],
    ["failure", "Shipment held at customs", { status: "exception", reason: "customs_hold" }],
  ])("%s + %j → %j", (code, text, expected) => {
    expect(resolve(code, text)).toEqual(expected);
  });

  it("a conditional mention of a return is not a return", () => {
    expect(
      resolve(
        "transit",
        "Ready for pick-up at the retail outlet. If not collected within 7 days it will be returned to the sender.",
      ),
    ).toEqual({ status: "available_for_pickup", reason: "access_point", actionRequired: true });
  });

  it("'picked up' from the shipper is not a collection by the recipient", () => {
    expect(resolve("transit", "Shipment picked up")).toEqual({ status: "in_transit" });
  });

  it("out-for-delivery wording does not override a failure code", () => {
    expect(resolve("failure", "Out for delivery - delayed")).toEqual({ status: "exception" });
  });

  it("reads the remark when status holds a parcel-de event code", () => {
    const text = dhlText({ status: "ZU", remark: "Die Sendung wurde erfolgreich zugestellt." });
    expect(text).toBe("die sendung wurde erfolgreich zugestellt.");
    expect(resolveDhlStatus("transit", text)).toMatchObject({ status: "delivered", rule: "delivered" });
    expect(dhlText({ status: "In transit", remark: "Tracking remark" })).toBe("in transit");
  });
});
