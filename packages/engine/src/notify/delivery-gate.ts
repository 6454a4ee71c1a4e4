import { quietHoursRelease } from "@trackflow/core";
import { findPreference, type NotificationRecipient, type Queryable, type TenantRow } from "@trackflow/store";

/** Channel kinds that reach systems, not people. */
const SYSTEM_KINDS: ReadonlySet<string> = new Set(["webhook", "record"]);

/** Whether and when one message may go to one recipient. */
export type GateDecision =
  | { send: true; at: Date; heldFor: "quiet_hours" | null }
  | { send: false; why: string };

/**
 * The recipient's say over a message: opted out of this kind of channel (or all) means not sent;
 * quiet hours in their time zone (theirs, else the tenant's default) hold it until they end.
 * A critical flow's messages pass both, as regulated notices and staff alerts must; so do calls
 * to systems (webhooks, records written to a host or a sheet): no person receives them, so there
 * is no preference to ask and no night to keep quiet.
 */
export async function deliveryGate(
  tx: Queryable,
  tenant: TenantRow,
  channelKind: string,
  recipient: NotificationRecipient,
  critical: boolean,
  earliest: Date,
): Promise<GateDecision> {
  if (critical || SYSTEM_KINDS.has(channelKind)) return { send: true, at: earliest, heldFor: null };
  const preference = await findPreference(tx, tenant.id, recipient.address, channelKind);
  if (preference.optedOut) return { send: false, why: `the recipient opted out of ${channelKind} messages` };
  const quiet = preference.quietHours ?? tenant.settings.quietHours ?? null;
  if (!quiet) return { send: true, at: earliest, heldFor: null };
  const zone = recipient.timeZone ?? preference.timeZone ?? tenant.settings.timeZone ?? "UTC";
  const at = quietHoursRelease(earliest, quiet, zone);
  return { send: true, at, heldFor: at.getTime() > earliest.getTime() ? "quiet_hours" : null };
}
