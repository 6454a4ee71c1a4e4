/**
 * Background work (ingesting queued deliveries, delivering notifications) held off while the
 * HTTP thread beside it is busy (`watchHttpPressure`), so acknowledgements keep their CPU and
 * the database's WAL to themselves during a burst. A spell of holding lasts at most `maxHoldMs`:
 * past that, the work goes on as usual until the spell ends, so a load that never lets up delays
 * it by that much and no more.
 */
export interface BackgroundHold {
  /** whether work should wait now */
  holding(): boolean;
  /** resolves once work may go on (at once when it may) */
  released(): Promise<void>;
}

export const NO_HOLD: BackgroundHold = { holding: () => false, released: async () => {} };

export function backgroundHold(busy: () => boolean, maxHoldMs: number, pollMs = 50): BackgroundHold {
  /** when the present spell began (null: not busy) */
  let since: number | null = null;
  const holding = () => {
    if (!busy()) {
      since = null;
      return false;
    }
    since ??= performance.now();
    return performance.now() - since < maxHoldMs;
  };
  return {
    holding,
    async released() {
      while (holding()) await new Promise((resolve) => setTimeout(resolve, pollMs));
    },
  };
}
