/**
 * Seed data of the Veolia emulator. Everything is derived from a contract seed and a date, so
 * the same clock always gives the same history. Facts the public material does not confirm are
 * gathered in UNCERTAIN below, so they can be corrected in one place.
 */

export const DEMO_USERNAME = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';

/** Cognito app clients of the national, Toulouse and Perpignan portals (veolia-api.md §2.1). */
export const VEOLIA_CLIENT_IDS: readonly string[] = ['3kghade1fg54739kj8pkbova8j', '19bjc8ldefie683n889iiubjc8', '54e8dri103e65defj6p67eolli'];

/**
 * Lifetime of refresh tokens, seconds: one hour, and REFRESH_TOKEN_AUTH gives no new one
 * (veolia-api.md §11, a public client's notes on one pool; an older line says 30 days).
 */
export const REFRESH_TOKEN_LIFETIME_S = 3600;

export const UNCERTAIN = {
  /** Only `MESURE` is documented; the spelling of an estimated reading is a guess. */
  measuredFlag: 'MESURE',
  estimatedFlag: 'ESTIME',
  /**
   * Whether the index of day D is the reading closing D (index(D) − index(D−1) = litres(D)) or
   * opening it. Both exist in older generations; the current one is unknown.
   */
  indexConvention: 'end-of-day' as IndexConvention,
  /** Bills of the public capture fall on the 5th of June and December; assumed for all contracts. */
  billingMonths: [6, 12] as readonly number[],
  billingDay: 5,
  /**
   * Bills are at m³ resolution (the one public capture: 16.0, 5.0, 26.0, 46.0): the volume is
   * the difference of whole-m³ readings (completed m³ assumed) at the period's ends; the
   * mapping to `volume_facture_eau` is not confirmed.
   */
  billedVolume: 'whole-m3-index-difference' as const,
  /** `index_facture` holds small numbers in captures: taken as whole m³. */
  billedIndexUnit: 'm3' as const,
  /** A meter without telemetry: its reading mode label. */
  manualReadingMode: 'RELEVE_MANUEL',
  telemetryReadingMode: 'TELERELEVE',
  /** One day in about 31 is published as an estimate in the seeded history. */
  estimatedOneIn: 31,
  /**
   * How much a household's use varies from one day to the same weekday of another: no public
   * source gives it. The seeded household keeps a steady routine (±10 %); with ±15 % the leak
   * watch's rule of product-spec §8.3 (same-weekday median + 3 MAD, at least + 50 L) already
   * flags about 13 ordinary days a year, with ±40 % about 21.
   */
  dailySpread: 0.1,
  /** The one public fixture of a payment plan debits on the 15th (foXaCe/homeassistant_veolia tests). */
  paymentDay: 15,
};

export type IndexConvention = 'end-of-day' | 'start-of-day';

export interface ContractSeed {
  /** `id_abonnement`. */
  id: string;
  contactId: string;
  tierId: string;
  meter: string;
  pds: string;
  label: string;
  address: string;
  /** Subscription start, in days before the emulator's first day. */
  startDaysAgo: number;
  /** Meter reading at subscription start, litres. */
  startIndexLitres: number;
  /** Typical daily use, litres. */
  baseLitres: number;
  telemetry: boolean;
}

/**
 * Identifiers of the seed data, for tests and the demo. All synthetic: no id, meter number or
 * address of a real customer (the public captures hold some).
 */
export const VEOLIA_IDS = {
  mainContract: '1000001',
  mainContact: '2000001',
  mainTier: '3000001',
  mainMeter: 'TEST00000001',
  mainPds: '0000000001',
  secondContract: '1000002',
  secondContact: '2000002',
  secondTier: '3000002',
  secondMeter: 'TEST00000002',
  secondPds: '0000000002',
} as const;

/** The account's main contract: about two years of history. */
export const MAIN_CONTRACT: ContractSeed = {
  id: VEOLIA_IDS.mainContract,
  contactId: VEOLIA_IDS.mainContact,
  tierId: VEOLIA_IDS.mainTier,
  meter: VEOLIA_IDS.mainMeter,
  pds: VEOLIA_IDS.mainPds,
  label: 'Contrat eau - Maison',
  address: "1 rue de l'Exemple 00000 EXEMPLEVILLE",
  startDaysAgo: 700,
  startIndexLitres: 123_456,
  baseLitres: 320,
  telemetry: true,
};

/** A second contract (another contact and tier), opened recently: its history is short. */
export const SECOND_CONTRACT: ContractSeed = {
  id: VEOLIA_IDS.secondContract,
  contactId: VEOLIA_IDS.secondContact,
  tierId: VEOLIA_IDS.secondTier,
  meter: VEOLIA_IDS.secondMeter,
  pds: VEOLIA_IDS.secondPds,
  label: 'Contrat eau - Gîte',
  address: "2 rue de l'Exemple 00000 EXEMPLEVILLE",
  startDaysAgo: 20,
  startIndexLitres: 8_000,
  baseLitres: 150,
  telemetry: true,
};

export interface VeoliaUserSeed {
  username: string;
  password: string;
  /**
   * Login answers with this challenge instead of tokens: EMAIL_OTP (national portal; the name is
   * Cognito's standard one, Veolia's is not public) or SMS_MFA (Toulouse), veolia-api.md §11.
   */
  challenge?: string;
  /** The challenge accepts no code (the placeholder phone of migrated Toulouse accounts). */
  acceptsNoCode?: boolean;
  contracts?: ContractSeed[];
}

export const DEMO_USER: VeoliaUserSeed = { username: DEMO_USERNAME, password: DEMO_PASSWORD, contracts: [MAIN_CONTRACT] };

/** FNV-1a: a stable hash, so a date always gets the same litres. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** True use of one day: base ± UNCERTAIN.dailySpread, a quarter more at weekends. */
export function trueLitres(seed: ContractSeed, date: string): number {
  const spread = 1 - UNCERTAIN.dailySpread + ((hash(`${seed.id}:${date}`) % 1000) / 1000) * 2 * UNCERTAIN.dailySpread;
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 1.25 : 1;
  return Math.round(seed.baseLitres * spread * weekend);
}

/** Whether the seeded history publishes this day as an estimate (flat base value). */
export function seededEstimate(seed: ContractSeed, date: string): boolean {
  return hash(`${seed.id}:estimate:${date}`) % UNCERTAIN.estimatedOneIn === 0;
}
