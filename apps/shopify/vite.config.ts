import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

/**
 * The embedded app's build (`remix vite:build`): the browser bundle in build/client, the server
 * bundle in build/server. The workspace packages (@trackflow/*) stay outside the server bundle:
 * Node runs their TypeScript as it runs the standalone server's, so the app and the server share
 * one copy of the engine.
 */
export default defineConfig(({ isSsrBuild }) => ({
  plugins: [
    remix({
      appDirectory: "app",
      // where the build goes (server.ts serves the same): TRACKFLOW_SHOPIFY_BUILD_DIR, default build/
      buildDirectory: process.env.TRACKFLOW_SHOPIFY_BUILD_DIR || "build",
      ignoredRouteFiles: ["**/*.test.ts", "**/*.test.tsx"],
      future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true },
    }),
  ],
  build: {
    assetsInlineLimit: 0,
    target: "es2022",
    rollupOptions: isSsrBuild ? { external: [/^@trackflow\//] } : {},
  },
  logLevel: "warn",
}));
