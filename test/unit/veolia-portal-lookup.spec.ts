import assert from 'node:assert/strict';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';
import { lookupPortal, parseLookupQuery, toLookupResults } from '../../src/lib/veolia/portal-lookup';
import { VEOLIA_REFCOMMUNES_URL } from '../../src/lib/veolia/portals';
import { REFCOMMUNES_PREFIX, VeoliaEmulator } from '../../src/emulator/veolia';

/** Portal discovery (product-spec §8.5, veolia-api.md §2.1) against the emulator's commune look-up. */
describe('Veolia portal lookup', () => {
  const emu = new VeoliaEmulator();
  let base: string;
  const transport = new Transport({ service: 'Veolia' });

  before(async () => {
    base = `${await emu.start()}${REFCOMMUNES_PREFIX}`;
  });
  after(() => emu.stop());
  beforeEach(() => emu.server.clearLog());

  it("defaults to Veolia's public host", () => {
    assert.equal(VEOLIA_REFCOMMUNES_URL, 'https://prd-ael-sirius-refcommunes.istefr.fr');
  });

  it('finds the national portal for a town on eau.veolia.fr (NON_REDIRIGE), every town of a postal code', async () => {
    assert.deepEqual(await lookupPortal(transport, '00000', base), [
      { town: 'EXEMPLEVILLE', postalCode: '00000', portal: 'national', host: 'www.eau.veolia.fr', status: 'national' },
      { town: 'EXEMPLEVILLE-LES-BAINS', postalCode: '00000', portal: 'national', host: 'www.eau.veolia.fr', status: 'national' },
    ]);
    const [request] = emu.server.requests('/communes-nationales');
    assert.deepEqual(request.query, { q: '00000' }, 'only the query is sent');
    assert.equal(request.headers.authorization, undefined, 'no login');
  });

  it('picks the portal a town is redirected to (REDIRIGE to a supported host)', async () => {
    assert.deepEqual(await lookupPortal(transport, 'testbourg', base), [
      { town: 'TESTBOURG-SUR-GARONNE', postalCode: '00100', portal: 'toulouse', host: 'eaudetm.monespace.eau.veolia.fr', status: 'redirected' },
    ]);
    assert.deepEqual(await lookupPortal(transport, '00200', base), [
      { town: 'EXEMPLE-EN-ROUSSILLON', postalCode: '00200', portal: 'perpignan', host: 'www.ea-pm.fr', status: 'redirected' },
    ]);
  });

  it('names the host of a portal this package does not support (REDIRIGE elsewhere)', async () => {
    assert.deepEqual(await lookupPortal(transport, 'Autreville', base), [
      { town: 'AUTREVILLE', postalCode: '00300', portal: null, host: 'espace-client.eau-autreville.example', status: 'unsupported' },
    ]);
  });

  it('says when Veolia does not serve a town (NON_DESSERVIE) or its portal is under maintenance (EN_MAINTENANCE)', async () => {
    assert.deepEqual(await lookupPortal(transport, 'nullepart', base), [{ town: 'NULLEPART', postalCode: '00400', portal: null, status: 'not-served' }]);
    assert.deepEqual(await lookupPortal(transport, '00500', base), [{ town: 'PAUSEVILLE', postalCode: '00500', portal: null, status: 'maintenance' }]);
    assert.deepEqual(await lookupPortal(transport, '99999', base), [], 'no such town: an empty list');
  });

  it('refuses anything but a 5-digit postal code or a town name, sending nothing', async () => {
    for (const bad of ['', ' ', '1234', '123456', 'a', 'x'.repeat(61), 'Paris; DROP', '<script>', 'https://evil.example', 12345, null, ['00000']]) {
      await assert.rejects(lookupPortal(transport, bad, base), (e: unknown) => e instanceof ApiError && e.code === 'INVALID_INPUT', JSON.stringify(bad));
    }
    assert.equal(emu.server.log.length, 0);
    assert.equal(parseLookupQuery(" Saint-Jean-d'Angély "), "Saint-Jean-d'Angély");
  });

  it('reads answers defensively: unknown kinds and entries without a name are left out, a non-list is PROTOCOL', () => {
    assert.deepEqual(toLookupResults([{ libelle: 'X', type_commune: 'AUTRE' }, { type_commune: 'NON_DESSERVIE' }, 7, { libelle: 'Y', code_postal: 12, type_commune: 'REDIRIGE', url_redirection: 'not a url at all' }]), [
      { town: 'Y', postalCode: '12', portal: null, status: 'unsupported' },
    ]);
    assert.deepEqual(toLookupResults(null), []);
    assert.throws(() => toLookupResults({ libelle: 'X' }), (e: unknown) => e instanceof ApiError && e.code === 'PROTOCOL');
  });
});
