import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // engines open real databases (PGlite, a PostgreSQL cluster)
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
