import { z } from "zod";

/** Why a shipment is in its status, where that matters to the recipient or merchant. */
export const REASONS = [
  "address_issue",
  "address_corrected",
  "forwarded",
  "customs_hold",
  "customs_cleared",
  "weather",
  "damaged",
  "refused",
  "recipient_unavailable",
  "delayed",
  "held_for_payment",
  "held_at_request",
  "missorted",
  "parcel_locker",
  "access_point",
  "signature_required",
  "id_required",
  "business_closed",
  "label_created",
  "carrier_handover",
  "rescheduled",
  "lost",
  "other",
] as const;

export type Reason = (typeof REASONS)[number];
export const ReasonSchema = z.enum(REASONS);
