import { execFile } from "node:child_process";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "./main.ts";

const FIXTURES = join(import.meta.dirname, "../../../carriers/src");
const fixture = (source: string, name: string) => join(FIXTURES, source, "fixtures", `${name}.json`);

async function run(argv: string[], stdin = "") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += c;
  });
  stderr.on("data", (c) => {
    err += c;
  });
  const code = await runCli(argv, { stdin: Readable.from([stdin]), stdout, stderr });
  return {
    code,
    out,
    err,
    lines:
      out.trim() === ""
        ? []
        : out
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l)),
  };
}

describe("trackflow normalize", () => {
  it("prints one JSON line per event with the timestamp as given", async () => {
    const r = await run(["normalize", "--source", "fedex", fixture("fedex", "repeated-delivery-attempts")]);
    expect(r.code).toBe(0);
    expect(r.lines.length).toBeGreaterThan(3);
    for (const line of r.lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining([
          "trackingNumber",
          "carrier",
          "status",
          "reason",
          "actionRequired",
          "occurredAt",
          "rawCode",
          "message",
          "location",
        ]),
      );
    }
    expect(r.lines.map((l) => l.rawCode)).toContain("DL");
    expect(r.lines.find((l) => l.rawCode === "DL").occurredAt).toMatch(/[+-]\d{2}:\d{2}$/);
  });

  it("summarises the shipment after dedupe, with pieces when there are several", async () => {
    const r = await run(["normalize", "--source", "ups", "--summary", fixture("ups", "multi-package")]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({
      trackingNumber: expect.any(String),
      status: "delivered",
      events: expect.any(Number),
    });
    expect(r.lines[0].pieces).toHaveLength(2);
  });

  it("counts repeated scans once in the summary", async () => {
    const all = await run(["normalize", "--source", "fedex", fixture("fedex", "repeated-delivery-attempts")]);
    const summary = await run([
      "normalize",
      "--source",
      "fedex",
      "--summary",
      fixture("fedex", "repeated-delivery-attempts"),
    ]);
    expect(summary.lines[0].events).toBeLessThanOrEqual(all.lines.length);
    expect(summary.lines[0].status).toBe("delivered");
  });

  it("reads standard input when no file is given", async () => {
    const { readFile } = await import("node:fs/promises");
    const body = await readFile(fixture("dhl", "packstation-delivery"), "utf8");
    const r = await run(["normalize", "--source", "dhl", "--summary"], body);
    expect(r.code).toBe(0);
    expect(r.lines[0].status).toBe("delivered");
  });

  it("a return to sender ending in a delivered scan at the shipper summarises as returned", async () => {
    for (const [source, name] of [
      ["ups", "return-to-shipper"],
      ["fedex", "return-to-shipper"],
      ["dhl", "return-to-sender"],
      ["usps", "return-to-sender"],
    ] as const) {
      const r = await run(["normalize", "--source", source, "--summary", fixture(source, name)]);
      expect(r.lines[0]?.status, `${source}/${name}`).toBe("returned_to_sender");
    }
  });

  it.each([
    [["normalize", "--source", "dhl"], "{bad", /dhl: malformed JSON in standard input/],
    [["normalize", "--source", "dhl"], '{"foo":1}', /^dhl: shipments: /],
    [["normalize", "--source", "royalmail"], "{}", /unknown source "royalmail"/],
    [["normalize"], "{}", /--source is required/],
    [["normalize", "--source", "ups", "/nonexistent.json"], "", /ENOENT/],
    [["teleport"], "", /unknown command "teleport"/],
  ])("%j with %j exits 2 and says what is wrong", async (argv, stdin, message) => {
    const r = await run(argv, stdin);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });

  it("runs as a real process and exits non-zero on a bad payload", async () => {
    const main = join(import.meta.dirname, "main.ts");
    const ok = await promisify(execFile)(process.execPath, [
      main,
      "normalize",
      "--source",
      "usps",
      fixture("usps", "happy-path"),
    ]);
    expect(ok.stdout.trim().split("\n").length).toBeGreaterThan(1);
    await expect(
      promisify(execFile)(process.execPath, [
        main,
        "normalize",
        "--source",
        "usps",
        fixture("ups", "multi-package"),
      ]),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usps: /) });
  });
});
