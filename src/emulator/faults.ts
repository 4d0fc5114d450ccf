/** Status codes the emulator can inject; the two a client must retry. */
export type FaultStatus = 503 | 429;

/** Faults applied to every non-admin request. All fields optional; absent means "off". */
export interface FaultConfig {
  /** Added delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Share (0..1) of answers replaced by `failStatus`. */
  failRate?: number;
  /** Status used by `failRate`; default 503. */
  failStatus?: FaultStatus;
  /** Fail exactly the next N requests (deterministic, for tests), then answer normally. */
  failNext?: number;
  /** Status used by `failNext`; default `failStatus`, else 503. */
  failNextStatus?: FaultStatus;
  /** Only requests whose path starts with one of these prefixes are faulted; default all. */
  paths?: string[];
}

/** Raised for a fault config that makes no sense, so a typo in a test fails loudly instead of injecting nothing. */
export class FaultConfigError extends Error {}

const KEYS = new Set(['latencyMs', 'failRate', 'failStatus', 'failNext', 'failNextStatus', 'paths']);

function isStatus(v: unknown): v is FaultStatus {
  return v === 503 || v === 429;
}

/** Validates an untrusted fault config (from a flag or the admin endpoint). Throws FaultConfigError. */
export function parseFaultConfig(input: unknown): FaultConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultConfigError('fault config must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KEYS.has(key)) throw new FaultConfigError(`unknown fault setting "${key}"; valid: ${[...KEYS].join(', ')}`);
  }
  const out: FaultConfig = {};
  if (raw.latencyMs !== undefined) {
    if (typeof raw.latencyMs !== 'number' || !Number.isFinite(raw.latencyMs) || raw.latencyMs < 0) {
      throw new FaultConfigError('latencyMs must be a number >= 0');
    }
    out.latencyMs = raw.latencyMs;
  }
  if (raw.failRate !== undefined) {
    if (typeof raw.failRate !== 'number' || !(raw.failRate >= 0 && raw.failRate <= 1)) {
      throw new FaultConfigError('failRate must be a number between 0 and 1');
    }
    out.failRate = raw.failRate;
  }
  if (raw.failNext !== undefined) {
    if (typeof raw.failNext !== 'number' || !Number.isInteger(raw.failNext) || raw.failNext < 0) {
      throw new FaultConfigError('failNext must be an integer >= 0');
    }
    out.failNext = raw.failNext;
  }
  for (const key of ['failStatus', 'failNextStatus'] as const) {
    if (raw[key] !== undefined) {
      if (!isStatus(raw[key])) throw new FaultConfigError(`${key} must be 503 or 429`);
      out[key] = raw[key];
    }
  }
  if (raw.paths !== undefined) {
    if (!Array.isArray(raw.paths) || !raw.paths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
      throw new FaultConfigError('paths must be an array of path prefixes starting with "/"');
    }
    out.paths = raw.paths as string[];
  }
  return out;
}

/** Decides, request by request, whether to delay and whether to fail. Holds the fail-next counter. */
export class FaultInjector {
  private config: FaultConfig = {};
  private remainingFailures = 0;

  constructor(
    initial: FaultConfig = {},
    private readonly random: () => number = Math.random,
  ) {
    this.set(initial);
  }

  /** Replaces the whole config (absent fields switch that fault off) and re-arms fail-next. */
  set(config: FaultConfig): void {
    this.config = {...config};
    this.remainingFailures = config.failNext ?? 0;
  }

  /** The current config with the live fail-next count, for the admin endpoint. */
  current(): FaultConfig {
    return {...this.config, failNext: this.remainingFailures};
  }

  latencyFor(path: string): number {
    return this.applies(path) ? (this.config.latencyMs ?? 0) : 0;
  }

  /** The status to answer with instead of the real handler, or undefined to answer normally. */
  failureFor(path: string): FaultStatus | undefined {
    if (!this.applies(path)) return undefined;
    if (this.remainingFailures > 0) {
      this.remainingFailures--;
      return this.config.failNextStatus ?? this.config.failStatus ?? 503;
    }
    const rate = this.config.failRate ?? 0;
    // rate 1 must fail every time, so compare with < against a value in [0, 1).
    if (rate > 0 && this.random() < rate) return this.config.failStatus ?? 503;
    return undefined;
  }

  private applies(path: string): boolean {
    const prefixes = this.config.paths;
    return !prefixes || prefixes.some((p) => path.startsWith(p));
  }
}
