import { request } from "node:https";

/**
 * A `fetch` for tests that trusts one extra certificate authority (the loopback HTTPS server's
 * self-signed certificate), which Node's built-in fetch cannot be told per call. Enough for
 * providers: method, headers, body, abort signal; the answer as a standard Response.
 */
export function fetchTrusting(ca: string): typeof globalThis.fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = new Headers(init?.headers);
      const req = request(
        url,
        {
          method: init?.method ?? "GET",
          headers: Object.fromEntries(headers.entries()),
          ca,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const answer = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(", ") : value);
            }
            const status = res.statusCode ?? 500;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: answer }));
          });
        },
      );
      req.on("error", reject);
      req.end(typeof init?.body === "string" ? init.body : undefined);
    });
}
