import type { Node, NodeAPI } from 'node-red';
import { editPresets, parsePresetsRequest, PresetsRequest, PresetsResult, readPresetsNow } from '../../lib/comap/presets-command';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, DAY_DEADLINE_MS, setupCommandNode } from '../shared/command-node';

type PresetsAction = PresetsRequest & { housing: string };


export default function register(RED: NodeAPI): void {
  function QivivoPresets(this: Node, def: CommandNodeDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    setupCommandNode<QivivoAccountNode, PresetsAction, PresetsResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => ({ housing, ...parsePresetsRequest(msg.payload) }),
      // Edits of one housing's presets are one target, whatever the spelling of the housing. A read
      // has a target of its own: it must not replace an edit waiting for its retry.
      resolve: async (account, action) => {
        const found = await account.session!.heating.housing(action.housing);
        return { target: `${found.id}/presets${action.kind === 'get' ? '/read' : ''}`, action: { ...action, housing: found.id } };
      },
      execute: (account, action) => {
        const { client, heating } = account.session!;
        return action.kind === 'get' ? readPresetsNow(client, heating, action.housing) : editPresets(client, heating, action.housing, action.presets);
      },
      deadline: (_action, createdAt) => createdAt + DAY_DEADLINE_MS,
      statusText: () => 'qivivo-presets.status.presets',
    });
  }
  RED.nodes.registerType('qivivo-presets', QivivoPresets);
}
