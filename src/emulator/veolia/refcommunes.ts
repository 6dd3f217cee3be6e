import { EmulatorRequest, EmulatorResponse, json } from '../http-server';

/** Where the emulator answers the commune look-up (the real service has a host of its own). */
export const REFCOMMUNES_PREFIX = '/refcommunes';

/** One commune as `GET /communes-nationales?q=` lists it (veolia-api.md §2.1, §11; appendix A6). */
export interface CommuneEntry {
  numero_commune: number;
  numero_quartier: number;
  libelle: string;
  code_insee: string;
  code_postal: string;
  url_redirection: string | null;
  type_commune: 'NON_REDIRIGE' | 'REDIRIGE' | 'NON_DESSERVIE' | 'EN_MAINTENANCE';
}

/** Synthetic towns, one per kind of answer; postal codes 00xxx belong to no real town. */
export const COMMUNES: readonly CommuneEntry[] = [
  { numero_commune: 90001, numero_quartier: 0, libelle: 'EXEMPLEVILLE', code_insee: '00001', code_postal: '00000', url_redirection: null, type_commune: 'NON_REDIRIGE' },
  { numero_commune: 90002, numero_quartier: 0, libelle: 'EXEMPLEVILLE-LES-BAINS', code_insee: '00002', code_postal: '00000', url_redirection: null, type_commune: 'NON_REDIRIGE' },
  {
    numero_commune: 90003,
    numero_quartier: 0,
    libelle: 'TESTBOURG-SUR-GARONNE',
    code_insee: '00003',
    code_postal: '00100',
    url_redirection: 'https://eaudetm.monespace.eau.veolia.fr?numero_commune=90003&numero_quartier=0',
    type_commune: 'REDIRIGE',
  },
  {
    numero_commune: 90004,
    numero_quartier: 0,
    libelle: 'EXEMPLE-EN-ROUSSILLON',
    code_insee: '00004',
    code_postal: '00200',
    url_redirection: 'https://www.ea-pm.fr?numero_commune=90004&numero_quartier=0',
    type_commune: 'REDIRIGE',
  },
  {
    numero_commune: 90005,
    numero_quartier: 0,
    libelle: 'AUTREVILLE',
    code_insee: '00005',
    code_postal: '00300',
    url_redirection: 'https://espace-client.eau-autreville.example?numero_commune=90005&numero_quartier=0',
    type_commune: 'REDIRIGE',
  },
  { numero_commune: 90006, numero_quartier: 0, libelle: 'NULLEPART', code_insee: '00006', code_postal: '00400', url_redirection: null, type_commune: 'NON_DESSERVIE' },
  { numero_commune: 90007, numero_quartier: 0, libelle: 'PAUSEVILLE', code_insee: '00007', code_postal: '00500', url_redirection: null, type_commune: 'EN_MAINTENANCE' },
];

/** Matching of the real service is not public: postal-code prefix or a part of the name, accents and case ignored. */
function matches(entry: CommuneEntry, q: string): boolean {
  if (/^\d+$/.test(q)) return entry.code_postal.startsWith(q);
  return fold(entry.libelle).includes(fold(q));
}

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[\s'-]+/g, ' ')
    .trim();
}

/** The public commune look-up, no login: `GET <prefix>/communes-nationales?q=`. */
export function refcommunes(req: EmulatorRequest): EmulatorResponse {
  if (req.path !== `${REFCOMMUNES_PREFIX}/communes-nationales`) return json(404, { message: 'Not Found' });
  if (req.method !== 'GET') return json(405, { message: 'Method Not Allowed' });
  const q = (req.query.q ?? '').trim();
  if (q.length < 2) return json(200, []);
  return json(
    200,
    COMMUNES.filter((entry) => matches(entry, q)).map((entry) => ({ ...entry })),
  );
}
