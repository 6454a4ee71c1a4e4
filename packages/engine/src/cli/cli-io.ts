import type { Readable, Writable } from "node:stream";

/** The streams a command talks through, passed in so commands are testable in-process. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export const processIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** A command's exit status: 0 done, 1 failed while working, 2 bad usage or bad input. */
export type ExitCode = 0 | 1 | 2;

export class UsageError extends Error {
  override name = "UsageError";
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(`${line}\n`);
}
