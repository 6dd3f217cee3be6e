import type { Node, NodeAPI } from 'node-red';
import { ProgramResult } from '../../lib/comap/heating';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, setupCommandNode } from '../shared/command-node';

interface ProgramDef extends CommandNodeDef {
  /** Program id chosen in the editor; empty = from msg.payload. */
  program?: string;
}
import { parseReference } from '../shared/input';

export default function register(RED: NodeAPI): void {
  function QivivoProgram(this: Node, def: ProgramDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const fixedProgram = typeof def.program === 'string' && def.program ? def.program : undefined;
    setupCommandNode<QivivoAccountNode, string, ProgramResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => ({ key: `${housing}/program`, action: fixedProgram ?? parseReference(msg.payload, 'msg.payload (program name or id)') }),
      execute: (account, program) => account.session!.heating.activateProgram(housing, program),
      statusText: (result) => result.program.name,
    });
  }
  RED.nodes.registerType('qivivo-program', QivivoProgram);
}
