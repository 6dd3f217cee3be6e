import { createHash } from 'node:crypto';
import type { SavedTokens } from '../cognito/auth';

/** How long an editor login's tokens wait for the account's deploy, and a challenge for its code. */
export const EDITOR_LOGIN_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 100;

/** One digest of everything a login depends on (endpoints, client id, credentials); kept in memory only. */
export function loginHash(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

interface Entry<P> {
  hash: string;
  at: number;
  tokens?: SavedTokens;
  /** A challenged login waiting for its code, and the editor user it belongs to. */
  pending?: { owner: string; session: P };
}

/**
 * What the editor's logins leave behind, per account (id, or e-mail without one): the tokens of
 * the last successful one, for the next Connect and for the account once deployed with the same
 * values, and a challenged login waiting for its code. No transport stays open here and no
 * timer runs: entries expire when next looked at.
 */
export class EditorLogins<P> {
  private readonly entries = new Map<string, Entry<P>>();

  constructor(
    private readonly ttlMs = EDITOR_LOGIN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Tokens of an earlier editor login with the same values, still within their time. */
  tokens(key: string, hash: string): SavedTokens | undefined {
    const entry = this.entry(key);
    return entry && entry.hash === hash ? entry.tokens : undefined;
  }

  /** Keeps a successful login's tokens (a waiting challenge of the account is over). */
  keep(key: string, hash: string, tokens: SavedTokens | undefined): void {
    this.set(key, tokens ? { hash, at: this.now(), tokens } : undefined);
  }

  /** Keeps a challenged login for its code; returns the login it replaced, if any, for closing. */
  wait(key: string, hash: string, owner: string, session: P): P | undefined {
    const before = this.entries.get(key)?.pending?.session;
    this.set(key, { hash, at: this.now(), pending: { owner, session } });
    return before === session ? undefined : before;
  }

  /** The challenged login of this account started by `owner`, if it still waits. */
  pending(key: string, owner: string): P | undefined {
    const pending = this.entry(key)?.pending;
    return pending && pending.owner === owner ? pending.session : undefined;
  }

  /**
   * The deployed account takes the tokens of an editor login made with its values (one login
   * serves both); any other entry of that account is dropped, its values are no longer the form's.
   */
  take(key: string, hash: string): SavedTokens | undefined {
    const entry = this.entry(key);
    if (!entry || entry.pending) return undefined;
    this.entries.delete(key);
    return entry.hash === hash ? entry.tokens : undefined;
  }

  /** Forgets the account's entry (e.g. a challenge that can no longer be answered). */
  drop(key: string): void {
    this.entries.delete(key);
  }

  private entry(key: string): Entry<P> | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private set(key: string, entry: Entry<P> | undefined): void {
    this.entries.delete(key);
    if (!entry) return;
    this.entries.set(key, entry);
    // Oldest first in a Map: a flood of accounts cannot grow memory without end.
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}
