/** Redaction of secrets before anything reaches a log line. */

const SECRET_KEYS =
  /^(access_token|id_token|refresh_token|assertion|private_key|privateKeyData|client_secret|token|secret|password|code|code_verifier|authorization|subject_token|actor_token|accessToken|SecretAccessKey|x-aws-ec2-metadata-token|saml_response)$/i;
// Google access tokens, JWTs and PEM blocks, wherever they appear in free text.
const SECRET_PATTERNS: RegExp[] = [
  /ya29\.[\w.-]+/g,
  /eyJ[\w-]*\.[\w-]*\.[\w-]*/g,
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  // A credential is long; the length keeps prose such as "basic roles" readable.
  /\b(Bearer|Basic)\s+[\w.~+/=-]{12,}/gi,
];

/** Returns text with every token, key and assertion replaced by `[REDACTED]`. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (m) => (/^(bearer|basic)\s/i.test(m) ? `${m.split(/\s+/)[0]} [REDACTED]` : '[REDACTED]'));
  // key=value pairs in query strings and form bodies
  out = out.replace(/([?&]|^)([\w-]+)=([^&\s]*)/g, (m, sep: string, key: string) => (SECRET_KEYS.test(key) ? `${sep}${key}=[REDACTED]` : m));
  return out;
}

/** Deep copy of a JSON-like value with secret fields replaced by `[REDACTED]`. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) && v != null ? '[REDACTED]' : redactValue(v);
    return out;
  }
  return value;
}
