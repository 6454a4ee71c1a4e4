import { createHmac, randomUUID } from "node:crypto";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/**
 * A session token as App Bridge gets it from the admin for an embedded app: a JWT (HS256) signed
 * with the app's API secret, its audience the app's API key, its destination the shop. Tests open
 * the embedded pages outside the admin frame with it, as the `id_token` search parameter.
 */
export function sessionToken(options: {
  apiKey: string;
  apiSecret: string;
  shop: string;
  userId?: string;
  now?: Date;
}): string {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${options.shop}/admin`,
      dest: `https://${options.shop}`,
      aud: options.apiKey,
      sub: options.userId ?? "42",
      exp: now + 3600,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", options.apiSecret)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The search parameters the admin opens an embedded page with (shop, host, embedded, id_token). */
export function embeddedSearch(shop: string, token: string): string {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString(
    "base64url",
  );
  return new URLSearchParams({ embedded: "1", shop, host, id_token: token }).toString();
}
