import type { Writable } from "node:stream";

/** A one-line progress bar on a terminal stream, redrawn in place; plain lines elsewhere. */
export function progressBar(stream: Writable & { isTTY?: boolean }, total: number, label: string) {
  let last = "";
  return {
    update(done: number, detail = ""): void {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const line =
        `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${detail}`.trimEnd();
      if (stream.isTTY) stream.write(`\r${line}`);
      else if (done === total || line.slice(0, 50) !== last.slice(0, 50)) stream.write(`${line}\n`);
      last = line;
    },
    finish(): void {
      if (stream.isTTY) stream.write("\n");
    },
  };
}
