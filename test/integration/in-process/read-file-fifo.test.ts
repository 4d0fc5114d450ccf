import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {existsAsNonRegular, FileReadError, readRegularFile} from '../../../src/lib/fs/read-file.js';

// Here rather than in test/unit/read-file.test.ts: making a FIFO takes mkfifo(1), a process, which the unit tier forbids.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-read-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const refusal = (file: string) => {
  try {
    readRegularFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(FileReadError);
    return [(error as FileReadError).code, (error as FileReadError).message];
  }
  throw new Error('read');
};

test('a FIFO is refused at once, without waiting for a writer', () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  expect(refusal(fifo)).toEqual(['ENOTREG', `Cannot read [${fifo}]: it is a named pipe (FIFO), not a regular file.`]);
  expect(existsAsNonRegular(fifo)).toBe(true);
});
