import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";
import { basicCredentials, bearerToken, headerValue } from "./request-credentials.ts";

let server: LoopbackServer;

beforeEach(async () => {
  server = await startLoopbackServer();
});

afterEach(async () => {
  await server.close();
});

describe("startLoopbackServer", () => {
  it("listens on 127.0.0.1 at a free port", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it("routes by method and path, with :name segments, and parses JSON bodies", async () => {
    server.route("POST", "/v1/things/:thingId/parts", (request) => ({
      status: 201,
      body: { thing: request.params.thingId, got: request.json, q: request.query.debug },
    }));
    const response = await fetch(`${server.url}/v1/things/abc%20d/parts?debug=1&debug=2`, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ thing: "abc d", got: { a: 1 }, q: "1" });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/v1/things/abc%20d/parts", text: '{"a":1}' });
    expect(request?.rawBody.equals(Buffer.from('{"a":1}'))).toBe(true);
  });

  it("parses form bodies and leaves json undefined for them", async () => {
    server.route("POST", "/form", (request) => ({
      status: 200,
      body: { form: request.form, json: request.json ?? null },
    }));
    const response = await fetch(`${server.url}/form`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ To: "+15551234567", Body: "a & b = c" }).toString(),
    });
    expect(await response.json()).toEqual({ form: { To: "+15551234567", Body: "a & b = c" }, json: null });
  });

  it("answers strings as text and lets handlers set headers", async () => {
    server.route("GET", "/text", () => ({ status: 200, headers: { "X-Thing": "1" }, body: "ok" }));
    const response = await fetch(`${server.url}/text`);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("x-thing")).toBe("1");
    expect(await response.text()).toBe("ok");
  });

  it("answers 404 to an unknown route and still records the request", async () => {
    const response = await fetch(`${server.url}/nowhere`, { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "DELETE /nowhere",
    ]);
  });

  it("answers 500 when a handler throws and keeps the error for the test to see", async () => {
    server.route("GET", "/boom", () => {
      throw new Error("contract broken");
    });
    expect((await fetch(`${server.url}/boom`)).status).toBe(500);
    expect(server.handlerErrors).toHaveLength(1);
  });

  it("plays scripted failures in order before going back to the route", async () => {
    server.route("GET", "/x", () => ({ status: 200, body: "fine" }));
    server.rateLimitNext(2, "7");
    server.errorNext(1, 503);
    const statuses = [];
    const retryAfters = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.url}/x`);
      statuses.push(response.status);
      retryAfters.push(response.headers.get("retry-after"));
      await response.text();
    }
    expect(statuses).toEqual([429, 429, 503, 200]);
    expect(retryAfters).toEqual(["7", "7", null, null]);
    expect(server.requests).toHaveLength(4);
  });

  it("drops the connection on a scripted reset", async () => {
    server.route("GET", "/x", () => ({ status: 200, body: "fine" }));
    server.resetNext(1);
    await expect(fetch(`${server.url}/x`)).rejects.toThrow();
    expect((await fetch(`${server.url}/x`)).status).toBe(200);
  });

  it("holds back the answer on a scripted stall, and close() does not wait for it", async () => {
    server.route("GET", "/x", () => ({ status: 200, body: "late" }));
    server.stallNext(1, 60_000);
    const pending = fetch(`${server.url}/x`, { signal: AbortSignal.timeout(100) });
    await expect(pending).rejects.toThrow();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    server = await startLoopbackServer();
  });

  it("refuses connections once closed", async () => {
    const url = server.url;
    await server.close();
    await expect(fetch(`${url}/x`)).rejects.toThrow();
    server = await startLoopbackServer();
  });
});

describe("request credentials", () => {
  it("reads Basic and Bearer authorization and single header values", async () => {
    server.route("POST", "/auth", (request) => ({
      status: 200,
      body: {
        basic: basicCredentials(request),
        bearer: bearerToken(request),
        agent: headerValue(request, "X-Agent") ?? null,
      },
    }));
    const basic = await fetch(`${server.url}/auth`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from("AC1:tok:en").toString("base64")}`, "X-Agent": "t" },
    });
    expect(await basic.json()).toEqual({
      basic: { user: "AC1", password: "tok:en" },
      bearer: null,
      agent: "t",
    });
    const bearer = await fetch(`${server.url}/auth`, {
      method: "POST",
      headers: { Authorization: "Bearer xoxb-1" },
    });
    expect(await bearer.json()).toEqual({ basic: null, bearer: "xoxb-1", agent: null });
  });
});
