import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {
  checkBindingCondition,
  checkConditionSyntax,
  parseConditionFlag,
  readConditionFile,
  type IamCondition,
} from '../../src/lib/iam/condition.js';
import {usageMessage} from '../helpers/usage-error.js';

const FLAG_FORM = 'expected expression=EXPRESSION,title=TITLE[,description=DESCRIPTION] or None.';
const EXPIRY = 'request.time < timestamp("2030-01-01T00:00:00Z")';

describe('parseConditionFlag', () => {
  test.each<[string, IamCondition | null]>([
    ['None', null],
    ['expression=true,title=always', {expression: 'true', title: 'always'}],
    ['title=t,expression=e,description=d', {expression: 'e', title: 't', description: 'd'}],
    ['expression=a,title=t,', {expression: 'a', title: 't'}],
    ['expression=a, title=t', {expression: 'a', title: 't'}],
    ['expression=a == b,title=t', {expression: 'a == b', title: 't'}],
    [`expression=${EXPIRY},title=expires`, {expression: EXPIRY, title: 'expires'}],
    // Pieces that are not KEY=VALUE belong to the value before them.
    [`expression=${EXPIRY} && a in [1,2],title=t`, {expression: `${EXPIRY} && a in [1,2]`, title: 't'}],
    ['expression=a,title=Expires, soon', {expression: 'a', title: 'Expires, soon'}],
    ['expression=f(x,y==1),title=t', {expression: 'f(x,y==1)', title: 't'}],
    // Inside a string literal nothing starts a key; inside brackets only the known keys do.
    ['expression=a.startsWith("x,y=z,title=q"),title=t', {expression: 'a.startsWith("x,y=z,title=q")', title: 't'}],
    ['expression={"k": 1,z=2}.size() > 0,title=t', {expression: '{"k": 1,z=2}.size() > 0', title: 't'}],
    // gcloud's alternate delimiter, and the same rejoining with it.
    ['^:^expression=a,b:title=t,u', {expression: 'a,b', title: 't,u'}],
    ['^;;^title=x,y;;expression=a in [1,2];;description=d', {expression: 'a in [1,2]', title: 'x,y', description: 'd'}],
    [`^:^expression=${EXPIRY}:title=t`, {expression: EXPIRY, title: 't'}],
  ])('%s', (value, expected) => {
    expect(parseConditionFlag(value)).toEqual(expected);
  });

  test.each([
    ['none', 'no condition is written None', 'None'],
    ['NONE', 'no condition is written None', 'None'],
    ['null', 'no condition is written None', 'None'],
    ['', 'expression and title are missing', undefined],
    ['expression=a', 'title is missing', undefined],
    ['title=t', 'expression is missing', undefined],
    ['expression=a,title=', 'title is empty', undefined],
    ['expression= ,title=t', 'expression is empty', undefined],
    ['expression=a,title=t,description=', 'description is empty', undefined],
    ['expression,title=t', 'expression has no value (expression=...)', undefined],
    ['expression=a,title=t,title=u', 'title is given twice', undefined],
    ['None,expression=a,title=t', 'None cannot be combined with other keys', undefined],
    ['None=x', 'None takes no value', undefined],
    ['expression=a,Title=t', 'unknown key [Title]; the keys are written expression, title, description', undefined],
    ['expression=a,title=t,desc=d', 'unknown key [desc]; the keys are written', undefined],
    ['expression=a,title=t,b=c', 'unknown key [b]; the keys are expression, title, description (a value containing commas', undefined],
    ['expression=a,title=t,None=x', 'None takes no value', undefined],
    [EXPIRY, 'it does not start with a key', undefined],
    ['request.time == x,title=t', 'it does not start with a key', undefined],
    ['^^expression=a,title=t', '^^ gives an empty delimiter', undefined],
    // A lone leading ^ has no special meaning (gcloud topic escaping).
    ['^a,b', 'it does not start with a key', undefined],
    ['expression=a == "x,title=t', "title is missing (the expression's string at character 6 is not closed", undefined],
  ])('rejects %j', async (value, reason, suggestion) => {
    const message = await usageMessage(() => parseConditionFlag(value));
    expect(message).toContain(`Invalid --condition [${value}]: ${reason}`);
    expect(message).toContain(FLAG_FORM);
    if (suggestion) expect(message).toMatch(new RegExp(`Did you mean ${suggestion}\\?$`));
    else expect(message).not.toContain('Did you mean');
  });
});

describe('readConditionFile', () => {
  const fakeRead = (text: string) => async () => text;

  test.each<[string, string, IamCondition]>([
    ['YAML', 'expression: request.time < timestamp("2030-01-01T00:00:00Z")\ntitle: expires\n', {expression: EXPIRY, title: 'expires'}],
    ['JSON', JSON.stringify({expression: 'a, b', title: 't', description: 'd'}), {expression: 'a, b', title: 't', description: 'd'}],
    ['a byte-order mark', '\uFEFF{"expression": "true", "title": "t"}', {expression: 'true', title: 't'}],
    ['scalars as text', 'expression: true\ntitle: 2030\n', {expression: 'true', title: '2030'}],
    ['a block scalar', 'title: t\nexpression: |\n  a &&\n  b\n', {expression: 'a &&\nb\n', title: 't'}],
  ])('reads %s', async (_name, text, expected) => {
    expect(await readConditionFile('c.yaml', fakeRead(text))).toEqual(expected);
  });

  test.each([
    ['', 'it is empty'],
    ['# nothing\n', 'it is empty'],
    ['None\n', 'None is not a condition (for no condition, use --condition=None)'],
    ['- expression: a\n', 'it holds a list'],
    ['just text', 'it holds the string [just text]'],
    ['{"expression": "a", "title": ', 'it is not valid YAML or JSON ('],
    ['title: t\ntitle: u\nexpression: a\n', 'it is not valid YAML or JSON (Map keys must be unique'],
    ['expression: a\n', 'title is missing'],
    ['description: d\n', 'expression and title are missing'],
    ['expression: a\ntitle: ""\n', 'title is empty'],
    ['expression: a\ntitle:\n', 'title is empty'],
    ['expression: a\ntitle: t\ndescription: ""\n', 'description is empty'],
    ['expression: [a]\ntitle: t\n', 'expression is not text'],
    ['expression: a\ntitle: t\nTitle: u\n', 'unknown key [Title]'],
    ['condition:\n  expression: a\n  title: t\n', 'the keys sit under condition:'],
  ])('rejects %j', async (text, reason) => {
    const message = await usageMessage(() => readConditionFile('c.yaml', fakeRead(text)));
    expect(message).toContain(`Invalid --condition-from-file [c.yaml]: ${reason}`);
    expect(message).toContain('expected a YAML or JSON mapping with keys expression and title, and optionally description.');
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'gcauth-condition-'));
    });
    afterEach(() => rmSync(dir, {recursive: true, force: true}));

    test('reads a file through the given readFile', async () => {
      const file = path.join(dir, 'condition.json');
      writeFileSync(file, JSON.stringify({expression: 'true', title: 't'}));
      expect(await readConditionFile(file, (p) => readFile(p, 'utf8'))).toEqual({expression: 'true', title: 't'});
    });

    test.each([
      ['missing.yaml', 'no such file'],
      ['.', 'it is a directory'],
    ])('names %s when it cannot be read', async (name, reason) => {
      const file = path.join(dir, name);
      const message = await usageMessage(() => readConditionFile(file, (p) => readFile(p, 'utf8')));
      expect(message).toBe(`Cannot read --condition-from-file [${file}]: ${reason}.`);
    });
  });
});

describe('checkConditionSyntax', () => {
  const check = (expression: string, title = 't') => () => checkConditionSyntax({expression, title});

  test.each([
    EXPIRY,
    `${EXPIRY} && resource.name.startsWith("projects/_/buckets/b")`,
    'resource.type == "storage.googleapis.com/Bucket" || !(request.time.getHours("Europe/Berlin") >= 18)',
    'a in [1, 2, 3] && {"k": "v"}["k"] == "v"',
    'resource.name.endsWith(\'(\') && "\\"]" != r"\\"',
    '"""a "quoted" ( line\nand another"""  == x',
    'x == -1',
    'request.auth.claims.origin == "and"',
    Array(13).fill('a').join(' && '),
  ])('accepts %j', (expression) => {
    expect(() => checkConditionSyntax({expression, title: 't'})).not.toThrow();
  });

  test.each([
    ['', 'the expression is empty'],
    ['  ', 'the expression is empty'],
    ['f(a', 'in the expression, [(] at character 2 is not closed near [f(a]'],
    ['f(a]', 'in the expression, []] at character 4 does not close [(] from character 2'],
    ['a)', 'in the expression, [)] at character 2 closes nothing'],
    [`${EXPIRY.slice(0, -1)} && a`, '[(] at character 25 is not closed'],
    ['a == "abc', 'the string opened at character 6 is not closed'],
    ["a == 'abc", 'the string opened at character 6 is not closed'],
    ['a == "ab\nc"', 'the string opened at character 6 is broken by a line end'],
    ['a = 1', 'a single = (compare with ==) at character 3'],
    ['a == 1 & b == 2', 'a single & (logical and is &&) at character 8'],
    ['a == 1 | b == 2', 'a single | (logical or is ||) at character 8'],
    ['a == 1 AND b == 2', '[AND] (logical and is &&) at character 8'],
    ['a == 1 or b == 2', '[or] (logical or is ||) at character 8'],
    ['a == 1 &&', 'it ends with the operator [&&] at character 8'],
    ['a == 1 ||  ', 'it ends with the operator [||] at character 8'],
    ['a ==', 'it ends with the operator [==] at character 3'],
    ['x in', 'it ends with the operator [in] at character 3'],
    ['&& a', 'it starts with the operator [&&]'],
    ['|| a', 'it starts with the operator [||]'],
    [Array(14).fill('a').join(' || '), 'the expression has 13 logical operators (&&, ||); IAM allows at most 12'],
  ])('rejects %j', async (expression, reason) => {
    const message = await usageMessage(check(expression));
    expect(message).toMatch(/^Invalid --condition: /);
    expect(message).toContain(reason);
  });

  test('rejects an empty title, naming the flag it was given', async () => {
    expect(await usageMessage(() => checkConditionSyntax({expression: 'true', title: ' '}, '--condition-from-file'))).toBe(
      'Invalid --condition-from-file: the title is empty.',
    );
  });
});

describe('checkBindingCondition', () => {
  const condition = {expression: 'true', title: 't'};

  test.each(['roles/owner', 'roles/editor', 'roles/viewer'])('rejects a condition on %s with gcloud\'s message', async (role) => {
    expect(await usageMessage(() => checkBindingCondition(role, condition))).toBe(
      'Binding with a condition and a basic role is not allowed. Basic roles are `roles/editor`, `roles/owner`, and `roles/viewer`.',
    );
  });

  test.each<[string, IamCondition | null | undefined]>([
    ['roles/owner', null],
    ['roles/owner', undefined],
    ['roles/storage.admin', condition],
    ['projects/p/roles/owner', condition],
  ])('allows %s with %j', (role, c) => {
    expect(() => checkBindingCondition(role, c)).not.toThrow();
  });
});
