import PostalMime from "postal-mime";

/** A mailbox of an address header: the address and the display name ("" when none). */
export interface MimeMailbox {
  address: string;
  name: string;
}

/** An RFC 5322 message as postal-mime reads it, in the fields the mail fakes record. */
export interface MimeMessageFields {
  from: MimeMailbox | null;
  to: MimeMailbox[];
  replyTo: MimeMailbox[];
  subject: string | null;
  text: string | null;
  html: string | null;
  messageId: string | null;
  date: string | null;
  /** header names lower-cased, the first value of each */
  headers: Record<string, string>;
}

/** Reads a raw message the way a receiving server would; entries without an address are left out. */
export async function readMimeMessage(raw: string): Promise<MimeMessageFields> {
  const email = await PostalMime.parse(raw);
  const mailboxes = (list: Array<{ address?: string | undefined; name: string }> | undefined) =>
    (list ?? []).flatMap((entry) => (entry.address ? [{ address: entry.address, name: entry.name }] : []));
  const headers: Record<string, string> = {};
  for (const header of email.headers) if (!(header.key in headers)) headers[header.key] = header.value;
  return {
    from: mailboxes(email.from ? [email.from] : [])[0] ?? null,
    to: mailboxes(email.to),
    replyTo: mailboxes(email.replyTo),
    subject: email.subject ?? null,
    text: email.text ?? null,
    html: email.html ?? null,
    messageId: email.messageId ?? null,
    date: email.date ?? null,
    headers,
  };
}
