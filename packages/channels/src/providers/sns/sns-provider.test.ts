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
import { type FakeSns, fakeSns, snsErrorReply } from "./sns-fake.ts";
import { snsConfigSchema, snsErrorMessage, snsProviderFactory } from "./sns-provider.ts";

const ACCESS_KEY_ID = "AKIAEXAMPLESNS000001";
const SECRET = "sns-secret/wJalrXUtnFEMI0123456789";
const TEMP = {
  accessKeyId: "ASIAEXAMPLESNS000002",
  secretAccessKey: "sns-temp-secret/abcdef",
  sessionToken: "FwoGZXIvYXdzEXAMPLEsnssessiontoken",
};
const REGION = "us-east-2";
const OPTED_OUT = "+15550000000";
const now = new Date("2025-03-10T12:00:00Z");
const sms = outboundMessage({
  recipient: { address: "+15551234567" },
  content: { text: "Your parcel is out for delivery & arrives today." },
});

let server: LoopbackServer;
let fake: FakeSns;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeSns(server, {
    region: REGION,
    credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, TEMP],
    optedOut: [OPTED_OUT],
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
    snsProviderFactory,
    () => ({
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      endpoint: server.url,
    }),
    { now: () => clock },
  )(overrides);
}

const SECRETS = [SECRET, TEMP.secretAccessKey, TEMP.sessionToken];

describe("sns provider", () => {
  it("describes itself: sms, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "sns", kind: "sms", honoursIdempotencyKey: false });
  });

  it("defaults to the Region's API host and Transactional SMS", async () => {
    const config = snsConfigSchema.parse({
      region: "ap-southeast-2",
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(config.smsType).toBe("Transactional");
    expect(config.endpoint).toBeUndefined();
    const urls: string[] = [];
    const recordingFetch = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return new Response(
        "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>",
      );
    }) as typeof fetch;
    const sns = snsProviderFactory.create(config, { fetch: recordingFetch, now: () => now });
    expect(await sns.send(sms, testSignal())).toMatchObject({ outcome: "sent", providerMessageId: "m-1" });
    expect(urls).toEqual(["https://sns.ap-southeast-2.amazonaws.com/"]);
  });

  it("publishes to the phone number with SigV4 and returns the MessageId of the XML answer", async () => {
    const result = await provider().send(sms, testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: fake.published[0]?.messageId,
      statusCode: 200,
    });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    expect(request?.headers["x-amz-date"]).toBe("20250310T120000Z");
    expect(parseAuthorization(String(request?.headers.authorization))).toMatchObject({
      accessKeyId: ACCESS_KEY_ID,
      dateStamp: "20250310",
      region: REGION,
      service: "sns",
      signedHeaders: ["content-type", "host", "x-amz-date"],
    });
    expect(request?.form).toEqual({
      Action: "Publish",
      Version: "2010-03-31",
      PhoneNumber: "+15551234567",
      Message: "Your parcel is out for delivery & arrives today.",
      "MessageAttributes.entry.1.Name": "AWS.SNS.SMS.SMSType",
      "MessageAttributes.entry.1.Value.DataType": "String",
      "MessageAttributes.entry.1.Value.StringValue": "Transactional",
    });
    expect(fake.published[0]).toMatchObject({
      phoneNumber: "+15551234567",
      attributes: { "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" } },
      suppressed: false,
    });
  });

  it("sends the sender id and SMS type configured, signing the session token of temporary credentials", async () => {
    const sns = provider({
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
      sessionToken: TEMP.sessionToken,
      senderId: "AcmeShop",
      smsType: "Promotional",
    });
    expect((await sns.send(sms, testSignal())).outcome).toBe("sent");
    const [request] = server.requests;
    expect(request?.headers["x-amz-security-token"]).toBe(TEMP.sessionToken);
    expect(parseAuthorization(String(request?.headers.authorization))?.signedHeaders).toContain(
      "x-amz-security-token",
    );
    expect(fake.published[0]?.attributes).toEqual({
      "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Promotional" },
      "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: "AcmeShop" },
    });
  });

  it("treats a publish to an opted-out number as sent, as SNS accepts it and drops it later", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: OPTED_OUT }, content: { text: "x" } }),
      testSignal(),
    );
    expect(result).toMatchObject({ outcome: "sent", statusCode: 200 });
    expect(fake.published[0]?.suppressed).toBe(true);
  });

  it("makes an invalid phone number and an empty message final with SNS's code and message", async () => {
    const badNumber = outboundMessage({ recipient: { address: "555-1234" }, content: { text: "x" } });
    expect(await provider().send(badNumber, testSignal())).toEqual({
      outcome: "final",
      error:
        "Amazon SNS answered HTTP 400: InvalidParameter: Invalid parameter: PhoneNumber Reason: 555-1234 is not valid to publish to",
      statusCode: 400,
    });
    const empty = outboundMessage({ recipient: { address: "+15551234567" }, content: { text: "" } });
    expect(await provider().send(empty, testSignal())).toEqual({
      outcome: "final",
      error: "Amazon SNS answered HTTP 400: InvalidParameter: Invalid parameter: Empty message",
      statusCode: 400,
    });
  });

  it("makes a wrong secret final (403 SignatureDoesNotMatch) without leaking it", async () => {
    const result = await provider({ secretAccessKey: "not-the-secret" }).send(sms, testSignal());
    expect(result).toMatchObject({
      outcome: "final",
      statusCode: 403,
      error: expect.stringMatching(
        /^Amazon SNS answered HTTP 403: SignatureDoesNotMatch: The request signature we calculated does not match .* \(check accessKeyId, secretAccessKey, sessionToken, region and the clock\)$/,
      ),
    });
    expectNoSecretsIn(result, SECRETS);
  });

  it("makes an unknown key and a wrong session token final (403 InvalidClientTokenId)", async () => {
    expect(await provider({ accessKeyId: "AKIAUNKNOWN000000000" }).send(sms, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 403,
      error: expect.stringContaining(
        "InvalidClientTokenId: The security token included in the request is invalid.",
      ),
    });
    const result = await provider({
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
      sessionToken: "stale-token",
    }).send(sms, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 403 });
    expectNoSecretsIn(result, SECRETS);
  });

  it("accepts a clock 10 minutes off and makes one 20 minutes off final (SNS allows 15)", async () => {
    expect((await provider({}, new Date(now.getTime() + 10 * 60_000)).send(sms, testSignal())).outcome).toBe(
      "sent",
    );
    expect(await provider({}, new Date(now.getTime() - 20 * 60_000)).send(sms, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 403,
      error: expect.stringContaining(
        "SignatureDoesNotMatch: Signature expired: 20250310T114000Z is now earlier than 20250310T114500Z (20250310T120000Z - 15 min.)",
      ),
    });
  });

  it("makes AuthorizationError, OptedOut and NotFound final", async () => {
    fake.failNext(1, "AuthorizationError");
    fake.failNext(1, "OptedOut");
    fake.failNext(1, "NotFound");
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "final",
      error:
        "Amazon SNS answered HTTP 403: AuthorizationError: User is not authorized to perform: SNS:Publish (the IAM policy of the key must allow sns:Publish)",
      statusCode: 403,
    });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "final", statusCode: 400 });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "final", statusCode: 404 });
  });

  it("makes Throttling (HTTP 400), Throttled (429) and KMSThrottling retryable", async () => {
    fake.failNext(1, "Throttling");
    fake.failNext(1, "Throttled");
    fake.failNext(1, "KMSThrottling");
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "retryable",
      error: "Amazon SNS answered HTTP 400: Throttling: Rate exceeded",
      statusCode: 400,
      retryAfterMs: null,
    });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "retryable", statusCode: 429 });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "retryable", statusCode: 400 });
  });

  it("makes InternalError (500) retryable", async () => {
    fake.failNext(1, "InternalError");
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "retryable",
      error: "Amazon SNS answered HTTP 500: InternalError: Internal Error",
      statusCode: 500,
      retryAfterMs: null,
    });
  });

  it("reads the error XML safely: escaped text, odd bodies", () => {
    const reply = snsErrorReply("InvalidParameter", 'Invalid parameter: Message <b> & "x"');
    const answer = (text: string) => ({ status: 400, headers: new Headers(), text, json: undefined });
    expect(snsErrorMessage(answer(String(reply.body)))).toBe(
      'InvalidParameter: Invalid parameter: Message <b> & "x"',
    );
    expect(snsErrorMessage(answer("<html><body>Bad gateway</body></html>"))).toBeUndefined();
    expect(
      snsErrorMessage(
        answer(
          '<!DOCTYPE x [<!ENTITY a "b">]><ErrorResponse><Error><Code>&a;</Code></Error></ErrorResponse>',
        ),
      ),
    ).toBe("&a;");
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing credentials", async () => {
    await expectTransportFailuresRetryable({
      name: "Amazon SNS",
      makeProvider: provider,
      server,
      message: sms,
      secrets: SECRETS,
      serverError: {
        status: 503,
        reply: { body: "Service Unavailable" },
        error: "Amazon SNS answered HTTP 503: Service Unavailable",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      snsConfigSchema,
      {
        region: "us_east_1",
        accessKeyId: "AKIA",
        secretAccessKey: " secret",
        smsType: "Urgent",
        senderId: "Acme Shop!",
        endpoint: "not a url",
      },
      ["region", "accessKeyId", "secretAccessKey", "smsType", "senderId", "endpoint"],
    );
    expect(
      snsConfigSchema.safeParse({
        region: "eu-west-1",
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET,
        senderId: "12345",
      }).success,
    ).toBe(false);
  });
});
