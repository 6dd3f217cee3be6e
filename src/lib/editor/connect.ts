import type { CognitoAuth, SavedTokens } from '../cognito/auth';
import { ApiError, isApiError } from '../http/errors';
import type { Transport } from '../http/transport';

/** A session the editor logs in with to list an account's equipment (the product's own clients). */
export interface EditorSession<L> {
  transport: Transport;
  auth: CognitoAuth;
  /** What the dialog shows: housings with zones, or contracts with meters. */
  list(): Promise<L>;
}

export type ConnectOutcome<L> =
  | { listing: L; tokens?: SavedTokens }
  /** The login asked for a code: the session stays (its Session inside) until the code comes. */
  | { challenge: ApiError };

/**
 * Logs in (or uses `saved` tokens) and lists. The session's transport is closed and its tokens
 * dropped once it answered — unless a challenge waits for its code.
 */
export async function connectEditorSession<L>(session: EditorSession<L>, saved?: SavedTokens): Promise<ConnectOutcome<L>> {
  if (saved) session.auth.restore(saved);
  return finish(session, () => session.list());
}

/** Answers the waiting challenge with `code`, then lists (as connectEditorSession). */
export async function answerEditorSession<L>(session: EditorSession<L>, code: string): Promise<ConnectOutcome<L>> {
  return finish(session, async () => {
    await session.auth.answerChallenge(code);
    return session.list();
  });
}

/** Nothing more is sent on the session and it holds no token any more. */
export function closeEditorSession(session: EditorSession<unknown>): void {
  session.transport.close();
  session.auth.reset();
}

async function finish<L>(session: EditorSession<L>, run: () => Promise<L>): Promise<ConnectOutcome<L>> {
  try {
    const listing = await run();
    const tokens = session.auth.saved();
    closeEditorSession(session);
    return { listing, ...(tokens ? { tokens } : {}) };
  } catch (err) {
    // While a challenge waits (a code was asked for, or a code was malformed or wrong) the session stays.
    if (session.auth.pendingChallenge) {
      if (isApiError(err) && err.code === 'AUTH_CHALLENGE') return { challenge: err };
      throw err;
    }
    closeEditorSession(session);
    throw err;
  }
}
