import {createPrivateKey} from 'node:crypto';

import {UsageError} from '../../errors.js';
import {jsonErrorAt, withoutBom} from '../../fs/read-file.js';
import type {ServiceAccountKey, StoredServiceAccountCredential} from './stored.js';
import type {CredentialFileReader} from './types.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Parses and checks a JSON service-account key before anything is stored.
 * @param source how to name the key in messages (a path, or "standard input")
 * @throws UsageError with one line saying what is wrong with the key.
 */
export function parseServiceAccountKey(text: string, source: string): ServiceAccountKey {
  if (!text.trim()) throw new UsageError(`Key file [${source}] is empty.`);
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (error) {
    throw new UsageError(`Key file [${source}] is not valid JSON${jsonErrorAt(error)}.`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`Key file [${source}] is not a JSON key: expected an object.`);
  }
  const key = data as Record<string, unknown>;
  if (key.type !== 'service_account') {
    const hint = key.type === 'authorized_user' ? ' For user credentials use: gcauth auth login --cred-file=FILE.' : '';
    const found = key.type === undefined ? 'has no "type" field' : `has type [${String(key.type)}]`;
    throw new UsageError(`Key file [${source}] ${found}; expected a service-account key (type "service_account").${hint}`);
  }
  const missing = ['client_email', 'private_key'].filter((f) => typeof key[f] !== 'string' || !(key[f] as string).trim());
  if (missing.length > 0) throw new UsageError(`Key file [${source}] lacks required field(s): ${missing.join(', ')}.`);
  if (!EMAIL.test(key.client_email as string)) {
    throw new UsageError(`Key file [${source}] has an invalid client_email [${String(key.client_email)}].`);
  }
  try {
    const parsed = createPrivateKey(key.private_key as string);
    if (parsed.asymmetricKeyType !== 'rsa') throw new Error(`a ${parsed.asymmetricKeyType} key, expected RSA`);
  } catch (error) {
    throw new UsageError(`Key file [${source}] has a private_key that cannot be read: ${(error as Error).message.split('\n')[0]}.`);
  }
  for (const f of ['private_key_id', 'client_id', 'project_id', 'token_uri']) {
    if (key[f] !== undefined && typeof key[f] !== 'string') throw new UsageError(`Key file [${source}] has a non-string ${f}.`);
  }
  return key as ServiceAccountKey;
}

/** `auth login --cred-file` with a service-account key: the key's client_email is the account. */
export const readServiceAccountFile: CredentialFileReader<StoredServiceAccountCredential> = async ({file, text}, ctx) => {
  const key = parseServiceAccountKey(text, file);
  return {credential: {type: 'service_account', account: key.client_email, key, addedAt: new Date(ctx.now()).toISOString()}};
};
