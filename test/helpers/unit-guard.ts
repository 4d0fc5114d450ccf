/**
 * Setup file of the unit tier (jest project `unit`): its tests run in process, so a test that opens a
 * listening socket or starts a child process fails here at once, naming what it did, instead of slowing
 * the tier down unnoticed. Such a test belongs in test/integration. The stubs are laid on the shared
 * Node objects (net.Server and ChildProcess prototypes, the sync spawners) and taken away again in
 * afterAll, because a jest worker also runs the other tiers' files after this one.
 */
import {createRequire} from 'node:module';

type ChildProcessModule = typeof import('node:child_process');
type NetModule = typeof import('node:net');

const require = createRequire(import.meta.url);
const childProcess = require('node:child_process') as ChildProcessModule;
const net = require('node:net') as NetModule;

const refuse = (what: string) => () => {
  throw new Error(`the unit tier forbids ${what}: move this test to test/integration (see test/helpers/unit-guard.ts)`);
};

// Every asynchronous spawner (spawn, exec, execFile, fork, and execa above them) ends in ChildProcess#spawn.
const childProto = childProcess.ChildProcess.prototype as unknown as Record<string, unknown>;
const saved: Array<[Record<string, unknown>, string, unknown]> = [
  [net.Server.prototype as unknown as Record<string, unknown>, 'listen', net.Server.prototype.listen],
  [childProto, 'spawn', childProto.spawn],
  ...(['spawnSync', 'execSync', 'execFileSync'] as const).map(
    (name): [Record<string, unknown>, string, unknown] => [childProcess as unknown as Record<string, unknown>, name, childProcess[name]],
  ),
];

for (const [owner, name] of saved) {
  owner[name] = refuse(name === 'listen' ? 'listening on a socket (net.Server#listen)' : `starting a child process (${name})`);
}

afterAll(() => {
  for (const [owner, name, original] of saved) owner[name] = original;
});
