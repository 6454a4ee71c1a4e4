import { timingSafeEqual } from "node:crypto";
import type { LoopbackRequest } from "../testing/loopback-server.ts";
import {
  type AwsCredentials,
  amzDate,
  canonicalRequest,
  credentialScope,
  parseAmzDate,
  parseAuthorization,
  type SigningScope,
  sha256Hex,
  signatureHex,
  signingKey,
  stringToSign,
} from "./sigv4.ts";

/** How far a request's X-Amz-Date may be from the service's clock by default: 5 minutes. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface SigV4VerifierOptions extends SigningScope {
  /** the keys the fake service knows; a key with a sessionToken also requires that token */
  credentials: readonly AwsCredentials[];
  /** the service's clock; the real one by default */
  now?: () => Date;
  /** the largest accepted distance between X-Amz-Date and `now` (5 minutes unless the service says otherwise) */
  maxClockSkewMs?: number;
}

/** A rejection in AWS's terms: the HTTP status, the error code and its message. */
export interface SigV4Rejection {
  ok: false;
  status: number;
  code:
    | "MissingAuthenticationToken"
    | "IncompleteSignature"
    | "InvalidClientTokenId"
    | "SignatureDoesNotMatch";
  message: string;
}

export type SigV4Verdict = { ok: true; accessKeyId: string } | SigV4Rejection;

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";

function reject(status: number, code: SigV4Rejection["code"], message: string): SigV4Rejection {
  return { ok: false, status, code, message };
}

function header(request: LoopbackRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies a request's SigV4 `Authorization` header the way an AWS service does: recomputes the
 * signature from the request as received (method, path, query, the signed headers, the SHA-256
 * of the body) with the secret of the named access key, and compares. Rejections carry the
 * service's documented codes: 403 MissingAuthenticationToken without a header, 400
 * IncompleteSignature for a malformed one, 403 InvalidClientTokenId for an unknown key or a
 * wrong session token, 403 SignatureDoesNotMatch for a wrong scope, a stale or future
 * X-Amz-Date ("Signature expired: …") or a signature that does not match.
 */
export function verifySigV4(request: LoopbackRequest, options: SigV4VerifierOptions): SigV4Verdict {
  const authorization = header(request, "authorization");
  if (authorization === undefined || authorization.trim() === "") {
    return reject(403, "MissingAuthenticationToken", "Missing Authentication Token");
  }
  const parsed = parseAuthorization(authorization);
  if (parsed === null) {
    return reject(
      400,
      "IncompleteSignature",
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters in AWS4-HMAC-SHA256 form.",
    );
  }
  if (parsed.terminator !== "aws4_request") {
    return reject(
      400,
      "IncompleteSignature",
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminator}'.`,
    );
  }
  const dateHeader = header(request, "x-amz-date");
  const signedAt = dateHeader === undefined ? null : parseAmzDate(dateHeader.trim());
  if (dateHeader === undefined || signedAt === null) {
    return reject(
      400,
      "IncompleteSignature",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (!parsed.signedHeaders.includes("host")) {
    return reject(
      400,
      "IncompleteSignature",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (!parsed.signedHeaders.includes("x-amz-date")) {
    return reject(
      400,
      "IncompleteSignature",
      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }

  const known = options.credentials.find((credentials) => credentials.accessKeyId === parsed.accessKeyId);
  if (known === undefined) return reject(403, "InvalidClientTokenId", INVALID_TOKEN);
  const expectedToken = known.sessionToken ?? null;
  const token = header(request, "x-amz-security-token") ?? null;
  if (expectedToken !== token) return reject(403, "InvalidClientTokenId", INVALID_TOKEN);

  const now = (options.now ?? (() => new Date()))();
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const minutes = Math.round(maxSkewMs / 60_000);
  if (signedAt.getTime() < now.getTime() - maxSkewMs) {
    const oldest = amzDate(new Date(now.getTime() - maxSkewMs));
    return reject(
      403,
      "SignatureDoesNotMatch",
      `Signature expired: ${dateHeader} is now earlier than ${oldest} (${amzDate(now)} - ${minutes} min.)`,
    );
  }
  if (signedAt.getTime() > now.getTime() + maxSkewMs) {
    const latest = amzDate(new Date(now.getTime() + maxSkewMs));
    return reject(
      403,
      "SignatureDoesNotMatch",
      `Signature not yet current: ${dateHeader} is still later than ${latest} (${amzDate(now)} + ${minutes} min.)`,
    );
  }
  if (parsed.dateStamp !== dateHeader.slice(0, 8)) {
    return reject(
      403,
      "SignatureDoesNotMatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.dateStamp}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`,
    );
  }
  if (parsed.region !== options.region) {
    return reject(
      403,
      "SignatureDoesNotMatch",
      `Credential should be scoped to a valid region, not '${parsed.region}'.`,
    );
  }
  if (parsed.service !== options.service) {
    return reject(
      403,
      "SignatureDoesNotMatch",
      `Credential should be scoped to correct service: '${options.service}'.`,
    );
  }

  const signed: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(request, name);
    if (value === undefined) return reject(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
    signed[name] = value;
  }
  const canonical = canonicalRequest({
    method: request.method,
    pathname: request.path,
    query: Object.entries(request.query),
    headers: signed,
    payloadHash: sha256Hex(request.rawBody),
  });
  if (canonical.signedHeaders !== parsed.signedHeaders.join(";")) {
    // SignedHeaders must be lower-case and sorted, as the client computed them.
    return reject(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  const text = stringToSign(dateHeader, credentialScope(parsed.dateStamp, options), canonical.text);
  const expected = signatureHex(signingKey(known.secretAccessKey, parsed.dateStamp, options), text);
  if (!sameText(expected, parsed.signature)) return reject(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  return { ok: true, accessKeyId: known.accessKeyId };
}
