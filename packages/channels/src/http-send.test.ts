import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HttpCall, type HttpSendOptions, httpSend } from "./http-send.ts";
import { retryableResult } from "./send-result.ts";
import { type LoopbackServer, startLoopbackServer } from "./testing/loopback-server.ts";

const now = new Date("2025-03-10T12:00:00Z");
const SECRET_PATH = "/hooks/T0001/s3cr3t-path-token";
const SECRET_HEADER = "Bearer sk-very-secret";

let server: LoopbackServer;

beforeEach(async () => {
  server = await startLoopbackServer();
  server.route("POST", SECRET_PATH, (request) => ({
    status: 201,
    headers: { "X-Request-Id": "req_1" },
    body: { id: "msg_1", echo: request.json },
  }));
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

function call(overrides: Partial<HttpCall> = {}): HttpCall {
  return {
    url: `${server.url}${SECRET_PATH}`,
    headers: { Authorization: SECRET_HEADER, "Content-Type": "application/json" },
    body: JSON.stringify({ text: "the message body" }),
    ...overrides,
  };
}

function options(overrides: Partial<HttpSendOptions> = {}): HttpSendOptions {
  return {
    provider: "Acme",
    fetch: globalThis.fetch,
    now: () => now,
    signal: new AbortController().signal,
    messageId: (answer) => (answer.json as { id?: string }).id ?? null,
    ...overrides,
  };
}

function expectNoSecrets(error: string): void {
  expect(error).not.toContain("s3cr3t");
  expect(error).not.toContain("sk-very-secret");
  expect(error).not.toContain("the message body");
}

describe("httpSend: answers", () => {
  it("sends method, headers and body as given and reads the message id of a 2xx answer", async () => {
    const result = await httpSend(call(), options());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "msg_1", statusCode: 201 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers.authorization).toBe(SECRET_HEADER);
    expect(request?.json).toEqual({ text: "the message body" });
  });

  it("is sent with a null id when the provider gives none", async () => {
    const result = await httpSend(call(), options({ messageId: undefined }));
    expect(result).toEqual({ outcome: "sent", providerMessageId: null, statusCode: 201 });
  });

  it("makes other 4xx final, with the provider's own message and nothing secret", async () => {
    server.errorNext(1, 422, { body: { message: "recipient is not valid", request: "the message body" } });
    const result = await httpSend(call(), options());
    expect(result).toEqual({
      outcome: "final",
      error: "Acme answered HTTP 422: recipient is not valid",
      statusCode: 422,
    });
    if (result.outcome === "final") expectNoSecrets(result.error);
  });

  it.each([
    [{ error: { message: "nested message" } }, "nested message"],
    [{ errors: [{ message: "first of many" }, { message: "second" }] }, "first of many"],
    [{ error_description: "described" }, "described"],
    [{ unrelated: true }, undefined],
  ])("finds the provider's message in %j", async (body, expected) => {
    server.errorNext(1, 400, { body });
    const result = await httpSend(call(), options());
    expect(result.outcome).toBe("final");
    if (result.outcome === "final") {
      expect(result.error).toBe(expected ? `Acme answered HTTP 400: ${expected}` : "Acme answered HTTP 400");
    }
  });

  it("takes a short plain-text answer as the message, but not an HTML page", async () => {
    server.errorNext(1, 404, { body: "no_service", headers: { "Content-Type": "text/html" } });
    server.errorNext(1, 404, {
      body: "<html><body><h1>Not Found</h1></body></html>",
      headers: { "Content-Type": "text/html" },
    });
    const first = await httpSend(call(), options());
    const second = await httpSend(call(), options());
    expect(first).toMatchObject({ outcome: "final", error: "Acme answered HTTP 404: no_service" });
    expect(second).toMatchObject({ outcome: "final", error: "Acme answered HTTP 404" });
  });

  it("keeps a long provider message to one short line", async () => {
    server.errorNext(1, 400, { body: { message: `line one\nline two ${"x".repeat(1000)}` } });
    const result = await httpSend(call(), options());
    expect(result.outcome).toBe("final");
    if (result.outcome === "final") {
      expect(result.error).not.toContain("\n");
      expect(result.error.length).toBeLessThan(340);
      expect(result.error.endsWith("…")).toBe(true);
    }
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 599])("makes HTTP %i retryable", async (status) => {
    server.errorNext(1, status);
    const result = await httpSend(call(), options());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: status, retryAfterMs: null });
  });

  it.each([400, 401, 403, 404, 409, 410, 413, 422])("makes HTTP %i final", async (status) => {
    server.errorNext(1, status);
    expect(await httpSend(call(), options())).toMatchObject({ outcome: "final", statusCode: status });
  });

  it("honours Retry-After in seconds and as an HTTP-date, capped at one hour", async () => {
    server.rateLimitNext(1, "17");
    server.rateLimitNext(1, "Mon, 10 Mar 2025 12:05:00 GMT");
    server.rateLimitNext(1, "999999");
    server.errorNext(1, 503, { headers: { "Retry-After": "5" } });
    const waits = [];
    for (let i = 0; i < 4; i++) {
      const result = await httpSend(call(), options());
      waits.push(result.outcome === "retryable" ? result.retryAfterMs : "not retryable");
    }
    expect(waits).toEqual([17_000, 300_000, 3_600_000, 5_000]);
  });

  it("uses the provider's rate-limit header when Retry-After is absent, and Retry-After first", async () => {
    const rateLimitDelayMs = () => 42_000;
    server.rateLimitNext(1, null);
    server.rateLimitNext(1, "3");
    const without = await httpSend(call(), options({ rateLimitDelayMs }));
    const withBoth = await httpSend(call(), options({ rateLimitDelayMs }));
    expect(without).toMatchObject({ outcome: "retryable", retryAfterMs: 42_000 });
    expect(withBoth).toMatchObject({ outcome: "retryable", retryAfterMs: 3_000 });
  });

  it("does not follow a redirect and calls it final", async () => {
    server.errorNext(1, 308, { headers: { Location: `${server.url}/elsewhere` }, body: "" });
    const result = await httpSend(call(), options());
    expect(result).toMatchObject({ outcome: "final", statusCode: 308 });
    expect(server.requests).toHaveLength(1);
  });

  it("lets the provider reclassify with the standard result in hand", async () => {
    server.errorNext(1, 400, { body: { code: 20429, message: "Too Many Requests" } });
    const result = await httpSend(
      call(),
      options({
        classify: (answer, standard) =>
          (answer.json as { code?: number }).code === 20429 && standard.outcome === "final"
            ? retryableResult(standard.error, standard.statusCode)
            : standard,
      }),
    );
    expect(result).toEqual({
      outcome: "retryable",
      error: "Acme answered HTTP 400: Too Many Requests",
      statusCode: 400,
      retryAfterMs: null,
    });
  });
});

describe("httpSend: failures without an answer", () => {
  it("makes a refused connection retryable, naming the cause but not the URL", async () => {
    const url = `${server.url}${SECRET_PATH}`;
    await server.close();
    server = await startLoopbackServer();
    const result = await httpSend(call({ url }), options());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: null, retryAfterMs: null });
    if (result.outcome === "retryable") {
      expect(result.error).toMatch(/^Acme: network error: .*ECONNREFUSED/);
      expectNoSecrets(result.error);
    }
  });

  it("makes a connection dropped mid-request retryable", async () => {
    server.resetNext(1);
    const result = await httpSend(call(), options());
    expect(result).toMatchObject({ outcome: "retryable", statusCode: null });
    if (result.outcome === "retryable") {
      expect(result.error).toMatch(/^Acme: network error: /);
      expectNoSecrets(result.error);
    }
  });

  it("gives up after the timeout and makes it retryable", async () => {
    server.stallNext(1, 5_000);
    const started = Date.now();
    const result = await httpSend(call(), options({ timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({
      outcome: "retryable",
      error: "Acme: no answer within 150 ms",
      statusCode: null,
      retryAfterMs: null,
    });
  });

  it("stops when the caller aborts, and says so", async () => {
    server.stallNext(1, 5_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await httpSend(call(), options({ signal: controller.signal }));
    expect(result).toMatchObject({
      outcome: "retryable",
      error: "Acme: send aborted by the caller before an answer came",
    });
  });

  it("does not call at all with an already aborted signal or an invalid URL", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await httpSend(call(), options({ signal: controller.signal }))).toMatchObject({
      outcome: "retryable",
    });
    expect(await httpSend(call({ url: "not a url/s3cr3t" }), options())).toEqual({
      outcome: "final",
      error: "Acme: the configured URL is not a valid URL",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("judges by the status when a 2xx body stalls past the timeout, so an accepted message is not resent", async () => {
    const stalling = createServer((_req, res) => {
      res.writeHead(202, { "Content-Type": "application/json", "X-Message-Id": "accepted-1" });
      res.write('{"partial":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
    const { port } = stalling.address() as AddressInfo;
    try {
      const result = await httpSend(
        call({ url: `http://127.0.0.1:${port}/send` }),
        options({ timeoutMs: 150, messageId: (answer) => answer.headers.get("x-message-id") }),
      );
      expect(result).toEqual({ outcome: "sent", providerMessageId: "accepted-1", statusCode: 202 });
    } finally {
      stalling.closeAllConnections();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });
});
