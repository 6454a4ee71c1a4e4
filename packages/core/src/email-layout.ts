import type { Brand } from "./brand.ts";

export interface EmailLayoutInput {
  brand: Brand;
  subject: string;
  /** the rendered plain-text part */
  bodyText: string;
  /** the rendered HTML part; when absent it is built from the text */
  bodyHtml?: string | null;
  /** signed one-click unsubscribe URL, shown in the footer of both parts */
  unsubscribeUrl: string;
  /** preview line mail clients show after the subject; defaults to the text's first line */
  preheader?: string | null;
  /** BCP 47 locale of the message, for the footer's own words and the html lang attribute */
  locale?: string | null;
}

export interface EmailLayout {
  html: string;
  text: string;
}

const LABELS: Readonly<Record<string, { unsubscribe: string; help: string }>> = {
  en: { unsubscribe: "Unsubscribe", help: "Questions? Write to" },
  de: { unsubscribe: "Abmelden", help: "Fragen? Schreiben Sie an" },
  fr: { unsubscribe: "Se désabonner", help: "Une question ? Écrivez-nous à" },
  es: { unsubscribe: "Darse de baja", help: "¿Preguntas? Escríbenos a" },
};

function labelsFor(locale: string | null | undefined) {
  const language = (locale ?? "en").toLowerCase().split("-")[0] ?? "en";
  return LABELS[language] ?? LABELS.en!;
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;

/** Splits off punctuation that ends a sentence rather than the URL ("see https://x.example/a."). */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0) {
    const c = url[end - 1]!;
    if (".,;:!?".includes(c)) end--;
    else if (c === ")" && !url.slice(0, end - 1).includes("(")) end--;
    else break;
  }
  return url.slice(0, end);
}

/** One line of text as HTML: escaped, with http(s) URLs made links. */
function lineToHtml(line: string, linkColor: string): string {
  let out = "";
  let at = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    if (url.length <= "https://".length) continue;
    out += escapeHtml(line.slice(at, match.index));
    out += `<a href="${escapeHtml(url)}" style="color:${escapeHtml(linkColor)};text-decoration:underline;">${escapeHtml(url)}</a>`;
    at = match.index + url.length;
  }
  return out + escapeHtml(line.slice(at));
}

/**
 * Plain text as body HTML: escaped, blank-line separated paragraphs as <p>, single line breaks
 * as <br>, URLs linked.
 */
export function textToHtml(text: string, linkColor = "#1f6feb"): string {
  return text
    .replaceAll("\r\n", "\n")
    .split(/\n[ \t]*\n+/)
    .map((p) => p.replace(/^\n+|\n+$/g, ""))
    .filter((p) => p.trim() !== "")
    .map(
      (p) =>
        `<p style="margin:0 0 16px 0;">${p
          .split("\n")
          .map((line) => lineToHtml(line, linkColor))
          .join("<br>\n")}</p>`,
    )
    .join("\n");
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/**
 * The one email layout every message goes out in: a table-based, inline-styled, 600px-wide
 * responsive page with the brand's logo (or name), the body, and a footer with the brand's
 * footer, support address and the unsubscribe link. Every value put in is HTML-escaped, except
 * `bodyHtml`, which is the template's own (already rendered, with its variables escaped).
 */
export function layoutEmail(input: EmailLayoutInput): EmailLayout {
  const { brand } = input;
  const labels = labelsFor(input.locale);
  const e = escapeHtml;
  const primary = e(brand.primaryColor);
  const textColor = e(brand.textColor);
  const background = e(brand.backgroundColor);
  const lang = e((input.locale ?? "en").split(/[^A-Za-z0-9-]/)[0] || "en");
  const body = input.bodyHtml?.trim() ? input.bodyHtml : textToHtml(input.bodyText, brand.primaryColor);
  const preheader = (input.preheader ?? input.bodyText.split("\n").find((l) => l.trim() !== "") ?? "")
    .trim()
    .slice(0, 150);

  const header = brand.logoUrl
    ? `<img src="${e(brand.logoUrl)}" alt="${e(brand.name)}" height="40" style="display:block;height:40px;width:auto;max-width:200px;border:0;outline:none;text-decoration:none;">`
    : `<span style="font-size:20px;font-weight:bold;color:${primary};">${e(brand.name)}</span>`;

  const footerLines: string[] = [];
  if (brand.footer?.trim()) footerLines.push(e(brand.footer.trim()).replaceAll("\n", "<br>\n"));
  if (brand.supportEmail)
    footerLines.push(
      `${e(labels.help)} <a href="mailto:${e(brand.supportEmail)}" style="color:${primary};">${e(brand.supportEmail)}</a>`,
    );
  footerLines.push(
    `<a href="${e(input.unsubscribeUrl)}" style="color:${primary};text-decoration:underline;">${e(labels.unsubscribe)}</a>`,
  );

  const html = `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${e(input.subject)}</title>
<style>
@media only screen and (max-width: 620px) {
  .tf-container { width: 100% !important; }
  .tf-pad { padding-left: 16px !important; padding-right: 16px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:${background};">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${e(preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${background};">
<tr>
<td align="center" style="padding:24px 8px;">
<table role="presentation" class="tf-container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;background-color:#ffffff;border-radius:6px;">
<tr>
<td class="tf-pad" style="padding:24px 32px;border-bottom:3px solid ${primary};">${header}</td>
</tr>
<tr>
<td class="tf-pad" style="padding:24px 32px;font-family:${FONT};font-size:16px;line-height:1.5;color:${textColor};">
${body}
</td>
</tr>
<tr>
<td class="tf-pad" style="padding:16px 32px 24px 32px;font-family:${FONT};font-size:12px;line-height:1.5;color:#6e7781;border-top:1px solid #d0d7de;">
${footerLines.map((l) => `<p style="margin:0 0 8px 0;">${l}</p>`).join("\n")}
</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
`;

  const textFooter = [
    brand.footer?.trim() ?? "",
    brand.supportEmail ? `${labels.help} ${brand.supportEmail}` : "",
    `${labels.unsubscribe}: ${input.unsubscribeUrl}`,
  ].filter(Boolean);
  const text = `${input.bodyText.trimEnd()}\n\n-- \n${textFooter.join("\n")}\n`;
  return { html, text };
}
