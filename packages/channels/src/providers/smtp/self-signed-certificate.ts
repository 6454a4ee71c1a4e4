import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";

/**
 * A throwaway self-signed certificate for loopback TLS in tests, made in-process (no openssl, no
 * network): an EC P-256 key and an X.509 v3 certificate for 127.0.0.1 and localhost, valid from
 * an hour ago for a day, signed with ECDSA-SHA256. Clients trust it by taking `cert` as their CA.
 */
export function selfSignedCertificate(commonName = "Trackflow test"): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaWithSha256 = sequence(oid([1, 2, 840, 10045, 4, 3, 2]));
  const name = sequence(set(sequence(oid([2, 5, 4, 3]), tlv(0x0c, Buffer.from(commonName, "utf8")))));
  const now = Date.now();
  const subjectAltName = sequence(
    tlv(0x87, Buffer.from([127, 0, 0, 1])), // iPAddress
    tlv(0x82, Buffer.from("localhost", "ascii")), // dNSName
  );
  const basicConstraints = sequence(tlv(0x01, Buffer.from([0xff]))); // cA TRUE
  const extensions = sequence(
    sequence(oid([2, 5, 29, 17]), tlv(0x04, subjectAltName)),
    sequence(oid([2, 5, 29, 19]), tlv(0x01, Buffer.from([0xff])), tlv(0x04, basicConstraints)),
  );
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(Buffer.from([0x01, ...randomSerial()])),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const cert = pem("CERTIFICATE", der);
  // Parse it back: a malformed encoding fails here, not in a TLS handshake.
  new X509Certificate(cert);
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert };
}

function randomSerial(): number[] {
  return Array.from({ length: 8 }, () => Math.floor(Math.random() * 256));
}

function tlv(tag: number, value: Buffer): Buffer {
  const length = value.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else header = [tag, 0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(header), value]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes);
}

function oid(parts: number[]): Buffer {
  const [first = 0, second = 0, ...rest] = parts;
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let value = part >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(2, 14);
  return tlv(0x17, Buffer.from(`${text}Z`, "ascii"));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
