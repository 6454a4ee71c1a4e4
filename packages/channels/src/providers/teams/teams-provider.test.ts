import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import {
  type FakeTeamsWebhook,
  fakeTeamsIncomingWebhook,
  fakeTeamsWorkflow,
  teamsDeliveryFailedText,
} from "./teams-fake.ts";
import { teamsConfigSchema, teamsProviderFactory } from "./teams-provider.ts";

const now = new Date("2025-03-10T12:00:00Z");
const SIGNATURE = "Sig-0123456789abcdefABCDEF_secret";
const CONNECTOR_KEY = "V2secretKEY0123456789";
const chat = outboundMessage({
  recipient: { address: "shipping-channel" },
  content: { subject: "Order #1001 delivered", text: "Order #1001 was delivered today." },
});

let server: LoopbackServer;
let workflow: FakeTeamsWebhook;

beforeEach(async () => {
  server = await startLoopbackServer();
  workflow = fakeTeamsWorkflow(server, { signature: SIGNATURE });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(teamsProviderFactory, () => ({ webhookUrl: workflow.webhookUrl }), {
  now: () => now,
});

const URL_SECRETS = [SIGNATURE, CONNECTOR_KEY, "/workflows/", "/webhookb2/"];

describe("teams provider (Workflows and connector webhooks)", () => {
  it("describes itself: chat, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "teams", kind: "chat", honoursIdempotencyKey: false });
  });

  it("posts a message with an Adaptive Card built from subject and text; 202 from Workflows is sent", async () => {
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: null,
      statusCode: 202,
    });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toMatch(
      /^\/powerautomate\/automations\/direct\/workflows\/\w+\/triggers\/manual\/paths\/invoke$/,
    );
    expect(request?.query).toMatchObject({ "api-version": "1", sv: "1.0", sig: SIGNATURE });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.json).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              {
                type: "TextBlock",
                text: "Order #1001 delivered",
                weight: "Bolder",
                size: "Large",
                wrap: true,
              },
              { type: "TextBlock", text: "Order #1001 was delivered today.", wrap: true },
            ],
          },
        },
      ],
    });
    expect(workflow.cards).toHaveLength(1);
  });

  it("adds an Action.OpenUrl for a tracking URL and uses the configured card version", async () => {
    const message = outboundMessage({
      content: {
        text: "Out for delivery.",
        structured: { trackingUrl: "https://track.example/1Z999", actionTitle: "Follow the parcel" },
      },
    });
    expect(await provider({ cardVersion: "1.5" }).send(message, testSignal())).toMatchObject({
      outcome: "sent",
    });
    expect(workflow.cards[0]).toEqual({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.5",
      body: [{ type: "TextBlock", text: "Out for delivery.", wrap: true }],
      actions: [{ type: "Action.OpenUrl", title: "Follow the parcel", url: "https://track.example/1Z999" }],
    });
  });

  it("posts content.structured as is when it is an Adaptive Card", async () => {
    const card = {
      type: "AdaptiveCard",
      version: "1.5",
      body: [{ type: "FactSet", facts: [{ title: "Order", value: "#1001" }] }],
    };
    const message = outboundMessage({ content: { text: "fallback", structured: card } });
    expect(await provider().send(message, testSignal())).toMatchObject({ outcome: "sent" });
    expect(workflow.cards).toEqual([card]);
  });

  it("refuses a card over 28 KB before sending", async () => {
    const message = outboundMessage({ content: { subject: "Big", text: "x".repeat(29 * 1024) } });
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Teams webhook: the card is 30 KB, over the 28 KB Teams accepts; shorten the template",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong signature and a removed workflow final without showing the URL", async () => {
    const wrongSig = provider({ webhookUrl: workflow.webhookUrl.replace(SIGNATURE, "forged") });
    const unauthorized = await wrongSig.send(chat, testSignal());
    expect(unauthorized).toEqual({
      outcome: "final",
      error:
        "Teams webhook answered HTTP 401: DirectApiInvalidAuthorizationSignature: The provided authentication token is not valid. (the webhook URL is not accepted)",
      statusCode: 401,
    });
    expectNoSecretsIn(unauthorized, URL_SECRETS);
    const gone = await provider({
      webhookUrl: workflow.webhookUrl.replace(/workflows\/\w+/, "workflows/deleted"),
    }).send(chat, testSignal());
    expect(gone).toMatchObject({ outcome: "final", statusCode: 404 });
    if (gone.outcome === "final") expect(gone.error).toContain("WorkflowNotFound");
    expectNoSecretsIn(gone, URL_SECRETS);
  });

  it("makes a Workflows schema mismatch final with its message", async () => {
    const message = outboundMessage({ content: { text: "x", structured: { type: "AdaptiveCard" } } });
    const result = await provider().send(message, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 400 });
    if (result.outcome === "final") {
      expect(result.error).toContain("TriggerInputSchemaMismatch");
      expect(result.error).toContain("version is required");
    }
  });

  it("makes 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "12", {
      body: { error: { code: "WorkflowRequestsThrottled", message: "Rate limit exceeded." } },
    });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error:
        "Teams webhook answered HTTP 429: WorkflowRequestsThrottled: Rate limit exceeded. (rate limited by Teams)",
      statusCode: 429,
      retryAfterMs: 12_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the URL", async () => {
    await expectTransportFailuresRetryable({
      name: "Teams webhook",
      makeProvider: provider,
      server,
      message: chat,
      secrets: URL_SECRETS,
      serverError: {
        status: 502,
        reply: { body: { error: { code: "BadGateway", message: "upstream failed" } } },
      },
    });
  });

  it("makes an HTML page under 200 final", async () => {
    server.errorNext(1, 200, { body: "<html>sign in</html>", headers: { "Content-Type": "text/html" } });
    expect(await provider().send(chat, testSignal())).toMatchObject({ outcome: "final", statusCode: 200 });
  });

  it("rejects a webhook URL that is not http(s) and an unknown card version", () => {
    expectConfigErrorsAt(teamsConfigSchema, { webhookUrl: "teams://x", cardVersion: "2.0" }, [
      "webhookUrl",
      "cardVersion",
    ]);
  });
});

describe("teams provider with a legacy connector incoming webhook", () => {
  let connector: FakeTeamsWebhook;
  beforeEach(() => {
    connector = fakeTeamsIncomingWebhook(server);
  });
  const viaConnector = () => provider({ webhookUrl: connector.webhookUrl });

  it("takes 200 with the text 1 as sent", async () => {
    expect(await viaConnector().send(chat, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: null,
      statusCode: 200,
    });
    expect(connector.cards).toHaveLength(1);
  });

  it("makes Teams' embedded 400 under HTTP 200 final, without the ContextId", async () => {
    const message = outboundMessage({ content: { text: "x", structured: { type: "AdaptiveCard" } } });
    expect(await viaConnector().send(message, testSignal())).toEqual({
      outcome: "final",
      error:
        "Teams webhook answered HTTP 200: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400 (Teams rejected the card)",
      statusCode: 200,
    });
    expect(connector.cards).toHaveLength(0);
  });

  it("makes the embedded 413 final and the embedded 429 and 5xx retryable", async () => {
    server.errorNext(1, 200, { body: teamsDeliveryFailedText(413) });
    server.errorNext(1, 200, { body: teamsDeliveryFailedText(429) });
    server.errorNext(1, 200, { body: teamsDeliveryFailedText(503) });
    expect(await viaConnector().send(chat, testSignal())).toMatchObject({
      outcome: "final",
      error: expect.stringContaining("HTTP error 413 (the card is larger than the 28 KB Teams accepts)"),
    });
    expect(await viaConnector().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error:
        "Teams webhook answered HTTP 200: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 (rate limited by Teams)",
      statusCode: 200,
      retryAfterMs: null,
    });
    expect(await viaConnector().send(chat, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 200,
    });
  });

  it("makes a removed webhook (410) and a bad payload (400) final", async () => {
    server.errorNext(1, 400, {
      body: "Bad payload received by generic incoming webhook.",
      headers: { "Content-Type": "text/plain" },
    });
    expect(await viaConnector().send(chat, testSignal())).toEqual({
      outcome: "final",
      error:
        "Teams webhook answered HTTP 400: Bad payload received by generic incoming webhook. (Teams rejected the card)",
      statusCode: 400,
    });
    await server.close();
    server = await startLoopbackServer();
    connector = fakeTeamsIncomingWebhook(server, { removed: true });
    const result = await viaConnector().send(chat, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Teams webhook answered HTTP 410: the webhook was removed from its channel",
      statusCode: 410,
    });
    expectNoSecretsIn(result, URL_SECRETS);
  });
});
