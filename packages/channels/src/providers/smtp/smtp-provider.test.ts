import { createServer, type Server } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  configIssuePaths,
  expectConfigErrorsAt,
  expectNoSecretsIn,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeSmtp, startFakeSmtp } from "./smtp-fake.ts";
import {
  classifySmtpError,
  type SmtpChannelProvider,
  smtpConfigSchema,
  smtpMessageId,
  smtpProviderFactory,
  smtpQueueId,
} from "./smtp-provider.ts";

const USER = "postmaster@shop.example";
const PASS = "smtp-pass-0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");

let fake: FakeSmtp;
const providers: SmtpChannelProvider[] = [];

beforeEach(async () => {
  fake = await startFakeSmtp({ user: USER, pass: PASS });
});

afterEach(async () => {
  for (const provider of providers.splice(0)) provider.close();
  expect(fake.handlerErrors).toEqual([]);
  await fake.close();
});

function provider(overrides: Record<string, unknown> = {}): SmtpChannelProvider {
  const config = smtpConfigSchema.parse({
    host: fake.host,
    port: fake.port,
    requireTLS: false,
    auth: { user: USER, pass: PASS },
    from: { email: "shipping@shop.example", name: "Acme Shipping" },
    ...overrides,
  });
  const created = smtpProviderFactory.create(config, {
    fetch: globalThis.fetch,
    now: () => now,
  }) as SmtpChannelProvider;
  providers.push(created);
  return created;
}

describe("smtp provider", () => {
  it("describes itself: email, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "smtp", kind: "email", honoursIdempotencyKey: false });
  });

  it("defaults to STARTTLS required and a 10 s timeout", () => {
    const config = smtpConfigSchema.parse({ host: "smtp.example.com", from: { email: "a@b.example" } });
    expect(config).toMatchObject({ secure: false, requireTLS: true, timeoutMs: 10_000 });
    expect(config.port).toBeUndefined();
  });

  it("sends text and HTML over authenticated SMTP and returns the server's queue id", async () => {
    const smtp = provider({ replyTo: { email: "help@shop.example", name: "Acme Help" } });
    const result = await smtp.send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: fake.received[0]?.queueId,
      statusCode: 250,
    });
    expect(result.outcome === "sent" && result.providerMessageId).toMatch(/^4TF[0-9A-F]{7}$/);

    const mail = fake.received[0];
    expect(mail?.user).toBe(USER);
    expect(mail?.envelope).toEqual({ from: "shipping@shop.example", to: ["jane@example.com"] });
    expect(mail?.from).toEqual({ address: "shipping@shop.example", name: "Acme Shipping" });
    expect(mail?.to).toEqual([{ address: "jane@example.com", name: "Jane Doe" }]);
    expect(mail?.replyTo).toEqual([{ address: "help@shop.example", name: "Acme Help" }]);
    expect(mail?.subject).toBe("Your order has been delivered");
    expect(mail?.text?.trim()).toBe("Order #1001 was delivered today.");
    expect(mail?.html?.trim()).toBe("<p>Order <b>#1001</b> was delivered today.</p>");
    expect(mail?.headers["content-type"]).toMatch(/^multipart\/alternative/);
    expect(mail?.headers["x-trackflow-notification-id"]).toBe("ntf_01HZX3J8Q4");
    expect(mail?.messageId).toBe(
      smtpMessageId("tn_acme:flow_shipped@3:step_1:shp_123:delivered", "shipping@shop.example"),
    );
    expect(mail?.date).toBe(now.toISOString());
  });

  it("derives the same valid Message-ID for every attempt of one idempotency key", async () => {
    const smtp = provider();
    await smtp.send(outboundMessage(), testSignal());
    await smtp.send(outboundMessage(), testSignal());
    await smtp.send(outboundMessage({ idempotencyKey: "another-key" }), testSignal());
    const [first, second, third] = fake.received.map((mail) => mail.messageId);
    expect(first).toMatch(/^<trackflow\.[0-9a-f]{32}@shop\.example>$/);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    // SMTP has no idempotency key: the server takes both copies, each with its own queue id
    expect(new Set(fake.received.map((mail) => mail.queueId)).size).toBe(3);
  });

  it("sends a text-only message when there is no HTML, without a name when the recipient has none", async () => {
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Out for delivery", text: "Today." },
    });
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    const mail = fake.received[0];
    expect(mail?.to).toEqual([{ address: "bob@example.com", name: "" }]);
    expect(mail?.headers["content-type"]).toMatch(/^text\/plain/);
    expect(mail?.html).toBeNull();
  });

  it("closes its connection after every send", async () => {
    const smtp = provider();
    await smtp.send(outboundMessage(), testSignal());
    expect(await fake.waitUntilIdle()).toBe(true);
    await smtp.send(outboundMessage(), testSignal());
    expect(await fake.waitUntilIdle()).toBe(true);
  });

  it("refuses a message without a subject without connecting", async () => {
    const message = outboundMessage({ content: { subject: " ", text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(fake.received).toHaveLength(0);
  });

  it("makes wrong credentials (535) final without the password in the error", async () => {
    const result = await provider({ auth: { user: USER, pass: "wrong-pass" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toMatchObject({ outcome: "final", statusCode: 535 });
    if (result.outcome === "final") {
      expect(result.error).toContain("535 5.7.8 Error: authentication failed");
      expect(result.error).not.toContain("wrong-pass");
    }
    expect(fake.authFailures).toBe(1);
  });

  it("makes sending without credentials to a server that requires them (530) final", async () => {
    const result = await provider({ auth: undefined }).send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 530 });
  });

  it("makes a rejected recipient (550) final with the server's reply", async () => {
    fake.rejectRecipient("jane@example.com");
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 550 });
    if (result.outcome === "final") {
      expect(result.error).toContain("550 5.1.1 <jane@example.com>: Recipient address rejected");
    }
    expect(fake.received).toHaveLength(0);
  });

  it("makes a malformed recipient final", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "not-an-address" } }),
      testSignal(),
    );
    expect(result.outcome).toBe("final");
    expect(fake.received).toHaveLength(0);
  });

  it("makes rejected content (554 after DATA) final with the server's reply", async () => {
    fake.failNext(1, { kind: "reply", stage: "data", code: 554, message: "5.7.1 Message rejected as spam" });
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 554 });
    if (result.outcome === "final") expect(result.error).toContain("554 5.7.1 Message rejected as spam");
  });

  it("makes 4xx replies retryable: 451 after DATA, 452 at RCPT, 450 at MAIL, 421 at the greeting", async () => {
    const smtp = provider();
    fake.temporaryFailureNext(1);
    expect(await smtp.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 451,
      retryAfterMs: null,
    });
    fake.failNext(1, { kind: "reply", stage: "rcpt", code: 452, message: "4.5.3 Too many recipients" });
    expect(await smtp.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 452,
    });
    fake.failNext(1, { kind: "reply", stage: "mail", code: 450, message: "4.7.1 Try again later" });
    expect(await smtp.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 450,
    });
    fake.failNext(1, {
      kind: "reply",
      stage: "connect",
      code: 421,
      message: "4.3.2 Service not available, closing channel",
    });
    const result = await smtp.send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: 421 });
    expect(fake.received).toHaveLength(0);
    // the next attempt goes through
    expect((await smtp.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  });

  it("makes a connection dropped before the greeting or after the message retryable", async () => {
    const smtp = provider();
    fake.dropNext(1, "connect");
    expect(await smtp.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: null,
    });
    fake.dropNext(1, "data");
    const result = await smtp.send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: null });
    expectNoSecretsIn(result, [PASS]);
  });

  it("makes a refused connection retryable without leaking the password", async () => {
    const closed = await unusedPort();
    const result = await provider({ port: closed }).send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: null });
    expectNoSecretsIn(result, [PASS]);
  });

  it("makes a server that never answers DATA retryable after the timeout", async () => {
    fake.stallNext(1, 2_000);
    const started = Date.now();
    const result = await provider({ timeoutMs: 150 }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "retryable",
      error: "SMTP: no answer within 150 ms",
      statusCode: null,
      retryAfterMs: null,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("makes a server that never greets retryable after the timeout", async () => {
    const silent = await silentServer();
    try {
      const result = await provider({ port: silent.port, timeoutMs: 150 }).send(
        outboundMessage(),
        testSignal(),
      );
      expect(result).toMatchObject({ outcome: "retryable", statusCode: null });
    } finally {
      await silent.close();
    }
  });

  it("stops when the caller aborts", async () => {
    fake.stallNext(1, 2_000);
    const controller = new AbortController();
    const pending = provider().send(outboundMessage(), controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toEqual({
      outcome: "retryable",
      error: "SMTP: send aborted by the caller before an answer came",
      statusCode: null,
      retryAfterMs: null,
    });
    const aborted = AbortSignal.abort();
    expect(await provider().send(outboundMessage(), aborted)).toMatchObject({ outcome: "retryable" });
  });

  it("makes a required STARTTLS the server does not offer final", async () => {
    const result = await provider({ requireTLS: true }).send(outboundMessage(), testSignal());
    expect(result.outcome).toBe("final");
    expectNoSecretsIn(result, [PASS]);
    expect(fake.received).toHaveLength(0);
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      smtpConfigSchema,
      {
        host: "smtp://mail.example.com/",
        port: 70_000,
        auth: { user: "", pass: " secret" },
        from: { email: "nope" },
        timeoutMs: 5,
      },
      ["host", "port", "auth.user", "auth.pass", "from.email", "timeoutMs"],
    );
    expect(smtpConfigSchema.safeParse({}).success).toBe(false);
  });
});

describe("smtp provider over TLS", () => {
  const tlsFakes: FakeSmtp[] = [];
  afterEach(async () => {
    for (const tlsFake of tlsFakes.splice(0)) await tlsFake.close();
  });

  async function tlsProvider(
    tls: "starttls" | "implicit",
    overrides: Record<string, unknown> = {},
  ): Promise<{ server: FakeSmtp; smtp: SmtpChannelProvider }> {
    const server = await startFakeSmtp({ user: USER, pass: PASS, tls });
    tlsFakes.push(server);
    const config = smtpConfigSchema.parse({
      host: server.host,
      port: server.port,
      secure: tls === "implicit",
      auth: { user: USER, pass: PASS },
      from: { email: "shipping@shop.example" },
      tlsCa: server.certificate,
      ...overrides,
    });
    const smtp = smtpProviderFactory.create(config, { fetch: globalThis.fetch, now: () => now });
    return { server, smtp: smtp as SmtpChannelProvider };
  }

  it("upgrades with STARTTLS (required by default) before AUTH", async () => {
    const { server, smtp } = await tlsProvider("starttls");
    expect((await smtp.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect(server.received[0]?.user).toBe(USER);
    smtp.close();
  });

  it("sends over implicit TLS", async () => {
    const { server, smtp } = await tlsProvider("implicit");
    expect((await smtp.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect(server.received).toHaveLength(1);
  });

  it("makes a certificate that does not verify final", async () => {
    const { server, smtp } = await tlsProvider("starttls", { tlsCa: undefined });
    const result = await smtp.send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: null });
    if (result.outcome === "final") expect(result.error).toMatch(/certificate/i);
    expectNoSecretsIn(result, [PASS]);
    expect(server.received).toHaveLength(0);
  });

  it("refuses a tlsCa that is not PEM", () => {
    expect(
      configIssuePaths(smtpConfigSchema, { host: "h.example", from: { email: "a@b.example" }, tlsCa: "x" }),
    ).toEqual(["tlsCa"]);
  });
});

describe("smtp reply reading", () => {
  it("finds the queue id of Postfix, Exim and Sendmail replies", () => {
    expect(smtpQueueId("250 2.0.0 Ok: queued as 4XyZ12AbCd")).toBe("4XyZ12AbCd");
    expect(smtpQueueId("250 OK id=1tQ3aB-000Abc-12")).toBe("1tQ3aB-000Abc-12");
    expect(smtpQueueId("250 2.0.0 53AC0Bq8012345 Message accepted for delivery")).toBe("53AC0Bq8012345");
    expect(smtpQueueId("250 OK: message queued")).toBeNull();
  });

  it("classifies by reply code first, then by the kind of failure", () => {
    const error = (fields: object) => Object.assign(new Error("failed"), fields);
    expect(classifySmtpError(error({ code: "EENVELOPE", responseCode: 452 })).outcome).toBe("retryable");
    expect(classifySmtpError(error({ code: "EAUTH", responseCode: 454 })).outcome).toBe("retryable");
    expect(classifySmtpError(error({ code: "EMESSAGE", responseCode: 552 })).outcome).toBe("final");
    expect(classifySmtpError(error({ code: "ETIMEDOUT" })).outcome).toBe("retryable");
    expect(classifySmtpError(error({ code: "EDNS" })).outcome).toBe("retryable");
    expect(classifySmtpError(error({ code: "ESOCKET", originalCode: "ECONNRESET" })).outcome).toBe(
      "retryable",
    );
    expect(
      classifySmtpError(error({ code: "ESOCKET", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT" })).outcome,
    ).toBe("final");
    expect(classifySmtpError(error({ code: "EAUTH" })).outcome).toBe("final");
    const leaky = classifySmtpError(new Error(`bad login ${PASS}`), [PASS]);
    expect(leaky).toMatchObject({ outcome: "final", error: "SMTP: bad login <redacted>" });
  });
});

/** A port nothing listens on. */
async function unusedPort(): Promise<number> {
  const server = await listen(createServer());
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server = await listen(
    createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    }),
  );
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
