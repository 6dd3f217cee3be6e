import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ComapEmulator, COMAP_IDS } from '../../src/emulator/comap';
import { createComapSession } from '../../src/lib/comap/session';
import { parseOrder } from '../../src/lib/comap/orders';
import { ApiError } from '../../src/lib/http/errors';

describe('heating service against the Comap emulator', () => {
  let now = Date.parse('2026-11-23T08:00:00Z');
  const emulator = new ComapEmulator({ now: () => now });
  const session = () =>
    createComapSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: 'demo@example.com', password: 'demo-password', now: () => now });

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());

  const writes = () => emulator.state.writes.map((w) => `${w.method} ${w.path.replace(/^.*\/zones\//, '')}`);

  it('reads a state with one request per poll once warmed up', async () => {
    const { heating } = session();
    await heating.state();
    emulator.server.clearLog();
    for (let i = 0; i < 5; i++) {
      now += 5 * 60_000;
      await heating.state();
    }
    assert.deepEqual(
      emulator.server.log.map((r) => r.path),
      Array(5).fill(`/thermal/housings/${COMAP_IDS.maison}/thermal-details`),
    );
  });

  it('refreshes programs, presets and objects after their TTL', async () => {
    const { heating } = session();
    await heating.state();
    emulator.server.clearLog();
    now += 61 * 60_000;
    await heating.state();
    const api = emulator.server.log.filter((r) => r.path !== '/').map((r) => r.path.split('/').pop());
    assert.deepEqual(api.sort(), ['connected-objects', 'custom-temperatures', 'programs', 'schedules', 'thermal-details']);
  });

  it('replaces an instruction set elsewhere on 409: DELETE then POST', async () => {
    const { heating } = session();
    await heating.state();
    const token = await emulator.login();
    await fetch(`${emulator.apiUrl}/thermal/housings/${COMAP_IDS.maison}/thermal-control/zones/${COMAP_IDS.zones.chambres}/temporary-instruction`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ duration: 30, set_point: { instruction: 'stop' } }),
    });
    emulator.state.writes.length = 0;
    emulator.server.clearLog();
    const result = await heating.setZoneOrder('', 'Chambres', parseOrder('eco')!, 60);
    assert.equal(result.orderName, 'Eco');
    assert.deepEqual(emulator.server.requests('/temporary-instruction').map((r) => `${r.method} ${r.status}`), ['POST 409', 'DELETE 200', 'POST 200']);
    assert.deepEqual(writes(), [`DELETE ${COMAP_IDS.zones.chambres}/temporary-instruction`, `POST ${COMAP_IDS.zones.chambres}/temporary-instruction`]);
  });

  it('shows a temporary order only once the cloud applies it (no optimistic setpoint)', async () => {
    emulator.state.applyDelayMs = 3 * 60_000;
    const { heating } = session();
    const before = await heating.state();
    await heating.setTemperature('', 23, 120);
    const right = await heating.state();
    assert.equal(right.setpoint, before.setpoint, 'still the scheduled setpoint');
    assert.equal(right.temporary.active, true);
    assert.equal(right.temporary.setpoint, 23);
    now += 3 * 60_000 + 1;
    assert.equal((await heating.state()).setpoint, 23);
  });

  it('sees temporary instructions expire', async () => {
    const { heating } = session();
    await heating.setZoneOrder('', COMAP_IDS.zones.chambres, parseOrder(1)!, 30);
    const zone = (await heating.state()).zones.find((z) => z.id === COMAP_IDS.zones.chambres);
    assert.equal(zone?.temporary.active, true);
    now += 31 * 60_000;
    const later = (await heating.state()).zones.find((z) => z.id === COMAP_IDS.zones.chambres);
    assert.equal(later?.temporary.active, false);
  });

  it('keeps working when the token expires or is revoked (401 and 403)', async () => {
    const { heating, auth } = session();
    await heating.state();
    emulator.cognito.revokeAll();
    emulator.staleTokenStatus = 403;
    await heating.state();
    emulator.cognito.expireAll();
    await heating.state();
    assert.deepEqual(auth.stats, { passwordLogins: 1, refreshes: 2, challengeAnswers: 0 });
  });

  it('reports null, not made-up values, for a zone with a transmission error', async () => {
    emulator.state.setTransmissionError(COMAP_IDS.zones.sejour);
    emulator.state.nullPresence = true;
    const state = await session().heating.state();
    assert.equal(state.temperature, null);
    assert.equal(state.humidity, null);
    assert.equal(state.lastPresence, null);
  });

  it('lists zones and programs for the editor', async () => {
    const { heating } = session();
    assert.deepEqual((await heating.housings()).map((h) => h.name), ['Maison', 'Chalet']);
    const zones = await heating.zones('');
    assert.deepEqual(zones.map((z) => `${z.name}:${z.kind}`), ['Séjour:thermostat', 'Chambres:pilot-wire', 'Salle de bain:pilot-wire']);
    assert.deepEqual((await heating.programs(COMAP_IDS.maison)).map((p) => `${p.name}:${p.active}`), ['Semaine:true', 'Vacances:false']);
  });

  it('refuses a password login to another account and unknown housings', async () => {
    const { heating } = session();
    await assert.rejects(heating.state('h-unknown'), (e: ApiError) => e.code === 'NOT_FOUND');
  });

  describe('programs and schedules (spec §7.4)', () => {
    const CHALET = COMAP_IDS.chalet;
    const api = () => emulator.server.log.filter((r) => r.path !== '/').map((r) => `${r.method} ${r.path}`);
    const activePrograms = (housing: string) => emulator.state.programs(housing).programs.filter((p) => p.is_activated).map((p) => p.id);

    for (const [housing, name, programId] of [
      [CHALET, 'hiver', COMAP_IDS.programs.chaletHiver],
      [COMAP_IDS.maison, 'Vacances', COMAP_IDS.programs.vacances],
    ] as const) {
      it(`changes program with POST activate alone on a warm cache (${housing})`, async () => {
        const { heating } = session();
        await heating.state(housing);
        emulator.server.clearLog();
        const result = await heating.activateProgram(housing, name);
        assert.deepEqual(result, { program: { id: programId, name: name === 'hiver' ? 'Hiver' : name } });
        assert.deepEqual(api(), [`POST /thermal/housings/${housing}/programs/${programId}/activate`]);
        assert.deepEqual(activePrograms(housing), [programId]);
      });
    }

    it('gives a schedule named on a monozone housing to its zone in the active program, one request when warm', async () => {
      const { heating } = session();
      await heating.state(CHALET);
      await heating.programChoices(CHALET);
      emulator.server.clearLog();
      const result = await heating.activateProgram(CHALET, 'CONFORT MATIN');
      assert.deepEqual(result, {
        zone: { id: COMAP_IDS.zones.chalet, name: 'Chalet' },
        schedule: { id: COMAP_IDS.schedules.chaletConfortMatin, name: 'Confort matin' },
        program: { id: COMAP_IDS.programs.chalet, name: 'Chalet' },
      });
      assert.deepEqual(api(), [`POST /thermal/housings/${CHALET}/programs/${COMAP_IDS.programs.chalet}/zones/${COMAP_IDS.zones.chalet}`]);
      assert.deepEqual(emulator.state.writes[0].body, { programming_type: 'connected', schedule_id: COMAP_IDS.schedules.chaletConfortMatin });
      assert.deepEqual(activePrograms(CHALET), [COMAP_IDS.programs.chalet], 'the active program stays');
    });

    it('knows the schedule change cancelled the zone’s temporary order (no needless DELETE after)', async () => {
      const { heating } = session();
      await heating.setTemperature(CHALET, 21, 60);
      await heating.activateProgram(CHALET, COMAP_IDS.schedules.chaletPresent);
      emulator.state.writes.length = 0;
      await heating.setTemperature(CHALET, 20, 60);
      assert.deepEqual(writes(), [`POST ${COMAP_IDS.zones.chalet}/temporary-instruction`]);
    });

    it('takes the program for a name that is both a program and a schedule', async () => {
      const { heating } = session();
      const result = await heating.activateProgram(CHALET, 'Week-end');
      assert.deepEqual(result, { program: { id: COMAP_IDS.programs.chaletWeekend, name: 'Week-end' } });
      assert.deepEqual(writes(), [`POST /thermal/housings/${CHALET}/programs/${COMAP_IDS.programs.chaletWeekend}/activate`]);
    });

    it('says NOT_FOUND for a schedule name on a multizone housing, and for neither on a monozone one, after one refresh', async () => {
      const { heating } = session();
      await assert.rejects(heating.activateProgram(COMAP_IDS.maison, 'Semaine travail'), (e: ApiError) => e.code === 'NOT_FOUND');
      emulator.server.clearLog();
      await assert.rejects(heating.activateProgram(CHALET, 'Été'), (e: ApiError) => e.code === 'NOT_FOUND' && /neither a program nor a schedule/.test(e.message));
      assert.equal(emulator.server.requests(`/thermal/housings/${CHALET}/programs`).length, 2, 'cold read, then one refresh');
      assert.equal(emulator.state.writes.length, 0);
    });

    it('lists the schedules of a monozone housing after its programs for the editor, not those of a multizone one', async () => {
      const { heating } = session();
      assert.deepEqual(
        (await heating.programChoices(CHALET)).map((c) => `${c.name}:${'kind' in c ? c.kind : 'program'}`),
        ['Chalet:program', 'Hiver:program', 'Week-end:program', 'Présent:schedule', 'Absent:schedule', 'Confort matin:schedule', 'Week-end:schedule'],
      );
      assert.deepEqual((await heating.programChoices(COMAP_IDS.maison)).map((c) => c.name), ['Semaine', 'Vacances']);
    });

    describe('a schedule for any zone: assignSchedule', () => {
      const MAISON = COMAP_IDS.maison;
      const Z = COMAP_IDS.zones;
      const zonePost = (zone: string) => `POST /thermal/housings/${MAISON}/programs/${COMAP_IDS.programs.semaine}/zones/${zone}`;

      it('gives a multizone housing’s zone a schedule in the active program, by names in any case, one request when warm', async () => {
        const { heating } = session();
        await heating.state(MAISON);
        emulator.server.clearLog();
        const result = await heating.assignSchedule(MAISON, 'salle DE BAIN', 'chambres CONFORT');
        assert.deepEqual(result, {
          zone: { id: Z.sdb, name: 'Salle de bain' },
          schedule: { id: COMAP_IDS.schedules.filPiloteConfort, name: 'Chambres confort' },
          program: { id: COMAP_IDS.programs.semaine, name: 'Semaine' },
        });
        assert.deepEqual(api(), [zonePost(Z.sdb)]);
        assert.deepEqual(emulator.state.writes[0].body, { programming_type: 'connected', schedule_id: COMAP_IDS.schedules.filPiloteConfort });
        assert.deepEqual(activePrograms(MAISON), [COMAP_IDS.programs.semaine], 'the active program stays');
      });

      it('keeps the catalog warm and right: the next change and the next poll read no catalog', async () => {
        const { heating } = session();
        await heating.state(MAISON);
        emulator.server.clearLog();
        await heating.assignSchedule(MAISON, Z.chambres, COMAP_IDS.schedules.filPiloteHorsGel);
        await heating.assignSchedule(MAISON, Z.sejour, 'Séjour hors-gel');
        const state = await heating.state(MAISON);
        assert.deepEqual(api(), [zonePost(Z.chambres), zonePost(Z.sejour), `GET /thermal/housings/${MAISON}/thermal-details`]);
        const scheduleOf = (zone: string) => state.zones.find((z) => z.id === zone)?.schedule;
        assert.deepEqual(scheduleOf(Z.chambres), { id: COMAP_IDS.schedules.filPiloteHorsGel, name: 'Hors-gel' });
        assert.deepEqual(scheduleOf(Z.sejour), { id: COMAP_IDS.schedules.sejourHorsGel, name: 'Séjour hors-gel' });
        assert.deepEqual(scheduleOf(Z.sdb), { id: COMAP_IDS.schedules.filPiloteEco, name: 'Salle de bain éco' }, 'the other zones unchanged');
      });

      it('knows the change cancelled the zone’s temporary order: the next order sends no DELETE', async () => {
        const { heating } = session();
        await heating.setZoneOrder(MAISON, 'Chambres', parseOrder('eco')!, 60);
        await heating.assignSchedule(MAISON, 'Chambres', 'Hors-gel');
        emulator.state.writes.length = 0;
        await heating.setZoneOrder(MAISON, 'Chambres', parseOrder('confort')!, 60);
        assert.deepEqual(writes(), [`POST ${Z.chambres}/temporary-instruction`]);
      });

      it('says NOT_FOUND for an unknown schedule after one catalog refresh, and for an unknown zone, writing nothing', async () => {
        const { heating } = session();
        await heating.state(MAISON);
        emulator.server.clearLog();
        await assert.rejects(heating.assignSchedule(MAISON, 'Chambres', 'Été'), (e: ApiError) => e.code === 'NOT_FOUND' && /schedule "Été"/.test(e.message));
        assert.equal(emulator.server.requests(`/thermal/housings/${MAISON}/schedules`).length, 1, 'warm, then one refresh');
        await assert.rejects(heating.assignSchedule(MAISON, 'Garage', 'Hors-gel'), (e: ApiError) => e.code === 'NOT_FOUND' && /zone "Garage"/.test(e.message));
        await assert.rejects(heating.scheduleZoneRef(MAISON, 'Garage'), (e: ApiError) => e.code === 'NOT_FOUND');
        assert.equal(emulator.state.writes.length, 0);
      });

      it('says NOT_FOUND when no program is active, writing nothing', async () => {
        const s = session();
        const programs = emulator.state.programs(MAISON).programs.map((p) => ({ ...p, is_activated: false }));
        sinon.stub(s.client, 'programs').resolves(programs);
        await assert.rejects(s.heating.assignSchedule(MAISON, 'Chambres', 'Hors-gel'), (e: ApiError) => e.code === 'NOT_FOUND' && /no active program/.test(e.message));
        assert.equal(emulator.state.writes.length, 0);
      });

      it('resolves the zone of any kind to its real ids for the command queue', async () => {
        const { heating } = session();
        assert.deepEqual(await heating.scheduleZoneRef('', 'séjour'), { housing: { id: MAISON, name: 'Maison' }, zone: { id: Z.sejour, name: 'Séjour' } });
        assert.deepEqual((await heating.scheduleZoneRef(MAISON, Z.chambres)).zone, { id: Z.chambres, name: 'Chambres' });
      });

      it('lists a housing’s schedules for the editor, multizone too', async () => {
        const { heating } = session();
        assert.deepEqual(
          (await heating.schedules(MAISON)).map((x) => x.name),
          ['Séjour semaine', 'Séjour hors-gel', 'Chambres confort', 'Salle de bain éco', 'Hors-gel', 'Semaine travail'],
        );
      });
    });

    it('still reads the state when the cloud has no schedule list for a housing (404)', async () => {
      const s = session();
      sinon.stub(s.client, 'schedules').rejects(new ApiError('NOT_FOUND', 'no schedules', { status: 404 }));
      assert.equal((await s.heating.state(CHALET)).housing.id, CHALET);
      assert.deepEqual(await s.heating.programChoices(CHALET).then((c) => c.filter((x) => 'kind' in x)), []);
    });
  });
});
