import { benchApplyEvent } from "./apply-event-bench.ts";
import { formatRate, table } from "./measure.ts";
import { benchNormalize, normalizeRows } from "./normalize-bench.ts";

const ms = Number(process.env.BENCH_MS ?? 1500);
console.log(`Trackflow benchmarks on Node ${process.version}, ${ms} ms per measurement\n`);

console.log("Normalise + validate, per source (ratio = normalise time / JSON.parse time)");
console.log(table(normalizeRows(benchNormalize(ms))));

const apply = benchApplyEvent(ms * 2);
console.log(
  `\napplyEvent: ${formatRate(apply.eventsPerSecond)} events (stream of ${apply.events} events, 5,000 shipments)`,
);
