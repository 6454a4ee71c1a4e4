/**
 * A counter of this process's writes to the configuration that the engine caches per process
 * (tenants, source secrets, flows, channel credentials): a cached copy older than the counter is
 * stale. Writes from other processes are not seen; the engine's cache also expires with age.
 */
let version = 0;

export function configVersion(): number {
  return version;
}

/** Called by every store function that changes cached configuration. */
export function configChanged(): void {
  version++;
}
