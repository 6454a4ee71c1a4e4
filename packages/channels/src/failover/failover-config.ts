import { z } from "zod";
import type { ChannelKind } from "../channel-provider.ts";

/**
 * A failover channel sends through other channels of the tenant, in order: when one fails in a
 * way worth retrying, or its circuit is open, the next one sends under the same idempotency key.
 * It is no ProviderFactory: its kind is its channels' kind and its provider is built by the
 * engine, which resolves those channels. This file holds what can be said without the database:
 * the configuration and the rules its channels must follow.
 */
export const FAILOVER_PROVIDER = "failover";

export const FAILOVER_MIN_CHANNELS = 2;
export const FAILOVER_MAX_CHANNELS = 5;

export const DEFAULT_CIRCUIT = { failures: 5, openSeconds: 60 } as const;

export const circuitConfigSchema = z.object({
  /** consecutive retryable failures of a channel that open its circuit */
  failures: z.number().int().min(1).max(1000).default(DEFAULT_CIRCUIT.failures),
  /** how long an open circuit keeps its channel out before one trial send is let through */
  openSeconds: z.number().int().min(1).max(86_400).default(DEFAULT_CIRCUIT.openSeconds),
});

export type CircuitConfig = z.output<typeof circuitConfigSchema>;

export const failoverConfigSchema = z.object({
  /** the tenant's channel names, tried in this order */
  channels: z
    .array(z.string().trim().min(1, "a channel name is required"))
    .min(FAILOVER_MIN_CHANNELS, `list ${FAILOVER_MIN_CHANNELS} to ${FAILOVER_MAX_CHANNELS} channels`)
    .max(FAILOVER_MAX_CHANNELS, `list ${FAILOVER_MIN_CHANNELS} to ${FAILOVER_MAX_CHANNELS} channels`)
    .refine((names) => new Set(names).size === names.length, "a channel is listed twice"),
  circuit: circuitConfigSchema.default({ ...DEFAULT_CIRCUIT }),
});

export type FailoverConfig = z.output<typeof failoverConfigSchema>;

/**
 * The provider id a failover channel is stored under: "failover:<kind>". The kind is part of it
 * so that planning (which picks the recipient's address and template by kind) needs no
 * decryption of the configuration.
 */
export function failoverStoredProvider(kind: ChannelKind): string {
  return `${FAILOVER_PROVIDER}:${kind}`;
}

const KINDS: readonly ChannelKind[] = [
  "email",
  "sms",
  "chat",
  "push",
  "webhook",
  "ticket",
  "event",
  "record",
];

/** The kind of a stored failover provider id ("failover:email" → "email"); null for any other id. */
export function failoverKindOf(storedProvider: string): ChannelKind | null {
  const prefix = `${FAILOVER_PROVIDER}:`;
  if (!storedProvider.startsWith(prefix)) return null;
  const kind = storedProvider.slice(prefix.length) as ChannelKind;
  return KINDS.includes(kind) ? kind : null;
}

/** What a failover rule needs to know of a channel the tenant has. */
export interface FailoverCandidate {
  /** "sendgrid", "twilio", … or FAILOVER_PROVIDER for a failover channel */
  provider: string;
  kind: ChannelKind;
}

/**
 * The kind rules of a failover channel named `name`: every listed channel exists (a channel with
 * no connection would only reach the preview outbox), is not the failover channel itself nor
 * another failover channel (so there is no failover of failovers and no cycle), and all share
 * one kind, which becomes the failover channel's. Returns that kind, or the first problem.
 */
export function failoverChannelKind(
  name: string,
  config: FailoverConfig,
  channels: ReadonlyMap<string, FailoverCandidate>,
): { kind: ChannelKind } | { problem: string } {
  let kind: ChannelKind | null = null;
  let first = "";
  for (const member of config.channels) {
    if (member === name) return { problem: `channel "${name}" cannot list itself` };
    const candidate = channels.get(member);
    if (!candidate) return { problem: `channel "${member}" does not exist` };
    if (candidate.provider === FAILOVER_PROVIDER) {
      return { problem: `channel "${member}" is a failover channel itself: list the channels it lists` };
    }
    if (kind === null) {
      kind = candidate.kind;
      first = member;
    } else if (candidate.kind !== kind) {
      return {
        problem: `channels must share one kind: "${first}" is ${kind}, "${member}" is ${candidate.kind}`,
      };
    }
  }
  // the schema guarantees at least two channels
  return { kind: kind ?? "webhook" };
}
