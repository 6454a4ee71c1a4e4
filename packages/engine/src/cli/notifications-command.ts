import { deadLetterCommand } from "./dead-letter-command.ts";

/** `trackflow notifications dead|replay`: notifications whose delivery was given up on. */
export const notificationsCommand = deadLetterCommand<{
  id: string;
  channel: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}>({
  name: "notifications",
  description: `  Lists the dead letters of a running server, or sends dead or failed notifications again with
  their original idempotency keys (a provider that accepted one before does not deliver it twice).`,
  listPath: "/api/notifications?status=dead&limit=1000",
  listKey: "notifications",
  replayPath: (id) => `/api/notifications/${id}/replay`,
  view: (n) => ({
    id: n.id,
    channel: n.channel,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: n.createdAt,
  }),
});
