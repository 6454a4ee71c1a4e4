import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./main.ts";

const FIXTURES = join(import.meta.dirname, "../../../carriers/src");

async function run(argv: string[]) {
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
  const code = await runCli(argv, { stdin: Readable.from([]), stdout, stderr });
  return { code, out, err };
}

describe("trackflow flows simulate", () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-flows-"));
    await writeFile(
      file("flow.yaml"),
      `id: out-for-delivery
name: Out for delivery SMS
trigger: { type: shipment_status, statuses: [out_for_delivery] }
steps:
  - { id: sms, type: notify, channel: sms, to: customer, template: shipment_out_for_delivery }
`,
    );
    await writeFile(
      file("delivered.json"),
      JSON.stringify({
        id: "delivered",
        name: "Delivered email",
        trigger: { type: "shipment_status", statuses: ["delivered"] },
        steps: [
          { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_delivered" },
        ],
      }),
    );
    await writeFile(
      file("timeline.json"),
      JSON.stringify([
        { at: "2026-03-05T06:30:00+01:00", status: "out_for_delivery" },
        { at: "2026-03-05T13:20:00+01:00", status: "delivered", message: "Left at the door" },
      ]),
    );
    await writeFile(file("bad-flow.yaml"), "id: x\nname: x\ntrigger: { type: teleport }\nsteps: []\n");
    await writeFile(file("broken.yaml"), "id: [unclosed\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints each message with its time, flow/step, channel → recipient, subject and why", async () => {
    const r = await run([
      "flows",
      "simulate",
      "--flow",
      file("flow.yaml"),
      "--flow",
      file("delivered.json"),
      "--timeline",
      file("timeline.json"),
      "--time-zone",
      "Europe/Berlin",
      "--quiet-hours",
      "21:00-08:00",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^2 messages from Thu 2026-03-05 06:30 to .* \(Europe\/Berlin\); ups 1ZSIM00000000001: delivered\n/,
    );
    expect(r.out).toContain(
      "Thu 2026-03-05 08:00  out-for-delivery/sms  sms → +14155550100  [HELD]\n    My shop: Your order 1001 is out for delivery and arrives today.\n",
    );
    expect(r.out).toContain("    quiet hours 21:00–08:00 (Europe/Berlin)\n");
    expect(r.out).toContain(
      "Thu 2026-03-05 13:20  delivered/email  email → alex@example.com\n    Your order 1001 has been delivered\n    why: shipment out_for_delivery → delivered (event 'Left at the door', 2026-03-05T13:20:00+01:00)\n",
    );
  });

  it("prints JSON with --json, and uses the default flows and a named timeline", async () => {
    const r = await run([
      "flows",
      "simulate",
      "--named",
      "customs-hold",
      "--staff",
      "ops=ops@shop.example",
      "--json",
    ]);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.messages.map((m: { flowId: string }) => m.flowId)).toContain("default-staff-exceptions");
    expect(result.messages.find((m: { flowId: string }) => m.flowId === "default-staff-exceptions").to).toBe(
      "ops@shop.example",
    );
  });

  it("normalises a carrier payload with --source", async () => {
    const r = await run([
      "flows",
      "simulate",
      "--source",
      "easypost",
      "--timeline",
      join(FIXTURES, "easypost", "fixtures", "happy-path.json"),
      "--json",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).shipments[0]).toMatchObject({
      trackingNumber: "1Z999AA10123456784",
      status: "delivered",
    });
  });

  it.each([
    [["flows"], /a subcommand is required: simulate/],
    [["flows", "dance"], /unknown subcommand "dance"/],
    [["flows", "simulate"], /give either --timeline FILE or --named NAME/],
    [["flows", "simulate", "--named", "delayed", "--timeline", "x.json"], /give either --timeline/],
    [["flows", "simulate", "--named", "teleport"], /timeline\.named: no synthetic timeline "teleport"/],
    [["flows", "simulate", "--named", "delayed", "--time-zone", "Mars/Base"], /--time-zone: not an IANA/],
    [["flows", "simulate", "--named", "delayed", "--quiet-hours", "late"], /--quiet-hours: "HH:MM-HH:MM"/],
    [["flows", "simulate", "--named", "delayed", "--source", "pigeon"], /--source goes with --timeline/],
    [["flows", "simulate", "--timeline", "/nonexistent.json"], /ENOENT/],
  ])("%j exits 2 and says what is wrong", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });

  it("exits 2 naming the field of a bad flow file or the file that does not parse", async () => {
    const bad = await run(["flows", "simulate", "--flow", file("bad-flow.yaml"), "--named", "delayed"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^trackflow flows simulate: flows\.0\.trigger\.type: /);
    const broken = await run(["flows", "simulate", "--flow", file("broken.yaml"), "--named", "delayed"]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/broken\.yaml: malformed YAML: /);
  });

  it("is listed in --help", async () => {
    const r = await run(["--help"]);
    expect(r.out).toContain("trackflow flows simulate");
  });
});
