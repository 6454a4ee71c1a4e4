import type { z } from "zod";
import { html, type SafeHtml } from "../tracking/html.ts";

/** How one configuration field is entered on the channel form. */
export type ConfigFieldKind = "text" | "email" | "url" | "secret" | "number" | "boolean" | "enum" | "json";

export interface ConfigField {
  /** where the value goes in the configuration object */
  path: string[];
  kind: ConfigFieldKind;
  /** a value must be given (neither optional nor defaulted, nor inside an optional object) */
  required: boolean;
  /** inside an optional object: left out with it when all of that object's fields are empty */
  inOptional: boolean;
  defaultValue?: unknown;
  options?: string[];
}

// zod 4's schema definitions, as far as the form reads them
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  entries?: Record<string, string | number>;
  format?: string;
  checks?: Array<{ _zod: { def: { check: string } } }>;
  defaultValue?: unknown;
}
interface Schema {
  _zod: { def: Def };
  safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } };
}

const defOf = (schema: unknown): Def => (schema as Schema)._zod.def;

/**
 * A credential, as config-fields.ts's credentialField makes it: a string that must be non-empty
 * ("<name> is required") and is refined to have no surrounding whitespace.
 */
function isCredential(schema: Schema): boolean {
  const def = schema._zod.def;
  if (def.type !== "string" || !def.checks?.some((c) => c._zod.def.check === "custom")) return false;
  const empty = schema.safeParse("");
  const padded = schema.safeParse(" x ");
  return (
    !empty.success &&
    (empty.error?.issues.some((i) => / is required$/.test(i.message)) ?? false) &&
    !padded.success &&
    (padded.error?.issues.some((i) => /leading or trailing whitespace/.test(i.message)) ?? false)
  );
}

function walk(
  schema: Schema,
  path: string[],
  required: boolean,
  inOptional: boolean,
  out: ConfigField[],
): void {
  const def = schema._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
      walk(def.innerType!, path, false, inOptional, out);
      return;
    case "default":
    case "prefault": {
      const before = out.length;
      walk(def.innerType!, path, false, inOptional, out);
      if (out.length === before + 1 && out[before]!.path === path)
        out[before]!.defaultValue = (
          schema as unknown as { _zod: { def: { defaultValue: unknown } } }
        )._zod.def.defaultValue;
      return;
    }
    case "pipe":
      // a transform after the input (a URL without its trailing slash…): the form fills the input
      if (defOf(def.in).type === "transform") break;
      walk(def.in!, path, required, inOptional, out);
      return;
    case "object":
      if (path.length >= 3) break;
      for (const [key, child] of Object.entries(def.shape ?? {}))
        walk(child, [...path, key], required, inOptional || !required, out);
      return;
    case "string": {
      const kind: ConfigFieldKind = isCredential(schema)
        ? "secret"
        : def.format === "email"
          ? "email"
          : def.format === "url"
            ? "url"
            : "text";
      out.push({ path, kind, required, inOptional });
      return;
    }
    case "number":
      out.push({ path, kind: "number", required, inOptional });
      return;
    case "boolean":
      out.push({ path, kind: "boolean", required, inOptional });
      return;
    case "enum":
      out.push({
        path,
        kind: "enum",
        required,
        inOptional,
        options: Object.values(def.entries ?? {}).map(String),
      });
      return;
  }
  // arrays, records, unions… : entered as JSON, for that field only
  out.push({ path, kind: "json", required, inOptional });
}

/**
 * The form fields of a provider's configuration schema, one per leaf (nested objects flattened);
 * null when the schema is not an object the form can show (then the JSON textarea is used).
 */
export function configFields(schema: z.ZodType): ConfigField[] | null {
  let s = schema as unknown as Schema;
  while (s._zod.def.type === "pipe" && defOf(s._zod.def.in).type !== "transform") s = s._zod.def.in!;
  if (s._zod.def.type !== "object") return null;
  const out: ConfigField[] = [];
  walk(s, [], true, false, out);
  return out.length > 0 && out.some((f) => f.kind !== "json") ? out : null;
}

export const fieldName = (f: ConfigField): string => `cfg.${f.path.join(".")}`;
export const fieldId = (f: ConfigField): string => `cf-${f.path.join("-")}`;
const fieldKey = (path: ReadonlyArray<string | number>): string => path.join(".");

const get = (value: unknown, path: string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );

function set(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

/**
 * The configuration a submitted form describes. An empty field is left out (its default applies);
 * an empty credential takes the stored value when the channel is saved again with the same
 * provider. Problems with single fields (not a number, not JSON) come back by field.
 */
export function readConfigForm(
  fields: ConfigField[],
  form: URLSearchParams,
  stored: unknown,
): { config: Record<string, unknown>; problems: Map<string, string>; kept: string[] } {
  const config: Record<string, unknown> = {};
  const problems = new Map<string, string>();
  const kept: string[] = [];
  for (const f of fields) {
    const raw = form.get(fieldName(f)) ?? "";
    const text = f.kind === "secret" || f.kind === "json" ? raw : raw.trim();
    if (f.kind === "boolean") {
      if (raw === "true") set(config, f.path, true);
      else if (!f.inOptional) set(config, f.path, false);
      continue;
    }
    if (text === "") {
      const before = get(stored, f.path);
      if (f.kind === "secret" && typeof before === "string") {
        set(config, f.path, before);
        kept.push(fieldKey(f.path));
      }
      continue;
    }
    if (f.kind === "number") {
      const n = Number(text);
      if (!Number.isFinite(n)) problems.set(fieldKey(f.path), "must be a number");
      else set(config, f.path, n);
    } else if (f.kind === "json") {
      try {
        set(config, f.path, JSON.parse(text));
      } catch {
        problems.set(fieldKey(f.path), "is not valid JSON");
      }
    } else set(config, f.path, text);
  }
  return { config, problems, kept };
}

/** The field an issue's path is about (the nearest one the form shows), or null. */
export function fieldOfIssue(fields: ConfigField[], path: ReadonlyArray<PropertyKey>): string | null {
  const key = path.map(String).join(".");
  const exact = fields.find((f) => fieldKey(f.path) === key);
  if (exact) return key;
  const inside = fields.find(
    (f) => key.startsWith(`${fieldKey(f.path)}.`) || fieldKey(f.path).startsWith(`${key}.`),
  );
  return inside ? fieldKey(inside.path) : null;
}

export interface ConfigFormValues {
  /** the stored configuration of the channel being edited (its credentials are never shown) */
  stored?: unknown;
  /** what was entered, after a refused save (credentials never filled in again) */
  entered?: URLSearchParams;
  /** problems by field path ("from.email") */
  problems?: Map<string, string>;
  /** a stored configuration exists for this provider: an empty credential keeps it */
  editing?: boolean;
}

const label = (f: ConfigField) => f.path.join(" › ");

function hintOf(f: ConfigField, editing: boolean): string {
  const parts: string[] = [];
  if (f.kind === "secret")
    parts.push(
      editing
        ? "Write-only: the stored value is never shown. Leave it empty to keep the stored one."
        : "Write-only: stored encrypted and never shown again.",
    );
  if (f.kind === "json") parts.push("As JSON (a list, an object…).");
  if (f.defaultValue !== undefined && f.kind !== "boolean")
    parts.push(
      `Empty: ${typeof f.defaultValue === "string" ? f.defaultValue : JSON.stringify(f.defaultValue)}.`,
    );
  return parts.join(" ");
}

/** The inputs of a provider's generated form. */
export function renderConfigFields(fields: ConfigField[], values: ConfigFormValues): SafeHtml[] {
  return fields.map((f) => {
    const id = fieldId(f);
    const key = fieldKey(f.path);
    const problem = values.problems?.get(key);
    const hint = hintOf(f, values.editing ?? false);
    const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-error` : ""].filter(Boolean).join(" ");
    const aria = html`${describedBy ? html` aria-describedby="${describedBy}"` : ""}${problem ? html` aria-invalid="true"` : ""}`;
    const before = values.entered ? values.entered.get(fieldName(f)) : get(values.stored, f.path);
    const shown =
      f.kind === "secret"
        ? ""
        : before === undefined || before === null
          ? ""
          : typeof before === "string"
            ? before
            : JSON.stringify(before);
    const hintHtml = hint ? html`<p class="muted" id="${id}-hint">${hint}</p>` : "";
    const errorHtml = problem ? html`<p class="field-error" id="${id}-error">${problem}</p>` : "";
    const req =
      f.required && f.kind !== "secret"
        ? html` required`
        : f.required && !values.editing
          ? html` required`
          : "";
    if (f.kind === "boolean") {
      const checked = values.entered
        ? values.entered.get(fieldName(f)) === "true"
        : typeof before === "boolean"
          ? before
          : f.defaultValue === true;
      return html`<div class="field checkbox"><input id="${id}" name="${fieldName(f)}" type="checkbox" value="true"${checked ? html` checked` : ""}${aria}> <label for="${id}">${label(f)}</label>${hintHtml}${errorHtml}</div>`;
    }
    let input: SafeHtml;
    if (f.kind === "enum") {
      const selected = shown || (typeof f.defaultValue === "string" ? f.defaultValue : "");
      input = html`<select id="${id}" name="${fieldName(f)}"${aria}>${f.required || f.defaultValue !== undefined ? "" : html`<option value="">(none)</option>`}${(
        f.options ?? []
      ).map(
        (o) => html`<option value="${o}"${o === selected ? html` selected` : ""}>${o}</option>`,
      )}</select>`;
    } else if (f.kind === "json")
      input = html`<textarea id="${id}" name="${fieldName(f)}" rows="3" class="code" spellcheck="false" autocomplete="off"${req}${aria}>${shown}</textarea>`;
    else {
      const type =
        f.kind === "secret"
          ? "password"
          : f.kind === "number"
            ? "number"
            : f.kind === "email"
              ? "email"
              : f.kind === "url"
                ? "url"
                : "text";
      input = html`<input id="${id}" name="${fieldName(f)}" type="${type}"${f.kind === "number" ? html` step="any"` : ""} value="${shown}" autocomplete="${f.kind === "secret" ? "new-password" : "off"}" spellcheck="false"${req}${aria}>`;
    }
    const optional = !f.required && f.kind !== "enum" ? html` <span class="muted">(optional)</span>` : "";
    return html`<div class="field"><label for="${id}">${label(f)}${optional}</label>${hintHtml}${input}${errorHtml}</div>`;
  });
}
