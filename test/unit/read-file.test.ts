import {mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {existsAsNonRegular, FileReadError, fsErrorReason, jsonErrorAt, MAX_FILE_BYTES, readRegularFile, readRegularFileIfExists} from '../../src/lib/fs/read-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-read-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const refusal = (file: string, maxBytes?: number) => {
  try {
    readRegularFile(file, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(FileReadError);
    return [(error as FileReadError).code, (error as FileReadError).message];
  }
  throw new Error('read');
};

test('a regular file reads whole, through a symlink too; a missing one is undefined only with IfExists', () => {
  const file = path.join(dir, 'f');
  writeFileSync(file, 'héllo');
  symlinkSync(file, path.join(dir, 'link'));
  expect(readRegularFile(path.join(dir, 'link'))).toBe('héllo');
  expect(readRegularFileIfExists(path.join(dir, 'nope'))).toBeUndefined();
  expect(refusal(path.join(dir, 'nope'))).toEqual(['ENOENT', `Cannot read [${path.join(dir, 'nope')}]: no such file.`]);
});

test('/dev/zero behind a symlink and a directory are refused; neither is a file to write over', () => {
  symlinkSync('/dev/zero', path.join(dir, 'zero'));
  mkdirSync(path.join(dir, 'd'));
  expect(refusal(path.join(dir, 'zero'))).toEqual(['ENOTREG', `Cannot read [${path.join(dir, 'zero')}]: it is a device, not a regular file.`]);
  expect(refusal(path.join(dir, 'd'))).toEqual(['EISDIR', `Cannot read [${path.join(dir, 'd')}]: it is a directory.`]);
  expect(existsAsNonRegular(path.join(dir, 'zero'))).toBe(true);
  expect(existsAsNonRegular(path.join(dir, 'nope'))).toBe(false);
});

test('at most maxBytes are read: one byte more is refused, before reading, whatever the file holds', () => {
  const file = path.join(dir, 'big');
  writeFileSync(file, '');
  truncateSync(file, MAX_FILE_BYTES + 1);
  expect(refusal(file)).toEqual(['EFBIG', `Cannot read [${file}]: it is larger than 16 MiB, more than gcauth reads.`]);
  writeFileSync(file, 'x'.repeat(10));
  expect(readRegularFile(file, 10)).toBe('x'.repeat(10));
  expect(refusal(file, 9)[0]).toBe('EFBIG');
});

test('reasons in words, and JSON errors without the text', () => {
  expect(fsErrorReason(Object.assign(new Error('x'), {code: 'EACCES'}))).toBe('permission denied');
  expect(fsErrorReason(new Error('first\nsecond'))).toBe('first');
  let error: unknown;
  try {
    JSON.parse('{"secret": "hunter2" x');
  } catch (e) {
    error = e;
  }
  expect(jsonErrorAt(error)).toMatch(/^ \(at character \d+\)$/);
});
