import { join } from 'node:path';
import type { NodeAPI } from 'node-red';
import { TokenFile } from '../../lib/cognito/token-file';

/** Where the accounts' sealed token files live, under the Node-RED user directory. */
export const TOKEN_DIR = '.qivivo-veolia';

interface RuntimeSettings {
  userDir?: unknown;
  credentialSecret?: unknown;
  get?: (key: string) => unknown;
}

/**
 * The sealed file keeping an account's tokens across restarts (spec §8.1), or undefined when
 * they cannot be kept without plain text: no user directory, or credentials stored unencrypted
 * (`credentialSecret: false`). Node-RED saves credentials added at run time only at the next
 * deploy, so its own store cannot hold them.
 */
export function keptTokensFile(RED: NodeAPI, accountId: string, credentials: readonly string[]): TokenFile | undefined {
  const settings = RED.settings as unknown as RuntimeSettings;
  const userDir = typeof settings.userDir === 'string' && settings.userDir ? settings.userDir : undefined;
  const secret = credentialSecret(settings);
  if (!userDir || !secret) return undefined;
  return new TokenFile(join(userDir, TOKEN_DIR, `veolia-${accountId.replace(/[^A-Za-z0-9_-]/g, '_')}.tokens`), secret, credentials);
}

/** The secret Node-RED encrypts credentials with: settings.js's, else the one it generated. */
function credentialSecret(settings: RuntimeSettings): string | undefined {
  const own = settings.credentialSecret;
  if (own === false) return undefined;
  if (typeof own === 'string' && own) return own;
  try {
    const generated = settings.get?.('_credentialSecret');
    return typeof generated === 'string' && generated ? generated : undefined;
  } catch {
    // Settings not loaded (a test runtime): nothing to derive a key from.
    return undefined;
  }
}
