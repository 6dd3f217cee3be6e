import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { collect, during, flowWith, helper, load, node } from '../support/flow';

interface ResultMsg {
  payload: Record<string, unknown>;
}
interface ErrorMsg {
  error: { code: string; message: string };
}

const CHALET = COMAP_IDS.chalet;
const MAISON = COMAP_IDS.maison;
const P = COMAP_IDS.programs;
const S = COMAP_IDS.schedules;

/** qivivo-program over HTTP against the emulator: change program = POST #22 everywhere (spec §7.4). */
describe('qivivo-program', function () {
  this.timeout(15_000);
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());

  const writes = () => emulator.state.writes.map((w) => `${w.method} ${w.path}`);
  const activate = (housing: string, program: string) => `POST /thermal/housings/${housing}/programs/${program}/activate`;
  const active = (housing: string) => emulator.state.programs(housing).programs.find((p) => p.is_activated)?.id;

  async function send(housing: string, payload: unknown, extra: Record<string, unknown> = {}): Promise<ResultMsg> {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing, ...extra }));
    const out = collect<ResultMsg>('out', 1);
    node('n1').receive({ payload });
    return (await out)[0];
  }

  describe('on a monozone housing', () => {
    it('activates a program named in the payload with one write, POST …/activate', async () => {
      const msg = await send(CHALET, 'Hiver');
      assert.deepEqual(msg.payload, { program: { id: P.chaletHiver, name: 'Hiver' } });
      assert.deepEqual(writes(), [activate(CHALET, P.chaletHiver)]);
      assert.equal(active(CHALET), P.chaletHiver);
    });

    it('gives a schedule named in the payload to its zone in the active program, with one write', async () => {
      const msg = await send(CHALET, 'confort matin');
      assert.deepEqual(msg.payload, {
        zone: { id: COMAP_IDS.zones.chalet, name: 'Chalet' },
        schedule: { id: S.chaletConfortMatin, name: 'Confort matin' },
        program: { id: P.chalet, name: 'Chalet' },
      });
      assert.deepEqual(writes(), [`POST /thermal/housings/${CHALET}/programs/${P.chalet}/zones/${COMAP_IDS.zones.chalet}`]);
      assert.deepEqual(emulator.state.writes[0].body, { programming_type: 'connected', schedule_id: S.chaletConfortMatin });
      assert.equal(active(CHALET), P.chalet, 'the active program stays');
    });

    it('takes the program for a name that is both a program and a schedule', async () => {
      const msg = await send(CHALET, 'week-end');
      assert.deepEqual(msg.payload, { program: { id: P.chaletWeekend, name: 'Week-end' } });
      assert.deepEqual(writes(), [activate(CHALET, P.chaletWeekend)]);
    });

    it('gives the schedule chosen in the node (from the editor’s list) whatever the payload', async () => {
      const msg = await send(CHALET, 1732350000000, { program: S.chaletPresent });
      assert.deepEqual(msg.payload.schedule, { id: S.chaletPresent, name: 'Présent' });
      assert.equal(emulator.state.writes.length, 1);
    });

    it('says NOT_FOUND for a name that is neither, writing nothing', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: CHALET }));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'Été' });
      assert.equal((await err)[0].error.code, 'NOT_FOUND');
      assert.deepEqual(writes(), []);
    });
  });

  describe('on a multizone housing', () => {
    it('activates the program with POST …/activate', async () => {
      const msg = await send(MAISON, 'vacances');
      assert.deepEqual(msg.payload, { program: { id: P.vacances, name: 'Vacances' } });
      assert.deepEqual(writes(), [activate(MAISON, P.vacances)]);
    });

    it('says NOT_FOUND for a schedule name (the monozone rule only)', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON }));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'Semaine travail' });
      assert.equal((await err)[0].error.code, 'NOT_FOUND');
      assert.deepEqual(writes(), []);
    });
  });

  describe('giving a zone a schedule: msg.payload { zone, schedule } (spec §7.4)', () => {
    const Z = COMAP_IDS.zones;
    const zoneSchedule = (housing: string, program: string, zone: string) => `POST /thermal/housings/${housing}/programs/${program}/zones/${zone}`;
    const scheduleOf = (housing: string, program: string, zone: string) =>
      emulator.state.programs(housing).programs.find((p) => p.id === program)?.zones?.find((z) => z.id === zone)?.schedule_id;
    const temporary = (housing: string, zone: string) => emulator.state.zoneDetails(housing, zone).events?.temporary_instruction;

    it('on a multizone housing: one POST …/programs/{active}/zones/{zone} with the schedule id, names in any case', async () => {
      const msg = await send(MAISON, { zone: 'CHAMBRES', schedule: 'hors-GEL' });
      assert.deepEqual(msg.payload, {
        zone: { id: Z.chambres, name: 'Chambres' },
        schedule: { id: S.filPiloteHorsGel, name: 'Hors-gel' },
        program: { id: P.semaine, name: 'Semaine' },
      });
      assert.deepEqual(writes(), [zoneSchedule(MAISON, P.semaine, Z.chambres)]);
      assert.deepEqual(emulator.state.writes[0].body, { programming_type: 'connected', schedule_id: S.filPiloteHorsGel });
      assert.equal(scheduleOf(MAISON, P.semaine, Z.chambres), S.filPiloteHorsGel);
      assert.equal(active(MAISON), P.semaine, 'the active program stays');
    });

    it('takes ids, accents ignored in names, the thermostat zone too, and a monozone housing', async () => {
      const msg = await send('', { zone: 'sejour', schedule: S.sejourHorsGel });
      assert.deepEqual(msg.payload.zone, { id: Z.sejour, name: 'Séjour' });
      assert.deepEqual(msg.payload.schedule, { id: S.sejourHorsGel, name: 'Séjour hors-gel' });
      await helper.unload();
      emulator.state.writes.length = 0;
      const chalet = await send(CHALET, { zone: Z.chalet, schedule: 'PRESENT' });
      assert.deepEqual(chalet.payload, {
        zone: { id: Z.chalet, name: 'Chalet' },
        schedule: { id: S.chaletPresent, name: 'Présent' },
        program: { id: P.chalet, name: 'Chalet' },
      });
      assert.deepEqual(writes(), [zoneSchedule(CHALET, P.chalet, Z.chalet)]);
    });

    it('is read even when the node has a program of its own, which any other message still activates', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON, program: P.vacances }));
      const out = collect<ResultMsg>('out', 2);
      node('n1').receive({ payload: { zone: 'Salle de bain', schedule: 'Hors-gel' } });
      const [assigned] = await collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: { any: 'object' } });
      const [, activated] = await out;
      assert.deepEqual(assigned.payload.schedule, { id: S.filPiloteHorsGel, name: 'Hors-gel' });
      assert.deepEqual(activated.payload, { program: { id: P.vacances, name: 'Vacances' } });
      assert.deepEqual(writes(), [zoneSchedule(MAISON, P.semaine, Z.sdb), activate(MAISON, P.vacances)]);
    });

    it('gives a zone chosen in the node the schedule chosen there, or the one the payload names', async () => {
      const fixed = await send(MAISON, 1732350000000, { zone: Z.chambres, schedule: S.filPiloteEco });
      assert.deepEqual(fixed.payload.schedule, { id: S.filPiloteEco, name: 'Salle de bain éco' });
      await helper.unload();
      const named = await send(MAISON, 'chambres confort', { zone: Z.sdb });
      assert.deepEqual(named.payload.zone, { id: Z.sdb, name: 'Salle de bain' });
      assert.deepEqual(named.payload.schedule, { id: S.filPiloteConfort, name: 'Chambres confort' });
      assert.deepEqual(writes(), [zoneSchedule(MAISON, P.semaine, Z.chambres), zoneSchedule(MAISON, P.semaine, Z.sdb)]);
    });

    it('says NOT_FOUND for an unknown zone or schedule (after one fresh look), writing nothing', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON }));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: { zone: 'Garage', schedule: 'Hors-gel' } });
      assert.equal((await err)[0].error.code, 'NOT_FOUND');
      assert.equal(emulator.server.requests(`/thermal/housings/${MAISON}/thermal-details`).length, 2, 'cold read, then one fresh look');
      const err2 = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: { zone: 'Chambres', schedule: 'Été' } });
      const [notFound] = await err2;
      assert.equal(notFound.error.code, 'NOT_FOUND');
      assert.match(notFound.error.message, /schedule "Été"/);
      assert.equal(emulator.server.requests(`/thermal/housings/${MAISON}/schedules`).length, 2, 'cold read, then one fresh look');
      assert.deepEqual(writes(), []);
    });

    it('says INVALID_INPUT for a bad shape at once, sending no request', async () => {
      const bad: unknown[] = [
        { zone: 'Chambres' },
        { schedule: 'Hors-gel' },
        { zone: '', schedule: 'Hors-gel' },
        { zone: 'Chambres', schedule: '   ' },
        { zone: { id: COMAP_IDS.zones.chambres }, schedule: 'Hors-gel' },
        { zone: 'Chambres', schedule: null },
        { zone: 'Chambres', schedule: 'Hors-gel', program: 'Semaine' },
        {},
      ];
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON }));
      const err = collect<ErrorMsg>('err', bad.length);
      for (const payload of bad) node('n1').receive({ payload });
      assert.deepEqual((await err).map((m) => m.error.code), bad.map(() => 'INVALID_INPUT'));
      await helper.unload();
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON, program: P.vacances }));
      const fixed = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: { zone: 'Chambres' } });
      assert.equal((await fixed)[0].error.code, 'INVALID_INPUT', 'not the node’s program instead');
      assert.equal(emulator.server.log.length, 0);
    });

    for (const [what, other, zone, first, second] of [
      ['zone order', { type: 'qivivo-zone-order', zone: 'Chambres', duration: 120 }, Z.chambres, 'eco', 'confort'],
      ['set temperature', { type: 'qivivo-set-temperature', duration: 120, debounce: 0 }, Z.sejour, 22, 19],
    ] as const) {
      it(`ends the zone’s temporary order; the next ${what} for it sends no needless DELETE`, async () => {
        const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON });
        flow.push({ id: 'o1', z: 'tab', account: 'acct', housing: '', retries: 1, retryDelay: 90, wires: [['out'], ['err']], ...other });
        await load(flow);
        const order = collect<ResultMsg>('out', 1);
        node('o1').receive({ payload: first });
        await order;
        assert.ok(temporary(MAISON, zone), 'a temporary order in place');
        const assigned = collect<ResultMsg>('out', 1);
        node('n1').receive({ payload: { zone, schedule: 'Hors-gel' } });
        await assigned;
        assert.equal(temporary(MAISON, zone), undefined, 'the cloud cancelled it');
        emulator.state.writes.length = 0;
        const next = collect<ResultMsg>('out', 1);
        node('o1').receive({ payload: second });
        await next;
        assert.deepEqual(writes(), [`POST /thermal/housings/${MAISON}/thermal-control/zones/${zone}/temporary-instruction`]);
      });
    }

    describe('queue: a zone’s schedule changes are a target of their own', () => {
      const scheduleWrites = () => emulator.state.writes.filter((w) => /\/programs\/[^/]+\/zones\//.test(w.path)).map((w) => (w.body as { schedule_id: string }).schedule_id);
      async function flowWithZoneOrder(): Promise<void> {
        const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON, retryDelay: 1 });
        flow.push({ id: 'o1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: 'Chambres', duration: 120, retries: 1, retryDelay: 90, wires: [['out'], ['err']] });
        await load(flow);
        // The first schedule change meets a 503 and waits for its retry (1 s).
        emulator.server.faults.match = `/programs/${P.semaine}/zones/`;
        emulator.server.faults.status5xxCount = 1;
      }

      it('a newer schedule change for the zone, however it names it, replaces a waiting retry', async () => {
        await flowWithZoneOrder();
        node('n1').receive({ payload: { zone: 'CHAMBRES', schedule: 'Hors-gel' } });
        await new Promise((r) => setTimeout(r, 300));
        const out = collect<ResultMsg>('out', 1);
        node('n1').receive({ payload: { zone: Z.chambres, schedule: 'chambres confort' } });
        assert.deepEqual((await out)[0].payload.schedule, { id: S.filPiloteConfort, name: 'Chambres confort' });
        assert.deepEqual(await during('out', 1500), [], 'the replaced change sends nothing');
        assert.deepEqual(scheduleWrites(), [S.filPiloteConfort]);
      });

      it('a temporary order for the zone does not replace a waiting schedule change: both are sent', async () => {
        await flowWithZoneOrder();
        const out = collect<ResultMsg>('out', 2);
        node('n1').receive({ payload: { zone: 'Chambres', schedule: 'Hors-gel' } });
        await new Promise((r) => setTimeout(r, 300));
        node('o1').receive({ payload: 'eco' });
        const results = await out;
        assert.deepEqual(
          results.map((m) => ('schedule' in m.payload ? 'schedule' : 'order')),
          ['order', 'schedule'],
        );
        assert.deepEqual(scheduleWrites(), [S.filPiloteHorsGel]);
        assert.equal(temporary(MAISON, Z.chambres), undefined, 'the schedule change, sent last, ended the order (the cloud’s rule)');
      });
    });

    it('sends one request on a warm cache, for the next schedule change too', async () => {
      const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: MAISON });
      flow.push({ id: 'warm', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: MAISON, output: 'state', wires: [['wout'], ['wout']] });
      flow.push({ id: 'wout', type: 'helper', z: 'tab' });
      await load(flow);
      const state = collect('wout', 1);
      node('warm').receive({});
      await state;
      for (const [zone, schedule] of [
        ['Chambres', 'Hors-gel'],
        ['Salle de bain', 'Chambres confort'],
      ]) {
        emulator.server.clearLog();
        const out = collect<ResultMsg>('out', 1);
        node('n1').receive({ payload: { zone, schedule } });
        await out;
        assert.deepEqual(
          emulator.server.log.map((r) => `${r.method} ${r.path}`),
          [`POST /thermal/housings/${MAISON}/programs/${P.semaine}/zones/${zone === 'Chambres' ? Z.chambres : Z.sdb}`],
        );
      }
    });
  });

  describe('editor list (admin endpoint)', () => {
    const list = async (housing: string): Promise<unknown[]> => {
      const res = await helper.request().get(`/qivivo-account/acct/housings/${housing}/programs`).expect(200);
      return res.body as unknown[];
    };

    it('lists the schedules of a monozone housing after its programs, marked kind "schedule"', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: CHALET }));
      assert.deepEqual(await list(CHALET), [
        { id: P.chalet, name: 'Chalet', active: true },
        { id: P.chaletHiver, name: 'Hiver', active: false },
        { id: P.chaletWeekend, name: 'Week-end', active: false },
        { id: S.chaletPresent, name: 'Présent', kind: 'schedule' },
        { id: S.chaletAbsent, name: 'Absent', kind: 'schedule' },
        { id: S.chaletConfortMatin, name: 'Confort matin', kind: 'schedule' },
        { id: S.chaletWeekend, name: 'Week-end', kind: 'schedule' },
      ]);
    });

    it('lists the schedules of a housing for a zone to take, multizone too', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      const res = await helper.request().get('/qivivo-account/acct/housings/_/schedules').expect(200);
      assert.deepEqual(res.body, emulator.state.schedules(MAISON).map((s) => ({ id: s.id, name: s.title })));
      assert.ok((res.body as unknown[]).length > 0);
    });

    it('lists only programs for a multizone housing', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      assert.deepEqual(await list('_'), [
        { id: P.semaine, name: 'Semaine', active: true },
        { id: P.vacances, name: 'Vacances', active: false },
      ]);
    });
  });
});
