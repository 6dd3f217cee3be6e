import assert from 'node:assert/strict';
import { addDays } from '../../src/lib/schedule/daily';
import {
  DEMO_PASSWORD,
  DEMO_USER,
  DEMO_USERNAME,
  MAIN_CONTRACT,
  REFRESH_TOKEN_LIFETIME_S,
  SECOND_CONTRACT,
  UNCERTAIN,
  VEOLIA_CLIENT_IDS,
  VeoliaEmulator,
} from '../../src/emulator/veolia';
import { parisDay, shiftDay } from '../../src/emulator/veolia/dates';

function parseOrNull(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** 2026-11-23 07:00 in Paris. */
const T0 = Date.parse('2026-11-23T06:00:00Z');
const TODAY = '2026-11-23';

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

interface DailyJson {
  date_releve: string;
  consommation: { litre: number; m3: number };
  index: { litre: number; m3: number };
  fiabilite_index: string;
}

describe('Veolia emulator', () => {
  let clock: number;
  let emu: VeoliaEmulator;
  let url: string;

  beforeEach(async () => {
    clock = T0;
    emu = new VeoliaEmulator({
      now: () => clock,
      users: [DEMO_USER, { username: 'other@example.com', password: 'other-password', contracts: [{ ...SECOND_CONTRACT, id: '5550001', pds: '999' }] }],
    });
    url = await emu.start();
  });

  afterEach(() => emu.stop());

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(url + path, init);
    const text = await res.text();
    return { status: res.status, body: parseOrNull(text), text };
  }

  function initiateAuth(body: Record<string, unknown>): Promise<Answer> {
    return call('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify(body),
    });
  }

  function login(username = DEMO_USERNAME, password = DEMO_PASSWORD, clientId = VEOLIA_CLIENT_IDS[0]): Promise<Answer> {
    return initiateAuth({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } });
  }

  function refresh(refreshToken: string): Promise<Answer> {
    return initiateAuth({ ClientId: VEOLIA_CLIENT_IDS[0], AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } });
  }

  async function refreshTokenOfLogin(): Promise<string> {
    const body = (await login()).body as { AuthenticationResult: { RefreshToken: string } };
    return body.AuthenticationResult.RefreshToken;
  }

  async function token(username = DEMO_USERNAME, password = DEMO_PASSWORD): Promise<string> {
    const answer = await login(username, password);
    const body = answer.body as { AuthenticationResult: { AccessToken: string } };
    return body.AuthenticationResult.AccessToken;
  }

  async function get(path: string, bearer?: string): Promise<Answer> {
    return call(path, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
  }

  function dailyPath(year: number, month: number | string, contract = MAIN_CONTRACT.id, pds = MAIN_CONTRACT.pds): string {
    const start = emu.state.contract(contract).subscriptionStart;
    return `/consommations/${contract}/journalieres?annee=${year}&mois=${month}&numero-pds=${pds}&date-debut-abonnement=${start}`;
  }

  async function days(bearer: string, year: number, month: number, contract = MAIN_CONTRACT.id, pds = MAIN_CONTRACT.pds): Promise<DailyJson[]> {
    const answer = await get(dailyPath(year, month, contract, pds), bearer);
    assert.equal(answer.status, 200, answer.text);
    return answer.body as DailyJson[];
  }

  describe('Cognito', () => {
    it('logs in with each portal client id and refuses an unknown one', async () => {
      for (const clientId of VEOLIA_CLIENT_IDS) {
        const answer = await login(DEMO_USERNAME, DEMO_PASSWORD, clientId);
        assert.equal(answer.status, 200);
        assert.equal(typeof (answer.body as { AuthenticationResult: { AccessToken: unknown } }).AuthenticationResult.AccessToken, 'string');
      }
      const wrong = await login(DEMO_USERNAME, DEMO_PASSWORD, 'nope');
      assert.equal(wrong.status, 400);
      assert.equal((wrong.body as { __type: string }).__type, 'ResourceNotFoundException');
    });

    it('answers wrong credentials with the Cognito error types', async () => {
      const badPassword = await login(DEMO_USERNAME, 'wrong');
      assert.equal(badPassword.status, 400);
      assert.equal((badPassword.body as { __type: string }).__type, 'NotAuthorizedException');
      const unknown = await login('nobody@example.com', 'x');
      assert.equal((unknown.body as { __type: string }).__type, 'UserNotFoundException');
    });

    it('asks for an e-mail code when the challenge knob is on', async () => {
      emu.requireEmailCode(DEMO_USERNAME);
      const answer = await login();
      assert.equal(answer.status, 200);
      const body = answer.body as Record<string, unknown>;
      assert.equal(body.ChallengeName, 'EMAIL_OTP');
      assert.equal(body.AuthenticationResult, undefined);
      emu.requireEmailCode(DEMO_USERNAME, false);
      assert.ok(((await login()).body as Record<string, unknown>).AuthenticationResult);
    });

    it('renews with a refresh token for one hour of its clock, never handing out a new refresh token', async () => {
      assert.equal(REFRESH_TOKEN_LIFETIME_S, 3600);
      const refreshToken = await refreshTokenOfLogin();
      clock += 59 * 60_000;
      const renewed = await refresh(refreshToken);
      assert.equal(renewed.status, 200, renewed.text);
      const result = (renewed.body as { AuthenticationResult: Record<string, unknown> }).AuthenticationResult;
      assert.equal(typeof result.AccessToken, 'string');
      assert.equal(result.RefreshToken, undefined, 'no rotation');
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', String(result.AccessToken))).status, 200);
      clock += 60_000;
      const expired = await refresh(refreshToken);
      assert.equal(expired.status, 400);
      assert.equal((expired.body as { __type: string }).__type, 'NotAuthorizedException');
      assert.equal(emu.cognito.stats.refreshes, 2);
    });

    it('takes the refresh-token lifetime as an option', async () => {
      await emu.stop();
      emu = new VeoliaEmulator({ now: () => clock, refreshTokenLifetimeS: 2 * 86_400 });
      url = await emu.start();
      const refreshToken = await refreshTokenOfLogin();
      clock += 86_400_000;
      assert.equal((await refresh(refreshToken)).status, 200);
      clock += 86_400_000;
      assert.equal((await refresh(refreshToken)).status, 400);
    });

    it('answers an empty body, then an HTML page, when the gateway knobs are set', async () => {
      emu.cognito.knobs.emptyBodyCount = 1;
      emu.cognito.knobs.htmlBodyCount = 1;
      const empty = await login();
      assert.equal(empty.status, 502);
      assert.equal(empty.text, '');
      const html = await login();
      assert.equal(html.status, 503);
      assert.match(html.text, /<html>/);
      assert.equal((await login()).status, 200);
    });
  });

  describe('Bearer check', () => {
    it('answers 401 without a token or with an unknown one', async () => {
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR')).status, 401);
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', 'forged')).status, 401);
    });

    it('answers an expired token with 401, or 403 when the knob says so', async () => {
      const bearer = await token();
      clock += 2 * 3600_000;
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).status, 401);
      emu.state.staleTokenStatus = 403;
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).status, 403);
    });

    it('answers a revoked token with the stale status', async () => {
      const bearer = await token();
      emu.state.staleTokenStatus = 403;
      emu.cognito.revokeAll();
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).status, 403);
    });

    it('hides another account’s contract (404)', async () => {
      const bearer = await token('other@example.com', 'other-password');
      assert.equal((await get(`/abonnements/${MAIN_CONTRACT.id}/facturation`, bearer)).status, 404);
    });
  });

  describe('account and contract', () => {
    it('lists contacts, tiers and contracts; type-front is required', async () => {
      const bearer = await token();
      assert.equal((await get('/espace-client', bearer)).status, 400);
      const answer = await get('/espace-client?type-front=WEB_ORDINATEUR', bearer);
      const body = answer.body as { contacts: Array<{ id_contact: string; tiers: Array<{ id: string; abonnements: Array<Record<string, unknown>> }> }> };
      assert.equal(body.contacts.length, 1);
      const abonnement = body.contacts[0].tiers[0].abonnements[0];
      assert.equal(abonnement.id_abonnement, MAIN_CONTRACT.id);
      assert.equal(abonnement.numero_compteur, MAIN_CONTRACT.meter);
      assert.equal(abonnement.statut, 'actif');
    });

    it('gives the delivery point and a subscription start derived from the clock', async () => {
      const bearer = await token();
      const body = (await get(`/abonnements/${MAIN_CONTRACT.id}/facturation`, bearer)).body as Record<string, unknown>;
      assert.equal(body.numero_pds, MAIN_CONTRACT.pds);
      assert.equal(body.date_debut_abonnement, addDays(TODAY, -MAIN_CONTRACT.startDaysAgo));
      assert.equal(body.mode_releve, UNCERTAIN.telemetryReadingMode);
    });

    it('adds a second contract under its own contact and tier', async () => {
      emu.state.addContract();
      const bearer = await token();
      const body = (await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).body as { contacts: Array<{ id_contact: string; tiers: Array<{ abonnements: Array<{ id_abonnement: string }> }> }> };
      assert.deepEqual(
        body.contacts.map((c) => [c.id_contact, c.tiers[0].abonnements[0].id_abonnement]),
        [
          [MAIN_CONTRACT.contactId, MAIN_CONTRACT.id],
          [SECOND_CONTRACT.contactId, SECOND_CONTRACT.id],
        ],
      );
      const second = await days(bearer, 2026, 11, SECOND_CONTRACT.id, SECOND_CONTRACT.pds);
      const start = addDays(TODAY, -SECOND_CONTRACT.startDaysAgo);
      assert.equal(second[0].date_releve, start);
      assert.ok(second.every((d) => d.date_releve >= start));
      assert.deepEqual(await days(bearer, 2026, 10, SECOND_CONTRACT.id, SECOND_CONTRACT.pds), []);
    });
  });

  describe('daily consumption', () => {
    it('rejects missing or malformed parameters with 400', async () => {
      const bearer = await token();
      const start = emu.state.contract().subscriptionStart;
      const base = `/consommations/${MAIN_CONTRACT.id}/journalieres`;
      const cases = [
        `?mois=11&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`,
        `?annee=2026&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`,
        `?annee=2026&mois=11&date-debut-abonnement=${start}`,
        `?annee=2026&mois=11&numero-pds=${MAIN_CONTRACT.pds}`,
        `?annee=2026&mois=13&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`,
        `?annee=2026&mois=0&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`,
        `?annee=2026&mois=09&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`,
        `?annee=2026&mois=11&numero-pds=000&date-debut-abonnement=${start}`,
        `?annee=2026&mois=11&numero_pds=${MAIN_CONTRACT.pds}&date_debut_abonnement=${start}`,
      ];
      for (const query of cases) assert.equal((await get(base + query, bearer)).status, 400, query);
      assert.equal((await get(base + cases[0].replace('?', `?annee=2026&`), bearer)).status, 200);
    });

    it('returns one month per call, sorted, up to J-2, in the documented shape', async () => {
      const bearer = await token();
      const november = await days(bearer, 2026, 11);
      assert.equal(november[0].date_releve, '2026-11-01');
      assert.equal(november[november.length - 1].date_releve, addDays(TODAY, -2));
      assert.ok(november.every((d, i) => i === 0 || d.date_releve > november[i - 1].date_releve));
      const sample = november[5];
      assert.deepEqual(Object.keys(sample).sort(), ['consommation', 'date_releve', 'fiabilite_index', 'index']);
      assert.equal(sample.consommation.m3, sample.consommation.litre / 1000);
      assert.deepEqual(Object.keys(sample.index).sort(), ['litre', 'm3']);
      assert.ok(Number.isInteger(sample.index.litre) && sample.index.litre > 100_000);
      assert.equal(sample.index.m3, sample.index.litre / 1000);
      assert.ok([UNCERTAIN.measuredFlag, UNCERTAIN.estimatedFlag].includes(sample.fiabilite_index));
      const october = await days(bearer, 2026, 10);
      assert.equal(october.length, 31);
      assert.deepEqual(await days(bearer, 2026, 12), []);
    });

    it('keeps the index convention: closing reading of measured days', async () => {
      const bearer = await token();
      const list = await days(bearer, 2026, 10);
      let checked = 0;
      for (let i = 1; i < list.length; i++) {
        if (list[i].fiabilite_index !== 'MESURE' || list[i - 1].fiabilite_index !== 'MESURE') continue;
        assert.equal(Math.round(list[i].index.m3 * 1000) - Math.round(list[i - 1].index.m3 * 1000), list[i].consommation.litre);
        checked++;
      }
      assert.ok(checked > 20);
    });

    it('switches to the opening-reading convention with the knob', async () => {
      emu.state.indexConvention = 'start-of-day';
      const list = await days(await token(), 2026, 10);
      let checked = 0;
      for (let i = 1; i < list.length - 1; i++) {
        if ([list[i - 1], list[i], list[i + 1]].some((d) => d.fiabilite_index !== 'MESURE')) continue;
        assert.equal(Math.round(list[i + 1].index.m3 * 1000) - Math.round(list[i].index.m3 * 1000), list[i].consommation.litre);
        checked++;
      }
      assert.ok(checked > 15, String(checked));
    });

    it('is deterministic for a given clock', async () => {
      const other = new VeoliaEmulator({ now: () => T0 });
      const otherUrl = await other.start();
      try {
        const bearer = await token();
        const mine = await days(bearer, 2026, 3);
        const res = await fetch(`${otherUrl}/`, {
          method: 'POST',
          headers: { 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
          body: JSON.stringify({ ClientId: VEOLIA_CLIENT_IDS[0], AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: DEMO_USERNAME, PASSWORD: DEMO_PASSWORD } }),
        });
        const otherToken = ((await res.json()) as { AuthenticationResult: { AccessToken: string } }).AuthenticationResult.AccessToken;
        const theirs = (await (await fetch(otherUrl + dailyPath(2026, 3), { headers: { Authorization: `Bearer ${otherToken}` } })).json()) as DailyJson[];
        assert.deepEqual(theirs, mine);
        assert.ok(mine.length === 31);
      } finally {
        await other.stop();
      }
    });

    it('publishes with the configured delay and a new day on advanceDay()', async () => {
      const bearer = await token();
      const last = async (): Promise<string> => {
        const list = await days(bearer, 2026, 11);
        return list[list.length - 1].date_releve;
      };
      assert.equal(await last(), '2026-11-21');
      emu.state.setPublicationDelay(4);
      assert.equal(await last(), '2026-11-19');
      emu.state.setPublicationDelay(2);
      emu.state.advanceDay();
      assert.equal(await last(), '2026-11-22');
      assert.equal(emu.state.publicationDelayDays, 1);
      emu.state.advanceDay();
      assert.equal(emu.state.today(), '2026-11-24');
      assert.equal(await last(), '2026-11-23');
    });

    it('leaves missing days out', async () => {
      emu.state.setMissingDays(['2026-11-10', '2026-11-11']);
      const list = await days(await token(), 2026, 11);
      assert.ok(!list.some((d) => d.date_releve === '2026-11-10' || d.date_releve === '2026-11-11'));
      assert.ok(list.some((d) => d.date_releve === '2026-11-12'));
    });

    it('publishes an estimate, then its correction on the same date', async () => {
      const bearer = await token();
      emu.state.estimateDay('2026-11-20', 999);
      let day = (await days(bearer, 2026, 11)).find((d) => d.date_releve === '2026-11-20');
      assert.equal(day?.fiabilite_index, UNCERTAIN.estimatedFlag);
      assert.equal(day?.consommation.litre, 999);
      emu.state.correctDay('2026-11-20', 345);
      day = (await days(bearer, 2026, 11)).find((d) => d.date_releve === '2026-11-20');
      assert.equal(day?.fiabilite_index, 'MESURE');
      assert.equal(day?.consommation.litre, 345);
    });

    it('publishes a negative correction with the index moving backwards', async () => {
      emu.state.negativeCorrection('2026-11-15', -150);
      const list = await days(await token(), 2026, 11);
      const before = list.find((d) => d.date_releve === '2026-11-14');
      const after = list.find((d) => d.date_releve === '2026-11-15');
      assert.equal(before?.fiabilite_index, UNCERTAIN.estimatedFlag);
      assert.equal(after?.consommation.litre, -150);
      assert.equal(after?.fiabilite_index, 'MESURE');
      assert.ok((after?.index.m3 ?? 0) < (before?.index.m3 ?? 0));
    });

    it('restarts the index and changes the meter number on a replacement', async () => {
      const bearer = await token();
      emu.state.replaceMeter('2026-11-10', 'NEWMETER01', 12);
      const list = await days(bearer, 2026, 11);
      const on = list.find((d) => d.date_releve === '2026-11-10');
      const before = list.find((d) => d.date_releve === '2026-11-09');
      assert.ok((before?.index.m3 ?? 0) > 100);
      assert.equal(Math.round((on?.index.m3 ?? 0) * 1000), 12 + (on?.consommation.litre ?? 0));
      const account = (await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).body as { contacts: Array<{ tiers: Array<{ abonnements: Array<{ numero_compteur: string }> }> }> };
      assert.equal(account.contacts[0].tiers[0].abonnements[0].numero_compteur, 'NEWMETER01');
    });

    it('serves empty arrays and 204 alerts for a meter without telemetry', async () => {
      const bearer = await token();
      emu.state.setTelemetry(false);
      assert.deepEqual(await days(bearer, 2026, 11), []);
      const start = emu.state.contract().subscriptionStart;
      const monthly = await get(`/consommations/${MAIN_CONTRACT.id}/mensuelles?annee=2026&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`, bearer);
      assert.deepEqual(monthly.body, []);
      const alerts = await get(`/alertes/${MAIN_CONTRACT.pds}?abo_id=${MAIN_CONTRACT.id}`, bearer);
      assert.equal(alerts.status, 204);
      assert.equal(alerts.text, '');
      const billing = (await get(`/consommations/facturation/${MAIN_CONTRACT.id}`, bearer)).body as unknown[];
      assert.ok(billing.length > 1);
    });
  });

  describe('calendar', () => {
    it('dates instants in Europe/Paris days, winter and summer', () => {
      assert.equal(parisDay(Date.parse('2026-11-22T22:59:59Z')), '2026-11-22');
      assert.equal(parisDay(Date.parse('2026-11-22T23:00:00Z')), '2026-11-23');
      assert.equal(parisDay(Date.parse('2026-06-30T21:59:59Z')), '2026-06-30');
      assert.equal(parisDay(Date.parse('2026-06-30T22:00:00Z')), '2026-07-01');
      assert.equal(parisDay(Date.parse('2026-03-28T23:30:00Z')), '2026-03-29');
      assert.equal(parisDay(Date.parse('2026-10-24T22:30:00Z')), '2026-10-25');
      assert.equal(parisDay(Date.parse('2026-12-31T23:00:00Z')), '2027-01-01');
    });

    it('moves calendar dates across months, years and leap days', () => {
      assert.equal(shiftDay('2026-02-28', 1), '2026-03-01');
      assert.equal(shiftDay('2028-02-28', 1), '2028-02-29');
      assert.equal(shiftDay('2026-01-01', -1), '2025-12-31');
      assert.equal(shiftDay('2026-03-28', 2), '2026-03-30');
      assert.equal(shiftDay('2026-11-23', -700), '2024-12-23');
      assert.equal(shiftDay('2026-11-23', 0), '2026-11-23');
    });

    it('starts its day at midnight in Paris, whatever the UTC date', () => {
      const lateEvening = new VeoliaEmulator({ now: () => Date.parse('2026-11-22T23:30:00Z') });
      assert.equal(lateEvening.state.today(), '2026-11-23');
      assert.equal(lateEvening.state.lastPublishedDate(), '2026-11-21');
      assert.equal(lateEvening.state.contract().subscriptionStart, '2024-12-23');
    });
  });

  describe('other endpoints', () => {
    it('sums months of one year, matching the daily records', async () => {
      const bearer = await token();
      const start = emu.state.contract().subscriptionStart;
      const answer = await get(`/consommations/${MAIN_CONTRACT.id}/mensuelles?annee=2026&numero-pds=${MAIN_CONTRACT.pds}&date-debut-abonnement=${start}`, bearer);
      const months = answer.body as Array<{ annee: number; mois: number; consommation: { litre: number } }>;
      assert.deepEqual(months.map((m) => m.mois), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const october = (await days(bearer, 2026, 10)).reduce((sum, d) => sum + d.consommation.litre, 0);
      assert.equal(months[9].consommation.litre, october);
      assert.equal((await get(`/consommations/${MAIN_CONTRACT.id}/mensuelles?annee=2026`, bearer)).status, 400);
    });

    it('lists billing periods newest first, in the captured shape', async () => {
      const bearer = await token();
      const periods = (await get(`/consommations/facturation/${MAIN_CONTRACT.id}`, bearer)).body as Array<Record<string, unknown>>;
      assert.equal(periods[0].date_facturation, '2026-06-05');
      assert.equal(periods[0].date_facturation_precedente, '2025-12-05');
      const volume = periods[0].volume_facture_eau as { litre: number; m3: number };
      assert.equal(volume.m3, volume.litre / 1000);
      assert.equal(typeof periods[0].index_facture, 'string');
      assert.equal(periods[periods.length - 1].volume_facture_eau, undefined);
    });

    it('bills whole m³: each volume is the difference of two whole-m³ indexes', async () => {
      const bearer = await token();
      const periods = (await get(`/consommations/facturation/${MAIN_CONTRACT.id}`, bearer)).body as Array<{
        volume_facture_eau?: { litre: number; m3: number };
        index_facture?: string;
      }>;
      const billed = periods.filter((p) => p.volume_facture_eau);
      assert.ok(billed.length >= 3, String(billed.length));
      for (const [i, period] of billed.entries()) {
        const volume = period.volume_facture_eau as { litre: number; m3: number };
        assert.ok(Number.isInteger(volume.m3) && volume.m3 > 0, JSON.stringify(volume));
        assert.equal(volume.litre, volume.m3 * 1000);
        assert.match(period.index_facture ?? '', /^\d+$/);
        const previous = billed[i + 1];
        if (previous) assert.equal(volume.m3, Number(period.index_facture) - Number(previous.index_facture));
      }
          emu.state.replaceMeter('2026-03-01', 'TEST00000009', 0);
      const after = (await get(`/consommations/facturation/${MAIN_CONTRACT.id}`, bearer)).body as Array<{ volume_facture_eau?: { m3: number } }>;
      const across = after[0].volume_facture_eau?.m3 ?? 0;
      assert.ok(Number.isInteger(across) && Math.abs(across - (billed[0].volume_facture_eau?.m3 ?? 0)) <= 1, 'a new meter mid-period bills both meters');
    });

    it('answers alerts with 204, and checks abo_id', async () => {
      const bearer = await token();
      assert.equal((await get(`/alertes/${MAIN_CONTRACT.pds}?abo_id=${MAIN_CONTRACT.id}`, bearer)).status, 204);
      assert.equal((await get(`/alertes/${MAIN_CONTRACT.pds}`, bearer)).status, 400);
      assert.equal((await get(`/alertes/000?abo_id=${MAIN_CONTRACT.id}`, bearer)).status, 404);
    });

    it('answers 429 and 502 bursts, then recovers; the log records them', async () => {
      const bearer = await token();
      emu.server.clearLog();
      emu.burst(429, 2, '/consommations');
      assert.equal((await get(dailyPath(2026, 11), bearer)).status, 429);
      assert.equal((await get('/espace-client?type-front=WEB_ORDINATEUR', bearer)).status, 200);
      assert.equal((await get(dailyPath(2026, 11), bearer)).status, 429);
      assert.equal((await get(dailyPath(2026, 11), bearer)).status, 200);
      emu.burst(502, 1);
      const bad = await get(dailyPath(2026, 11), bearer);
      assert.equal(bad.status, 502);
      assert.match(bad.text, /<html>/);
      assert.deepEqual(emu.server.log.map((r) => r.status), [429, 200, 429, 200, 502]);
    });
  });
});
