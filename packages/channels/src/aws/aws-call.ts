import type { HttpCall } from "../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../provider-answer.ts";
import { type AwsConfig, awsCredentials } from "./aws-config.ts";
import { signRequest } from "./sigv4.ts";

/**
 * A POST to an AWS API signed with SigV4 at `now` for the configured Region and the service's
 * signing name. The headers carry the signature (and the session token): like every HttpCall,
 * they never reach an error text.
 */
export function signedAwsCall(
  config: AwsConfig,
  service: string,
  call: { url: string; headers: Record<string, string>; body: string },
  now: Date,
): HttpCall {
  const signed = signRequest(
    { method: "POST", url: call.url, headers: call.headers, body: call.body },
    awsCredentials(config),
    { region: config.region, service },
    now,
  );
  return { url: call.url, method: "POST", headers: signed.headers, body: call.body };
}

/**
 * Error codes that mean the credentials, their scope or the clock are wrong: a new attempt with
 * the same configuration fails the same way.
 */
export const AWS_AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "ExpiredToken",
  "ExpiredTokenException",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
  "SignatureDoesNotMatch",
  "UnrecognizedClientException",
]);

export const AWS_AUTH_HINT = "(check accessKeyId, secretAccessKey, sessionToken, region and the clock)";

/**
 * The error type of an AWS JSON (REST-JSON) answer: the `x-amzn-ErrorType` header without its
 * `:<namespace>` suffix, else the body's `__type` without its `<namespace>#` prefix, else `code`.
 */
export function awsJsonErrorType(answer: ProviderAnswer): string | undefined {
  const fromHeader = answer.headers.get("x-amzn-errortype")?.split(":")[0]?.trim();
  if (fromHeader) return fromHeader;
  const type =
    stringField(answer.json, "__type") ??
    stringField(answer.json, "code") ??
    stringField(answer.json, "Code");
  return type === undefined ? undefined : (type.split("#").pop() ?? type).split(":")[0];
}

/** "<type>: <message>" from an AWS JSON error answer (`message` or `Message` in the body). */
export function awsJsonErrorMessage(answer: ProviderAnswer): string | undefined {
  const type = awsJsonErrorType(answer);
  const body = isRecord(answer.json) ? answer.json : undefined;
  const message = stringField(body, "message") ?? stringField(body, "Message");
  if (message === undefined) return type;
  return oneLine(type === undefined ? message : `${type}: ${message}`);
}
