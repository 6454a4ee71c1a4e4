// Adds up the vitest JSON reports every package wrote during `pnpm test` and prints one
// closing line, "N passed, N failed", so a whole-repo run ends with a single verdict.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
let passed = 0;
let failed = 0;
let skipped = 0;
const missing: string[] = [];

for (const group of ["packages", "apps"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkg = join(dir, name, "package.json");
    if (!existsSync(pkg) || !JSON.parse(readFileSync(pkg, "utf8")).scripts?.test) continue;
    const report = join(dir, name, ".vitest-report.json");
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    rmSync(report);
  }
}
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(", ")} (their tests did not run to the end)`);
  failed += missing.length;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 ? 1 : 0;
