/**
 * The credential files `auth login --cred-file` takes, by their `type`: each type's reader, in its own module. Apart
 * from registry.ts so that the cached path, which needs the types, loads none of the readers.
 */
import {readExternalAccountFile} from './external-account-file.js';
import {readServiceAccountFile} from './service-account-key.js';
import type {CredentialFileReader} from './types.js';
import {readUserFile} from './user-file.js';

const READERS: Record<string, CredentialFileReader> = {
  authorized_user: readUserFile,
  service_account: readServiceAccountFile,
  external_account: readExternalAccountFile,
};

/** The reader of a credential file's `type`, or undefined when gcauth takes no such file. */
export const credentialFileReader = (type: string): CredentialFileReader | undefined => (Object.hasOwn(READERS, type) ? READERS[type] : undefined);
