import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

/**
 * The embedded app's build: `vite build` runs the Remix plugin, which writes the browser bundle
 * to build/client and the server bundle to build/server. The workspace packages (@trackflow/*)
 * stay external: Node runs their TypeScript as it runs the server's.
 */
export default defineConfig({
  plugins: [remix({ appDirectory: "app", ignoredRouteFiles: ["**/*.test.ts", "**/*.test.tsx"] })],
  ssr: { external: ["@trackflow/engine", "@trackflow/store", "@trackflow/core", "@trackflow/channels"] },
  build: { assetsInlineLimit: 0 },
  logLevel: "warn",
});
