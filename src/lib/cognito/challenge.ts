/** Cognito login challenges asking for a code (veolia-api.md §2.2, §11). */

/** Where the service sent the code: it decides what the user is told to look at. */
export type ChallengeChannel = 'email' | 'sms' | 'other';

/** How long Cognito keeps a challenge's Session: 3 minutes by default (AWS docs). */
export const CHALLENGE_SESSION_LIFETIME_MS = 3 * 60_000;

/** A code as users type it: 4 to 8 digits (Cognito's e-mail and SMS codes have 6; pools may set 4–8). */
const CODE = /^\d{4,8}$/;

export function challengeChannel(name: string): ChallengeChannel {
  if (/EMAIL/i.test(name)) return 'email';
  if (/SMS/i.test(name)) return 'sms';
  return 'other';
}

/** The ChallengeResponses key of the code: SMS_MFA → SMS_MFA_CODE, EMAIL_OTP → EMAIL_OTP_CODE. */
export function codeResponseKey(name: string): string {
  return `${name}_CODE`;
}

/** The code with blanks around and inside removed ("123 456" → "123456"), or undefined when it is not 4–8 digits. */
export function normaliseCode(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) value = String(value);
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const code = value.replace(/\s+/g, '');
  return CODE.test(code) ? code : undefined;
}
