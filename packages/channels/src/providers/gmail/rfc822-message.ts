import { createHash } from "node:crypto";

/** A mailbox: address and optional display name. */
export interface MailAddress {
  email: string;
  name?: string | null;
}

export interface Rfc822Parts {
  from: MailAddress;
  to: MailAddress;
  replyTo?: MailAddress;
  subject: string;
  text: string;
  html?: string | null;
  /** the Message-ID without angle brackets */
  messageId: string;
  date: Date;
  /** extra headers (X-…); names are ASCII tokens, values are encoded when not plain ASCII */
  headers?: Record<string, string>;
}

const CRLF = "\r\n";

/** Printable ASCII without specials that would need quoting inside a phrase. */
const ATOM_TEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * RFC 2047 encoded-words (`=?UTF-8?B?…?=`) for `text`, each at most 75 characters and never
 * splitting a character, joined by folding whitespace.
 */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = "";
  for (const char of text) {
    // 45 bytes of UTF-8 make 60 base64 characters: with "=?UTF-8?B?" and "?=", 72 in all.
    if (Buffer.byteLength(chunk + char, "utf8") > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "" || words.length === 0) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, "utf8").toString("base64")}?=`).join(`${CRLF} `);
}

/** An unstructured header value (Subject): as is when plain printable ASCII, encoded-words otherwise. */
export function unstructuredValue(text: string): string {
  return PRINTABLE_ASCII.test(text) && text.length <= 900 ? text : encodedWords(text);
}

/** `"Name" <address>` / `=?UTF-8?B?…?= <address>` / `address`. */
export function mailboxValue(address: MailAddress): string {
  const name = address.name?.trim();
  if (!name) return address.email;
  if (ATOM_TEXT.test(name)) return `${name} <${address.email}>`;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/[\\"]/g, "\\$&")}" <${address.email}>`;
  return `${encodedWords(name)} <${address.email}>`;
}

/** RFC 5322 §3.3 date-time in UTC: "Mon, 10 Mar 2025 12:00:00 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/** Base64 body lines of at most 76 characters (RFC 2045 §6.8). */
function base64Body(text: string): string {
  return (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,76}/g) ?? [""]
  ).join(CRLF);
}

function textPart(subtype: "plain" | "html", content: string): string {
  return [
    `Content-Type: text/${subtype}; charset=UTF-8`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Body(content),
  ].join(CRLF);
}

/**
 * A complete RFC 5322 message with CRLF line ends: From, To, Reply-To, Subject (RFC 2047 when
 * not ASCII), Date, Message-ID, MIME-Version and the extra headers, then either a single
 * text/plain part or multipart/alternative (text/plain first, then text/html, RFC 2046 §5.1.4
 * order of preference), every part UTF-8 in base64. The boundary is derived from the
 * Message-ID, so the same message is built the same way each time.
 */
export function buildRfc822Message(parts: Rfc822Parts): string {
  const headers = [
    `From: ${mailboxValue(parts.from)}`,
    `To: ${mailboxValue(parts.to)}`,
    ...(parts.replyTo ? [`Reply-To: ${mailboxValue(parts.replyTo)}`] : []),
    `Subject: ${unstructuredValue(parts.subject)}`,
    `Date: ${rfc5322Date(parts.date)}`,
    `Message-ID: <${parts.messageId}>`,
    "MIME-Version: 1.0",
    ...Object.entries(parts.headers ?? {}).map(([name, value]) => `${name}: ${unstructuredValue(value)}`),
  ];
  if (!parts.html) {
    return [...headers, textPart("plain", parts.text)].join(CRLF) + CRLF;
  }
  const boundary = `=_trackflow_${createHash("sha256").update(parts.messageId).digest("hex").slice(0, 24)}`;
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    textPart("plain", parts.text),
    `--${boundary}`,
    textPart("html", parts.html),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

/** A Message-ID for a notification: the same idempotency key gives the same id, at the sender's domain. */
export function notificationMessageId(idempotencyKey: string, fromEmail: string): string {
  const domain = fromEmail.slice(fromEmail.lastIndexOf("@") + 1) || "trackflow.invalid";
  return `${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}.trackflow@${domain}`;
}
