import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAuthorization } from "../../aws/sigv4.ts";
import type { ChannelProvider } from "../../channel-provider.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeSes, fakeSes } from "./ses-fake.ts";
import { sesAddress, sesConfigSchema, sesProviderFactory, sesTagValue } from "./ses-provider.ts";

const ACCESS_KEY_ID = "AKIAEXAMPLESES000001";
const SECRET = "ses-secret/wJalrXUtnFEMI0123456789";
const TEMP = {
  accessKeyId: "ASIAEXAMPLESES000002",
  secretAccessKey: "ses-temp-secret/abcdef",
  sessionToken: "FwoGZXIvYXdzEXAMPLEsessiontoken",
};
const REGION = "eu-west-1";
const now = new Date("2025-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeSes;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeSes(server, {
    region: REGION,
    credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, TEMP],
    verifiedIdentities: ["shop.example"],
    configurationSets: ["trackflow-events"],
    now: () => now,
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

/** A provider with the overrides on its configuration, its clock at `clock`. */
function provider(overrides: Record<string, unknown> = {}, clock: Date = now): ChannelProvider {
  return providerMaker(
    sesProviderFactory,
    () => ({
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      from: { email: "shipping@shop.example", name: "Acme Shipping" },
      endpoint: server.url,
    }),
    { now: () => clock },
  )(overrides);
}

const SECRETS = [SECRET, TEMP.secretAccessKey, TEMP.sessionToken];

describe("ses provider", () => {
  it("describes itself: email, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "ses", kind: "email", honoursIdempotencyKey: false });
  });

  it("defaults to the Region's API host", async () => {
    const base = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, from: { email: "a@b.example" } };
    const config = sesConfigSchema.parse({ ...base, region: "eu-west-1" });
    expect(config.endpoint).toBeUndefined();
    expect(config.timeoutMs).toBe(10_000);
    const urls: string[] = [];
    const recordingFetch = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ MessageId: "m-1" }), { status: 200 });
    }) as typeof fetch;
    for (const region of ["eu-west-1", "cn-north-1"]) {
      const ses = sesProviderFactory.create(sesConfigSchema.parse({ ...base, region }), {
        fetch: recordingFetch,
        now: () => now,
      });
      expect(await ses.send(outboundMessage(), testSignal())).toMatchObject({
        outcome: "sent",
        providerMessageId: "m-1",
      });
    }
    expect(urls).toEqual([
      "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails",
      "https://email.cn-north-1.amazonaws.com.cn/v2/email/outbound-emails",
    ]);
  });

  it("sends SendEmail signed with SigV4 and returns the MessageId of the 200", async () => {
    const result = await provider({
      replyTo: { email: "help@shop.example" },
      configurationSetName: "trackflow-events",
    }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: fake.accepted[0]?.messageId,
      statusCode: 200,
    });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v2/email/outbound-emails");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-amz-date"]).toBe("20250310T120000Z");
    expect(request?.headers["x-amz-security-token"]).toBeUndefined();
    const authorization = parseAuthorization(String(request?.headers.authorization));
    expect(authorization).toMatchObject({
      accessKeyId: ACCESS_KEY_ID,
      dateStamp: "20250310",
      region: REGION,
      service: "ses",
      signedHeaders: ["content-type", "host", "x-amz-date"],
    });
    expect(fake.accepted[0]?.body).toEqual({
      FromEmailAddress: '"Acme Shipping" <shipping@shop.example>',
      Destination: { ToAddresses: ['"Jane Doe" <jane@example.com>'] },
      ReplyToAddresses: ["help@shop.example"],
      Content: {
        Simple: {
          Subject: { Data: "Your order has been delivered", Charset: "UTF-8" },
          Body: {
            Text: { Data: "Order #1001 was delivered today.", Charset: "UTF-8" },
            Html: { Data: "<p>Order <b>#1001</b> was delivered today.</p>", Charset: "UTF-8" },
          },
        },
      },
      EmailTags: [
        { Name: "trackflow_notification_id", Value: "ntf_01HZX3J8Q4" },
        { Name: "trackflow_tenant_id", Value: "tn_acme" },
      ],
      ConfigurationSetName: "trackflow-events",
    });
  });

  it("sends text only, without names, and signs the session token of temporary credentials", async () => {
    const ses = provider({
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
      sessionToken: TEMP.sessionToken,
      from: { email: "shipping@shop.example" },
    });
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Out for delivery", text: "Today." },
    });
    expect((await ses.send(message, testSignal())).outcome).toBe("sent");
    const [request] = server.requests;
    expect(request?.headers["x-amz-security-token"]).toBe(TEMP.sessionToken);
    expect(parseAuthorization(String(request?.headers.authorization))?.signedHeaders).toEqual([
      "content-type",
      "host",
      "x-amz-date",
      "x-amz-security-token",
    ]);
    const body = fake.accepted[0]?.body;
    expect(body?.FromEmailAddress).toBe("shipping@shop.example");
    expect(body?.Destination).toEqual({ ToAddresses: ["bob@example.com"] });
    expect(body?.Content).toEqual({
      Simple: {
        Subject: { Data: "Out for delivery", Charset: "UTF-8" },
        Body: { Text: { Data: "Today.", Charset: "UTF-8" } },
      },
    });
    expect(body).not.toHaveProperty("ReplyToAddresses");
    expect(body).not.toHaveProperty("ConfigurationSetName");
  });

  it("encodes display names and IDN domains, and keeps tag values in SES's charset", () => {
    expect(sesAddress("jane@example.com", 'Jane "JD" Doe')).toBe('"Jane \\"JD\\" Doe" <jane@example.com>');
    expect(sesAddress("jose@bücher.example", "José")).toBe(
      "=?UTF-8?B?Sm9zw6k=?= <jose@xn--bcher-kva.example>",
    );
    expect(sesTagValue("tn:acme/ntf@1")).toBe("tn_acme_ntf_1");
    expect(sesTagValue("x".repeat(300))).toHaveLength(256);
    expect(sesTagValue("")).toBe("_");
  });

  it("tags a notification whose ids carry characters SES refuses", async () => {
    const message = outboundMessage({ notificationId: "ntf:01/ä", tenantId: "tn acme" });
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    expect(fake.accepted[0]?.body.EmailTags).toEqual([
      { Name: "trackflow_notification_id", Value: "ntf_01__" },
      { Name: "trackflow_tenant_id", Value: "tn_acme" },
    ]);
  });

  it("refuses a message without a subject without calling SES", async () => {
    const message = outboundMessage({ content: { subject: " ", text: "x" } });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "final",
      error: "Amazon SES: an email needs a subject and this message has none",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong secret final (403 SignatureDoesNotMatch) without leaking it", async () => {
    const result = await provider({ secretAccessKey: "not-the-secret" }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Amazon SES answered HTTP 403: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details. (check accessKeyId, secretAccessKey, sessionToken, region and the clock)",
      statusCode: 403,
    });
    expectNoSecretsIn(result, SECRETS);
  });

  it("makes an unknown key, a wrong session token and a wrong region final", async () => {
    expect(
      await provider({ accessKeyId: "AKIAUNKNOWN000000000" }).send(outboundMessage(), testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 403,
      error: expect.stringContaining(
        "InvalidClientTokenId: The security token included in the request is invalid.",
      ),
    });
    const withWrongToken = await provider({
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
      sessionToken: "expired-token",
    }).send(outboundMessage(), testSignal());
    expect(withWrongToken).toMatchObject({ outcome: "final", statusCode: 403 });
    expectNoSecretsIn(withWrongToken, SECRETS);
    expect(await provider({ region: "us-east-1" }).send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      error: expect.stringContaining("Credential should be scoped to a valid region, not 'us-east-1'."),
    });
  });

  it("makes a clock more than 5 minutes off final, saying the signature expired", async () => {
    const late = new Date(now.getTime() - 10 * 60_000);
    expect(await provider({}, late).send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error:
        "Amazon SES answered HTTP 403: SignatureDoesNotMatch: Signature expired: 20250310T115000Z is now earlier than 20250310T115500Z (20250310T120000Z - 5 min.) (check accessKeyId, secretAccessKey, sessionToken, region and the clock)",
      statusCode: 403,
    });
  });

  it("makes an unverified sender final with SES's MessageRejected message", async () => {
    const result = await provider({ from: { email: "news@other.example" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Amazon SES answered HTTP 400: MessageRejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: news@other.example",
      statusCode: 400,
    });
  });

  it("makes an invalid recipient and an unknown configuration set final", async () => {
    const invalid = outboundMessage({ recipient: { address: "not-an-address" } });
    expect(await provider().send(invalid, testSignal())).toEqual({
      outcome: "final",
      error: "Amazon SES answered HTTP 400: BadRequestException: Illegal address",
      statusCode: 400,
    });
    expect(
      await provider({ configurationSetName: "missing-set" }).send(outboundMessage(), testSignal()),
    ).toEqual({
      outcome: "final",
      error:
        "Amazon SES answered HTTP 404: NotFoundException: Configuration set <missing-set> does not exist.",
      statusCode: 404,
    });
  });

  it("makes account-level rejections final", async () => {
    fake.failNext(1, "AccountSuspendedException");
    fake.failNext(1, "SendingPausedException");
    fake.failNext(1, "MailFromDomainNotVerifiedException");
    fake.failNext(1, "LimitExceededException");
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await provider().send(outboundMessage(), testSignal()));
    expect(results.map((result) => [result.outcome, result.statusCode])).toEqual([
      ["final", 400],
      ["final", 400],
      ["final", 400],
      ["final", 400],
    ]);
    expect(results[1]).toMatchObject({
      error: "Amazon SES answered HTTP 400: SendingPausedException: Sending is paused for this account.",
    });
  });

  it("makes TooManyRequestsException (429) and ThrottlingException (400) retryable", async () => {
    fake.failNext(1, "TooManyRequestsException");
    fake.failNext(1, "ThrottlingException");
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Amazon SES answered HTTP 429: TooManyRequestsException: Maximum sending rate exceeded.",
      statusCode: 429,
      retryAfterMs: null,
    });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Amazon SES answered HTTP 400: ThrottlingException: Rate exceeded",
      statusCode: 400,
      retryAfterMs: null,
    });
  });

  it("makes InternalFailure (500) and ServiceUnavailable (503) retryable", async () => {
    fake.failNext(1, "InternalFailure");
    fake.failNext(1, "ServiceUnavailable");
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Amazon SES answered HTTP 500: InternalFailure: An internal failure occurred.",
      statusCode: 500,
      retryAfterMs: null,
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 503,
    });
  });

  it("makes a dropped connection, a timeout and a closed server retryable, never showing credentials", async () => {
    await expectTransportFailuresRetryable({
      name: "Amazon SES",
      makeProvider: (overrides) => provider({ sessionToken: "token-never-shown", ...overrides }),
      server,
      secrets: [...SECRETS, "token-never-shown"],
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    const issues = expectConfigErrorsAt(
      sesConfigSchema,
      {
        region: "Ireland",
        accessKeyId: "short",
        secretAccessKey: "secret\n",
        sessionToken: "",
        from: { email: "nope" },
        configurationSetName: "has spaces",
        endpoint: "ftp://x",
      },
      [
        "region",
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "from.email",
        "configurationSetName",
        "endpoint",
      ],
    );
    expect(JSON.stringify(issues)).not.toContain("secret\\n");
  });
});
