/**
 * A CI token issuer shaped like GitHub Actions', under `{url}/ci`, so a whole CI flow (job token → STS → Google
 * token) runs offline. Its discovery document and JWKS sit where an OIDC provider's must
 * (`{url}/ci/.well-known/openid-configuration`, `.../jwks`); a job gets its token as a GitHub job does:
 * `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD` with `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
 * answered `{"count": N, "value": JWT}`. Which job asks is told by the bearer secret alone; jobs are made by
 * `POST /__admin/ci/jobs` and one, `default`, exists from the first start.
 */
import {createHash, randomBytes, randomInt} from 'node:crypto';
import type {Context, Hono} from 'hono';
import {jsonBody} from './admin.js';
import {apiError} from './google-errors.js';
import {IdTokenSigner} from './id-tokens.js';
import type {CiJobRecord} from './records.js';
import type {EmulatorState} from './state.js';

export const CI_PREFIX = '/ci';
/** The id of the job made on first start, whose secret `emulator env-init --ci` prints. */
export const DEFAULT_CI_JOB_ID = 'default';
/** GitHub's job tokens expire five minutes after `iat` and carry an `nbf` ten minutes before it (its documented example). */
export const DEFAULT_CI_TOKEN_LIFETIME_S = 300;
const NOT_BEFORE_SKEW_S = 600;
const MAX_LIFETIME_S = 86400;

/** The claims a job token carries besides the registered ones, as GitHub lists them in `claims_supported`. */
const CLAIMS_SUPPORTED = [
  'sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf',
  'ref', 'sha', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'run_id', 'run_number', 'run_attempt',
  'actor', 'actor_id', 'workflow', 'workflow_ref', 'workflow_sha', 'head_ref', 'base_ref', 'event_name', 'ref_type', 'ref_protected',
  'environment', 'job_workflow_ref', 'job_workflow_sha', 'repository_visibility', 'runner_environment',
];

/** The issuer's wording, in one table so handlers and tests agree. */
export const CI_MESSAGES = {
  missingBearer: 'Authorization required: send "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN"',
  badBearer: 'Bad credentials: the bearer token is not the request token of any CI job of this emulator',
  badJob: (detail: string) => `invalid CI job: ${detail}`,
} as const;

/** Raised for a job description the admin route cannot accept. */
export class CiJobError extends Error {}

/** What `POST /__admin/ci/jobs` takes; the rest of a job's claims are made up as GitHub would fill them. */
export interface CiJobInput {
  repository: string;
  ref: string;
  actor?: string;
  environment?: string;
  lifetimeSeconds?: number;
  eventName?: string;
}

/** What a job has in its environment to ask for tokens. */
export interface CiJobAccess {
  jobId: string;
  /** ACTIONS_ID_TOKEN_REQUEST_URL: already carries a query, so callers append `&audience=...`. */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
}

const JOB_KEYS = new Set(['repository', 'ref', 'actor', 'environment', 'lifetimeSeconds', 'eventName']);

/** Checks an admin body into a job description. @throws CiJobError naming what is wrong. */
export function parseCiJobInput(body: unknown): CiJobInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CiJobError(CI_MESSAGES.badJob('expected a JSON object'));
  for (const key of Object.keys(body)) {
    if (!JOB_KEYS.has(key)) throw new CiJobError(CI_MESSAGES.badJob(`unknown field "${key}"; valid: ${[...JOB_KEYS].join(', ')}`));
  }
  const b = body as Record<string, unknown>;
  const text = (name: string, pattern: RegExp, form: string, required: boolean): string | undefined => {
    const value = b[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new CiJobError(CI_MESSAGES.badJob(`"${name}" must be ${form}`));
    return value;
  };
  const repository = text('repository', /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, 'OWNER/REPO, e.g. octo-org/octo-repo', true) as string;
  const ref = text('ref', /^[^\s:]+$/, 'a branch or a full ref (refs/heads/BRANCH, refs/tags/TAG)', true) as string;
  const input: CiJobInput = {repository, ref};
  const actor = text('actor', /^[A-Za-z0-9-]{1,39}$/, 'a GitHub user name', false);
  const environment = text('environment', /^[^\s:]{1,255}$/, 'an environment name without spaces or colons', false);
  const eventName = text('eventName', /^[a-z_]{1,64}$/, 'an event name such as push or pull_request', false);
  if (actor !== undefined) input.actor = actor;
  if (environment !== undefined) input.environment = environment;
  if (eventName !== undefined) input.eventName = eventName;
  if (b.lifetimeSeconds !== undefined) {
    const s = b.lifetimeSeconds;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_LIFETIME_S) {
      throw new CiJobError(CI_MESSAGES.badJob(`"lifetimeSeconds" must be an integer from 1 to ${MAX_LIFETIME_S}`));
    }
    input.lifetimeSeconds = s;
  }
  return input;
}

/** `main` → `refs/heads/main`; a full ref stays as it is. */
function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

/** A numeric id that is the same for the same name (a repository or owner keeps its id across jobs). */
function stableNumericId(name: string, digits: number): string {
  const n = BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 15)}`);
  return String(10n ** BigInt(digits - 1) + (n % (9n * 10n ** BigInt(digits - 1))));
}

/** The `sub` GitHub gives a job: the environment when the job names one, pull requests by event, else the ref. */
export function ciSubject(job: Pick<CiJobRecord, 'repository' | 'ref' | 'environment' | 'eventName'>): string {
  if (job.environment !== undefined) return `repo:${job.repository}:environment:${job.environment}`;
  if (job.eventName === 'pull_request') return `repo:${job.repository}:pull_request`;
  return `repo:${job.repository}:ref:${job.ref}`;
}

export interface CiIssuerDeps {
  state: EmulatorState;
  now(): number;
  /** The emulator's base URL (known once it listens). */
  url(): string;
}

/** The issuer: its jobs (in state), its key (in state, made on first use) and the tokens it signs. */
export class CiIssuer {
  private signerReady: Promise<IdTokenSigner> | undefined;

  constructor(private readonly deps: CiIssuerDeps) {}

  /** `{url}/ci`: the `iss` of every job token and where its discovery document lives. */
  issuer(): string {
    return `${this.deps.url()}${CI_PREFIX}`;
  }

  /** The job's two environment values, as a GitHub runner sets them. */
  access(job: Pick<CiJobRecord, 'id' | 'requestToken'>): CiJobAccess {
    return {jobId: job.id, requestUrl: `${this.issuer()}/token?api-version=2.0`, requestToken: job.requestToken};
  }

  /** The signer over the persisted key; the key is made (and state saved) on first use, not at every start. */
  private signer(): Promise<IdTokenSigner> {
    this.signerReady ??= (async () => {
      const {state, now} = this.deps;
      const signer = new IdTokenSigner(await state.ciSigningKey(), now);
      // Once per process: persists a key made just now (a no-op write otherwise).
      await state.save();
      return signer;
    })();
    this.signerReady.catch(() => {
      this.signerReady = undefined;
    });
    return this.signerReady;
  }

  /** Makes a job, keeps it in state, and returns what its environment would hold. */
  async createJob(input: CiJobInput): Promise<CiJobAccess> {
    return this.access(await this.addJob(input, String(randomInt(1_000_000_000, 10_000_000_000))));
  }

  private async addJob(input: CiJobInput, id: string): Promise<CiJobRecord> {
    const owner = input.repository.split('/')[0] as string;
    const actor = input.actor ?? owner;
    const job: CiJobRecord = {
      id,
      requestToken: randomBytes(32).toString('base64url'),
      repository: input.repository,
      repositoryId: stableNumericId(`repository:${input.repository}`, 9),
      repositoryOwnerId: stableNumericId(`owner:${owner}`, 8),
      ref: fullRef(input.ref),
      sha: randomBytes(20).toString('hex'),
      actor,
      actorId: stableNumericId(`actor:${actor}`, 8),
      eventName: input.eventName ?? 'push',
      workflow: 'CI',
      runId: String(randomInt(1_000_000_000, 10_000_000_000)),
      lifetimeSeconds: input.lifetimeSeconds ?? DEFAULT_CI_TOKEN_LIFETIME_S,
      createTime: new Date(this.deps.now()).toISOString(),
    };
    if (input.environment !== undefined) job.environment = input.environment;
    this.deps.state.addCiJob(job);
    await this.deps.state.save();
    return job;
  }

  /** The job made on first start (persisted, so its secret outlives restarts), made now if missing; needs no URL yet. */
  async ensureDefaultJob(): Promise<Readonly<CiJobRecord>> {
    return this.deps.state.ciJob(DEFAULT_CI_JOB_ID) ?? this.addJob({repository: 'example-org/example-repo', ref: 'refs/heads/main', actor: 'example-user'}, DEFAULT_CI_JOB_ID);
  }

  /** The default job's environment values. */
  async defaultJob(): Promise<CiJobAccess> {
    return this.access(await this.ensureDefaultJob());
  }

  /** A job token for `audience` (default: the owner's URL, as GitHub's), with GitHub's claims. */
  async mint(job: Readonly<CiJobRecord>, audience?: string): Promise<string> {
    const signer = await this.signer();
    const owner = job.repository.split('/')[0] as string;
    const workflowRef = `${job.repository}/.github/workflows/ci.yml@${job.ref}`;
    const claims: Record<string, unknown> = {
      ...(job.environment === undefined ? {} : {environment: job.environment}),
      ref: job.ref,
      sha: job.sha,
      repository: job.repository,
      repository_owner: owner,
      actor_id: job.actorId,
      repository_visibility: 'private',
      repository_id: job.repositoryId,
      repository_owner_id: job.repositoryOwnerId,
      run_id: job.runId,
      run_number: '1',
      run_attempt: '1',
      runner_environment: 'self-hosted',
      actor: job.actor,
      workflow: job.workflow,
      head_ref: '',
      base_ref: '',
      event_name: job.eventName,
      ref_protected: 'false',
      ref_type: job.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      workflow_ref: workflowRef,
      workflow_sha: job.sha,
      job_workflow_ref: workflowRef,
      job_workflow_sha: job.sha,
    };
    return signer.signJwt(claims, {
      issuer: this.issuer(),
      audience: audience === undefined || audience === '' ? `https://github.com/${owner}` : audience,
      subject: ciSubject(job),
      lifetimeSeconds: job.lifetimeSeconds,
      notBeforeSkewSeconds: NOT_BEFORE_SKEW_S,
      jti: true,
    });
  }

  /** The OIDC discovery document, shaped like GitHub's. */
  discovery(): Record<string, unknown> {
    const issuer = this.issuer();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks`,
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      claims_supported: CLAIMS_SUPPORTED,
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
    };
  }

  async jwks(): Promise<unknown> {
    return (await this.signer()).jwks();
  }
}

const NO_STORE = {'Cache-Control': 'no-store'};

/** Registers `{url}/ci/...` (discovery, JWKS, the job-token URL) and `POST /__admin/ci/jobs`. */
export function registerCiRoutes(app: Hono, issuer: CiIssuer, state: EmulatorState): void {
  app.get(`${CI_PREFIX}/.well-known/openid-configuration`, (c) => c.json(issuer.discovery(), 200, {'Cache-Control': 'public, max-age=3600'}));
  app.get(`${CI_PREFIX}/.well-known/jwks`, async (c) => c.json(await issuer.jwks(), 200, {'Cache-Control': 'public, max-age=3600'}));

  app.get(`${CI_PREFIX}/token`, async (c: Context) => {
    const match = /^bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) return c.json({message: CI_MESSAGES.missingBearer}, 401, {...NO_STORE, 'WWW-Authenticate': 'Bearer'});
    const job = state.ciJobByRequestToken(match[1] as string);
    if (!job) return c.json({message: CI_MESSAGES.badBearer}, 401, {...NO_STORE, 'WWW-Authenticate': 'Bearer error="invalid_token"'});
    const value = await issuer.mint(job, c.req.query('audience'));
    return c.json({count: value.length, value}, 200, NO_STORE);
  });

  app.post('/__admin/ci/jobs', async (c) => {
    let input: CiJobInput;
    try {
      input = parseCiJobInput(await jsonBody(await c.req.text()));
    } catch (error) {
      if (error instanceof CiJobError || error instanceof SyntaxError) return c.json(apiError(400, error.message), 400);
      throw error;
    }
    return c.json(await issuer.createJob(input));
  });
  app.get('/__admin/ci/jobs/default', async (c) => c.json(await issuer.defaultJob()));
}
