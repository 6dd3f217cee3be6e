import assert from 'node:assert/strict';
import { CognitoAuth } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';
import { VeoliaClient } from '../../src/lib/veolia/client';
import { contractDetails, contractSummaries, latestBilledVolume, toDayRecord, toDayRecords, toMonthRecords } from '../../src/lib/veolia/model';
import { resolveVeoliaEndpoints, VEOLIA_AUTH_URL, VEOLIA_PORTALS, VEOLIA_USER_AGENT } from '../../src/lib/veolia/portals';
import { createVeoliaSession } from '../../src/lib/veolia/water';
import { CognitoEmulator } from '../../src/emulator/cognito';
import { EmulatorResponse, EmulatorServer, json } from '../../src/emulator/http-server';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';

const T0 = Date.parse('2026-11-23T06:00:00Z');

async function rejects(promise: Promise<unknown>, code: string): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

function makeClient(url: string, options: { username?: string; password?: string; now?: () => number } = {}): { client: VeoliaClient; auth: CognitoAuth } {
  const transport = new Transport({ service: 'Veolia', userAgent: VEOLIA_USER_AGENT });
  const auth = new CognitoAuth(transport, {
    authUrl: `${url}/`,
    clientId: VEOLIA_CLIENT_IDS[0],
    username: options.username ?? DEMO_USERNAME,
    password: options.password ?? DEMO_PASSWORD,
    now: options.now,
  });
  return { client: new VeoliaClient(transport, auth, url), auth };
}

describe('Veolia client', () => {
  let clock: number;
  let emu: VeoliaEmulator;
  let url: string;
  let client: VeoliaClient;
  let auth: CognitoAuth;
  const key = (): { pds: string; subscriptionStart: string } => ({ pds: MAIN_CONTRACT.pds, subscriptionStart: emu.state.contract().subscriptionStart });

  beforeEach(async () => {
    clock = T0;
    emu = new VeoliaEmulator({ now: () => clock });
    url = await emu.start();
    ({ client, auth } = makeClient(url, { now: () => clock }));
  });

  afterEach(() => emu.stop());

  describe('endpoints', () => {
    it('reads the account, contract details, days, months, bills and alerts with a Bearer token', async () => {
      const account = await client.espaceClient();
      assert.equal(contractSummaries(account)[0].id, MAIN_CONTRACT.id);
      const details = await client.facturation(MAIN_CONTRACT.id);
      assert.deepEqual(contractDetails(details, MAIN_CONTRACT.id), key());
      const days = await client.dailyConsumption(MAIN_CONTRACT.id, 2026, 11, key());
      assert.equal(days.length, 21);
      const months = await client.monthlyConsumption(MAIN_CONTRACT.id, 2026, key());
      assert.equal(months.length, 11);
      const periods = await client.billingPeriods(MAIN_CONTRACT.id);
      assert.deepEqual(latestBilledVolume(periods)?.to, '2026-06-05');
      assert.equal(await client.alerts(MAIN_CONTRACT.pds, MAIN_CONTRACT.id), null);

      const backend = emu.server.log.filter((r) => r.method === 'GET');
      assert.equal(backend.length, 6);
      for (const r of backend) {
        assert.match(String(r.headers.authorization), /^Bearer [0-9a-f]+$/);
        assert.match(String(r.headers['user-agent']), /Mozilla/);
      }
      assert.deepEqual(emu.server.requests('/journalieres')[0].query, {
        annee: '2026',
        mois: '11',
        'numero-pds': MAIN_CONTRACT.pds,
        'date-debut-abonnement': key().subscriptionStart,
      });
      assert.equal(emu.server.requests('/', 'POST').length, 1, 'one login for all calls');
    });

    it('sends a month without zero padding', async () => {
      await client.dailyConsumption(MAIN_CONTRACT.id, 2026, 3, key());
      assert.equal(emu.server.requests('/journalieres')[0].query.mois, '3');
    });
  });

  describe('error mapping', () => {
    it('AUTH_FAILED for a wrong password or unknown user, without retrying the login', async () => {
      await rejects(makeClient(url, { password: 'wrong' }).client.espaceClient(), 'AUTH_FAILED');
      await rejects(makeClient(url, { username: 'nobody@example.com' }).client.espaceClient(), 'AUTH_FAILED');
      assert.equal(emu.server.requests('/', 'POST').length, 2);
      assert.equal(emu.server.requests('/espace-client').length, 0);
    });

    it('AUTH_CHALLENGE when the service asks for an e-mail code', async () => {
      emu.requireEmailCode(DEMO_USERNAME);
      const err = await rejects(client.espaceClient(), 'AUTH_CHALLENGE');
      assert.match(err.message, /browser/);
    });

    it('UNAVAILABLE for an empty or HTML Cognito body, then logs in fine', async () => {
      emu.cognito.knobs.emptyBodyCount = 1;
      await rejects(client.espaceClient(), 'UNAVAILABLE');
      emu.cognito.knobs.htmlBodyCount = 1;
      await rejects(client.espaceClient(), 'UNAVAILABLE');
      await client.espaceClient();
    });

    it('UNAVAILABLE (worth a retry) for an HTML page answered 200 to the login', async () => {
      emu.server.faults.htmlCount = 1;
      await rejects(client.espaceClient(), 'UNAVAILABLE');
    });

    it('RATE_LIMITED on 429 with the Retry-After delay', async () => {
      await client.espaceClient();
      emu.burst(429, 1, '/consommations');
      emu.server.faults.retryAfterS = 7;
      const err = await rejects(client.dailyConsumption(MAIN_CONTRACT.id, 2026, 11, key()), 'RATE_LIMITED');
      assert.equal(err.retryAfterMs, 7000);
      assert.ok(err.transient);
    });

    it('UNAVAILABLE on 502', async () => {
      emu.burst(502, 1, '/abonnements');
      const err = await rejects(client.facturation(MAIN_CONTRACT.id), 'UNAVAILABLE');
      assert.equal(err.status, 502);
    });

    it('NOT_FOUND for a contract of another account', async () => {
      await rejects(client.facturation('0000000'), 'NOT_FOUND');
    });

    for (const status of [401, 403] as const) {
      it(`renews the token once and retries after a stale token answered ${status}`, async () => {
        emu.state.staleTokenStatus = status;
        await client.espaceClient();
        emu.cognito.revokeAll();
        emu.server.clearLog();
        const days = await client.dailyConsumption(MAIN_CONTRACT.id, 2026, 11, key());
        assert.ok(days.length > 0);
        assert.deepEqual(
          emu.server.log.map((r) => [r.method, r.status]),
          [
            ['GET', status],
            ['POST', 200],
            ['GET', 200],
          ],
        );
      });
    }

    it('renews an expiring token before the call instead of failing', async () => {
      await client.espaceClient();
      // Inside the renewal margin, while the 1 h refresh token still works.
      clock += 3550_000;
      emu.server.clearLog();
      await client.espaceClient();
      assert.deepEqual(emu.server.log.map((r) => r.method), ['POST', 'GET']);
      assert.equal(auth.stats.refreshes, 1);
      assert.equal(auth.stats.passwordLogins, 1);
    });

    it('logs in with the password again once the 1 h refresh token has run out', async () => {
      await client.espaceClient();
      clock += 2 * 3600_000;
      emu.server.clearLog();
      await client.espaceClient();
      assert.deepEqual(
        emu.server.log.map((r) => [r.method, r.status]),
        [
          ['POST', 400],
          ['POST', 200],
          ['GET', 200],
        ],
      );
      assert.deepEqual(auth.stats, { passwordLogins: 2, refreshes: 1, challengeAnswers: 0 });
    });
  });

  describe('tolerant parsing', () => {
    let stub: EmulatorServer;
    let stubUrl: string;
    let answers: Map<string, EmulatorResponse>;

    beforeEach(async () => {
      const cognito = new CognitoEmulator(VEOLIA_CLIENT_IDS, [{ username: DEMO_USERNAME, password: DEMO_PASSWORD }]);
      answers = new Map();
      stub = new EmulatorServer((req) => {
        if (CognitoEmulator.handles(req)) return cognito.handle(req);
        return answers.get(req.path) ?? json(404, {});
      });
      stubUrl = await stub.start();
    });

    afterEach(() => stub.stop());

    it('PROTOCOL when a list comes as an object or the account as a list', async () => {
      const c = makeClient(stubUrl).client;
      answers.set('/consommations/1/journalieres', json(200, { records: [] }));
      answers.set('/espace-client', json(200, []));
      answers.set('/consommations/facturation/1', json(200, 'text'));
      answers.set('/abonnements/1/facturation', json(200, [1]));
      await rejects(c.dailyConsumption('1', 2026, 1, { pds: 'p', subscriptionStart: '2025-01-01' }), 'PROTOCOL');
      await rejects(c.espaceClient(), 'PROTOCOL');
      await rejects(c.billingPeriods('1'), 'PROTOCOL');
      await rejects(c.facturation('1'), 'PROTOCOL');
    });

    it('treats 204 as an empty list and drops non-object entries', async () => {
      const c = makeClient(stubUrl).client;
      answers.set('/consommations/1/journalieres', { status: 204 });
      answers.set('/consommations/1/mensuelles', json(200, [null, 3, { annee: 2026, mois: 1 }]));
      answers.set('/espace-client', json(200, {}));
      assert.deepEqual(await c.dailyConsumption('1', 2026, 1, { pds: 'p', subscriptionStart: '2025-01-01' }), []);
      assert.deepEqual(await c.monthlyConsumption('1', 2026, { pds: 'p', subscriptionStart: '2025-01-01' }), [{ annee: 2026, mois: 1 }]);
      assert.deepEqual(contractSummaries(await c.espaceClient()), []);
    });

    it('AUTH_FAILED after exactly one renewal when every call is refused', async () => {
      const c = makeClient(stubUrl).client;
      answers.set('/espace-client', json(403, { message: 'Forbidden' }));
      await rejects(c.espaceClient(), 'AUTH_FAILED');
      assert.equal(stub.requests('/espace-client').length, 2);
      assert.equal(stub.requests('/', 'POST').length, 2);
    });
  });
});

describe('Veolia model', () => {
  it('normalises a day: integer litres, index in litres without float noise, estimated flag', () => {
    assert.deepEqual(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 100, m3: 0.1 }, index: { m3: 337.1 }, fiabilite_index: 'MESURE' }), {
      date: '2026-07-01',
      litres: 100,
      indexLitres: 337100,
      estimated: false,
    });
    assert.equal(toDayRecord({ date_releve: '2026-07-01T00:00:00+02:00', consommation: { m3: 0.2154 }, fiabilite_index: 'ESTIME' })?.litres, 215);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { m3: '0,3' } })?.litres, 300);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 } })?.indexLitres, null);
    // `index.litre` wins over a less precise `index.m3`; without it, m³ × 1000 (veolia-api.md §11).
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 }, index: { litre: 337123, m3: 337.1 } })?.indexLitres, 337123);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 }, index: { litre: '337123', m3: '337,1' } })?.indexLitres, 337123);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 }, index: { litre: null, m3: 337.1 } })?.indexLitres, 337100);
    for (const flag of ['ESTIME', 'E', 'Estimé', 'ESTIMATED']) assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 }, fiabilite_index: flag })?.estimated, true, flag);
    for (const flag of ['MESURE', 'M', 'Mesuré', undefined]) assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: 1 }, fiabilite_index: flag })?.estimated, false, flag);
    assert.equal(toDayRecord({ date_releve: '2026-02-30', consommation: { litre: 1 } }), null);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: {} }), null);
    assert.equal(toDayRecord({ date_releve: '2026-07-01', consommation: { litre: -120 } })?.litres, -120);
  });

  it('sorts days and keeps one per date', () => {
    const days = toDayRecords([
      { date_releve: '2026-07-02', consommation: { litre: 2 } },
      { date_releve: '2026-07-01', consommation: { litre: 1 } },
      { date_releve: '2026-07-02', consommation: { litre: 3 } },
    ]);
    assert.deepEqual(
      days.map((d) => [d.date, d.litres]),
      [
        ['2026-07-01', 1],
        ['2026-07-02', 3],
      ],
    );
  });

  it('finds every contract across contacts and tiers, tolerating gaps and numeric ids', () => {
    const list = contractSummaries({
      contacts: [
        { id_contact: 'C1', tiers: [{ id: 'T1', abonnements: [{ id_abonnement: 123, numero_compteur: 'M1', libelle_contrat: 'Maison' }] }] },
        { id_contact: 'C2' },
        { id_contact: 'C3', tiers: [{ id: 'T3' }, { id: 'T4', abonnements: [{ id_abonnement: '456', adresse_de_branchement: '1 rue' }, { numero_compteur: 'X' }, { id_abonnement: 123 }] }] },
      ],
    });
    assert.deepEqual(list, [
      { id: '123', meter: 'M1', label: 'Maison', owner: { contactId: 'C1', tierId: 'T1' } },
      { id: '456', meter: '', label: '1 rue', owner: { contactId: 'C3', tierId: 'T4' } },
    ]);
  });

  it('reads contract details defensively and refuses a contract without them', () => {
    assert.deepEqual(contractDetails({ numero_pds: 42, date_debut_abonnement: '2025-03-04T00:00:00' }, '1'), { pds: '42', subscriptionStart: '2025-03-04' });
    assert.throws(() => contractDetails({ date_debut_abonnement: '2025-03-04' }, '1'), (e: unknown) => e instanceof ApiError && e.code === 'PROTOCOL');
  });

  it('picks the most recent billing period carrying a volume', () => {
    assert.deepEqual(
      latestBilledVolume([
        { date_facturation_precedente: '2024-06-06', date_facturation: '2024-12-05', volume_facture_eau: { litre: 5000, m3: 5 } },
        { date_facturation_precedente: '2024-12-05', date_facturation: '2025-06-05', volume_facture_eau: { litre: 16000, m3: 16 } },
        { date_facturation_precedente: '2025-06-05', date_facturation: '2025-06-06' },
      ]),
      { m3: 16, from: '2024-12-05', to: '2025-06-05' },
    );
    assert.equal(latestBilledVolume([{ date_facturation: '2025-06-06' }]), null);
    // Whole m³ as captured, from either unit.
    assert.equal(latestBilledVolume([{ date_facturation: '2026-06-05', volume_facture_eau: { litre: 26000.0 } }])?.m3, 26);
    assert.equal(latestBilledVolume([{ date_facturation: '2026-06-05', volume_facture_eau: { litre: '46000.0', m3: '46.0' } }])?.m3, 46);
  });

  it('normalises months', () => {
    assert.deepEqual(toMonthRecords([{ annee: 2025, mois: 7, consommation: { m3: 3 }, fiabilite_conso: 'MESURE' }, { annee: 2025, mois: 13 }]), [
      { year: 2025, month: 7, litres: 3000, indexLitres: null, estimated: false },
    ]);
  });
});

describe('Veolia portals', () => {
  it('prefills each portal and lets settings override it', () => {
    const national = resolveVeoliaEndpoints({});
    assert.deepEqual(national, {
      portal: 'national',
      apiUrl: 'https://prd-ael-sirius-backend.istefr.fr',
      authUrl: VEOLIA_AUTH_URL,
      clientId: '3kghade1fg54739kj8pkbova8j',
      headers: { Origin: 'https://www.eau.veolia.fr' },
    });
    assert.equal(resolveVeoliaEndpoints({ portal: 'toulouse' }).clientId, '19bjc8ldefie683n889iiubjc8');
    const perpignan = resolveVeoliaEndpoints({ portal: 'perpignan', apiUrl: '' });
    assert.equal(perpignan.apiUrl, VEOLIA_PORTALS.perpignan.apiUrl);
    assert.equal(perpignan.clientId, '54e8dri103e65defj6p67eolli');
    assert.equal(resolveVeoliaEndpoints({ portal: 'national', clientId: 'abc123' }).clientId, 'abc123');
    assert.equal(resolveVeoliaEndpoints({ portal: 'national', apiUrl: 'http://127.0.0.1:9000/' }).apiUrl, 'http://127.0.0.1:9000');
  });

  it('needs the backend and client id for a custom portal', () => {
    const custom = resolveVeoliaEndpoints({ portal: 'custom', apiUrl: 'https://example.org/api', clientId: 'xyz' });
    assert.equal(custom.authUrl, VEOLIA_AUTH_URL);
    assert.deepEqual(custom.headers, {});
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'custom', clientId: 'xyz' }), /API URL/);
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'custom', apiUrl: 'https://example.org' }), /client id/);
  });

  it('rejects unknown portals, plain http to remote hosts and odd client ids as INVALID_INPUT', () => {
    const invalid = (e: unknown): boolean => e instanceof ApiError && e.code === 'INVALID_INPUT';
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'lyon' }), invalid);
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'national', apiUrl: 'http://example.org' }), invalid);
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'national', authUrl: 'ftp://example.org' }), invalid);
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'national', apiUrl: 'not a url' }), invalid);
    assert.throws(() => resolveVeoliaEndpoints({ portal: 'national', clientId: 'a b' }), invalid);
  });

  it('builds a session that logs in with the portal’s client id and a browser User-Agent', async () => {
    const emu = new VeoliaEmulator();
    const url = await emu.start();
    try {
      const session = createVeoliaSession({ portal: 'toulouse', apiUrl: url, authUrl: `${url}/`, username: DEMO_USERNAME, password: DEMO_PASSWORD });
      await session.client.espaceClient();
      const login = emu.server.requests('/', 'POST')[0];
      assert.equal((login.body as { ClientId: string }).ClientId, '19bjc8ldefie683n889iiubjc8');
      assert.equal(login.headers.origin, VEOLIA_PORTALS.toulouse.site);
      assert.equal(login.headers['user-agent'], VEOLIA_USER_AGENT);
      assert.throws(() => createVeoliaSession({ username: '', password: 'x' }), (e: unknown) => e instanceof ApiError && e.code === 'AUTH_FAILED');
    } finally {
      await emu.stop();
    }
  });
});
