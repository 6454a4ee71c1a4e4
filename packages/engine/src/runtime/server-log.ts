import { type Logger, pino } from "pino";

/** Log paths that may carry personal data or secrets: never written out. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.email",
  "*.phone",
  "*.address",
  "*.recipient",
  "*.customer",
  "*.secret",
  "*.apiKey",
  "*.config",
];

/** The server's structured log (pino, on standard output), personal data and secrets redacted. */
export function serverLog(env: { LOG_LEVEL: string }): Logger {
  return pino({ level: env.LOG_LEVEL, redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } });
}
