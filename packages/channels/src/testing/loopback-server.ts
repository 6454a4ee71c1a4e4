import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A request as the loopback server received it. */
export interface LoopbackRequest {
  method: string;
  /** the path without the query string, e.g. "/v3/mail/send" */
  path: string;
  /** values of `:name` segments of the matched route */
  params: Record<string, string>;
  /** query parameters (the first value of each) */
  query: Record<string, string>;
  /** header names lower-cased, as Node gives them */
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** the body decoded as UTF-8 */
  text: string;
  /** the parsed body when the request said `application/json` and it parses; undefined otherwise */
  json: unknown;
  /** the parsed body when the request said `application/x-www-form-urlencoded` (first value of each field) */
  form: Record<string, string> | undefined;
}

/** What a handler answers. An object or array body is sent as JSON unless a content-type says otherwise. */
export interface LoopbackReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type LoopbackHandler = (request: LoopbackRequest) => LoopbackReply | Promise<LoopbackReply>;

/** A scripted failure, answered instead of the route's handler. */
export type ScriptedFailure =
  | { kind: "reply"; reply: LoopbackReply }
  /** drop the connection without an answer (the client sees a reset / "other side closed") */
  | { kind: "reset" }
  /** hold the answer back this long, then let the route answer (to provoke client timeouts) */
  | { kind: "stall"; ms: number };

export interface LoopbackServerOptions {
  /** serve HTTPS with this key and certificate (a provider that accepts some auth only over TLS) */
  tls?: { key: string; cert: string };
}

export interface LoopbackServer {
  /** "http://127.0.0.1:<port>" ("https://…" with `tls`) */
  readonly url: string;
  /** every request received, in order, scripted failures and unmatched paths included */
  readonly requests: LoopbackRequest[];
  /** errors thrown by handlers (answered 500); a test expects this to stay empty */
  readonly handlerErrors: unknown[];
  /** routes a method and path (`:name` segments match one segment) to a handler; later routes win */
  route(method: string, path: string, handler: LoopbackHandler): void;
  /** the next `count` requests get this failure instead of their route's answer */
  failNext(count: number, failure: ScriptedFailure): void;
  /** the next `count` requests are answered 429 with `Retry-After` (and the given body/headers) */
  rateLimitNext(count: number, retryAfter: string | null, reply?: Omit<LoopbackReply, "status">): void;
  /** the next `count` requests are answered with this status (500 by default) */
  errorNext(count: number, status?: number, reply?: Omit<LoopbackReply, "status">): void;
  /** the next `count` requests lose their connection without an answer */
  resetNext(count: number): void;
  /** the next `count` requests are answered only after `ms` */
  stallNext(count: number, ms: number): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  segments: string[];
  handler: LoopbackHandler;
}

/**
 * A real HTTP server on 127.0.0.1 at a free port, standing in for a provider's API in tests.
 * Routes enforce the provider's contract and answer as the provider does; scripted failures
 * (429 with Retry-After, 5xx, connection reset, stalls) exercise error classification.
 */
export async function startLoopbackServer(options: LoopbackServerOptions = {}): Promise<LoopbackServer> {
  const routes: Route[] = [];
  const script: ScriptedFailure[] = [];
  const requests: LoopbackRequest[] = [];
  const handlerErrors: unknown[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const target = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = findRoute(routes, req.method ?? "GET", target.pathname);
    const request = toRequest(req, target, rawBody, route?.params ?? {});
    requests.push(request);

    const failure = script.shift();
    if (failure?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (failure?.kind === "reply") {
      send(res, failure.reply);
      return;
    }
    if (failure?.kind === "stall") {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, failure.ms);
        timers.add(timer);
      });
      if (res.destroyed || res.writableEnded) return;
    }
    if (route === undefined) {
      send(res, { status: 404, body: { error: `no route for ${request.method} ${request.path}` } });
      return;
    }
    try {
      send(res, await route.route.handler(request));
    } catch (error) {
      handlerErrors.push(error);
      send(res, { status: 500, body: { error: "loopback handler failed" } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const repeat = (count: number, failure: ScriptedFailure) => {
    for (let i = 0; i < count; i++) script.push(failure);
  };

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    handlerErrors,
    route(method, path, handler) {
      routes.unshift({ method: method.toUpperCase(), segments: splitPath(path), handler });
    },
    failNext: repeat,
    rateLimitNext(count, retryAfter, reply = {}) {
      const headers = { ...reply.headers, ...(retryAfter === null ? {} : { "Retry-After": retryAfter }) };
      repeat(count, {
        kind: "reply",
        reply: { body: { error: "rate limited" }, ...reply, status: 429, headers },
      });
    },
    errorNext(count, status = 500, reply = {}) {
      repeat(count, { kind: "reply", reply: { body: { error: "internal error" }, ...reply, status } });
    },
    resetNext(count) {
      repeat(count, { kind: "reset" });
    },
    stallNext(count, ms) {
      repeat(count, { kind: "stall", ms });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function findRoute(
  routes: Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = splitPath(pathname);
  for (const route of routes) {
    if (route.method !== method.toUpperCase() || route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (const [index, pattern] of route.segments.entries()) {
      const actual = segments[index] ?? "";
      if (pattern.startsWith(":")) params[pattern.slice(1)] = decodeURIComponent(actual);
      else if (pattern !== actual) {
        matched = false;
        break;
      }
    }
    if (matched) return { route, params };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toRequest(
  req: IncomingMessage,
  target: URL,
  rawBody: Buffer,
  params: Record<string, string>,
): LoopbackRequest {
  const text = rawBody.toString("utf8");
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  let json: unknown;
  if (contentType.startsWith("application/json")) {
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
  }
  let form: Record<string, string> | undefined;
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    form = {};
    for (const [key, value] of new URLSearchParams(text)) if (!(key in form)) form[key] = value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of target.searchParams) if (!(key in query)) query[key] = value;
  return {
    method: req.method ?? "GET",
    path: target.pathname,
    params,
    query,
    headers: req.headers,
    rawBody,
    text,
    json,
    form,
  };
}

function send(res: ServerResponse, reply: LoopbackReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  let body: string | Buffer = "";
  if (typeof reply.body === "string" || Buffer.isBuffer(reply.body)) {
    body = reply.body;
    if (!hasContentType) headers["Content-Type"] = "text/plain; charset=utf-8";
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    if (!hasContentType) headers["Content-Type"] = "application/json; charset=utf-8";
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}
