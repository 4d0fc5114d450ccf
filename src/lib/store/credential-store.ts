import path from 'node:path';

import {discardFastAnswer} from '../docker/fast-answer-file.js';
import {GcauthError} from '../errors.js';
import {readTextIfExists, updateFile, writeSecureFile} from '../secure-fs.js';
import {removeStaleTemps} from '../config/stale-temps.js';

/** A Google JSON service-account key, as downloaded from IAM. */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  project_id?: string;
  token_uri?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** A service account's JSON key, as activated. */
export interface StoredServiceAccountCredential {
  type: 'service_account';
  account: string;
  key: ServiceAccountKey;
  /** ISO time the credential was stored. */
  addedAt: string;
}

/** A user's refresh token from `auth login`, with the OAuth client it was issued to. */
export interface StoredUserCredential {
  type: 'authorized_user';
  account: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** Token endpoint the refresh token was issued by (an explicit `auth/token_host` still wins). */
  tokenUri?: string;
  /** ISO time the credential was stored. */
  addedAt: string;
}

/** What the store keeps for one account. Schema 1 files written before user accounts hold only service accounts. */
export type StoredCredential = StoredServiceAccountCredential | StoredUserCredential;

/** One record per account; every change is atomic and serialised across processes. */
export interface CredentialStore {
  get(account: string): Promise<StoredCredential | undefined>;
  /** All credentials, sorted by account. */
  list(): Promise<StoredCredential[]>;
  put(credential: StoredCredential): Promise<void>;
  /** Returns whether the account had a credential. */
  remove(account: string): Promise<boolean>;
}

/** Schema version of credentials.json; readers migrate older files and refuse newer ones. */
export const CREDENTIALS_SCHEMA_VERSION = 1;

interface CredentialsFile {
  version: number;
  credentials: Record<string, StoredCredential>;
}

/** Turns any earlier layout into the current one. @throws GcauthError for a newer or unreadable file. */
export function migrateCredentialsFile(raw: unknown, file: string): CredentialsFile {
  const data = raw as Partial<CredentialsFile> | null;
  if (!data || typeof data !== 'object' || typeof data.version !== 'number' || typeof data.credentials !== 'object') {
    throw new GcauthError(`Credential store [${file}] is not in a format gcauth understands. Move it aside and activate your credentials again.`);
  }
  if (data.version > CREDENTIALS_SCHEMA_VERSION) {
    throw new GcauthError(`Credential store [${file}] was written by a newer gcauth (schema ${data.version}); upgrade gcauth.`);
  }
  return {version: CREDENTIALS_SCHEMA_VERSION, credentials: data.credentials ?? {}};
}

/** The credential store in `credentials.json` (0600), changed only under its lock. */
export class FileCredentialStore implements CredentialStore {
  constructor(private readonly file: string) {}

  private async load(): Promise<CredentialsFile> {
    const text = await readTextIfExists(this.file);
    if (text === undefined) return {version: CREDENTIALS_SCHEMA_VERSION, credentials: {}};
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = null;
    }
    return migrateCredentialsFile(raw, this.file);
  }

  private async change(edit: (data: CredentialsFile) => boolean): Promise<boolean> {
    return updateFile(this.file, () => this.load(), async (data) => {
      const changed = edit(data);
      if (changed) {
        await removeStaleTemps(path.dirname(this.file));
        await writeSecureFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
        discardFastAnswer(path.dirname(this.file));
      }
      return changed;
    });
  }

  async get(account: string): Promise<StoredCredential | undefined> {
    return (await this.load()).credentials[account];
  }

  async list(): Promise<StoredCredential[]> {
    const {credentials} = await this.load();
    return Object.keys(credentials)
      .sort()
      .map((account) => credentials[account]!);
  }

  async put(credential: StoredCredential): Promise<void> {
    await this.change((data) => {
      data.credentials[credential.account] = credential;
      return true;
    });
  }

  async remove(account: string): Promise<boolean> {
    return this.change((data) => {
      if (!(account in data.credentials)) return false;
      delete data.credentials[account];
      return true;
    });
  }
}

/** In-memory store for tests. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly records = new Map<string, StoredCredential>();

  async get(account: string) {
    return this.records.get(account);
  }

  async list() {
    return [...this.records.values()].sort((a, b) => a.account.localeCompare(b.account));
  }

  async put(credential: StoredCredential) {
    this.records.set(credential.account, credential);
  }

  async remove(account: string) {
    return this.records.delete(account);
  }
}
