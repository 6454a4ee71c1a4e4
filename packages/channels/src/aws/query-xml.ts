/**
 * Just enough XML for the answers of AWS Query APIs (SNS): the text of one element found by its
 * path, e.g. `PublishResponse > PublishResult > MessageId`. No DTDs, no entity definitions, no
 * external anything: only the five predefined entities and numeric character references are
 * decoded, so a hostile answer cannot expand or fetch anything. Namespaced (prefixed) names are
 * not supported; AWS does not use them in these answers.
 */

const NAME = /^[A-Za-z_][\w.-]*$/;

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and numeric character references; anything else stays as written. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#")) {
      const code =
        entity[1] === "x" ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[entity] ?? whole;
  });
}

/** Escapes text for an XML element or attribute value. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** The inner markup of the first `<name …>…</name>` in `xml`, "" for `<name/>`, undefined when absent. */
function innerOf(xml: string, name: string): string | undefined {
  const open = new RegExp(`<${name}(\\s[^<>]*)?(/?)>`).exec(xml);
  if (open === null) return undefined;
  if (open[2] === "/") return "";
  const start = open.index + open[0].length;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : xml.slice(start, end);
}

/**
 * The text of the element at `path` (each name a child of the one before, at any depth), with
 * CDATA sections and entities resolved; undefined when the path is missing or the element holds
 * markup rather than text.
 */
export function xmlElementText(xml: string, ...path: string[]): string | undefined {
  let scope: string | undefined = xml;
  for (const name of path) {
    if (!NAME.test(name)) throw new Error(`not an XML element name: ${name}`);
    scope = innerOf(scope, name);
    if (scope === undefined) return undefined;
  }
  if (scope === undefined) return undefined;
  let text = "";
  let rest = scope;
  for (;;) {
    const cdata = rest.indexOf("<![CDATA[");
    const plain = cdata < 0 ? rest : rest.slice(0, cdata);
    if (plain.includes("<")) return undefined;
    text += decodeXmlText(plain);
    if (cdata < 0) break;
    const close = rest.indexOf("]]>", cdata);
    if (close < 0) return undefined;
    text += rest.slice(cdata + 9, close);
    rest = rest.slice(close + 3);
  }
  return text;
}
