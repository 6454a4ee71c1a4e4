import { describe, expect, it } from "vitest";
import { isGsm7, smsSegments } from "./sms-segments.ts";

const a = (n: number) => "a".repeat(n);
const u = (n: number) => "ж".repeat(n);

describe("smsSegments", () => {
  it.each([
    ["empty", "", "GSM-7", 0, 0, 160],
    ["one character", "a", "GSM-7", 1, 1, 160],
    ["exactly 160 GSM-7", a(160), "GSM-7", 160, 1, 160],
    ["161 GSM-7", a(161), "GSM-7", 161, 2, 153],
    ["exactly 306 GSM-7 (2 × 153)", a(306), "GSM-7", 306, 2, 153],
    ["307 GSM-7", a(307), "GSM-7", 307, 3, 153],
    ["'€' counts 2", "€", "GSM-7", 2, 1, 160],
    ["every extension character counts 2", "\f^{}\\[~]|€", "GSM-7", 20, 1, 160],
    ["159 + '€' is 161 septets", `${a(159)}€`, "GSM-7", 161, 2, 153],
    ["158 + '€' fits in one", `${a(158)}€`, "GSM-7", 160, 1, 160],
    ["an escape sequence is not split: 152 + '€' + 152", `${a(152)}€${a(152)}`, "GSM-7", 306, 3, 153],
    ["153 + '€' + 151 fills two exactly", `${a(151)}€${a(153)}`, "GSM-7", 306, 2, 153],
    [
      "the basic table's accents and Greek",
      "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà",
      "GSM-7",
      42,
      1,
      160,
    ],
    ["line feed and carriage return are basic", "a\r\nb", "GSM-7", 4, 1, 160],
    ["'á' (not GSM) forces UCS-2", "á", "UCS-2", 1, 1, 70],
    ["lower-case 'ç' (only 'Ç' is GSM) forces UCS-2", "ç", "UCS-2", 1, 1, 70],
    ["a tab forces UCS-2", "a\tb", "UCS-2", 3, 1, 70],
    ["an emoji forces UCS-2 and counts 2", "Hi 📦", "UCS-2", 5, 1, 70],
    ["exactly 70 UCS-2", u(70), "UCS-2", 70, 1, 70],
    ["71 UCS-2", u(71), "UCS-2", 71, 2, 67],
    ["exactly 134 UCS-2 (2 × 67)", u(134), "UCS-2", 134, 2, 67],
    ["135 UCS-2", u(135), "UCS-2", 135, 3, 67],
    ["69 + emoji is 71 code units", `${u(69)}📦`, "UCS-2", 71, 2, 67],
    ["a surrogate pair is not split: 66 + emoji + 66", `${u(66)}📦${u(66)}`, "UCS-2", 134, 3, 67],
    ["'€' with a non-GSM character is one UCS-2 unit", "€á", "UCS-2", 2, 1, 70],
  ])("%s", (_, text, encoding, characters, segments, perSegment) => {
    expect(smsSegments(text)).toEqual({ encoding, characters, segments, perSegment });
  });

  it("knows GSM-7 text", () => {
    expect(isGsm7("Ihr Paket ist unterwegs: Größe {XL} für 20€")).toBe(true);
    expect(isGsm7("Su pedido está en camino")).toBe(false);
  });
});
