import { createHmac, randomBytes } from "node:crypto";

/** RFC 3986 percent-encoding, as OAuth 1.0a signs with (encodeURIComponent leaves !*'() alone). */
export function oauthPercentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A WooCommerce REST request's URL and headers: over HTTPS the keys go as HTTP Basic auth; over
 * plain HTTP WooCommerce accepts only OAuth 1.0a ("one-legged": consumer key and secret, no token),
 * signed with HMAC-SHA256 and sent as query parameters. The same choice the official JS library
 * makes by the URL's scheme.
 */
export function wooAuthorizedRequest(
  url: string,
  method: string,
  keys: { consumerKey: string; consumerSecret: string },
  now: Date,
  nonce: string = randomBytes(16).toString("hex"),
): { url: string; headers: Record<string, string> } {
  const target = new URL(url);
  if (target.protocol === "https:") {
    const basic = Buffer.from(`${keys.consumerKey}:${keys.consumerSecret}`).toString("base64");
    return { url: target.toString(), headers: { Authorization: `Basic ${basic}` } };
  }
  const oauth: Record<string, string> = {
    oauth_consumer_key: keys.consumerKey,
    oauth_nonce: nonce,
    oauth_signature_method: "HMAC-SHA256",
    oauth_timestamp: String(Math.floor(now.getTime() / 1000)),
    oauth_version: "1.0",
  };
  const pairs = [...target.searchParams.entries(), ...Object.entries(oauth)]
    .map(([name, value]) => [oauthPercentEncode(name), oauthPercentEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an === bn ? (av < bv ? -1 : 1) : an < bn ? -1 : 1));
  const baseString = [
    method.toUpperCase(),
    oauthPercentEncode(`${target.protocol}//${target.host}${target.pathname}`),
    oauthPercentEncode(pairs.map(([name, value]) => `${name}=${value}`).join("&")),
  ].join("&");
  const signature = createHmac("sha256", `${oauthPercentEncode(keys.consumerSecret)}&`)
    .update(baseString)
    .digest("base64");
  for (const [name, value] of Object.entries(oauth)) target.searchParams.set(name, value);
  target.searchParams.set("oauth_signature", signature);
  return { url: target.toString(), headers: {} };
}
