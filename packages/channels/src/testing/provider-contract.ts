import { expect } from "vitest";
import type { z } from "zod";
import type {
  ChannelProvider,
  OutboundMessage,
  ProviderDeps,
  ProviderFactory,
  SendResult,
} from "../channel-provider.ts";
import type { LoopbackReply, LoopbackServer } from "./loopback-server.ts";
import { outboundMessage } from "./outbound-message.ts";

/**
 * The checks every HTTP provider's tests share: how transport failures are classified, that no
 * credential reaches an error text, that bad configuration names the field at fault, and the
 * set-up of a provider from its factory. Test-only (it asserts with vitest's `expect`).
 */

/** A fresh signal for one send, never aborted. */
export function testSignal(): AbortSignal {
  return new AbortController().signal;
}

/** Config overrides a provider test passes on top of its base configuration. */
export type ConfigOverrides = Record<string, unknown>;

/**
 * Builds providers as a saved channel configuration does: the factory's own schema parses the base
 * configuration (a function, read at each call, since it usually names the current loopback
 * server's URL) with the overrides on top, and the factory creates the provider with `deps`
 * (`fetch` is the global one unless given).
 */
export function providerMaker<Schema extends z.ZodType>(
  factory: ProviderFactory<Schema>,
  baseConfig: () => ConfigOverrides,
  deps: { now: () => Date; fetch?: typeof globalThis.fetch },
): (overrides?: ConfigOverrides) => ChannelProvider {
  return (overrides = {}) => {
    const config = factory.configSchema.parse({ ...baseConfig(), ...overrides }) as z.output<Schema>;
    const providerDeps: ProviderDeps = { fetch: deps.fetch ?? globalThis.fetch, now: deps.now };
    return factory.create(config, providerDeps);
  };
}

/** A credential (or a recognisable part of one: a path segment, a token prefix) that no result may show. */
export type Secret = string | RegExp;

/** Expects neither the result's error text nor the result as a whole to show any of the secrets. */
export function expectNoSecretsIn(result: SendResult, secrets: readonly Secret[]): void {
  const texts = [JSON.stringify(result)];
  if (result.outcome !== "sent") texts.push(result.error);
  for (const secret of secrets) {
    if (secret === "") throw new Error("expectNoSecretsIn: an empty secret matches everything");
    for (const text of texts) {
      if (typeof secret === "string") expect(text).not.toContain(secret);
      else expect(text).not.toMatch(secret);
    }
  }
}

/** The dotted paths of the issues the schema finds in the input; empty when it parses. */
export function configIssuePaths(schema: z.ZodType, input: unknown): string[] {
  return schema.safeParse(input).error?.issues.map((issue) => issue.path.join(".")) ?? [];
}

/**
 * Expects the schema to refuse the input with an issue at each of the fields (others may come
 * too), and returns the issues for further checks.
 */
export function expectConfigErrorsAt(
  schema: z.ZodType,
  input: unknown,
  fields: readonly string[],
): z.core.$ZodIssue[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  const issues = result.error?.issues ?? [];
  expect(issues.map((issue) => issue.path.join("."))).toEqual(expect.arrayContaining([...fields]));
  return issues;
}

export interface TransportContract {
  /** the provider's name as its error texts show it: "SendGrid", "Pipedrive (person search)"… */
  name: string;
  /**
   * A provider ready to send against `server`, with the overrides on its configuration (the
   * timeout check passes `timeoutMs`). A provider that fetches a token first should come warmed
   * up (one send done), so the scripted failures hit the API call itself.
   */
  makeProvider: (overrides: ConfigOverrides) => ChannelProvider | Promise<ChannelProvider>;
  /** the test's loopback server; it is closed by the last check (an afterEach may close it again) */
  server: LoopbackServer;
  /** credentials no result may show */
  secrets: readonly Secret[];
  /** the message sent; `outboundMessage()` by default */
  message?: OutboundMessage;
  /** the timeout configured for the timeout check; 150 ms by default */
  timeoutMs?: number;
  /**
   * A plain 5xx answer, expected retryable without a wait; with `error`, that exact error text,
   * else only the outcome and the status are checked.
   */
  serverError?: { status: number; reply?: Omit<LoopbackReply, "status">; error?: string };
}

/**
 * The transport failures every HTTP provider must call retryable, none showing a secret: a 5xx
 * answer (when `serverError` is given), a connection dropped without an answer, no answer within
 * the configured timeout ("<name>: no answer within <N> ms"), and a network failure once the
 * server is gone (it closes `server`, so it comes last in a test).
 */
export async function expectTransportFailuresRetryable(contract: TransportContract): Promise<void> {
  const { name, makeProvider, server, secrets, serverError } = contract;
  const message = contract.message ?? outboundMessage();
  const timeoutMs = contract.timeoutMs ?? 150;
  const networkError = {
    outcome: "retryable",
    error: expect.stringMatching(new RegExp(`^${escapeRegExp(name)}: network error: `)),
    statusCode: null,
    retryAfterMs: null,
  };

  if (serverError !== undefined) {
    const provider = await makeProvider({});
    server.errorNext(1, serverError.status, serverError.reply);
    const result = await provider.send(message, testSignal());
    if (serverError.error === undefined) {
      expect(result).toMatchObject({ outcome: "retryable", statusCode: serverError.status });
    } else {
      expect(result).toEqual({
        outcome: "retryable",
        error: serverError.error,
        statusCode: serverError.status,
        retryAfterMs: null,
      });
    }
    expectNoSecretsIn(result, secrets);
  }

  const dropping = await makeProvider({});
  server.resetNext(1);
  const dropped = await dropping.send(message, testSignal());
  expect(dropped, "a dropped connection").toEqual(networkError);
  expectNoSecretsIn(dropped, secrets);

  const waiting = await makeProvider({ timeoutMs });
  server.stallNext(1, 5_000);
  const timedOut = await waiting.send(message, testSignal());
  expect(timedOut, "a stalled answer").toEqual({
    outcome: "retryable",
    error: `${name}: no answer within ${timeoutMs} ms`,
    statusCode: null,
    retryAfterMs: null,
  });
  expectNoSecretsIn(timedOut, secrets);

  const stranded = await makeProvider({});
  await server.close();
  const unreachable = await stranded.send(message, testSignal());
  expect(unreachable, "a closed server").toEqual(networkError);
  expectNoSecretsIn(unreachable, secrets);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
