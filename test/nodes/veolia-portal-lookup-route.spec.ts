import assert from 'node:assert/strict';
import type { NodeAPI } from 'node-red';
import { REFCOMMUNES_PREFIX, VeoliaEmulator } from '../../src/emulator/veolia';
import { LOOKUPS_PER_MINUTE, registerPortalLookupRoute } from '../../src/nodes/veolia-account/portal-lookup-route';
import { helper, load } from '../support/flow';

/** The account dialog's *Postal code or town* look-up (product-spec §8.5), through the admin endpoint. */
describe('veolia-account portal look-up endpoint', function () {
  this.timeout(15_000);
  const emulator = new VeoliaEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(async () => {
    emulator.server.clearLog();
    // The product never asks a real host in tests: the look-up goes to the emulator.
    helper.settings({ veoliaRefcommunesUrl: `${emulator.url}${REFCOMMUNES_PREFIX}` } as Parameters<typeof helper.settings>[0]);
    await load([{ id: 'tab', type: 'tab' }, { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'national' }], {});
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
  });

  const lookup = (body: unknown) => helper.request().post('/veolia-account/portal-lookup').send(body as object);

  it('answers the towns of a postal code with their portal', async () => {
    const res = await lookup({ q: '00100' }).expect(200);
    assert.deepEqual(res.body, [{ town: 'TESTBOURG-SUR-GARONNE', postalCode: '00100', portal: 'toulouse', host: 'eaudetm.monespace.eau.veolia.fr', status: 'redirected' }]);
    const res2 = await lookup({ q: 'autreville' }).expect(200);
    assert.equal(res2.body[0].status, 'unsupported');
    assert.deepEqual(
      emulator.server.log.map((r) => `${r.method} ${r.path}?q=${r.query.q}`),
      [`GET ${REFCOMMUNES_PREFIX}/communes-nationales?q=00100`, `GET ${REFCOMMUNES_PREFIX}/communes-nationales?q=autreville`],
      'the query alone, to the look-up only',
    );
  });

  it('refuses a query that is no postal code or town (400 INVALID_INPUT), sending nothing', async () => {
    for (const body of [{}, { q: '' }, { q: '123' }, { q: 'x'.repeat(61) }, { q: '../../etc' }, { q: ['00000'] }, { q: 12345 }]) {
      const res = await lookup(body).expect(400);
      assert.equal(res.body.code, 'INVALID_INPUT', JSON.stringify(body));
    }
    assert.equal(emulator.server.log.length, 0);
  });

  it(`answers at most ${LOOKUPS_PER_MINUTE} look-ups a minute (429 RATE_LIMITED)`, async () => {
    for (let i = 0; i < LOOKUPS_PER_MINUTE; i++) await lookup({ q: '00000' }).expect(200);
    const res = await lookup({ q: '00000' }).expect(429);
    assert.equal(res.body.code, 'RATE_LIMITED');
    assert.equal(emulator.server.log.length, LOOKUPS_PER_MINUTE);
  });

  it('says UNAVAILABLE (502) when the look-up service fails', async () => {
    emulator.burst(503, 5, '/communes-nationales');
    const res = await lookup({ q: '00000' }).expect(502);
    assert.equal(res.body.code, 'UNAVAILABLE');
  });

  it('is a POST that needs the veolia-account.write permission', () => {
    const routes: Array<{ method: string; path: string; permission: string }> = [];
    const fake = {
      auth: { needsPermission: (permission: string) => Object.assign(() => undefined, { permission }) },
      httpAdmin: {
        post: (path: string, guard: { permission: string }) => routes.push({ method: 'POST', path, permission: guard.permission }),
        get: (path: string, guard: { permission: string }) => routes.push({ method: 'GET', path, permission: guard.permission }),
      },
      settings: {},
    } as unknown as NodeAPI;
    registerPortalLookupRoute(fake);
    assert.deepEqual(routes, [{ method: 'POST', path: '/veolia-account/portal-lookup', permission: 'veolia-account.write' }]);
  });
});
