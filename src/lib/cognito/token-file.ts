import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SavedTokens } from './auth';

interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

interface Content {
  /** Which credentials the tokens belong to (an HMAC: nothing of them is readable here). */
  owner: string;
  tokens: SavedTokens;
}

/**
 * An account's tokens kept across restarts in one file, sealed with AES-256-GCM under a key
 * derived from the runtime's credential secret: never in plain text. Tokens of other credentials
 * (the account's e-mail, password or refresh token changed) are not given back.
 */
export class TokenFile {
  private readonly key: Buffer;
  private readonly owner: string;

  constructor(
    readonly path: string,
    secret: string,
    credentials: readonly string[],
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'node-red-qivivo-veolia', 'account tokens v1', 32));
    this.owner = createHmac('sha256', this.key).update(JSON.stringify(credentials)).digest('base64url');
  }

  /** The tokens kept for these credentials, if any (a missing, foreign or damaged file gives none). */
  read(): SavedTokens | undefined {
    let sealed: Sealed;
    try {
      sealed = JSON.parse(readFileSync(this.path, 'utf8')) as Sealed;
    } catch {
      return undefined;
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      const content = JSON.parse(plain) as Content;
      return content.owner === this.owner && isSavedTokens(content.tokens) ? content.tokens : undefined;
    } catch {
      // Another secret, or a damaged file: as if none.
      return undefined;
    }
  }

  /** Keeps `tokens` (undefined: removes the file). */
  write(tokens: SavedTokens | undefined): void {
    if (!tokens) {
      this.remove();
      return;
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const content: Content = { owner: this.owner, tokens };
    const data = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
    const sealed: Sealed = { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(sealed), { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

function isSavedTokens(value: unknown): value is SavedTokens {
  const t = value as Partial<SavedTokens> | null;
  return !!t && typeof t.accessToken === 'string' && typeof t.expiresAt === 'number' && (t.refreshToken === undefined || typeof t.refreshToken === 'string');
}
