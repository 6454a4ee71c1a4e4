import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChannelProvider } from "../../channel-provider.ts";
import {
  type FakeTokenEndpoint,
  fakeGoogleTokenEndpoint,
  generateServiceAccountKey,
} from "../../oauth/token-endpoint-fake.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeGoogleSheets, fakeGoogleSheets } from "./google-sheets-fake.ts";
import {
  GOOGLE_SHEETS_SCOPE,
  googleSheetsConfigSchema,
  googleSheetsProviderFactory,
} from "./google-sheets-provider.ts";

const SPREADSHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms";
const CLIENT_ID = "1234567890-abc.apps.googleusercontent.com";
const CLIENT_SECRET = "GOCSPX-sheets-secret-0123456789";
const REFRESH_TOKEN = "1//0sheets-refresh-token-abcdefghij";
const SA_EMAIL = "sheets@trackflow-test.iam.gserviceaccount.com";
const start = new Date("2025-03-10T12:00:00Z");

let clock: Date;
let server: LoopbackServer;
let tokens: FakeTokenEndpoint;
let sheets: FakeGoogleSheets;
let serviceAccount: ReturnType<typeof generateServiceAccountKey>;

beforeAll(() => {
  serviceAccount = generateServiceAccountKey(SA_EMAIL, "http://placeholder.invalid/token");
});

beforeEach(async () => {
  clock = start;
  server = await startLoopbackServer();
  tokens = fakeGoogleTokenEndpoint(server, {
    now: () => clock,
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        scopes: [GOOGLE_SHEETS_SCOPE],
      },
      {
        clientId: "readonly-client",
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        scopes: ["https://www.googleapis.com/auth/spreadsheets.readonly"],
      },
    ],
    serviceAccounts: [{ clientEmail: SA_EMAIL, publicKey: serviceAccount.publicKey }],
  });
  sheets = fakeGoogleSheets(server, {
    tokens,
    spreadsheetId: SPREADSHEET_ID,
    sheets: ["Sheet1", "Deliveries"],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

function refreshAuth(overrides: Record<string, unknown> = {}) {
  return {
    type: "refreshToken",
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    tokenUrl: tokens.tokenUrl,
    ...overrides,
  };
}

const provider = providerMaker(
  googleSheetsProviderFactory,
  () => ({ auth: refreshAuth(), spreadsheetId: SPREADSHEET_ID, baseUrl: server.url }),
  { now: () => clock },
);

function apiRequests() {
  return server.requests.filter((request) => request.path.startsWith("/v4/"));
}

async function warmed(overrides: Record<string, unknown> = {}): Promise<ChannelProvider> {
  const sheetsProvider = provider(overrides);
  expect((await sheetsProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  return sheetsProvider;
}

describe("google-sheets provider (values.append)", () => {
  it("describes itself: record, no idempotency key honoured, real host and RAW by default", () => {
    expect(provider()).toMatchObject({
      provider: "google-sheets",
      kind: "record",
      honoursIdempotencyKey: false,
    });
    const config = googleSheetsConfigSchema.parse({ auth: refreshAuth(), spreadsheetId: SPREADSHEET_ID });
    expect(config).toMatchObject({
      baseUrl: "https://sheets.googleapis.com",
      range: "Sheet1",
      valueInputOption: "RAW",
      columns: ["sentAt", "recipient", "subject", "text", "notificationId"],
    });
  });

  it("appends the configured columns as one row and returns the updated range", async () => {
    const result = await provider({
      range: "Deliveries!A:F",
      columns: ["sentAt", "recipient", "subject", "text", "notificationId", "idempotencyKey"],
    }).send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "Deliveries!A1:F1", statusCode: 200 });
    const [request] = apiRequests();
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/v4/spreadsheets/${SPREADSHEET_ID}/values/Deliveries!A%3AF:append`);
    expect(request?.query).toEqual({ valueInputOption: "RAW", insertDataOption: "INSERT_ROWS" });
    expect(request?.headers.authorization).toBe("Bearer ya29.fake-google-1");
    expect(request?.json).toEqual({
      majorDimension: "ROWS",
      values: [
        [
          "2025-03-10T12:00:00.000Z",
          "jane@example.com",
          "Your order has been delivered",
          "Order #1001 was delivered today.",
          "ntf_01HZX3J8Q4",
          "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
        ],
      ],
    });
    expect(await provider({ range: "Deliveries!A:F" }).send(outboundMessage(), testSignal())).toMatchObject({
      providerMessageId: "Deliveries!A2:E2",
    });
  });

  it("appends content.structured as the row when it is an array of scalars, and passes USER_ENTERED", async () => {
    const message = outboundMessage({ content: { text: "x", structured: ["#1001", 42, true, null] } });
    expect((await provider({ valueInputOption: "USER_ENTERED" }).send(message, testSignal())).outcome).toBe(
      "sent",
    );
    expect(sheets.appended[0]).toMatchObject({
      sheet: "Sheet1",
      row: ["#1001", 42, true, ""],
      valueInputOption: "USER_ENTERED",
      insertDataOption: "INSERT_ROWS",
    });
    const notRow = outboundMessage({ content: { text: "x", subject: null, structured: [{ a: 1 }] } });
    await provider({ columns: ["text", "subject"] }).send(notRow, testSignal());
    expect(sheets.appended[1]?.row).toEqual(["x", ""]);
  });

  it("works with a service account the sheet is shared with", async () => {
    const result = await provider({
      auth: {
        type: "serviceAccount",
        serviceAccount: { ...serviceAccount.keyFile, token_uri: tokens.tokenUrl },
      },
    }).send(outboundMessage(), testSignal());
    expect(result.outcome).toBe("sent");
    expect(tokens.issued[0]).toMatchObject({ principal: SA_EMAIL, scopes: [GOOGLE_SHEETS_SCOPE] });
  });

  it("refreshes the token near expiry, and a refused cached token is retryable once", async () => {
    const sheetsProvider = await warmed();
    clock = new Date(start.getTime() + 3599_000 - 30_000);
    await sheetsProvider.send(outboundMessage(), testSignal());
    expect(tokens.issued).toHaveLength(2);
    tokens.revokeAll();
    expect(await sheetsProvider.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 401,
    });
    expect((await sheetsProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect(sheets.appended).toHaveLength(3);
  });

  it("makes a revoked refresh token final, and a read-only token final (403)", async () => {
    const revoked = await provider({ auth: refreshAuth({ refreshToken: "1//0gone" }) }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(revoked).toMatchObject({ outcome: "final", statusCode: 400 });
    expect(JSON.stringify(revoked)).not.toMatch(/GOCSPX|1\/\/0gone/);
    expect(
      await provider({ auth: refreshAuth({ clientId: "readonly-client" }) }).send(
        outboundMessage(),
        testSignal(),
      ),
    ).toEqual({
      outcome: "final",
      error:
        "Google Sheets answered HTTP 403: Request had insufficient authentication scopes. (PERMISSION_DENIED, insufficientPermissions)",
      statusCode: 403,
    });
  });

  it("makes a bad range, an unknown spreadsheet and an unshared one final with Google's message", async () => {
    expect(await provider({ range: "Nope!A:C" }).send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Google Sheets answered HTTP 400: Unable to parse range: Nope!A:C (INVALID_ARGUMENT)",
      statusCode: 400,
    });
    expect(
      await provider({ spreadsheetId: "1OtherSpreadsheetId000" }).send(outboundMessage(), testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 404,
    });
    await server.close();
    server = await startLoopbackServer();
    tokens = fakeGoogleTokenEndpoint(server, {
      now: () => clock,
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          refreshToken: REFRESH_TOKEN,
          scopes: [GOOGLE_SHEETS_SCOPE],
        },
      ],
    });
    fakeGoogleSheets(server, { tokens, spreadsheetId: SPREADSHEET_ID, sheets: ["Sheet1"], readOnly: true });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Google Sheets answered HTTP 403: The caller does not have permission (PERMISSION_DENIED)",
      statusCode: 403,
    });
  });

  it("makes 429 (write quota) retryable with Retry-After", async () => {
    const sheetsProvider = await warmed();
    server.rateLimitNext(1, "60", {
      body: {
        error: {
          code: 429,
          message:
            "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:123456'.",
          status: "RESOURCE_EXHAUSTED",
        },
      },
    });
    expect(await sheetsProvider.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 429,
      retryAfterMs: 60_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing secrets", async () => {
    await expectTransportFailuresRetryable({
      name: "Google Sheets",
      makeProvider: warmed,
      server,
      secrets: [CLIENT_SECRET, REFRESH_TOKEN, "ya29."],
      serverError: {
        status: 500,
        reply: { body: { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } } },
      },
      timeoutMs: 500,
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      googleSheetsConfigSchema,
      {
        auth: refreshAuth({ clientSecret: "" }),
        spreadsheetId: "https://docs.google.com/spreadsheets/d/x/edit",
        valueInputOption: "FORMULA",
        columns: ["sentAt", "secret"],
        range: " ",
      },
      ["auth.clientSecret", "spreadsheetId", "valueInputOption", "columns.1", "range"],
    );
  });
});
