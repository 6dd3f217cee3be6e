import { ChallengeChannel } from './challenge';

/**
 * The sentences a login problem carries, so that an account can give them in its user's
 * language and name its own remedies (a dialog's Code field, a refresh token). Each says what
 * happened and exactly what to do; none holds a credential, a code or a Session.
 */
export interface LoginTexts {
  passwordRefused(service: string): string;
  /** A login answered with a challenge (`name`), the code sent through `channel`. */
  challenge(service: string, name: string, channel: ChallengeChannel): string;
  /** The code does not match: the same challenge may be answered again. */
  codeWrong(service: string, name: string): string;
  /** The challenge can no longer be answered (Session expired or used): a new login is needed. */
  codeStale(service: string, name: string): string;
  /** A code came while no challenge waits for one. */
  noChallenge(service: string): string;
  codeFormat(): string;
  /** The pasted refresh token was refused (expired or revoked). */
  refreshTokenRefused(service: string): string;
}

export const DEFAULT_LOGIN_TEXTS: LoginTexts = {
  passwordRefused: (service) => `${service} refused the login: check the e-mail address and password`,
  challenge: (service, name) => `${service} asks for an extra verification (${name}): log in once in a browser, then try again`,
  codeWrong: (service, name) => `${service} refused the code (${name}): the code was wrong; type it again, or ask for a new login (msg.topic = "login")`,
  codeStale: (service, name) => `${service} refused the code (${name}): the code was wrong or too old; ask for a new login (msg.topic = "login")`,
  noChallenge: (service) => `no code is awaited: ${service} has not asked for one`,
  codeFormat: () => 'a code is 4 to 8 digits',
  refreshTokenRefused: (service) => `${service} refused the refresh token: the refresh token expired: paste a new one`,
};
