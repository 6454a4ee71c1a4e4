import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for credentials at rest. Stored form: "v1.<iv>.<tag>.<ciphertext>" (base64url),
 * with the tenant and purpose bound in as additional data so a ciphertext copied to another
 * tenant's row does not decrypt.
 */
export class CredentialCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("the credential key must be 32 bytes (base64 of 32 random bytes)");
    this.#key = key;
  }

  static fromBase64(encoded: string): CredentialCipher {
    return new CredentialCipher(Buffer.from(encoded, "base64"));
  }

  /**
   * A key for one purpose ("unsubscribe-links", "tracking-links"), derived from the secret key
   * with HKDF-SHA256: signing links never uses the encryption key itself, and a key leaked from
   * one purpose signs nothing of another.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync("sha256", this.#key, Buffer.alloc(0), `trackflow:${purpose}`, 32));
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }

  decrypt(stored: string, context: string): string {
    const [version, iv, tag, body] = stored.split(".");
    if (version !== "v1" || iv === undefined || tag === undefined || body === undefined) {
      throw new Error("not a Trackflow credential ciphertext");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new Error("credential does not decrypt: wrong key, wrong tenant, or tampered");
    }
  }
}
