import type {Hono} from 'hono';
import {FaultConfigError, parseFaultConfig, type FaultInjector} from './faults.js';
import {apiError} from './google-errors.js';
import {MetadataConfigError, type MetadataServer, type MetadataUpdate} from './metadata.js';
import type {StateView} from './records.js';
import type {EmulatorStats} from './stats.js';

/** What the admin routes control. */
export interface AdminDeps {
  stats(): EmulatorStats;
  resetStats(): void;
  faults: FaultInjector;
  tokenLifetime(): number;
  /** @throws for a lifetime that is not a whole number of seconds from 1 to 43200. */
  setTokenLifetime(seconds: unknown): void;
  info(): {url: string; pid: number; project: string};
  /** The secret-free view of the emulated world served by `GET /__admin/state`. */
  stateView(): StateView;
  /** The emulated VM behind the metadata server. */
  metadata: Pick<MetadataServer, 'view' | 'configure' | 'requests'>;
  /** Back-dates a key's `validAfterTime` (tests of key age); false when no account has that key. */
  setKeyValidAfterTime(keyId: string, validAfterTime: string): Promise<boolean>;
}

/** An admin request body: empty means `{}`. @throws SyntaxError for text that is not JSON. */
export async function jsonBody(text: string): Promise<unknown> {
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

const METADATA_KEYS = new Set(['serviceAccount', 'scopes', 'fault']);

/** Registers `/__admin/*`: health, stats, faults, token lifetime, state, metadata and its request log. Test control only; never faulted. */
export function registerAdminRoutes(app: Hono, deps: AdminDeps): void {
  app.get('/__admin/health', (c) => c.json({ok: true, ...deps.info()}));

  app.get('/__admin/state', (c) => c.json(deps.stateView()));

  app.get('/__admin/stats', (c) => c.json(deps.stats()));
  app.post('/__admin/reset-stats', (c) => {
    deps.resetStats();
    return c.json({});
  });

  app.get('/__admin/faults', (c) => c.json(deps.faults.current()));
  app.post('/__admin/faults', async (c) => {
    try {
      deps.faults.set(parseFaultConfig(await jsonBody(await c.req.text())));
    } catch (error) {
      if (error instanceof FaultConfigError || error instanceof SyntaxError) {
        return c.json(apiError(400, error.message), 400);
      }
      throw error;
    }
    return c.json(deps.faults.current());
  });

  app.get('/__admin/metadata', (c) => c.json(deps.metadata.view()));
  // Each metadata request's path and query, in order; cleared by reset-stats.
  app.get('/__admin/metadata/requests', (c) => c.json({requests: deps.metadata.requests()}));
  app.post('/__admin/metadata', async (c) => {
    try {
      const body = await jsonBody(await c.req.text());
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MetadataConfigError('metadata config must be a JSON object');
      for (const key of Object.keys(body)) {
        if (!METADATA_KEYS.has(key)) throw new MetadataConfigError(`unknown metadata setting "${key}"; valid: ${[...METADATA_KEYS].join(', ')}`);
      }
      await deps.metadata.configure(body as MetadataUpdate);
    } catch (error) {
      if (error instanceof MetadataConfigError || error instanceof SyntaxError) return c.json(apiError(400, error.message), 400);
      throw error;
    }
    return c.json(deps.metadata.view());
  });

  app.get('/__admin/token-lifetime', (c) => c.json({seconds: deps.tokenLifetime()}));
  app.post('/__admin/token-lifetime', async (c) => {
    let seconds: unknown;
    try {
      seconds = ((await jsonBody(await c.req.text())) as {seconds?: unknown}).seconds;
    } catch (error) {
      return c.json(apiError(400, (error as Error).message), 400);
    }
    try {
      deps.setTokenLifetime(seconds);
    } catch (error) {
      return c.json(apiError(400, (error as Error).message), 400);
    }
    return c.json({seconds});
  });

  // Keys are made "now"; a test of a years-old key needs one from the past. Body {keyId, validAfterTime}.
  app.post('/__admin/key-valid-after', async (c) => {
    let body: {keyId?: unknown; validAfterTime?: unknown};
    try {
      body = (await jsonBody(await c.req.text())) as typeof body;
    } catch (error) {
      return c.json(apiError(400, (error as Error).message), 400);
    }
    const {keyId, validAfterTime} = body;
    if (typeof keyId !== 'string' || typeof validAfterTime !== 'string' || Number.isNaN(Date.parse(validAfterTime))) {
      return c.json(apiError(400, 'expected {"keyId": ID, "validAfterTime": RFC 3339 time}'), 400);
    }
    if (!(await deps.setKeyValidAfterTime(keyId, new Date(validAfterTime).toISOString().replace(/\.\d{3}Z$/, 'Z')))) return c.json(apiError(404, `no key ${keyId}`), 404);
    return c.json({keyId, validAfterTime});
  });
}
