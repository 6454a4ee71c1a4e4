import type { AddressInfo, Socket } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { type MimeMessageFields, readMimeMessage } from "../../testing/mime-message.ts";
import { selfSignedCertificate } from "./self-signed-certificate.ts";

/** A message the fake server accepted with 250, as it arrived and as postal-mime reads it. */
export interface FakeSmtpMail extends MimeMessageFields {
  /** the queue id the fake named in its 250 reply ("Ok: queued as <id>") */
  queueId: string;
  /** the AUTH user the session logged in as */
  user: string;
  /** MAIL FROM and RCPT TO */
  envelope: { from: string; to: string[] };
  /** the message as it came over DATA */
  raw: string;
}

/** Where in the SMTP conversation a scripted failure happens. */
export type FakeSmtpStage = "connect" | "mail" | "rcpt" | "data";

/** A scripted failure for the next connection, instead of the fake's usual answer at that stage. */
export type FakeSmtpFailure =
  /** answer this reply code and text (421 or 554 at connect closes the connection) */
  | { kind: "reply"; stage: FakeSmtpStage; code: number; message: string }
  /** drop the TCP connection without an answer: before the greeting, or after the message was sent */
  | { kind: "drop"; stage: "connect" | "data" }
  /** hold the greeting or the answer to DATA back this long */
  | { kind: "stall"; stage: "connect" | "data"; ms: number };

export interface FakeSmtp {
  readonly host: string;
  readonly port: number;
  /** the PEM certificate the server presents with STARTTLS or implicit TLS (null without TLS), for the client's CA */
  readonly certificate: string | null;
  /** every message accepted, in order */
  readonly received: FakeSmtpMail[];
  /** AUTH attempts refused with 535 */
  readonly authFailures: number;
  /** errors thrown by the fake's own handlers (answered 451); a test expects this to stay empty */
  readonly handlerErrors: unknown[];
  /** RCPT TO this address is answered 550 5.1.1 (mailbox unavailable) from now on */
  rejectRecipient(address: string): void;
  /** the next `count` connections meet this failure */
  failNext(count: number, failure: FakeSmtpFailure): void;
  /** the next `count` messages get 451 4.3.0 (try again later) at the given stage, DATA by default */
  temporaryFailureNext(count: number, stage?: FakeSmtpStage): void;
  /** the next `count` connections are dropped, before the greeting or after the message was sent */
  dropNext(count: number, stage?: "connect" | "data"): void;
  /** the next `count` connections wait `ms` before the answer to DATA */
  stallNext(count: number, ms: number): void;
  /** connections currently open */
  openConnections(): number;
  /** resolves once no connection is open (within `ms`), so tests can see a client hangs nothing up */
  waitUntilIdle(ms?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface FakeSmtpOptions {
  /** the only credentials AUTH PLAIN / AUTH LOGIN accepts */
  user: string;
  pass: string;
  /** when set, MAIL FROM must be one of these (553 5.7.1 otherwise), as a relay restricts senders */
  allowedSenders?: string[];
  /**
   * "none" (default): plain SMTP, STARTTLS disabled; "starttls": STARTTLS offered (and AUTH only
   * after it); "implicit": TLS from the first byte, like port 465. Both present a self-signed
   * certificate for 127.0.0.1 made in-process, exposed as `certificate`.
   */
  tls?: "none" | "starttls" | "implicit";
}

const MAILBOX = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MESSAGE_ID = /^<[^\s<>@]+@[^\s<>@]+>$/;
/** the fake's size limit, advertised in EHLO (SIZE) and enforced with 552 */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 at a free port, for tests of the SMTP provider.
 * It enforces what a submission server enforces: AUTH PLAIN or LOGIN with the given credentials
 * before MAIL FROM (530 otherwise, 535 5.7.8 on wrong credentials), syntactically valid
 * addresses (553 5.1.3), known recipients (550 5.1.1 for rejected ones), a 10 MB size limit
 * (552), and RFC 5322 messages with From, Date and a valid Message-ID (554 5.6.0 otherwise). It
 * accepts with "250 2.0.0 Ok: queued as <id>", like Postfix, and can be scripted to answer a
 * failure reply, drop the connection or stall. With `tls` it speaks STARTTLS (refusing AUTH in
 * clear text, 538) or implicit TLS with a self-signed certificate.
 */
export async function startFakeSmtp(options: FakeSmtpOptions): Promise<FakeSmtp> {
  const received: FakeSmtpMail[] = [];
  const handlerErrors: unknown[] = [];
  const rejected = new Set<string>();
  const script: FakeSmtpFailure[] = [];
  const failures = new Map<string, FakeSmtpFailure>();
  const sockets = new Map<number, Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let authFailures = 0;
  let queued = 0;
  const tls = options.tls ?? "none";
  const certificate = tls === "none" ? null : selfSignedCertificate("smtp.fake.test");

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  /** the scripted failure of this session at this stage, if any */
  const failureAt = (session: SMTPServerSession, stage: FakeSmtpStage): FakeSmtpFailure | undefined => {
    const failure = failures.get(session.id);
    return failure?.stage === stage ? failure : undefined;
  };

  const server = new SMTPServer({
    name: "smtp.fake.test",
    banner: "Trackflow fake SMTP",
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    ...(certificate === null
      ? { allowInsecureAuth: true, disabledCommands: ["STARTTLS"] }
      : {
          allowInsecureAuth: false,
          secure: tls === "implicit",
          key: certificate.key,
          cert: certificate.cert,
        }),
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 100,
    onConnect(session, callback) {
      const failure = script.shift();
      if (failure !== undefined) failures.set(session.id, failure);
      if (failure?.stage !== "connect") return callback();
      if (failure.kind === "reply") return callback(smtpError(failure.code, failure.message));
      if (failure.kind === "drop") {
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      later(failure.ms, () => callback());
    },
    onAuth(auth, session, callback) {
      if (certificate !== null && !session.secure) {
        return callback(smtpError(538, "5.7.11 Encryption required for requested authentication mechanism"));
      }
      if (auth.method !== "PLAIN" && auth.method !== "LOGIN") {
        return callback(smtpError(504, "5.5.4 Unrecognized authentication type"));
      }
      if (auth.username !== options.user || auth.password !== options.pass) {
        authFailures++;
        return callback(smtpError(535, "5.7.8 Error: authentication failed: Invalid credentials"));
      }
      callback(null, { user: auth.username });
    },
    onMailFrom(address, session, callback) {
      const failure = failureAt(session, "mail");
      if (failure?.kind === "reply") return callback(smtpError(failure.code, failure.message));
      if (!MAILBOX.test(address.address)) {
        return callback(smtpError(553, "5.1.7 Bad sender address syntax"));
      }
      if (options.allowedSenders && !options.allowedSenders.includes(address.address.toLowerCase())) {
        return callback(
          smtpError(553, `5.7.1 <${address.address}>: Sender address rejected: not owned by user`),
        );
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const failure = failureAt(session, "rcpt");
      if (failure?.kind === "reply") return callback(smtpError(failure.code, failure.message));
      if (!MAILBOX.test(address.address)) {
        return callback(smtpError(553, "5.1.3 Bad recipient address syntax"));
      }
      if (rejected.has(address.address.toLowerCase())) {
        return callback(
          smtpError(
            550,
            `5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`,
          ),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      readStream(stream)
        .then(async (raw) => {
          const failure = failureAt(session, "data");
          if (failure?.kind === "drop") {
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          const answer = async () => {
            if (failure?.kind === "reply") return callback(smtpError(failure.code, failure.message));
            if (stream.sizeExceeded) return callback(); // smtp-server answers 552 itself
            const mail = await readMimeMessage(raw);
            const problem = messageProblem(mail);
            if (problem !== null) return callback(smtpError(554, `5.6.0 ${problem}`));
            queued++;
            const queueId = `4TF${queued.toString(16).toUpperCase().padStart(7, "0")}`;
            received.push({
              queueId,
              user: String(session.user ?? ""),
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              },
              ...mail,
              raw,
            });
            callback(null, `2.0.0 Ok: queued as ${queueId}`);
          };
          if (failure?.kind === "stall") later(failure.ms, () => void answer().catch(handlerFailed));
          else await answer();
        })
        .catch(handlerFailed);
      function handlerFailed(error: unknown) {
        handlerErrors.push(error);
        callback(smtpError(451, "4.3.0 Error: fake handler failed"));
      }
    },
  });
  // Clients that hang up mid-conversation surface as connection errors; they are the point of some tests.
  server.on("error", () => undefined);
  server.server.on("connection", (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.once("close", () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const repeat = (count: number, failure: FakeSmtpFailure) => {
    for (let i = 0; i < count; i++) script.push(failure);
  };

  return {
    host: "127.0.0.1",
    port,
    certificate: certificate?.cert ?? null,
    received,
    handlerErrors,
    get authFailures() {
      return authFailures;
    },
    rejectRecipient(address) {
      rejected.add(address.toLowerCase());
    },
    failNext: repeat,
    temporaryFailureNext(count, stage = "data") {
      repeat(count, {
        kind: "reply",
        stage,
        code: 451,
        message: "4.3.0 Error: queue file write error, try again later",
      });
    },
    dropNext(count, stage = "data") {
      repeat(count, { kind: "drop", stage });
    },
    stallNext(count, ms) {
      repeat(count, { kind: "stall", stage: "data", ms });
    },
    openConnections() {
      return sockets.size;
    },
    async waitUntilIdle(ms = 1_000) {
      const deadline = Date.now() + ms;
      while (sockets.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return sockets.size === 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readStream(stream: SMTPServerDataStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

/** Why a message is not an acceptable RFC 5322 message, or null. */
function messageProblem(mail: MimeMessageFields): string | null {
  if (mail.from === null) return "Message rejected: a From header with an address is required (RFC 5322)";
  if (mail.date === null) return "Message rejected: a Date header is required (RFC 5322)";
  if (mail.messageId === null || !MESSAGE_ID.test(mail.messageId)) {
    return "Message rejected: the Message-ID header is missing or malformed";
  }
  return null;
}
