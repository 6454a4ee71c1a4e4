import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeAirtable, fakeAirtable } from "./airtable-fake.ts";
import { airtableConfigSchema, airtableProviderFactory } from "./airtable-provider.ts";

const TOKEN = "patAbCdEf0123456789.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_TOKEN = "patOther00000000000.ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const BASE_ID = "appAbCdEf01234567";
const TABLE_ID = "tblShipments00001";
const now = new Date("2025-03-10T12:00:00Z");
const mapping = {
  "Sent at": "sentAt",
  Customer: "recipient",
  Subject: "subject",
  Message: "text",
  "Notification ID": "notificationId",
};

let server: LoopbackServer;
let fake: FakeAirtable;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeAirtable(server, {
    accessToken: TOKEN,
    baseId: BASE_ID,
    tokensWithoutAccess: [OTHER_TOKEN],
    now: () => now,
    tables: [
      {
        id: TABLE_ID,
        name: "Shipment updates",
        fields: {
          "Sent at": "dateTime",
          Customer: "email",
          Subject: "singleLineText",
          Message: "multilineText",
          "Notification ID": "singleLineText",
          Order: "singleLineText",
          Items: "number",
          Delivered: "checkbox",
        },
      },
    ],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  airtableProviderFactory,
  () => ({
    accessToken: TOKEN,
    baseId: BASE_ID,
    table: TABLE_ID,
    fieldMapping: mapping,
    baseUrl: server.url,
  }),
  { now: () => now },
);

describe("airtable provider (Create records)", () => {
  it("describes itself: record, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "airtable", kind: "record", honoursIdempotencyKey: false });
    const config = airtableConfigSchema.parse({ accessToken: TOKEN, baseId: BASE_ID, table: "Shipments" });
    expect(config).toMatchObject({ baseUrl: "https://api.airtable.com", typecast: false, timeoutMs: 10_000 });
  });

  it("creates a record from the field mapping and returns its rec id", async () => {
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "rec00000000000001", statusCode: 200 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/v0/${BASE_ID}/${TABLE_ID}`);
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      records: [
        {
          fields: {
            "Sent at": "2025-03-10T12:00:00.000Z",
            Customer: "jane@example.com",
            Subject: "Your order has been delivered",
            Message: "Order #1001 was delivered today.",
            "Notification ID": "ntf_01HZX3J8Q4",
          },
        },
      ],
      typecast: false,
    });
    expect(fake.records).toHaveLength(1);
  });

  it("takes structured scalar fields over the mapping, addresses the table by name, and sends typecast", async () => {
    const message = outboundMessage({
      content: {
        text: "x",
        structured: { Order: "#1001", Items: "3", Delivered: true, Subject: "Delivered" },
      },
    });
    const result = await provider({ table: "Shipment updates", typecast: true }).send(message, testSignal());
    expect(result.outcome).toBe("sent");
    expect(server.requests[0]?.path).toBe(`/v0/${BASE_ID}/Shipment%20updates`);
    expect(fake.records[0]?.fields).toMatchObject({
      Order: "#1001",
      Items: 3,
      Delivered: true,
      Subject: "Delivered",
    });
  });

  it("uses structured fields alone when there is no mapping, and refuses a message with neither", async () => {
    const structured = outboundMessage({ content: { text: "x", structured: { Order: "#1001" } } });
    expect((await provider({ fieldMapping: undefined }).send(structured, testSignal())).outcome).toBe("sent");
    expect(fake.records[0]?.fields).toEqual({ Order: "#1001" });
    const nested = outboundMessage({ content: { text: "x", structured: { order: { id: 1 } } } });
    expect(await provider({ fieldMapping: undefined }).send(nested, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("makes a wrong token final, saying so, without the token in the text", async () => {
    const result = await provider({ accessToken: "patWrong.token" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Airtable answered HTTP 401: Authentication required (AUTHENTICATION_REQUIRED) (check the access token)",
      statusCode: 401,
    });
  });

  it("makes a token without access to the base, an unknown table and an unknown base final", async () => {
    const noAccess = await provider({ accessToken: OTHER_TOKEN }).send(outboundMessage(), testSignal());
    expect(noAccess).toMatchObject({ outcome: "final", statusCode: 403 });
    if (noAccess.outcome === "final")
      expect(noAccess.error).toContain("INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND");
    expect(await provider({ table: "Nope" }).send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 403,
    });
    expect(await provider({ baseId: "appZZZZZZZZZZZZZZ" }).send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Airtable answered HTTP 404: NOT_FOUND",
      statusCode: 404,
    });
  });

  it("makes an unknown field and a value the column cannot take final with Airtable's message", async () => {
    const unknown = await provider({ fieldMapping: { Status: "text" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(unknown).toEqual({
      outcome: "final",
      error: 'Airtable answered HTTP 422: Unknown field name: "Status" (UNKNOWN_FIELD_NAME)',
      statusCode: 422,
    });
    const message = outboundMessage({ content: { text: "x", structured: { Items: "three" } } });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "final",
      error:
        'Airtable answered HTTP 422: Field "Items" cannot accept the provided value (INVALID_VALUE_FOR_COLUMN)',
      statusCode: 422,
    });
  });

  it("makes a 429 retryable: Retry-After when sent, else Airtable's documented 30 seconds", async () => {
    const body = {
      errors: [{ error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded. Please try again later" }],
    };
    server.rateLimitNext(1, null, { body });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Airtable answered HTTP 429: Rate limit exceeded. Please try again later (RATE_LIMIT_REACHED)",
      statusCode: 429,
      retryAfterMs: 30_000,
    });
    server.rateLimitNext(1, "5", { body });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ retryAfterMs: 5_000 });
  });

  it("makes a 5xx (without a rate-limit wait), a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Airtable",
      makeProvider: provider,
      server,
      secrets: [TOKEN],
      serverError: {
        status: 503,
        reply: { body: { error: { type: "SERVICE_UNAVAILABLE", message: "Service unavailable" } } },
        error: "Airtable answered HTTP 503: Service unavailable (SERVICE_UNAVAILABLE)",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      airtableConfigSchema,
      {
        accessToken: "keyAbCdEf01234567",
        baseId: "base1",
        table: " ",
        fieldMapping: { Status: "status" },
        baseUrl: "ftp://x",
      },
      ["accessToken", "baseId", "table", "fieldMapping.Status", "baseUrl"],
    );
  });
});
