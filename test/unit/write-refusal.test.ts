import path from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import {fastAnswerTempPath, fastAnswerTempPid} from '../../src/lib/config/fast-answer-file.js';
import {DiskFullError, NotWritableError, writeRefusal} from '../../src/lib/errors.js';
import {atomicTempTarget} from '../../src/lib/fs/secure-fs.js';

const fsError = (code: string, failed?: string) => Object.assign(new Error(`${code}: failed`), {code, ...(failed ? {path: failed} : {})});

describe('writeRefusal', () => {
  test('a read-only file system or a refused permission names the directory the system call could not write in', () => {
    const lock = writeRefusal(fsError('EROFS', '/home/u/.config/gcauth/credentials.json.lock'), '/home/u/.config/gcauth/credentials.json');
    expect(lock).toBeInstanceOf(NotWritableError);
    expect(lock?.message).toBe('Cannot write in [/home/u/.config/gcauth]: it is on a read-only file system. Set GCAUTH_CONFIG to a writable directory, or use a writable home.');
    // mkdir -p reports the directory it could not create: its parent is the one that refused.
    expect(writeRefusal(fsError('EACCES', '/home/u/.config/gcauth'), '/home/u/.config/gcauth/access_tokens')?.message).toBe(
      'Cannot write in [/home/u/.config]: permission denied. Set GCAUTH_CONFIG to a writable directory, or use a writable home.',
    );
    expect(writeRefusal(fsError('EPERM'), '/c/credentials.json')?.message).toMatch(/^Cannot write in \[\/c\]: operation not permitted\. /);
  });

  test('a full disk or quota names the file being written', () => {
    for (const [code, why] of [
      ['ENOSPC', 'the disk is full'],
      ['EDQUOT', 'the disk quota is exceeded'],
    ]) {
      const error = writeRefusal(fsError(code!, '/c/credentials.json.123'), '/c/credentials.json');
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error?.message).toBe(`Cannot write [/c/credentials.json]: ${why}. It was left as it was; free some space and run the command again.`);
      expect(error?.exitCode).toBe(1);
    }
  });

  test('any other error is not a refusal: a held lock, a missing file, a bug', () => {
    for (const error of [fsError('ELOCKED'), fsError('ENOENT'), fsError('EEXIST'), new TypeError('x'), undefined]) expect(writeRefusal(error, '/c/f')).toBeUndefined();
  });
});

describe("temp file names of gcauth's writers", () => {
  test("write-file-atomic's temp file names map back to the file they were for", () => {
    const tmpname = (writeFileAtomic as unknown as {_getTmpname(file: string): string})._getTmpname;
    for (let i = 0; i < 20; i++) expect(atomicTempTarget(path.basename(tmpname('/c/credentials.json')))).toBe('credentials.json');
    expect(atomicTempTarget('credentials.json')).toBeUndefined();
    expect(atomicTempTarget('credentials.json.bak')).toBeUndefined();
  });

  test("the helper's answer temp file names its writer's pid", () => {
    expect(fastAnswerTempPid(path.basename(fastAnswerTempPath('/c', 4242)))).toBe(4242);
    for (const name of ['docker-helper-answer', 'docker-helper-answer.tmp', 'docker-helper-answer.0.tmp', 'docker-helper-answer.12.tmp.x', 'x-docker-helper-answer.12.tmp']) {
      expect(fastAnswerTempPid(name)).toBeUndefined();
    }
  });
});
