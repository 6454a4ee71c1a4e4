import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { credentialField, httpUrlField } from "../config-fields.ts";
import type { TokenGrant } from "./access-token-cache.ts";
import { refreshTokenGrant, serviceAccountGrant } from "./token-grants.ts";

/** Google's OAuth 2.0 token endpoint (the `token_uri` of every service-account key file). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * A service-account key file as Google Cloud issues it (JSON, given as an object or as the file's
 * text): `client_email`, `private_key` (RSA, PKCS#8 PEM), `private_key_id`, `token_uri`; other
 * fields are kept and ignored.
 */
export const googleServiceAccountKeySchema = z.preprocess(
  parseJsonText,
  z.looseObject({
    type: z.literal("service_account", "type must be service_account").optional(),
    client_email: z.email("client_email must be the service account's email"),
    private_key: z
      .string()
      // a key pasted with its JSON escapes left in
      .transform((pem) => pem.replace(/\\n/g, "\n"))
      .refine(isPrivateKey, "private_key must be the key file's RSA private key (PEM)"),
    private_key_id: z.string().min(1).optional(),
    token_uri: httpUrlField.optional(),
  }),
);

export type GoogleServiceAccountKey = z.output<typeof googleServiceAccountKeySchema>;

/**
 * How a Google provider authenticates: an OAuth client with a user's refresh token (the user
 * consented to the scopes once), or a service account (acting as itself, or as `subject` with
 * domain-wide delegation). `tokenUrl` overrides Google's token endpoint (a loopback fake).
 */
export const googleAuthSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("refreshToken"),
    clientId: credentialField("clientId"),
    clientSecret: credentialField("clientSecret"),
    refreshToken: credentialField("refreshToken"),
    tokenUrl: httpUrlField.optional(),
  }),
  z.object({
    type: z.literal("serviceAccount"),
    serviceAccount: googleServiceAccountKeySchema,
    /** the Workspace user to act as (domain-wide delegation) */
    subject: z.email().optional(),
    tokenUrl: httpUrlField.optional(),
  }),
]);

export type GoogleAuth = z.output<typeof googleAuthSchema>;

/** The token request for a Google provider's auth, asking service accounts for `scopes`. */
export function googleTokenGrant(auth: GoogleAuth, scopes: readonly string[]): TokenGrant {
  const name = "Google token endpoint";
  if (auth.type === "refreshToken") {
    return refreshTokenGrant({
      name,
      tokenUrl: auth.tokenUrl ?? GOOGLE_TOKEN_URL,
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      refreshToken: auth.refreshToken,
    });
  }
  const key = auth.serviceAccount;
  return serviceAccountGrant({
    name,
    tokenUrl: auth.tokenUrl ?? key.token_uri ?? GOOGLE_TOKEN_URL,
    clientEmail: key.client_email,
    privateKey: key.private_key,
    ...(key.private_key_id ? { privateKeyId: key.private_key_id } : {}),
    scopes,
    ...(auth.subject ? { subject: auth.subject } : {}),
  });
}
