import { deadLetterCommand } from "./dead-letter-command.ts";

/** `trackflow deliveries dead|replay`: webhook deliveries the inbox gave up ingesting. */
export const deliveriesCommand = deadLetterCommand<{
  id: string;
  source: string;
  attempts: number;
  error: string | null;
  receivedAt: string;
}>({
  name: "deliveries",
  description: `  Lists the webhook deliveries a running server's inbox gave up ingesting (failed), or puts them
  back in the inbox to be ingested again (ingest is idempotent: what was applied stays applied once).`,
  listPath: "/api/deliveries?outcome=failed&limit=1000",
  listKey: "deliveries",
  replayPath: (id) => `/api/deliveries/${id}/replay`,
  view: (d) => ({
    id: d.id,
    source: d.source,
    attempts: d.attempts,
    error: d.error,
    receivedAt: d.receivedAt,
  }),
});
