import type { ShipmentEvent } from "@trackflow/core";

/** An inbound webhook delivery exactly as received, before any parsing. */
export interface WebhookRequest {
  rawBody: Uint8Array | string;
  /** header names in any case */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** the query parameters of the delivery URL (schemes that put a token there, such as Shippo's) */
  query?: Readonly<Record<string, string | undefined>>;
  /** the clock, passed in so signature freshness is testable */
  now: Date;
}

export type VerifyFailure = "missing_signature" | "bad_signature" | "stale_timestamp";

export type VerifyResult = { ok: true } | { ok: false; failure: VerifyFailure; message: string };

/** The secret material a tenant configured for one source. */
export interface SourceSecret {
  /** the shared secret (HMAC key, token or credential, per the source's scheme) */
  secret: string;
  /** how far a signed timestamp may lie from `now`, in seconds (schemes with timestamps) */
  toleranceSeconds?: number;
}

/**
 * One source of shipment status signals: a carrier API or an aggregator. It verifies a raw
 * webhook delivery with the tenant's secret and turns a decoded payload into events.
 */
export interface CarrierSource {
  readonly id: string;
  readonly name: string;
  /** Constant-time check of the delivery's authenticity, done on the raw bytes before parsing. */
  verify(request: WebhookRequest, secret: SourceSecret): VerifyResult;
  /** Decoded JSON payload to events; throws PayloadError naming the field at fault. */
  parse(payload: unknown): ShipmentEvent[];
  /**
   * The payload's shape checked as `parse` checks it, without making its events (a few times
   * cheaper): throws the PayloadError `parse` would for a field missing or of the wrong type.
   * What only the events reveal (a timestamp that cannot be read) `parse` alone finds.
   */
  check(payload: unknown): void;
}
