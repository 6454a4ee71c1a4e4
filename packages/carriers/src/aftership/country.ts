/**
 * ISO 3166-1 alpha-3 → alpha-2 for the countries Trackflow's merchants ship to and from most.
 * AfterShip gives alpha-3 codes; a code not listed here stays unknown (null) rather than being
 * guessed.
 */
const ALPHA3_TO_ALPHA2: Readonly<Record<string, string>> = {
  USA: "US",
  CAN: "CA",
  MEX: "MX",
  BRA: "BR",
  GBR: "GB",
  IRL: "IE",
  FRA: "FR",
  DEU: "DE",
  NLD: "NL",
  BEL: "BE",
  LUX: "LU",
  ESP: "ES",
  PRT: "PT",
  ITA: "IT",
  AUT: "AT",
  CHE: "CH",
  POL: "PL",
  CZE: "CZ",
  DNK: "DK",
  SWE: "SE",
  NOR: "NO",
  FIN: "FI",
  AUS: "AU",
  NZL: "NZ",
  JPN: "JP",
  KOR: "KR",
  CHN: "CN",
  HKG: "HK",
  TWN: "TW",
  SGP: "SG",
  IND: "IN",
  ARE: "AE",
};

export function alpha2FromAlpha3(code: string | null | undefined): string | null {
  if (!code) return null;
  return ALPHA3_TO_ALPHA2[code.trim().toUpperCase()] ?? null;
}
