/**
 * The pool and provider cores on a fake context whose IAM client is a recording stand-in: what each sends (resource
 * names, bodies), what it prints (stderr status lines, stdout only through the spec's rendering), and that bad input
 * sends nothing. The same commands against the emulator and the real gcloud: test/integration/workload-identity-pools.test.ts.
 */
import {spec as listSpec} from '../../src/commands/iam/workload-identity-pools/list.js';
import type {IamApi} from '../../src/lib/api/iam.js';
import {renderSpecResult} from '../../src/lib/cli/command-spec.js';
import {parseFormat} from '../../src/lib/output/format.js';
import {
  createAwsProvider,
  createOidcProvider,
  createPool,
  deletePool,
  deleteProvider,
  describeProvider,
  listPools,
} from '../../src/lib/iam/workload-identity.js';
import {fakeContext} from '../helpers/context.js';
import {usageMessage} from '../helpers/usage-error.js';

const DONE = {done: true};

async function setup() {
  const calls: Array<[string, ...unknown[]]> = [];
  const record =
    (name: string, answer: unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return answer;
    };
  const iam = {
    createWorkloadIdentityPool: record('createPool', DONE),
    listWorkloadIdentityPools: record('listPools', [{state: 'ACTIVE', name: 'projects/1/locations/global/workloadIdentityPools/b-pool', displayName: 'B'}]),
    deleteWorkloadIdentityPool: record('deletePool', DONE),
    createWorkloadIdentityPoolProvider: record('createProvider', DONE),
    getWorkloadIdentityPoolProvider: record('getProvider', {state: 'ACTIVE', oidc: {issuerUri: 'https://i', allowedAudiences: ['a']}, name: 'n'}),
    deleteWorkloadIdentityPoolProvider: record('deleteProvider', DONE),
  } as unknown as IamApi;
  const fake = await fakeContext({env: {GCAUTH_CORE_PROJECT: 'demo-project'}});
  fake.ctx.api = {...fake.ctx.api, iam: async () => iam};
  return {...fake, calls};
}

it('create sends the pool under projects/P/locations/global with only the fields given, and reports on stderr', async () => {
  const {ctx, out, calls} = await setup();
  expect(await createPool({pool: 'ci-pool', location: 'global', displayName: 'CI', disabled: true}, ctx)).toEqual(DONE);
  expect(calls).toEqual([['createPool', 'projects/demo-project/locations/global', 'ci-pool', {displayName: 'CI', disabled: true}]]);
  expect(out).toEqual({stdout: '', stderr: 'Created workload identity pool [ci-pool].\n'});
});

it('a full resource name is taken as gcloud takes it, its project winning over core/project', async () => {
  const {ctx, calls} = await setup();
  await deletePool({pool: 'projects/other-project/locations/global/workloadIdentityPools/ci-pool', location: 'global'}, ctx);
  expect(calls).toEqual([['deletePool', 'projects/other-project/locations/global/workloadIdentityPools/ci-pool']]);
});

it('list renders --- YAML documents with keys sorted, or JSON, as gcloud does', async () => {
  const {ctx, calls} = await setup();
  const pools = await listPools({location: 'global', showDeleted: true}, ctx);
  expect(calls).toEqual([['listPools', 'projects/demo-project/locations/global', true]]);
  expect(await renderSpecResult(listSpec, pools, parseFormat(undefined))).toBe(
    '---\ndisplayName: B\nname: projects/1/locations/global/workloadIdentityPools/b-pool\nstate: ACTIVE\n',
  );
  expect(JSON.parse(await renderSpecResult(listSpec, pools, parseFormat('json')))).toEqual(pools);
  expect(listSpec.epilog!([], parseFormat(undefined), ctx)).toBe('Listed 0 items.\n');
});

it('create-oidc sends the issuer, audiences and the mapping as a map; create-aws the account', async () => {
  const {ctx, out, calls} = await setup();
  await createOidcProvider(
    {
      provider: 'github',
      pool: 'ci-pool',
      location: 'global',
      issuerUri: 'https://token.actions.githubusercontent.com',
      allowedAudiences: 'a1,a2',
      attributeMapping: 'google.subject=assertion.sub,attribute.repository=assertion.repository',
      attributeCondition: "assertion.repository_owner == 'o'",
    },
    ctx,
  );
  await createAwsProvider({provider: 'prod-aws', pool: 'ci-pool', location: 'global', accountId: '123456789012'}, ctx);
  expect(calls).toEqual([
    [
      'createProvider',
      'projects/demo-project/locations/global/workloadIdentityPools/ci-pool',
      'github',
      {
        attributeMapping: {'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository'},
        attributeCondition: "assertion.repository_owner == 'o'",
        oidc: {issuerUri: 'https://token.actions.githubusercontent.com', allowedAudiences: ['a1', 'a2']},
      },
    ],
    ['createProvider', 'projects/demo-project/locations/global/workloadIdentityPools/ci-pool', 'prod-aws', {aws: {accountId: '123456789012'}}],
  ]);
  expect(out.stderr).toBe('Created workload identity pool provider [github].\nCreated workload identity pool provider [prod-aws].\n');
});

it('describe sorts keys at every level; delete names the provider', async () => {
  const {ctx, out, calls} = await setup();
  expect(JSON.stringify(await describeProvider({provider: 'github', pool: 'ci-pool', location: 'global'}, ctx))).toBe(
    '{"name":"n","oidc":{"allowedAudiences":["a"],"issuerUri":"https://i"},"state":"ACTIVE"}',
  );
  await deleteProvider({provider: 'github', pool: 'ci-pool', location: 'global'}, ctx);
  expect(calls.map((c) => c.slice(0, 2))).toEqual([
    ['getProvider', 'projects/demo-project/locations/global/workloadIdentityPools/ci-pool/providers/github'],
    ['deleteProvider', 'projects/demo-project/locations/global/workloadIdentityPools/ci-pool/providers/github'],
  ]);
  expect(out.stderr).toBe('Deleted workload identity pool provider [github].\n');
});

it('bad input sends nothing', async () => {
  const {ctx, calls} = await setup();
  const base = {provider: 'github', pool: 'ci-pool', location: 'global'};
  const refusals = [
    () => createPool({pool: 'x', location: 'global'}, ctx),
    () => createPool({pool: 'ci-pool', location: 'europe'}, ctx),
    () => createPool({pool: 'ci-pool', location: 'global', description: 'd'.repeat(257)}, ctx),
    () => createPool({pool: 'projects/p/locations/global/workloadIdentityPools/ci-pool', location: 'us'}, ctx),
    () => createOidcProvider({...base, issuerUri: 'ftp://x', attributeMapping: 'google.subject=assertion.sub'}, ctx),
    () => createOidcProvider({...base, issuerUri: 'https://x', attributeMapping: 'google.subject=assertion.sub', allowedAudiences: 'a,,b'}, ctx),
    () => createOidcProvider({...base, issuerUri: 'https://x', attributeMapping: 'google.subject=assertion.sub', attributeCondition: ' '}, ctx),
    () => createAwsProvider({...base, accountId: '12345678901x'}, ctx),
    () => createAwsProvider({...base, accountId: '123456789012', attributeMapping: 'attribute.a=b'}, ctx),
    () => deleteProvider({...base, provider: 'projects/p/locations/global/workloadIdentityPools/other/providers/github'}, ctx),
  ];
  for (const refuse of refusals) await usageMessage(refuse);
  expect(calls).toEqual([]);
});

it('a project is required, named as every command names it', async () => {
  const {ctx, calls} = await setup();
  ctx.props.get = () => undefined as never;
  expect(await usageMessage(() => listPools({location: 'global', showDeleted: false}, ctx))).toMatch(/^The required property \[project\] is not currently set/);
  expect(calls).toEqual([]);
});
