import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {
  credHelpersOf,
  DockerConfigError,
  dockerConfigPath,
  formatDockerConfig,
  readDockerConfig,
  withCredHelpers,
  writeDockerConfig,
} from '../../src/lib/docker/docker-config.js';
import {DIFF_MAX_CHANGED_LINES, DIFF_MAX_LINES, unifiedDiff} from '../../src/lib/output/diff.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-docker-config-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const file = () => path.join(dir, 'config.json');

// A config with every kind of key Docker knows, plus ones it does not (which docker/cli's Save() would drop).
const RICH = `{
\t"auths": {
\t\t"https://index.docker.io/v1/": {
\t\t\t"auth": "dXNlcjpwYXNz"
\t\t}
\t},
\t"psFormat": "table {{.ID}}\\t{{.Names}}",
\t"credsStore": "desktop",
\t"credHelpers": {
\t\t"123456789.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",
\t\t"us.gcr.io": "gcr"
\t},
\t"proxies": {
\t\t"default": {
\t\t\t"httpProxy": "http://proxy:3128"
\t\t}
\t},
\t"x-unknown-tool": {
\t\t"nested": [
\t\t\t1,
\t\t\ttrue,
\t\t\tnull,
\t\t\t"é"
\t\t]
\t},
\t"zzz": "last"
}`;

describe('where config.json is', () => {
  test('$DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    expect(dockerConfigPath({DOCKER_CONFIG: '/d'}, '/home/u')).toBe('/d/config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: ''}, '/home/u')).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath({}, '/home/u')).toBe('/home/u/.docker/config.json');
  });
});

describe('reading', () => {
  test('a missing file is {} and does not exist; an empty or blank file is {}', async () => {
    expect(await readDockerConfig(file())).toEqual({path: file(), target: file(), exists: false, text: '', data: {}, mode: undefined});
    writeFileSync(file(), ' \n', {mode: 0o640});
    expect(await readDockerConfig(file())).toMatchObject({exists: true, text: ' \n', data: {}, mode: 0o640});
  });

  test.each([
    ['{"auths": {', /^The Docker config file \[.*config\.json\] is not valid JSON( \(at character \d+\))?\. Fix or move it, then run again\.$/],
    // Never the text itself: Node's message quotes it, and config.json holds Docker's stored passwords.
    ['{"auths": {"r": {"auth": "c2VjcmV0"}} x', /^The Docker config file \[.*config\.json\] is not valid JSON \(at character \d+\)\. Fix or move it, then run again\.$/],
    ['[1, 2]', /^The Docker config file \[.*\] does not hold a JSON object\. Fix or move it, then run again\.$/],
    ['null', /does not hold a JSON object/],
    ['"text"', /does not hold a JSON object/],
    ['{"credHelpers": ["gcr.io"]}', /^The Docker config file \[.*\] is malformed: "credHelpers" is not an object\. Fix it, then run again\.$/],
    ['{"credHelpers": "gcauth"}', /"credHelpers" is not an object/],
    ['{"credHelpers": {"gcr.io": 1}}', /is malformed: "credHelpers" maps \[gcr\.io\] to 1, not to a helper name\./],
  ])('%s is refused with one clear line', async (text, message) => {
    writeFileSync(file(), text);
    const error = await readDockerConfig(file()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  test('a directory where the file should be is an error naming it', async () => {
    mkdirSync(file());
    await expect(readDockerConfig(file())).rejects.toThrow(new DockerConfigError(`Cannot read the Docker config file [${file()}]: it is a directory.`));
  });

  test('DOCKER_CONFIG naming a file is an error', async () => {
    writeFileSync(path.join(dir, 'plain'), '');
    const inside = path.join(dir, 'plain', 'config.json');
    await expect(readDockerConfig(inside)).rejects.toThrow(new DockerConfigError(`Cannot read the Docker config file [${inside}]: a part of the path is not a directory.`));
  });

  test('a byte-order mark is tolerated', async () => {
    writeFileSync(file(), '\uFEFF{"auths": {}}');
    expect((await readDockerConfig(file())).data).toEqual({auths: {}});
  });
});

describe('merging credHelpers', () => {
  test('only credHelpers changes: every other key keeps its value and its place', () => {
    const data = JSON.parse(RICH) as Record<string, unknown>;
    const helpers = {...credHelpersOf(data), 'us.gcr.io': 'gcauth', 'gcr.io': 'gcauth'};
    const merged = withCredHelpers(data, helpers);
    expect(Object.keys(merged)).toEqual(Object.keys(data));
    expect(merged).toEqual({...data, credHelpers: {'123456789.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'us.gcr.io': 'gcauth', 'gcr.io': 'gcauth'}});
    expect(Object.keys(merged.credHelpers as object)).toEqual(['123456789.dkr.ecr.us-east-1.amazonaws.com', 'us.gcr.io', 'gcr.io']);
    expect(data.credHelpers).toEqual({'123456789.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'us.gcr.io': 'gcr'});
  });

  test('a new credHelpers goes last; an empty one is removed', () => {
    expect(Object.keys(withCredHelpers({auths: {}, currentContext: 'x'}, {'gcr.io': 'gcauth'}))).toEqual(['auths', 'currentContext', 'credHelpers']);
    expect(withCredHelpers({credHelpers: {'gcr.io': 'gcauth'}, auths: {}}, {})).toEqual({auths: {}});
  });

  test("the text keeps the file's layout: indentation unit, line endings, final newline; tabs (Docker's) for a new file", () => {
    const data = {auths: {}, credHelpers: {'gcr.io': 'gcauth'}};
    expect(formatDockerConfig(data, RICH)).toBe('{\n\t"auths": {},\n\t"credHelpers": {\n\t\t"gcr.io": "gcauth"\n\t}\n}');
    expect(formatDockerConfig(data, '{\n  "auths": {}\n}\n')).toBe('{\n  "auths": {},\n  "credHelpers": {\n    "gcr.io": "gcauth"\n  }\n}\n');
    expect(formatDockerConfig({a: 1}, '{\r\n    "a": 0\r\n}\r\n')).toBe('{\r\n    "a": 1\r\n}\r\n');
    expect(formatDockerConfig({a: 1}, '')).toBe('{\n\t"a": 1\n}\n');
    expect(formatDockerConfig({a: 1}, '{"a":0}')).toBe('{\n\t"a": 1\n}');
  });

  test('a round trip of a Docker-written file with no change is byte for byte the same', () => {
    expect(formatDockerConfig(JSON.parse(RICH) as Record<string, unknown>, RICH)).toBe(RICH);
  });
});

describe('writing', () => {
  test('a new file is 0600 in a new 0700 directory', async () => {
    const target = path.join(dir, 'new', 'sub', 'config.json');
    const config = await readDockerConfig(target);
    await writeDockerConfig(config, '{}\n');
    expect(readFileSync(target, 'utf8')).toBe('{}\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(target)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'new')).mode & 0o777).toBe(0o700);
  });

  test("an existing file keeps its mode, and no temp file is left behind", async () => {
    writeFileSync(file(), '{}');
    chmodSync(file(), 0o644);
    await writeDockerConfig(await readDockerConfig(file()), '{"a": 1}');
    expect(readFileSync(file(), 'utf8')).toBe('{"a": 1}');
    expect(statSync(file()).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  test('a symlinked config is written through to its target; the link stays a link', async () => {
    mkdirSync(path.join(dir, 'dotfiles'));
    const real = path.join(dir, 'dotfiles', 'docker.json');
    writeFileSync(real, '{"auths": {}}', {mode: 0o640});
    symlinkSync(path.join('dotfiles', 'docker.json'), file());
    const config = await readDockerConfig(file());
    expect(config).toMatchObject({path: file(), target: real, exists: true, mode: 0o640});
    await writeDockerConfig(config, '{"auths": {}, "credHelpers": {}}');
    expect(lstatSync(file()).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('{"auths": {}, "credHelpers": {}}');
    expect(statSync(real).mode & 0o777).toBe(0o640);
  });

  test('a dangling symlink is followed: its target is created, the link kept', async () => {
    const real = path.join(dir, 'elsewhere.json');
    symlinkSync(real, file());
    const config = await readDockerConfig(file());
    expect(config).toMatchObject({target: real, exists: false, data: {}});
    await writeDockerConfig(config, '{}');
    expect(lstatSync(file()).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('{}');
    expect(statSync(real).mode & 0o777).toBe(0o600);
  });

  test('a directory that cannot be created is one error line, and nothing is written', async () => {
    writeFileSync(path.join(dir, 'plain'), 'x');
    const config = await readDockerConfig(path.join(dir, 'elsewhere', 'config.json'));
    const blocked = {...config, path: path.join(dir, 'plain', 'config.json'), target: path.join(dir, 'plain', 'config.json')};
    await expect(writeDockerConfig(blocked, '{}')).rejects.toThrow(
      new DockerConfigError(`Cannot write the Docker config file [${blocked.path}]: a part of the path is not a directory. It was not changed.`),
    );
    expect(readFileSync(path.join(dir, 'plain'), 'utf8')).toBe('x');
  });
});

describe('unifiedDiff', () => {
  test('no change is an empty diff', async () => {
    expect(await unifiedDiff('a\nb\n', 'a\nb\n', {before: 'x', after: 'x'})).toBe('');
  });

  test('a new file is all additions from /dev/null', async () => {
    expect(await unifiedDiff('', '{\n}\n', {before: '/dev/null', after: 'c.json'})).toBe('--- /dev/null\n+++ c.json\n@@ -0,0 +1,2 @@\n+{\n+}\n');
  });

  test('changes show with three lines of context, removals before additions, in separate hunks when far apart', async () => {
    const before = ['{', '"a": 1,', '"b": 2,', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', '"k": 3', '}'].join('\n');
    const after = ['{', '"a": 1,', '"b": 20,', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', '"k": 3,', '"l": 4', '}'].join('\n');
    expect(await unifiedDiff(before, after, {before: 'old', after: 'new'})).toBe(
      [
        '--- old',
        '+++ new',
        '@@ -1,6 +1,6 @@',
        ' {',
        ' "a": 1,',
        '-"b": 2,',
        '+"b": 20,',
        ' c',
        ' d',
        ' e',
        '@@ -9,5 +9,6 @@',
        ' h',
        ' i',
        ' j',
        '-"k": 3',
        '+"k": 3,',
        '+"l": 4',
        ' }',
        '',
      ].join('\n'),
    );
  });

  test('the whole of a small change in a big file is found', async () => {
    const lines = Array.from({length: 5000}, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed.splice(2500, 1, 'new line');
    const diff = await unifiedDiff(lines.join('\n'), changed.join('\n'), {before: 'a', after: 'b'});
    expect(diff).toBe('--- a\n+++ b\n@@ -2498,7 +2498,7 @@\n line 2497\n line 2498\n line 2499\n-line 2500\n+new line\n line 2501\n line 2502\n line 2503\n');
  });

  test('line ends and a missing final newline are not changes; one changed line has no length in its range', async () => {
    expect(await unifiedDiff('a\r\nb', 'a\nb\n', {before: 'x', after: 'x'})).toBe('');
    expect(await unifiedDiff('a\nb\n', 'a\n', {before: 'x', after: 'y'}, 0)).toBe('--- x\n+++ y\n@@ -2 +1,0 @@\n-b\n');
  });

  test('18k lines with two entries added: the diff of the change alone, in well under a second', async () => {
    const entries = Array.from({length: 18_000}, (_, i) => `\t\t"registry-${i}.example.com": "ecr-login",`);
    const before = ['{', '\t"credHelpers": {', ...entries, '\t\t"z.example.com": "ecr-login"', '\t}', '}', ''].join('\n');
    const after = ['{', '\t"credHelpers": {', ...entries, '\t\t"z.example.com": "ecr-login",', '\t\t"gcr.io": "gcauth"', '\t}', '}', ''].join('\n');
    const started = performance.now();
    const diff = await unifiedDiff(before, after, {before: 'c.json', after: 'c.json'});
    expect(performance.now() - started).toBeLessThan(5_000); // about 80 ms here; the quadratic LCS took 11 s and 2.7 GB
    expect(diff).toBe(
      '--- c.json\n+++ c.json\n@@ -18000,6 +18000,7 @@\n' +
        ' \t\t"registry-17997.example.com": "ecr-login",\n \t\t"registry-17998.example.com": "ecr-login",\n \t\t"registry-17999.example.com": "ecr-login",\n' +
        '-\t\t"z.example.com": "ecr-login"\n+\t\t"z.example.com": "ecr-login",\n+\t\t"gcr.io": "gcauth"\n \t}\n }\n',
    );
  });

  test(`beyond ${DIFF_MAX_LINES} lines together, or ${DIFF_MAX_CHANGED_LINES} changed lines, there is no diff (undefined)`, async () => {
    const lines = (n: number, prefix: string) => Array.from({length: n}, (_, i) => `${prefix}${i}\n`).join('');
    // A minified file laid out one entry per line: one line against many.
    expect(await unifiedDiff('{"a":1}', lines(DIFF_MAX_LINES, 'x'), {before: 'a', after: 'b'})).toBeUndefined();
    expect(await unifiedDiff(lines(DIFF_MAX_CHANGED_LINES / 2 + 1, 'x'), lines(DIFF_MAX_CHANGED_LINES / 2 + 1, 'y'), {before: 'a', after: 'b'})).toBeUndefined();
    expect(await unifiedDiff(lines(DIFF_MAX_CHANGED_LINES / 2, 'x'), lines(DIFF_MAX_CHANGED_LINES / 2, 'y'), {before: 'a', after: 'b'})).toMatch(/^--- a\n\+\+\+ b\n@@ -1,500 \+1,500 @@\n/);
  });
});
