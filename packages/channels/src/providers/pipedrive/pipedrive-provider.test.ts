import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakePipedrive, fakePipedrive } from "./pipedrive-fake.ts";
import { pipedriveConfigSchema, pipedriveProviderFactory } from "./pipedrive-provider.ts";

const API_TOKEN = "659c9fddb16335e48cc67114694b52074e812e03";
const now = new Date("2025-03-10T12:00:00Z");
const JANE = { id: 17, name: "Jane Doe", emails: ["Jane@Example.com"] };

let server: LoopbackServer;
let fake: FakePipedrive;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakePipedrive(server, {
    apiToken: API_TOKEN,
    persons: [JANE, { id: 18, name: "Janet", emails: ["janet@example.com"] }],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  pipedriveProviderFactory,
  () => ({ apiToken: API_TOKEN, baseUrl: server.url }),
  { now: () => now },
);

describe("pipedrive provider (note on a person)", () => {
  it("describes itself: ticket, no idempotency key honoured; the company domain or the generic host", () => {
    expect(provider()).toMatchObject({ provider: "pipedrive", kind: "ticket", honoursIdempotencyKey: false });
    expect(pipedriveConfigSchema.parse({ apiToken: API_TOKEN }).baseUrl).toBe("https://api.pipedrive.com");
    expect(pipedriveConfigSchema.parse({ apiToken: API_TOKEN, companyDomain: "acme" }).baseUrl).toBe(
      "https://acme.pipedrive.com",
    );
  });

  it("finds the person by exact email, adds an HTML note to them and returns the note id", async () => {
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "5001", statusCode: 201 });

    const [search, note] = server.requests;
    expect(search?.method).toBe("GET");
    expect(search?.path).toBe("/api/v2/persons/search");
    expect(search?.query).toEqual({
      term: "jane@example.com",
      fields: "email",
      exact_match: "true",
      limit: "1",
    });
    expect(search?.headers["x-api-token"]).toBe(API_TOKEN);
    expect(search?.text).toBe("");
    expect(note?.method).toBe("POST");
    expect(note?.path).toBe("/api/v1/notes");
    expect(note?.headers["x-api-token"]).toBe(API_TOKEN);
    expect(note?.query).toEqual({});
    expect(note?.headers["content-type"]).toBe("application/json");
    expect(note?.json).toEqual({
      content: "<p><b>Your order has been delivered</b></p><p>Order <b>#1001</b> was delivered today.</p>",
      person_id: 17,
    });
    expect(fake.notes).toEqual([
      { id: 5001, content: expect.any(String), personId: 17, pinnedToPerson: false },
    ]);
  });

  it("escapes plain text into HTML and pins the note when configured", async () => {
    const message = outboundMessage({ content: { text: "Parcel <ABC> & co\nline two" } });
    expect((await provider({ pinToPerson: true }).send(message, testSignal())).outcome).toBe("sent");
    expect(server.requests[1]?.json).toEqual({
      content: "<p>Parcel &lt;ABC&gt; &amp; co<br>line two</p>",
      person_id: 17,
      pinned_to_person_flag: 1,
    });
  });

  it("makes an unknown person final with a clear error, adding no note", async () => {
    const message = outboundMessage({ recipient: { address: "nobody@example.com" } });
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Pipedrive: no person has the recipient's email address (add the person, or set createMissingPerson)",
      statusCode: 200,
    });
    expect(server.requests).toHaveLength(1);
    expect(fake.notes).toHaveLength(0);
  });

  it("adds the missing person when configured, then the note", async () => {
    const message = outboundMessage({ recipient: { address: "bob@example.com", name: "Bob Roe" } });
    const result = await provider({ createMissingPerson: true }).send(message, testSignal());
    expect(result).toMatchObject({ outcome: "sent", providerMessageId: "5001" });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /api/v2/persons/search",
      "POST /api/v2/persons",
      "POST /api/v1/notes",
    ]);
    expect(server.requests[1]?.json).toEqual({
      name: "Bob Roe",
      emails: [{ value: "bob@example.com", primary: true, label: "work" }],
    });
    expect(fake.notes[0]?.personId).toBe(1003);
  });

  it("refuses a recipient that is not an email address without calling Pipedrive", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "+15551234567" } }),
      testSignal(),
    );
    expect(result).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API token final, saying so, without the token in the text", async () => {
    const result = await provider({ apiToken: "wrong-token" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Pipedrive (person search) answered HTTP 401: unauthorized access (check the API token)",
      statusCode: 401,
    });
  });

  it("makes a rejected note final with Pipedrive's error", async () => {
    server.route("POST", "/api/v1/notes", () => ({
      status: 400,
      body: { success: false, error: "Note content is too long", error_info: "See the docs." },
    }));
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Pipedrive (add note) answered HTTP 400: Note content is too long",
      statusCode: 400,
    });
  });

  it("makes a 429 retryable, waiting Retry-After or else x-ratelimit-reset", async () => {
    server.rateLimitNext(1, "4", { body: { success: false, error: "Request over limit", errorCode: 429 } });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Pipedrive (person search) answered HTTP 429: Request over limit",
      statusCode: 429,
      retryAfterMs: 4_000,
    });
    server.failNext(1, {
      kind: "reply",
      reply: { status: 200, body: { success: true, data: { items: [{ item: { id: 17 } }] } } },
    });
    server.rateLimitNext(1, null, {
      headers: { "x-ratelimit-limit": "40", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2" },
      body: { success: false, error: "Request over limit", errorCode: 429 },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      error: "Pipedrive (add note) answered HTTP 429: Request over limit",
      retryAfterMs: 2_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Pipedrive (person search)",
      makeProvider: provider,
      server,
      secrets: [API_TOKEN],
      serverError: { status: 502, reply: { body: "" }, error: "Pipedrive (person search) answered HTTP 502" },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      pipedriveConfigSchema,
      {
        apiToken: "",
        companyDomain: "acme.pipedrive.com",
        baseUrl: "ftp://x",
        createMissingPerson: "yes",
      },
      ["apiToken", "companyDomain", "baseUrl", "createMissingPerson"],
    );
  });
});
