/** The unit tier's guard (test/helpers/unit-guard.ts): no listening socket, no child process. */
import {execFile, execFileSync, spawn, spawnSync} from 'node:child_process';
import {createServer as createHttpServer} from 'node:http';
import {createServer} from 'node:net';

const FORBIDDEN = /the unit tier forbids .*move this test to test\/integration/;

test('a server that listens fails the test, http or plain net', () => {
  expect(() => createServer().listen(0, '127.0.0.1')).toThrow(FORBIDDEN);
  expect(() => createHttpServer().listen(0, '127.0.0.1')).toThrow(FORBIDDEN);
});

test('starting a child process fails the test, whichever spawner', () => {
  expect(() => spawn(process.execPath, ['-e', '0'])).toThrow(FORBIDDEN);
  expect(() => execFile(process.execPath, ['-e', '0'])).toThrow(FORBIDDEN);
  expect(() => spawnSync(process.execPath, ['-e', '0'])).toThrow(FORBIDDEN);
  expect(() => execFileSync(process.execPath, ['-e', '0'])).toThrow(FORBIDDEN);
});
