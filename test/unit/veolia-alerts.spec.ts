import assert from 'node:assert/strict';
import { CognitoAuth } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';
import { AlertSettings, AlertsService, mergeAlerts, parseAlertsRequest, toAlertSettings } from '../../src/lib/veolia/alerts';
import { VeoliaClient } from '../../src/lib/veolia/client';
import { VEOLIA_USER_AGENT } from '../../src/lib/veolia/portals';
import { WaterService } from '../../src/lib/veolia/water';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, SECOND_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';

const ID = MAIN_CONTRACT.id;
const OFF: AlertSettings = { contract: { id: ID }, daily: { enabled: false, litres: null }, monthly: { enabled: false, m3: null }, emptyHome: false, sms: false, email: true };

function invalid(payload: unknown): ApiError {
  try {
    parseAlertsRequest(payload);
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 'INVALID_INPUT', String(err));
    return err;
  }
  assert.fail(`${JSON.stringify(payload)} accepted`);
}

describe('Veolia alerts (product-spec §8.4)', () => {
  describe('messages', () => {
    it('reads on "get" and on anything that is not an object', () => {
      for (const payload of ['get', 'GET', 12, true, null, undefined, '']) assert.deepEqual(parseAlertsRequest(payload), { kind: 'get' });
    });

    it('takes the fields it names, a threshold alone switching its alert on', () => {
      assert.deepEqual(parseAlertsRequest({ daily: { enabled: true, litres: 250 } }), { kind: 'set', change: { daily: { enabled: true, litres: 250 } } });
      assert.deepEqual(parseAlertsRequest({ daily: { litres: '300' } }), { kind: 'set', change: { daily: { enabled: true, litres: 300 } } });
      assert.deepEqual(parseAlertsRequest({ monthly: { enabled: false, m3: null }, sms: true }), { kind: 'set', change: { monthly: { enabled: false }, sms: true } });
      assert.deepEqual(parseAlertsRequest({ emptyHome: true, daily: { enabled: false } }), { kind: 'set', change: { emptyHome: true, daily: { enabled: false } } });
      assert.deepEqual(parseAlertsRequest({ email: true, sms: false }), { kind: 'set', change: { sms: false } });
    });

    it('accepts a read-back sent back as is', () => {
      const read = { ...OFF, daily: { enabled: true, litres: 150 }, sms: true };
      assert.deepEqual(parseAlertsRequest(structuredClone(read)), { kind: 'set', change: { daily: { enabled: true, litres: 150 }, monthly: { enabled: false }, emptyHome: false, sms: true } });
    });

    const bad: unknown[] = [
      [],
      {},
      { contract: { id: ID } },
      { daily: { enabled: true, litres: 99 } },
      { daily: { litres: 0 } },
      { daily: { enabled: true } },
      { daily: { enabled: true, litres: 150.5 } },
      { daily: { enabled: 'yes', litres: 150 } },
      { daily: 150 },
      { daily: { enabled: true, litres: 150, unit: 'L' } },
      { monthly: { enabled: true, m3: 0 } },
      { monthly: { m3: 'five' } },
      { monthly: { enabled: true, m3: NaN } },
      { emptyHome: 'true' },
      { sms: 1 },
      { email: false },
      { emptyHome: true, daily: { enabled: true, litres: 200 } },
      { weekly: { enabled: true } },
      { __proto__: { daily: 1 }, bogus: 1 },
    ];
    for (const payload of bad) {
      it(`refuses ${JSON.stringify(payload)} with INVALID_INPUT`, () => {
        invalid(payload);
      });
    }

    it('says why e-mail cannot be switched off', () => {
      assert.match(invalid({ email: false }).message, /always sends its alerts by e-mail/);
    });
  });

  describe('Veolia shapes', () => {
    it('reads 204 as every alert off', () => {
      assert.deepEqual(toAlertSettings(ID, null), OFF);
    });

    it('reads thresholds, channels and the empty-home mode', () => {
      const channels = { souscrit_par_email: true, souscrit_par_mobile: true };
      assert.deepEqual(toAlertSettings(ID, { seuils: { journalier: { valeur: 100, unite: 'L', moyen_contact: channels }, mensuel: { valeur: 5, unite: 'M3', moyen_contact: channels } } }), {
        ...OFF,
        daily: { enabled: true, litres: 100 },
        monthly: { enabled: true, m3: 5 },
        sms: true,
      });
      assert.deepEqual(toAlertSettings(ID, { seuils: { journalier: { valeur: 0, unite: 'L' } } }), { ...OFF, emptyHome: true });
      assert.deepEqual(toAlertSettings(ID, { seuils: { mensuel: { valeur: 2000, unite: 'L' } } }), { ...OFF, monthly: { enabled: true, m3: 2 } });
    });

    it('merges a change into the current settings', () => {
      const current: AlertSettings = { ...OFF, daily: { enabled: true, litres: 200 }, monthly: { enabled: true, m3: 5 }, sms: true };
      assert.deepEqual(mergeAlerts(current, { daily: { enabled: true, litres: 300 } }), { ...current, daily: { enabled: true, litres: 300 } });
      assert.deepEqual(mergeAlerts(current, { emptyHome: true }), { ...current, emptyHome: true, daily: { enabled: false, litres: null } });
      assert.deepEqual(mergeAlerts({ ...current, emptyHome: true }, { daily: { enabled: true, litres: 150 } }), { ...current, daily: { enabled: true, litres: 150 } });
      assert.deepEqual(mergeAlerts(current, { monthly: { enabled: false } }), { ...current, monthly: { enabled: false, m3: null } });
      assert.deepEqual(current.daily, { enabled: true, litres: 200 }, 'the current settings are not changed');
    });
  });

  describe('against the emulator', () => {
    let emu: VeoliaEmulator;
    let alerts: AlertsService;
    const posts = () => emu.server.requests('/alertes', 'POST').map((r) => r.body as Record<string, unknown>);

    beforeEach(async () => {
      emu = new VeoliaEmulator();
      const url = await emu.start();
      const transport = new Transport({ service: 'Veolia', userAgent: VEOLIA_USER_AGENT });
      const auth = new CognitoAuth(transport, { authUrl: `${url}/`, clientId: VEOLIA_CLIENT_IDS[0], username: DEMO_USERNAME, password: DEMO_PASSWORD });
      const client = new VeoliaClient(transport, auth, url);
      alerts = new AlertsService(client, new WaterService(client));
    });
    afterEach(() => emu.stop());

    it('reads no alert (204) as all off', async () => {
      assert.deepEqual(await alerts.read(), OFF);
    });

    it('posts the whole set with the contract owner and meter, keeping the monthly alert when only the daily one changes', async () => {
      emu.alerts.set(ID, { monthlyM3: 6, sms: true });
      const after = await alerts.change(ID, { daily: { enabled: true, litres: 250 } });
      assert.deepEqual(after, { ...OFF, daily: { enabled: true, litres: 250 }, monthly: { enabled: true, m3: 6 }, sms: true });
      const channel = { subscribed_by_email: true, subscribed_by_mobile: true };
      assert.deepEqual(posts(), [
        {
          alerte_journaliere: { seuil: 250, unite: 'L', souscrite: true, contact_channel: channel },
          alerte_mensuelle: { seuil: 6, unite: 'M3', souscrite: true, contact_channel: channel },
          contact_id: MAIN_CONTRACT.contactId,
          numero_compteur: MAIN_CONTRACT.meter,
          tiers_id: MAIN_CONTRACT.tierId,
          abo_id: ID,
          type_front: 'WEB_ORDINATEUR',
        },
      ]);
    });

    it('marks the home empty with the daily alert at 0 L, and ends it', async () => {
      emu.alerts.set(ID, { dailyLitres: 300 });
      assert.deepEqual(await alerts.change(ID, { emptyHome: true }), { ...OFF, emptyHome: true });
      assert.equal((posts()[0].alerte_journaliere as { seuil: number }).seuil, 0);
      assert.deepEqual(await alerts.change(ID, { emptyHome: false }), OFF);
      assert.equal(posts()[1].alerte_journaliere, undefined, 'the empty-home alert is left out: off');
    });

    it('names the contact and tier of the contract asked for', async () => {
      emu.state.addContract();
      await alerts.change(SECOND_CONTRACT.id, { monthly: { enabled: true, m3: 2 } });
      const [body] = posts();
      assert.equal(body.contact_id, SECOND_CONTRACT.contactId);
      assert.equal(body.tiers_id, SECOND_CONTRACT.tierId);
      assert.deepEqual(await alerts.read(ID), OFF, 'the other contract keeps its own alerts');
    });

    it('the emulator refuses what Veolia refuses: a daily threshold under 100 L, e-mail off, a wrong owner', async () => {
      const url = `${emu.url}/alertes/${MAIN_CONTRACT.pds}`;
      const login = await fetch(`${emu.url}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: VEOLIA_CLIENT_IDS[0], AuthParameters: { USERNAME: DEMO_USERNAME, PASSWORD: DEMO_PASSWORD } }),
      });
      const access = ((await login.json()) as { AuthenticationResult: { AccessToken: string } }).AuthenticationResult.AccessToken;
      const base = { contact_id: MAIN_CONTRACT.contactId, numero_compteur: MAIN_CONTRACT.meter, tiers_id: MAIN_CONTRACT.tierId, abo_id: ID, type_front: 'WEB_ORDINATEUR' };
      const alert = (seuil: number, email = true) => ({ seuil, unite: 'L', souscrite: true, contact_channel: { subscribed_by_email: email, subscribed_by_mobile: false } });
      const post = async (body: unknown) =>
        (await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;
      assert.equal(await post({ ...base, alerte_journaliere: alert(99) }), 400);
      assert.equal(await post({ ...base, alerte_journaliere: alert(150, false) }), 400);
      assert.equal(await post({ ...base, tiers_id: 'T-other', alerte_journaliere: alert(150) }), 400);
      assert.equal(await post({ ...base, alerte_mensuelle: { ...alert(0), unite: 'M3' } }), 400);
      assert.equal(await post({ ...base, alerte_journaliere: alert(150) }), 204);
      assert.deepEqual(await alerts.read(), { ...OFF, daily: { enabled: true, litres: 150 } });
    });

    it('without telemetry: reads all off, and a change keeps nothing', async () => {
      emu.state.setTelemetry(false);
      assert.deepEqual(await alerts.change(ID, { daily: { enabled: true, litres: 200 } }), OFF);
    });
  });
});
