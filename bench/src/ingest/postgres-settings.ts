/**
 * PostgreSQL settings from an environment variable of `name=value` pairs separated by commas
 * (`log_checkpoints=on,max_wal_size=4GB`), for experiments; a value may itself hold `=`.
 */
export function postgresSettingsFromEnv(
  variable: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return Object.fromEntries(
    (env[variable] ?? "")
      .split(",")
      .filter((pair) => pair.trim() !== "")
      .map((pair) => {
        const at = pair.indexOf("=");
        if (at <= 0) throw new Error(`${variable}: "${pair}" is not name=value`);
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      }),
  );
}
