import {readdir} from 'node:fs/promises';
import path from 'node:path';

import {discardFastAnswer} from '../config/fast-answer-file.js';
import {existsAsNonRegular, FileReadError} from '../fs/read-file.js';
import {readTextIfExists, removeFile, withFileLock, writeSecureFile} from '../fs/secure-fs.js';
import {removeStaleTemps} from '../config/stale-temps.js';

/** An access token as cached: which account and scopes it serves, and when it expires. */
export interface CachedToken {
  account: string;
  scopes: string[];
  token: string;
  /** Expiry, in ms since the epoch. */
  expiry: number;
  /** When it was minted, in ms since the epoch (absent in entries written before it was recorded). */
  issued?: number;
  /** See TokenKey.variant. */
  variant?: string;
}

/** Identifies one cache entry. */
export interface TokenKey {
  account: string;
  scopes: string[];
  /**
   * What else the token depends on besides the account's own credential and the scopes: an impersonated
   * target or an id token's audience. Absent for the account's own access tokens, whose file names it leaves
   * unchanged; it cannot collide with a scope, which a user may spell freely.
   */
  variant?: string;
}

/** Access-token cache shared by every gcauth process, with a lock per entry for single-flight refresh. */
export interface TokenCache {
  read(key: TokenKey): Promise<CachedToken | undefined>;
  write(token: CachedToken): Promise<void>;
  /** Runs fn while holding the entry's cross-process lock. */
  withLock<T>(key: TokenKey, fn: () => Promise<T>): Promise<T>;
  removeAccount(account: string): Promise<void>;
}

export const TOKEN_SCHEMA_VERSION = 1;

const scopeList = (scopes: string[]) => [...new Set(scopes)].sort().join(' ');

/**
 * FNV-1a, 32 bits, in hex: enough to spread scope sets over file names (entries are verified on read),
 * and it spares the hot path the cost of loading node:crypto.
 */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const accountPart = (account: string) => account.replace(/[^\w.@-]/g, '_');

/** Stable file name of a cache entry: `<account>.<hash of the scope set>`; the same key always maps to one file. */
export function tokenKeyId(key: TokenKey): string {
  const hashed = key.variant === undefined ? scopeList(key.scopes) : `${scopeList(key.scopes)}\n${key.variant}`;
  return `${accountPart(key.account)}.${fnv1a(hashed)}`;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

// Whatever the file holds, an entry that is not exactly what write() writes is simply a miss; the next refresh rewrites it.
function parseEntry(text: string | undefined): CachedToken | undefined {
  if (!text) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object' || data.version !== TOKEN_SCHEMA_VERSION) return undefined;
  const {account, scopes, token, variant} = data;
  if (!isString(account) || !isString(token) || !isString(data.expiry)) return undefined;
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) return undefined;
  if (variant !== undefined && typeof variant !== 'string') return undefined;
  const expiry = Date.parse(data.expiry);
  if (Number.isNaN(expiry)) return undefined;
  const issued = isString(data.issued) ? Date.parse(data.issued) : Number.NaN;
  return {
    account,
    scopes: (scopes as string[] | undefined) ?? [],
    token,
    expiry,
    ...(Number.isNaN(issued) ? {} : {issued}),
    ...(variant === undefined ? {} : {variant}),
  };
}

/** An entry's text, or undefined when there is none or it cannot be read (a directory, a FIFO, too large): a miss. */
async function readEntryText(file: string): Promise<string | undefined> {
  try {
    return await readTextIfExists(file);
  } catch (error) {
    if (error instanceof FileReadError) return undefined;
    throw error;
  }
}

/** One 0600 file per (account, scopes) under `access_tokens/`, each written atomically. */
export class FileTokenCache implements TokenCache {
  constructor(private readonly dir: string) {}

  private fileOf(key: TokenKey): string {
    return path.join(this.dir, `${tokenKeyId(key)}.json`);
  }

  async read(key: TokenKey): Promise<CachedToken | undefined> {
    const entry = parseEntry(await readEntryText(this.fileOf(key)));
    return entry && entry.account === key.account && scopeList(entry.scopes) === scopeList(key.scopes) && entry.variant === key.variant ? entry : undefined;
  }

  async write(token: CachedToken): Promise<void> {
    // A slot holding a directory, FIFO or device was read as a miss; it is not gcauth's to replace (nor, through a
    // symlink, its target's), so the token simply goes uncached.
    if (existsAsNonRegular(this.fileOf(token))) return;
    const body = {
      version: TOKEN_SCHEMA_VERSION,
      account: token.account,
      scopes: token.scopes,
      token: token.token,
      expiry: new Date(token.expiry).toISOString(),
      ...(token.issued === undefined ? {} : {issued: new Date(token.issued).toISOString()}),
      ...(token.variant === undefined ? {} : {variant: token.variant}),
    };
    await removeStaleTemps(path.dirname(this.dir));
    await writeSecureFile(this.fileOf(token), `${JSON.stringify(body)}\n`);
  }

  withLock<T>(key: TokenKey, fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.fileOf(key), fn);
  }

  async removeAccount(account: string): Promise<void> {
    discardFastAnswer(path.dirname(this.dir));
    await removeStaleTemps(path.dirname(this.dir));
    const prefix = `${accountPart(account)}.`;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((n) => n.startsWith(prefix) && n.endsWith('.json'))
        .map(async (n) => {
          const file = path.join(this.dir, n);
          if (parseEntry(await readEntryText(file))?.account === account) await removeFile(file);
        }),
    );
  }
}

/** In-memory cache for tests; the lock serialises callers within the process. */
export class MemoryTokenCache implements TokenCache {
  readonly entries = new Map<string, CachedToken>();
  private tail = Promise.resolve();

  async read(key: TokenKey) {
    return this.entries.get(tokenKeyId(key));
  }

  async write(token: CachedToken) {
    this.entries.set(tokenKeyId(token), token);
  }

  withLock<T>(_key: TokenKey, fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async removeAccount(account: string) {
    for (const [id, token] of this.entries) if (token.account === account) this.entries.delete(id);
  }
}
