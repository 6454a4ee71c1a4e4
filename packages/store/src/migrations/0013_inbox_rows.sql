-- 0013_inbox_rows: a queued delivery's row is rewritten when it is claimed and again when it is
-- settled. Its body and headers go out of line (TOAST, compressed) from 128 bytes on, so those
-- rewrites copy a row of a few hundred bytes rather than the whole delivery, and the pages keep
-- room for a claim's rewrite beside the row it replaces (a heap-only update: no index entries).
ALTER TABLE inbound_deliveries SET (toast_tuple_target = 128, fillfactor = 70);
