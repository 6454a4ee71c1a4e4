import type { EngineContext } from "../engine-context.ts";

/** When a circuit opens and for how long (a failover channel's `circuit` configuration). */
export interface CircuitSettings {
  /** consecutive retryable failures that open the circuit */
  failures: number;
  /** how long it stays open before one trial send is let through */
  openSeconds: number;
}

export type CircuitState = "closed" | "open" | "half-open";

/** Whether a send may go through a channel now. */
export type CircuitAdmission =
  /** `trial`: the circuit is half-open and this send decides whether it closes or opens again */
  | { allowed: true; trial: boolean }
  /** the circuit is open (or its one trial is under way) until `reopensAt` */
  | { allowed: false; reopensAt: Date };

interface Circuit {
  /** consecutive retryable failures */
  failures: number;
  /** while open, when it becomes half-open (ms); null while closed */
  openUntil: number | null;
  /** when the half-open trial was let through (ms); null when none is under way */
  trialSince: number | null;
}

/**
 * Circuit breakers for a tenant's channels, in this process's memory: after `failures`
 * consecutive retryable failures a channel's circuit opens and sends skip it for `openSeconds`;
 * it is then half-open and lets one trial send through: success closes it, a retryable failure
 * opens it again for another `openSeconds`. A final answer (the provider rejected the message)
 * shows the provider is up and counts as a success. A trial whose outcome never comes (its
 * worker threw) is given up after `openSeconds`, and another is let through.
 *
 * Each process learns on its own: with several workers, each opens its circuits after its own
 * failures. The clock is injected.
 */
export class CircuitBreaker {
  readonly #now: () => Date;
  readonly #circuits = new Map<string, Circuit>();

  constructor(now: () => Date) {
    this.#now = now;
  }

  /** Asks to send through the channel now; a half-open circuit lets one send through. */
  admit(tenantId: string, channel: string, settings: CircuitSettings): CircuitAdmission {
    const circuit = this.#circuits.get(key(tenantId, channel));
    if (!circuit || circuit.openUntil === null) return { allowed: true, trial: false };
    const now = this.#now().getTime();
    if (now < circuit.openUntil) return { allowed: false, reopensAt: new Date(circuit.openUntil) };
    const openMs = settings.openSeconds * 1000;
    if (circuit.trialSince !== null && now < circuit.trialSince + openMs) {
      return { allowed: false, reopensAt: new Date(circuit.trialSince + openMs) };
    }
    circuit.trialSince = now;
    return { allowed: true, trial: true };
  }

  /** The provider answered (sent, or rejected the message for good): the circuit closes. */
  succeeded(tenantId: string, channel: string): void {
    this.#circuits.delete(key(tenantId, channel));
  }

  /**
   * A retryable failure: counted, and the circuit opens at the threshold, or again at once when
   * it was this half-open circuit's trial. Returns when it reopens when it is open now.
   */
  failed(tenantId: string, channel: string, settings: CircuitSettings): Date | null {
    const id = key(tenantId, channel);
    const circuit = this.#circuits.get(id) ?? { failures: 0, openUntil: null, trialSince: null };
    this.#circuits.set(id, circuit);
    const now = this.#now().getTime();
    circuit.failures += 1;
    const halfOpen = circuit.openUntil !== null && now >= circuit.openUntil;
    if (halfOpen || (circuit.openUntil === null && circuit.failures >= settings.failures)) {
      circuit.openUntil = now + settings.openSeconds * 1000;
      circuit.trialSince = null;
    }
    return circuit.openUntil !== null && now < circuit.openUntil ? new Date(circuit.openUntil) : null;
  }

  state(tenantId: string, channel: string): CircuitState {
    const circuit = this.#circuits.get(key(tenantId, channel));
    if (!circuit || circuit.openUntil === null) return "closed";
    return this.#now().getTime() < circuit.openUntil ? "open" : "half-open";
  }

  /** When the channel's open circuit becomes half-open; null when it is not open. */
  reopensAt(tenantId: string, channel: string): Date | null {
    const circuit = this.#circuits.get(key(tenantId, channel));
    if (!circuit || circuit.openUntil === null || this.#now().getTime() >= circuit.openUntil) return null;
    return new Date(circuit.openUntil);
  }
}

function key(tenantId: string, channel: string): string {
  return `${tenantId}\u0000${channel}`;
}

const breakers = new WeakMap<EngineContext, CircuitBreaker>();

/** The process's circuit breaker for an engine, on the engine's clock. */
export function circuitBreakerOf(ctx: EngineContext): CircuitBreaker {
  let breaker = breakers.get(ctx);
  if (!breaker) {
    breaker = new CircuitBreaker(() => ctx.now());
    breakers.set(ctx, breaker);
  }
  return breaker;
}
