import type { Node, NodeAPI } from 'node-red';
import { ProgramResult } from '../../lib/comap/heating';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, DAY_DEADLINE_MS, setupCommandNode } from '../shared/command-node';
import { isScheduleChange, parseProgramAction, ProgramAction } from './program-action';

interface ProgramDef extends CommandNodeDef {
  /** Program id chosen in the editor; empty = from msg.payload. */
  program?: string;
  /** Zone id chosen in the editor: the node then gives it a schedule instead of changing program. */
  zone?: string;
  /** Schedule id for that zone; empty = from msg.payload. */
  schedule?: string;
}


const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export default function register(RED: NodeAPI): void {
  function QivivoProgram(this: Node, def: ProgramDef): void {
    RED.nodes.createNode(this, def);
    const settings = { housing: text(def.housing), program: text(def.program), zone: text(def.zone), schedule: text(def.schedule) };
    setupCommandNode<QivivoAccountNode, ProgramAction, ProgramResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => parseProgramAction(msg.payload, settings),
      resolve: async (account, action) => {
        const heating = account.session!.heating;
        if (isScheduleChange(action)) {
          // A zone's schedule is its own target: a temporary order for the zone must not replace
          // a waiting schedule change (a lasting wish), nor the other way round.
          const found = await heating.scheduleZoneRef(action.housing, action.zone);
          return { target: `${found.housing.id}/zone/${found.zone.id}/schedule`, action: { ...action, housing: found.housing.id, zone: found.zone.id } };
        }
        // One program is active per housing: every program change for it is one target.
        const found = await heating.housing(action.housing);
        return { target: `${found.id}/program`, action: { ...action, housing: found.id } };
      },
      execute: (account, action) => {
        const heating = account.session!.heating;
        return isScheduleChange(action) ? heating.assignSchedule(action.housing, action.zone, action.schedule) : heating.activateProgram(action.housing, action.program);
      },
      deadline: (_action, createdAt) => createdAt + DAY_DEADLINE_MS,
      statusText: (result) => ('schedule' in result ? `${result.zone.name} · ${result.schedule.name}` : result.program.name),
    });
  }
  RED.nodes.registerType('qivivo-program', QivivoProgram);
}
