import type { LoopbackRequest } from "./loopback-server.ts";

/** The `Authorization: Basic` user and password of a request, or null when it has none or it is malformed. */
export function basicCredentials(request: LoopbackRequest): { user: string; password: string } | null {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(request: LoopbackRequest): string | null {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer (\S+)$/.exec(header);
  return match?.[1] ?? null;
}

/** A request's single header value (the first when repeated), looked up by lower-case name. */
export function headerValue(request: LoopbackRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
