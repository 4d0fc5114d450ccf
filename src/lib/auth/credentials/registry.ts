/**
 * The credential types by their `type`: the one place that maps a stored credential to the module that handles it.
 * Each module is imported when a credential of its type is first used (read from the store, minted, described), so a
 * process that serves a cached token, or uses one type, evaluates no other type's code.
 */
import type {StoredCredential} from './stored.js';
import type {CredentialType} from './types.js';

const TYPES: {[T in StoredCredential['type']]: () => Promise<CredentialType<Extract<StoredCredential, {type: T}>>>} = {
  service_account: async () => (await import('./service-account.js')).serviceAccountType,
  authorized_user: async () => (await import('./user.js')).userType,
  external_account: async () => (await import('./external-account.js')).externalAccountType,
};

/** The names of the stored types, in words for messages (`service_account nor authorized_user`). */
const NAMES = Object.keys(TYPES);

const isStoredType = (type: unknown): type is StoredCredential['type'] => typeof type === 'string' && Object.hasOwn(TYPES, type);

/** The module of a stored credential's type. */
export async function credentialType<C extends StoredCredential>(credential: C): Promise<CredentialType<C>> {
  return (await TYPES[credential.type]()) as unknown as CredentialType<C>;
}

/** What is wrong with a stored entry (an object whose account and addedAt were checked), in words, or undefined. */
export async function storedEntryProblem(entry: Record<string, unknown>): Promise<string | undefined> {
  if (isStoredType(entry.type)) return (await TYPES[entry.type]()).entryProblem(entry);
  const names = NAMES.length === 2 ? NAMES.join(' nor ') : `${NAMES.slice(0, -1).join(', ')} nor ${NAMES.at(-1)}`;
  return entry.type === undefined ? 'it has no "type"' : `its type [${String(entry.type)}] is neither ${names}`;
}
