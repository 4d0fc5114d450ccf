/**
 * A stand-in for the AWS side of an `aws` credential source, so it runs offline: an EC2 instance's metadata
 * service (IMDS) under `{url}/aws/latest/...` (region, the instance role's name and its temporary keys, IMDSv2
 * session tokens), IAM users' long-term keys for `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, and the check Google's
 * STS makes of an AWS subject token: the SigV4-signed `GetCallerIdentity` request that google-auth-library's
 * AwsClient serializes, verified against the keys handed out here with a maintained SigV4 implementation (`aws4`,
 * synchronous, so the check can be too). The keys live in the emulator state.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto';
import aws4 from 'aws4';
import type {Context, Hono} from 'hono';
import {jsonBody} from './admin.js';
import {apiError} from './google-errors.js';
import type {AwsKeyRecord} from './records.js';
import type {EmulatorState} from './state.js';

export const AWS_PREFIX = '/aws';
const META = `${AWS_PREFIX}/latest/meta-data`;
/** Instance-role keys live six hours, as EC2's do; a new one is handed out once less than this is left. */
const ROLE_KEY_LIFETIME_MS = 6 * 3600_000;
const ROLE_KEY_RENEW_MS = 15 * 60_000;
/** IMDSv2 session tokens live from 1 second to 6 hours, as `X-aws-ec2-metadata-token-ttl-seconds` allows. */
const MAX_SESSION_TTL_S = 21600;
/** AWS refuses a signed request whose `x-amz-date` is more than 15 minutes from its clock. */
const SIGNATURE_WINDOW_MS = 15 * 60_000;
const CALLER_IDENTITY_QUERY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** How Google's STS words an AWS refusal it relays: AWS's error code and message inside its own sentence. */
function awsResponse(type: string, message: string): string {
  return `Received invalid AWS response of type ${type} with error message: ${message}`;
}

/** `20240101T000000Z`, the form of `x-amz-date` and of AWS's clock in its messages. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * What a refused AWS subject token is told, in one table. The `Received invalid AWS response ...` texts are Google
 * STS's relay of AWS's own refusal (SignatureDoesNotMatch: Google's text seen in google-auth-library-python#844 and
 * aws-sdk-java-v2#4550; AWS's codes and messages for GetCallerIdentity for the rest). The request-shape texts
 * (method, URL, target resource, account) are the emulator's own: Google's are not known here.
 */
export const AWS_STS_MESSAGES = {
  malformed: (detail: string) => `Invalid format of AWS credentials: ${detail}`,
  method: (method: string) => `The AWS request in the subject token must be a POST, not ${method}.`,
  url: (url: string) => `The AWS request in the subject token must be sent to https://sts.REGION.amazonaws.com?${CALLER_IDENTITY_QUERY}, not ${url}.`,
  targetResource: (got: string | undefined, audience: string) =>
    got === undefined
      ? `The AWS request in the subject token lacks the x-goog-cloud-target-resource header; it must name the audience ${audience}.`
      : `The x-goog-cloud-target-resource header of the AWS request (${got}) does not match the audience ${audience}.`,
  missingAuth: awsResponse('MissingAuthenticationToken', 'Request is missing Authentication Token'),
  badAuthorization: awsResponse('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature parameters of the AWS4-HMAC-SHA256 algorithm.'),
  badDate: awsResponse('IncompleteSignature', 'Authorization header requires existence of either a X-Amz-Date or a Date header.'),
  expired: (date: string, now: number) =>
    awsResponse('SignatureDoesNotMatch', `Signature expired: ${date} is now earlier than ${amzDate(now - SIGNATURE_WINDOW_MS)} (${amzDate(now)} - 15 min.)`),
  notYetCurrent: (date: string, now: number) =>
    awsResponse('SignatureDoesNotMatch', `Signature not yet current: ${date} is still later than ${amzDate(now + SIGNATURE_WINDOW_MS)} (${amzDate(now)} + 15 min.)`),
  invalidToken: awsResponse('InvalidClientTokenId', 'The security token included in the request is invalid.'),
  signature: awsResponse(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ),
  account: (account: string, expected: string) =>
    `The AWS account ${account} of the caller is not the account ${expected} of the workload identity pool provider.`,
} as const;

/**
 * `prefix` and `length` characters of AWS's id alphabet, the same for the same seed (AWS keeps a role's or user's id
 * for its life): role and user ids have 17 after AROA/AIDA, access key ids 16 after ASIA/AKIA.
 */
function stableAwsId(prefix: string, seed: string, length = 17): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; id.length < prefix.length + length; i++) id += alphabet[(digest[i] as number) % 32];
  return id;
}

/**
 * GetCallerIdentity's `UserId` for an ARN: `AROA…:SESSION` for an assumed role (the role's id and the session name),
 * `AIDA…` for an IAM user; undefined for an ARN of neither form.
 */
export function awsUserIdFor(arn: string): string | undefined {
  const role = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(arn);
  if (role) return `${stableAwsId('AROA', `arn:aws:iam::${role[1]}:role/${role[2]}`)}:${role[3]}`;
  if (/^arn:aws:iam::\d{12}:user\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(arn)) return stableAwsId('AIDA', arn);
  return undefined;
}

function accessKeyId(prefix: 'ASIA' | 'AKIA'): string {
  return stableAwsId(prefix, randomBytes(16).toString('hex'), 16);
}

function secretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** What `lookupSecret` gives verifyAwsSubjectToken: a live key's secret half and whose it is. */
export interface AwsSecret {
  secretAccessKey: string;
  sessionToken?: string;
  arn: string;
  account: string;
}

/** The lookup of live keys in the emulator state, for verifyAwsSubjectToken. */
export function awsSecretLookup(state: EmulatorState): (accessKeyId: string) => AwsSecret | undefined {
  return (id) => {
    const key = state.awsKey(id);
    if (!key) return undefined;
    return {secretAccessKey: key.secretAccessKey, arn: key.arn, account: key.account, ...(key.sessionToken === undefined ? {} : {sessionToken: key.sessionToken})};
  };
}

interface SignedRequest {
  url: string;
  method: string;
  headers: Array<{key: string; value: string}>;
}

function parseSubjectToken(subjectToken: string): SignedRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(subjectToken));
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'expected a JSON object';
  const {url, method, headers} = parsed as Record<string, unknown>;
  if (typeof url !== 'string' || typeof method !== 'string' || !Array.isArray(headers)) return 'expected the fields "url", "method" and "headers"';
  if (!headers.every((h: unknown) => typeof h === 'object' && h !== null && typeof (h as {key?: unknown}).key === 'string' && typeof (h as {value?: unknown}).value === 'string')) {
    return 'each header must be {"key": string, "value": string}';
  }
  return {url, method, headers: headers as SignedRequest['headers']};
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Checks an AWS subject token as Google's STS does for an AWS provider: the serialized, SigV4-signed
 * `GetCallerIdentity` POST to `sts.REGION.amazonaws.com` must name `audience` in `x-goog-cloud-target-resource`, be
 * dated within 15 minutes of `now` (ms), be signed by a known key (with its session token, for temporary keys) of
 * the provider's account `accountId`. On success, `assertion` is what the provider's attribute mapping sees: the
 * caller's `arn`, `account` and `userid`, as GetCallerIdentity answers them.
 */
export function verifyAwsSubjectToken(input: {
  subjectToken: string;
  audience: string;
  accountId: string;
  now: number;
  lookupSecret: (accessKeyId: string) => {secretAccessKey: string; sessionToken?: string; arn: string; account: string} | undefined;
}): {ok: true; assertion: Record<string, unknown>} | {ok: false; description: string} {
  const refuse = (description: string) => ({ok: false as const, description});
  const request = parseSubjectToken(input.subjectToken);
  if (typeof request === 'string') return refuse(AWS_STS_MESSAGES.malformed(request));
  if (request.method !== 'POST') return refuse(AWS_STS_MESSAGES.method(request.method));

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refuse(AWS_STS_MESSAGES.url(request.url));
  }
  const region = /^sts\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  const params = [...url.searchParams.entries()];
  const queryOk = params.length === 2 && url.searchParams.get('Action') === 'GetCallerIdentity' && url.searchParams.get('Version') === '2011-06-15';
  if (url.protocol !== 'https:' || region === undefined || url.port !== '' || (url.pathname !== '/' && url.pathname !== '') || !queryOk || url.hash !== '') {
    return refuse(AWS_STS_MESSAGES.url(request.url));
  }

  const headers = new Map<string, string>();
  for (const {key, value} of request.headers) {
    const name = key.toLowerCase();
    if (headers.has(name)) return refuse(AWS_STS_MESSAGES.malformed(`the header ${name} appears twice`));
    headers.set(name, value);
  }
  // The Node library sends the resource name without a scheme and the others may add https:; both name the same provider.
  const target = headers.get('x-goog-cloud-target-resource');
  const bare = (resource: string) => resource.replace(/^https:(?=\/\/)/, '');
  if (target === undefined || bare(target) !== bare(input.audience)) return refuse(AWS_STS_MESSAGES.targetResource(target, input.audience));
  if (headers.get('host') !== url.host) return refuse(AWS_STS_MESSAGES.signature);

  const authorization = headers.get('authorization');
  if (authorization === undefined) return refuse(AWS_STS_MESSAGES.missingAuth);
  const auth = AUTHORIZATION.exec(authorization);
  if (!auth) return refuse(AWS_STS_MESSAGES.badAuthorization);
  const [, keyId, , , , signedList] = auth as unknown as [string, string, string, string, string, string, string];
  const signedHeaders = signedList.split(';');

  const date = headers.get('x-amz-date');
  const parts = date === undefined ? null : AMZ_DATE.exec(date);
  if (date === undefined || !parts) return refuse(AWS_STS_MESSAGES.badDate);
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  const signedAt = Date.UTC(y, mo - 1, d, h, mi, s);
  if (signedAt < input.now - SIGNATURE_WINDOW_MS) return refuse(AWS_STS_MESSAGES.expired(date, input.now));
  if (signedAt > input.now + SIGNATURE_WINDOW_MS) return refuse(AWS_STS_MESSAGES.notYetCurrent(date, input.now));

  const secret = input.lookupSecret(keyId);
  if (!secret) return refuse(AWS_STS_MESSAGES.invalidToken);
  // Temporary keys are only good with their own session token, signed; long-term keys take none.
  const sessionToken = headers.get('x-amz-security-token');
  if (sessionToken !== secret.sessionToken) return refuse(AWS_STS_MESSAGES.invalidToken);
  if (sessionToken !== undefined && !signedHeaders.includes('x-amz-security-token')) return refuse(AWS_STS_MESSAGES.signature);
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) return refuse(AWS_STS_MESSAGES.signature);

  const toSign: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headers.get(name);
    if (value === undefined) return refuse(AWS_STS_MESSAGES.signature);
    toSign[name] = value;
  }
  // aws4 signs every header it is given (and reads the date and session token from them), so it gets exactly the signed ones.
  // aws4 reads extraHeadersToInclude (headers it would otherwise leave out, such as user-agent); its types omit it.
  const toSignRequest: aws4.Request & {extraHeadersToInclude: Record<string, boolean>} = {
    host: url.host,
    path: `/?${url.search.slice(1)}`,
    method: 'POST',
    service: 'sts',
    region,
    headers: toSign,
    extraHeadersToInclude: Object.fromEntries(signedHeaders.map((name) => [name, true])),
  };
  const expected = aws4.sign(
    toSignRequest,
    {accessKeyId: keyId, secretAccessKey: secret.secretAccessKey, ...(secret.sessionToken === undefined ? {} : {sessionToken: secret.sessionToken})},
  );
  const want = Buffer.from(String(expected.headers?.Authorization));
  const got = Buffer.from(authorization);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return refuse(AWS_STS_MESSAGES.signature);

  if (secret.account !== input.accountId) return refuse(AWS_STS_MESSAGES.account(secret.account, input.accountId));
  return {ok: true, assertion: {arn: secret.arn, account: secret.account, userid: awsUserIdFor(secret.arn) ?? keyId}};
}

/** Raised for an AWS setting or IAM user the admin routes cannot accept. */
export class AwsConfigError extends Error {}

/** The stand-in as `GET /__admin/aws` shows it. */
export interface AwsView {
  accountId: string;
  instanceId: string;
  availabilityZone: string;
  region: string;
  roleName: string;
  roleArn: string;
  imdsV2Required: boolean;
}

/** An IAM user's long-term key, as `aws iam create-access-key` answers it (plus its ARN). */
export interface AwsUserKey {
  accessKeyId: string;
  secretAccessKey: string;
  arn: string;
  account: string;
  userId: string;
}

/** The stand-in's instance, role keys and IMDSv2 sessions over the emulator state. */
export class AwsStandIn {
  /** IMDSv2 session tokens and when they end; in memory, as a restarted instance forgets them. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly deps: {state: EmulatorState; now(): number}) {}

  view(): AwsView {
    const aws = this.deps.state.aws();
    return {
      accountId: aws.accountId,
      instanceId: aws.instanceId,
      availabilityZone: aws.availabilityZone,
      region: aws.availabilityZone.slice(0, -1),
      roleName: aws.roleName,
      roleArn: `arn:aws:sts::${aws.accountId}:assumed-role/${aws.roleName}/${aws.instanceId}`,
      imdsV2Required: aws.imdsV2Required,
    };
  }

  /** Applies `{imdsV2Required}`. @throws AwsConfigError for anything else. */
  async configure(body: unknown): Promise<AwsView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AwsConfigError('AWS settings must be a JSON object');
    for (const [key, value] of Object.entries(body)) {
      if (key !== 'imdsV2Required') throw new AwsConfigError(`unknown AWS setting "${key}"; valid: imdsV2Required`);
      if (typeof value !== 'boolean') throw new AwsConfigError('imdsV2Required must be true or false');
      this.deps.state.setImdsV2Required(value);
    }
    await this.deps.state.save();
    return this.view();
  }

  /** Makes a long-term key of IAM user `name` in the stand-in's account. @throws AwsConfigError for a bad name. */
  async createUserKey(name: unknown): Promise<AwsUserKey> {
    if (typeof name !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(name)) throw new AwsConfigError('"name" must be an IAM user name: 1 to 64 of A-Z a-z 0-9 + = , . @ _ -');
    const {state, now} = this.deps;
    const account = state.aws().accountId;
    const arn = `arn:aws:iam::${account}:user/${name}`;
    const id = accessKeyId('AKIA');
    const key: AwsKeyRecord = {secretAccessKey: secretAccessKey(), arn, account, userId: awsUserIdFor(arn) as string, createTime: new Date(now()).toISOString()};
    state.addAwsKey(id, key);
    await state.save();
    return {accessKeyId: id, secretAccessKey: key.secretAccessKey, arn, account, userId: key.userId};
  }

  /** The instance role's current temporary key, a fresh one once the current nears its end. */
  async roleKey(): Promise<{accessKeyId: string; key: Readonly<AwsKeyRecord>}> {
    const {state, now} = this.deps;
    const aws = state.aws();
    const currentId = aws.roleAccessKeyId;
    const current = currentId === undefined ? undefined : state.awsKey(currentId);
    if (currentId !== undefined && current && (current.expiresAt ?? Infinity) - now() > ROLE_KEY_RENEW_MS) return {accessKeyId: currentId, key: current};
    const {roleArn} = this.view();
    const id = accessKeyId('ASIA');
    const key: AwsKeyRecord = {
      secretAccessKey: secretAccessKey(),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
      arn: roleArn,
      account: aws.accountId,
      userId: awsUserIdFor(roleArn) as string,
      expiresAt: now() + ROLE_KEY_LIFETIME_MS,
      createTime: new Date(now()).toISOString(),
    };
    state.addAwsKey(id, key, {role: true});
    await state.save();
    return {accessKeyId: id, key};
  }

  /** Now, in IMDS's timestamp form. */
  lastUpdated(): string {
    return new Date(this.deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A new IMDSv2 session token living `ttlSeconds`. */
  openSession(ttlSeconds: number): string {
    const now = this.deps.now();
    for (const [token, end] of this.sessions) if (end <= now) this.sessions.delete(token);
    const token = randomBytes(42).toString('base64url');
    this.sessions.set(token, now + ttlSeconds * 1000);
    return token;
  }

  /** Whether a request with this `X-aws-ec2-metadata-token` (or none) may read the metadata. */
  admits(token: string | undefined): boolean {
    if (token === undefined) return !this.deps.state.aws().imdsV2Required;
    const end = this.sessions.get(token);
    return end !== undefined && end > this.deps.now();
  }
}

/** A fresh object each time: @hono/node-server may keep (and add to) a lone headers object it is handed. */
const text = (): Record<string, string> => ({'Content-Type': 'text/plain'});

/** IMDS answers errors as small HTML pages. */
function imdsError(c: Context, status: 400 | 401 | 403 | 404, title: string): Response {
  const body = `<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>\n<html><head><title>${status} - ${title}</title></head><body><h1>${status} - ${title}</h1></body></html>\n`;
  return c.body(body, status, {'Content-Type': 'text/html'});
}

/** Registers the instance metadata under `{url}/aws/latest/...` and `/__admin/aws` (settings) and `/__admin/aws/users` (IAM user keys). */
export function registerAwsRoutes(app: Hono, aws: AwsStandIn): void {
  app.put(`${AWS_PREFIX}/latest/api/token`, (c) => {
    // IMDS refuses a token request that went through a proxy, so a forwarded request cannot read the credentials.
    if (c.req.header('x-forwarded-for') !== undefined) return imdsError(c, 403, 'Forbidden');
    const ttl = c.req.header('x-aws-ec2-metadata-token-ttl-seconds');
    const seconds = ttl !== undefined && /^\d+$/.test(ttl) ? Number(ttl) : NaN;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SESSION_TTL_S) return imdsError(c, 400, 'Bad Request');
    return c.body(aws.openSession(seconds), 200, {...text(), 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds': String(seconds)});
  });

  const serve = async (c: Context): Promise<Response> => {
    if (!aws.admits(c.req.header('x-aws-ec2-metadata-token'))) return imdsError(c, 401, 'Unauthorized');
    const view = aws.view();
    const path = c.req.path.slice(META.length).replace(/^\/+/, '');
    // Listings end without a newline, as IMDS's do: clients use the answer as it is (the role name in a URL).
    const leaves: Record<string, () => Promise<string> | string> = {
      '': () => 'ami-id\nhostname\niam/\ninstance-id\nplacement/',
      'ami-id': () => 'ami-0gcauthemulator0',
      hostname: () => `ip-10-0-0-1.${view.region}.compute.internal`,
      'instance-id': () => view.instanceId,
      'placement/': () => 'availability-zone\nregion',
      'placement/availability-zone': () => view.availabilityZone,
      'placement/region': () => view.region,
      'iam/': () => 'info\nsecurity-credentials/',
      'iam/security-credentials': () => view.roleName,
      'iam/security-credentials/': () => view.roleName,
      'iam/info': () => {
        const profileArn = `arn:aws:iam::${view.accountId}:instance-profile/${view.roleName}`;
        return JSON.stringify({Code: 'Success', LastUpdated: aws.lastUpdated(), InstanceProfileArn: profileArn, InstanceProfileId: stableAwsId('AIPA', profileArn)}, null, 2);
      },
      [`iam/security-credentials/${view.roleName}`]: async () => {
        const {accessKeyId: id, key} = await aws.roleKey();
        const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
        return JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: key.createTime.replace(/\.\d{3}Z$/, 'Z'),
            Type: 'AWS-HMAC',
            AccessKeyId: id,
            SecretAccessKey: key.secretAccessKey,
            Token: key.sessionToken,
            Expiration: iso(key.expiresAt as number),
          },
          null,
          2,
        );
      },
    };
    const leaf = Object.hasOwn(leaves, path) ? leaves[path] : undefined;
    if (!leaf) return imdsError(c, 404, 'Not Found');
    return c.body(await leaf(), 200, text());
  };
  app.get(META, serve);
  app.get(`${META}/*`, serve);

  app.get('/__admin/aws', (c) => c.json(aws.view()));
  app.post('/__admin/aws', async (c) => {
    try {
      return c.json(await aws.configure(await jsonBody(await c.req.text())));
    } catch (error) {
      if (error instanceof AwsConfigError || error instanceof SyntaxError) return c.json(apiError(400, error.message), 400);
      throw error;
    }
  });
  app.post('/__admin/aws/users', async (c) => {
    try {
      const body = (await jsonBody(await c.req.text())) as {name?: unknown};
      return c.json(await aws.createUserKey(body.name));
    } catch (error) {
      if (error instanceof AwsConfigError || error instanceof SyntaxError) return c.json(apiError(400, error.message), 400);
      throw error;
    }
  });
}
