import {mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';

import {
  decodeText,
  existsAsNonRegular,
  FileReadError,
  fsErrorReason,
  jsonErrorAt,
  MAX_FILE_BYTES,
  readFileArgument,
  readRegularFile,
  readRegularFileIfExists,
} from '../../src/lib/fs/read-file.js';

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

describe('the text of a file as Windows tools save it', () => {
  // What Windows PowerShell 5.1's `>` and Out-File write (UTF-16LE with its BOM), the big-endian form, UTF-8 with a BOM.
  const text = '{"type": "service_account",\r\n "name": "héllo ☃ 𝄞"}\r\n';
  const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  const utf8bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

  test.each([
    ['UTF-16LE with its BOM', utf16le],
    ['UTF-16BE with its BOM', utf16be],
    ['UTF-8 with a BOM', utf8bom],
    ['UTF-8', Buffer.from(text, 'utf8')],
  ])('%s decodes to the same text, with no BOM left, from a file, from stdin for -, and by decodeText', async (_, bytes) => {
    const file = path.join(dir, 'key.json');
    writeFileSync(file, bytes);
    expect(decodeText(bytes)).toBe(text);
    expect(readRegularFile(file)).toBe(text);
    expect(readRegularFileIfExists(file)).toBe(text);
    expect(await readFileArgument(file, Readable.from([]), 'key file')).toBe(text);
    // Piped in two chunks split inside a character: decoded once, whole.
    expect(await readFileArgument('-', Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]), 'key file')).toBe(text);
    expect(JSON.parse(readRegularFile(file))).toEqual({type: 'service_account', name: 'héllo ☃ 𝄞'});
  });

  test('without a BOM a file stays UTF-8, even one that looks like UTF-16; the caller\'s buffer is not changed', () => {
    const bare = Buffer.from('{}', 'utf16le');
    expect(decodeText(bare)).toBe('{\u0000}\u0000');
    const be = Buffer.from([0xfe, 0xff, 0x00, 0x41, 0x00]);
    expect(decodeText(be)).toBe('A');
    expect([...be]).toEqual([0xfe, 0xff, 0x00, 0x41, 0x00]);
    expect(decodeText(Buffer.from([0xff, 0xfe]))).toBe('');
    expect(decodeText(Buffer.alloc(0))).toBe('');
  });
});
