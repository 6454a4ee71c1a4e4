import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each file starts a PostgreSQL cluster and PGlite instances; pg-boss polls in real time.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
