import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Engines open real databases (PGlite, a PostgreSQL cluster) and pg-boss polls in real time.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
