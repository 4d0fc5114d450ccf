import {readdir} from 'node:fs/promises';
import path from 'node:path';

import ini from 'ini';

import {discardFastAnswer} from './fast-answer-file.js';
import {NotFoundError, UsageError} from '../errors.js';
import {withoutBom} from '../fs/read-file.js';
import {readTextIfExists, removeFile, updateFile, writeSecureFile} from '../fs/secure-fs.js';
import {touchConfigSentinel} from './sentinel.js';
import {removeStaleTemps} from './stale-temps.js';
import type {Paths} from './paths.js';

/** Properties of one named configuration: section → name → value. */
export type ConfigValues = Record<string, Record<string, string>>;

const NAME = /^[a-z][-a-z0-9]*$/;

/**
 * Checks a configuration name against gcloud's rule.
 * @throws UsageError showing the accepted form.
 */
export function validateConfigurationName(name: string): void {
  if (!NAME.test(name) || name === 'none') {
    throw new UsageError(
      `Invalid configuration name [${name}]: names start with a lower-case letter and contain only lower-case letters, digits and hyphens.`,
    );
  }
}

/** Parses gcloud's INI configuration format; every value is kept as a string. A BOM (PowerShell's) is no part of the first section's name. */
export function parseIni(text: string): ConfigValues {
  const out: ConfigValues = {};
  for (const [section, props] of Object.entries(ini.parse(withoutBom(text)))) {
    if (!props || typeof props !== 'object') continue;
    out[section] = Object.fromEntries(Object.entries(props as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

/** Serialises configuration values in gcloud's INI layout (`key = value`). */
export function formatIni(values: ConfigValues): string {
  return ini.stringify(values, {whitespace: true});
}

/** The configuration names among the configurations dir's entries; a `config_NAME.lock` directory is a lock, not one. */
export function configurationNames(entries: string[]): string[] {
  return entries
    .filter((e) => e.startsWith('config_') && !e.endsWith('.lock'))
    .map((e) => e.slice('config_'.length))
    .sort();
}

/** The named configurations in the config dir (gcloud's `configurations/config_NAME` + `active_config`). */
export class ConfigurationStore {
  constructor(private readonly paths: Paths) {}

  /** The file naming the active configuration. */
  get activeFile(): string {
    return this.paths.activeConfigFile;
  }

  fileOf(name: string): string {
    return path.join(this.paths.configurationsDir, `config_${name}`);
  }

  /** Name in `active_config`, or `default`. */
  async activeName(): Promise<string> {
    const text = await readTextIfExists(this.paths.activeConfigFile);
    return text?.trim() || 'default';
  }

  async exists(name: string): Promise<boolean> {
    return (await readTextIfExists(this.fileOf(name))) !== undefined;
  }

  /** Values of a configuration; an absent one reads as empty. */
  async read(name: string): Promise<ConfigValues> {
    const text = await readTextIfExists(this.fileOf(name));
    return text === undefined ? {} : parseIni(text);
  }

  async list(): Promise<string[]> {
    const entries = await readdir(this.paths.configurationsDir).catch(() => [] as string[]);
    return configurationNames(entries);
  }

  /**
   * Read-modify-write of one configuration under its lock; creates it (and `default`) on first write.
   * @returns what `change` returns.
   * @throws NotFoundError when a named configuration other than default does not exist.
   */
  async update<R>(name: string, change: (values: ConfigValues) => R): Promise<R> {
    const missing = () => new NotFoundError(`Configuration [${name}] does not exist. Create it with: gcauth config configurations create ${name}`);
    // Checked before locking too, so a failed update leaves no trace (not even the configurations dir).
    if (name !== 'default' && !(await this.exists(name))) throw missing();
    return this.edit(name, async (text) => {
      if (text === undefined && name !== 'default') throw missing();
      const values = text === undefined ? {} : parseIni(text);
      const result = change(values);
      await this.write(name, formatIni(values));
      // Whichever configuration: the one a --configuration flag or a variable (activeConfigFromEnv) makes active is as
      // much gcloud's "active" one as active_config's, and a spare rewrite only costs a cache one re-read.
      await touchConfigSentinel(this.paths.configDir);
      return result;
    });
  }

  /** @throws UsageError when the name is invalid or taken. */
  async create(name: string): Promise<void> {
    validateConfigurationName(name);
    await this.edit(name, async (text) => {
      if (text !== undefined) throw new UsageError(`Cannot create configuration [${name}], it already exists.`);
      await this.write(name, '');
    });
  }

  /** @throws NotFoundError when it does not exist (default is created). */
  async activate(name: string): Promise<void> {
    await removeStaleTemps(this.paths.configDir);
    if (name !== 'default' && !(await this.exists(name))) throw new NotFoundError(`Cannot activate configuration [${name}], it does not exist.`);
    // Under the lock, so a `default` written meanwhile by another process is kept, not replaced by an empty one.
    if (name === 'default' && !(await this.exists(name))) await this.edit(name, async (text) => (text === undefined ? this.write(name, '') : undefined));
    await writeSecureFile(this.paths.activeConfigFile, name);
    discardFastAnswer(this.paths.configDir);
    await touchConfigSentinel(this.paths.configDir);
  }

  /** @throws UsageError for the active configuration; NotFoundError when absent. */
  async delete(name: string): Promise<void> {
    if (name === (await this.activeName())) {
      throw new UsageError(`Deleting configuration [${name}] failed because it is active. Activate another one first (gcauth config configurations activate NAME).`);
    }
    if (!(await this.exists(name))) throw new NotFoundError(`Configuration [${name}] does not exist.`);
    // Under the lock, so no update of it is half-way when it goes.
    await this.edit(name, async (text) => {
      if (text === undefined) throw new NotFoundError(`Configuration [${name}] does not exist.`);
      await removeFile(this.fileOf(name));
      discardFastAnswer(this.paths.configDir);
    });
  }

  /** Locked read-modify-write of a configuration's file: `edit` gets its text (undefined when absent). */
  private edit<R>(name: string, edit: (text: string | undefined) => Promise<R>): Promise<R> {
    return updateFile(this.fileOf(name), readTextIfExists, edit);
  }

  private async write(name: string, text: string): Promise<void> {
    await removeStaleTemps(this.paths.configDir);
    await writeSecureFile(this.fileOf(name), text);
    discardFastAnswer(this.paths.configDir);
  }
}

/** The variables that make a configuration active over `active_config`, first one set wins: gcauth's, then gcloud's. */
export const ACTIVE_CONFIG_VARIABLES = ['GCAUTH_ACTIVE_CONFIG_NAME', 'CLOUDSDK_ACTIVE_CONFIG_NAME'] as const;

/**
 * The configuration the environment makes active, and the variable that names it, or undefined; an empty variable
 * counts as unset, as it does for properties.
 */
export function activeConfigFromEnv(env: Record<string, string | undefined>): {name: string; variable: string} | undefined {
  const variable = ACTIVE_CONFIG_VARIABLES.find((v) => env[v]);
  return variable ? {name: env[variable]!, variable} : undefined;
}

/** A warning when a variable (activeConfigFromEnv) keeps a configuration other than `name` active, else undefined. */
export function activeOverrideWarning(name: string, env: Record<string, string | undefined>): string | undefined {
  const active = activeConfigFromEnv(env);
  return active && active.name !== name ? `WARNING: The active configuration is overridden by environment setting [${active.variable}=${active.name}].` : undefined;
}
