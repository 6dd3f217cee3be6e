import type { NodeAPI } from 'node-red';
import { EditorLogins } from '../../lib/editor/editor-logins';
import type { EditorSession } from '../../lib/editor/connect';

type Store = EditorLogins<EditorSession<unknown>>;
const stores = new WeakMap<object, Store>();

/**
 * The editor logins of one runtime's account type: its Connect route and its account node are
 * registered with the same RED object, so both see the same store (a test's next runtime gets its own).
 */
export function editorLoginsOf(RED: NodeAPI): Store {
  let store = stores.get(RED);
  if (!store) {
    store = new EditorLogins();
    stores.set(RED, store);
  }
  return store;
}
