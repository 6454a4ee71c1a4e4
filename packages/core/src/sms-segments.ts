/**
 * SMS length as the network counts it (3GPP TS 23.038, "GSM 03.38"): a text made only of the
 * GSM 7-bit default alphabet and its extension table goes as GSM-7 septets (extension characters
 * take two: the escape and the character), anything else as UCS-2 (UTF-16 code units, so a
 * character outside the BMP such as an emoji takes two). A single message holds 160 septets or
 * 70 code units; a concatenated one loses room to its header and holds 153 or 67 per segment.
 * Segments are filled as a phone does: an escape sequence or a surrogate pair is never split
 * across two segments. National language shift tables are not used (few providers send them).
 */

/** GSM 03.38 default alphabet (the escape at 0x1B is not a character of its own). */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** GSM 03.38 default extension table: each is sent as escape + character, two septets. */
const GSM_EXTENSION = "\f^{}\\[~]|€";

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegments {
  encoding: SmsEncoding;
  /** septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2 */
  characters: number;
  /** 0 for an empty text */
  segments: number;
  /** room in each segment: 160 / 153 (GSM-7) or 70 / 67 (UCS-2) */
  perSegment: number;
}

const LIMITS: Readonly<Record<SmsEncoding, { single: number; multi: number }>> = {
  "GSM-7": { single: 160, multi: 153 },
  "UCS-2": { single: 70, multi: 67 },
};

/** Whether the text can go as GSM-7. */
export function isGsm7(text: string): boolean {
  for (const c of text) if (!BASIC.has(c) && !EXTENSION.has(c)) return false;
  return true;
}

/** The distinct characters that keep the text from going as GSM-7, in order of appearance. */
export function nonGsm7Characters(text: string): string[] {
  const out = new Set<string>();
  for (const c of text) if (!BASIC.has(c) && !EXTENSION.has(c)) out.add(c);
  return [...out];
}

export function smsSegments(text: string): SmsSegments {
  const encoding: SmsEncoding = isGsm7(text) ? "GSM-7" : "UCS-2";
  // each unit's size: septets, or UTF-16 code units (a code point iterates as one unit)
  const sizes: number[] = [];
  for (const c of text) sizes.push(encoding === "GSM-7" ? (EXTENSION.has(c) ? 2 : 1) : c.length);
  const characters = sizes.reduce((a, b) => a + b, 0);
  const limits = LIMITS[encoding];
  if (characters === 0) return { encoding, characters, segments: 0, perSegment: limits.single };
  if (characters <= limits.single) return { encoding, characters, segments: 1, perSegment: limits.single };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > limits.multi) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, characters, segments, perSegment: limits.multi };
}
