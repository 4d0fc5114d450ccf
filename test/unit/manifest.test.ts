import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

// oclif.manifest.json is what the installed CLI reads instead of loading every command:
// a stale one hides commands or flags from users.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const commandsDir = path.join(root, 'src', 'commands');
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, unknown>; args: Record<string, unknown>}>;
};

function commandFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? commandFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

const ids = commandFiles(commandsDir).map((f) => [path.relative(commandsDir, f).replace(/\.ts$/, '').split(path.sep).join(':'), f] as const);

test('the manifest lists exactly the commands in src/commands (run npm run build to regenerate it)', () => {
  expect(Object.keys(manifest.commands).sort()).toEqual(ids.map(([id]) => id).sort());
});

test.each(ids)('the manifest entry for %s has its current flags and args', async (id, file) => {
  const {default: command} = (await import(pathToFileURL(file).href)) as {
    default: {flags?: Record<string, unknown>; baseFlags?: Record<string, unknown>; args?: Record<string, unknown>};
  };
  const entry = manifest.commands[id]!;
  expect(Object.keys(entry.flags).sort()).toEqual(Object.keys({...command.baseFlags, ...command.flags}).sort());
  expect(Object.keys(entry.args).sort()).toEqual(Object.keys(command.args ?? {}).sort());
});
