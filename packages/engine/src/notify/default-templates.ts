/**
 * The built-in templates live in ./default-templates/ (one file per language); this module keeps
 * the old import path working.
 */
export * from "./default-templates/index.ts";
