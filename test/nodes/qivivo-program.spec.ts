import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { collect, flowWith, helper, load, node } from '../support/flow';

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

    it('lists only programs for a multizone housing', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      assert.deepEqual(await list('_'), [
        { id: P.semaine, name: 'Semaine', active: true },
        { id: P.vacances, name: 'Vacances', active: false },
      ]);
    });
  });
});
