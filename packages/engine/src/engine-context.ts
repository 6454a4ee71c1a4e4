import { randomUUID } from "node:crypto";
import type { Database, PgBoss } from "@trackflow/store";
import type { Logger } from "pino";
import type { CredentialCipher } from "./security/credential-cipher.ts";

/** Everything the engine's operations share: the database, the queue, the clock, secrets. */
export interface EngineContext {
  db: Database;
  boss: PgBoss;
  cipher: CredentialCipher;
  now: () => Date;
  log: Logger;
  /** the server's origin as recipients reach it ("https://track.example.com"), for links in messages */
  publicUrl: string;
}

/** The queue of notifications to deliver; a job names one notification. */
export const NOTIFICATION_QUEUE = "notification.send";

export interface NotificationJob {
  tenantId: string;
  notificationId: string;
}

/** A new id with a readable prefix: "shp_…", "ntf_…", "ord_…". */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}
