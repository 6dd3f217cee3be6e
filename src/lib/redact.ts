const SECRET_KEY = /pass(word)?|token|secret|authorization|cookie|session|e-?mail|username|user_?name|login/i;
const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/gi;
const REDACTED = '[redacted]';

/**
 * A deep copy fit for a debug dump: values under secret-looking keys and anything shaped like
 * an e-mail address are replaced; JWT-looking strings too.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 40) return REDACTED;
  if (typeof value === 'string') {
    if (/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) return REDACTED;
    return value.replace(EMAIL, REDACTED);
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1);
    }
    return copy;
  }
  return value;
}
