import { type ShipmentEvent, type ShipmentEventInput, ShipmentEventSchema } from "@trackflow/core";
import { formatPath, PayloadError } from "./payload-error.ts";

/** Builds a ShipmentEvent through the core schema, so every source's output is validated alike. */
export function toEvent(input: ShipmentEventInput): ShipmentEvent {
  const result = ShipmentEventSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(input.source, `(normalised event) ${formatPath(issue.path)}`, issue.message);
}
