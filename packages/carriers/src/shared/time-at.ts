import { TimestampError } from "@trackflow/core";
import { PayloadError } from "./payload-error.ts";

/** Reads a timestamp field; an unreadable one becomes a PayloadError naming the source and field. */
export function timeAt<T>(source: string, path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof TimestampError) throw new PayloadError(source, path, error.message);
    throw error;
  }
}
