/** The credential types by their `type`: the one place that maps a stored credential to the module that handles it. */
import {externalAccountType} from './external-account.js';
import {serviceAccountType} from './service-account.js';
import type {StoredCredential} from './stored.js';
import type {CredentialType} from './types.js';
import {userType} from './user.js';

const TYPES = {
  service_account: serviceAccountType,
  authorized_user: userType,
  external_account: externalAccountType,
} satisfies {[T in StoredCredential['type']]: CredentialType<Extract<StoredCredential, {type: T}>>};

/** The names of the stored types, in words for messages (`service_account nor authorized_user`). */
const NAMES = Object.keys(TYPES);

/** The module of a stored credential's type. */
export function credentialType<C extends StoredCredential>(credential: C): CredentialType<C> {
  return TYPES[credential.type as keyof typeof TYPES] as unknown as CredentialType<C>;
}

/** What is wrong with a stored entry (an object whose account and addedAt were checked), in words, or undefined. */
export function storedEntryProblem(entry: Record<string, unknown>): string | undefined {
  const type = typeof entry.type === 'string' && Object.hasOwn(TYPES, entry.type) ? TYPES[entry.type as keyof typeof TYPES] : undefined;
  if (type) return type.entryProblem(entry);
  const names = NAMES.length === 2 ? NAMES.join(' nor ') : `${NAMES.slice(0, -1).join(', ')} nor ${NAMES.at(-1)}`;
  return entry.type === undefined ? 'it has no "type"' : `its type [${String(entry.type)}] is neither ${names}`;
}

