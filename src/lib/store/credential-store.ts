import path from 'node:path';

import {discardFastAnswer} from '../config/fast-answer-file.js';
import {AuthError, GcauthError} from '../errors.js';
import {FileReadError} from '../fs/read-file.js';
import {readTextIfExists, updateFile, writeSecureFile} from '../fs/secure-fs.js';
import {touchConfigSentinel} from '../config/sentinel.js';
import {removeStaleTemps} from '../config/stale-temps.js';

import type {StoredCredential} from '../auth/credentials/stored.js';
import {storedEntryProblem} from '../auth/credentials/registry.js';

export type {
  ExternalAccountConfig,
  ServiceAccountKey,
  StoredCredential,
  StoredExternalAccountCredential,
  StoredServiceAccountCredential,
  StoredUserCredential,
} from '../auth/credentials/stored.js';

/** One record per account; every change is atomic and serialised across processes. */
export interface CredentialStore {
  /** @throws DamagedCredentialError when the account's entry is not a credential gcauth can use. */
  get(account: string): Promise<StoredCredential | undefined>;
  /** The accounts with an entry, sorted, whether or not the entry is usable. */
  accounts(): Promise<string[]>;
  /** All credentials, sorted by account. @throws DamagedCredentialError for the first unusable entry. */
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

/** An entry of credentials.json that is not a credential gcauth can use (edited by hand, or damaged). */
export class DamagedCredentialError extends AuthError {}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
/** What is wrong with a stored entry, in words, or undefined when it has the shape of a StoredCredential. */
async function entryProblem(account: string, entry: unknown): Promise<string | undefined> {
  if (!isObject(entry)) return 'it is not a JSON object';
  if (entry.account !== account) return typeof entry.account === 'string' ? `its "account" is [${entry.account}]` : 'it has no "account"';
  if (entry.addedAt !== undefined && typeof entry.addedAt !== 'string') return '"addedAt" is not a string';
  return storedEntryProblem(entry);
}

/**
 * The entry of account, checked to be a usable credential.
 * @throws DamagedCredentialError naming the file, the account and what is wrong.
 */
async function checkedEntry(file: string, account: string, entry: unknown): Promise<StoredCredential> {
  const problem = await entryProblem(account, entry);
  if (!problem) return entry as StoredCredential;
  throw new DamagedCredentialError(`Credential store [${file}] has a damaged entry for [${account}]: ${problem}.`, {
    hint: `Remove it with: gcauth auth revoke ${account}   (then activate or log in to the account again)`,
  });
}

/** Turns any earlier layout into the current one. @throws GcauthError for a newer or unreadable file. */
export function migrateCredentialsFile(raw: unknown, file: string): CredentialsFile {
  const data = raw as Partial<CredentialsFile> | null;
  if (!isObject(data) || typeof data.version !== 'number' || !isObject(data.credentials)) {
    throw new GcauthError(`Credential store [${file}] is not in a format gcauth understands. Move it aside and activate your credentials again.`);
  }
  if (data.version > CREDENTIALS_SCHEMA_VERSION) {
    throw new GcauthError(`Credential store [${file}] was written by a newer gcauth (schema ${data.version}); upgrade gcauth.`);
  }
  return {version: CREDENTIALS_SCHEMA_VERSION, credentials: data.credentials};
}

/** The credential store in `credentials.json` (0600), changed only under its lock. */
export class FileCredentialStore implements CredentialStore {
  constructor(private readonly file: string) {}

  private async load(): Promise<CredentialsFile> {
    let text: string | undefined;
    try {
      text = await readTextIfExists(this.file);
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      throw new GcauthError(`Cannot read the credential store [${this.file}]: ${error.reason}. Move it aside and activate your credentials again.`, {cause: error});
    }
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
        await touchConfigSentinel(path.dirname(this.file));
      }
      return changed;
    });
  }

  async get(account: string): Promise<StoredCredential | undefined> {
    const {credentials} = await this.load();
    return Object.hasOwn(credentials, account) ? checkedEntry(this.file, account, credentials[account]) : undefined;
  }

  async accounts(): Promise<string[]> {
    return Object.keys((await this.load()).credentials).sort();
  }

  async list(): Promise<StoredCredential[]> {
    const {credentials} = await this.load();
    const checked: StoredCredential[] = [];
    // In order, so the first damaged entry is the one reported.
    for (const account of Object.keys(credentials).sort()) checked.push(await checkedEntry(this.file, account, credentials[account]));
    return checked;
  }

  async put(credential: StoredCredential): Promise<void> {
    await this.change((data) => {
      data.credentials[credential.account] = credential;
      return true;
    });
  }

  async remove(account: string): Promise<boolean> {
    return this.change((data) => {
      if (!Object.hasOwn(data.credentials, account)) return false;
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

  async accounts() {
    return [...this.records.keys()].sort();
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
