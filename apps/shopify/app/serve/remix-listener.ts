import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { TrackflowLoadContext } from "../trackflow-context.ts";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
};

/** The largest request body the app reads (webhooks and forms are far smaller). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A node:http listener for the built app: files of build/client/assets (fingerprinted, cached
 * for a year), everything else to the Remix request handler with the engine as load context.
 */
export function remixListener(options: {
  build: ServerBuild;
  clientDir: string;
  context: TrackflowLoadContext;
}) {
  const handle = createRequestHandler(options.build, "production");
  const assets = join(options.clientDir, "assets");
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      if (url.pathname.startsWith("/assets/") && (req.method === "GET" || req.method === "HEAD")) {
        const file = normalize(join(options.clientDir, decodeURIComponent(url.pathname)));
        const found = file.startsWith(assets + sep) ? await stat(file).catch(() => null) : null;
        if (found?.isFile()) {
          res.writeHead(200, {
            "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
            "Content-Length": found.size,
            "Cache-Control": "public, max-age=31536000, immutable",
          });
          if (req.method === "HEAD") res.end();
          else await pipeline(createReadStream(file), res);
          return;
        }
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      const declared = Number(req.headers["content-length"] ?? "0");
      if (declared > MAX_BODY_BYTES) {
        res.writeHead(413, { "Content-Type": "text/plain" }).end("request body too large");
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (value !== undefined) headers.set(name, value);
      }
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const controller = new AbortController();
      res.on("close", () => controller.abort());
      const request = new Request(url, {
        method: req.method ?? "GET",
        headers,
        body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
        signal: controller.signal,
        ...(hasBody ? { duplex: "half" } : {}),
      } as RequestInit);
      const response = await handle(request, options.context as never);
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name === "set-cookie") return;
        out[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) out["set-cookie"] = cookies;
      res.writeHead(response.status, response.statusText, out);
      if (response.body === null || req.method === "HEAD") {
        res.end();
        return;
      }
      await pipeline(Readable.fromWeb(response.body as never), res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(error instanceof Error && res.headersSent ? undefined : "internal error");
    }
  };
}
