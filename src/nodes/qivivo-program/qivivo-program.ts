import type { Node, NodeAPI } from 'node-red';
import { ProgramResult } from '../../lib/comap/heating';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, setupCommandNode } from '../shared/command-node';
import { parseReference } from '../shared/input';

interface ProgramDef extends CommandNodeDef {
  /** Program id chosen in the editor; empty = from msg.payload. */
  program?: string;
}

interface ProgramAction {
  housing: string;
  program: string;
}

/** A program change asked a day ago is no longer what anyone wants (product-spec §4.1). */
const PROGRAM_DEADLINE_MS = 24 * 3_600_000;

export default function register(RED: NodeAPI): void {
  function QivivoProgram(this: Node, def: ProgramDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const fixedProgram = typeof def.program === 'string' && def.program ? def.program : undefined;
    setupCommandNode<QivivoAccountNode, ProgramAction, ProgramResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => ({ housing, program: fixedProgram ?? parseReference(msg.payload, 'msg.payload (program name or id)') }),
      // One program is active per housing: every program change for it is one target.
      resolve: async (account, action) => {
        const found = await account.session!.heating.housing(action.housing);
        return { target: `${found.id}/program`, action: { ...action, housing: found.id } };
      },
      execute: (account, action) => account.session!.heating.activateProgram(action.housing, action.program),
      deadline: (_action, createdAt) => createdAt + PROGRAM_DEADLINE_MS,
      statusText: (result) => ('schedule' in result ? `${result.zone.name} · ${result.schedule.name}` : result.program.name),
    });
  }
  RED.nodes.registerType('qivivo-program', QivivoProgram);
}
