import {UsageError} from '../errors.js';
import type {ConfigValues} from './configurations.js';
import {envNamesOf, findProperty, keyOf, PROPERTIES, type PropertyDef} from './properties.js';

/** Where a property's value came from, in resolution order. */
export type PropertySource = 'flag' | 'env' | 'configuration' | 'default';

export interface ResolvedProperty {
  key: string;
  value: string;
  source: PropertySource;
  /** The flag or environment variable that set it, for messages. */
  origin?: string;
}

/**
 * Resolves properties: flag > `GCAUTH_<SECTION>_<NAME>` > gcloud's `CLOUDSDK_<SECTION>_<NAME>` > active configuration >
 * default. An empty variable counts as unset.
 */
export class Properties {
  constructor(
    private readonly sources: {
      flags: Record<string, string | undefined>;
      env: Record<string, string | undefined>;
      values: ConfigValues;
      configuration: string;
    },
  ) {}

  /** The active configuration's name. */
  get configuration(): string {
    return this.sources.configuration;
  }

  /**
   * The resolved value of `section/name` (or a bare core name), or undefined.
   * @throws UsageError when the key is unknown or the winning value is invalid.
   */
  get(key: string): string | undefined {
    return this.resolve(findProperty(key))?.value;
  }

  /** Like get(), with where the value came from. */
  describe(key: string): ResolvedProperty | undefined {
    return this.resolve(findProperty(key));
  }

  /** Every property that has a value other than its default. */
  all(): ResolvedProperty[] {
    return PROPERTIES.map((p) => this.resolve(p)).filter((r): r is ResolvedProperty => r !== undefined && r.source !== 'default');
  }

  /**
   * The flag or environment value that outranks any configuration value of `key`, unvalidated, or undefined.
   * @throws UsageError when the key is unknown.
   */
  override(key: string): ResolvedProperty | undefined {
    const def = findProperty(key);
    const hit = this.candidates(def).find(([source, value]) => (source === 'flag' || source === 'env') && value);
    return hit ? {key: keyOf(def), value: hit[1]!, source: hit[0], origin: hit[2]} : undefined;
  }

  private candidates(def: PropertyDef): Array<[PropertySource, string | undefined, string | undefined]> {
    const {flags, env, values} = this.sources;
    return [
      ['flag', flags[keyOf(def)], undefined],
      ...envNamesOf(def).map((name): [PropertySource, string | undefined, string] => ['env', env[name] || undefined, name]),
      ['configuration', values[def.section]?.[def.name], undefined],
      ['default', def.default, undefined],
    ];
  }

  private resolve(def: PropertyDef): ResolvedProperty | undefined {
    const key = keyOf(def);
    for (const [source, value, origin] of this.candidates(def)) {
      if (value === undefined || value === '') continue;
      const problem = def.validate?.(value);
      if (problem) {
        const where = origin ? ` (from ${origin})` : source === 'configuration' ? ` (in configuration [${this.configuration}])` : '';
        throw new UsageError(`Invalid value for property [${key}]${where}: ${JSON.stringify(value)}: ${problem}.`);
      }
      return {key, value, source, origin};
    }
    return undefined;
  }
}

/**
 * The value the environment gives a property (GCAUTH_ then CLOUDSDK_ variable), unvalidated: for the error reporter
 * when no context could be built, so it honours the same variables the resolver does.
 */
export const environmentValue = (key: string, env: Record<string, string | undefined>): string | undefined =>
  new Properties({flags: {}, env, values: {}, configuration: ''}).override(key)?.value;
