import { createHash, randomBytes } from "node:crypto";

/** A new API key ("tf_" + 32 random bytes): shown once, stored only as its hash. */
export function generateApiKey(): string {
  return `tf_${randomBytes(32).toString("base64url")}`;
}

/** What is stored and looked up: the SHA-256 of the key (keys are random, so no salt is needed). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
