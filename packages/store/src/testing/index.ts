export type { TestBackend, TestDatabase } from "./backends.ts";
export { DATABASE_KINDS, startTestBackend } from "./backends.ts";
export { inboundDelivery } from "./inbound-delivery.ts";
export type { PostgresCluster, StartPostgresClusterOptions } from "./postgres-cluster.ts";
export { findPostgresBin, startPostgresCluster } from "./postgres-cluster.ts";
export { queuedNotification } from "./queued-notification.ts";
