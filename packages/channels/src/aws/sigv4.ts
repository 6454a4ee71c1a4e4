import { createHash, createHmac } from "node:crypto";

/**
 * AWS Signature Version 4 (header form), as the SigV4 documentation describes it:
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
 *                      SignedHeaders \n HexEncode(SHA256(payload))
 *   StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n <yyyymmdd>/<region>/<service>/aws4_request \n
 *                      HexEncode(SHA256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request")
 *   Signature        = HexEncode(HMAC(SigningKey, StringToSign))
 *
 * and `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<names>, Signature=<hex>`.
 * Temporary credentials add `X-Amz-Security-Token`, signed with the rest. Paths are encoded the way
 * every service but S3 expects (each segment URI-encoded once more); S3 is not signed here.
 */

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** the session token of temporary (STS) credentials */
  sessionToken?: string | null;
}

/** Where a signature is valid: the region and the service's signing name ("ses", "sns"…). */
export interface SigningScope {
  region: string;
  service: string;
}

/** The parts of a request that go into its signature. */
export interface SignableRequest {
  method: string;
  url: string;
  /** the headers to send and sign (names in any case); Host is taken from the URL */
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface SignOptions {
  /** add and sign `x-amz-content-sha256` (S3 needs it; other services accept it) */
  contentSha256Header?: boolean;
  /**
   * sign `X-Amz-Security-Token` with the other headers (the default, what the SDKs do); when
   * false it is added after signing, as some older services require
   */
  signSecurityToken?: boolean;
}

export interface SignedRequest {
  /** the headers to send: the given ones plus X-Amz-Date, Authorization and, where due, the token */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** `20150830T123600Z` */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** The instant an X-Amz-Date value names, or null when it is not one. */
export function parseAmzDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second] = match;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `<yyyymmdd>/<region>/<service>/aws4_request` */
export function credentialScope(dateStamp: string, scope: SigningScope): string {
  return `${dateStamp}/${scope.region}/${scope.service}/aws4_request`;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export function signingKey(secretAccessKey: string, dateStamp: string, scope: SigningScope): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, dateStamp);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, "aws4_request");
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical URI: the absolute path with each segment URI-encoded. `pathname` comes from a
 * WHATWG URL, so it is already encoded once; encoding it again gives the double encoding that
 * every service except S3 expects. An empty path is "/".
 */
export function canonicalUri(pathname: string): string {
  if (pathname === "" || pathname === "/") return "/";
  return pathname
    .split("/")
    .map((segment) => uriEncode(segment))
    .join("/");
}

/** The canonical query string: each name and value URI-encoded, sorted by name then value, joined by &. */
export function canonicalQueryString(params: Iterable<[string, string]>): string {
  const pairs = [...params].map(([name, value]) => [uriEncode(name), uriEncode(value)] as const);
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** A header value as it is signed: surrounding spaces trimmed, runs of spaces collapsed to one. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/ +/g, " ");
}

export interface CanonicalRequestParts {
  method: string;
  pathname: string;
  query: Iterable<[string, string]>;
  /** lower-case name → value, exactly the headers to sign */
  headers: Record<string, string>;
  payloadHash: string;
}

/** The canonical request and the SignedHeaders list for it. */
export function canonicalRequest(parts: CanonicalRequestParts): { text: string; signedHeaders: string } {
  const names = Object.keys(parts.headers).sort();
  const canonicalHeaders = names
    .map((name) => `${name}:${canonicalHeaderValue(parts.headers[name] ?? "")}\n`)
    .join("");
  const signedHeaders = names.join(";");
  const text = [
    parts.method.toUpperCase(),
    canonicalUri(parts.pathname),
    canonicalQueryString(parts.query),
    canonicalHeaders,
    signedHeaders,
    parts.payloadHash,
  ].join("\n");
  return { text, signedHeaders };
}

export function stringToSign(date: string, scope: string, canonicalRequestText: string): string {
  return [SIGV4_ALGORITHM, date, scope, sha256Hex(canonicalRequestText)].join("\n");
}

export function signatureHex(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/**
 * Signs a request with SigV4 at `now` and returns the headers to send. Every given header is
 * signed, with `host` (from the URL, port included when not the default, which is what fetch
 * sends) and `x-amz-date`.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  scope: SigningScope,
  now: Date,
  options: SignOptions = {},
): SignedRequest {
  const url = new URL(request.url);
  const date = amzDate(now);
  const payloadHash = sha256Hex(request.body);
  const headers: Record<string, string> = { ...request.headers, "X-Amz-Date": date };
  if (options.contentSha256Header) headers["x-amz-content-sha256"] = payloadHash;
  const token = credentials.sessionToken ?? null;
  const signToken = options.signSecurityToken ?? true;
  if (token !== null && signToken) headers["X-Amz-Security-Token"] = token;

  const toSign: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "host") continue;
    toSign[lower] = value;
  }
  const canonical = canonicalRequest({
    method: request.method,
    pathname: url.pathname,
    query: url.searchParams,
    headers: toSign,
    payloadHash,
  });
  const scopeText = credentialScope(date.slice(0, 8), scope);
  const text = stringToSign(date, scopeText, canonical.text);
  const signature = signatureHex(signingKey(credentials.secretAccessKey, date.slice(0, 8), scope), text);
  headers.Authorization =
    `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scopeText}, ` +
    `SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
  if (token !== null && !signToken) headers["X-Amz-Security-Token"] = token;
  return { headers, canonicalRequest: canonical.text, stringToSign: text, signature };
}

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header, or null when it is not one. */
export interface ParsedAuthorization {
  accessKeyId: string;
  dateStamp: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string): ParsedAuthorization | null {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${SIGV4_ALGORITHM} `)) return null;
  const fields: Record<string, string> = {};
  for (const part of trimmed.slice(SIGV4_ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return null;
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential: credential, SignedHeaders: signedHeaders, Signature: signature } = fields;
  if (credential === undefined || signedHeaders === undefined || signature === undefined) return null;
  const scope = credential.split("/");
  if (scope.length !== 5) return null;
  const [accessKeyId, dateStamp, region, service, terminator] = scope as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    accessKeyId,
    dateStamp,
    region,
    service,
    terminator,
    signedHeaders: signedHeaders.split(";"),
    signature,
  };
}
